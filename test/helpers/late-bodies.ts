// Late responses (test/nghttp2/late-responses.test.ts,
// test/spdylay/server/late-responses.test.ts): request handlers of every
// server this package ships that answer a request only after its client
// reset the stream, with a large body in each form the server's API takes,
// and a tracker of WeakRefs to those bodies (and the handler objects), so
// that a test can show the server released them while the connection is
// still open. Paths: `/late/<form>/<when>`, `when` being `close` (answer
// from the close notification) or `timer` (answer after a fixed delay,
// without listening for the close); `/ok` answers 'ok' at once.
import { Readable, pipeline } from 'node:stream';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

import { afterEach, beforeEach, expect } from 'vitest';

import type { CompatIncomingMessage, CompatServer, CompatServerResponse } from '../../lib/compat/index.js';
import { BaseRequestHandler, DATA_EOF, type ResponseBody } from '../../lib/nghttp2/index.js';
import { BaseSPDYRequestHandler } from '../../lib/spdylay/server/handler.js';
import { until } from './attack-mem.js';
import { closeStartedServers } from './attack-servers.js';
import { closeServer } from './compat-core.js';

v8.setFlagsFromString('--expose-gc');
const gcFn = vm.runInNewContext('gc') as () => void;

/** Streams opened and reset per case. */
export const STREAMS = 200;
/** Streams opened at a time when each is reset once the application has it (under the 100 concurrent streams). */
export const ROUND = 50;
/** Rate limits loose enough for STREAMS resets in one go (the defaults stay as they are). */
export const RESET_LIMITS = { streamResetBurst: 4 * STREAMS, streamResetRate: 4 * STREAMS };

/**
 * Registers the hooks of a late-response suite: the tracker is reset before
 * each test; after it, the servers started through attack-servers.js and the
 * createServer servers pushed to the returned array are closed.
 */
export function lateSuiteHooks(): CompatServer[] {
  const compatServers: CompatServer[] = [];
  beforeEach(() => tracker.reset());
  afterEach(async () => {
    await closeStartedServers();
    await Promise.all(compatServers.splice(0).map((s) => closeServer(s)));
  });
  return compatServers;
}

/**
 * The frames of STREAMS requests on client stream IDs 1, 3, 5, ... (built in
 * order: a SPDY header block's compression depends on it) and of their
 * resets; `next` is the first ID after them.
 */
export async function lateFrames(
  request: (id: number) => Buffer | Promise<Buffer>, reset: (id: number) => Buffer,
): Promise<{ ids: Set<number>; requests: Buffer[]; resets: Buffer[]; next: number }> {
  const ids = new Set<number>();
  const requests: Buffer[] = [];
  const resets: Buffer[] = [];
  for (let i = 0; i < STREAMS; i++) {
    const id = 2 * i + 1;
    ids.add(id);
    requests.push(await request(id));
    resets.push(reset(id));
  }
  return { ids, requests, resets, next: 2 * STREAMS + 1 };
}

/**
 * STREAMS requests in rounds of ROUND (within the servers' 100 concurrent
 * streams): `open(from, to)` sends requests [from, to), and once the
 * application has them `reset(from, to)` resets those streams.
 */
export async function inRounds(open: (from: number, to: number) => void, reset: (from: number, to: number) => void): Promise<void> {
  for (let r = 0; r < STREAMS; r += ROUND) {
    open(r, r + ROUND);
    await until(() => tracker.requests >= r + ROUND, 5000, `${r + ROUND} requests at the application (got ${tracker.requests})`);
    reset(r, r + ROUND);
  }
}

/** Waits until the application answered every request it got (`expected` of them). */
export async function answers(expected: number): Promise<void> {
  await until(() => tracker.answered + tracker.errors.length >= expected, 8000,
    `${expected} late answers (requests ${tracker.requests}, answered ${tracker.answered}, errors ${tracker.errors.join('; ')})`);
  expect(tracker.errors).toEqual([]);
  expect(tracker.requests).toBe(expected);
  // every answer came after the stream closed (a late one)
  expect(tracker.early).toBe(0);
  expect(tracker.refs.filter((r) => r.what === 'body')).toHaveLength(expected);
}

