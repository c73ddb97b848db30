// The `spdy` package's own server examples (the code blocks of
// node_modules/spdy/README.md that call spdy.createServer), run unchanged as
// child processes except that `require('spdy')` loads this package
// (dist/index.js). Around the example text, and without editing it:
//   - `__dirname + '/keys/...'` finds a test certificate written beside the script;
//   - the README's `[ 'h2', 'spdy/3.1', ..., 'http/1.1' ]` placeholder is the
//     `spdy` package's documented default list;
//   - a preload (-r) maps `listen(3000)` to a free port on 127.0.0.1 and prints it;
//   - the push example's `options` is the first example's.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testCert } from '../../helpers/certs.js';
import { IMPL } from '../../helpers/compat-matrix.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const spdy = require('spdy');

const root = path.resolve(__dirname, '..', '..', '..');
const readme = fs.readFileSync(path.join(root, 'node_modules', 'spdy', 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```javascript\n([\s\S]*?)```/g)].map((m) => m[1]!);
const serverExample = blocks.find((b) => b.includes('spdy.createServer(options, function(req, res)') && b.includes('hello world'));
const pushExample = blocks.find((b) => b.includes('res.push(\'/main.js\''));

const ours = IMPL === 'spdy' ? 'spdy' : path.join(root, 'dist', 'index.js');
const useOurs = (src: string): string => src.replace(/require\('spdy'\)/g, `require(${JSON.stringify(ours)})`)
  .replace("[ 'h2', 'spdy/3.1', ..., 'http/1.1' ]", "[ 'h2', 'spdy/3.1', 'spdy/3', 'spdy/2', 'http/1.1', 'http/1.0' ]");

const PRELOAD = `
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] === 3000) {
    args.splice(0, 1, 0, '127.0.0.1');
    this.once('listening', () => process.stdout.write('PORT ' + this.address().port + '\\n'));
  }
  return listen.apply(this, args);
};
`;

let dir: string;

function runExample(name: string, src: string): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, src);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-deprecation', '-r', path.join(dir, 'preload.js'), file], { cwd: dir, env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') } });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not listen:\n${out}`));
    }, 15_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), log: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${out}`));
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

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** GET through the `spdy` package's agent forced to `protocol`; resolves status, body and pushed streams. */
function spdyGet(port: number, ca: string, protocol: string, urlPath: string):
  Promise<{ status: number; body: string; pushes: { path: string; headers: Record<string, unknown>; body: string }[] }> {
  return new Promise((resolve, reject) => {
    const agent = spdy.createAgent({ host: '127.0.0.1', port, servername: 'localhost', ca, spdy: { protocols: [protocol] } });
    agent.on('error', reject);
    const pushes: { path: string; headers: Record<string, unknown>; body: string }[] = [];
    const pending: Promise<void>[] = [];
    const timer = setTimeout(() => reject(new Error(`spdy agent ${protocol} GET ${urlPath} timed out`)), 15_000);
    const req = https.get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', async () => {
        await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 2000))]);
        clearTimeout(timer);
        agent.close();
        resolve({ status: res.statusCode ?? 0, body, pushes });
      });
    });
    req.on('push', (stream: any) => {
      const p = { path: stream.path, headers: stream.headers, body: '' };
      pushes.push(p);
      pending.push(new Promise((r) => {
        stream.on('data', (d: Buffer) => (p.body += d));
        stream.on('end', () => r());
        stream.on('error', () => r());
      }));
    });
    req.on('error', reject);
  });
}

