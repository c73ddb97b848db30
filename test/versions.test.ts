// The addon must call its own statically linked nghttp2 and zlib, never the
// copies Node's executable exports.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { libraryVersions } from '../lib/index.js';

function headerVersion(file: string, macro: string): string {
  const text = fs.readFileSync(file, 'utf8');
  const m = new RegExp(`#define\\s+${macro}\\s+"([^"]+)"`).exec(text);
  if (!m) throw new Error(`${macro} not found in ${file}`);
  return m[1];
}

describe('linked C libraries', () => {
  const v = libraryVersions();

  it('reports the nghttp2 it was built with, not Node\'s', () => {
    expect(v.nghttp2).toBe(headerVersion('/usr/include/nghttp2/nghttp2ver.h', 'NGHTTP2_VERSION'));
    expect(v.nghttp2).not.toBe(process.versions.nghttp2);
  });

  it('reports the zlib it was built with, not Node\'s', () => {
    expect(v.zlib).toBe(headerVersion('/usr/include/zlib.h', 'ZLIB_VERSION'));
    expect(v.zlib).not.toBe(process.versions.zlib);
  });

  it('reports the Debian revision of libnghttp2-dev it was configured with (empty off Debian)', () => {
    let expected = '';
    try {
      expected = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'libnghttp2-dev'], { encoding: 'utf8' }).trim();
    } catch {
      // not a Debian system: the build records nothing
    }
    expect(v.nghttp2Package).toBe(expected);
    if (expected) expect(expected.startsWith(v.nghttp2)).toBe(true);
  });

  it('targets N-API 8', () => {
    expect(v.napi).toBe(8);
  });

  it('exports only the N-API entry points (archives linked privately)', () => {
    const dir = path.join(__dirname, '..', 'build', 'Release');
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.node'));
    expect(file).toBeDefined();
    const out = execFileSync('nm', ['-D', '--defined-only', path.join(dir, file!)], { encoding: 'utf8' });
    const symbols = out.split('\n').filter(Boolean).map((l) => l.split(/\s+/).pop()!);
    expect(symbols.filter((s) => /nghttp2|deflate|inflate|zlib|crc32|adler/i.test(s))).toEqual([]);
    expect(symbols).toContain('napi_register_module_v1');
    // And it needs no shared nghttp2 or zlib at run time.
    const ldd = execFileSync('ldd', [path.join(dir, file!)], { encoding: 'utf8' });
    expect(ldd).not.toMatch(/libnghttp2|libz\.so/);
  });
});
