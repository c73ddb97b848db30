/**
 * `res.push()`: a server push over h2 (PUSH_PROMISE on the request's
 * stream, then the pushed response, whose body is the returned Writable),
 * and the error given where push is not available.
 *
 * @packageDocumentation
 */
import { STATUS_CODES } from 'node:http';
import { Writable } from 'node:stream';

import { ArgumentError, PushUnavailableError } from '../errors.js';
import { DATA_DEFERRED, DATA_EOF, DATA_OK, type BaseRequestHandler } from '../nghttp2/index.js';
import { PROTO_SPDY2 } from '../spdylay/constants.js';
import type { NameValue } from '../spdylay/frames.js';
import { ByteQueue } from '../spdylay/server/http-util.js';
import type { PushSource, SPDYConnection } from '../spdylay/server/spdy.js';
import type { H2StreamIO, SpdyStreamIO } from '../spdylay/server/stream-io.js';
import type { PushInit } from './response.js';
import { HOP_BY_HOP } from './response.js';

/** Bytes a pushed body buffers before `write()` returns false. */
const PUSH_HIGH_WATER = 65536;

/** What `pushH2` needs of the request stream. */
interface PushParent {
  readonly ended: boolean;
}

type Fields = Record<string, string | number | readonly string[]>;

function pairs(fields: Fields | undefined, dropHopByHop: boolean): [string, string][] {
  const out: [string, string][] = [];
  if (!fields) return out;
  for (const k of Object.keys(fields)) {
    const name = k.toLowerCase();
    if (name.charCodeAt(0) === 58 || (dropHopByHop && HOP_BY_HOP.has(name))) continue;
    const v = fields[k];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const x of v) out.push([name, String(x)]);
    else out.push([name, String(v)]);
  }
  return out;
}

/**
 * The body of one pushed stream: the Writable's bytes, pulled by the
 * protocol one DATA frame at a time (h2: `gen`, nghttp2's body generator;
 * SPDY: `read`, a `PushSource` of the connection).
 */
class PushBody implements PushSource {
  readonly queue = new ByteQueue();
  ended = false;
  deferred = false;
  handler: BaseRequestHandler | null = null;
  waiting: ((err?: Error | null) => void) | null = null;
  /** SPDY: the stream closed (the Writable is destroyed if not finished). */
  writable: Writable | null = null;
  /** SPDY: set by the connection. */
  wake: () => void = () => this.#wakeH2();

  read(length: number): { chunk: Buffer | null; eof: boolean } {
    const b = this.queue.take(length);
    if (b) {
      this.#release();
      return { chunk: b, eof: this.ended && this.queue.bytes === 0 };
    }
    return { chunk: null, eof: this.ended };
  }

  closed(status: number): void {
    const w = this.writable;
    this.ended = true;
    this.queue.clear();
    const cb = this.waiting;
    this.waiting = null;
    if (cb) cb();
    if (w && status !== 0 && !w.writableFinished) w.destroy();
  }

  readonly gen = (size: number): readonly [Buffer | null, 0 | 1 | 2] => {
    const b = this.queue.take(size);
    if (b) {
      this.#release();
      return [b, this.ended && this.queue.bytes === 0 ? DATA_EOF : DATA_OK];
    }
    if (this.ended) return [null, DATA_EOF];
    this.deferred = true;
    return [null, DATA_DEFERRED];
  };

  #wakeH2(): void {
    if (this.deferred && this.handler) {
      this.deferred = false;
      this.handler.resume();
    }
  }

  #release(): void {
    const w = this.waiting;
    if (w && this.queue.bytes < PUSH_HIGH_WATER) {
      this.waiting = null;
      w();
    }
  }
}

function pushWritable(body: PushBody): Writable {
  return new Writable({
    highWaterMark: PUSH_HIGH_WATER,
    decodeStrings: true,
    write(chunk: Buffer, _enc, cb) {
      body.queue.push(chunk);
      body.wake();
      if (body.queue.bytes < PUSH_HIGH_WATER) cb();
      else body.waiting = cb;
    },
    final(cb) {
      body.ended = true;
      body.wake();
      cb();
    },
    destroy(err, cb) {
      if (!body.ended) {
        body.ended = true;
        body.queue.clear();
        body.wake();
      }
      cb(err);
    },
  });
}

/**
 * Pushes `path` on the request stream of `io`: PUSH_PROMISE with
 * `:method` (`options.method`, default GET), `:scheme`, `:authority` (the
 * request's), `:path` and `options.request`; the pushed response has
 * `options.status` (default 200) and `options.response` (hop-by-hop fields
 * dropped). Its body is what is written to the returned Writable.
 *
 * @throws Error when the response of the request has ended, or nghttp2
 *   refuses the promise (NGHTTP2Error: the client disabled push, -528, or
 *   the stream is closing); with `cb`, the error goes to `cb` instead and a
 *   destroyed Writable is returned.
 * @internal
 */
