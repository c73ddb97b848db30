// HDInflater's string mode ({ strings: true }): every header list equals
// nghttp2's own decoding of the same block (the Buffer mode, read as latin1)
// over the whole hpack-test-case corpus (blocks encoded by nghttp2, go-hpack
// and python-hpack, and our deflater's raw-data round trip), and the strings
// kept for dynamic table entries stay right through eviction, table size
// changes, oversized entries, blocks past maxHeaderListSize and big blocks.
import v8 from 'node:v8';
import vm from 'node:vm';

import { describe, expect, it } from 'vitest';

import {
  HDDeflater,
  HDInflater,
  HeaderCompressionError,
  HeaderListTooLargeError,
  type HeaderField,
} from '../../lib/nghttp2/index.js';
import { ArgumentError } from '../../lib/errors.js';
import { native } from '../../lib/native.js';
import { type Case, folders, stories } from '../helpers/hpack-corpus.js';

const fields = (c: Case): [string, string][] =>
  c.headers.map((h) => {
    const k = Object.keys(h)[0];
    return [k, h[k]];
  });

const latin1 = (list: [Buffer, Buffer][]): [string, string][] =>
  list.map(([n, v]) => [n.toString('latin1'), v.toString('latin1')]);

/** A Buffer-mode and a string-mode inflater fed the same blocks must agree. */
class Pair {
  readonly bytes: HDInflater;
  readonly strings: HDInflater<true>;
  constructor(options: { maxHeaderListSize?: number } = {}) {
    this.bytes = new HDInflater(options);
    this.strings = new HDInflater({ ...options, strings: true });
  }
  inflate(block: Uint8Array): [string, string][] {
    const want = latin1(this.bytes.inflate(block));
    const got = this.strings.inflate(block);
    expect(got).toEqual(want);
    for (const [n, v] of got) {
      expect(typeof n).toBe('string');
      expect(typeof v).toBe('string');
    }
    return got;
  }
  changeTableSize(size: number): void {
    this.bytes.changeTableSize(size);
    this.strings.changeTableSize(size);
  }
}

// A small deterministic PRNG (xorshift32) for the randomised lists.
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

describe('HDInflater { strings: true } over the hpack-test-case corpus', () => {
  for (const folder of folders.filter((f) => f !== 'raw-data')) {
    it(`decodes every story of ${folder} as nghttp2 does, as recorded`, () => {
      let n = 0;
      for (const [file, story] of stories(folder)) {
        const pair = new Pair();
        for (const c of story.cases) {
          if (typeof c.header_table_size === 'number') pair.changeTableSize(c.header_table_size);
          const got = pair.inflate(Buffer.from(c.wire!, 'hex'));
          expect(got, `${folder}/${file} case ${c.seqno}`).toEqual(fields(c));
          n += got.length;
        }
      }
      expect(n).toBeGreaterThan(0);
    });
  }

  it('round-trips every raw-data story through HDDeflater, as nghttp2 decodes it', () => {
    let n = 0;
    for (const [file, story] of stories('raw-data')) {
      const deflater = new HDDeflater();
      const pair = new Pair();
      for (const [i, c] of story.cases.entries()) {
        const list = fields(c);
        expect(pair.inflate(deflater.deflate(list as HeaderField[])), `raw-data/${file} case ${i}`).toEqual(list);
        n += list.length;
      }
    }
    expect(n).toBe(39359);
  });
});

