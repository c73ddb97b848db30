/**
 * The output pool that native calls write their results into.
 *
 * Allocating an ArrayBuffer costs about a microsecond in V8, more than
 * decoding a whole header block, so results are not given their own: native
 * code writes into a shared slab at an offset and JS hands out Buffer views
 * of it, as Node's own `Buffer.allocUnsafe` pool does. A view keeps its slab
 * (at most {@link POOL_SIZE} bytes, or one result when larger) alive; copy
 * it (`Buffer.from(view)`) before keeping a small Buffer for long.
 *
 * @internal
 * @packageDocumentation
 */

/** Size of one pool slab, in bytes. */
export const POOL_SIZE = 32 * 1024;

/**
 * A `Uint8Array` subclass whose prototype chain runs through
 * `Buffer.prototype`, as Node's internal `FastBuffer`: creating one over an
 * ArrayBuffer costs about half of `Buffer.from(ab, off, len)`, and the result
 * is a `Buffer` in every observable way (`Buffer.isBuffer`, `instanceof
 * Buffer`, every Buffer method).
 */
export class FastBuffer extends Uint8Array {
  // An explicit constructor: the implicit one of a derived class forwards
  // its arguments by spreading them, which runs Array.prototype's iterator
  // (replaceable by any code in the process) and costs a varargs call.
  constructor(buffer: ArrayBuffer, byteOffset: number, length: number) {
    super(buffer, byteOffset, length);
  }
}
Object.setPrototypeOf(FastBuffer.prototype, Buffer.prototype);
Object.defineProperty(FastBuffer.prototype, 'constructor', { value: Buffer, writable: true, configurable: true });

/** A bump allocator over ArrayBuffer slabs; space is never reused. */
export class OutputPool {
  /** The current slab. */
  ab!: ArrayBuffer;
  /** The current slab as 32-bit words (offsets handed out are 8-aligned). */
  u32!: Uint32Array;
  /** First free byte of the current slab. */
  offset = 0;

  constructor() {
    this.fresh(0);
  }

  /** Starts a new slab of at least `min` bytes. */
  fresh(min: number): void {
    // allocUnsafeSlow: a fresh ArrayBuffer of its own, not zero-filled
    // (native code writes every byte it hands out).
    this.ab = Buffer.allocUnsafeSlow(Math.max(POOL_SIZE, (min + 7) & ~7)).buffer as ArrayBuffer;
    this.u32 = new Uint32Array(this.ab);
    this.offset = 0;
  }

  /** Marks `len` bytes at `offset` as used. */
  advance(len: number): void {
    this.offset = (this.offset + len + 7) & ~7;
    if (this.offset >= this.ab.byteLength) this.fresh(0);
  }
}

/** The pool shared by the module's codecs. */
export const pool = new OutputPool();
