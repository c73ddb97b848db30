// bin/spdycat.js and bin/spdyd.js as child processes: spdyd serving a
// temporary directory (TLS and plain), fetched with spdycat (-v, -o, -n,
// the progress bar), curl (h2, HTTP/1.1) and nghttp (h2) on the same port.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testCert } from '../helpers/certs.js';
import { pattern, sha } from '../helpers/spdy-fetch.js';

const root = path.resolve(__dirname, '../..');
const SPDYCAT = path.join(root, 'bin', 'spdycat.js');
const SPDYD = path.join(root, 'bin', 'spdyd.js');

let dir: string;
let keyFile: string;
let certFile: string;
const big = pattern(3 * 1024 * 1024 + 11, 5);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdyd-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<h1>index</h1>\n');
  fs.writeFileSync(path.join(dir, 'big.bin'), big);
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub', 'a.txt'), 'aaa\n');
  const c = await testCert();
  keyFile = path.join(dir, '..', `${path.basename(dir)}.key`);
  certFile = path.join(dir, '..', `${path.basename(dir)}.crt`);
  fs.writeFileSync(keyFile, c.key);
  fs.writeFileSync(certFile, c.cert);
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(keyFile, { force: true });
  fs.rmSync(certFile, { force: true });
});

function run(cmd: string, args: string[], timeout = 30_000): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout, encoding: 'buffer', maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0,
        stdout, stderr: stderr.toString() });
    });
  });
}

