/**
 * `BaseSPDYRequestHandler`, the application's view of one request stream,
 * and what the protocol adapters share to run it: the request head read
 * from a header list (a pair list, or the NUL-joined string of the native
 * SPDY session), the interface through which they see the server, and
 * the close of a stream.
 *
 * @packageDocumentation
 */
import * as os from 'node:os';
import type { Readable, Writable } from 'node:stream';

import {
  ArgumentError, BodyTooLargeError, HeadersSentError, OutOfRangeError, StreamResetError,
} from '../../errors.js';
import type { NameValue } from '../frames.js';
import { RESPONSES, dateTimeString, htmlEscape } from './http-util.js';
import type { ThreadedSPDYServer } from './server.js';
import { BODY_HIGH_WATER, type StreamIO, type StreamOwner, guardedWritable } from './stream-io.js';

/** A request's pseudo-headers and its other header pairs. @internal */
export interface RequestHead {
  method: string | null;
  path: string | null;
  version: string | null;
  scheme: string | null;
  host: string | null;
  headers: NameValue[];
}

/** Stores a request pseudo-header in `head`; false when `name` is not one. */
function setPseudo(head: RequestHead, name: string, value: string): boolean {
  switch (name) {
    case ':method': head.method = value; return true;
    case ':path': head.path = value; return true;
    case ':version': head.version = value; return true;
    case ':scheme': head.scheme = value; return true;
    case ':host': case ':authority': head.host = value; return true;
    default: return false;
  }
}

function emptyHead(): RequestHead {
  return { method: null, path: null, version: null, scheme: null, host: null, headers: [] };
}

/** Reads a header list: pseudo-headers go to the record, other pairs to `headers`. @internal */
export function parseNv(nv: NameValue[]): RequestHead {
  const head = emptyHead();
  for (const p of nv) {
    if (p[0].charCodeAt(0) === 58 /* : */ && setPseudo(head, p[0], p[1])) continue;
    head.headers.push(p);
  }
  return head;
}

/**
 * Reads a header list as the native SPDY session hands it over: `count`
 * pairs in one string, every name and value followed by NUL (`undefined`:
 * no list). Pseudo-headers go to the record, other pairs to `headers`, in
 * one pass.
 * @internal
 */
export function parseNvString(s: string | undefined, count: number): RequestHead {
  const head = emptyHead();
  if (s === undefined) return head;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const a = s.indexOf('\0', pos);
    const b = s.indexOf('\0', a + 1);
    const name = s.slice(pos, a);
    const value = s.slice(a + 1, b);
    pos = b + 1;
    if (name.charCodeAt(0) === 58 /* : */ && setPseudo(head, name, value)) continue;
    head.headers.push([name, value]);
  }
  return head;
}

/** What a protocol adapter sees of the server that runs its request handlers. @internal */
export interface HandlerHost extends StreamOwner {
  /** A new instance of the application's handler class for `io` (throws what its constructor throws). */
  _newHandler(io: StreamIO, clientAddress: readonly [string, number], streamId: number, head: RequestHead): BaseSPDYRequestHandler;
  /** Runs the handler's `handle()` and settles its response. */
  _run(io: StreamIO): void;
  /** Writes the access log line of a finished stream. */
  _log(io: StreamIO, status: number): void;
}

/** Status given to streams whose connection was lost (SPDY `CANCEL`). @internal */
export const CANCEL_ON_LOSS = 5;

/**
 * The stream of `io` closed with `status`: its I/O stops, the access log
 * gets its line, and the handler's `onClose` runs (an exception is a
 * handler error).
 * @internal
 */
export function closeStream(host: HandlerHost, io: StreamIO, status: number): void {
  io.onClosed();
  host._log(io, status);
  try {
    io.handler.onClose(status);
  } catch (err) {
    host._handlerError(err, io.handler);
  }
}

/**
 * What the server hands to a request handler's constructor. Opaque:
 * subclasses pass it to `super()` unchanged (or do not define a
 * constructor).
 */
export interface SPDYHandlerInit {
  /** @internal */ readonly server: ThreadedSPDYServer;
  /** @internal */ readonly io: StreamIO;
  /** @internal */ readonly clientAddress: readonly [string, number];
  /** @internal */ readonly streamId: number;
  /** @internal */ readonly nv: RequestHead;
}

