// The typed errors of lib/errors.ts: every class is thrown by a real failing
// call (servers on 127.0.0.1, real clients: node:http2, urlfetch, raw
// sockets), with its string `code`, and stays an instance of the built-in
// class (TypeError, RangeError) code written against that class expects.
// Also the two invalid-argument classes of the C libraries: distinct
// classes, each under its own name, the nghttp2 one also under its old name.
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as tls from 'node:tls';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as root from '../lib/index.js';
import * as ng from '../lib/nghttp2/index.js';
import { RST, RawSpdy3, dataFrame, rstStream } from './helpers/attack-spdy.js';
import { testCert, type TestCert } from './helpers/certs.js';

const {
  ArgumentError, BodyTooLargeError, ConnectionClosedError, HeadersSentError, InvalidReturnValueError, OutOfRangeError,
  StreamResetError, UrlFetchError,
} = root;

type Ctor = abstract new (...args: never[]) => Error;

/** The error `fn` throws (fails when it returns). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

/** The reason `p` rejects with (fails when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('did not reject');
}

function expectError(err: unknown, Cls: Ctor, code: string, Builtin: Ctor = Error): void {
  expect(err).toBeInstanceOf(Cls);
  expect(err).toBeInstanceOf(Builtin);
  expect((err as { code: unknown }).code).toBe(code);
  expect((err as Error).name).toBe(Cls.name);
}

/**
 * A TCP server on 127.0.0.1 whose sockets get `onSocket` (and are read, so
 * that they see the client's close); resolves to [server, port].
 */
async function rawServer(onSocket: (s: net.Socket) => void): Promise<[net.Server, number]> {
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    onSocket(s);
    s.resume();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return [srv, (srv.address() as net.AddressInfo).port];
}

function closeServer(srv: net.Server): Promise<void> {
  return new Promise((r) => srv.close(() => r()));
}

let cert: TestCert;
beforeAll(async () => {
  cert = await testCert();
});

describe('error classes of both entry points', () => {
  it('spdylay and spdylay/nghttp2 export the same classes', () => {
    for (const name of ['ArgumentError', 'ConnectionClosedError', 'HeadersSentError', 'InvalidReturnValueError',
      'OutOfRangeError'] as const) {
      expect(ng[name]).toBe(root[name]);
    }
  });

  it('the two InvalidArgumentError classes are distinct; the nghttp2 one keeps its old name as an alias', () => {
    expect(ng.InvalidArgumentError).toBe(ng.NGHTTP2InvalidArgumentError);
    expect(ng.NGHTTP2InvalidArgumentError).not.toBe(root.InvalidArgumentError);
    const spdy = thrown(() => new root.Session(0, root.PROTO_SPDY3));
    expect(spdy).toBeInstanceOf(root.InvalidArgumentError);
    expect(spdy).toBeInstanceOf(root.SpdylayError);
    expect(spdy).not.toBeInstanceOf(ng.NGHTTP2Error);
    expect((spdy as root.SpdylayError).code).toBe(root.ERR_INVALID_ARGUMENT);
    expect((spdy as Error).name).toBe('InvalidArgumentError');
    const h2 = new ng.InvalidArgumentError(-501);
    expect(h2).toBeInstanceOf(ng.NGHTTP2InvalidArgumentError);
    expect(h2).toBeInstanceOf(ng.NGHTTP2Error);
    expect(h2).not.toBeInstanceOf(root.SpdylayError);
    expect(h2.name).toBe('NGHTTP2InvalidArgumentError');
    expect(h2.message).toBe('Invalid argument');
  });
});

