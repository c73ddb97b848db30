/**
 * Name/value lists as they cross the native SPDY session: one string with
 * every name and value followed by NUL (C nv strings cannot hold NUL).
 *
 * @internal
 * @packageDocumentation
 */
import { native } from '../native.js';
import { ArgumentError } from '../errors.js';
import { InvalidArgumentError } from './errors.js';
import type { NameValue } from './frames.js';

/** The native submits' answer for a name or value holding a NUL. */
export const ERR_NV_NUL = native.SpdylaySession.ERR_NV_NUL;

/**
 * Splits a NUL-joined name/value string of `count` pairs starting at index
 * `start` of `s` (indexOf/slice is about twice as fast as
 * String.prototype.split on a fresh string).
 */
export function decodeNv(s: string | undefined, count: number, start = 0): NameValue[] {
  if (count <= 0 || s === undefined) return [];
  const out: NameValue[] = new Array(count);
  let pos = start;
  for (let i = 0; i < count; i++) {
    const a = s.indexOf('\0', pos);
    const b = s.indexOf('\0', a + 1);
    out[i] = [s.slice(pos, a), s.slice(a + 1, b)];
    pos = b + 1;
  }
  return out;
}

/**
 * Reads the name/value list of `count` pairs a queued frame event describes
 * (binding/spdylay/event_record.h): its strings in `s` from index `start`,
 * and from `ends[at]` one or two words per name and value: `w >= 0`, the
 * string ends at `w` in `s`; `-internSlots <= w < 0`, it is `strs[-w - 1]`;
 * below, it ends at the next word and becomes `strs[-w - 1 - internSlots]`.
 */
export function decodeNvAt(s: string, count: number, start: number, ends: Int32Array, at: number,
  strs: string[]): NameValue[] {
  const out: NameValue[] = new Array(count);
  const slots = strs.length;
  let pos = start;
  let k = at;
  for (let i = 0; i < count; i++) {
    let name: string;
    let w = ends[k++];
    if (w >= 0) { name = s.slice(pos, w); pos = w + 1; }
    else if (w >= -slots) name = strs[-w - 1];
    else { const e = ends[k++]; name = s.slice(pos, e); pos = e + 1; strs[-w - 1 - slots] = name; }
    let value: string;
    w = ends[k++];
    if (w >= 0) { value = s.slice(pos, w); pos = w + 1; }
    else if (w >= -slots) value = strs[-w - 1];
    else { const e = ends[k++]; value = s.slice(pos, e); pos = e + 1; strs[-w - 1 - slots] = value; }
    out[i] = [name, value];
  }
  return out;
}

/** The last encoding of an nv array: its names and values, the joined string and its id. */
interface NvCacheEntry {
  parts: string[];
  joined: string;
  /** A positive number naming `joined`: no other string gets it (the native submits key their split lists by it). */
  id: number;
}
const nvCache = new WeakMap<NameValue[], NvCacheEntry>();
let nextNvId = 1;
/** The id of the string the last `encodeNv(nv)` returned (0 for a cut one). */
let lastNvId = 0;

/**
 * Joins `nv` as `name\0value\0...` (a flat string, cheap for the native side
 * to read); with `cut`, each name and value is cut at its first NUL
 * (python-spdylay passes C strings, which end there). The encoding of an
 * array is cached: passing the same array again (a constant header list)
 * only compares its strings with the cached ones.
 */
export function encodeNv(nv: NameValue[], cut = false): string {
  if (!Array.isArray(nv)) throw new ArgumentError('nv must be an array of [name, value] pairs');
  const n = nv.length;
  if (!cut) {
    const hit = nvCache.get(nv);
    if (hit !== undefined && hit.parts.length === 2 * n) {
      const parts = hit.parts;
      let same = true;
      for (let i = 0, j = 0; i < n; i++, j += 2) {
        const p = nv[i];
        if (!Array.isArray(p) || p[0] !== parts[j] || p[1] !== parts[j + 1]) { same = false; break; }
      }
      if (same) {
        lastNvId = hit.id;
        return hit.joined;
      }
    }
  }
  const parts: string[] = new Array(2 * n);
  for (let i = 0, j = 0; i < n; i++, j += 2) {
    const p = nv[i];
    if (!Array.isArray(p) || p.length < 2) throw new ArgumentError('nv entries must be [name, value] pairs');
    let name = p[0];
    let value = p[1];
    if (typeof name !== 'string' || typeof value !== 'string') {
      throw new InvalidArgumentError('nv names and values must be strings');
    }
    if (cut) {
      const k = name.indexOf('\0');
      if (k >= 0) name = name.slice(0, k);
      const m = value.indexOf('\0');
      if (m >= 0) value = value.slice(0, m);
    }
    parts[j] = name;
    parts[j + 1] = value;
  }
  const joined = n === 0 ? '' : parts.join('\0') + '\0';
  if (cut) {
    lastNvId = 0;
  } else {
    lastNvId = nextNvId;
    nextNvId = nextNvId === 0xffffffff ? 1 : nextNvId + 1;
    nvCache.set(nv, { parts, joined, id: lastNvId });
  }
  return joined;
}

/** The id of the string the last {@link encodeNv} call returned (see the native submits' `nvId`; 0 for a cut one). */
export function encodedNvId(): number {
  return lastNvId;
}

/**
 * Calls `submit` with `nv` encoded, its pair count and the encoding's id
 * (see the native submits' `nvId`); when the native side finds a NUL inside
 * a name or value, calls it again with each one cut at its first NUL
 * (python-spdylay passes C strings, which end there) and no id.
 *
 * @returns What the last call of `submit` returned.
 */
export function submitNv(nv: NameValue[], submit: (joined: string, count: number, id: number) => number): number {
  const joined = encodeNv(nv);
  const rv = submit(joined, nv.length, lastNvId);
  return rv === ERR_NV_NUL ? submit(encodeNv(nv, true), nv.length, 0) : rv;
}
