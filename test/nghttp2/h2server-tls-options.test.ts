// HTTP2Server's `ssl` argument: tls.createServer options. A tls.SecureContext
// (which tls.createServer ignores, so every handshake would fail) is rejected
// in the constructor with a message saying what to pass; the SNICallback form
// that message names serves that context to a real http2 client.
import * as http2 from 'node:http2';
import * as tls from 'node:tls';

import { afterEach, describe, expect, it } from 'vitest';

import { ArgumentError } from '../../lib/errors.js';
import { BaseRequestHandler, HTTP2Server } from '../../lib/nghttp2/index.js';
import { testCert } from '../helpers/certs.js';

class Hello extends BaseRequestHandler {
  onHeaders(): void {
    this.sendResponse({ body: 'hello' });
  }
}

let server: HTTP2Server | null = null;
afterEach(async () => {
  await server?.close({ timeout: 1000 });
  server = null;
});

describe('HTTP2Server ssl argument', () => {
  it('rejects a tls.SecureContext with an ArgumentError naming what to pass', async () => {
    const { key, cert } = await testCert();
    const ctx = tls.createSecureContext({ key, cert });
    let err: unknown;
    try {
      new HTTP2Server(['127.0.0.1', 0], Hello, ctx as unknown as tls.TlsOptions, { log: false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as ArgumentError).code).toBe('ERR_SPDYLAY_INVALID_ARG');
    expect((err as Error).message).toMatch(/not a tls\.SecureContext/);
    expect((err as Error).message).toMatch(/SNICallback/);
  });

  it('rejects a non-object ssl', () => {
    expect(() => new HTTP2Server(['127.0.0.1', 0], Hello, 'cert.pem' as unknown as tls.TlsOptions, { log: false }))
      .toThrow(/not a string/);
  });

  it('serves a SecureContext through SNICallback, as the message says', async () => {
    const { key, cert } = await testCert();
    const ctx = tls.createSecureContext({ key, cert });
    const names: string[] = [];
    server = new HTTP2Server(['127.0.0.1', 0], Hello, {
      key, cert,
      SNICallback: (name, cb) => {
        names.push(name);
        cb(null, ctx);
      },
    }, { log: false });
    await server.listen();
    const port = (server.address() as { port: number }).port;
    const client = http2.connect(`https://localhost:${port}`, { ca: cert, servername: 'localhost', host: '127.0.0.1' } as http2.SecureClientSessionOptions);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = client.request({ ':path': '/' });
        let data = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => { data += c; });
        req.on('end', () => resolve(data));
        req.on('error', reject);
        client.on('error', reject);
        req.end();
      });
      expect(body).toBe('hello');
      expect(names).toEqual(['localhost']);
    } finally {
      client.close();
    }
  });
});
