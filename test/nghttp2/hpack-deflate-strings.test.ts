// HDDeflater.deflate with string fields (up to 1024 fields: each string read
// in C by deflateFields; longer lists: one joined string written as UTF-8 in
// C): non-ASCII, lone and split surrogates, empty strings, many fields,
// table size changes. Checked against Buffer.from(s, 'utf8') of each string,
// against the same fields given as Buffers, and against hpack.js's decoder.
import { describe, expect, it } from 'vitest';

import { HDDeflater, HDInflater } from '../../lib/nghttp2/index.js';
import { hpackjs } from '../helpers/hpackjs.js';


type Field = [string, string];

const utf8 = (list: readonly Field[]) => list.map(([n, v]) => [Buffer.from(n, 'utf8'), Buffer.from(v, 'utf8')]);

/** Deflates `lists` as strings and as Buffers on two deflaters; checks equal blocks and the decoded bytes. */
function roundTrip(lists: readonly (readonly Field[])[], sizes: (number | undefined)[] = []): Buffer[] {
  const ds = new HDDeflater();
  const db = new HDDeflater();
  const inf = new HDInflater();
  const blocks: Buffer[] = [];
  lists.forEach((list, k) => {
    const size = sizes[k];
    if (size !== undefined) {
      ds.changeTableSize(size);
      db.changeTableSize(size);
    }
    const block = Buffer.from(ds.deflate(list));
    const asBuffers = db.deflate(utf8(list) as [Buffer, Buffer][]);
    expect(block.equals(asBuffers)).toBe(true);
    expect(inf.inflate(block).map(([n, v]) => [Buffer.from(n), Buffer.from(v)])).toEqual(utf8(list));
    blocks.push(block);
  });
  expect(ds.getHdTable()).toEqual(db.getHdTable());
  return blocks;
}

describe('HDDeflater.deflate, string fields', () => {
  it('writes non-ASCII names and values as UTF-8, mixed with ASCII ones in one block', () => {
    roundTrip([
      [
        [':method', 'GET'],
        ['x-latin1', 'caf\u00e9 \u00ff\u0080'],
        ['x-cjk', '\u65e5\u672c\u8a9e'],
        ['x-emoji', 'a\u{1f600}b\u{1f4a9}'],
        ['x-\u00e9', 'v'],
        ['accept', '*/*'],
      ],
      [['x-cjk', '\u65e5\u672c\u8a9e'], ['x-emoji', 'a\u{1f600}b\u{1f4a9}']],
    ]);
  });

  it('writes a lone surrogate as U+FFFD, as Buffer.from does', () => {
    const [block] = roundTrip([[['x-lone', 'a\ud800b'], ['x-low', '\udc00'], ['x-end', 'z\ud83d']]]);
    const out = new HDInflater().inflate(block);
    expect(out[0][1].toString('hex')).toBe('61efbfbd62');
  });

  it('keeps a surrogate pair split between a name and a value as two lone surrogates', () => {
    // Joined, the name's high surrogate and the value's low one form a pair;
    // each string alone has a lone surrogate.
    const list: Field[] = [['x-a\ud83d', '\ude00-v'], ['k', 'v']];
    const [block] = roundTrip([list]);
    const out = new HDInflater().inflate(block);
    expect(out[0][0].toString('hex')).toBe(Buffer.from('x-a\ufffd').toString('hex'));
    expect(out[0][1].toString('hex')).toBe(Buffer.from('\ufffd-v').toString('hex'));
  });

  it('handles empty values, empty names and an empty list', () => {
    roundTrip([
      [['x-empty', ''], ['', 'no-name'], ['', ''], ['x-\u00e9', '']],
      [],
      [['x-empty', ''], ['accept-encoding', '']],
    ]);
  });

  it('handles many fields, ASCII and not, past the output slab', () => {
    const list: Field[] = [];
    for (let i = 0; i < 3000; i++) {
      list.push([`x-field-${i % 50}`, i % 7 === 0 ? `v\u00e9\u{1f600}${i}` : `value-${i}-${'x'.repeat(i % 40)}`]);
    }
    const blocks = roundTrip([list, list.slice(0, 100), list]);
    expect(blocks[0].length).toBeGreaterThan(32 * 1024);
  });

  it('follows table size changes between string blocks', () => {
    const a: Field[] = [['x-a', 'one \u00e9'], ['x-b', 'two'], ['cookie', 'id=\u{1f600}']];
    const b: Field[] = [['x-a', 'one \u00e9'], ['x-c', 'three']];
    roundTrip([a, a, b, a, b, a], [undefined, 0, undefined, 64, 4096, 100]);
  });

  it('is decoded by hpack.js to the same UTF-8 bytes', () => {
    const lists: Field[][] = [
      [[':status', '200'], ['x-text', 'h\u00e9llo w\u00f6rld \u2713'], ['x-e', '\u{1f600}'], ['x-empty', '']],
      [['x-text', 'h\u00e9llo w\u00f6rld \u2713'], ['x-e', '\u{1f600}'], ['set-cookie', 'a=b']],
    ];
    const d = new HDDeflater();
    const dec = hpackjs.decompressor.create({ table: { size: 4096 } });
    for (const list of lists) {
      dec.write(d.deflate(list));
      dec.execute();
      const got: Field[] = [];
      // hpack.js gives each byte as the character of the same code.
      const text = (s: string) => Buffer.from(s, 'latin1').toString('utf8');
      for (let h = dec.read(); h !== null; h = dec.read()) got.push([text(h.name), text(h.value)]);
      expect(got).toEqual(list);
    }
  });
});