export function pushH2(parent: PushParent, io: H2StreamIO, path: string, options: PushInit,
  cb: ((err: Error | null, stream?: Writable) => void) | undefined): Writable {
  if (typeof path !== 'string' || path === '') return pushUnavailable(new ArgumentError('res.push(): path must be a non-empty string'), cb);
  if (parent.ended || io.closed) return pushUnavailable(new PushUnavailableError('res.push(): the response has already ended'), cb);
  const body = new PushBody();
  let pushed: BaseRequestHandler;
  try {
    pushed = io.bridge.push({
      path,
      method: options.method ?? 'GET',
      requestHeaders: pairs(options.request as Fields, false),
      status: options.status ?? 200,
      headers: pairs(options.response as Fields, true),
      body: body.gen,
    });
  } catch (err) {
    return pushUnavailable(err instanceof Error ? err : new Error(String(err)), cb);
  }
  body.handler = pushed;
  const w = pushWritable(body);
  // a pushed stream the client resets must not crash the process
  w.on('error', () => {});
  if (cb) process.nextTick(cb, null, w);
  return w;
}

/** What `pushSpdy` needs of the request stream. */
interface SpdyPushParent extends PushParent {
  /** The request's `host` (or `:host`). */
  readonly host: string | null;
}

/**
 * Pushes `path` over SPDY, as the `spdy` package does: a SYN_STREAM
 * associated with the request's stream (FLAG_UNIDIRECTIONAL) carrying the
 * promised request (`:method`, `:path`, `:scheme`, `:host` — the
 * request's —, `:version`; SPDY/2 `method`, `url`, `scheme`, `host`,
 * `version`), `:status` (`options.status`, default 200) and the fields of
 * `options.request` and `options.response` (hop-by-hop fields dropped),
 * then the body written to the returned Writable.
 *
 * @throws PushUnavailableError when the response of the request has ended;
 *   SpdylayError when the session refuses the stream; with `cb`, the error
 *   goes to `cb` and a destroyed Writable is returned.
 * @internal
 */
export function pushSpdy(parent: SpdyPushParent, io: SpdyStreamIO, secure: boolean, path: string, options: PushInit,
  cb: ((err: Error | null, stream?: Writable) => void) | undefined): Writable {
  if (typeof path !== 'string' || path === '') return pushUnavailable(new ArgumentError('res.push(): path must be a non-empty string'), cb);
  if (parent.ended || io.closed || io.gone) return pushUnavailable(new PushUnavailableError('res.push(): the response has already ended'), cb);
  const conn = io.conn as unknown as SPDYConnection;
  const status = options.status ?? 200;
  const statusLine = `${status} ${STATUS_CODES[status] ?? 'unknown'}`;
  const method = options.method ?? 'GET';
  const scheme = secure ? 'https' : 'http';
  const host = parent.host ?? '';
  const nv: NameValue[] = conn.version === PROTO_SPDY2
    ? [['method', method], ['url', path], ['scheme', scheme], ['host', host], ['version', 'HTTP/1.1'], ['status', statusLine]]
    : [[':method', method], [':path', path], [':scheme', scheme], [':host', host], [':version', 'HTTP/1.1'], [':status', statusLine]];
  // request fields, then response fields replacing those of the same name (as the `spdy` package
  // merges them); the values of one name NUL-joined, as SPDY carries them
  const fields = new Map<string, string[]>();
  for (const src of [options.request, options.response]) {
    const byName = new Map<string, string[]>();
    for (const [n, v] of pairs(src as Fields, true)) {
      const list = byName.get(n);
      if (list) list.push(v);
      else byName.set(n, [v]);
    }
    for (const [n, list] of byName) fields.set(n, list);
  }
  for (const [n, list] of fields) nv.push([n, list.join('\0')]);
  const body = new PushBody();
  try {
    conn.push(io.streamId, nv, body);
  } catch (err) {
    return pushUnavailable(err instanceof Error ? err : new Error(String(err)), cb);
  }
  const w = pushWritable(body);
  body.writable = w;
  w.on('error', () => {});
  if (cb) process.nextTick(cb, null, w);
  return w;
}

/**
 * Push is not possible: throws `err`, or with `cb` calls it with `err` on
 * the next tick and returns a destroyed Writable.
 * @internal
 */
export function pushUnavailable(err: Error, cb: ((err: Error | null, stream?: Writable) => void) | undefined): Writable {
  if (!cb) throw err;
  const w = new Writable({ write(_c, _e, done) { done(); } });
  w.on('error', () => {});
  w.destroy();
  process.nextTick(cb, err);
  return w;
}
