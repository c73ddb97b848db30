// The npm tarball: carries the linux-x64 and linux-arm64 prebuilds (the arm64
// one is run by scripts/test-arm64.sh under qemu), installs on a machine
// with no compiler, cmake or make, pulls in no build tools (node-gyp-build,
// the loader, and spdyd's static-file helpers mime-types, fresh and
// range-parser are its only dependencies), and loads through require() and import, with types.
// Without a matching prebuild it builds from source when the build tools are
// there (cmake-js and node-addon-api are optional peer dependencies), and
// otherwise fails with one message naming what to install.
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const NGHTTP2_A = '/usr/lib/x86_64-linux-gnu/libnghttp2.a';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-pkg-'));
let tarball = '';

/** A PATH holding node, npm, npx and a shell, and nothing else. */
function bareBin(): string {
  const bin = path.join(work, 'bin');
  if (fs.existsSync(bin)) return bin;
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

const smokeCjs = fs.readFileSync(path.join(root, 'test', 'smoke', 'smoke.cjs'), 'utf8');
const smokeMjs = fs.readFileSync(path.join(root, 'test', 'smoke', 'smoke.mjs'), 'utf8');
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

/** The tarball without its prebuilds (as on a platform with none). */
let noPrebuildTarball = '';
function noPrebuild(): string {
  if (noPrebuildTarball) return noPrebuildTarball;
  const unpacked = path.join(work, 'unpacked');
  fs.mkdirSync(unpacked);
  run('tar', ['-xzf', tarball, '-C', unpacked], {});
  fs.rmSync(path.join(unpacked, 'package', 'prebuilds'), { recursive: true });
  noPrebuildTarball = path.join(work, 'spdylay-noprebuild.tgz');
  run('tar', ['-czf', noPrebuildTarball, '-C', unpacked, 'package'], {});
  return noPrebuildTarball;
}

/** `name@version` of a package installed in this repository (so npm finds it in its cache). */
function installed(name: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8'));
  return `${name}@${pkg.version}`;
}

/** Runs a command expected to fail; returns its stdout and stderr together. */
function failing(cmd: string, args: string[], opts: ExecFileSyncOptions): string {
  try {
    run(cmd, args, opts);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; status?: number };
    expect(e.status).not.toBe(0);
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
  throw new Error(`${cmd} ${args.join(' ')} succeeded`);
}

/** True when this process may create a mount namespace (root, unshare present). */
function canUnshare(): boolean {
  try {
    run('unshare', ['-m', 'true'], {});
    return true;
  } catch {
    return false;
  }
}

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

  it('carries the stripped linux-x64 and linux-arm64 prebuilds and no build output', () => {
    const list = run('tar', ['-tzf', tarball], {}).split('\n');
    expect(list.filter((f) => f.startsWith('package/prebuilds/') && f.endsWith('.node')).sort()).toEqual([
      'package/prebuilds/linux-arm64/spdylay.napi.glibc.node',
      'package/prebuilds/linux-x64/spdylay.napi.glibc.node',
    ]);
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
    // No build tools at run time: the loader and spdyd's static-file helpers only.
    const modules = fs.readdirSync(path.join(dir, 'node_modules')).filter((f) => !f.startsWith('.')).sort();
    expect(modules).toEqual(['fresh', 'mime-db', 'mime-types', 'node-gyp-build', 'range-parser', 'spdylay']);

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

  it('without a prebuild or build tools, fails with one message naming what to install', () => {
    const env = { HOME: os.homedir(), PATH: bareBin() };
    const dir = consumer('no-tools');
    const out = failing('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', noPrebuild()], { cwd: dir, env });
    const message = out.slice(out.indexOf('spdylay: no usable prebuilt binary'));
    expect(message).toMatch(/cannot build the native addon from source on linux-x64\. Install:/);
    expect(message).toMatch(/- a C and C\+\+ compiler \(Debian\/Ubuntu: g\+\+/);
    expect(message).toMatch(/- cmake >= 3\.15/);
    expect(message).toMatch(/- make or ninja/);
    expect(message).toMatch(/- the npm packages cmake-js and node-addon-api \(npm install cmake-js node-addon-api\)/);
    expect(message).toMatch(/then run: npx spdylay-build/);
    expect(out.match(/cannot build the native addon/g)).toHaveLength(1);
    expect(out).not.toMatch(/CMake Error|Compiler toolset/);
  }, 300_000);

  it('builds from source with cmake-js and node-addon-api installed beside it; names libnghttp2-dev when it is missing', () => {
    const dir = consumer('source');
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts',
      noPrebuild(), installed('cmake-js'), installed('node-addon-api')], { cwd: dir });

    if (canUnshare()) {
      // nghttp2's headers hidden and libnghttp2.a emptied, in a private mount namespace.
      const empty = path.join(work, 'empty');
      fs.mkdirSync(empty);
      const hide = `mount --bind ${empty} /usr/include/nghttp2 && mount --bind /dev/null ${NGHTTP2_A} && exec npx --no-install spdylay-build`;
      const out = failing('unshare', ['-m', 'sh', '-c', hide], { cwd: dir });
      expect(out).toMatch(/cannot build the native addon from source on linux-x64\. Install:\n {2}- nghttp2's static library and headers, libnghttp2\.a \(Debian\/Ubuntu: libnghttp2-dev/);
      expect(out).toMatch(/then run: npx spdylay-build\s*$/);
      expect(out).not.toMatch(/CMake Error/);
    } else {
      console.log('package.test.ts: cannot create a mount namespace (not root?): the missing-libnghttp2-dev message is not tested');
    }

    // The install hook builds (what `npm install spdylay cmake-js node-addon-api` runs).
    run('npm', ['rebuild', 'spdylay'], { cwd: dir });
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
    const maps = files.filter((f) => f.startsWith('dist/') && f.endsWith('.map'));
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
