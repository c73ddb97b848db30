/**
 * The command-line tools of the `spdylay` module (bin/spdycat.js and
 * bin/spdyd.js are thin wrappers over these), after spdylay's `spdycat` and
 * `spdyd`, plus the directory-serving request handler they use.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1 } from './constants.js';
import type { NameValue } from './frames.js';
import { formatFrame } from './trace.js';
import { BaseSPDYRequestHandler, ThreadedSPDYServer, type ThreadedSPDYServerOptions } from './spdy-server.js';
import { UrlFetchError, urlfetch, type UrlFetcher } from './client/fetcher.js';
import { BaseSPDYStreamHandler } from './client/handler.js';

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
      if (!st.isFile()) throw new Error('not a file');
    } catch {
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

/** Where the tools write (process.stdout / process.stderr by default; replaced in tests). */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

const SPDYCAT_USAGE = `Usage: spdycat [options] URL...
Fetches URLs over SPDY (https: ALPN spdy/3.1, spdy/3, spdy/2 or h2; http: cleartext SPDY or h2c).
  -v, --verbose        print every frame sent and received (to stderr)
  -n, --null-out       discard the bodies
  -o, --output FILE    save the bodies to FILE (appended in URL order)
  -i, --include        print the response headers before each body
  -k, --insecure       do not verify the server certificate
      --ca FILE        trust the CA certificates in FILE
  -2, -3, --spdy31     cleartext version: SPDY/2, SPDY/3, SPDY/3.1 (default)
      --h2c            cleartext HTTP/2 with prior knowledge
      --no-h2          do not offer h2 over TLS
      --h2             offer only h2 over TLS (HTTP/2 through nghttp2's client)
  -d, --data FILE      POST the contents of FILE ('-' for stdin)
  -H, --header 'N: V'  add a request header (repeatable)
  -t, --timeout SEC    fail after SEC seconds without any activity
      --progress       force the progress bar on stderr (default: when stdout is a
                       terminal and the bodies go to -o or -n)
  -h, --help           this help`;

/** A small progress bar on stderr: `[=====>    ]  42% 4.2 MiB/10.0 MiB`. */
class Progress {
  #last = 0;
  constructor(private readonly err: CliIO['stderr'], private readonly label: string) {}
  update(done: number, total: number | null, final = false): void {
    const now = Date.now();
    if (!final && now - this.#last < 100) return;
    this.#last = now;
    const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
    const width = 30;
    let line: string;
    if (total && total > 0) {
      const f = Math.min(1, done / total);
      const fill = Math.round(f * width);
      line = `[${'='.repeat(Math.max(0, fill - 1))}${fill ? '>' : ''}${' '.repeat(width - fill)}] ${String(Math.floor(f * 100)).padStart(3)}% ${mib(done)}/${mib(total)}`;
    } else {
      line = `[${'?'.repeat(width)}] ${mib(done)}`;
    }
    this.err.write(`\r${this.label} ${line}${final ? '\n' : ''}`);
  }
}

/**
 * `spdycat`: fetches the URLs of `argv` and prints (or saves, or discards)
 * the bodies.
 *
 * @param argv - The arguments (without `node` and the script).
 * @param io - Output streams.
 * @returns The exit code: 0 when every stream closed normally, 1 on a
 *   connection failure or a reset stream, 2 on a usage error.
 */
export async function spdycatMain(argv: string[], io: CliIO = process): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, options: {
        verbose: { type: 'boolean', short: 'v' }, 'null-out': { type: 'boolean', short: 'n' },
        output: { type: 'string', short: 'o' }, include: { type: 'boolean', short: 'i' },
        insecure: { type: 'boolean', short: 'k' }, ca: { type: 'string' },
        spdy2: { type: 'boolean', short: '2' }, spdy3: { type: 'boolean', short: '3' }, spdy31: { type: 'boolean' },
        'no-h2': { type: 'boolean' }, h2: { type: 'boolean' }, h2c: { type: 'boolean' }, data: { type: 'string', short: 'd' },
        header: { type: 'string', short: 'H', multiple: true }, timeout: { type: 'string', short: 't' },
        progress: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr.write(`spdycat: ${(err as Error).message}\n${SPDYCAT_USAGE}\n`);
    return 2;
  }
  const o = parsed.values;
  const urls = parsed.positionals;
  if (o.help) {
    io.stdout.write(SPDYCAT_USAGE + '\n');
    return 0;
  }
  if (urls.length === 0) {
    io.stderr.write(SPDYCAT_USAGE + '\n');
    return 2;
  }
  const headers: NameValue[] = [];
  for (const h of o.header ?? []) {
    const i = h.indexOf(':', 1);
    if (i < 0) {
      io.stderr.write(`spdycat: bad header ${JSON.stringify(h)} (want 'name: value')\n`);
      return 2;
    }
    headers.push([h.slice(0, i).trim().toLowerCase(), h.slice(i + 1).trim()]);
  }
  let body: Buffer | undefined;
  if (o.data !== undefined) body = o.data === '-' ? fs.readFileSync(0) : fs.readFileSync(o.data);
  const out = o.output ? fs.createWriteStream(o.output) : null;
  const toStdout = !out && !o['null-out'];
  const showProgress = o.progress ?? (!!io.stdout.isTTY && !toStdout);
  const start = process.hrtime.bigint();
  const t0 = Date.now();
  const multi = urls.length > 1;
  let failed = false;
  const err = io.stderr;