function startSpdyd(args: string[]): Promise<{ url: string; child: ChildProcess; out: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SPDYD, '-p', '0', ...args]);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`spdyd printed no URL:\n${out}`)), 15_000);
    const on = (d: Buffer) => {
      out += d;
      const m = /on (https?:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, out: () => out });
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`spdyd exited ${code}:\n${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

describe.each([['tls', true], ['plain', false]] as const)('spdyd + spdycat (%s)', (_mode, secure) => {
  let srv: Awaited<ReturnType<typeof startSpdyd>>;
  beforeAll(async () => {
    srv = await startSpdyd(secure ? ['--key', keyFile, '--cert', certFile, dir] : ['--plain', dir]);
  });
  afterAll(async () => {
    expect(await stop(srv.child)).toBe(0);
  });
  const ca = () => (secure ? ['--ca', certFile] : []);

  it('spdycat prints the body; -v prints the frames; the access log has a line per stream', async () => {
    const r = await run(process.execPath, [SPDYCAT, ...ca(), '-v', `${srv.url}/`, `${srv.url}/sub/a.txt`]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('<h1>index</h1>\naaa\n');
    expect(r.stderr).toMatch(/protocol spdy\/3\.1/);
    expect(r.stderr).toMatch(/send SYN_STREAM frame <version=3, flags=1, length=\d+>\n.*\(stream_id=1, assoc_stream_id=0, pri=3\)/);
    expect(r.stderr).toMatch(/recv SYN_REPLY frame <version=3/);
    expect(r.stderr).toMatch(/:status: 200 OK/);
    expect(r.stderr).toMatch(/recv DATA frame \(stream_id=3, flags=[01], length=4\)/);
    expect(r.stderr).toMatch(/recv DATA frame \(stream_id=3, flags=1, length=\d+\)\n +; END_STREAM/);
    expect(r.stderr).toMatch(/send GOAWAY frame/);
    await new Promise((res) => setTimeout(res, 100));
    expect(srv.out()).toMatch(/"GET \/ SPDY\/3\.1" 200 15/);
    expect(srv.out()).toMatch(/"GET \/sub\/a\.txt SPDY\/3\.1" 200 4/);
  });

  it('spdycat --h2 (TLS) or --h2c (cleartext) -v fetches over h2 and prints the HTTP/2 frames', async () => {
    const r = await run(process.execPath, [SPDYCAT, ...ca(), secure ? '--h2' : '--h2c', '-v', '-i', `${srv.url}/sub/a.txt`]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^:status: 200\n[\s\S]*\n\naaa\n$/);
    expect(r.stderr).toMatch(secure ? /protocol h2\n/ : /protocol h2c\n/);
    expect(r.stderr).toMatch(/send HEADERS frame <length=\d+, flags=0x05, stream_id=1>\n +:method: GET/);
    expect(r.stderr).toMatch(/recv DATA frame <length=4, flags=0x0[01], stream_id=1>/);
    await new Promise((res) => setTimeout(res, 100));
    expect(srv.out()).toMatch(/"GET \/sub\/a\.txt HTTP\/2" 200 4/);
  });

  it('spdycat -o saves a 3 MiB body; -n discards it with a progress bar; 404 and traversal', async () => {
    const outFile = path.join(os.tmpdir(), `spdycat-${process.pid}-${secure}.bin`);
    try {
      const r = await run(process.execPath, [SPDYCAT, ...ca(), '-o', outFile, `${srv.url}/big.bin`]);
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBe(0);
      expect(sha(fs.readFileSync(outFile))).toBe(sha(big));
    } finally {
      fs.rmSync(outFile, { force: true });
    }
    const n = await run(process.execPath, [SPDYCAT, ...ca(), '-n', '--progress', `${srv.url}/big.bin`]);
    expect(n.code).toBe(0);
    expect(n.stdout.length).toBe(0);
    expect(n.stderr).toMatch(/100% 3\.0 MiB\/3\.0 MiB\n$/);
    const nf = await run(process.execPath, [SPDYCAT, ...ca(), '-i', `${srv.url}/nope`, `${srv.url}/%2e%2e/%2e%2e/etc/passwd`]);
    expect(nf.stdout.toString()).toMatch(/:status: 404 Not Found/);
    expect(nf.stdout.toString()).not.toMatch(/root:/);
  });

  it('the same port answers curl over h2 and HTTP/1.1', async () => {
    const k = secure ? ['--cacert', certFile] : [];
    const h2 = await run('curl', ['-sS', ...k, secure ? '--http2' : '--http2-prior-knowledge', '-w', '%{http_version} %{http_code}',
      '-o', '/dev/null', `${srv.url}/big.bin`]);
    expect(h2.stdout.toString()).toBe('2 200');
    const h1 = await run('curl', ['-sS', ...k, '--http1.1', '-w', '\n%{http_version} %{http_code}', `${srv.url}/sub/a.txt`]);
    expect(h1.stdout.toString()).toBe('aaa\n\n1.1 200');
    const head = await run('curl', ['-sS', ...k, '-I', '--http1.1', `${srv.url}/big.bin`]);
    expect(head.stdout.toString()).toMatch(new RegExp(`content-length: ${big.length}`, 'i'));
    expect(srv.out()).toMatch(/"GET \/big\.bin HTTP\/2" 200 3145739/);
    expect(srv.out()).toMatch(/"GET \/sub\/a\.txt HTTP\/1\.1" 200 4/);
  });

  it('serves as a static server should: content types, Range (206/416), ETag and If-None-Match, If-Modified-Since (304)', async () => {
    const k = secure ? ['--cacert', certFile] : [];
    for (const proto of [secure ? '--http2' : '--http2-prior-knowledge', '--http1.1']) {
      const curl = async (args: string[]) => (await run('curl', ['-sS', ...k, proto, ...args])).stdout.toString();
      /** `curl -i` output split into the status code, lower-cased headers and body. */
      const get = async (url: string, args: string[] = []) => {
        const out = await curl(['-i', ...args, url]);
        const sep = out.indexOf('\r\n\r\n');
        const lines = out.slice(0, sep).split('\r\n');
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
        }
        return { status: Number(lines[0]!.split(' ')[1]), headers, body: out.slice(sep + 4) };
      };
      const full = await get(`${srv.url}/sub/a.txt`);
      expect(full.status).toBe(200);
      expect(full.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(full.headers['accept-ranges']).toBe('bytes');
      expect(full.headers.etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
      expect((await get(`${srv.url}/`)).headers['content-type']).toBe('text/html; charset=utf-8');
      expect((await get(`${srv.url}/big.bin`, ['-o', '/dev/null', '-D', '-'])).status).toBe(200);

      // Range: one range is 206 with content-range; curl checks the length.
      const part = (await run('curl', ['-sS', ...k, proto, '-r', '1000-1999', `${srv.url}/big.bin`, '-w', '%{http_code}'])).stdout;
      expect(part.subarray(-3).toString()).toBe('206');
      expect(sha(part.subarray(0, -3))).toBe(sha(big.subarray(1000, 2000)));
      const suffix = await get(`${srv.url}/sub/a.txt`, ['-r', '-2']);
      expect(suffix.status).toBe(206);
      expect(suffix.headers['content-range']).toBe('bytes 2-3/4');
      expect(suffix.body).toBe('a\n');
      const unsatisfiable = await get(`${srv.url}/sub/a.txt`, ['-r', '10-20']);
      expect(unsatisfiable.status).toBe(416);
      expect(unsatisfiable.headers['content-range']).toBe('bytes */4');
      // If-Range with a stale validator gets the whole file.
      const stale = await get(`${srv.url}/sub/a.txt`, ['-r', '0-0', '-H', 'If-Range: "other"']);
      expect(stale.status).toBe(200);
      expect(stale.body).toBe('aaa\n');

      // ETag + If-None-Match, Last-Modified + If-Modified-Since.
      const inm = await get(`${srv.url}/sub/a.txt`, ['-H', `If-None-Match: ${full.headers.etag}`]);
      expect(inm.status).toBe(304);
      expect(inm.body).toBe('');
      expect(inm.headers.etag).toBe(full.headers.etag);
      expect((await get(`${srv.url}/sub/a.txt`, ['-H', 'If-None-Match: W/"0-0"'])).status).toBe(200);
      expect((await get(`${srv.url}/sub/a.txt`, ['-H', `If-Modified-Since: ${full.headers['last-modified']}`])).status).toBe(304);
      expect((await get(`${srv.url}/sub/a.txt`, ['-H', 'If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT'])).status).toBe(200);
      // curl's own conditional GET: -z sends If-Modified-Since from a date.
      const z = await curl(['-z', new Date(Date.now() + 3600_000).toUTCString(), `${srv.url}/sub/a.txt`, '-w', '%{http_code}']);
      expect(z).toBe('304');
    }
  });

  it('nghttp fetches over h2 from the same port', async () => {
    const r = await run('nghttp', ['-nv', ...(secure ? [] : []), `${srv.url}/sub/a.txt`, `${srv.url}/big.bin`]);
    expect(r.stdout.toString()).toMatch(/recv HEADERS frame <length=\d+, flags=0x04, stream_id=\d+>/);
    expect(r.stdout.toString()).toMatch(/:status: 200/);
    expect(r.stdout.toString()).toMatch(/recv DATA frame <length=\d+, flags=0x01, stream_id=\d+>/);
    expect(r.code).toBe(0);
  });
});

it('spdycat reports a connection failure with exit code 1, usage errors with 2', async () => {
  const r = await run(process.execPath, [SPDYCAT, 'http://127.0.0.1:1/']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/Could not connect to 127\.0\.0\.1:1/);
  expect((await run(process.execPath, [SPDYCAT])).code).toBe(2);
  expect((await run(process.execPath, [SPDYD, '--bogus'])).code).toBe(2);
});

it('spdycat and spdyd print their version with --version (and -V)', async () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  for (const [tool, script] of [['spdycat', SPDYCAT], ['spdyd', SPDYD]] as const) {
    for (const flag of ['--version', '-V']) {
      const r = await run(process.execPath, [script, flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.toString()).toMatch(new RegExp(`^${tool} ${pkg.version.replace(/\./g, '\\.')} \\(nghttp2 \\d+\\.\\d+\\.\\d+, zlib \\d+\\.\\d+\\.\\d+\\)\n$`));
    }
  }
});
