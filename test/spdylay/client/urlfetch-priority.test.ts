// urlfetch's `priority` option is documented as 0..7: on a connection whose
// version has fewer priorities (SPDY/2: 0..3) it is clamped to the lowest,
// while Session.submitRequest itself raises InvalidArgumentError there.
import { afterAll, beforeAll, expect, it } from 'vitest';

import { PROTO_SPDY2, PROTO_SPDY3, SYN_STREAM, ThreadedSPDYServer, urlfetch } from '../../../lib/spdylay/index.js';
import { Collect, EchoHandler } from '../../helpers/spdy-fetch.js';

let server: ThreadedSPDYServer;
let base = '';

beforeAll(async () => {
  server = new ThreadedSPDYServer(['127.0.0.1', 0], EchoHandler, { plain: true });
  base = `http://127.0.0.1:${(await server.start()).port}`;
});
afterAll(async () => {
  await server.close();
});

for (const [version, sent] of [[PROTO_SPDY2, 3], [PROTO_SPDY3, 7]] as const) {
  it(`priority 7 over version ${version} sends SYN_STREAM priority ${sent} and completes`, async () => {
    const pris: number[] = [];
    const [h] = await urlfetch(`${base}/hello`, Collect, {
      version, priority: 7,
      onFrame: (dir, f) => { if (dir === 'send' && f.frameType === SYN_STREAM) pris.push((f as { pri: number }).pri); },
    });
    expect(h!.code).toBe(200);
    expect(pris).toEqual([sent]);
  });
}