/**
 * Handles one request stream (python-spdylay's `BaseSPDYRequestHandler`,
 * itself modelled on `http.server.BaseHTTPRequestHandler`). Subclass it and
 * define `do_GET`, `do_POST`, ... (one method per request method, named
 * exactly after it); `handle()` calls the matching one as soon as the
 * request headers have arrived, or answers 501 when there is none.
 *
 * Differences from the reference, for Node:
 * - the handler runs when the headers arrive, not when the whole request
 *   has: the request body (of any method) streams into {@link rfile}; read
 *   it with `for await (const chunk of this.rfile)` or {@link readBody};
 * - `do_*` may return a Promise: the response ends when it settles (an
 *   unfinished `wfile` is ended then); a synchronous `do_*` ends the response
 *   when it returns;
 * - {@link wfile} is a Writable: the headers go out with the first body
 *   bytes (or at the end), then the body streams with back-pressure.
 *
 * An exception thrown (or a rejection) from `do_*` is reported through the
 * server's `'handlerError'` event (stderr when nobody listens) and answers
 * 500 when no header was sent yet, else resets the stream (RST_STREAM
 * INTERNAL_ERROR / HTTP/2 RST_STREAM / HTTP/1.1 connection close). It never
 * affects other streams or crashes the process.
 */
export class BaseSPDYRequestHandler {
  /** Server software name sent in the `server` header (python: `server_version`). */
  static serverVersion = 'Node-spdylay/0.1';
  /** Runtime version (python: `sys_version`). */
  static sysVersion = `Node/${process.versions.node}`;
  /** Content type of {@link sendError} pages (python: `error_content_type`). */
  static errorContentType = 'text/html; charset=UTF-8';
  /** Status code -> `[short phrase, long explanation]` (python: `responses`). */
  static responses: Readonly<Record<number, readonly [string, string]>> = RESPONSES;

  /** The server (python: `server`). */
  readonly server: ThreadedSPDYServer;
  /** The client's `[host, port]` (python: `client_address`). */
  readonly clientAddress: readonly [string, number];
  /** The request method, e.g. `'GET'`; null when the request had none (python: `command`). */
  readonly command: string | null;
  /** The request path with query, e.g. `'/index.html?a=1'`; null when absent. */
  readonly path: string | null;
  /** The request's HTTP version string, e.g. `'HTTP/1.1'` (`'HTTP/2'` over h2) (python: `request_version`). */
  readonly requestVersion: string | null;
  /** Request header pairs other than the pseudo-headers, as received (python: `headers`). */
  readonly headers: NameValue[];
  /** `:scheme` (`'https'`/`'http'`), or null. */
  readonly scheme: string | null;
  /** `:host` (`:authority` over h2, `host` over HTTP/1.1), or null. */
  readonly host: string | null;
  /** The stream ID (0 over HTTP/1.1). */
  readonly streamId: number;
  /** The protocol of the stream: `'spdy/3.1'`, `'spdy/3'`, `'spdy/2'`, `'h2'` or `'http/1.1'`. */
  readonly protocol: string;

  /** @internal */ _serverVersion: string | undefined = undefined;
  /** @internal */ _sysVersion: string | undefined = undefined;
  /** @internal */ _status: number | null = null;
  /** @internal */ _statusLine = '';
  /** @internal */ _responseHeaders: NameValue[] = [];
  /** @internal */ _wfile: Writable | null = null;
  /** @internal */ readonly _io: StreamIO;

  /**
   * Server software name (python: `self.server_version`): the class's
   * static {@link BaseSPDYRequestHandler.serverVersion} (a subclass's
   * static when it sets one) unless set on this instance. Used in the
   * `server` header ({@link versionString}) and the {@link sendError} page.
   *
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when set to a non-string.
   */
  get serverVersion(): string {
    return this._serverVersion ?? (this.constructor as typeof BaseSPDYRequestHandler).serverVersion;
  }

  set serverVersion(value: string) {
    if (typeof value !== 'string') throw new ArgumentError('serverVersion must be a string');
    this._serverVersion = value;
  }

  /**
   * Runtime version (python: `self.sys_version`): the class's static
   * {@link BaseSPDYRequestHandler.sysVersion} unless set on this instance.
   *
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when set to a non-string.
   */
  get sysVersion(): string {
    return this._sysVersion ?? (this.constructor as typeof BaseSPDYRequestHandler).sysVersion;
  }

  set sysVersion(value: string) {
    if (typeof value !== 'string') throw new ArgumentError('sysVersion must be a string');
    this._sysVersion = value;
  }

