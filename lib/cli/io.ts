/**
 * The output streams of the command-line tools.
 *
 * @packageDocumentation
 */

/** Where the tools write (process.stdout / process.stderr by default; replaced in tests). */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}
