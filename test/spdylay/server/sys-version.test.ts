// Issue 13, documented behaviour 14: BaseSPDYRequestHandler's sysVersion
// (python-spdylay, after http.server: "Contains the Python system version";
// here the Node runtime's), the second half of the `server` header
// (versionString() = serverVersion + ' ' + sysVersion), as the `spdy` npm
// package's client receives it from ThreadedSPDYServer.
import * as http from 'node:http';
import type * as net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BaseSPDYRequestHandler } from '../../../lib/spdylay/server/handler.js';
import { ThreadedSPDYServer } from '../../../lib/spdylay/server/server.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const spdy = require('spdy');

const seen: { sysVersion: string; versionString: string }[] = [];

class DefaultHandler extends BaseSPDYRequestHandler {
  do_GET(): void {
    seen.push({ sysVersion: this.sysVersion, versionString: this.versionString() });
    if (this.path === '/missing') {
      this.sendError(404);
      return;
    }
    this.sendResponse(200);
    this.wfile.end(this.sysVersion);
  }
}

class CustomHandler extends DefaultHandler {
  static override serverVersion = 'Custom/2';
  static override sysVersion = 'Runtime/7.1';
}

function get(agent: http.Agent, port: number, path: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const servers: ThreadedSPDYServer[] = [];
const agents: http.Agent[] = [];
async function start(Handler: typeof DefaultHandler): Promise<{ port: number; agent: http.Agent }> {
  const server = new ThreadedSPDYServer(['127.0.0.1', 0], Handler, { plain: true });
  servers.push(server);
  const { port } = await server.start();
  const agent = spdy.createAgent({ host: '127.0.0.1', port, spdy: { plain: true, ssl: false, protocol: 'spdy/3.1' } });
  agents.push(agent);
  return { port, agent };
}

beforeAll(() => {
  seen.length = 0;
});
afterAll(async () => {
  for (const agent of agents) {
    (agent as unknown as { close?: () => void }).close?.();
    (agent as unknown as { _spdyState?: { socket?: net.Socket } })._spdyState?.socket?.destroy();
  }
  await Promise.all(servers.map((s) => s.close({ timeout: 1000 })));
});

describe('issue 13 documented behaviours (BaseSPDYRequestHandler)', () => {
  it('13.14 sysVersion is the runtime version (Node/<process.versions.node>), sent after serverVersion in the server header', async () => {
    expect(BaseSPDYRequestHandler.sysVersion).toBe(`Node/${process.versions.node}`);
    expect(`v${BaseSPDYRequestHandler.sysVersion.slice('Node/'.length)}`).toBe(process.version);

    const { port, agent } = await start(DefaultHandler);
    const ok = await get(agent, port, '/');
    expect(ok.status).toBe(200);
    expect(ok.body).toBe(`Node/${process.versions.node}`);
    expect(ok.headers.server).toBe(`${BaseSPDYRequestHandler.serverVersion} Node/${process.versions.node}`);
    const missing = await get(agent, port, '/missing');
    expect(missing.status).toBe(404);
    expect(missing.headers.server).toBe(`${BaseSPDYRequestHandler.serverVersion} Node/${process.versions.node}`);
    expect(seen).toEqual([
      { sysVersion: `Node/${process.versions.node}`, versionString: `Node-spdylay/0.1 Node/${process.versions.node}` },
      { sysVersion: `Node/${process.versions.node}`, versionString: `Node-spdylay/0.1 Node/${process.versions.node}` },
    ]);

    // a subclass's class variable is what its instances and the header carry
    const custom = await start(CustomHandler);
    const r = await get(custom.agent, custom.port, '/');
    expect(r.body).toBe('Runtime/7.1');
    expect(r.headers.server).toBe('Custom/2 Runtime/7.1');
    expect(BaseSPDYRequestHandler.sysVersion).toBe(`Node/${process.versions.node}`);
  });
});
