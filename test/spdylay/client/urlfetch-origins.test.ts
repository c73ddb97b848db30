// Issue 13, documented behaviour 15: urlfetch given URLs of several origins
// (python-spdylay: "If successive URLs in url_or_urls list have same origin,
// they are processed in one SPDY session"). Three origins on 127.0.0.1:
// ThreadedSPDYServer in the clear, the `spdy` npm package's server in the
// clear, and ThreadedSPDYServer over TLS; each server records its
// connections and requests in one shared log, in the order they happen.
import type * as http from 'node:http';
import type * as net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { urlfetch, type UrlFetcher } from '../../../lib/spdylay/client/fetcher.js';
import { PROTO_SPDY3_1 } from '../../../lib/spdylay/constants.js';
import { BaseSPDYRequestHandler } from '../../../lib/spdylay/server/handler.js';
import { ThreadedSPDYServer } from '../../../lib/spdylay/server/server.js';
import { testCert } from '../../helpers/certs.js';
import { Collect, listen } from '../../helpers/spdy-fetch.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const spdy = require('spdy');

/** `origin path` per request and `origin connect` per connection, in the order the servers saw them. */
const log: string[] = [];
/** The client's port, per path, as our servers saw it. */
const clientPort = new Map<string, number>();

function ourHandler(origin: string) {
  return class extends BaseSPDYRequestHandler {
    do_GET(): void {
      log.push(`${origin} ${this.path}`);
      clientPort.set(this.path ?? '', this.clientAddress[1]);
      this.sendResponse(200);
      this.wfile.end(`${origin} ${this.path}`);
    }
  };
}

let a: ThreadedSPDYServer;
let c: ThreadedSPDYServer;
let b: net.Server;
const base: Record<string, string> = {};
let ca = '';

beforeAll(async () => {
  const cert = await testCert();
  ca = cert.cert;
  a = new ThreadedSPDYServer(['127.0.0.1', 0], ourHandler('A'), { plain: true });
  c = new ThreadedSPDYServer(['127.0.0.1', 0], ourHandler('C'), { key: cert.key, cert: cert.cert, h2: false });
  base.A = `http://127.0.0.1:${(await a.start()).port}`;
  base.C = `https://127.0.0.1:${(await c.start()).port}`;
  b = spdy.createServer({ spdy: { plain: true, ssl: false, connection: { autoSpdy31: true } } },
    (req: http.IncomingMessage, res: http.ServerResponse) => {
      log.push(`B ${req.url}`);
      res.writeHead(200);
      res.end(`B ${req.url}`);
    }) as net.Server;
  b.on('connection', () => log.push('B connect'));
  base.B = `http://127.0.0.1:${await listen(b)}`;
});

afterAll(async () => {
  b.close();
  await Promise.all([a.close({ timeout: 1000 }), c.close({ timeout: 1000 })]);
});

describe('issue 13 documented behaviours (urlfetch)', () => {
  it('13.15 urlfetch with URLs of several origins: successive URLs of one origin share a connection; the groups go one after the other, in order; handlers come back in URL order', async () => {
    const plan: [origin: string, path: string][] = [
      ['A', '/a1'], ['A', '/a2'], ['B', '/b1'], ['B', '/b2'], ['A', '/a3'], ['C', '/c1'], ['C', '/c2'], ['B', '/b3'],
    ];
    const urls = plan.map(([o, p]) => `${base[o]}${p}`);
    const protocols: [string, UrlFetcher][] = [];
    const hs = await urlfetch(urls, Collect, {
      version: PROTO_SPDY3_1, ca, protocols: ['spdy/3.1'],
      onProtocol: (p, f) => protocols.push([p, f]),
    });

    // one handler per URL, in URL order, each with its own response
    expect(hs.map((h) => h.url)).toEqual(urls);
    expect(hs.map((h) => h.body.toString())).toEqual(plan.map(([o, p]) => `${o} ${p}`));
    expect(hs.every((h) => h.status === 0)).toBe(true);

    // five groups: [a1 a2] [b1 b2] [a3] [c1 c2] [b3]; one fetcher (connection) each
    const groups = [[0, 1], [2, 3], [4], [5, 6], [7]];
    const fetchers = groups.map((g) => hs[g[0]!]!.fetcher);
    expect(new Set(fetchers).size).toBe(5);
    for (const [i, g] of groups.entries()) {
      for (const k of g) expect(hs[k]!.fetcher, urls[k]).toBe(fetchers[i]);
      // stream IDs 1, 3 on each connection
      expect(g.map((k) => hs[k]!.streamId)).toEqual(g.map((_, j) => 1 + 2 * j));
    }
    // the connections were made in group order
    expect(protocols.map(([, f]) => f)).toEqual(fetchers);
    expect(protocols.map(([p]) => p)).toEqual(['spdy/3.1', 'spdy/3.1', 'spdy/3.1', 'spdy/3.1', 'spdy/3.1']);

    // the servers saw the groups one after the other: a group's requests all
    // arrive before the next group's; the spdy package server saw two
    // connections (b1 b2, then b3)
    const requests = log.filter((l) => !l.endsWith('connect'));
    const groupOf = (line: string) => groups.findIndex((g) => g.some((k) => `${plan[k]![0]} ${plan[k]![1]}` === line));
    const order = requests.map(groupOf);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(requests.slice().sort()).toEqual(plan.map(([o, p]) => `${o} ${p}`).sort());
    expect(log.filter((l) => l === 'B connect')).toHaveLength(2);
    expect(log.indexOf('B connect')).toBeLessThan(log.indexOf('B /b1'));
    expect(log.lastIndexOf('B connect')).toBeGreaterThan(log.indexOf('C /c2'));
    expect(log.lastIndexOf('B connect')).toBeLessThan(log.indexOf('B /b3'));
    // our servers saw one client port per group: a1/a2 share one, a3 has another, c1/c2 share one
    expect(clientPort.get('/a1')).toBe(clientPort.get('/a2'));
    expect(clientPort.get('/a3')).not.toBe(clientPort.get('/a1'));
    expect(clientPort.get('/c1')).toBe(clientPort.get('/c2'));
  });
});
