/**
 * The `http.IncomingMessage` of an h2 or SPDY request: built with Node's
 * public constructor, its header fields joined as Node's HTTP/1.1 parser
 * joins them.
 *
 * @packageDocumentation
 */
import * as http from 'node:http';

/** Fields of which Node keeps the first occurrence (the others are dropped). */
const FIRST_WINS = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization',
  'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag',
  'last-modified', 'server', 'age', 'expires',
]);

/**
 * Joins raw header lines as Node's `IncomingMessage` does: `set-cookie`
 * values in an array, `cookie` joined with `'; '`, the single-valued
 * fields of {@link FIRST_WINS} keep their first value, every other field
 * joined with `', '`. Names are lower-cased.
 *
 * @param raw - `[name, value, name, value, ...]`.
 * @returns A plain object (null prototype as Node's is not: `{}`).
 * @internal
 */
export function joinHeaders(raw: readonly string[]): http.IncomingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = lowerName(name);
    const value = raw[i + 1]!;
    const prev = out[lower];
    if (prev === undefined) {
      out[lower] = lower === 'set-cookie' ? [value] : value;
    } else if (lower === 'set-cookie') {
      (prev as string[]).push(value);
    } else if (lower === 'cookie') {
      out[lower] = `${prev as string}; ${value}`;
    } else if (!FIRST_WINS.has(lower)) {
      out[lower] = `${prev as string}, ${value}`;
    }
  }
  return out as http.IncomingHttpHeaders;
}

function lowerName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return name.toLowerCase();
  }
  return name;
}

/** The request fields Express's router sets, declared by {@link makeRequest}. */
const EXPRESS_FIELDS = ['next', 'baseUrl', 'originalUrl', 'params', 'route'] as const;

/** What {@link makeRequest} needs to build the request. @internal */
export interface RequestInit {
  socket: object;
  method: string;
  url: string;
  httpVersion: '2.0' | '1.1';
  /** `:authority`/`:host` (becomes `host` when the request has no `host` field), or null. */
  authority: string | null;
  /** Non-pseudo header pairs; SPDY values may hold several values separated by NUL. */
  headers: readonly (readonly [string, string])[];
  isSpdy: true;
  spdyVersion: number;
  streamID: number;
  /** The body's length when it has fully arrived, else -1. */
  bodyLength: number;
}

/** Every value of each field of `raw` (`[name, value, ...]`), names lower-cased, as Node's `headersDistinct`. */
function distinct(raw: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    (out[name] ??= []).push(raw[i + 1]!);
  }
  return out;
}

/**
 * `headersDistinct` (every request) and `trailersDistinct` (once trailers
 * arrived) as own accessors computed from `rawHeaders`/`rawTrailers`
 * (Node's getters read fields its HTTP/1.1 parser fills).
 */
const HEADERS_DISTINCT: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: http.IncomingMessage): Record<string, string[]> {
    return distinct(this.rawHeaders);
  },
};
const TRAILERS_DISTINCT: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: http.IncomingMessage): Record<string, string[]> {
    return distinct(this.rawTrailers);
  },
};

/**
 * The request's trailer fields arrived: `rawTrailers` (`[name, value,
 * ...]`), `trailers` (joined as Node joins them) and an own
 * `trailersDistinct` accessor computed from `rawTrailers`.
 * @internal
 */
export function setTrailers(req: http.IncomingMessage, raw: string[]): void {
  req.rawTrailers = raw;
  req.trailers = joinHeaders(raw) as NodeJS.Dict<string>;
  if (!Object.prototype.hasOwnProperty.call(req, 'trailersDistinct')) Object.defineProperty(req, 'trailersDistinct', TRAILERS_DISTINCT);
}

/**
 * A real `http.IncomingMessage` (`new http.IncomingMessage(socket)`) with
 * `method`, `url`, `httpVersion*`, `rawHeaders`, `headers`, `trailers`,
 * and the `spdy` package's `isSpdy`, `spdyVersion`, `streamID`.
 * @internal
 */
export function makeRequest(init: RequestInit): http.IncomingMessage {
  const req = new http.IncomingMessage(init.socket as never);
  req.method = init.method;
  req.url = init.url;
  req.httpVersion = init.httpVersion;
  if (init.httpVersion === '2.0') {
    req.httpVersionMajor = 2;
    req.httpVersionMinor = 0;
  } else {
    req.httpVersionMajor = 1;
    req.httpVersionMinor = 1;
  }
  const hs = init.headers;
  let hasHost = false;
  for (let i = 0; i < hs.length; i++) {
    if (hs[i]![0] === 'host') {
      hasHost = true;
      break;
    }
  }
  // `host` from `:authority` leads, as it does in an HTTP/1.1 request
  const raw: string[] = !hasHost && init.authority !== null ? ['host', init.authority] : [];
  let hasLength = false;
  for (let i = 0; i < hs.length; i++) {
    const p = hs[i]!;
    const name = p[0];
    const value = p[1];
    if (name === 'content-length' || name === 'transfer-encoding') hasLength = true;
    if (value.indexOf('\0') >= 0) {
      for (const v of value.split('\0')) raw.push(name, v);
    } else raw.push(name, value);
  }
  // h2/SPDY requests need not announce a body's length: give the field an HTTP/1.1 request with
  // that body has (content-length when the body is already complete, else transfer-encoding),
  // so that body parsers (type-is hasBody) read it
  if (!hasLength) {
    if (init.bodyLength > 0) raw.push('content-length', String(init.bodyLength));
    else if (init.bodyLength < 0) raw.push('transfer-encoding', 'chunked');
  }
  req.rawHeaders = raw;
  req.headers = joinHeaders(raw);
  Object.defineProperty(req, 'headersDistinct', HEADERS_DISTINCT);
  // Node's constructor sets rawTrailers to [] and its trailers and trailersDistinct getters give
  // empty objects until trailers arrive (setTrailers)
  if (!Array.isArray(req.rawTrailers)) req.rawTrailers = [];
  const r = req as http.IncomingMessage & { isSpdy: boolean; spdyVersion: number; streamID: number };
  r.isSpdy = true;
  r.spdyVersion = init.spdyVersion;
  r.streamID = init.streamID;
  // the fields Express and its router add (undefined until they do): V8 gives an object a map of
  // its own for each property added after `Object.setPrototypeOf`, so stores to fields the
  // request already has keep Express's request handling off fresh hidden classes
  const x = req as unknown as Record<(typeof EXPRESS_FIELDS)[number], unknown>;
  x.next = undefined;
  x.baseUrl = undefined;
  x.originalUrl = undefined;
  x.params = undefined;
  x.route = undefined;
  return req;
}
