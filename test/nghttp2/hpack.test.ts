// HDDeflater / HDInflater / printHdTable: API behaviour and bad input.
import { describe, expect, it } from 'vitest';

import {
  DEFAULT_HEADER_TABLE_SIZE,
  DEFLATE_MAX_HEADER_TABLE_SIZE,
  HD_ENTRY_OVERHEAD,
  HDDeflater,
  HDInflater,
  HeaderCompressionError,
  HeaderListTooLargeError,
  NGHTTP2Error,
  printHdTable,
} from '../../lib/nghttp2/index.js';

const str = (list: [Buffer, Buffer][]) => list.map(([n, v]) => [n.toString(), v.toString()]);

describe('constants', () => {
  it('match RFC 7541 and the reference', () => {
    expect(DEFAULT_HEADER_TABLE_SIZE).toBe(4096);
    expect(DEFLATE_MAX_HEADER_TABLE_SIZE).toBe(4096);
    expect(HD_ENTRY_OVERHEAD).toBe(32);
  });
});

describe('HDDeflater / HDInflater', () => {
  it('encodes the RFC 7541 C.3.1 request as the RFC does', () => {
    const d = new HDDeflater();
    const block = d.deflate([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
    // nghttp2 Huffman-codes the literal (RFC C.4.1 form).
    expect(block.toString('hex')).toBe('828684418cf1e3c2e5f23a6ba0ab90f4ff');
    const i = new HDInflater();
    expect(str(i.inflate(block))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
  });

  it('accepts Buffers, non-ASCII strings and mixes of both', () => {
    const d = new HDDeflater();
    const i = new HDInflater();
    const list: [string | Buffer, string | Buffer][] = [
      ['x-text', 'héllo wörld ✓'],
      [Buffer.from('x-bin'), Buffer.from([0, 1, 2, 255])],
      ['x-mixed', Buffer.from('v')],
    ];
    const out = i.inflate(d.deflate(list));
    expect(out[0][1].toString('utf8')).toBe('héllo wörld ✓');
    expect([...out[1][1]]).toEqual([0, 1, 2, 255]);
    expect(out[2]).toEqual([Buffer.from('x-mixed'), Buffer.from('v')]);
  });

  it('returns real Buffers', () => {
    const d = new HDDeflater();
    const [[name, value]] = new HDInflater().inflate(d.deflate([['a', 'b']]));
    expect(Buffer.isBuffer(name)).toBe(true);
    expect(name).toBeInstanceOf(Buffer);
    expect(value.toString('hex')).toBe('62');
    expect(Buffer.concat([name, value]).toString()).toBe('ab');
    expect(name.subarray(0, 1).equals(Buffer.from('a'))).toBe(true);
  });

  it('encodes a sensitive field as a never-indexed literal, kept out of both tables', () => {
    const d = new HDDeflater();
    const i = new HDInflater();
    const block = d.deflate([['x-api-key', 's3cret', true]]);
    // 0001xxxx: literal never indexed (RFC 7541 6.2.3).
    expect(block[0] & 0xf0).toBe(0x10);
    expect(d.getHdTable()).toHaveLength(0);
    expect(str(i.inflate(block))).toEqual([['x-api-key', 's3cret']]);
    expect(i.getHdTable()).toHaveLength(0);
    // The same field without the flag is indexed.
    const plain = d.deflate([['x-api-key', 's3cret']]);
    expect(plain[0] & 0xc0).toBe(0x40);
    expect(d.getHdTable()).toHaveLength(1);
  });

  it('keeps the dynamic table newest first with space() = namelen + valuelen + 32', () => {
    const d = new HDDeflater();
    const i = new HDInflater();
    i.inflate(d.deflate([['x-first', '1']]));
    i.inflate(d.deflate([['x-second', '22']]));
    for (const table of [d.getHdTable(), i.getHdTable()]) {
      expect(table.map((e) => e.name.toString())).toEqual(['x-second', 'x-first']);
      expect(table[0].namelen).toBe(8);
      expect(table[0].valuelen).toBe(2);
      expect(table[0].space()).toBe(8 + 2 + 32);
    }
    expect(d.dynamicTableSize).toBe(42 + 40);
    expect(i.dynamicTableSize).toBe(42 + 40);
  });

  it('changeTableSize(0) empties the table and the next block says so', () => {
    const d = new HDDeflater();
    const i = new HDInflater();
    i.inflate(d.deflate([['x-a', 'b']]));
    d.changeTableSize(0);
    const block = d.deflate([['x-a', 'b']]);
    expect(block[0] & 0xe0).toBe(0x20); // dynamic table size update first
    expect(str(i.inflate(block))).toEqual([['x-a', 'b']]);
    expect(d.getHdTable()).toHaveLength(0);
    expect(i.getHdTable()).toHaveLength(0);
  });

  it('caps the deflater table at hdTableBufsizeMax', () => {
    const d = new HDDeflater(256);
    d.changeTableSize(8192);
    expect(d.maxDynamicTableSize).toBe(256);
    d.deflate([['x-long', 'v'.repeat(300)]]);
    expect(d.getHdTable()).toHaveLength(0);
  });

  it('handles blocks larger than the output pool slab, interleaved with small ones', () => {
    const d = new HDDeflater();
    const i = new HDInflater();
    const huge = 'v'.repeat(40_000); // > the 32 KiB slab, < nghttp2's 64 KiB field limit
    const results: [Buffer, Buffer][][] = [];
    for (let n = 0; n < 200; n++) {
      const list: [string, string][] = n % 50 === 7 ? [['x-huge', huge + n]] : [['x-n', String(n)], ['x-pad', 'p'.repeat(n * 10)]];
      results.push(i.inflate(d.deflate(list)));
    }
    // Earlier results are not overwritten by later ones.
    for (let n = 0; n < 200; n++) {
      const expected = n % 50 === 7 ? [['x-huge', huge + n]] : [['x-n', String(n)], ['x-pad', 'p'.repeat(n * 10)]];
      expect(str(results[n])).toEqual(expected);
    }
  });

  it('setNoRefset is a harmless no-op', () => {
    const d = new HDDeflater();
    d.setNoRefset(true);
    expect(str(new HDInflater().inflate(d.deflate([['a', 'b']])))).toEqual([['a', 'b']]);
  });

  it('rejects malformed arguments with TypeError/RangeError', () => {
    const d = new HDDeflater();
    expect(() => d.deflate('nope' as never)).toThrow(TypeError);
    expect(() => d.deflate([['a', 1 as never]])).toThrow(TypeError);
    expect(() => d.deflate(['ab' as never])).toThrow(TypeError);
    expect(() => new HDInflater().inflate('text' as never)).toThrow(TypeError);
    expect(() => new HDDeflater(-1)).toThrow(RangeError);
    expect(() => d.changeTableSize(1.5)).toThrow(RangeError);
    expect(() => new HDInflater({ maxHeaderListSize: -2 })).toThrow(RangeError);
  });
});

describe('HDInflater on bad input', () => {
  function expectHeaderComp(fn: () => unknown) {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(HeaderCompressionError);
      expect(err).toBeInstanceOf(NGHTTP2Error);
      const e = err as HeaderCompressionError;
      expect(e.code).toBe(-523);
      expect(e.message).toBe('Header compression/decompression error');
      return e;
    }
    throw new Error('expected HeaderCompressionError');
  }

  it('throws on garbage and then says it is no longer usable', () => {
    const i = new HDInflater();
    const e = expectHeaderComp(() => i.inflate(Buffer.from('ffffffffffffffff0f', 'hex')));
    expect(e.usable).toBe(false);
    expect(i.usable).toBe(false);
    // Later calls fail the same way instead of decoding against a broken table.
    expectHeaderComp(() => i.inflate(Buffer.from('82', 'hex')));
  });

  it('throws on a truncated block', () => {
    const block = new HDDeflater().deflate([['x-custom', 'some value here']]);
    expectHeaderComp(() => new HDInflater().inflate(block.subarray(0, block.length - 3)));
  });

  it('throws on an index past the dynamic table', () => {
    expectHeaderComp(() => new HDInflater().inflate(Buffer.from([0x80 | 62])));
  });

  it('throws on a table size update above the acknowledged limit', () => {
    const i = new HDInflater();
    // 001xxxxx, 5-bit prefix: 31 + 8161 = 8192 > 4096.
    expectHeaderComp(() => i.inflate(Buffer.from([0x3f, 0xe1, 0x3f])));
    const j = new HDInflater();
    j.changeTableSize(8192);
    expect(j.inflate(Buffer.from([0x3f, 0xe1, 0x3f, 0x82]))).toHaveLength(1);
  });

  it('throws on bad Huffman code', () => {
    // literal without indexing, new name, Huffman flag, 1 byte of all-ones padding only (EOS misuse)
    expectHeaderComp(() => new HDInflater().inflate(Buffer.from([0x00, 0x81, 0x00, 0x00])));
  });

  it('survives random bytes', () => {
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    let errors = 0;
    for (let n = 0; n < 2000; n++) {
      const i = new HDInflater();
      const buf = Buffer.alloc(1 + (n % 64));
      for (let k = 0; k < buf.length; k++) buf[k] = rand();
      try {
        i.inflate(buf);
      } catch (err) {
        expect(err).toBeInstanceOf(NGHTTP2Error);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(1000);
  });

  it('limits the decoded header list (decompression bomb) and stays usable', () => {
    const limit = 64 * 1024;
    const i = new HDInflater({ maxHeaderListSize: limit });
    const big = 'x'.repeat(3000);
    // Literal with incremental indexing of x-big: <3000 x>, then 1000 references
    // to it (index 62): about 4 KB on the wire, 3 MB decoded.
    const len = Buffer.from([0x7f, (3000 - 127) & 0x7f | 0x80, (3000 - 127) >> 7]);
    const first = Buffer.concat([Buffer.from([0x40, 5]), Buffer.from('x-big'), len, Buffer.from(big)]);
    const bomb = Buffer.concat([first, Buffer.alloc(1000, 0x80 | 62)]);
    let err: unknown;
    try {
      i.inflate(bomb);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HeaderListTooLargeError);
    expect((err as HeaderListTooLargeError).limit).toBe(limit);
    expect((err as Error).message).toMatch(/maxHeaderListSize/);
    expect(i.usable).toBe(true);
    // The entry the bomb added is in the table: the next block can refer to it.
    expect(str(i.inflate(Buffer.from([0x80 | 62, 0x82])))).toEqual([['x-big', big], [':method', 'GET']]);
    // Without a limit the same block decodes fully.
    expect(new HDInflater().inflate(bomb)).toHaveLength(1001);
  });
});

describe('printHdTable', () => {
  it('prints [idx] (s=N) name: value, newest first', () => {
    const d = new HDDeflater();
    d.deflate([['foo', 'bar']]);
    d.deflate([['baz', 'buz']]);
    let text = '';
    printHdTable(d.getHdTable(), { write: (s: string) => (text += s) });
    expect(text).toBe('[1] (s=38) baz: buz\n[2] (s=38) foo: bar\n');
  });
});

describe('HDInflater field size limit', () => {
  it('rejects a field whose encoded string is over 64 KiB with HeaderCompressionError', () => {
    const block = new HDDeflater().deflate([['x-huge', 'v'.repeat(100_000)]]);
    expect(() => new HDInflater().inflate(block)).toThrow(HeaderCompressionError);
  });
});