/** Asserts that every tracked body, handler and stream has been collected. */
export async function expectReleased(): Promise<void> {
  await collect();
  expect(tracker.alive(), 'objects still held after gc() (WeakRefs not collected)').toEqual({});
}

/** Size of each late response body. */
export const LATE_BODY = 256 * 1024;
/**
 * The `timer` handlers answer this long after the request arrived (ms): the
 * test's client resets every stream well before (at once, or as soon as the
 * application has all the requests).
 */
export const LATE_DELAY = 400;

/** Body forms of HTTP2Server's sendResponse. */
export const H2_FORMS = ['buffer', 'readable', 'iterable', 'generator', 'info+trailers'] as const;
/** Body forms of a ThreadedSPDYServer handler (wfile) and of a compat `res`. */
export const WFILE_FORMS = ['end', 'writes', 'pipe', 'iterable'] as const;
export const WHEN = ['close', 'timer'] as const;
export type When = (typeof WHEN)[number];

/** What the handlers did, and WeakRefs to what they made. */
export class LateTracker {
  /** Requests on /late/... seen. */
  requests = 0;
  /** Late answers given (each after its stream closed). */
  answered = 0;
  /** Answers given while the stream was still open (the test's client reset too late). */
  early = 0;
  readonly refs: { what: string; ref: WeakRef<object> }[] = [];
  readonly errors: string[] = [];

  /** A fresh LATE_BODY-byte body, tracked. */
  body(): Buffer {
    const b = Buffer.alloc(LATE_BODY, 0x6c);
    this.track('body', b);
    return b;
  }

  track(what: string, o: object): void {
    this.refs.push({ what, ref: new WeakRef(o) });
  }

  /** What is still alive, counted by kind (e.g. { body: 3, handler: 3 }). */
  alive(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { what, ref } of this.refs) if (ref.deref() !== undefined) out[what] = (out[what] ?? 0) + 1;
    return out;
  }

  reset(): void {
    this.requests = this.answered = this.early = 0;
    this.refs.length = 0;
    this.errors.length = 0;
  }
}

export const tracker = new LateTracker();

/**
 * Turns the event loop and collects, `rounds` times (a WeakRef made in a job
 * holds its target until that job ends; streams finish their teardown over
 * a few ticks).
 */
export async function collect(rounds = 4): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
    gcFn();
  }
}

/** Parses `/late/<form>/<when>`; null for other paths. */
export function latePath(path: string): { form: string; when: When } | null {
  const m = /^\/late\/([a-z+]+)\/(close|timer)$/.exec(path);
  return m ? { form: m[1]!, when: m[2] as When } : null;
}

/** The body halves as an async iterable (each half a view of `buf`). */
async function* halves(buf: Buffer): AsyncGenerator<Buffer> {
  yield buf.subarray(0, buf.length >> 1);
  await new Promise((r) => setImmediate(r));
  yield buf.subarray(buf.length >> 1);
}

/** The response body of `form` for HTTP2Server's sendResponse. */
function h2Body(form: string): ResponseBody {
  const buf = tracker.body();
  switch (form) {
    case 'buffer':
      return buf;
    case 'readable':
      return Readable.from([buf.subarray(0, 65536), buf.subarray(65536)], { objectMode: false });
    case 'iterable':
      return Readable.from(halves(buf), { objectMode: false });
    case 'generator':
    case 'info+trailers': {
      let done = false;
      return (size: number) => {
        if (done) return [null, DATA_EOF] as const;
        done = true;
        return [buf.subarray(0, Math.min(size, buf.length)), DATA_EOF] as const;
      };
    }
    default:
      throw new Error(`unknown form ${form}`);
  }
}

/** HTTP2Server handler: /late/<form>/<when> answers late with sendResponse({ body }). */
export class LateH2Handler extends BaseRequestHandler {
  #late: { form: string; when: When } | null = null;
  #closed = false;

