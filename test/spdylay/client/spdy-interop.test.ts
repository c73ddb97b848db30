// urlfetch and ThreadedSPDYServer against the `spdy` npm package (node-spdy
// 4 / spdy-transport 3) over real sockets on 127.0.0.1: our client against
// its server (its client against our server is in
// spdy-interop-client.test.ts), and our client against our server; TLS with
// ALPN and plain,
// SPDY/3.1, SPDY/3 and SPDY/2; request bodies of 0, 1, 16 KiB + 1 and
// 10 MiB; 100 concurrent streams on one connection. (node-spdy breaks after
// a few thousand requests on one connection: every connection here carries
// far fewer than 2,000.)
import type * as http from 'node:http';
import type * as net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1 } from '../../../lib/spdylay/constants.js';
import { ThreadedSPDYServer } from '../../../lib/spdylay/server/server.js';
import { UrlFetchError, urlfetch } from '../../../lib/spdylay/client/fetcher.js';
import { testCert, type TestCert } from '../../helpers/certs.js';
import { Collect, EchoHandler, listen, pattern, sha } from '../../helpers/spdy-fetch.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const spdy = require('spdy');

const VERSIONS: [string, number][] = [['spdy/3.1', PROTO_SPDY3_1], ['spdy/3', PROTO_SPDY3], ['spdy/2', PROTO_SPDY2]];
const BODY_SIZES = [0, 1, 16 * 1024 + 1, 10 * 1024 * 1024];

let cert: TestCert;
beforeAll(async () => {
  cert = await testCert();
});

/** A node-spdy server: GET /hello, GET /big, POST /echo (x-len, x-sha, echo). */
function spdyHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (req.url === '/echo') {
      res.writeHead(200, { 'x-len': String(body.length), 'x-sha': sha(body), 'x-method': req.method ?? '' });
      res.end(body);
    } else if (req.url === '/big') {
      const big = pattern(3 * 1024 * 1024 + 3, 1);
      res.writeHead(200, { 'x-sha': sha(big) });
      res.end(big);
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`hello ${req.url}`);
    }
  });
}

describe.each([['tls', true], ['plain', false]] as const)('urlfetch against the spdy package server (%s)', (_mode, secure) => {
  const servers = new Map<number, net.Server>();
  const ports = new Map<number, number>();
  beforeAll(async () => {
    for (const [name, version] of VERSIONS) {
      const server: net.Server = secure
        ? spdy.createServer({ key: cert.key, cert: cert.cert, spdy: { protocols: [name] } }, spdyHandler)
        : spdy.createServer({ spdy: { plain: true, ssl: false, connection: { autoSpdy31: version === PROTO_SPDY3_1 } } },
          spdyHandler);
      servers.set(version, server);
      ports.set(version, await listen(server));
    }
  });
  afterAll(() => {
    for (const s of servers.values()) s.close();
  });

  const url = (version: number, p: string) => `${secure ? 'https' : 'http'}://127.0.0.1:${ports.get(version)}${p}`;
  const opts = (version: number) => (secure ? { ca: cert.cert } : { version });

  it.each(VERSIONS)('%s: GET, big response, 100 concurrent streams on one connection', async (name, version) => {
    let protocol = '';
    const urls = [url(version, '/hello'), url(version, '/big'), ...Array.from({ length: 100 }, (_, i) => url(version, `/c${i}`))];
    const hs = await urlfetch(urls, Collect, { ...opts(version), onProtocol: (p) => { protocol = p; } });
    expect(hs).toHaveLength(102);
    if (secure) expect(protocol).toBe(name);
    expect(hs[0]!.code).toBe(200);
    expect(hs[0]!.body.toString()).toBe('hello /hello');
    expect(hs[0]!.events).toEqual(['header', 'data', 'close']);
    expect(sha(hs[1]!.body)).toBe(hs[1]!.header('x-sha'));
    expect(hs[1]!.body.length).toBe(3 * 1024 * 1024 + 3);
    for (let i = 0; i < 100; i++) {
      expect(hs[i + 2]!.body.toString()).toBe(`hello /c${i}`);
      expect(hs[i + 2]!.status).toBe(0);
    }
    // one connection: stream IDs 1, 3, 5, ...
    expect(hs.map((h) => h.streamId)).toEqual(hs.map((_, i) => 2 * i + 1));
  }, 30_000);

  it.each(VERSIONS)('%s: request bodies of 0, 1, 16 KiB + 1 and 10 MiB', async (_name, version) => {
    for (const size of BODY_SIZES) {
      const body = pattern(size, size & 0xff);
      const [h] = await urlfetch(url(version, '/echo'), Collect, { ...opts(version), method: 'POST', body });
      expect(h!.status).toBe(0);
      expect(h!.header('x-len')).toBe(String(size));
      expect(h!.header('x-sha')).toBe(sha(body));
      expect(h!.body.equals(body)).toBe(true);
    }
  }, 60_000);
});

describe('urlfetch connection failures', () => {
  it('rejects with UrlFetchError: refused connection, bad certificate, unsupported scheme', async () => {
    const srv = spdy.createServer({ key: cert.key, cert: cert.cert }, spdyHandler) as net.Server;
    const port = await listen(srv);
    try {
      await expect(urlfetch(`https://127.0.0.1:${port}/x`, Collect)).rejects.toThrow(UrlFetchError);
      await expect(urlfetch(`https://127.0.0.1:${port}/x`, Collect)).rejects.toThrow(/certificate/);
      const [h] = await urlfetch(`https://127.0.0.1:${port}/ok`, Collect, { rejectUnauthorized: false });
      expect(h!.body.toString()).toBe('hello /ok');
    } finally {
      srv.close();
    }
    await expect(urlfetch(`http://127.0.0.1:${port}/gone`, Collect)).rejects.toThrow(/Could not connect/);
    await expect(urlfetch('ftp://127.0.0.1/x', Collect)).rejects.toThrow('Unsupported scheme ftp');
  });
});

describe('urlfetch against ThreadedSPDYServer', () => {
  it.each([['tls', true], ['plain', false]] as const)('%s: every version, bodies, 100 concurrent streams', async (_m, secure) => {
    const server = new ThreadedSPDYServer(['127.0.0.1', 0], EchoHandler,
      secure ? { key: cert.key, cert: cert.cert, h2: false } : { plain: true });
    const { port } = await server.start();
    try {
      for (const [name, version] of VERSIONS) {
        const base = `${secure ? 'https' : 'http'}://127.0.0.1:${port}`;
        const o = secure ? { ca: cert.cert, protocols: [name] } : { version };
        const hs = await urlfetch([`${base}/hello`, ...Array.from({ length: 100 }, (_, i) => `${base}/hello?${i}`)], Collect, o);
        expect(hs[0]!.body.toString()).toBe(`hello /hello over ${name}`);
        hs.slice(1).forEach((h, i) => expect(h.body.toString()).toBe(`hello /hello?${i} over ${name}`));
        for (const size of BODY_SIZES) {
          const body = pattern(size, 9);
          const [h] = await urlfetch(`${base}/echo`, Collect, { ...o, method: 'PUT', body });
          expect(h!.header('x-method')).toBe('PUT');
          expect(h!.header('x-sha')).toBe(sha(body));
          expect(h!.body.equals(body)).toBe(true);
        }
      }
    } finally {
      await server.close();
    }
  }, 60_000);
});
