// HDDeflater.deflate: every name and value of a list of up to 1024 fields is
// an argument of one native call, which reads each string itself (ASCII
// narrowed, anything else encoded as UTF-8 on its own) and copies Uint8Array
// parts; longer lists take the joined-string path. Each case is checked
// against the same fields given as Buffer.from(s, 'utf8') (one byte path,
// no string read in C) and decoded by HDInflater and by hpack.js.
import { describe, expect, it } from 'vitest';

import { HDDeflater, HDInflater, type HeaderField } from '../../lib/nghttp2/index.js';
import { hpackjs } from '../helpers/hpackjs.js';

type Part = string | Uint8Array;
type Field = [Part, Part] | [Part, Part, boolean];

const bytes = (x: Part): Buffer => (typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(x));
/** The list with every part as the bytes Buffer.from would give (and the same flags). */
const asBuffers = (list: readonly Field[]): HeaderField[] =>
  list.map((f) => (f.length === 3 ? [bytes(f[0]), bytes(f[1]), f[2]] : [bytes(f[0]), bytes(f[1])]));

/**
 * Deflates `lists` on one deflater as given and on another as Buffers;
 * checks equal blocks, equal dynamic tables, and the decoded bytes (ours
 * and hpack.js's). Returns the blocks.
 */
function check(lists: readonly (readonly Field[])[]): Buffer[] {
  const d = new HDDeflater();
  const ref = new HDDeflater();
  const inf = new HDInflater();
  const dec = hpackjs.decompressor.create({ table: { size: 4096 } });
  return lists.map((list) => {
    const block = Buffer.from(d.deflate(list as HeaderField[]));
    expect(block.equals(ref.deflate(asBuffers(list)))).toBe(true);
    const want = list.map((f) => [bytes(f[0]), bytes(f[1])]);
    expect(inf.inflate(block).map(([n, v]) => [Buffer.from(n), Buffer.from(v)])).toEqual(want);
    dec.write(block);
    dec.execute();
    const got: Buffer[][] = [];
    for (let h = dec.read(); h !== null; h = dec.read()) got.push([Buffer.from(h.name, 'latin1'), Buffer.from(h.value, 'latin1')]);
    expect(got).toEqual(want);
    expect(d.getHdTable()).toEqual(ref.getHdTable());
    return block;
  });
}

