// The npm tarball: carries the linux-x64 prebuild, installs on a machine
// with no compiler, cmake or make, and loads through require() and import,
// with types; without a matching prebuild it falls back to a source build.
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-pkg-'));
let tarball = '';

/** A PATH holding node, npm, npx and a shell, and nothing else. */
function bareBin(): string {
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const nodeDir = path.dirname(process.execPath);
  for (const tool of ['node', 'npm', 'npx']) {
    fs.symlinkSync(fs.realpathSync(path.join(nodeDir, tool)), path.join(bin, tool));
  }
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  return bin;
}

function run(cmd: string, args: string[], opts: ExecFileSyncOptions): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: 'pipe', timeout: 240_000, ...opts }) as string;
}

const smokeCjs = `
const { libraryVersions } = require('spdylay');
const { HDDeflater, HDInflater } = require('spdylay/nghttp2');
const block = new HDDeflater().deflate([['x-k', 'v']]);
const [[n, v]] = new HDInflater().inflate(block);
console.log(JSON.stringify({ cjs: n.toString() + '=' + v.toString(), nghttp2: libraryVersions().nghttp2 }));
`;
const smokeMjs = `
import { libraryVersions } from 'spdylay';
import { HDDeflater, HDInflater, DEFAULT_HEADER_TABLE_SIZE } from 'spdylay/nghttp2';
const [[n]] = new HDInflater().inflate(new HDDeflater().deflate([['x-esm', '1']]));
console.log(JSON.stringify({ esm: n.toString(), size: DEFAULT_HEADER_TABLE_SIZE, zlib: libraryVersions().zlib }));
`;
const typesMts = `
import { HDDeflater, HDInflater, type HeaderField, NGHTTP2Error } from 'spdylay/nghttp2';
import { libraryVersions, type LibraryVersions } from 'spdylay';
const fields: HeaderField[] = [['a', 'b', true]];
const block: Buffer = new HDDeflater(4096).deflate(fields);
const out: [Buffer, Buffer][] = new HDInflater({ maxHeaderListSize: 1024 }).inflate(block);
const v: LibraryVersions = libraryVersions();
const e: typeof NGHTTP2Error = NGHTTP2Error;
export { out, v, e };
`;
const typesCts = `
import nghttp2 = require('spdylay/nghttp2');
const d: nghttp2.HDDeflater = new nghttp2.HDDeflater();
export const n: number = d.deflate([['x', 'y']]).length;
`;

function consumer(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true }));
  fs.writeFileSync(path.join(dir, 'smoke.cjs'), smokeCjs);
  fs.writeFileSync(path.join(dir, 'smoke.mjs'), smokeMjs);
  return dir;
}

