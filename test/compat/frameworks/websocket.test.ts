// A `ws` WebSocket server on the HTTP/1.1 path (the 'upgrade' event) of a
// createServer port, cleartext and TLS, next to an Express app that answers
// h2 requests on the same port.
import * as http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startApp, type AppServers } from '../../helpers/compat-matrix.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { WebSocket, WebSocketServer } = require('ws');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express');

function roundTrip(url: string, opts: Record<string, unknown>, messages: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
    const got: string[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`websocket ${url}: timed out with ${got.length} replies`));
    }, 10_000);
    ws.on('open', () => {
      for (const m of messages) ws.send(m);
    });
    ws.on('message', (data: Buffer) => {
      got.push(data.toString());
      if (got.length === messages.length) ws.close(1000, 'done');
    });
    ws.on('close', (code: number) => {
      clearTimeout(timer);
      if (code !== 1000) reject(new Error(`websocket closed with ${code}`));
      else resolve(got);
    });
    ws.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('ws WebSocket upgrade on the HTTP/1.1 path of the same port', () => {
  let app: AppServers;
  const wss: { close(): void }[] = [];
  const upgrades: string[] = [];
  beforeAll(async () => {
    const e = express();
    e.get('/hello', (_req: unknown, res: { send(b: string): void }) => res.send('hello'));
    app = await startApp(e);
    for (const server of [app.tls, app.plain]) {
      server.on('upgrade', (req: { url: string }) => upgrades.push(req.url));
      const w = new WebSocketServer({ server, path: '/ws' });
      w.on('connection', (sock: any, req: any) => {
        sock.on('message', (m: Buffer) => sock.send(`echo ${m} via ${req.socket.encrypted ? 'wss' : 'ws'}`));
      });
      wss.push(w);
    }
  });
  afterAll(async () => {
    for (const w of wss) w.close();
    await app?.close();
  });

  it('cleartext ws:// echoes messages', async () => {
    const got = await roundTrip(`ws://127.0.0.1:${app.plainPort}/ws`, {}, ['a', 'b', 'c']);
    expect(got).toEqual(['echo a via ws', 'echo b via ws', 'echo c via ws']);
    expect(upgrades).toContain('/ws');
  });

  it('TLS wss:// (ALPN http/1.1) echoes messages', async () => {
    const got = await roundTrip(`wss://127.0.0.1:${app.tlsPort}/ws`, { ca: app.cert.cert, servername: 'localhost' }, ['x', 'y']);
    expect(got).toEqual(['echo x via wss', 'echo y via wss']);
  });

  it('h2 requests on the same TLS port still reach the app', async () => {
    const s = http2.connect(`https://127.0.0.1:${app.tlsPort}`, { ca: app.cert.cert, servername: 'localhost' });
    s.on('error', () => {});
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const r = s.request({ ':path': '/hello' });
        let b = '';
        r.on('data', (d) => (b += d));
        r.on('end', () => resolve(b));
        r.on('error', reject);
      });
      expect(body).toBe('hello');
      expect(s.alpnProtocol).toBe('h2');
    } finally {
      s.close();
    }
  });
});
