// examples/spdy-session.js: a client and a server Session over TCP on
// 127.0.0.1 exchange a GET and its response.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { expect, it } from 'vitest';

it('examples/spdy-session.js completes a request over TCP', () => {
  const out = execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'examples', 'spdy-session.js')],
    { encoding: 'utf8', timeout: 20_000 });
  expect(out).toMatch(/server got SYN_STREAM 1 \[[^]*':method', 'GET'/);
  expect(out).toMatch(/client got SYN_REPLY 1 \[[^]*':status', '200 OK'/);
  expect(out).toContain('client got DATA: hello from a spdylay Session');
  expect(out).toContain('client stream 1 closed, status code 0');
  expect(out).toContain('client sent GOAWAY, closing');
});
