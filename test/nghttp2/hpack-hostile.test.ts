// HDInflater under hostile header blocks: real blocks (our deflater's and the
// hpack-test-case encoders') mutated the ways a peer can (bytes flipped,
// truncated, spliced, random indexed references, dynamic table size updates,
// random tails), fed to a Buffer-mode and a string-mode inflater side by side.
// Both are nghttp2 underneath, but the string mode keeps its own copy of the
// dynamic table (JS strings) and reads the block through records of its own:
// every block must give both the same list (the string mode's = the Buffer
// mode's read as latin1) or the same error, leave both equally usable, and
// later blocks referring to the table must still agree. Runs under the ASan
// build too (scripts/test-asan.sh).
import { describe, expect, it } from 'vitest';

import {
  HDDeflater,
  HDInflater,
  HeaderCompressionError,
  HeaderListTooLargeError,
  NGHTTP2Error,
  type HeaderField,
} from '../../lib/nghttp2/index.js';
import { stories } from '../helpers/hpack-corpus.js';
import { rng } from '../helpers/rng.js';

type Outcome =
  | { list: [string, string][] }
  | { error: string; usable: boolean };

function run(f: () => [string, string][], inf: { usable: boolean }): Outcome {
  try {
    return { list: f() };
  } catch (err) {
    // Only the typed errors of the contract; anything else fails the test.
    if (!(err instanceof NGHTTP2Error)) throw err;
    return { error: err.constructor.name, usable: inf.usable };
  }
}

/** HPACK integer with an n-bit prefix, first byte ORed with `flags`. */
function hpackInt(flags: number, prefix: number, v: number): number[] {
  const max = (1 << prefix) - 1;
  if (v < max) return [flags | v];
  const out = [flags | max];
  v -= max;
  while (v >= 128) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Real header blocks to start from: the corpus encoders' blocks, in order per story. */
function corpusBlocks(): Buffer[][] {
  const out: Buffer[][] = [];
  for (const folder of ['nghttp2', 'go-hpack', 'python-hpack']) {
    for (const [, story] of stories(folder)) {
      out.push(story.cases.map((c) => Buffer.from(c.wire!, 'hex')));
    }
  }
  return out;
}

/** One mutation of `block` a peer could send. */
function mutate(r: () => number, block: Buffer, other: Buffer): Buffer {
  const b = Buffer.from(block);
  switch (Math.floor(r() * 9)) {
    case 0: // flip some bytes
      for (let k = 0, n = 1 + Math.floor(r() * 3); k < n && b.length > 0; k++) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
      return b;
    case 1: // truncated
      return b.subarray(0, Math.floor(r() * b.length));
    case 2: // spliced with another block
      return Buffer.concat([b.subarray(0, Math.floor(r() * (b.length + 1))), other.subarray(Math.floor(r() * (other.length + 1)))]);
    case 3: // indexed references, in range or past it, appended
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + Math.floor(r() * 6) }, () => hpackInt(0x80, 7, 1 + Math.floor(r() * 90))).flat())]);
    case 4: // a dynamic table size update first (often to a size that evicts)
      return Buffer.concat([Buffer.from(hpackInt(0x20, 5, Math.floor(r() * 4200))), b]);
    case 5: // a size update in the middle (not allowed there)
      return Buffer.concat([b.subarray(0, Math.floor(r() * (b.length + 1))), Buffer.from(hpackInt(0x20, 5, Math.floor(r() * 300))), b.subarray(Math.floor(r() * (b.length + 1)))]);
    case 6: // random tail
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + Math.floor(r() * 12) }, () => Math.floor(r() * 256)))]);
    case 7: // literal with incremental indexing, indexed name (possibly a dynamic one), random value bytes
      return Buffer.concat([b, Buffer.from(hpackInt(0x40, 6, Math.floor(r() * 80))), Buffer.from(hpackInt(0, 7, 20)),
        Buffer.from(Array.from({ length: 20 }, () => Math.floor(r() * 256)))]);
    default: // unchanged
      return b;
  }
}

/** A Buffer-mode and a string-mode inflater, fed the same blocks. */
class Pair {
  bytes: HDInflater;
  strings: HDInflater<true>;
  constructor(readonly limit: number) {
    this.bytes = new HDInflater({ maxHeaderListSize: limit });
    this.strings = new HDInflater({ maxHeaderListSize: limit, strings: true });
  }
  /** Feeds `block` to both; returns what they gave, after checking they agree. */
  feed(block: Buffer, where: string): Outcome {
    const a = run(() => this.bytes.inflate(block).map(([n, v]) => [n.toString('latin1'), v.toString('latin1')]), this.bytes);
    const b = run(() => this.strings.inflate(block), this.strings);
    expect(b, where).toEqual(a);
    expect(this.strings.usable, where).toBe(this.bytes.usable);
    expect(this.strings.dynamicTableSize, where).toBe(this.bytes.dynamicTableSize);
    return a;
  }
}

