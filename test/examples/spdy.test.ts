// The two example programs of python-spdylay, ported to examples/
// (spdyclient.js, spdyserv.js), run as child processes against each other,
// over TLS and cleartext; and the shared port answering curl over h2 and
// HTTP/1.1.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');

function run(cmd: string, args: string[], timeout = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout, cwd: root, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Starts spdyserv.js on a free port; resolves with its base URL and the child. */
function startServer(args: string[]): Promise<{ url: string; child: ChildProcess; log: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'examples', 'spdyserv.js'), '--host', '127.0.0.1', '--port', '0', ...args],
      { cwd: root });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`spdyserv printed no URL:\n${out}`));
    }, 15_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (https?:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, log: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`spdyserv exited (${code}):\n${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve(child.exitCode);
      return;
    }
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

describe.each([['tls', []], ['plain', ['--plain']]] as const)('spdyserv.js + spdyclient.js (%s)', (mode, args) => {
  it('fetches / and /notfound, printing headers, bodies and closes per stream', async () => {
    const srv = await startServer([...args]);
    try {
      const r = await run(process.execPath, [path.join(root, 'examples', 'spdyclient.js'), '--insecure',
        `${srv.url}/`, `${srv.url}/notfound`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = r.stdout;
      expect(out).toMatch(/^Stream#1\n:status: 200 OK\n/m);
      expect(out).toMatch(/^Stream#3\n:status: 404 Not Found\n/m);
      expect(out).toContain('<h1>SPDY FTW</h1>');
      expect(out).toContain('<title>404 Not Found</title>');
      expect(out).toMatch(/^content-type: text\/html; charset=UTF-8$/m);
      expect(out).toMatch(/^server: Node-spdylay\//m);
      expect(out).toContain('Stream#1 closed\n');
      expect(out).toContain('Stream#3 closed\n');
      // headers come before the body of each stream
      expect(out.indexOf(':status: 200 OK')).toBeLessThan(out.indexOf('<h1>SPDY FTW</h1>'));
      if (mode === 'tls') {
        // the same port answers curl over h2 and HTTP/1.1
        const h2 = await run('curl', ['-sk', '--http2', '-w', '\n%{http_version} %{http_code}', `${srv.url}/`]);
        expect(h2.stdout).toMatch(/SPDY FTW[\s\S]*\n2 200$/);
        const h1 = await run('curl', ['-sk', '--http1.1', '-w', '\n%{http_version} %{http_code}', `${srv.url}/notfound`]);
        expect(h1.stdout).toMatch(/404 Not Found[\s\S]*\n1\.1 404$/);
      }
      expect(srv.log()).toMatch(/"GET \/ SPDY\/3\.1" 200 \d+/);
    } finally {
      expect(await stop(srv.child)).toBe(0);
    }
  }, 60_000);
});

it('spdyclient.js fails with a message and exit code 1 when nothing listens', async () => {
  const r = await run(process.execPath, [path.join(root, 'examples', 'spdyclient.js'), 'http://127.0.0.1:1/']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^spdyclient: Could not connect to 127\.0\.0\.1:1/);
});

it('npm start (examples/start.js) also runs the SPDY server and shows the frames of a fetch through it', async () => {
  const r = await run(process.execPath, [path.join(root, 'examples', 'start.js'), '--exit-after', '1',
    '--tls-port', '0', '--port', '0', '--spdy-port', '0', '--quiet'], 30_000);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/SPDY\/3\.1, 3, 2 \+ h2 \+ http\/1\.1 \(ALPN\): {2}https:\/\/127\.0\.0\.1:\d+\//);
  expect(r.stdout).toMatch(/send SYN_STREAM frame <version=3, flags=1, length=\d+>/);
  expect(r.stdout).toMatch(/recv SYN_REPLY frame <version=3, flags=0, length=\d+>\n.*\n +:status: 200 OK/);
  expect(r.stdout).toMatch(/=> spdy\/3\.1: 200 OK, \d+ bytes/);
}, 60_000);