  class CatHandler extends BaseSPDYStreamHandler {
    received = 0;
    total: number | null = null;
    chunks: Buffer[] = [];
    bar: Progress | null = null;
    done = false;
    override onHeader(nv: NameValue[]): void {
      for (const [n, v] of nv) if (n === 'content-length') this.total = Number(v);
      if (o.include) {
        const text = nv.map(([n, v]) => `${n}: ${v}`).join('\n') + '\n\n';
        if (toStdout && !multi) io.stdout.write(text);
        else if (toStdout) this.chunks.push(Buffer.from(text));
        else err.write(text);
      }
    }
    override onData(data: Buffer): void {
      this.received += data.length;
      if (out) out.write(data);
      else if (toStdout) {
        if (multi) this.chunks.push(data);
        else io.stdout.write(data);
      }
      if (showProgress && (this.bar || this.received >= 1 << 20 || (this.total ?? 0) >= 1 << 20)) {
        this.bar ??= new Progress(err, `#${this.streamId}`);
        this.bar.update(this.received, this.total);
      }
    }
    override onClose(statusCode: number): void {
      this.bar?.update(this.received, this.total, true);
      this.done = true;
      // with several URLs, bodies are printed whole and in URL order
      if (multi && toStdout) {
        const hs = this.fetcher.handlers as CatHandler[];
        for (const h of hs) {
          if (!h.done) break;
          if (h.chunks.length) io.stdout.write(Buffer.concat(h.chunks));
          h.chunks = [];
        }
      }
      if (statusCode !== 0) {
        failed = true;
        err.write(`spdycat: ${this.url}: stream ${this.streamId} closed with status ${statusCode}\n`);
      }
      if (o.verbose) err.write(`[${elapsed()}] stream ${this.streamId} closed (${statusCode}), ${this.received} bytes\n`);
    }
  }
  const elapsed = () => ((Date.now() - t0) / 1000).toFixed(3).padStart(7);
  try {
    await urlfetch(urls, CatHandler, {
      rejectUnauthorized: !o.insecure,
      ca: o.ca ? fs.readFileSync(o.ca) : undefined,
      version: o.h2c ? 'h2' : o.spdy2 ? PROTO_SPDY2 : o.spdy3 ? PROTO_SPDY3 : PROTO_SPDY3_1,
      h2: !o['no-h2'],
      protocols: o.h2 ? ['h2'] : undefined,
      headers,
      body: body ?? null,
      method: body ? 'POST' : 'GET',
      timeout: o.timeout ? Number(o.timeout) * 1000 : 0,
      onProtocol: o.verbose ? (p: string, f: UrlFetcher) => {
        err.write(`[${elapsed()}] connected to ${f.serverAddress[0]}:${f.serverAddress[1]}, protocol ${p}\n`);
      } : undefined,
      onFrame: o.verbose ? (dir, frame) => {
        err.write(`[${elapsed()}] ${formatFrame(dir, frame)}\n`);
      } : undefined,
    });
  } catch (e) {
    err.write(`spdycat: ${e instanceof UrlFetchError ? e.message : String((e as Error)?.stack ?? e)}\n`);
    failed = true;
  } finally {
    if (out) await new Promise<void>((r) => out.end(() => r()));
  }
  void start;
  return failed ? 1 : 0;
}

