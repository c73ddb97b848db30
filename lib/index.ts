/**
 * `spdylay`: SPDY/2, SPDY/3 and SPDY/3.1 sessions over our own C library
 * (`deps/spdylay`), and the package's version information.
 *
 * The HTTP/2 side (HPACK codec, HTTP/2 server) is in `spdylay/nghttp2`.
 *
 * @packageDocumentation
 */
import { native } from './native.js';

/** Versions of the C libraries built into the native addon. */
export interface LibraryVersions {
  /** Version of the nghttp2 linked into the addon (Debian's libnghttp2-dev), e.g. `"1.52.0"`. */
  nghttp2: string;
  /**
   * The Debian package revision of the `libnghttp2-dev` the addon was built
   * against (`dpkg-query -W -f='${Version}' libnghttp2-dev` at configure
   * time), e.g. `"1.52.0-1+deb12u3"`: security fixes Debian backports show
   * here, not in {@link nghttp2}. Empty when the build did not use a Debian
   * package. The server's flood limits (`spdylay/nghttp2` `HTTP2Server`) do
   * not depend on it: they are enforced in this package's own layer.
   */
  nghttp2Package: string;
  /** Version of the zlib linked into the addon, e.g. `"1.2.13"`. */
  zlib: string;
  /** The N-API version the addon targets (8: every Node from 18 on). */
  napi: number;
}

/**
 * Returns the versions of the C libraries statically linked into the addon.
 * They are the addon's own copies, not the ones inside Node
 * (`process.versions.nghttp2`, `process.versions.zlib`).
 *
 * Wraps `nghttp2_version` and `zlibVersion`; `nghttp2Package` is recorded
 * when the addon is configured.
 */
export function libraryVersions(): LibraryVersions {
  return native.versions();
}

export * from './spdylay/index.js';
export * from './compat/index.js';