describe('HDInflater { strings: true }: the dynamic table copy', () => {
  it('stays right through eviction and table size changes (randomised lists, small tables)', () => {
    const rand = prng(0x5eed);
    const names = [':path', 'cookie', 'x-a', 'x-bb', 'user-agent', 'accept', 'x-long-name-for-a-header'];
    const sizes = [4096, 256, 100, 0, 64, 4096, 1000, 40];
    let evictions = 0;
    for (let story = 0; story < 8; story++) {
      const deflater = new HDDeflater();
      const pair = new Pair();
      for (let blk = 0; blk < 150; blk++) {
        if (blk % 25 === 24) {
          const size = sizes[(story + blk) % sizes.length];
          // The decoder's limit first (SETTINGS), then the encoder follows with
          // a table size update at the start of its next block.
          pair.changeTableSize(size);
          deflater.changeTableSize(size);
        }
        const list: [string, string][] = [];
        const count = 1 + Math.floor(rand() * 8);
        for (let i = 0; i < count; i++) {
          const name = rand() < 0.15 ? `x-new-${Math.floor(rand() * 40)}` : names[Math.floor(rand() * names.length)];
          const value = 'v'.repeat(Math.floor(rand() * 40)) + String(Math.floor(rand() * 6));
          list.push([name, value]);
        }
        const before = deflater.getHdTable().length;
        expect(pair.inflate(deflater.deflate(list))).toEqual(list);
        if (deflater.getHdTable().length < before) evictions++;
        expect(pair.strings.getHdTable()).toEqual(pair.bytes.getHdTable());
      }
    }
    expect(evictions).toBeGreaterThan(50);
  });

  it('follows an entry larger than the table (which empties it) and names from evicted-then-reinserted entries', () => {
    const deflater = new HDDeflater();
    const pair = new Pair();
    pair.changeTableSize(200);
    deflater.changeTableSize(200);
    const big = 'b'.repeat(300);
    const lists: [string, string][][] = [
      [['x-one', '1'], ['x-two', '2']],
      [['x-one', '1'], ['x-big', big], ['x-two', '2']],
      [['x-two', '2'], ['x-one', '1'], ['x-three', '3']],
      [['x-three', '3'], ['x-three', '4'], ['x-three', '3']],
    ];
    for (const list of lists) expect(pair.inflate(deflater.deflate(list))).toEqual(list);
    expect(pair.strings.dynamicTableSize).toBe(pair.bytes.dynamicTableSize);
  });

  it('holds more entries than its first ring (many small entries in a 64 KiB table)', () => {
    const deflater = new HDDeflater(65536);
    const pair = new Pair();
    pair.changeTableSize(65536);
    deflater.changeTableSize(65536);
    const all: [string, string][] = [];
    for (let i = 0; i < 600; i++) all.push([`n${i % 50}`, `v${i}`]);
    // Insert in blocks of 40, then refer back to every one of them (indexed).
    for (let i = 0; i < all.length; i += 40) pair.inflate(deflater.deflate(all.slice(i, i + 40)));
    expect(pair.strings.getHdTable().length).toBe(600);
    const again = [...all].reverse();
    expect(pair.inflate(deflater.deflate(again))).toEqual(again);
  });

  it('keeps following the table through a block past maxHeaderListSize', () => {
    const deflater = new HDDeflater();
    const pair = new Pair({ maxHeaderListSize: 300 });
    const first: [string, string][] = [['x-a', 'a'.repeat(100)], ['x-b', 'b'.repeat(100)], ['x-c', 'c'.repeat(100)]];
    const block = deflater.deflate(first);
    expect(() => pair.bytes.inflate(block)).toThrow(HeaderListTooLargeError);
    expect(() => pair.strings.inflate(block)).toThrow(HeaderListTooLargeError);
    expect(pair.strings.usable).toBe(true);
    // The next block refers to the entries the oversized block inserted.
    const second: [string, string][] = [['x-c', 'c'.repeat(100)], ['x-b', 'b'.repeat(100)]];
    expect(pair.inflate(deflater.deflate(second))).toEqual(second);
  });

  it('decodes blocks larger than its output area, and long entries of big blocks', () => {
    const deflater = new HDDeflater();
    const pair = new Pair();
    const huge = 'h'.repeat(40000);
    const lists: [string, string][][] = [
      [['x-huge', huge], ['x-small', 's']],
      [['x-long', 'L'.repeat(1500)], ['x-pad', 'p'.repeat(3000)]],
      [['x-long', 'L'.repeat(1500)], ['x-small', 's']],
    ];
    for (const list of lists) expect(pair.inflate(deflater.deflate(list))).toEqual(list);
    const many: [string, string][] = [];
    for (let i = 0; i < 3000; i++) many.push([`x-f${i % 7}`, String(i % 13)]);
    expect(pair.inflate(deflater.deflate(many))).toEqual(many);
  });
});

describe('HDInflater { strings: true }: bytes that are not ASCII', () => {
  it('gives each byte as the character of the same code (latin1), as documented', () => {
    const deflater = new HDDeflater();
    const pair = new Pair();
    const list: [Buffer, Buffer][] = [
      [Buffer.from('x-latin1'), Buffer.from([0x63, 0x61, 0x66, 0xe9])],
      [Buffer.from('x-utf8'), Buffer.from('café ✓', 'utf8')],
      [Buffer.from('x-bin'), Buffer.from([0, 0x7f, 0x80, 0xff])],
    ];
    const got = pair.inflate(deflater.deflate(list));
    expect(got[0][1]).toBe('caf\u00e9');
    expect(got[1][1]).toBe(Buffer.from('café ✓', 'utf8').toString('latin1'));
    expect(got[1][1]).not.toBe('café ✓');
    expect(Buffer.from(got[1][1], 'latin1').toString('utf8')).toBe('café ✓');
    expect(got[2][1]).toBe('\u0000\u007f\u0080\u00ff');
    // A string the deflater encoded as UTF-8 comes back as its bytes' latin1.
    const again = pair.inflate(deflater.deflate([['x-text', 'héllo']]));
    expect(again[0][1]).toBe('h\u00c3\u00a9llo');
  });
});

