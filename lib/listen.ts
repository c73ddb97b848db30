/**
 * The listen options of the servers (`HTTP2Server.listen()`,
 * `ThreadedSPDYServer.start()`): Node's `net.Server.listen()` options for
 * serving on several cores, and the start of listening they share.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';

import { ArgumentError } from './errors.js';

/**
 * Options of `HTTP2Server.listen()` and `ThreadedSPDYServer.start()`, passed
 * to Node's `net.Server.listen()` with the server's host and port.
 */
export interface ListenOptions {
  /** Maximum length of the queue of pending connections (Node's default: 511). */
  backlog?: number;
  /**
   * In a `node:cluster` worker: bind a handle of its own instead of sharing
   * the primary's (Node's `exclusive`). Default false.
   */
  exclusive?: boolean;
  /**
   * `SO_REUSEPORT`: several servers (processes or worker threads) bind the
   * same host and port, and the kernel spreads the connections among them
   * (Linux, FreeBSD 12+, DragonFly, Solaris). Needs Node 22.12 or newer
   * within 22, or 23.1 and newer ({@link reusePortSupported}).
   */
  reusePort?: boolean;
  /** With host `'::'`: do not accept IPv4 connections too. Default false. */
  ipv6Only?: boolean;
  /**
   * Aborting it closes the server as its `close()` does (GOAWAY, open
   * streams finish). Already aborted: `listen()`/`start()` reject with its
   * reason and the server does not listen.
   */
  signal?: AbortSignal;
}

/**
 * Whether this Node passes `reusePort` to the socket (22.12+ within 22,
 * 23.1+).
 *
 * @param version - A Node version string (default: the running one), e.g. `'22.12.0'`.
 */
export function reusePortSupported(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/**
 * Starts `server` listening on `host`:`port` with `options`; calls `onAbort`
 * when `options.signal` aborts afterwards.
 *
 * @returns Resolves once listening.
 * @throws ArgumentError (rejects) for a bad option or `reusePort` on a Node without it;
 *   the signal's reason when it is already aborted; the listen error (e.g. EADDRINUSE).
 * @internal
 */
export function listenServer(server: net.Server, port: number, host: string | undefined,
  options: ListenOptions, onAbort: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (options === null || typeof options !== 'object') throw new ArgumentError('listen options must be an object');
    const { backlog, exclusive, reusePort, ipv6Only, signal } = options;
    if (backlog !== undefined && !(Number.isInteger(backlog) && backlog >= 0)) {
      throw new ArgumentError('backlog must be an integer >= 0');
    }
    for (const [name, v] of [['exclusive', exclusive], ['reusePort', reusePort], ['ipv6Only', ipv6Only]] as const) {
      if (v !== undefined && typeof v !== 'boolean') throw new ArgumentError(`${name} must be a boolean`);
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) throw new ArgumentError('signal must be an AbortSignal');
    if (reusePort && !reusePortSupported()) {
      throw new ArgumentError(`reusePort needs Node 22.12+ or 23.1+ (this is ${process.versions.node})`);
    }
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const listenOptions: net.ListenOptions & { reusePort?: boolean } = { port, host };
    if (backlog !== undefined) listenOptions.backlog = backlog;
    if (exclusive !== undefined) listenOptions.exclusive = exclusive;
    if (reusePort !== undefined) listenOptions.reusePort = reusePort;
    if (ipv6Only !== undefined) listenOptions.ipv6Only = ipv6Only;
    server.listen(listenOptions, () => {
      server.off('error', onError);
      if (signal) {
        const abort = (): void => onAbort();
        signal.addEventListener('abort', abort, { once: true });
        server.once('close', () => signal.removeEventListener('abort', abort));
      }
      resolve();
    });
  });
}