describe('HDDeflater.deflate, fields as arguments', () => {
  it('mixes Buffer, Uint8Array and string parts in one list, non-ASCII included', () => {
    const u8 = new Uint8Array([0x78, 0x2d, 0x75, 0x38]); // "x-u8", a plain Uint8Array
    check([
      [
        [':method', 'GET'],
        [Buffer.from('x-buf'), 'caf\u00e9'],
        ['x-str', Buffer.from([0xff, 0x00, 0x80])],
        [u8, '\u65e5\u672c'],
        ['x-empty', new Uint8Array(0)],
        [Buffer.alloc(0), ''],
      ],
      [[u8, '\u65e5\u672c'], [Buffer.from('x-buf'), 'caf\u00e9'], ['x-str', Buffer.from([0xff, 0x00, 0x80])]],
    ]);
  });

  it('encodes each string on its own: lone surrogates are U+FFFD, pairs are 4 bytes, also next to Buffers', () => {
    const [block] = check([
      [
        ['x-a\ud83d', '\ude00-v'],
        ['x-pair', '\u{1f600}'],
        [Buffer.from('x-b'), '\udc00\ud800'],
        ['x-c\ud800', Buffer.from('v')],
      ],
    ]);
    const out = new HDInflater().inflate(block);
    expect(out[0][0].toString('hex')).toBe(Buffer.from('x-a\ufffd').toString('hex'));
    expect(out[0][1].toString('hex')).toBe(Buffer.from('\ufffd-v').toString('hex'));
    expect(out[1][1].toString('hex')).toBe('f09f9880');
    expect(out[2][1].toString('hex')).toBe('efbfbdefbfbd');
  });

  it('writes every code unit range as Buffer.from does', () => {
    const units: number[] = [];
    for (let c = 0; c < 0x10000; c += 0x3f) units.push(c);
    units.push(0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff);
    const s = String.fromCharCode(...units);
    check([[['x-all', s], [s.slice(0, 40), 'v'], ['x-tail', s.slice(-7)]]]);
  });

  it('marks sensitive fields never-indexed whatever the parts are, and keeps them out of the table', () => {
    const lists: Field[][] = [
      [
        ['cookie', 'id=1', true],
        [Buffer.from('authorization'), 'secret \u00e9', true],
        ['x-plain', 'v'],
        ['x-buf', Buffer.from('t'), true],
      ],
      [['x-plain', 'v'], ['cookie', 'id=1', true]],
      [['x-plain', 'v'], ['cookie', 'id=1']],
    ];
    const blocks = check(lists);
    // 0001xxxx: literal never indexed (RFC 7541 6.2.3); the first field of
    // the first block has an indexed name of the static table.
    expect(blocks[0][0] & 0xf0).toBe(0x10);
    const d = new HDDeflater();
    for (const list of lists.slice(0, 2)) d.deflate(list as HeaderField[]);
    const names = d.getHdTable().map((e) => e.name.toString());
    expect(names).toEqual(['x-plain']);
  });

  it('handles strings longer than the native read buffer, ASCII and not', () => {
    for (const n of [1021, 1022, 1023, 1024, 1025, 4096, 10000]) {
      const ascii = 'a'.repeat(n);
      const wide = `\u00e9${'b'.repeat(n - 2)}\u{1f600}`.slice(0, n);
      check([[['x-long', ascii], ['x-wide', wide], [ascii.slice(0, 100), 'v']]]);
    }
  });

  it('handles a few fields with more bytes than the native block buffer', () => {
    const list: Field[] = [];
    for (let i = 0; i < 12; i++) list.push([`x-${i}`, i % 2 ? 'v'.repeat(700 + i) : `\u00e9${'w'.repeat(500)}\u{1f600}`]);
    check([list, list.slice(3, 9), list]);
  });

  it('spills past the pool slab with a list taking the argument path and with one taking the joined path', () => {
    const make = (count: number): Field[] => {
      const list: Field[] = [];
      for (let i = 0; i < count; i++) {
        const v = i % 5 === 0 ? `v\u00e9\u{1f600}${i}-${'y'.repeat(i % 90)}` : `value-${i}-${'x'.repeat(60 + (i % 40))}`;
        list.push(i % 3 === 0 ? [`x-field-${i % 70}`, Buffer.from(v), i % 11 === 0] : [`x-field-${i % 70}`, v]);
      }
      return list;
    };
    for (const count of [1024, 1025, 2500]) {
      const list = make(count);
      const blocks = check([list, list.slice(0, 20), list]);
      expect(blocks[0].length).toBeGreaterThan(32 * 1024);
    }
  });

  it('throws ArgumentError for a bad part or field and stays in step with the peer', () => {
    const d = new HDDeflater();
    const ref = new HDDeflater();
    const good: Field[] = [['x-a', '1'], ['x-b', '\u00e9']];
    expect(Buffer.from(d.deflate(good)).equals(ref.deflate(good))).toBe(true);
    expect(() => d.deflate([['x-a', '1'], ['x-c', 2 as never]])).toThrow(/header 1 value must be a string or a Buffer/);
    expect(() => d.deflate([[null as never, '1']])).toThrow(/header 0 name must be a string or a Buffer/);
    expect(() => d.deflate([['x', new Uint16Array(2) as never]])).toThrow(TypeError);
    expect(() => d.deflate([['x-a', '1'], 'x' as never])).toThrow(/header 1 must be a \[name, value\] pair/);
    expect(Buffer.from(d.deflate(good)).equals(ref.deflate(good))).toBe(true);
    expect(d.getHdTable()).toEqual(ref.getHdTable());
  });

  it('passes the fields as given, and returns the block and decoded pairs, when Array.prototype[Symbol.iterator] is replaced', () => {
    const list: Field[] = [['x-a', '1'], ['x-b', 'two \u00e9']];
    const want = Buffer.from(new HDDeflater().deflate(list as HeaderField[]));
    const d = new HDDeflater();
    const inf = new HDInflater();
    const saved = Array.prototype[Symbol.iterator];
    let block: Buffer;
    let pairs: [Buffer, Buffer][];
    try {
      Array.prototype[Symbol.iterator] = function* () {
        yield 'x';
      };
      block = d.deflate(list as HeaderField[]);
      pairs = inf.inflate(block);
    } finally {
      Array.prototype[Symbol.iterator] = saved;
    }
    expect(Buffer.from(block)).toEqual(want);
    expect(pairs.map(([n, v]) => [n.toString(), v.toString()])).toEqual(list);
    expect(d.getHdTable().map((e) => e.name.toString())).toEqual(['x-b', 'x-a']);
  });

  it('encodes an empty list as an empty block', () => {
    const d = new HDDeflater();
    expect(d.deflate([]).length).toBe(0);
    check([[], [['a', 'b']], []]);
  });
});
