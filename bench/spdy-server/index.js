#!/usr/bin/env node
// bench/spdy-server: requests per second of ThreadedSPDYServer against the
// `spdy` npm package's server, in the same run: plain SPDY/3.1, GET with a
// 12-byte response, 10 concurrent streams per connection over 10
// connections. The load comes from our own client (a client `Session` per
// connection, in this process); each server runs in its own child process.
//
// node-spdy breaks after a few thousand requests on one connection, so every
// connection (to either server) carries at most --per-conn requests (1,500)
// and is then replaced by a fresh one.
//
// Usage: node bench/spdy-server [--seconds S] [--rounds R] [--conns C] [--streams M] [--json]
//   (needs `npm run build`)
'use strict';
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { parseArgs } = require('node:util');

const root = path.join(__dirname, '..', '..');
const sp = require(path.join(root, 'dist', 'spdylay', 'index.js'));

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
    conns: { type: 'string', default: '10' },
    streams: { type: 'string', default: '10' },
    'per-conn': { type: 'string', default: '1500' },
    json: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(opts.seconds);
const ROUNDS = Number(opts.rounds);
const CONNS = Number(opts.conns);
const STREAMS = Number(opts.streams);
const PER_CONN = Number(opts['per-conn']);

function startServer(which) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-deprecation', path.join(__dirname, 'server.js'), which], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${which} server did not start`)), 10_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), child });
      }
    });
    child.once('exit', (code) => reject(new Error(`${which} server exited (${code})`)));
  });
}

/** One connection: keeps STREAMS requests in flight until `limit` are done or the deadline. */
function connection(port, limit, deadline, stats) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let submitted = 0;
    let done = 0;
    let finished = false;
    const nv = [[':method', 'GET'], [':path', '/'], [':version', 'HTTP/1.1'], [':host', `127.0.0.1:${port}`],
      [':scheme', 'http'], ['user-agent', 'spdylay-bench']];
    const session = new sp.Session(sp.CLIENT, sp.PROTO_SPDY3_1, {
      sendCb: (_s, data) => { socket.write(data); return data.length; },
      onDataChunkRecvCb: (_s, _f, _sid, data) => { stats.bytes += data.length; },
      onStreamCloseCb: (s, _sid, status) => {
        done++;
        if (status === 0) stats.ok++;
        else stats.failed++;
        if (submitted < limit && Date.now() < deadline) {
          s.submitRequest(3, nv);
          submitted++;
        }
      },
    });
    const end = () => {
      if (finished) return;
      finished = true;
      socket.destroy();
      resolve();
    };
    socket.on('connect', () => {
      session.submitWindowUpdate(0, 1 << 20);
      for (; submitted < Math.min(STREAMS, limit); submitted++) session.submitRequest(3, nv);
      session.send();
    });
    socket.on('data', (d) => {
      try {
        session.recv(d);
        session.send();
      } catch {
        stats.errors++;
        end();
        return;
      }
      if (done === submitted && (submitted >= limit || Date.now() >= deadline)) end();
    });
    socket.on('error', () => { stats.errors++; end(); });
    socket.on('close', end);
    setTimeout(end, deadline - Date.now() + 2000).unref();
  });
}

async function load(port, seconds) {
  const stats = { ok: 0, failed: 0, errors: 0, bytes: 0 };
  const t0 = Date.now();
  const deadline = t0 + seconds * 1000;
  const lanes = Array.from({ length: CONNS }, async () => {
    while (Date.now() < deadline) await connection(port, PER_CONN, deadline, stats);
  });
  await Promise.all(lanes);
  const elapsed = (Date.now() - t0) / 1000;
  return { rps: stats.ok / elapsed, ...stats, elapsed };
}

async function main() {
  const results = {};
  for (const which of ['spdy', 'ours']) {
    const { port, child } = await startServer(which);
    await load(port, 0.5); // warm-up
    let best = null;
    for (let r = 0; r < ROUNDS; r++) {
      const res = await load(port, SECONDS);
      if (!best || res.rps > best.rps) best = res;
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    results[which] = best;
  }
  const ratio = results.ours.rps / results.spdy.rps;
  if (opts.json) {
    console.log(JSON.stringify({ ...results, ratio }, null, 2));
    return;
  }
  const line = (name, r) => `${name.padEnd(28)} ${Math.round(r.rps).toString().padStart(8)} req/s` +
    `  (${r.ok} ok, ${r.failed} reset, ${r.errors} conn errors, ${r.elapsed.toFixed(1)} s)`;
  console.log(`plain SPDY/3.1, 12-byte responses, ${CONNS} connections x ${STREAMS} streams, best of ${ROUNDS} x ${SECONDS} s`);
  console.log(line('spdy (npm) server', results.spdy));
  console.log(line('ThreadedSPDYServer (ours)', results.ours));
  console.log(`ratio: ${ratio.toFixed(1)}x`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
