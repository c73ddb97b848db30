// examples/compat-server.js: the createServer example runs (TLS, ALPN) and
// serves its page over h2 with the stylesheet pushed (nghttp shows the
// PUSH_PROMISE), /info over HTTP/1.1 and h2, and POST /echo.
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { curl } from '../../helpers/compat-core.js';

const root = path.join(__dirname, '..', '..', '..');
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  child = spawn(process.execPath, [path.join(root, 'examples', 'compat-server.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /createServer example: (https:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`example exited with ${code}: ${out}`)));
  });
});

afterAll(() => {
  child.kill();
});

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args);
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d; });
    p.on('close', () => resolve(out));
  });
}

it('serves the page over h2 with /style.css pushed (nghttp)', async () => {
  const out = await run('nghttp', ['-nv', `${url}/`]);
  expect(out).toMatch(/recv PUSH_PROMISE frame/);
  expect(out).toMatch(/:path: \/style\.css/);
}, 30_000);

it('answers /info over h2 and HTTP/1.1 and echoes POST /echo', async () => {
  const h2 = JSON.parse((await curl(['-k', '--http2', `${url}/info`])).stdout.toString());
  expect(h2).toMatchObject({ httpVersion: '2.0', isSpdy: true, spdyVersion: 4, alpnProtocol: 'h2' });
  const h1 = JSON.parse((await curl(['-k', '--http1.1', `${url}/info`])).stdout.toString());
  expect(h1).toMatchObject({ httpVersion: '1.1', isSpdy: false, spdyVersion: 1, alpnProtocol: 'http/1.1' });
  const echo = await curl(['-k', '--http2', '--data-binary', 'ping', `${url}/echo`]);
  expect(echo.stdout.toString()).toBe('ping');
}, 30_000);
