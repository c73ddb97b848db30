// The binaries load on old glibc distributions (Debian 9, Ubuntu 18.04,
// RHEL/CentOS 7+, Amazon Linux 2): their dynamic symbol version needs, read
// with `objdump -T`, stay at or below glibc 2.17 and GCC 5's libstdc++
// (GLIBCXX_3.4.21, CXXABI_1.3.9) and libgcc_s; they export only the two N-API
// entry points and need no shared library beyond libc, libm, libstdc++ and
// libgcc_s. Checks build/Release and every prebuild in prebuilds/ (scripts/test.sh
// builds the linux-x64 and linux-arm64 ones first).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

/** Highest version allowed per version namespace. */
const LIMITS: Record<string, string> = {
  GLIBC: '2.17',
  GLIBCXX: '3.4.21',
  CXXABI: '1.3.9',
  GCC: '4.8.0',
};
const ALLOWED_NEEDED = ['libc.so.6', 'libm.so.6', 'libstdc++.so.6', 'libgcc_s.so.1', 'ld-linux-aarch64.so.1'];

function compare(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The binaries to check: the local build and every prebuild. */
function binaries(): string[] {
  const out = [path.join(root, 'build', 'Release', 'spdylay_native.node')];
  const prebuilds = path.join(root, 'prebuilds');
  if (fs.existsSync(prebuilds)) {
    for (const dir of fs.readdirSync(prebuilds).sort()) {
      for (const f of fs.readdirSync(path.join(prebuilds, dir))) {
        if (f.endsWith('.node')) out.push(path.join(prebuilds, dir, f));
      }
    }
  }
  return out;
}

/** Undefined dynamic symbols with their version, e.g. `{ symbol: 'memcpy', version: 'GLIBC_2.14' }`. */
function versionNeeds(file: string): { symbol: string; version: string }[] {
  const text = execFileSync('objdump', ['-T', file], { encoding: 'utf8' });
  const needs: { symbol: string; version: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /\*UND\*\s+[0-9a-f]+\s+\(([A-Z]+_[0-9.]+)\)\s+(\S+)/.exec(line);
    if (m) needs.push({ version: m[1], symbol: m[2] });
  }
  return needs;
}

function definedDynamic(file: string): string[] {
  const text = execFileSync('objdump', ['-T', file], { encoding: 'utf8' });
  return text.split('\n')
    // Global (not local: host objdump lists an arm64 binary's section symbols too) and defined.
    .filter((l) => /^[0-9a-f]{8,} [^l]/.test(l) && !l.includes('*UND*'))
    .map((l) => l.trim().split(/\s+/).pop()!)
    .sort();
}

function needed(file: string): string[] {
  const text = execFileSync('objdump', ['-p', file], { encoding: 'utf8' });
  return [...text.matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]);
}

it('checks the linux-x64 and linux-arm64 prebuilds when there are any (always under CI)', () => {
  const prebuilds = binaries().filter((f) => f.includes(`${path.sep}prebuilds${path.sep}`)).map((f) => path.relative(root, f));
  if (prebuilds.length === 0 && process.env.CI !== 'true') return;
  expect(prebuilds).toEqual([
    path.join('prebuilds', 'linux-arm64', 'spdylay.napi.glibc.node'),
    path.join('prebuilds', 'linux-x64', 'spdylay.napi.glibc.node'),
  ]);
});

describe.each(binaries().map((f) => [path.relative(root, f), f]))('%s', (_name, file) => {
  it('needs at most GLIBC 2.17 and GCC 5\'s libstdc++ and libgcc_s', () => {
    const needs = versionNeeds(file);
    expect(needs.some((n) => n.version.startsWith('GLIBC_'))).toBe(true);
    const over = needs.filter((n) => {
      const [, ns, v] = /^([A-Z]+)_(.*)$/.exec(n.version)!;
      const limit = LIMITS[ns];
      return limit === undefined || compare(v, limit) > 0;
    }).map((n) => `${n.symbol}@${n.version}`);
    expect(over).toEqual([]);
  });

  it('exports only the N-API entry points', () => {
    expect(definedDynamic(file)).toEqual(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
  });

  it('needs no shared library beyond libc, libm, libstdc++ and libgcc_s', () => {
    const libs = needed(file);
    expect(libs).toContain('libc.so.6');
    expect(libs.filter((l) => !ALLOWED_NEEDED.includes(l))).toEqual([]);
  });
});