describe('HDInflater, both modes, under hostile header blocks', () => {
  it('mutated corpus blocks: the same list or the same error in both modes, the table copies still in step', () => {
    const r = rng(0xb10c);
    const all = corpusBlocks();
    const tally = { lists: 0, compression: 0, tooLarge: 0, unusable: 0, fields: 0 };
    for (let round = 0; round < 2; round++) {
      for (const [s, whole] of all.entries()) {
        const story = whole.slice(0, 60);
        const limit = [0, 0, 400, 4096][(s + round) % 4];
        let pair = new Pair(limit);
        for (const [c, block] of story.entries()) {
          const where = `round ${round} story ${s} case ${c}`;
          const hostile = r() < 0.15;
          const out = pair.feed(hostile ? mutate(r, block, story[Math.floor(r() * story.length)]) : block, where);
          if ('list' in out) {
            tally.lists++;
            tally.fields += out.list.length;
          } else if (out.error === HeaderListTooLargeError.name) {
            tally.tooLarge++;
          } else {
            expect(out.error).toBe(HeaderCompressionError.name);
            tally.compression++;
          }
          if (!pair.bytes.usable) {
            // Every later block fails the same way; a peer would be gone
            // (GOAWAY). Start again from the story's blocks as sent.
            expect(pair.feed(block, `${where} (after)`)).toEqual(out);
            tally.unusable++;
            pair = new Pair(limit);
            for (const prev of story.slice(0, c + 1)) pair.feed(prev, `${where} (replay)`);
          }
        }
      }
    }
    // Every kind of outcome happened, many times.
    expect(tally.lists).toBeGreaterThan(2000);
    expect(tally.compression).toBeGreaterThan(100);
    expect(tally.tooLarge).toBeGreaterThan(20);
    expect(tally.unusable).toBeGreaterThan(100);
    expect(tally.fields).toBeGreaterThan(20000);
  });

  it('deflated lists with bytes of every value, long entries and size updates, then mutated: both modes agree', () => {
    const r = rng(0x5eed5);
    const probes = { lists: 0, errors: 0 };
    for (let story = 0; story < 12; story++) {
      const deflater = new HDDeflater();
      const pair = new Pair(story % 3 === 0 ? 1500 : 0);
      const sent: Buffer[] = [];
      for (let blk = 0; blk < 120; blk++) {
        if (blk % 30 === 29) {
          const size = [256, 0, 64, 4096, 1000][(story + blk) % 5];
          pair.bytes.changeTableSize(size);
          pair.strings.changeTableSize(size);
          deflater.changeTableSize(size);
        }
        const list: HeaderField[] = [];
        for (let i = 0, n = 1 + Math.floor(r() * 10); i < n; i++) {
          const name = r() < 0.7 ? `x-h${Math.floor(r() * 12)}` : Buffer.from(Array.from({ length: 1 + Math.floor(r() * 20) }, () => 0x21 + Math.floor(r() * 94)));
          const len = r() < 0.05 ? 200 + Math.floor(r() * 3000) : Math.floor(r() * 30);
          const value = r() < 0.5 ? 'v'.repeat(len) + String(Math.floor(r() * 4)) : Buffer.from(Array.from({ length: len }, () => Math.floor(r() * 256)));
          list.push([name, value, r() < 0.1]);
        }
        const block = Buffer.from(deflater.deflate(list));
        sent.push(block);
        const out = pair.feed(block, `story ${story} block ${blk}`);
        if (!('list' in out)) {
          // Only the limit can refuse our own deflater's blocks; both stay usable.
          expect(out).toEqual({ error: HeaderListTooLargeError.name, usable: true });
          continue;
        }
        expect(out.list).toEqual(list.map(([n, v]) => [Buffer.from(n).toString('latin1'), Buffer.from(v).toString('latin1')]));
        // A hostile variant to fresh inflaters that have seen the same blocks.
        if (blk % 10 === 9) {
          const probe = new Pair(pair.limit);
          for (const prev of sent.slice(0, -1)) probe.feed(prev, `story ${story} replay`);
          const hostile = mutate(r, block, sent[Math.floor(r() * sent.length)]);
          const res = probe.feed(hostile, `story ${story} block ${blk} mutated`);
          probes['list' in res ? 'lists' : 'errors']++;
        }
      }
    }
    expect(probes.lists).toBeGreaterThan(10);
    expect(probes.errors).toBeGreaterThan(10);
  });

  it('random bytes: both modes throw the same typed errors, never anything else', () => {
    const r = rng(0xdead);
    let errors = 0;
    for (let n = 0; n < 3000; n++) {
      const pair = new Pair(n % 2 ? 0 : 256);
      const block = Buffer.from(Array.from({ length: 1 + (n % 80) }, () => Math.floor(r() * 256)));
      if (!('list' in pair.feed(block, `random ${n}`))) errors++;
    }
    expect(errors).toBeGreaterThan(1500);
  });
});
