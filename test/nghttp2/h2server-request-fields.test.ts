// BaseRequestHandler's request fields (method, scheme, path, host: read from
// the received HEADERS on first access) and response header lists read
// natively, against Node's http2 client and a raw h2 client.
import * as net from 'node:net';

import { afterAll, describe, expect, it } from 'vitest';

import { BaseRequestHandler, HDDeflater } from '../../lib/nghttp2/index.js';
import { closeAll, closeSession, connect, request, startServer } from '../helpers/h2server.js';

/** Response header values around the 256-byte mark where the native side first reads a string header list. */
function longValue(n: number): string {
  // 'é' is two bytes in UTF-8 and '€' three: at some n one of them straddles the mark.
  return 'x'.repeat(n) + 'é€'.repeat(40);
}

class FieldsHandler extends BaseRequestHandler {
  override onHeaders(): void {
    const p = this.path?.toString() ?? '';
    if (p.startsWith('/long/')) {
      const n = Number(p.slice(6));
      this.sendResponse({ headers: [['x-long', longValue(n)], ['x-after', 'end']], body: 'ok' });
      return;
    }
    const before = {
      method: this.method?.toString() ?? null,
      scheme: this.scheme?.toString() ?? null,
      path: p,
      host: this.host?.toString() ?? null,
    };
    // The fields are plain values that can be replaced; the headers stay as received.
    this.path = Buffer.from('/replaced');
    this.host = null;
    const after = { path: this.path.toString(), host: this.host };
    const headers = this.headers.map(([n, v]) => [n.toString(), v.toString()]);
    this.sendResponse({ headers: [['content-type', 'application/json']], body: JSON.stringify({ before, after, headers }) });
  }
}

afterAll(closeAll);

/** Sends one GET with exactly `fields` over a raw h2c connection; resolves with the stream 1 response body. */
function rawRequest(port: number, fields: [string, string][]): Promise<{ status: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no response'));
    }, 5000);
    const block = new HDDeflater().deflate(fields);
    const head = Buffer.alloc(9);
    head.writeUIntBE(block.length, 0, 3);
    head[3] = 0x01; // HEADERS
    head[4] = 0x05; // END_STREAM | END_HEADERS
    head.writeUInt32BE(1, 5);
    socket.write(Buffer.concat([
      Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
      Buffer.from([0, 0, 0, 0x04, 0, 0, 0, 0, 0]), // empty SETTINGS
      head, block,
    ]));
    let input = Buffer.alloc(0);
    let status = '';
    const body: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      input = Buffer.concat([input, chunk]);
      while (input.length >= 9) {
        const len = input.readUIntBE(0, 3);
        if (input.length < 9 + len) break;
        const type = input[3]!;
        const flags = input[4]!;
        const sid = input.readUInt32BE(5) & 0x7fffffff;
        const payload = input.subarray(9, 9 + len);
        input = input.subarray(9 + len);
        if (sid !== 1) continue;
        if (type === 0x01) {
          // :status is the first field; 200 is static table index 8
          status = payload[0] === 0x88 ? '200' : `raw ${payload.toString('hex')}`;
        } else if (type === 0x00) body.push(payload);
        else if (type === 0x03) {
          clearTimeout(timer);
          socket.destroy();
          reject(new Error(`RST_STREAM ${payload.readUInt32BE(0)}`));
          return;
        }
        if ((type === 0x00 || type === 0x01) && flags & 0x01) {
          clearTimeout(timer);
          socket.destroy();
          resolve({ status, body: Buffer.concat(body).toString() });
          return;
        }
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('BaseRequestHandler request fields', () => {
  it('reads method, scheme, path and :authority from a node:http2 request, and they can be replaced', async () => {
    const { url } = await startServer(FieldsHandler);
    const session = await connect(url);
    try {
      const res = await request(session, '/a?b=c', { method: 'POST', body: 'x' });
      expect(res.status).toBe(200);
      const seen = JSON.parse(res.body.toString());
      expect(seen.before).toEqual({ method: 'POST', scheme: 'http', path: '/a?b=c', host: new URL(url).host });
      expect(seen.after).toEqual({ path: '/replaced', host: null });
      expect(seen.headers.slice(0, 4).map((f: string[]) => f[0]).sort()).toEqual([':authority', ':method', ':path', ':scheme']);
    } finally {
      await closeSession(session);
    }
  });

  it('takes host from the host field when :authority is absent (raw h2 client)', async () => {
    const { port } = await startServer(FieldsHandler);
    const res = await rawRequest(port, [[':method', 'GET'], [':scheme', 'http'], [':path', '/raw'], ['host', 'example.org:8443']]);
    expect(res.status).toBe('200');
    const seen = JSON.parse(res.body);
    expect(seen.before).toEqual({ method: 'GET', scheme: 'http', path: '/raw', host: 'example.org:8443' });
    expect(seen.headers).toEqual([[':method', 'GET'], [':scheme', 'http'], [':path', '/raw'], ['host', 'example.org:8443']]);
  });

  it('sends string header lists of any length byte for byte (UTF-8 around the first read size)', async () => {
    const { url } = await startServer(FieldsHandler);
    const session = await connect(url);
    try {
      // "x-long\0" + value: the multi-byte characters cross 256 bytes at several offsets.
      for (const n of [200, 230, 240, 243, 244, 245, 246, 247, 248, 250, 255, 300, 5000]) {
        const res = await request(session, `/long/${n}`);
        expect(res.status).toBe(200);
        expect(Buffer.from(res.headers['x-long'] as string, 'latin1').toString('utf8')).toBe(longValue(n));
        expect(res.headers['x-after']).toBe('end');
        expect(res.body.toString()).toBe('ok');
      }
    } finally {
      await closeSession(session);
    }
  });
});