  /**
   * Called by the server only.
   *
   * @param init - Opaque; pass it on unchanged when overriding the constructor.
   */
  constructor(init: SPDYHandlerInit) {
    this.server = init.server;
    this._io = init.io;
    this.clientAddress = init.clientAddress;
    this.streamId = init.streamId;
    this.command = init.nv.method;
    this.path = init.nv.path;
    this.requestVersion = init.nv.version;
    this.headers = init.nv.headers;
    this.scheme = init.nv.scheme;
    this.host = init.nv.host;
    this.protocol = init.io.protocol;
  }

  /**
   * The request body as a Readable stream of Buffers (python: `rfile`). It
   * ends when the client's last DATA frame arrives; it is destroyed when the
   * stream is reset or the connection lost. Not reading it holds back the
   * client's upload once 64 KiB are buffered: over SPDY/3 and 3.1 through
   * flow control, for this stream only (WINDOW_UPDATE follows what the
   * handler reads); the same over h2; over SPDY/2, which has no flow
   * control, and HTTP/1.1 by pausing the connection.
   */
  get rfile(): Readable {
    return this._io.makeRfile();
  }

  /**
   * The response body (python: `wfile`): a Writable of Buffers/strings.
   * Up to 64 KiB wait for the session (SPDY flow control, socket
   * back-pressure); past that, writes buffer in the Writable and `write()`
   * returns false once it holds 64 KiB ('drain' follows), so
   * `pipeline(source, this.wfile)` streams with bounded memory. The status
   * and headers are sent with the first body bytes or at `end()`; set them
   * before writing.
   */
  get wfile(): Writable {
    if (this._wfile) return this._wfile;
    const io = this._io;
    const w = guardedWritable(io, {
      highWaterMark: BODY_HIGH_WATER,
      decodeStrings: true,
      write: (chunk: Buffer, _enc, cb) => io.write(chunk, cb),
      final: (cb) => {
        io.end();
        cb();
      },
    });
    // a late error on a reset stream must not crash the process
    w.on('error', () => {});
    this._wfile = w;
    return w;
  }

  /**
   * Whether the response gets the `server` and `date` headers of
   * {@link versionString} and {@link dateTimeString} (h2 and SPDY).
   * @internal
   */
  get _serverHeaders(): boolean {
    return true;
  }

  /** The whole request body has arrived: called before `rfile` gets its end. @internal */
  _bodyEnded(): void {}

  /** The request's trailer fields arrived (h2 trailing HEADERS, SPDY HEADERS). @internal */
  _trailers(fields: NameValue[]): void {
    void fields;
  }

  /** Whether the status and headers have been handed to the protocol. */
  get headersSent(): boolean {
    return this._io.committed;
  }

  /** Whether the stream has closed (normally, reset, or connection lost). */
  get closed(): boolean {
    return this._io.closed;
  }

  /**
   * Handles the request: calls `do_<METHOD>()` (e.g. `do_GET`), or
   * `sendError(400)` when the request has no method, or
   * `sendError(501, 'Unsupported method (<METHOD>)')` when the handler has no
   * such method. May be overridden. The response ends when the returned
   * value (or Promise) settles.
   */
  handle(): void | Promise<void> {
    const cmd = this.command;
    if (cmd === null || cmd === '') {
      this.sendError(400);
      return;
    }
    const m = (this as unknown as Record<string, unknown>)['do_' + cmd];
    if (typeof m !== 'function') {
      this.sendError(501, `Unsupported method (${cmd})`);
      return;
    }
    return (m as () => void | Promise<void>).call(this);
  }

  /**
   * Sends a complete error reply: status `code` with `message` (default: the
   * short phrase of {@link responses}), `content-type` and `content-length`
   * headers, and an HTML page explaining it. Ends the response.
   *
   * @param code - The HTTP status code.
   * @param message - A more specific text for the page and status line.
   * @throws HeadersSentError (`ERR_SPDYLAY_HEADERS_SENT`) when the headers were already sent.
   */
  sendError(code: number, message?: string): void {
    code = Math.trunc(Number(code));
    if (this._io.committed) throw new HeadersSentError('sendError: headers were already sent');
    const ctor = this.constructor as typeof BaseSPDYRequestHandler;
    const [short, long] = ctor.responses[code] ?? ['???', '???'];
    const msg = message ?? short;
    const port = this.server.address()?.port ?? 0;
    const body = Buffer.from('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n' +
      '<html><head>\n' +
      `<title>${code} ${htmlEscape(msg)}</title>\n` +
      '</head><body>\n' +
      `<h1>${htmlEscape(msg)}</h1>\n` +
      `<p>${htmlEscape(long)}</p>\n` +
      '<hr>\n' +
      `<address>${htmlEscape(this.serverVersion)} at ${htmlEscape(hostname())} Port ${port}</address>\n` +
      '</body></html>\n', 'utf8');
    this._io.queue.clear();
    this._responseHeaders = [];
    this.sendResponse(code, msg);
    this.sendHeader('content-type', ctor.errorContentType);
    this.sendHeader('content-length', String(body.length));
    this._io.queue.push(body);
    this._io.end();
    if (this._wfile && !this._wfile.writableEnded) this._wfile.end();
  }

