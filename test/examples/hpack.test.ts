// examples/hpack.js (the HPACK examples of the reference document) runs and
// prints what the reference prints.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { expect, it } from 'vitest';

it('examples/hpack.js deflates, inflates and prints both tables', () => {
  const out = execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'examples', 'hpack.js')], { encoding: 'utf8' });
  const lines = out.trim().split('\n');
  // Literal with incremental indexing, new name, Huffman-coded: the bytes nghttp2 produces.
  expect(lines[0]).toBe('408294e703626172400362617a0362757a');
  expect(out).toContain("[ [ 'foo', 'bar' ], [ 'baz', 'buz' ] ]");
  expect(lines.filter((l) => l === '[1] (s=38) baz: buz')).toHaveLength(2);
  expect(lines.filter((l) => l === '[2] (s=38) foo: bar')).toHaveLength(2);
});
