/**
 * `spdycat` (bin/spdycat.js), after spdylay's `spdycat`: fetches URLs over
 * SPDY or HTTP/2 with {@link urlfetch}.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';

import { UrlFetchError, urlfetch, type UrlFetcher } from '../spdylay/client/fetcher.js';
import { BaseSPDYStreamHandler } from '../spdylay/client/handler.js';
import { PROTO_SPDY2, PROTO_SPDY3, PROTO_SPDY3_1 } from '../spdylay/constants.js';
import type { NameValue } from '../spdylay/frames.js';
import { formatFrame } from '../spdylay/trace.js';
import { type CliIO, versionLine } from './io.js';

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
  -V, --version        print the version and exit
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
        progress: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' },
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
  if (o.version) {
    io.stdout.write(versionLine('spdycat') + '\n');
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
