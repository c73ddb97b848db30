// examples/compat-express.js runs as a child process (TLS and --plain) and
// answers curl over h2 and HTTP/1.1, nghttp (push on h2) and SSE.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..', '..');

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'examples', 'compat-express.js'), ...args, '0'], { cwd: root });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`compat-express.js did not listen:\n${out}`));
    }, 15_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (https?:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`compat-express.js exited (${code}):\n${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

describe('examples/compat-express.js (TLS)', () => {
  let ex: { child: ChildProcess; url: string };
  beforeAll(async () => {
    ex = await start([]);
  });
  afterAll(async () => {
    if (ex) await stop(ex.child);
  });
  it('answers curl over h2 and HTTP/1.1', async () => {
    const h2 = await run('curl', ['-sSk', '--http2', `${ex.url}/api/hello`]);
    expect(h2.code, h2.stderr).toBe(0);
    expect(JSON.parse(h2.stdout)).toEqual({ hello: 'world', httpVersion: '2.0', isSpdy: true, spdyVersion: 4 });
    const h1 = await run('curl', ['-sSk', '--http1.1', `${ex.url}/api/hello`]);
    expect(JSON.parse(h1.stdout)).toMatchObject({ hello: 'world', httpVersion: '1.1', isSpdy: false });
  });
  it('pushes /app.css with the page over h2 (nghttp)', async () => {
    const r = await run('nghttp', ['-nv', `${ex.url}/`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/recv PUSH_PROMISE frame/);
    expect(r.stdout).toMatch(/:path: \/app\.css/);
  });
  it('streams five server-sent events', async () => {
    const r = await run('curl', ['-sSkN', '--http2', `${ex.url}/events`]);
    expect(r.stdout).toBe([1, 2, 3, 4, 5].map((n) => `data: tick ${n}\n\n`).join(''));
  });
});

describe('examples/compat-express.js --plain', () => {
  let ex: { child: ChildProcess; url: string };
  beforeAll(async () => {
    ex = await start(['--plain']);
  });
  afterAll(async () => {
    if (ex) await stop(ex.child);
  });
  it('answers h2c prior knowledge and HTTP/1.1 on one port', async () => {
    const h2 = await run('curl', ['-sS', '--http2-prior-knowledge', '-H', 'content-type: application/json', '-d', '{"a":1}', `${ex.url}/api/echo`]);
    expect(h2.code, h2.stderr).toBe(0);
    expect(JSON.parse(h2.stdout)).toEqual({ youSent: { a: 1 } });
    const h1 = await run('curl', ['-sS', '--http1.1', `${ex.url}/api/hello`]);
    expect(JSON.parse(h1.stdout)).toMatchObject({ httpVersion: '1.1' });
  });
});
