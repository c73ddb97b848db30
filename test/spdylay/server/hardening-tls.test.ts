// Issue 9, row 9 over TLS, on both servers: headersTimeout also bounds the
// TLS handshake (a client that connects and says nothing, or sends part of
// a ClientHello and stalls, is closed and reported: 'limitExceeded',
// limit 'headersTimeout', action 'close'), and after the handshake half a
// HEADERS (h2) or half a SYN_STREAM (spdy/3.1) ends with GOAWAY. A
// legitimate TLS client is served meanwhile.
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as tls from 'node:tls';

import { afterEach, describe, expect, it } from 'vitest';

import type { ServerLimits } from '../../../lib/limits.js';
import { BaseRequestHandler } from '../../../lib/nghttp2/index.js';
import { sleep, takeInvalidEvents } from '../../helpers/attack-mem.js';
import {
  type StartedServer, closeStartedServers, startHttp2Server, startSpdyServer,
} from '../../helpers/attack-servers.js';
import { testCert } from '../../helpers/certs.js';
import { FrameParser, FrameType, PREFACE, requestHeaders, settingsFrame } from '../../helpers/h2raw.js';
import { SpdyFrameParser, SpdyDeflater, T, requestNv, synStream, FLAG_FIN } from '../../helpers/attack-spdy.js';
import { EchoHandler } from '../../helpers/spdy-fetch.js';

class H2Handler extends BaseRequestHandler {
  override onHeaders(): void {
    this.sendResponse({ body: 'ok' });
  }
}

class SpdySrvHandler extends EchoHandler {
  override do_GET(): void | Promise<void> {
    this.sendResponse(200);
    this.wfile.end('ok');
  }
}

afterEach(async () => {
  expect(takeInvalidEvents(), "malformed 'limitExceeded' payloads").toEqual([]);
  await closeStartedServers();
});

const quiet = ['clientError'];
const targets: { name: string; start(limits: ServerLimits): Promise<StartedServer<unknown>> }[] = [
  { name: 'HTTP2Server', start: async (limits) => startHttp2Server(H2Handler, limits, { tls: await testCert(), quiet }) },
  { name: 'ThreadedSPDYServer', start: async (limits) => startSpdyServer(SpdySrvHandler, limits, { tls: await testCert(), quiet }) },
];

/** A TLS h2 GET with Node's client. */
function tlsGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    s.on('error', reject);
    const req = s.request({ ':path': '/' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => { body += d; });
    req.on('end', () => { s.close(); resolve(body); });
    req.on('error', (e) => { s.destroy(); reject(e); });
  });
}

/** Connects, writes `bytes` (maybe none), and resolves with how long the server took to close the socket. */
async function stall(port: number, bytes: Buffer, limitMs: number): Promise<number> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  s.resume();
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  await new Promise<void>((r) => s.once('connect', () => r()));
  const t0 = Date.now();
  if (bytes.length) s.write(bytes);
  const ok = await Promise.race([closed.then(() => true), sleep(limitMs).then(() => false)]);
  s.destroy();
  if (!ok) throw new Error(`socket still open after ${limitMs} ms`);
  return Date.now() - t0;
}

// A TLS record header announcing a 512-byte handshake message, and its first bytes (a ClientHello start).
const HALF_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 1, 2, 3, 4]);

describe.each(targets)('$name over TLS', (target) => {
  it('row 9: a client that connects and sends nothing is closed after headersTimeout (300 ms) and reported', async () => {
    const { port, events } = await target.start({ headersTimeout: 300 });
    const [ms, body] = await Promise.all([stall(port, Buffer.alloc(0), 4000), tlsGet(port)]);
    expect(body).toBe('ok');
    expect(ms).toBeGreaterThanOrEqual(250);
    const ev = await events.limit('headersTimeout', 'connection', 3000);
    expect(ev.action).toBe('close');
  });

  it('row 9: half a ClientHello, then silence: closed after headersTimeout (300 ms) and reported', async () => {
    const { port, events } = await target.start({ headersTimeout: 300 });
    const ms = await stall(port, HALF_HELLO, 4000);
    expect(ms).toBeGreaterThanOrEqual(250);
    const ev = await events.limit('headersTimeout', 'connection', 3000);
    expect(ev.action).toBe('close');
    expect(await tlsGet(port)).toBe('ok');
  });
});

/**
 * Over TLS with ALPN `alpn`: writes `bytes` once the handshake is done,
 * then stays silent; resolves with everything received and how long after
 * the write the server closed the connection (rejects after `limitMs`).
 */
async function tlsStall(port: number, alpn: string, bytes: Buffer, limitMs: number): Promise<{ got: Buffer; ms: number }> {
  const s = tls.connect({ host: '127.0.0.1', port, ALPNProtocols: [alpn], rejectUnauthorized: false });
  s.on('error', () => {});
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  await new Promise<void>((r) => s.once('secureConnect', () => r()));
  expect(s.alpnProtocol).toBe(alpn);
  const t0 = Date.now();
  s.write(bytes);
  const ok = await Promise.race([closed.then(() => true), sleep(limitMs).then(() => false)]);
  s.destroy();
  if (!ok) throw new Error(`connection still open after ${limitMs} ms`);
  return { got: Buffer.concat(chunks), ms: Date.now() - t0 };
}

describe.each(targets)('$name over TLS, h2', (target) => {
  it('row 9: half a HEADERS frame after the handshake (headersTimeout 300 ms): GOAWAY(NO_ERROR), closed', async () => {
    const { port, events } = await target.start({ headersTimeout: 300 });
    const { got, ms } = await tlsStall(port, 'h2', Buffer.concat([PREFACE, settingsFrame(), requestHeaders(1, '/').subarray(0, 20)]), 4000);
    expect(ms).toBeGreaterThanOrEqual(250);
    const g = new FrameParser().push(got).find((f) => f.type === FrameType.GOAWAY);
    expect(g, 'a GOAWAY').toBeDefined();
    expect(g!.payload.readUInt32BE(4)).toBe(0);
    expect(await events.limit('headersTimeout', 'connection')).toMatchObject({ protocol: 'h2', action: 'GOAWAY', code: 0 });
  });
});

describe('ThreadedSPDYServer over TLS, spdy/3.1', () => {
  it('row 9: half a SYN_STREAM after the handshake (headersTimeout 300 ms): GOAWAY(OK), closed', async () => {
    const { port, events } = await targets[1]!.start({ headersTimeout: 300 });
    const syn = synStream(1, FLAG_FIN, await new SpdyDeflater().compress(requestNv('/')));
    const { got, ms } = await tlsStall(port, 'spdy/3.1', syn.subarray(0, 14), 4000);
    expect(ms).toBeGreaterThanOrEqual(250);
    const g = new SpdyFrameParser().push(got).find((f) => f.control && f.type === T.GOAWAY);
    expect(g, 'a GOAWAY').toBeDefined();
    expect(g!.status).toBe(0);
    expect(await events.limit('headersTimeout', 'connection')).toMatchObject({ protocol: 'spdy/3.1', action: 'GOAWAY', code: 0 });
  });
});
