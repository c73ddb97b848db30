// Smoke script of the ESM entry points, run from an app that installed the
// packed tarball (test/package.test.ts on x64, scripts/test-arm64.sh on arm64).
import { libraryVersions } from 'spdylay';
import { HDDeflater, HDInflater, DEFAULT_HEADER_TABLE_SIZE } from 'spdylay/nghttp2';
const [[n]] = new HDInflater().inflate(new HDDeflater().deflate([['x-esm', '1']]));
console.log(JSON.stringify({ esm: n.toString(), size: DEFAULT_HEADER_TABLE_SIZE, zlib: libraryVersions().zlib }));