describe('HDInflater { strings: true }: errors', () => {
  it('rejects a strings option that is not a boolean', () => {
    expect(() => new HDInflater({ strings: 'yes' as unknown as boolean })).toThrow(ArgumentError);
  });

  it('refuses a dynamic table size update above the 4096 bytes it allows, so its table copy stays within 4096 bytes', () => {
    const inf = new HDInflater({ strings: true });
    // dynamic table size update to 4096: accepted (001xxxxx, 5-bit prefix: 31 + 4065)
    expect(inf.inflate(Buffer.from([0x3f, 0xe1, 0x1f, 0x82]))).toEqual([[':method', 'GET']]);
    // to 4097: refused
    const over = new HDInflater({ strings: true });
    expect(() => over.inflate(Buffer.from([0x3f, 0xe2, 0x1f, 0x82]))).toThrow(HeaderCompressionError);
    expect(over.usable).toBe(false);
  });

  it('throws HeaderCompressionError on garbage and is then unusable', () => {
    const inf = new HDInflater({ strings: true });
    expect(() => inf.inflate(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]))).toThrow(HeaderCompressionError);
    expect(inf.usable).toBe(false);
    expect(() => inf.inflate(Buffer.from([0x82]))).toThrow(HeaderCompressionError);
  });
});

describe('HDInflater { strings: true }: the shared output area', () => {
  it('does not keep the size a 4 MiB header block needed once the call returns', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // ArrayBuffer memory is freed by a concurrent sweeper after gc() returns
    // (slow under qemu): collect until the count stops falling.
    const settled = async (): Promise<number> => {
      let last = Infinity;
      for (let round = 0; round < 20; round++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
        const now = process.memoryUsage().arrayBuffers;
        if (now >= last) return now;
        last = now;
      }
      return last;
    };
    const value = 'v'.repeat(40 * 1024);
    const fields: HeaderField[] = [];
    for (let i = 0; i < 100; i++) fields.push([`x-big-${i}`, value, true]);
    const block = Buffer.from(new HDDeflater().deflate(fields));
    const inf = new HDInflater({ strings: true });
    expect(inf.inflate(new HDDeflater().deflate([['a', 'b']]))).toEqual([['a', 'b']]);
    const before = await settled();
    const got = inf.inflate(block);
    expect(got.length).toBe(100);
    expect(got[99]).toEqual(['x-big-99', value]);
    expect((await settled()) - before).toBeLessThan(1024 * 1024);
  });
});

describe('HDInflater: output kept between calls', () => {
  it('is trimmed back to at most 64 KiB per vector after a 4 MiB block, in both modes', () => {
    const value = 'v'.repeat(40 * 1024);
    const fields: HeaderField[] = [];
    for (let i = 0; i < 100; i++) fields.push([`x-big-${i}`, value, true]);
    const block = Buffer.from(new HDDeflater().deflate(fields));
    const big = new ArrayBuffer(8 * 1024 * 1024);
    // Buffer mode: a 32 KiB slab is too small, the list waits for takePending.
    const bytes = new native.HDInflater(0);
    expect(bytes.inflate(block, new ArrayBuffer(32 * 1024), 0)).toBe(native.HDInflater.ERR_NO_SPACE);
    expect(bytes.takePending(big, 0)).toBeGreaterThan(4 * 1000 * 1000);
    expect(bytes.keptBytes()).toBeLessThanOrEqual(4 * 64 * 1024);
    // String mode: a 16 KiB scratch is too small, the list waits for takePendingStrings.
    const strings = new native.HDInflater(0);
    expect(strings.inflateStrings(block, new ArrayBuffer(16 * 1024))).toBe(native.HDInflater.ERR_NO_SPACE);
    expect(strings.takePendingStrings(big).length).toBe(100 * 40 * 1024 + 100 * 'x-big-00'.length - 10);
    expect(strings.keptBytes()).toBeLessThanOrEqual(4 * 64 * 1024);
  });
});
