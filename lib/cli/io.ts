/**
 * The output streams of the command-line tools.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { native } from '../native.js';

/** Where the tools write (process.stdout / process.stderr by default; replaced in tests). */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/**
 * The `--version` line of a tool: its name, this package's version and the
 * versions of the libraries in the native binding.
 *
 * @param tool - The tool's name (`'spdycat'`, `'spdyd'`).
 * @returns E.g. `'spdyd 0.1.0 (nghttp2 1.52.0, zlib 1.2.13)'`, without a newline.
 */
export function versionLine(tool: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  const lib = native.versions();
  return `${tool} ${pkg.version} (nghttp2 ${lib.nghttp2}, zlib ${lib.zlib})`;
}
