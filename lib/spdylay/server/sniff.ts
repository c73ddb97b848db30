/**
 * Cleartext protocol detection: which protocol a connection speaks, from
 * its first bytes ({@link sniff}, a pure function), and the wiring that
 * reads those bytes from a socket with its timers ({@link sniffSocket}).
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';

import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1, SYN_STREAM } from '../constants.js';

/** The HTTP/2 client connection preface. */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** SPDY/3 WINDOW_UPDATE frame type. */
const WINDOW_UPDATE = 9;
/** Bytes of SPDY/3 frames read, looking for the SPDY/3.1 signature, before settling on SPDY/3. */
const SPDY31_SCAN_LIMIT = 65536;
/** How long a cleartext connection may take to show its protocol (ms). */
const SNIFF_MS = 10000;
/** How long to wait, in cleartext, for a SPDY/3.1 signature before the first SYN_STREAM (ms). */
const SPDY31_SNIFF_MS = 200;

/**
 * What the first bytes of a cleartext connection show:
 * - `incomplete`: too few bytes to tell;
 * - `spdy`: a SPDY control frame of `version` (`PROTO_SPDY2`, `PROTO_SPDY3`
 *   or `PROTO_SPDY3_1`); `final` is false for SPDY/3 frames that may still
 *   be followed by the SPDY/3.1 signature (a connection-level
 *   WINDOW_UPDATE before the first SYN_STREAM);
 * - `refused`: a SPDY control frame of another version;
 * - `h2`: bytes starting with `PRI` (the HTTP/2 preface, when complete);
 * - `http1`: anything else (an HTTP/1.x request line, or garbage).
 * @internal
 */
export type Sniffed =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'spdy'; readonly version: number; readonly final: boolean }
  | { readonly kind: 'refused' }
  | { readonly kind: 'h2' }
  | { readonly kind: 'http1' };

const INCOMPLETE: Sniffed = Object.freeze({ kind: 'incomplete' });
const REFUSED: Sniffed = Object.freeze({ kind: 'refused' });
const H2: Sniffed = Object.freeze({ kind: 'h2' });
const HTTP1: Sniffed = Object.freeze({ kind: 'http1' });

/**
 * Detects the protocol of a cleartext connection from the bytes received so
 * far.
 *
 * @param buf - Every byte received so far.
 * @internal
 */
export function sniff(buf: Buffer): Sniffed {
  if (buf.length === 0) return INCOMPLETE;
  if (buf[0]! & 0x80) {
    if (buf.length < 2) return INCOMPLETE;
    const v = buf[1]!;
    if (v === 2) return { kind: 'spdy', version: PROTO_SPDY2, final: true };
    if (v !== 3) return REFUSED;
    // SPDY/3 or 3.1: look for a connection-level WINDOW_UPDATE before the first SYN_STREAM
    let off = 0;
    while (off + 8 <= buf.length) {
      const control = (buf[off]! & 0x80) !== 0;
      const len = buf.readUIntBE(off + 5, 3);
      if (control) {
        const type = buf.readUInt16BE(off + 2);
        if (type === SYN_STREAM) break;
        if (type === WINDOW_UPDATE && off + 12 <= buf.length && (buf.readUInt32BE(off + 8) & 0x7fffffff) === 0) {
          return { kind: 'spdy', version: PROTO_SPDY3_1, final: true };
        }
      } else break;
      if (off + 8 + len > buf.length) return { kind: 'spdy', version: PROTO_SPDY3, final: false };
      off += 8 + len;
    }
    return { kind: 'spdy', version: PROTO_SPDY3, final: !(off + 8 > buf.length && buf.length < SPDY31_SCAN_LIMIT) };
  }
  const n = Math.min(buf.length, H2_PREFACE.length);
  if (buf.subarray(0, n).equals(H2_PREFACE.subarray(0, n)) && n < H2_PREFACE.length) return INCOMPLETE;
  return buf.length >= 3 && buf.subarray(0, 3).toString('latin1') === 'PRI' ? H2 : HTTP1;
}

/** What the detection of a socket's protocol reports to the server. @internal */
export interface SniffOwner {
  /** `headersTimeout` (ms, 0: none): detection takes min(10 s, this). */
  readonly headersTimeout: number;
  /** The version of a SPDY/3 connection that shows no SPDY/3.1 signature. */
  readonly plainSpdy3Version: number;
  /** Detection done: `spdyVersion` is the SPDY version, or 0 when the bytes are not SPDY. */
  detected(socket: net.Socket, initial: Buffer, spdyVersion: number): void;
  /** A SPDY control frame of a version not served: the socket is to be dropped. */
  refused(socket: net.Socket): void;
  /** The socket closed during detection. */
  lost(socket: net.Socket): void;
  /** Detection did not finish in time. */
  timedOut(socket: net.Socket): void;
  /** The socket failed during detection. */
  socketError(err: Error, socket: net.Socket): void;
}

/**
 * Reads the first bytes of `socket` until {@link sniff} tells its
 * protocol, then hands the socket and the bytes to `owner`. SPDY/3 frames
 * wait up to 200 ms for the SPDY/3.1 signature.
 * @internal
 */
export function sniffSocket(socket: net.Socket, owner: SniffOwner): void {
  let buf: Buffer = Buffer.alloc(0);
  let timer: NodeJS.Timeout | null = null;
  let spdyTimer: NodeJS.Timeout | null = null;
  const done = (fn: () => void): void => {
    socket.off('data', onData);
    socket.off('close', onClose);
    socket.off('error', onError);
    if (timer) clearTimeout(timer);
    if (spdyTimer) clearTimeout(spdyTimer);
    timer = spdyTimer = null;
    fn();
  };
  const onClose = (): void => done(() => owner.lost(socket));
  const onError = (err: Error): void => owner.socketError(err, socket);
  const asSpdy3 = (): void => owner.detected(socket, buf, owner.plainSpdy3Version);
  const decide = (): void => {
    const s = sniff(buf);
    switch (s.kind) {
      case 'incomplete': return;
      case 'refused': return done(() => owner.refused(socket));
      case 'spdy':
        if (s.version !== PROTO_SPDY3) return done(() => owner.detected(socket, buf, s.version));
        if (!s.final) {
          spdyTimer ??= setTimeout(() => done(asSpdy3), SPDY31_SNIFF_MS);
          return;
        }
        return done(asSpdy3);
      default: return done(() => owner.detected(socket, buf, 0));
    }
  };
  const onData = (d: Buffer): void => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    decide();
  };
  socket.on('data', onData);
  socket.on('close', onClose);
  socket.on('error', onError);
  // detection is part of the request head: min(SNIFF_MS, headersTimeout)
  const ht = owner.headersTimeout;
  timer = setTimeout(() => done(() => owner.timedOut(socket)), ht > 0 ? Math.min(SNIFF_MS, ht) : SNIFF_MS);
  timer.unref();
}
