// The public hpack-test-case corpus: every story of every encoder decodes to
// its recorded header list, and every raw-data story round-trips through our
// deflater and inflater.
import { describe, expect, it } from 'vitest';

import { HDDeflater, HDInflater, type HeaderField } from '../../lib/nghttp2/index.js';
import { type Case, folders, stories } from '../helpers/hpack-corpus.js';

function fields(c: Case): [string, string][] {
  return c.headers.map((h) => {
    const keys = Object.keys(h);
    expect(keys).toHaveLength(1);
    return [keys[0], h[keys[0]]];
  });
}

function asStrings(list: [Buffer, Buffer][]): [string, string][] {
  return list.map(([n, v]) => [n.toString('latin1'), v.toString('latin1')]);
}

describe('hpack-test-case corpus', () => {
  it('has the raw-data folder and at least one encoded folder', () => {
    expect(folders).toContain('raw-data');
    expect(folders.filter((f) => f !== 'raw-data').length).toBeGreaterThan(0);
  });

  for (const folder of folders.filter((f) => f !== 'raw-data')) {
    it(`decodes every story of ${folder}`, () => {
      let decodedFields = 0;
      for (const [file, story] of stories(folder)) {
        const inflater = new HDInflater();
        for (const c of story.cases) {
          if (typeof c.header_table_size === 'number') inflater.changeTableSize(c.header_table_size);
          expect(c.wire, `${folder}/${file} case ${c.seqno} has no wire`).toBeTypeOf('string');
          const got = asStrings(inflater.inflate(Buffer.from(c.wire!, 'hex')));
          expect(got, `${folder}/${file} case ${c.seqno}`).toEqual(fields(c));
          decodedFields += got.length;
        }
      }
      expect(decodedFields).toBeGreaterThan(0);
    });
  }

  it('round-trips every raw-data story through HDDeflater and HDInflater', () => {
    let blocks = 0;
    let wireBytes = 0;
    let rawBytes = 0;
    for (const [file, story] of stories('raw-data')) {
      const deflater = new HDDeflater();
      const inflater = new HDInflater();
      for (const [i, c] of story.cases.entries()) {
        const list = fields(c);
        const block = deflater.deflate(list as HeaderField[]);
        expect(asStrings(inflater.inflate(block)), `raw-data/${file} case ${i}`).toEqual(list);
        blocks++;
        wireBytes += block.length;
        for (const [n, v] of list) rawBytes += n.length + v.length;
      }
      // Both sides must agree on the dynamic table after the story.
      expect(inflater.getHdTable().map((e) => [e.name, e.value])).toEqual(
        deflater.getHdTable().map((e) => [e.name, e.value]),
      );
    }
    expect(blocks).toBe(3384);
    // Real compression happened (the nghttp2 encoder gets about 0.31).
    expect(wireBytes / rawBytes).toBeLessThan(0.4);
  });
});
