/**
 * `SPDYDirectoryHandler`: the request handler of `spdyd`, serving the files
 * of a directory.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

import { BaseSPDYRequestHandler } from '../spdylay/server/handler.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.css': 'text/css', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon', '.wasm': 'application/wasm', '.pdf': 'application/pdf', '.xml': 'application/xml',
};

/**
 * A request handler serving the files under `documentRoot` (GET and HEAD;
 * a directory serves its `index.html`), as `spdyd` does. Subclass it with a
 * static `documentRoot`, or use {@link directoryHandler}. Paths that leave
 * the root answer 404; other methods 501 (from `handle()`).
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
    this.sendResponse(200);
    this.sendHeader('content-type', MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream');
    this.sendHeader('content-length', String(st.size));
    this.sendHeader('last-modified', this.dateTimeString(st.mtimeMs));
    if (!body || st.size === 0) return;
    try {
      await pipeline(fs.createReadStream(file, { highWaterMark: 64 * 1024 }), this.wfile);
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
