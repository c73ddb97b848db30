// FrameSocket: the socket wrapper under the raw protocol clients of the
// tests (h2raw.ts RawClient, attack-spdy.ts RawSpdy3): connects to the
// server, parses every chunk it receives into frames (kept in `frames`),
// and resolves waitFor() with the first frame that matches.
import * as net from 'node:net';

/** A parser that turns received chunks into frames (keeping partial ones). */
export interface ChunkParser<F> {
  push(chunk: Buffer): F[];
}

export abstract class FrameSocket<F extends { type: number }> {
  readonly socket: net.Socket;
  readonly frames: F[] = [];
  readonly connected: Promise<void>;
  readonly closed: Promise<void>;
  isClosed = false;
  #waiters: (() => void)[] = [];

  /**
   * Connects to `host`:`port`. `connected` resolves on connect (after
   * onConnect()) and rejects on a connection error; `closed` resolves when
   * the socket closes (after onClose()).
   */
  constructor(port: number, host: string, parser: ChunkParser<F>) {
    this.socket = net.connect(port, host);
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => {
        this.onConnect();
        resolve();
      });
      this.socket.once('error', reject);
    });
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk: Buffer) => {
      this.frames.push(...parser.push(chunk));
      this.#notify();
    });
    this.closed = new Promise((resolve) => this.socket.on('close', () => {
      this.isClosed = true;
      this.onClose();
      this.#notify();
      resolve();
    }));
  }

  /** Called once connected, before `connected` resolves. */
  protected onConnect(): void {}
  /** Called once the socket closed, before waiters are told. */
  protected onClose(): void {}
  /** What waitFor's errors add after their message (e.g. the frame types received). */
  protected received(): string {
    return '';
  }
  /** What waitFor's errors call the frame awaited. */
  protected get frameName(): string {
    return 'a frame';
  }

  #notify(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves with the first frame matching `pred` (rejects after `timeoutMs`, or when the socket closes first). */
  waitFor(pred: (f: F) => boolean, timeoutMs = 5000): Promise<F> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${this.frameName}${this.received()}`)), timeoutMs);
      const check = (): void => {
        const f = this.frames.find(pred);
        if (f) {
          clearTimeout(timer);
          resolve(f);
        } else if (this.isClosed) {
          clearTimeout(timer);
          reject(new Error(`connection closed before the expected frame${this.received()}`));
        } else {
          this.#waiters.push(check);
        }
      };
      check();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }
}