  /**
   * Sets the response status: the `:status` header `'<code> <message>'`
   * (SPDY/2: `status`), message defaulting to the short phrase of
   * {@link responses} (`'???'` when unknown).
   *
   * @param code - The HTTP status code (100 to 999).
   * @param message - The reason phrase.
   * @throws OutOfRangeError (a RangeError, `ERR_SPDYLAY_OUT_OF_RANGE`) when
   *   `code` is not an integer from 100 to 999.
   */
  sendResponse(code: number, message?: string): void {
    const n = Math.trunc(Number(code));
    if (!(n >= 100 && n <= 999)) throw new OutOfRangeError(`status code must be an integer from 100 to 999 (got ${code})`);
    const ctor = this.constructor as typeof BaseSPDYRequestHandler;
    this._status = n;
    this._statusLine = `${n} ${message ?? ctor.responses[n]?.[0] ?? '???'}`;
  }

  /**
   * Adds a response header, sent as given (SPDY lower-cases names).
   *
   * @param keyword - The header name.
   * @param value - The value (a string; numbers are converted).
   * @throws ArgumentError (a TypeError, `ERR_SPDYLAY_INVALID_ARG`) when a name or value is missing.
   * @throws HeadersSentError (`ERR_SPDYLAY_HEADERS_SENT`) when the headers were already sent.
   */
  sendHeader(keyword: string, value: string | number): void {
    if (typeof keyword !== 'string' || keyword === '') throw new ArgumentError('header name must be a non-empty string');
    if (value === undefined || value === null) throw new ArgumentError('header value must not be null');
    if (this._io.committed) throw new HeadersSentError('sendHeader: headers were already sent');
    this._responseHeaders.push([keyword, String(value)]);
  }

  /** python: `end_headers()` — a no-op kept for ported handlers (SPDY has no header terminator). */
  endHeaders(): void {}

  /** `serverVersion + ' ' + sysVersion` (the `server` header). */
  versionString(): string {
    return `${this.serverVersion} ${this.sysVersion}`;
  }

  /**
   * An RFC 1123 date in GMT.
   *
   * @param timestamp - Milliseconds since the epoch (default now).
   */
  dateTimeString(timestamp?: number): string {
    return dateTimeString(timestamp);
  }

  /**
   * Reads the whole request body.
   *
   * @param limit - Maximum size in bytes (default 64 MiB).
   * @returns The body (empty when there is none).
   * @throws BodyTooLargeError (rejects; a RangeError, `ERR_SPDYLAY_BODY_TOO_LARGE`)
   *   when the body exceeds `limit`.
   * @throws StreamResetError (rejects; `ERR_SPDYLAY_STREAM_RESET`) when the
   *   stream was reset or the connection lost.
   */
  readBody(limit = 64 * 1024 * 1024): Promise<Buffer> {
    const r = this.rfile;
    return new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      let n = 0;
      const cleanup = (): void => {
        r.off('data', onData);
        r.off('end', onEnd);
        r.off('close', onClose);
        r.off('error', onError);
      };
      const onData = (c: Buffer): void => {
        n += c.length;
        if (n > limit) {
          cleanup();
          r.resume();
          reject(new BodyTooLargeError(limit));
          return;
        }
        parts.push(c);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, n));
      };
      const onClose = (): void => {
        cleanup();
        reject(new StreamResetError('the stream was reset before the request body was complete'));
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      r.on('data', onData);
      r.on('end', onEnd);
      r.on('close', onClose);
      r.on('error', onError);
    });
  }

  /**
   * Called when the stream has closed. Does nothing by default.
   *
   * @param statusCode - SPDY status code: `OK` (0) for a normal close, else
   *   the reset reason (`CANCEL` when the connection was lost).
   */
  onClose(statusCode: number): void {
    void statusCode;
  }
}

let cachedHostname: string | null = null;
function hostname(): string {
  cachedHostname ??= os.hostname();
  return cachedHostname;
}
