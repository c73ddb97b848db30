// createServer under a hostile client: the bounds that only the drop-in
// server adds on top of the engines' own limits. The X_FORWARDED_FOR
// extension (h2 frame 0xde, SPDY control frame 0xf000) carries a value the
// client chooses, and request trailers arrive after the body, through a path
// of their own. Each case asserts what the attacker gets, what the app sees,
// and that the connection (or a fresh one) still serves a plain request.
import { afterEach, describe, expect, it } from 'vitest';

import { type CompatServer, createServer } from '../../../lib/index.js';
import { ENHANCE_YOUR_CALM, isRst, openRaw, rstCode } from '../../helpers/attack-h2.js';
import {
  FLAG_FIN, RST, RawSpdy3, T, control, dataFrame, isSpdyRst, nvBlock,
} from '../../helpers/attack-spdy.js';
import { closeServer, listen } from '../../helpers/compat-core.js';
import { FrameType, frame, hpackLiteral, hpackRequest, type RawClient } from '../../helpers/h2raw.js';

const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const XFF_H2 = 0xde;
const XFF_SPDY = 0xf000;

const servers: CompatServer[] = [];
const clients: { socket: { destroy(): void } }[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await Promise.all(servers.splice(0).map((s) => closeServer(s)));
});

interface Seen {
  url: string;
  xff: string | undefined;
  body: number;
  trailers: Record<string, string>;
}

/** A plain (cleartext, sniffed) server with x-forwarded-for on, recording what the app sees. */
async function start(): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer({ spdy: { plain: true, 'x-forwarded-for': true } }, (req, res) => {
    let body = 0;
    req.on('data', (c: Buffer) => { body += c.length; });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', xff: req.headers['x-forwarded-for'] as string | undefined, body, trailers: { ...req.trailers } });
      res.end('ok');
    });
  });
  servers.push(server);
  return { port: await listen(server), seen };
}

function xffPayloadH2(host: string | Buffer): Buffer {
  return Buffer.from(host);
}

function xffPayloadSpdy(host: Buffer): Buffer {
  const n = Buffer.alloc(4);
  n.writeUInt32BE(host.length, 0);
  return Buffer.concat([n, host]);
}

async function h2Get(c: RawClient, id: number, path: string): Promise<string> {
  c.write(frame(FrameType.HEADERS, END_STREAM | END_HEADERS, id, hpackRequest(path)));
  await c.waitFor((f) => f.streamId === id && f.type === FrameType.DATA && (f.flags & END_STREAM) !== 0);
  return Buffer.concat(c.frames.filter((f) => f.streamId === id && f.type === FrameType.DATA).map((f) => f.payload)).toString();
}

describe('createServer under a hostile client: X_FORWARDED_FOR', () => {
  it('h2: an X_FORWARDED_FOR frame (0xde) of 16 KiB, sent 64 times, gives the app at most 1 KiB of it', async () => {
    const { port, seen } = await start();
    const c = await openRaw(port);
    clients.push(c);
    const host = Buffer.alloc(16 * 1024 - 1, 0x61);
    for (let i = 0; i < 64; i++) c.write(frame(XFF_H2, 0, 0, xffPayloadH2(host)));
    expect(await h2Get(c, 1, '/after-xff')).toBe('ok');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.xff).toBe('a'.repeat(1024));
    // a later, short frame replaces the value
    c.write(frame(XFF_H2, 0, 0, xffPayloadH2('10.0.0.7')));
    expect(await h2Get(c, 3, '/again')).toBe('ok');
    expect(seen[1]!.xff).toBe('10.0.0.7');
    expect(c.frames.some((f) => f.type === FrameType.GOAWAY)).toBe(false);
  });

  it('SPDY/3.1: an X_FORWARDED_FOR control frame larger than the control-frame buffer is dropped unread (an unknown control frame); the stream after it is served', async () => {
    const { port, seen } = await start();
    const c = new RawSpdy3(port);
    clients.push(c);
    await c.connected;
    // 1 MiB of host: over maxHeaderListSize (64 KiB) + 8 KiB, the most a control frame may carry
    c.write(control(XFF_SPDY, 0, xffPayloadSpdy(Buffer.alloc(1024 * 1024, 0x62))));
    c.write(await c.syn(1, '/after-big-xff'));
    expect((await c.body(1)).toString()).toBe('ok');
    expect(seen.find((s) => s.url === '/after-big-xff')?.xff).toBeUndefined();
    // a frame within bounds on the same connection still counts
    c.write(control(XFF_SPDY, 0, xffPayloadSpdy(Buffer.from('10.0.0.8'))));
    c.write(await c.syn(3, '/next'));
    expect((await c.body(3)).toString()).toBe('ok');
    expect(seen.find((s) => s.url === '/next')?.xff).toBe('10.0.0.8');
    expect(c.goaway).toBeUndefined();
  });
});

describe('createServer under a hostile client: oversized request trailers', () => {
  it('h2: trailers that decode past maxHeaderListSize (64 KiB) get RST_STREAM ENHANCE_YOUR_CALM; the connection serves the next stream', async () => {
    const { port, seen } = await start();
    const c = await openRaw(port);
    clients.push(c);
    c.write(frame(FrameType.HEADERS, END_HEADERS, 1, hpackRequest('/upload', 'POST')));
    c.write(frame(FrameType.DATA, 0, 1, Buffer.from('body')));
    // 10 literal fields of 8 KiB each: 80 KiB of trailer fields, in 16 KiB frames
    const block = Buffer.concat(Array.from({ length: 10 }, (_, i) => hpackLiteral(`x-t${i}`, Buffer.alloc(8192, 0x74))));
    for (let off = 0; off < block.length; off += 16384) {
      const first = off === 0;
      const last = off + 16384 >= block.length;
      c.write(frame(first ? FrameType.HEADERS : FrameType.CONTINUATION,
        (first ? END_STREAM : 0) | (last ? END_HEADERS : 0), 1, block.subarray(off, off + 16384)));
    }
    const rst = await c.waitFor(isRst(1), 5000);
    expect(rstCode(rst)).toBe(ENHANCE_YOUR_CALM);
    expect(await h2Get(c, 3, '/next')).toBe('ok');
    expect(seen.find((s) => s.url === '/upload')).toBeUndefined();
    expect(c.frames.some((f) => f.type === FrameType.GOAWAY)).toBe(false);
  });

  it('SPDY/3.1: a trailing HEADERS frame that inflates past maxHeaderListSize gets RST_STREAM FRAME_TOO_LARGE; the connection serves the next stream', async () => {
    const { port, seen } = await start();
    const c = new RawSpdy3(port);
    clients.push(c);
    await c.connected;
    c.write(await c.syn(1, '/upload', [], 0, 'POST'));
    c.write(dataFrame(1, 0, Buffer.from('body')));
    const nv = nvBlock(Array.from({ length: 10 }, (_, i): [string, string] => [`x-t${i}`, 't'.repeat(8192)]));
    const fixed = Buffer.alloc(4);
    fixed.writeUInt32BE(1, 0);
    c.write(control(T.HEADERS, FLAG_FIN, Buffer.concat([fixed, await c.deflater.compress(nv)])));
    const rst = await c.waitFor(isSpdyRst(1), 5000);
    expect(rst.payload.readUInt32BE(4)).toBe(RST.FRAME_TOO_LARGE);
    c.write(await c.syn(3, '/next'));
    expect((await c.body(3)).toString()).toBe('ok');
    expect(seen.find((s) => s.url === '/upload')).toBeUndefined();
    expect(c.goaway).toBeUndefined();
  });
});
