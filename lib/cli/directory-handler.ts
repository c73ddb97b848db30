/**
 * `SPDYDirectoryHandler`: the request handler of `spdyd`, serving the files
 * of a directory.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

import fresh from 'fresh';
import { contentType } from 'mime-types';
import parseRange from 'range-parser';

import { BaseSPDYRequestHandler } from '../spdylay/server/handler.js';

/** The request headers as one record, names lower-cased, repeated fields joined with `, `. */
function headerRecord(pairs: readonly (readonly [string, string])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/**
 * Whether an `If-Range` validator still matches the file: an entity tag
 * must equal the current strong one; a date must not be older than the
 * file's modification time (RFC 9110 section 13.1.5).
 */
function ifRangeMatches(ifRange: string, etag: string, mtimeMs: number): boolean {
  if (ifRange.includes('"')) return !etag.startsWith('W/') && ifRange.trim() === etag;
  const since = Date.parse(ifRange);
  return !Number.isNaN(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

/**
 * A request handler serving the files under `documentRoot` (GET and HEAD;
 * a directory serves its `index.html`), as `spdyd` does. Subclass it with a
 * static `documentRoot`, or use {@link directoryHandler}. Paths that leave
 * the root answer 404; other methods 501 (from `handle()`).
 *
 * Responses carry `content-type` (from the `mime-types` package,
 * `application/octet-stream` when the extension is unknown), `etag` (weak,
 * from size and modification time), `last-modified` and
 * `accept-ranges: bytes`. `If-None-Match` and `If-Modified-Since` answer
 * 304 when the file is unchanged (the `fresh` package); one byte range
 * (`Range`, honoured under a matching `If-Range`) answers 206 with
 * `content-range`, an unsatisfiable one 416; several ranges get the whole
 * file (200).
 */
export class SPDYDirectoryHandler extends BaseSPDYRequestHandler {
  /** The directory served (absolute). */
  static documentRoot = process.cwd();

  /** Serves the file (headers and body). */
  async do_GET(): Promise<void> {
    await this.#serve(true);
  }

  /** Serves the headers of the file. */
  async do_HEAD(): Promise<void> {
    await this.#serve(false);
  }

  async #serve(body: boolean): Promise<void> {
    const root = (this.constructor as typeof SPDYDirectoryHandler).documentRoot;
    let rel: string;
    try {
      rel = decodeURIComponent(new URL(this.path ?? '/', 'http://x').pathname);
    } catch {
      this.sendError(400);
      return;
    }
    let file = path.join(root, path.normalize(rel));
    if (file !== root && !file.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
      this.sendError(404);
      return;
    }
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(file);
      if (st.isDirectory()) {
        file = path.join(file, 'index.html');
        st = await fs.promises.stat(file);
      }
    } catch {
      this.sendError(404);
      return;
    }
    if (!st.isFile()) {
      this.sendError(404);
      return;
    }
    const req = headerRecord(this.headers);
    const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const lastModified = this.dateTimeString(st.mtimeMs);
    const validators = (): void => {
      this.sendHeader('etag', etag);
      this.sendHeader('last-modified', lastModified);
    };
    if (fresh(req, { etag, 'last-modified': lastModified })) {
      this.sendResponse(304);
      validators();
      return;
    }
    let start = 0;
    let end = st.size - 1;
    let status = 200;
    if (req.range !== undefined && (req['if-range'] === undefined || ifRangeMatches(req['if-range'], etag, st.mtimeMs))) {
      const ranges = parseRange(st.size, req.range, { combine: true });
      if (ranges === -1) {
        this.sendResponse(416);
        this.sendHeader('content-range', `bytes */${st.size}`);
        this.sendHeader('content-length', '0');
        return;
      }
      if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
        status = 206;
        start = ranges[0]!.start;
        end = ranges[0]!.end;
      }
    }
    this.sendResponse(status);
    this.sendHeader('content-type', contentType(path.extname(file)) || 'application/octet-stream');
    this.sendHeader('content-length', String(end - start + 1));
    if (status === 206) this.sendHeader('content-range', `bytes ${start}-${end}/${st.size}`);
    this.sendHeader('accept-ranges', 'bytes');
    validators();
    if (!body || end < start) return;
    try {
      await pipeline(fs.createReadStream(file, { start, end, highWaterMark: 64 * 1024 }), this.wfile);
    } catch (err) {
      if (!this.closed) throw err;
    }
  }
}

/**
 * A {@link SPDYDirectoryHandler} subclass serving `documentRoot`.
 *
 * @param documentRoot - The directory (resolved to an absolute path).
 */
export function directoryHandler(documentRoot: string): typeof SPDYDirectoryHandler {
  const root = path.resolve(documentRoot);
  return class extends SPDYDirectoryHandler {
    static override documentRoot = root;
  };
}
