// The HPACK codecs of one environment share an allocator (binding/util/mem_pool)
// whose free lists keep the blocks nghttp2 frees for reuse. Whatever a peer
// makes a decoder free, the idle blocks kept stay under the pool's bound
// (64 KiB per size class, 8 classes), and they are reused: codecs made after
// the burst decode the same blocks with the lists holding blocks.
import { describe, expect, it } from 'vitest';

import { HDDeflater, HDInflater } from '../../lib/nghttp2/index.js';
import { native } from '../../lib/native.js';

const POOL_BOUND = 8 * 64 * 1024;

describe('HPACK allocator free lists', () => {
  it('stay bounded when a table size update evicts a 1 MiB dynamic table at once', () => {
    const deflater = new HDDeflater(1 << 20);
    const inflater = new HDInflater({ strings: true });
    inflater.changeTableSize(1 << 20);
    deflater.changeTableSize(1 << 20);
    // ~4,500 distinct entries of ~230 bytes: every one enters the table.
    let sent = 0;
    for (let block = 0; block < 150; block++) {
      const fields: [string, string][] = [];
      for (let i = 0; i < 30; i++, sent++) fields.push([`x-field-${sent}`, `${sent}`.padEnd(200, 'v')]);
      const got = inflater.inflate(deflater.deflate(fields));
      expect(got).toEqual(fields);
    }
    expect(inflater.getHdTable().length).toBeGreaterThan(4000);
    // Table size 0: the next block evicts every entry (over 1 MiB of blocks
    // freed in one call).
    deflater.changeTableSize(0);
    expect(inflater.inflate(deflater.deflate([[':method', 'GET']]))).toEqual([[':method', 'GET']]);
    expect(inflater.getHdTable()).toEqual([]);
    const idle = native.hpackPoolCachedBytes();
    expect(idle).toBeLessThanOrEqual(POOL_BOUND);
    // The lists hold blocks (the evicted entries' buffers), up to the bound.
    expect(idle).toBeGreaterThanOrEqual(64 * 1024);
  });
});