describe('argument errors thrown synchronously', () => {
  class H2Handler extends ng.BaseRequestHandler {}
  class SpdyHandler extends root.BaseSPDYRequestHandler {}

  it('ArgumentError (a TypeError): servers, limits, HPACK, urlfetch, Session name/values, DataProvider', () => {
    const cases: (() => unknown)[] = [
      () => new ng.HTTP2Server('x' as never, H2Handler),
      () => new ng.HTTP2Server(['127.0.0.1', 70000], H2Handler),
      () => new ng.HTTP2Server(['127.0.0.1', 0], 'x' as never),
      () => new ng.HTTP2Server(['127.0.0.1', 0], H2Handler, null, { maxSessionMemory: 0 }),
      () => new root.ThreadedSPDYServer(['127.0.0.1', 0], SpdyHandler, {}),
      () => new root.ThreadedSPDYServer(['127.0.0.1', 0], SpdyHandler, { plain: true, headersTimeout: -1 }),
      () => new ng.HDDeflater().deflate('nope' as never),
      () => new ng.HDDeflater().deflate([['a', 1 as never]]),
      () => new ng.HDInflater().inflate('text' as never),
      () => new root.UrlFetcher([], root.BaseSPDYStreamHandler),
      () => new root.Session(root.CLIENT, root.PROTO_SPDY3).submitRequest(3, 'x' as never),
      () => new root.DataProvider(null, 1 as never),
      () => new root.Session(root.CLIENT, root.PROTO_SPDY3).recv('abc' as never),
      () => new root.Session(root.CLIENT, root.PROTO_SPDY3).submitSettings(0, [[1, 2] as never]),
    ];
    for (const fn of cases) expectError(thrown(fn), ArgumentError, 'ERR_SPDYLAY_INVALID_ARG', TypeError);
    expect((thrown(cases[3]!) as Error).message).toMatch(/^maxSessionMemory /);
  });

  it('OutOfRangeError (a RangeError): HPACK table sizes and maxHeaderListSize', () => {
    for (const fn of [
      () => new ng.HDDeflater(-1),
      () => new ng.HDDeflater().changeTableSize(1.5),
      () => new ng.HDInflater({ maxHeaderListSize: -2 }),
    ]) expectError(thrown(fn), OutOfRangeError, 'ERR_SPDYLAY_OUT_OF_RANGE', RangeError);
  });
});

describe('HTTP2Server request handlers', () => {
  const seen = new Map<string, unknown>();
  const handlerErrors: unknown[] = [];
  let server: ng.HTTP2Server;
  let session: http2.ClientHttp2Session;
  let closedSeen: () => void;
  const closed = new Promise<void>((r) => { closedSeen = r; });

  class Handler extends ng.BaseRequestHandler {
    override onHeaders(): void {
      const p = String(this.path);
      if (p === '/twice') {
        this.sendResponse({ body: 'once' });
        seen.set(p, thrown(() => this.sendResponse({ body: 'twice' })));
      } else if (p === '/bad') {
        seen.set('status', thrown(() => this.sendResponse({ status: 1000 })));
        seen.set('body', thrown(() => this.sendResponse({ body: 42 as never })));
        seen.set('push', thrown(() => this.push({ path: '' })));
        this.sendResponse({ status: 200, body: 'ok' });
      } else if (p === '/generator') {
        this.sendResponse({ body: () => 'not a pair' as never });
      } else if (p === '/hold') {
        // no response: the client goes away with this stream open
      }
    }

    override onClose(): void {
      if (String(this.path) === '/hold') {
        seen.set('/hold', thrown(() => this.push({ path: '/late' })));
        closedSeen();
      }
    }
  }

  beforeAll(async () => {
    server = new ng.HTTP2Server(['127.0.0.1', 0], Handler, null, { log: false });
    server.on('handlerError', (err: unknown) => handlerErrors.push(err));
    const { port } = await server.listen();
    session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
  });
  afterAll(async () => {
    session.destroy();
    await server.close();
  });

  function get(path: string): Promise<{ status: number; body: string; rst: number }> {
    return new Promise((resolve) => {
      const req = session.request({ ':path': path });
      let status = 0;
      let body = '';
      req.on('response', (h) => { status = Number(h[':status']); });
      req.setEncoding('utf8');
      req.on('data', (c: string) => { body += c; });
      req.on('error', () => {});
      req.on('close', () => resolve({ status, body, rst: req.rstCode ?? 0 }));
      req.end();
    });
  }

  it('HeadersSentError for a second sendResponse()', async () => {
    expect((await get('/twice')).body).toBe('once');
    expectError(seen.get('/twice'), HeadersSentError, 'ERR_SPDYLAY_HEADERS_SENT');
    expect((seen.get('/twice') as Error).message).toBe('response has already been sent');
  });

  it('OutOfRangeError for a bad status, ArgumentError for a bad body and an empty push path', async () => {
    expect(await get('/bad')).toMatchObject({ status: 200, body: 'ok' });
    expectError(seen.get('status'), OutOfRangeError, 'ERR_SPDYLAY_OUT_OF_RANGE', RangeError);
    expectError(seen.get('body'), ArgumentError, 'ERR_SPDYLAY_INVALID_ARG', TypeError);
    expectError(seen.get('push'), ArgumentError, 'ERR_SPDYLAY_INVALID_ARG', TypeError);
  });

  it('InvalidReturnValueError on handlerError when a body generator returns something else than [chunk, flag]', async () => {
    const r = await get('/generator');
    expect(r.rst).toBe(http2.constants.NGHTTP2_INTERNAL_ERROR);
    expect(handlerErrors).toHaveLength(1);
    expectError(handlerErrors[0], InvalidReturnValueError, 'ERR_SPDYLAY_INVALID_RETURN_VALUE', TypeError);
  });

  it('ConnectionClosedError for push() once the connection is gone', async () => {
    session.request({ ':path': '/hold' }).on('error', () => {}).end();
    await new Promise((r) => setTimeout(r, 50));
    session.destroy();
    await closed;
    expectError(seen.get('/hold'), ConnectionClosedError, 'ERR_SPDYLAY_CONNECTION_CLOSED');
  });
});

