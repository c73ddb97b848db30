/**
 * `BaseSPDYStreamHandler`: the application's side of one URL retrieval of
 * {@link urlfetch} (python-spdylay's `BaseSPDYStreamHandler`).
 *
 * @packageDocumentation
 */
import type { NameValue } from '../frames.js';
import type { UrlFetcher } from './fetcher.js';

/**
 * Handles one URL retrieval, i.e. one stream (python-spdylay's
 * `BaseSPDYStreamHandler`). Subclass it and override {@link onHeader},
 * {@link onData} and {@link onClose}; `urlfetch` creates one instance per
 * URL. Exceptions thrown by these methods reset the stream (RST_STREAM
 * CANCEL) and make `urlfetch` reject with the first such exception once
 * every stream is done.
 */
export class BaseSPDYStreamHandler {
  /** The URL this stream fetches. */
  readonly url: string;
  /** The driver calling this handler (python: `fetcher`). */
  readonly fetcher: UrlFetcher;
  /** The stream ID, or null until the request is sent (python: `stream_id`). */
  streamId: number | null = null;

  /**
   * Called by the fetcher; subclasses must pass both arguments on.
   *
   * @param url - The URL.
   * @param fetcher - The fetcher.
   */
  constructor(url: string, fetcher: UrlFetcher) {
    this.url = url;
    this.fetcher = fetcher;
  }

  /**
   * Called when response headers arrive (SYN_REPLY or HEADERS; over h2 the
   * HEADERS). SPDY gives `:status` as `'200 OK'`, `:version`, then the
   * headers; h2 gives `:status` as `'200'`.
   *
   * @param nv - `[name, value]` pairs.
   */
  onHeader(nv: NameValue[]): void {
    void nv;
  }

  /**
   * Called for each chunk of response body.
   *
   * @param data - The bytes (yours to keep).
   */
  onData(data: Buffer): void {
    void data;
  }

  /**
   * Called when the stream closes.
   *
   * @param statusCode - SPDY stream status: `OK` (0), or the RST_STREAM
   *   status (`REFUSED_STREAM`, `CANCEL`, ...); over h2 the HTTP/2 error
   *   code (0 = NO_ERROR). `CANCEL` (5) when the connection was lost.
   */
  onClose(statusCode: number): void {
    void statusCode;
  }
}

/** Constructor of the stream handler class given to {@link urlfetch}. */
export type StreamHandlerClass<H extends BaseSPDYStreamHandler = BaseSPDYStreamHandler> =
  new (url: string, fetcher: UrlFetcher) => H;
