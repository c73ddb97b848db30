// hpack.js (the HPACK of the `spdy` package), typed for the tests that check
// our header blocks against an independent decoder.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** hpack.js's decoder, as the tests use it. */
export interface HpackJsDecompressor {
  write(b: Buffer): void;
  execute(): void;
  read(): { name: string; value: string } | null;
  updateTableSize(n: number): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const hpackjs = require('hpack.js') as {
  decompressor: { create(o: { table: { size: number } }): HpackJsDecompressor };
};
