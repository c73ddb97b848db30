// Reading the public hpack-test-case corpus (../shared/hpack-test-case, or
// the copy SPDYLAY_HPACK_CORPUS points at, same layout): one folder per
// encoder, story_NN.json files of cases, each a header block (`wire`, hex)
// and the header list it encodes.
import * as fs from 'node:fs';
import * as path from 'node:path';

import { sharedPath } from './shared.js';

export interface Case {
  seqno?: number;
  header_table_size?: number | null;
  wire?: string;
  headers: Record<string, string>[];
}

export interface Story {
  cases: Case[];
}

export const corpus = process.env.SPDYLAY_HPACK_CORPUS ?? sharedPath('hpack-test-case');

/** The corpus's folders (one per encoder, plus raw-data), sorted. */
export const folders = fs
  .readdirSync(corpus, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

/** The stories of `folder`, sorted by file name: [file name, story]. */
export function stories(folder: string): [string, Story][] {
  const dir = path.join(corpus, folder);
  return fs
    .readdirSync(dir)
    .filter((f) => /^story_\d+\.json$/.test(f))
    .sort()
    .map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Story]);
}