const SPDYD_USAGE = `Usage: spdyd [options] [DIR]
Serves DIR (default: the current directory) over SPDY/3.1, SPDY/3, SPDY/2,
and h2 and HTTP/1.1 on the same port.
  -p, --port PORT      port (default 3000; 0 picks a free one)
      --host HOST      address to bind (default 127.0.0.1)
      --key FILE       TLS private key (PEM)
      --cert FILE      TLS certificate (PEM)
      --plain          cleartext (no TLS): the protocol is sniffed per connection
      --no-h2          do not serve h2
      --no-http1       do not serve HTTP/1.1
  -q, --quiet          no access log
  -h, --help           this help`;

/**
 * `spdyd`: serves a directory until SIGINT/SIGTERM (or `signal` aborts).
 *
 * @param argv - The arguments (without `node` and the script).
 * @param io - Output streams (the access log goes to stdout).
 * @param signal - Stops the server when aborted (for embedding and tests).
 * @returns The exit code (0 after a clean shutdown, 2 on a usage error).
 */
export async function spdydMain(argv: string[], io: CliIO = process, signal?: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, options: {
        port: { type: 'string', short: 'p', default: '3000' }, host: { type: 'string', default: '127.0.0.1' },
        key: { type: 'string' }, cert: { type: 'string' }, plain: { type: 'boolean' },
        'no-h2': { type: 'boolean' }, 'no-http1': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr.write(`spdyd: ${(err as Error).message}\n${SPDYD_USAGE}\n`);
    return 2;
  }
  const o = parsed.values;
  if (o.help) {
    io.stdout.write(SPDYD_USAGE + '\n');
    return 0;
  }
  const dir = path.resolve(parsed.positionals[0] ?? '.');
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    io.stderr.write(`spdyd: ${dir} is not a directory\n`);
    return 2;
  }
  if (!o.plain && !(o.key && o.cert)) {
    io.stderr.write('spdyd: TLS needs --key and --cert (or use --plain)\n');
    return 2;
  }
  const options: ThreadedSPDYServerOptions = {
    plain: !!o.plain, h2: !o['no-h2'], http1: !o['no-http1'],
    log: o.quiet ? false : (line) => io.stdout.write(line + '\n'),
  };
  if (!o.plain) {
    options.keyFile = o.key;
    options.certFile = o.cert;
  }
  const server = new ThreadedSPDYServer([o.host, Number(o.port)], directoryHandler(dir), options);
  server.on('handlerError', (e: unknown) => io.stderr.write(`spdyd: handler error: ${String((e as Error)?.stack ?? e)}\n`));
  const addr = await server.start();
  const scheme = o.plain ? 'http' : 'https';
  io.stdout.write(`spdyd: serving ${dir} on ${scheme}://${addr.address}:${addr.port}/ ` +
    `(${server.alpnProtocols.join(', ')})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    if (signal) {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', stop, { once: true });
    }
    if (signal === undefined) {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  await server.close({ timeout: 2000 });
  return 0;
}