describe('ThreadedSPDYServer request handlers', () => {
  const seen = new Map<string, unknown>();
  let server: root.ThreadedSPDYServer;
  let port: number;
  let resetSeen: () => void;
  const reset = new Promise<void>((r) => { resetSeen = r; });

  class Handler extends root.BaseSPDYRequestHandler {
    async do_GET(): Promise<void> {
      if (this.path === '/bad') {
        seen.set('status', thrown(() => this.sendResponse(42)));
        seen.set('name', thrown(() => this.sendHeader('', 'x')));
        this.sendResponse(200);
        this.wfile.write('body');
        await new Promise((r) => setTimeout(r, 20));
        seen.set('header', thrown(() => this.sendHeader('x-late', '1')));
        seen.set('error', thrown(() => this.sendError(500)));
        this.wfile.end();
      }
    }

    async do_POST(): Promise<void> {
      if (this.path === '/small') {
        seen.set('/small', await rejection(this.readBody(10)));
        this.sendError(413);
      } else if (this.path === '/reset') {
        seen.set('/reset', await rejection(this.readBody()));
        resetSeen();
      }
    }
  }

  beforeAll(async () => {
    server = new root.ThreadedSPDYServer(['127.0.0.1', 0], Handler, { plain: true });
    ({ port } = await server.start());
  });
  afterAll(async () => {
    await server.close();
  });

  it('OutOfRangeError and ArgumentError from sendResponse()/sendHeader(); HeadersSentError once the head is out', async () => {
    class Collect extends root.BaseSPDYStreamHandler {
      body = '';
      override onData(d: Buffer): void { this.body += d.toString(); }
    }
    const [h] = await root.urlfetch(`http://127.0.0.1:${port}/bad`, Collect);
    expect(h!.body).toBe('body');
    expectError(seen.get('status'), OutOfRangeError, 'ERR_SPDYLAY_OUT_OF_RANGE', RangeError);
    expectError(seen.get('name'), ArgumentError, 'ERR_SPDYLAY_INVALID_ARG', TypeError);
    expectError(seen.get('header'), HeadersSentError, 'ERR_SPDYLAY_HEADERS_SENT');
    expectError(seen.get('error'), HeadersSentError, 'ERR_SPDYLAY_HEADERS_SENT');
  });

  it('BodyTooLargeError from readBody(limit)', async () => {
    await root.urlfetch(`http://127.0.0.1:${port}/small`, undefined, { body: 'x'.repeat(100) });
    const err = seen.get('/small');
    expectError(err, BodyTooLargeError, 'ERR_SPDYLAY_BODY_TOO_LARGE', RangeError);
    expect((err as InstanceType<typeof BodyTooLargeError>).limit).toBe(10);
  });

  it('StreamResetError from readBody() when the client resets the stream mid-body', async () => {
    const c = new RawSpdy3(port);
    try {
      await c.connected;
      c.write(await c.syn(1, '/reset', [], 0, 'POST'), dataFrame(1, 0, Buffer.from('part of a body')));
      await new Promise((r) => setTimeout(r, 50));
      c.write(rstStream(1, RST.CANCEL));
      await reset;
    } finally {
      c.destroy();
    }
    expectError(seen.get('/reset'), StreamResetError, 'ERR_SPDYLAY_STREAM_RESET');
  });
});

