/**
 * Socket helpers for the connections of the high-level clients and servers:
 * the bound on socket output, the bounded write behind a SPDY session's
 * output handler, the receive step, and the routing of a socket's events to
 * its connection.
 *
 * @packageDocumentation
 */
import type * as net from 'node:net';

/** Socket output buffered before a session stops producing frames, in bytes. @internal */
export const SOCKET_HIGH_WATER = 65536;

/**
 * Bytes one connection's flush writes before it yields to the event loop
 * (continuing on `setImmediate`): a local socket that the kernel drains as
 * fast as it is written never reaches the high-water mark, and one
 * connection's large responses must not hold up every other connection.
 * @internal
 */
export const FLUSH_TURN_MAX = 256 * 1024;

/**
 * Writes `data` to `socket` unless the socket already buffers
 * {@link SOCKET_HIGH_WATER} bytes: the body of a SPDY session's output
 * (`send`) handler.
 * Bytes for a destroyed socket count as sent.
 *
 * @param socket - The connection's socket.
 * @param data - The bytes the session wants sent.
 * @returns `data.length` when taken, 0 when the socket is full (the session
 *   keeps the bytes for the next `send()`).
 * @internal
 */
export function writeBounded(socket: net.Socket, data: Buffer): number {
  if (socket.destroyed) return data.length;
  if (socket.writableLength >= SOCKET_HIGH_WATER) return 0;
  socket.write(data);
  return data.length;
}

/**
 * What a connection does on the events of its socket. The functions are
 * called unbound (pass arrow functions).
 * @internal
 */
export interface SocketHandlers {
  /** Bytes received. */
  data(chunk: Buffer): void;
  /** The socket's output buffer emptied: send more. */
  drain(): void;
  /** The socket failed (`close` follows). */
  error(err: Error): void;
  /** The socket closed. */
  close(): void;
}

/**
 * Turns Nagle's algorithm off and routes the socket's `data`, `drain`,
 * `error` and `close` events to `on`.
 *
 * @param socket - The connection's socket.
 * @param on - The connection's handlers.
 * @internal
 */
export function attachSocket(socket: net.Socket, on: SocketHandlers): void {
  socket.setNoDelay(true);
  socket.on('data', on.data);
  socket.on('drain', on.drain);
  socket.on('error', on.error);
  socket.on('close', on.close);
}

/**
 * The receive step of a SPDY connection: feeds a socket chunk to the
 * session's `recv()` while it marks the call as running (the session's
 * event handlers may not re-enter it: they leave sending to the caller).
 * @internal
 */
export class RecvStep {
  /** A `recv()` is running. */
  active = false;

  /**
   * Runs `session.recv(chunk)`. The mark is cleared whether it returns or
   * throws; the exception propagates.
   */
  run(session: { recv(data: Buffer): unknown }, chunk: Buffer): void {
    this.active = true;
    try {
      session.recv(chunk);
    } finally {
      this.active = false;
    }
  }
}