describe(`the spdy package's README server examples with require('spdy') -> ${IMPL === 'spdy' ? 'spdy' : 'spdylay'}`, () => {
  let ca: string;
  beforeAll(async () => {
    expect(serverExample, 'server example in node_modules/spdy/README.md').toBeTruthy();
    expect(pushExample, 'push example in node_modules/spdy/README.md').toBeTruthy();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-spdy-readme-'));
    const cert = await testCert();
    ca = cert.cert;
    fs.mkdirSync(path.join(dir, 'keys'));
    fs.writeFileSync(path.join(dir, 'keys', 'spdy-key.pem'), cert.key);
    fs.writeFileSync(path.join(dir, 'keys', 'spdy-fullchain.pem'), cert.cert);
    fs.writeFileSync(path.join(dir, 'preload.js'), PRELOAD);
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const withServer = async (name: string, src: string, fn: (port: number) => Promise<void>) => {
    const ex = await runExample(name, src);
    try {
      await fn(ex.port);
    } finally {
      await stop(ex.child);
    }
  };
  const pushSource = () => {
    const head = serverExample!.slice(0, serverExample!.indexOf('var server = spdy.createServer'));
    return useOurs(`${head}\n${pushExample!}`);
  };

  it('the server example answers curl over h2 and HTTP/1.1', () =>
    withServer('server.js', useOurs(serverExample!), async (port) => {
      for (const flag of ['--http2', '--http1.1']) {
        const r = await run('curl', ['-sS', flag, '--cacert', path.join(dir, 'keys', 'spdy-fullchain.pem'),
          '-w', '\n%{http_code} %{http_version}', `https://127.0.0.1:${port}/`]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe(`hello world!\n200 ${flag === '--http2' ? '2' : '1.1'}`);
      }
    }));

  it('the server example answers the spdy package agent over SPDY/3.1 and SPDY/3', () =>
    withServer('server.js', useOurs(serverExample!), async (port) => {
      for (const protocol of ['spdy/3.1', 'spdy/3']) {
        const r = await spdyGet(port, ca, protocol, '/');
        expect(r).toEqual({ status: 200, body: 'hello world!', pushes: [] });
      }
    }));

  it('the push example: nghttp sees PUSH_PROMISE for /main.js', () =>
    withServer('push.js', pushSource(), async (port) => {
      const r = await run('nghttp', ['-nv', `https://127.0.0.1:${port}/`]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/recv PUSH_PROMISE frame/);
      expect(r.stdout).toMatch(/:path: \/main\.js/);
      expect(r.stdout).toMatch(/content-type: application\/javascript/);
    }));

  it('the push example: the spdy agent over SPDY/3.1 receives the pushed stream', () =>
    withServer('push.js', pushSource(), async (port) => {
      const r = await spdyGet(port, ca, 'spdy/3.1', '/');
      expect(r.status).toBe(200);
      expect(r.body).toBe('<script src="/main.js"></script>');
      expect(r.pushes).toHaveLength(1);
      expect(r.pushes[0]!.path).toBe('/main.js');
      expect(r.pushes[0]!.body).toBe('alert("hello from push stream!");');
    }));

  // The same examples without spdy['x-forwarded-for'] (the option changes
  // nothing for clients that send no X_FORWARDED_FOR frame).
  const withoutXff = (src: string) => {
    const out = src.replace(/\n\s*\/\/ \*\*optional\*\*\n\s*\/\/ Parse first incoming X_FORWARDED_FOR[\s\S]*?'x-forwarded-for': true,\n/, '\n');
    expect(out).not.toContain("'x-forwarded-for'");
    return out;
  };
  it('the server example without spdy[\'x-forwarded-for\'] answers curl (h2, HTTP/1.1) and the spdy agent (SPDY/3.1, SPDY/3)', () =>
    withServer('server-no-xff.js', withoutXff(useOurs(serverExample!)), async (port) => {
      for (const flag of ['--http2', '--http1.1']) {
        const r = await run('curl', ['-sS', flag, '--cacert', path.join(dir, 'keys', 'spdy-fullchain.pem'),
          '-w', '\n%{http_code} %{http_version}', `https://127.0.0.1:${port}/`]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe(`hello world!\n200 ${flag === '--http2' ? '2' : '1.1'}`);
      }
      for (const protocol of ['spdy/3.1', 'spdy/3']) {
        const r = await spdyGet(port, ca, protocol, '/');
        expect(r).toEqual({ status: 200, body: 'hello world!', pushes: [] });
      }
    }));
  it('the push example without spdy[\'x-forwarded-for\']: the spdy agent over SPDY/3.1 receives the pushed stream', () =>
    withServer('push-no-xff.js', withoutXff(pushSource()), async (port) => {
      const r = await spdyGet(port, ca, 'spdy/3.1', '/');
      expect(r.status).toBe(200);
      expect(r.body).toBe('<script src="/main.js"></script>');
      expect(r.pushes.map((p) => [p.path, p.body])).toEqual([['/main.js', 'alert("hello from push stream!");']]);
    }));
  it('the push example without spdy[\'x-forwarded-for\'] sends PUSH_PROMISE for /main.js over h2 (nghttp)', () =>
    withServer('push-no-xff.js', withoutXff(pushSource()), async (port) => {
      const r = await run('nghttp', ['-nv', `https://127.0.0.1:${port}/`]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/recv PUSH_PROMISE frame/);
      expect(r.stdout).toMatch(/:path: \/main\.js/);
      expect(r.stdout).toMatch(/content-type: application\/javascript/);
    }));
});
