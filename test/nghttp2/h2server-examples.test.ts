// The example programs (examples/*.js) run against the built package (dist/).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { run } from '../helpers/h2server.js';

const root = path.resolve(__dirname, '..', '..');

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'nghttp2', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before these tests');
  }
});

/** Starts an example, resolves with the first URL it prints; the child is killed by the returned stop(). */
function startExample(script: string, args: string[], urlPattern: RegExp): Promise<{ url: string; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'examples', script), ...args], { cwd: root });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} printed no URL in 15 s:\n${out}`));
    }, 15_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = urlPattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          stop: () => new Promise((r) => {
            child.once('exit', () => r());
            child.kill('SIGINT');
            setTimeout(() => child.kill('SIGKILL'), 3000).unref();
          }),
        });
      }
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) => reject(new Error(`${script} exited early (${code}):\n${out}`)));
  });
}

describe('examples', () => {
  it('start.js --smoke passes its self-check (curl + nghttp, TLS and h2c)', async () => {
    const r = await run(process.execPath, [path.join(root, 'examples', 'start.js'), '--smoke'], 60_000);
    const out = r.stdout.toString();
    expect(out).toMatch(/smoke: all checks passed/);
    expect(r.code).toBe(0);
    expect(out).toMatch(/curl -k --http2 https:\/\/127\.0\.0\.1:\d+\//);
    expect(out).toMatch(/nghttp -nv https:\/\/127\.0\.0\.1:\d+\//);
  });

  it('push-server.js pushes /css/style.css', async () => {
    const ex = await startExample('push-server.js', ['--h2c', '0'], /on (http:\/\/127\.0\.0\.1:\d+)\//);
    try {
      const r = await run('nghttp', ['-nv', `${ex.url}/`]);
      expect(r.stdout.toString()).toMatch(/recv PUSH_PROMISE frame/);
      const c = await run('curl', ['-sS', '--http2-prior-knowledge', `${ex.url}/`]);
      expect(c.stdout.toString()).toBe('nghttp2-python FTW');
    } finally {
      await ex.stop();
    }
  });

  it('reverse-proxy.js relays its HTTP/1 origin with a deferred body', async () => {
    const ex = await startExample('reverse-proxy.js', ['--h2c', '--port', '0'], /reverse proxy on (http:\/\/127\.0\.0\.1:\d+)\//);
    try {
      const c = await run('curl', ['-sS', '--http2-prior-knowledge', `${ex.url}/some/path`]);
      expect(c.stdout.toString()).toBe(Array.from({ length: 5 }, (_, i) => `chunk ${i} of /some/path\n`).join(''));
    } finally {
      await ex.stop();
    }
  });
});
