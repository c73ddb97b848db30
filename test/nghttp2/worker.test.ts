// The nghttp2 wrappers (HDDeflater, HDInflater, Http2Session,
// Http2ClientSession) in worker threads, and a worker terminated in the
// middle of their native calls.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { describe, expect, it } from 'vitest';

import { HDDeflater, HDInflater } from '../../lib/nghttp2/index.js';

const workerSource = `
  const { parentPort, workerData } = require('node:worker_threads');
  const { HDDeflater, HDInflater } = require(workerData.nghttp2);
  const { native } = require(workerData.native);
  const deflater = new HDDeflater();
  const inflater = new HDInflater();
  const server = new native.Http2Session(() => undefined, new Int32Array(native.Http2Session.layout.state.count), 100);
  const client = new native.Http2ClientSession(new Int32Array(native.Http2ClientSession.layout.state.count), false, 65535);
  const request = ':method\\0GET\\0:scheme\\0http\\0:authority\\0x\\0:path\\0/\\0';
  let fields = 0;
  let bytes = 0;
  const round = () => {
    fields += inflater.inflate(deflater.deflate([['x-a', 'b'], [':path', '/' + fields]])).length;
    client.submitRequest(request, 4, null);
    for (let k = 0; k < 4; k++) {
      const c = client.send(65536);
      if (c instanceof Uint8Array) { bytes += c.length; server.recv(c); }
      server.takeEvents();
      const s = server.send(65536);
      if (s instanceof Uint8Array) { bytes += s.length; client.recv(s); }
      client.takeEvents();
    }
  };
  for (let i = 0; i < 50; i++) round();
  parentPort.postMessage({ fields, bytes });
  if (workerData.spin) for (;;) round();
`;
const dist = path.resolve(__dirname, '..', '..', 'dist');

function run(spin: boolean): Promise<{ fields: number; bytes: number; worker: Worker }> {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { nghttp2: path.join(dist, 'nghttp2', 'index.js'), native: path.join(dist, 'native.js'), spin },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { fields: number; bytes: number }) => resolve({ ...m, worker }));
    worker.once('error', reject);
  });
}

describe('nghttp2 wrappers in worker threads', () => {
  it('work in several workers at once', async () => {
    const results = await Promise.all([run(false), run(false), run(false)]);
    for (const r of results) {
      expect(r.fields).toBe(100);
      expect(r.bytes).toBeGreaterThan(0);
      await r.worker.terminate();
    }
  });

  it('terminating a worker in the middle of their calls does not crash the process', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await run(true);
      await new Promise((res) => setTimeout(res, 30));
      await r.worker.terminate();
    }
    // the main thread's codec still works
    const inflated = new HDInflater().inflate(new HDDeflater().deflate([['a', 'b']]));
    expect(inflated.map(([n, v]) => [n.toString(), v.toString()])).toEqual([['a', 'b']]);
  });
});