  override onHeaders(): void {
    const path = String(this.path);
    const late = latePath(path);
    if (!late) {
      this.sendResponse({ body: 'ok' });
      return;
    }
    tracker.requests++;
    tracker.track('handler', this);
    this.#late = late;
    if (late.when === 'timer') setTimeout(() => this.#answer(), LATE_DELAY);
  }

  override onClose(): void {
    this.#closed = true;
    if (this.#late?.when === 'close') this.#answer();
  }

  #answer(): void {
    if (!this.#closed) tracker.early++;
    const body = h2Body(this.#late!.form);
    if (typeof body === 'object' && body !== null) tracker.track('stream', body);
    try {
      // 'info+trailers': a 103 before, trailer fields after the (generator) body
      const full = this.#late!.form === 'info+trailers';
      if (full) this.sendInfo(103, [['link', '</a.css>; rel=preload']]);
      this.sendResponse({ body, headers: [['content-type', 'application/octet-stream']] });
      if (full) this.sendTrailers([['x-checksum', '0']]);
      tracker.answered++;
    } catch (err) {
      tracker.errors.push(String(err));
    }
  }
}

/** Writes `buf` to `w` (a handler's wfile or a compat res) in the given form. */
function writeBody(w: NodeJS.WritableStream & { write(c: Buffer): boolean; end(c?: Buffer): unknown }, form: string,
  buf: Buffer): void {
  switch (form) {
    case 'end':
      w.end(buf);
      return;
    case 'writes':
      for (let off = 0; off < buf.length; off += 16384) w.write(buf.subarray(off, off + 16384));
      w.end();
      return;
    case 'pipe': {
      const r = Readable.from([buf.subarray(0, 65536), buf.subarray(65536)], { objectMode: false });
      tracker.track('stream', r);
      r.pipe(w);
      return;
    }
    case 'iterable': {
      const r = Readable.from(halves(buf), { objectMode: false });
      tracker.track('stream', r);
      pipeline(r, w as NodeJS.WritableStream, () => {});
      return;
    }
    default:
      throw new Error(`unknown form ${form}`);
  }
}

/** ThreadedSPDYServer handler (every protocol): /late/<form>/<when> answers late through wfile. */
export class LateSpdyHandler extends BaseSPDYRequestHandler {
  #onClosed: (() => void) | null = null;

  do_GET(): void | Promise<void> {
    const late = latePath(this.path ?? '/');
    if (!late) {
      this.sendResponse(200);
      this.wfile.end('ok');
      return;
    }
    tracker.requests++;
    tracker.track('handler', this);
    return new Promise<void>((resolve) => {
      const answer = (): void => {
        if (!this.closed) tracker.early++;
        try {
          this.sendResponse(200);
          this.sendHeader('content-type', 'application/octet-stream');
          writeBody(this.wfile, late.form, tracker.body());
          tracker.answered++;
        } catch (err) {
          tracker.errors.push(String(err));
        }
        resolve();
      };
      if (late.when === 'timer') setTimeout(answer, LATE_DELAY);
      else this.#onClosed = answer;
    });
  }

  override onClose(statusCode: number): void {
    super.onClose(statusCode);
    const f = this.#onClosed;
    this.#onClosed = null;
    f?.();
  }
}

/** The compat (createServer) app, a plain Express-style `(req, res)` handler. */
export function lateApp(req: CompatIncomingMessage, res: CompatServerResponse): void {
  const late = latePath(req.url ?? '/');
  if (!late) {
    res.end('ok');
    return;
  }
  tracker.requests++;
  tracker.track('handler', req);
  tracker.track('handler', res);
  let closed = false;
  res.once('close', () => { closed = true; });
  const answer = (): void => {
    if (!closed) tracker.early++;
    try {
      res.statusCode = 200;
      res.setHeader('content-type', 'application/octet-stream');
      writeBody(res as unknown as Parameters<typeof writeBody>[0], late.form, tracker.body());
      tracker.answered++;
    } catch (err) {
      tracker.errors.push(String(err));
    }
  };
  if (late.when === 'timer') setTimeout(answer, LATE_DELAY);
  else res.once('close', answer);
}
