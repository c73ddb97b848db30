// Koa (unmodified, from npm) through createServer: a few cases over every
// transport of the peer matrix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { header, pattern, sha256, startApp, transports, type AppServers, type Client } from '../../helpers/compat-matrix.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Koa = require('koa');

function koaApp(): { callback(): never } {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx: any, next: () => Promise<void>) => {
    switch (ctx.path) {
      case '/hello':
        ctx.set('x-proto', ctx.req.httpVersion);
        ctx.body = `hello ${ctx.method} ${ctx.url}`;
        return;
      case '/json':
        ctx.body = { isSpdy: !!ctx.req.isSpdy, spdyVersion: ctx.req.spdyVersion ?? null };
        return;
      case '/redirect':
        ctx.redirect('/hello');
        return;
      case '/throw':
        throw new Error('thrown by koa middleware (test)');
      case '/echo': {
        // The raw body, collected from the request stream.
        const chunks: Buffer[] = [];
        for await (const c of ctx.req) chunks.push(c as Buffer);
        const body = Buffer.concat(chunks);
        ctx.set('x-sha', sha256(body));
        ctx.type = 'application/octet-stream';
        ctx.body = body;
        return;
      }
      default:
        await next();
    }
  });
  return app;
}

describe('Koa', () => {
  let app: AppServers;
  beforeAll(async () => {
    app = await startApp(koaApp().callback());
  });
  afterAll(async () => {
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
      it('ctx.body string, ctx.set, and the protocol seen by the app', async () => {
        const r = await c.request({ path: '/hello?a=b' });
        expect(r.status).toBe(200);
        expect(r.body.toString()).toBe('hello GET /hello?a=b');
        expect(header(r, 'x-proto')).toBe(t.kind === 'h2' ? '2.0' : '1.1');
        const j = await c.request({ path: '/json' });
        expect(JSON.parse(j.body.toString())).toEqual({
          isSpdy: t.kind !== 'http/1.1', spdyVersion: t.kind === 'http/1.1' ? 1 : t.spdyVersion,
        });
      });
      it('ctx.redirect, 404 and a thrown error (500)', async () => {
        const r = await c.request({ path: '/redirect' });
        expect(r.status).toBe(302);
        expect(header(r, 'location')).toBe('/hello');
        expect((await c.request({ path: '/missing' })).status).toBe(404);
        expect((await c.request({ path: '/throw' })).status).toBe(500);
        expect((await c.request({ path: '/hello' })).status).toBe(200);
      });
      it('echoes a 1 MiB request body', async () => {
        const body = pattern(1 << 20, 11);
        const r = await c.request({ method: 'POST', path: '/echo', body });
        expect(r.status).toBe(200);
        expect(header(r, 'x-sha')).toBe(sha256(body));
        expect(sha256(r.body)).toBe(sha256(body));
      });
    });
  }
});
