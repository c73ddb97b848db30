import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The project's `shared/` material (seeds, spec, golden data, HPACK corpus),
 * which sits beside the repository checkout. SPDYLAY_SHARED_DIR overrides.
 */
export const sharedDir = process.env.SPDYLAY_SHARED_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared');

/** Absolute path of a file or folder inside `shared/`; throws if missing. */
export function sharedPath(...parts: string[]): string {
  const p = path.join(sharedDir, ...parts);
  if (!fs.existsSync(p)) throw new Error(`missing shared material: ${p} (set SPDYLAY_SHARED_DIR)`);
  return p;
}