describe('npm package', () => {
  beforeAll(() => {
    const out = run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root });
    tarball = path.join(work, out.trim().split('\n').pop()!);
  }, 300_000);

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('carries the stripped linux-x64 prebuild and no build output', () => {
    const list = run('tar', ['-tzf', tarball], {}).split('\n');
    expect(list).toContain('package/prebuilds/linux-x64/spdylay.napi.glibc.node');
    expect(list).toContain('package/dist/index.d.ts');
    expect(list).toContain('package/dist/nghttp2/index.d.ts');
    expect(list.filter((f) => f.startsWith('package/build/'))).toEqual([]);
    expect(list.filter((f) => f.includes('node_modules'))).toEqual([]);
  });

  it('installs without compiler, cmake or make, and loads through require and import', () => {
    const bin = bareBin();
    const env = { HOME: os.homedir(), PATH: bin };
    for (const tool of ['cc', 'gcc', 'g++', 'c++', 'cmake', 'make']) {
      expect(() => run('sh', ['-c', `command -v ${tool}`], { env })).toThrow();
    }
    const dir = consumer('bare');
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: dir, env });
    const pkg = path.join(dir, 'node_modules', 'spdylay');
    expect(fs.existsSync(path.join(pkg, 'build'))).toBe(false);

    const cjs = JSON.parse(run('node', ['smoke.cjs'], { cwd: dir, env }));
    expect(cjs).toEqual({ cjs: 'x-k=v', nghttp2: '1.52.0' });
    const esm = JSON.parse(run('node', ['smoke.mjs'], { cwd: dir, env }));
    expect(esm).toEqual({ esm: 'x-esm', size: 4096, zlib: '1.2.13' });

    // Types resolve for ESM and CJS consumers under nodenext.
    fs.writeFileSync(path.join(dir, 'types.mts'), typesMts);
    fs.writeFileSync(path.join(dir, 'types.cts'), typesCts);
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--types', 'node', '--typeRoots', path.join(root, 'node_modules', '@types'), 'types.mts', 'types.cts'], { cwd: dir });
  }, 300_000);

  it('falls back to a source build when no prebuild matches', () => {
    // Re-pack the tarball without its prebuilds.
    const unpacked = path.join(work, 'unpacked');
    fs.mkdirSync(unpacked);
    run('tar', ['-xzf', tarball, '-C', unpacked], {});
    fs.rmSync(path.join(unpacked, 'package', 'prebuilds'), { recursive: true });
    const noPrebuild = path.join(work, 'spdylay-noprebuild.tgz');
    run('tar', ['-czf', noPrebuild, '-C', unpacked, 'package'], {});

    const dir = consumer('source');
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', noPrebuild], { cwd: dir });
    const release = path.join(dir, 'node_modules', 'spdylay', 'build', 'Release');
    expect(fs.readdirSync(release).filter((f) => f.endsWith('.node'))).toEqual(['spdylay_native.node']);
    expect(JSON.parse(run('node', ['smoke.cjs'], { cwd: dir })).cjs).toBe('x-k=v');
  }, 300_000);
});

/** The paths `npm pack` would put in the tarball, from the current build. */
function packListing(): string[] {
  const out = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
}

describe('npm package contents', () => {
  let files: string[] = [];
  beforeAll(() => {
    files = packListing();
  }, 60_000);

  it('carries the licence and the notices of the statically linked nghttp2 and zlib', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('THIRD_PARTY_NOTICES');
    expect(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
    const notices = fs.readFileSync(path.join(root, 'THIRD_PARTY_NOTICES'), 'utf8');
    // Each library's notice carries its copyright line and licence text.
    expect(notices).toContain('Copyright (c) 2012, 2013, 2014 Tatsuhiro Tsujikawa');
    expect(notices).toContain('Permission is hereby granted, free of charge');
    expect(notices).toContain('Jean-loup Gailly and Mark Adler');
    expect(notices).toContain('This notice may not be removed or altered from any source distribution.');
    // The versions named are the ones the binary reports.
    const { libraryVersions } = require(path.join(root, 'dist', 'index.js'));
    const versions = libraryVersions();
    expect(notices).toContain(`nghttp2 ${versions.nghttp2} `);
    expect(notices).toContain(`zlib ${versions.zlib} `);
  });

  it('ships every source map with the TypeScript sources it points at', () => {
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps).toContain('dist/index.js.map');
    expect(maps).toContain('dist/index.d.ts.map');
    expect(maps).toContain('dist/nghttp2/index.js.map');
    const listed = new Set(files);
    const missing: string[] = [];
    for (const map of maps) {
      const { sourceRoot = '', sources } = JSON.parse(fs.readFileSync(path.join(root, map), 'utf8')) as {
        sourceRoot?: string; sources: string[];
      };
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(map), sourceRoot, source));
        if (!listed.has(target)) missing.push(`${map} -> ${target}`);
      }
    }
    expect(missing).toEqual([]);
    // Every compiled module has its map.
    for (const js of files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
      expect(listed.has(`${js}.map`), js).toBe(true);
    }
  });
});