describe('urlfetch: UrlFetchError codes', () => {
  const fetchError = async (url: string, options: root.UrlFetchOptions = {}): Promise<root.UrlFetchError> => {
    const err = await rejection(root.urlfetch(url, undefined, options));
    expect(err).toBeInstanceOf(UrlFetchError);
    return err as root.UrlFetchError;
  };

  it('ERR_SPDYLAY_INVALID_URL: a URL that does not parse, a scheme other than http/https', async () => {
    expect((await fetchError('not a url')).code).toBe('ERR_SPDYLAY_INVALID_URL');
    expect((await fetchError('ftp://127.0.0.1/x')).code).toBe('ERR_SPDYLAY_INVALID_URL');
    const err = thrown(() => new root.UrlFetcher(['ftp://127.0.0.1/x'], root.BaseSPDYStreamHandler));
    expectError(err, UrlFetchError, 'ERR_SPDYLAY_INVALID_URL');
  });

  it('ERR_SPDYLAY_CONNECT: connection refused', async () => {
    const [srv, port] = await rawServer(() => {});
    await closeServer(srv);
    const err = await fetchError(`http://127.0.0.1:${port}/`);
    expect(err.code).toBe('ERR_SPDYLAY_CONNECT');
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(err.origin).toBe(`http://127.0.0.1:${port}`);
  });

  it('ERR_SPDYLAY_ALPN: a TLS server that selects no protocol', async () => {
    const srv = tls.createServer({ key: cert.key, cert: cert.cert }, (s) => s.on('error', () => {}));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as net.AddressInfo).port;
      expect((await fetchError(`https://127.0.0.1:${port}/`, { rejectUnauthorized: false })).code).toBe('ERR_SPDYLAY_ALPN');
    } finally {
      await closeServer(srv);
    }
  });

  it('ERR_SPDYLAY_UNSUPPORTED_VERSION, ERR_SPDYLAY_TIMEOUT, ERR_SPDYLAY_CONNECTION_LOST, ERR_SPDYLAY_GOAWAY', async () => {
    const [silent, silentPort] = await rawServer(() => {});
    const [hangUp, hangUpPort] = await rawServer((s) => s.once('data', () => s.destroy()));
    // A SPDY/9 control frame: the client rejects the version and ends its session with GOAWAY.
    const [badVersion, badVersionPort] = await rawServer((s) => s.once('data', () => {
      s.write(Buffer.from([0x80, 9, 0, 1, 0, 0, 0, 4, 0, 0, 0, 0]));
    }));
    try {
      const base = 'http://127.0.0.1:';
      expect((await fetchError(`${base}${silentPort}/`, { version: 7 })).code).toBe('ERR_SPDYLAY_UNSUPPORTED_VERSION');
      const timeout = await fetchError(`${base}${silentPort}/`, { timeout: 200 });
      expect(timeout.code).toBe('ERR_SPDYLAY_TIMEOUT');
      expect(timeout.message).toMatch(/timed out after 200 ms with 1 stream\(s\) open/);
      expect((await fetchError(`${base}${hangUpPort}/`)).code).toBe('ERR_SPDYLAY_CONNECTION_LOST');
      expect((await fetchError(`${base}${badVersionPort}/`, { timeout: 5000 })).code).toBe('ERR_SPDYLAY_GOAWAY');
      expect((await fetchError(`${base}${badVersionPort}/`, { version: 'h2', timeout: 5000 })).code).toBe('ERR_SPDYLAY_GOAWAY');
    } finally {
      await Promise.all([closeServer(silent), closeServer(hangUp), closeServer(badVersion)]);
    }
  });
});
