/**
 * `spdyd` (bin/spdyd.js), after spdylay's `spdyd`: serves a directory over
 * SPDY, h2 and HTTP/1.1 with {@link ThreadedSPDYServer}.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import type { ThreadedSPDYServerOptions } from '../spdylay/server/options.js';
import { ThreadedSPDYServer } from '../spdylay/server/server.js';
import { directoryHandler } from './directory-handler.js';
import { type CliIO, versionLine } from './io.js';

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
  -V, --version        print the version and exit
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
        help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' },
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
  if (o.version) {
    io.stdout.write(versionLine('spdyd') + '\n');
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
