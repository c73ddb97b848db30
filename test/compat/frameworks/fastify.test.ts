// Fastify (unmodified, from npm) with createServer as its `serverFactory`,
// started through fastify.listen(): a few cases over every transport.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { header, pattern, sha256, startServers, transports, type AppServers, type Client } from '../../helpers/compat-matrix.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Fastify = require('fastify');

describe('Fastify (serverFactory)', () => {
  let app: AppServers;
  const instances: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    app = await startServers(async (createServer, options) => {
      const f = Fastify({ serverFactory: (handler: never) => createServer(options, handler), bodyLimit: 4 << 20 });
      f.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req: unknown, body: Buffer, done: (e: null, b: Buffer) => void) => done(null, body));
      f.get('/hello/:name', async (req: any) => ({ hello: req.params.name, httpVersion: req.raw.httpVersion, isSpdy: !!req.raw.isSpdy }));
      f.post('/json', async (req: any) => ({ got: req.body }));
      f.post('/echo', async (req: any, reply: any) => {
        reply.header('x-sha', sha256(req.body)).type('application/octet-stream');
        return req.body;
      });
      f.get('/throw', async () => {
        throw new Error('thrown by a fastify route (test)');
      });
      f.get('/redirect', async (_req: unknown, reply: any) => reply.redirect('/hello/r'));
      await f.listen({ port: 0, host: '127.0.0.1' });
      instances.push(f);
      return f.server;
    });
  });
  afterAll(async () => {
    for (const f of instances) await Promise.race([f.close(), new Promise((r) => setTimeout(r, 1000))]);
    await app?.close();
  });
  for (const t of transports()) {
    describe(t.name, () => {
      let c: Client;
      beforeAll(() => {
        c = t.open(app);
      });
      afterAll(async () => {
        await c?.close();
      });
      it('route params, JSON reply and the protocol seen by the app', async () => {
        const r = await c.request({ path: '/hello/w' });
        expect(r.status).toBe(200);
        expect(header(r, 'content-type')).toMatch(/^application\/json/);
        expect(JSON.parse(r.body.toString())).toEqual({
          hello: 'w', httpVersion: t.kind === 'h2' ? '2.0' : '1.1', isSpdy: t.kind !== 'http/1.1',
        });
      });
      it('JSON body, redirect, 404 and a thrown error (500)', async () => {
        const j = await c.request({ method: 'POST', path: '/json', headers: { 'content-type': 'application/json' }, body: '{"n":[1,2,3]}' });
        expect(j.status).toBe(200);
        expect(JSON.parse(j.body.toString())).toEqual({ got: { n: [1, 2, 3] } });
        const r = await c.request({ path: '/redirect' });
        expect(r.status).toBe(302);
        expect(header(r, 'location')).toBe('/hello/r');
        expect((await c.request({ path: '/missing' })).status).toBe(404);
        const e = await c.request({ path: '/throw' });
        expect(e.status).toBe(500);
        expect(JSON.parse(e.body.toString())).toMatchObject({ statusCode: 500, message: 'thrown by a fastify route (test)' });
      });
      it('echoes a 1 MiB binary body', async () => {
        const body = pattern(1 << 20, 13);
        const r = await c.request({ method: 'POST', path: '/echo', headers: { 'content-type': 'application/octet-stream' }, body });
        expect(r.status).toBe(200);
        expect(header(r, 'x-sha')).toBe(sha256(body));
        expect(sha256(r.body)).toBe(sha256(body));
      });
    });
  }
});
