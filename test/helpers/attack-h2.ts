// HTTP/2 attack builders for the hardening tests (on top of h2raw.ts, which
// has the frame and HPACK builders): the HPACK bomb, CONTINUATION
// splitting, PINGs with a counter, a raw connection that has done its
// SETTINGS exchange, and Node http2 clients.
import { execFile } from 'node:child_process';
import * as http2 from 'node:http2';

import {
  FrameType, PREFACE, RawClient, frame, hpackLiteral, hpackRequest, settingsFrame, type Frame,
} from './h2raw.js';

export const NO_ERROR = 0;
export const PROTOCOL_ERROR = 1;
export const ENHANCE_YOUR_CALM = 11;

const END_STREAM = 0x1;
const END_HEADERS = 0x4;

/** Size of the bomb's table entry: name + value + 32 = 4096, the whole default table. */
export const BOMB_NAME = 'x-bomb';
export const BOMB_VALUE = Buffer.alloc(4096 - 32 - BOMB_NAME.length, 0x61);

/** A GET whose block adds the ~4 KiB bomb entry to the dynamic table (an ordinary, acceptable request). */
export function seedRequest(streamId: number, path = '/'): Buffer {
  return frame(FrameType.HEADERS, END_STREAM | END_HEADERS, streamId,
    Buffer.concat([hpackRequest(path), hpackLiteral(BOMB_NAME, BOMB_VALUE, true)]));
}

/** Header block of a GET that indexes dynamic entry 62 (0xBE, the bomb entry) `count` times. */
export function bombBlock(count: number, path = '/'): Buffer {
  return Buffer.concat([hpackRequest(path), Buffer.alloc(count, 0xbe)]);
}

/** One HEADERS frame carrying the whole bomb block (keep `count` under ~16,300 for the 16 KiB frame limit). */
export function bombHeaders(streamId: number, count: number, path = '/'): Buffer {
  return frame(FrameType.HEADERS, END_STREAM | END_HEADERS, streamId, bombBlock(count, path));
}

/**
 * A header block cut into a HEADERS frame and CONTINUATION frames of at
 * most `piece` bytes each (END_HEADERS on the last).
 */
export function continuationFrames(streamId: number, block: Buffer, piece = 16384): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < block.length; off += piece) {
    const last = off + piece >= block.length;
    const type = off === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
    const flags = (off === 0 ? END_STREAM : 0) | (last ? END_HEADERS : 0);
    out.push(frame(type, flags, streamId, block.subarray(off, off + piece)));
  }
  return out;
}

export function ping(n: number, ack = false): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(n >>> 0, 4);
  return frame(FrameType.PING, ack ? 1 : 0, 0, p);
}

/** GOAWAY fields. */
export function goaway(f: Frame): { lastStreamId: number; code: number } {
  return { lastStreamId: f.payload.readUInt32BE(0) & 0x7fffffff, code: f.payload.readUInt32BE(4) };
}

export const isGoaway = (f: Frame): boolean => f.type === FrameType.GOAWAY;
export const isRst = (id: number) => (f: Frame): boolean => f.type === FrameType.RST_STREAM && f.streamId === id;
export const rstCode = (f: Frame): number => f.payload.readUInt32BE(0);

/** The DATA payload of stream `id` received so far, and whether END_STREAM came. */
export function streamBody(c: RawClient, id: number): { body: Buffer; ended: boolean } {
  const fs = c.frames.filter((f) => f.type === FrameType.DATA && f.streamId === id);
  return { body: Buffer.concat(fs.map((f) => f.payload)), ended: fs.some((f) => (f.flags & END_STREAM) !== 0) };
}

/** Waits until stream `id` ended (DATA or HEADERS with END_STREAM) and returns its body. */
export async function awaitBody(c: RawClient, id: number, timeoutMs = 5000): Promise<Buffer> {
  await c.waitFor((f) => (f.type === FrameType.DATA || f.type === FrameType.HEADERS) && f.streamId === id
    && (f.flags & END_STREAM) !== 0, timeoutMs);
  return streamBody(c, id).body;
}

/**
 * A raw connection that sent the preface and `settings`, received the
 * server's SETTINGS and acked them.
 */
export async function openRaw(port: number, settings: [number, number][] = []): Promise<RawClient> {
  const c = new RawClient(port);
  await c.connected;
  c.write(PREFACE, settingsFrame(settings));
  await c.waitFor((f) => f.type === FrameType.SETTINGS && (f.flags & 1) === 0, 5000);
  c.write(settingsFrame([], true));
  return c;
}

/** Node http2 client GET; resolves with status and body length (or rejects). */
export function nodeGet(session: http2.ClientHttp2Session, path: string, timeoutMs = 5000): Promise<{ status: number; length: number }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path });
    let status = 0;
    let length = 0;
    const timer = setTimeout(() => { req.close(http2.constants.NGHTTP2_CANCEL); reject(new Error(`GET ${path}: no answer in ${timeoutMs} ms`)); }, timeoutMs);
    req.on('response', (h) => { status = Number(h[':status']); });
    req.on('data', (c: Buffer) => { length += c.length; });
    req.on('end', () => { clearTimeout(timer); resolve({ status, length }); });
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    req.on('close', () => {
      clearTimeout(timer);
      if (req.rstCode) reject(new Error(`GET ${path}: stream reset ${req.rstCode}`));
    });
    req.end();
  });
}

export function nodeConnect(port: number, options: http2.ClientSessionOptions = {}): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = http2.connect(`http://127.0.0.1:${port}`, options);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** A fresh Node http2 connection per call: GET `path`, expect 200, close. */
export async function legitH2(port: number, path = '/'): Promise<void> {
  const s = await nodeConnect(port);
  s.on('error', () => {});
  try {
    const r = await nodeGet(s, path);
    if (r.status !== 200) throw new Error(`GET ${path}: status ${r.status}`);
  } finally {
    s.destroy();
  }
}

const CHILD_CLIENT = `
const http2 = require('node:http2');
const [port, path, count] = [Number(process.argv[1]), process.argv[2], Number(process.argv[3])];
const s = http2.connect('http://127.0.0.1:' + port, { settings: { initialWindowSize: 2 ** 31 - 1 } });
s.on('error', (e) => { console.error(String(e)); process.exit(2); });
s.on('connect', () => s.setLocalWindowSize(2 ** 31 - 1));
Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
  const req = s.request({ ':path': path });
  let status = 0, length = 0;
  req.on('response', (h) => { status = Number(h[':status']); });
  req.on('data', (c) => { length += c.length; });
  req.on('end', () => resolve({ status, length }));
  req.on('error', reject);
}))).then((r) => { process.stdout.write(JSON.stringify(r)); s.close(); }, (e) => { console.error(String(e)); process.exit(3); });
`;

/**
 * An ordinary Node http2 client with 2 GiB windows in a child process (so
 * that its buffers do not count in this process's memory): GETs `path`
 * `count` times at once on one connection; resolves with each status and
 * body length. Killed after `timeoutMs`.
 */
export function childH2Get(port: number, path: string, count: number, timeoutMs = 30_000): Promise<{ status: number; length: number }[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', CHILD_CLIENT, String(port), path, String(count)], { timeout: timeoutMs, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`child client failed: ${err.message} ${stderr}`));
        else resolve(JSON.parse(stdout) as { status: number; length: number }[]);
      });
  });
}
