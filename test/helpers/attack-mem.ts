// Memory and event helpers of the hardening tests: a probe that samples
// heap + external (and RSS) during an attack, a forced GC, and a collector
// of the servers' 'limitExceeded' events.
import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

import { expect } from 'vitest';

import type { LimitExceededInfo } from '../../lib/limits.js';

export const MiB = 1024 * 1024;

let gcFn: (() => void) | null = (globalThis as { gc?: () => void }).gc ?? null;
if (!gcFn) {
  try {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  } catch {
    gcFn = null;
  }
}

/** Runs a full GC twice when it can (exposed via v8 flags), else does nothing. */
export function gc(): void {
  gcFn?.();
  gcFn?.();
}

export const hasGc = (): boolean => gcFn !== null;

/** JS heap plus memory outside it that JS objects hold (Buffers, ArrayBuffers), in bytes. */
export function heapAndExternal(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

export interface MemReport {
  /** heap + external growth after the attack, after a GC, in bytes. */
  retained: number;
  /** Highest heap + external seen while sampling, minus the baseline. */
  peak: number;
  /** Highest RSS seen while sampling, minus the RSS at start. */
  rssPeak: number;
}

/**
 * Samples heap + external and RSS every `intervalMs` between start() and
 * stop(). Each sample runs a GC first (when it can), so that the peak is
 * memory something still holds, not garbage V8 has not collected yet (it
 * lets up to 64 MiB of dead Buffers pile up before it collects). A blocked
 * event loop misses samples, so stop() also measures once more, before and
 * after a GC.
 */
export class MemProbe {
  #base = 0;
  #rssBase = 0;
  #peak = 0;
  #rssPeak = 0;
  #timer: NodeJS.Timeout | null = null;

  start(intervalMs = 50): this {
    gc();
    this.#base = heapAndExternal();
    this.#rssBase = process.memoryUsage().rss;
    this.#peak = this.#base;
    this.#rssPeak = this.#rssBase;
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
    return this;
  }

  sample(collect = true): void {
    if (collect) gcFn?.();
    const m = process.memoryUsage();
    this.#peak = Math.max(this.#peak, m.heapUsed + m.external);
    this.#rssPeak = Math.max(this.#rssPeak, m.rss);
  }

  stop(): MemReport {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.sample(false);
    gc();
    this.sample(false);
    const r = {
      retained: heapAndExternal() - this.#base,
      peak: this.#peak - this.#base,
      rssPeak: this.#rssPeak - this.#rssBase,
    };
    // ATTACK_DEBUG=1 prints every measurement (to see the margins).
    if (process.env.ATTACK_DEBUG) console.log(`[mem] ${expect.getState().currentTestName}: ${fmtMem(r)}`);
    return r;
  }
}

/** Formats a MemReport in MiB for failure messages. */
export function fmtMem(r: MemReport): string {
  const f = (n: number): string => (n / MiB).toFixed(1);
  return `retained ${f(r.retained)} MiB, peak heap+external +${f(r.peak)} MiB, peak RSS +${f(r.rssPeak)} MiB`;
}

const LIMITS = ['maxHeaderListSize', 'maxSessionMemory', 'maxOutboundAck', 'maxEmptyFrames', 'streamResetRate',
  'maxContinuations', 'headersTimeout', 'idleTimeout'];
const PROTOCOLS = ['h2', 'spdy/3.1', 'spdy/3', 'spdy/2', 'http/1.1'];
const ACTIONS = ['RST_STREAM', 'GOAWAY', '408', '431', 'close'];

/** What is wrong with a 'limitExceeded' payload against LimitExceededInfo (empty when nothing). */
export function checkLimitInfo(i: LimitExceededInfo): string[] {
  const bad: string[] = [];
  if (!LIMITS.includes(i.limit)) bad.push(`limit ${String(i.limit)}`);
  if (i.scope !== 'stream' && i.scope !== 'connection') bad.push(`scope ${String(i.scope)}`);
  // null: the TLS handshake or cleartext detection did not finish (the socket is just closed)
  if (i.protocol === null ? !(i.scope === 'connection' && i.action === 'close') : !PROTOCOLS.includes(i.protocol)) {
    bad.push(`protocol ${String(i.protocol)} with action ${i.action}`);
  }
  if (!ACTIONS.includes(i.action)) bad.push(`action ${String(i.action)}`);
  if (i.scope === 'stream' && !(Number.isInteger(i.streamId) && i.streamId! > 0)) bad.push(`stream scope with streamId ${String(i.streamId)}`);
  if (i.scope === 'stream' && i.action !== 'RST_STREAM') bad.push(`stream scope with action ${i.action}`);
  if (i.scope === 'connection' && i.streamId !== null) bad.push(`connection scope with streamId ${String(i.streamId)}`);
  if (i.code !== null && !Number.isInteger(i.code)) bad.push(`code ${String(i.code)}`);
  if ((i.action === '408' || i.action === '431') && i.code !== Number(i.action)) bad.push(`action ${i.action} with code ${String(i.code)}`);
  const a = i.clientAddress;
  if (!Array.isArray(a) || a.length !== 2 || typeof a[0] !== 'string' || !a[0].includes('127.0.0.1')
    || !Number.isInteger(a[1]) || a[1] <= 0) bad.push(`clientAddress ${JSON.stringify(a)}`);
  return bad;
}

const invalid: string[] = [];

/** Malformed 'limitExceeded' payloads seen by every LimitEvents since the last call (check it in afterEach). */
export function takeInvalidEvents(): string[] {
  return invalid.splice(0);
}

/** Collects a server's 'limitExceeded' events (and checks each payload's shape, see takeInvalidEvents). */
export class LimitEvents {
  readonly list: LimitExceededInfo[] = [];
  #waiters: (() => void)[] = [];

  constructor(emitter: EventEmitter) {
    emitter.on('limitExceeded', (info: LimitExceededInfo) => {
      const bad = checkLimitInfo(info);
      if (bad.length) invalid.push(`${info.limit}/${info.protocol}: ${bad.join(', ')}`);
      this.list.push(info);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Resolves with the first event matching `pred`; rejects after `timeoutMs` listing what was seen. */
  waitFor(pred: (i: LimitExceededInfo) => boolean, timeoutMs = 5000): Promise<LimitExceededInfo> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `no matching 'limitExceeded' event in ${timeoutMs} ms (seen: ${JSON.stringify(this.list)})`)), timeoutMs);
      const check = (): void => {
        const hit = this.list.find(pred);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else {
          this.#waiters.push(check);
        }
      };
      check();
    });
  }

  /** Waits for the event of limit `limit` (and `scope` when given). */
  limit(limit: LimitExceededInfo['limit'], scope?: LimitExceededInfo['scope'], timeoutMs = 5000): Promise<LimitExceededInfo> {
    return this.waitFor((i) => i.limit === limit && (scope === undefined || i.scope === scope), timeoutMs);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 10 ms; rejects with `what` after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not met in ${ms} ms`);
    await sleep(10);
  }
}

/**
 * Runs `one()` again and again (sequentially, every `gapMs`) until stop(),
 * recording each outcome: the legitimate client that must be served while
 * an attack runs. Bounded: at most `max` calls.
 */
export class Legit {
  readonly ok: number[] = [];
  readonly failures: string[] = [];
  #stopped = false;
  #loop: Promise<void>;

  constructor(one: () => Promise<unknown>, gapMs = 50, max = 400) {
    this.#loop = (async () => {
      for (let i = 0; i < max && !this.#stopped; i++) {
        const t0 = Date.now();
        try {
          await one();
          this.ok.push(Date.now() - t0);
        } catch (err) {
          this.failures.push(String((err as Error)?.message ?? err));
        }
        await sleep(gapMs);
      }
    })();
  }

  /** Stops after the call in progress; resolves when it finished. */
  async stop(): Promise<this> {
    this.#stopped = true;
    await this.#loop;
    return this;
  }
}

/** What endAttack checks besides the legitimate client's failures. */
export interface EndAttackOptions {
  /** Raw connections to destroy once the legitimate client stopped. */
  conns?: { destroy(): void }[];
  /** Whether the legitimate client must have been served at least once (default true). */
  served?: boolean;
  /** Bound on the probe's peak, in bytes (default 64 MiB). */
  peak?: number;
}

/**
 * Ends an attack case: stops `probe`, then `legit`, destroys `opts.conns`,
 * and asserts that the legitimate client saw no failure (and was served, see
 * `opts.served`) and that the memory peak stayed under `opts.peak`. Returns
 * the probe's report for further checks.
 */
export async function endAttack(probe: MemProbe, legit: Legit, opts: EndAttackOptions = {}): Promise<MemReport> {
  const mem = probe.stop();
  await legit.stop();
  for (const c of opts.conns ?? []) c.destroy();
  expect(legit.failures).toEqual([]);
  if (opts.served ?? true) expect(legit.ok.length).toBeGreaterThan(0);
  expect(mem.peak, fmtMem(mem)).toBeLessThan(opts.peak ?? 64 * MiB);
  return mem;
}

/**
 * Floods `c` (whose reader is paused) with `batch`, `perBatch` frames at a
 * time, until the server reports a limit in `events` or, with
 * `untilClosed`, closes `c`. Bounded: at most 400 batches or 15 s, and never
 * more than 1 MiB unsent on this side. Returns how many frames were written.
 */
export async function floodPaused(c: { socket: Socket; isClosed: boolean }, batch: Buffer, perBatch: number,
  events: LimitEvents, untilClosed = true): Promise<number> {
  const deadline = Date.now() + 15_000;
  const going = (): boolean => (!untilClosed || !c.isClosed) && events.list.length === 0 && Date.now() < deadline;
  let sent = 0;
  for (let i = 0; i < 400 && going(); i++) {
    c.socket.write(batch);
    sent += perBatch;
    while (c.socket.writableLength > MiB && going()) await sleep(5);
    if (i % 10 === 0) await sleep(0);
  }
  return sent;
}
