// The `spdy` npm package's client (node-spdy 4 agent) against
// ThreadedSPDYServer over real sockets on 127.0.0.1, TLS with ALPN and
// plain, SPDY/3.1, SPDY/3 and SPDY/2: GET, 404, request bodies of 0, 1,
// 16 KiB + 1 and 10 MiB, a 3 MB response, 100 concurrent streams on one
// connection (far under the ~2,000 requests after which node-spdy breaks).
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ThreadedSPDYServer } from '../../../lib/spdylay/server/server.js';
import { testCert, type TestCert } from '../../helpers/certs.js';
import { EchoHandler, pattern, sha } from '../../helpers/spdy-fetch.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const spdy = require('spdy');

const NAMES = ['spdy/3.1', 'spdy/3', 'spdy/2'];
const BODY_SIZES = [0, 1, 16 * 1024 + 1, 10 * 1024 * 1024];

let cert: TestCert;
beforeAll(async () => {
  cert = await testCert();
});

/** node-spdy client request through `agent`. */
function request(agent: http.Agent, secure: boolean, port: number, method: string, path: string, body?: Buffer) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = (secure ? https : http).request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // node-spdy's TLS client loses the end of a request written as
    // end(body) (its SYN_STREAM/DATA never get FIN; seen by recording the
    // frames our server receives): write the body, then end on a later turn.
    if (secure && body) {
      req.write(body);
      setImmediate(() => req.end());
    } else req.end(body);
  });
}

describe.each([['tls', true], ['plain', false]] as const)('the spdy package client against ThreadedSPDYServer (%s)', (_mode, secure) => {
  let server: ThreadedSPDYServer;
  let port: number;
  beforeAll(async () => {
    server = new ThreadedSPDYServer(['127.0.0.1', 0], EchoHandler,
      secure ? { key: cert.key, cert: cert.cert } : { plain: true });
    ({ port } = await server.start());
  });
  afterAll(async () => {
    await server.close({ timeout: 2000 });
  });

  it.each(NAMES)('%s: GET, 404, bodies of 0, 1, 16 KiB + 1, 10 MiB, 100 concurrent streams', async (name) => {
    const agent = spdy.createAgent({ host: '127.0.0.1', port, rejectUnauthorized: false,
      spdy: secure ? { protocols: [name] } : { plain: true, ssl: false, protocol: name } });
    try {
      const r1 = await request(agent, secure, port, 'GET', '/hello');
      expect(r1.status).toBe(200);
      expect(r1.body.toString()).toBe(`hello /hello over ${name}`);
      expect(r1.headers['server']).toMatch(/^Node-spdylay/);
      const r404 = await request(agent, secure, port, 'GET', '/nope');
      expect(r404.status).toBe(404);
      expect(r404.body.toString()).toContain('<title>404 Not Found</title>');
      for (const size of BODY_SIZES) {
        const body = pattern(size, 3);
        const r = await request(agent, secure, port, 'POST', '/echo', body);
        expect(r.headers['x-len']).toBe(String(size));
        expect(r.headers['x-sha']).toBe(sha(body));
        expect(r.body.equals(body)).toBe(true);
      }
      const big = await request(agent, secure, port, 'GET', '/big?n=3000001');
      expect(big.body.length).toBe(3000001);
      expect(sha(big.body)).toBe(big.headers['x-sha']);
      const many = await Promise.all(Array.from({ length: 100 }, (_, i) => request(agent, secure, port, 'GET', `/hello?i=${i}`)));
      many.forEach((r, i) => expect(r.body.toString()).toBe(`hello /hello?i=${i} over ${name}`));
    } finally {
      agent.close?.();
      (agent as unknown as { _spdyState?: { socket?: net.Socket } })._spdyState?.socket?.destroy();
    }
  }, 60_000);
});

