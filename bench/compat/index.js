#!/usr/bin/env node
// bench/compat: createServer (ours) against the servers apps use today, in
// one run, each server in its own child process (bench/compat/server.js):
//
//   1. h2c, h2load -c10 -m10, 12-byte body, a bare (req, res) => res.end()
//      listener: ours, node:http2's compatibility createServer, the `spdy`
//      package (h2, plain; at most 10,000 requests a round).
//   2. Express "hello world": ours over h2 (TLS) against Express on
//      node:https over HTTP/1.1 (TLS, h2load --h1), -c10 -m10.
//   3. Plain SPDY/3.1, bare listener, load from our own client (a client
//      Session per connection, as bench/spdy-server): ours against the
//      `spdy` package. Every connection carries at most --per-conn requests
//      (the `spdy` package's server drops a connection after a few thousand).
//
// The figure compared is the server process's CPU time per request
// (process.cpuUsage() of the child, user + system, µs); req/s is printed
// beside it. The machine this runs on is usually shared, and CPU per request
// moves with its load too, so the servers of a case are measured
// interleaved: all of them are started and warmed up, then each round loads
// each server in turn (A, B, C, A, B, C, ...), and the best (lowest µs/req)
// of --rounds rounds is kept for each. Every round's ratio is printed too.
//
// Usage: node bench/compat [--requests N] [--express-requests N] [--rounds R]
//          [--seconds S] [--only bare,express,spdy] [--json]
//   (needs `npm run build` and h2load from nghttp2-client)
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { fork, execFile } = require('node:child_process');
const { parseArgs } = require('node:util');

const root = path.join(__dirname, '..', '..');

const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '30000' },
    'express-requests': { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '2' },
    'per-conn': { type: 'string', default: '1500' },
    only: { type: 'string', default: 'bare,express,spdy' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(opts.requests);
const N_EXPRESS = Number(opts['express-requests']);
const ONLY = new Set(opts.only.split(','));
const ROUNDS = Number(opts.rounds);
const SECONDS = Number(opts.seconds);
const PER_CONN = Number(opts['per-conn']);

function startServer(name, env) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'server.js'), [name], {
      execArgv: ['--no-deprecation'], env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 15_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve({ name, child, port: m.port });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

function stopServer(s) {
  return new Promise((resolve) => {
    s.child.removeAllListeners('exit');
    if (s.child.exitCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill('SIGTERM');
  });
}

/** The server's process.cpuUsage() (user + system, µs). */
function serverCpu(s) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${s.name}: no cpu answer`)), 5000);
    s.child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m.cpu);
    });
    s.child.send('cpu');
  });
}

/** Runs h2load; resolves { ok, rps } or rejects when requests failed. */
function h2load(url, args, n) {
  return new Promise((resolve, reject) => {
    execFile('h2load', ['-n', String(n), ...args, url], { timeout: 300_000 }, (err, stdout) => {
      if (err && err.code === 'ENOENT') return reject(new Error('h2load is not installed (apt-get install nghttp2-client)'));
      const rps = /finished in [^,]+, ([\d.]+) req\/s/.exec(stdout ?? '');
      const ok = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(stdout ?? '');
      const codes = /status codes: (\d+) 2xx/.exec(stdout ?? '');
      if (!rps || !ok || !codes) return reject(new Error(`unexpected h2load output:\n${stdout}${err ? `\n${err.message}` : ''}`));
      if (Number(ok[1]) !== n || Number(codes[1]) !== n) {
        return reject(new Error(`h2load: only ${ok[1]} succeeded / ${codes[1]} 2xx of ${n}`));
      }
      resolve({ ok: n, rps: Number(rps[1]) });
    });
  });
}

// ---- SPDY/3.1 load client (as bench/spdy-server) ---------------------------

const sp = require(path.join(root, 'dist', 'spdylay', 'index.js'));

function spdyConnection(port, limit, deadline, stats) {
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
      for (; submitted < Math.min(10, limit); submitted++) session.submitRequest(3, nv);
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

async function spdyLoad(port, seconds) {
  const stats = { ok: 0, failed: 0, errors: 0, bytes: 0 };
  const t0 = Date.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (Date.now() < deadline) await spdyConnection(port, PER_CONN, deadline, stats);
  }));
  const elapsed = (Date.now() - t0) / 1000;
  if (stats.ok === 0) throw new Error(`no SPDY request succeeded (${stats.failed} reset, ${stats.errors} connection errors)`);
  return { ok: stats.ok, rps: stats.ok / elapsed, failed: stats.failed, errors: stats.errors };
}

// ---- measuring -------------------------------------------------------------

/** CPU µs per request of server `s` under one `load()`. */
async function measureOnce(s, load) {
  const c0 = await serverCpu(s);
  const res = await load();
  const c1 = await serverCpu(s);
  return { usPerReq: (c1 - c0) / res.ok, rps: res.rps, ok: res.ok, failed: res.failed ?? 0, errors: res.errors ?? 0 };
}

/**
 * One case: every server of `names` started and warmed up (`warm`), then
 * ROUNDS rounds loading each in turn (`load`); the best round of each is
 * kept, and every round's figures are in `rounds`.
 */
async function scenario(key, title, names, env, warm, load) {
  const out = { key, title, results: {}, rounds: [] };
  const servers = [];
  try {
    for (const name of names) {
      try {
        const s = await startServer(name, env);
        servers.push(s);
        try {
          await warm(s);
        } catch { /* a failing warm-up shows in the measurement */ }
      } catch (err) {
        out.results[name] = { error: String(err.message ?? err).split('\n')[0] };
      }
    }
    for (let r = 0; r < ROUNDS; r++) {
      const round = {};
      // alternate the order, so that no server always runs right after the same other one
      const order = r % 2 === 0 ? servers : [...servers].reverse();
      for (const s of order) {
        if (out.results[s.name]?.error) continue;
        try {
          const m = await measureOnce(s, () => load(s));
          round[s.name] = m.usPerReq;
          const best = out.results[s.name];
          if (!best || m.usPerReq < best.usPerReq) out.results[s.name] = m;
        } catch (err) {
          out.results[s.name] = { error: String(err.message ?? err).split('\n')[0] };
        }
      }
      out.rounds.push(round);
      if (!opts.json) {
        console.error(`  [${key} round ${r + 1}/${ROUNDS}] ${Object.entries(round).map(([n, v]) => `${n} ${v.toFixed(1)}`).join(', ')} µs/req`);
      }
    }
  } finally {
    for (const s of servers) await stopServer(s);
  }
  return out;
}

async function main() {
  const { generate } = require('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, days: 1 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-bench-compat-'));
  const env = { BENCH_KEY: path.join(dir, 'key.pem'), BENCH_CERT: path.join(dir, 'cert.pem') };
  fs.writeFileSync(env.BENCH_KEY, pems.private);
  fs.writeFileSync(env.BENCH_CERT, pems.cert);
  const shape = ['-c', '10', '-m', '10'];
  const scenarios = {};
  const t0 = Date.now();
  const expressArgs = (s) => (s.name === 'https-express' ? ['--h1', ...shape] : shape);
  try {
    if (ONLY.has('bare')) {
      scenarios.bare = await scenario('bare', `h2c, bare listener, 12-byte body (h2load -c10 -m10 -n ${N})`,
        ['ours-bare', 'node-bare', 'spdy-bare'], env,
        (s) => h2load(`http://127.0.0.1:${s.port}/`, shape, Math.min(N, 5000)),
        // the spdy package is ~20 times slower: fewer requests keep its rounds short (µs/req compares all the same)
        (s) => h2load(`http://127.0.0.1:${s.port}/`, shape, s.name === 'spdy-bare' ? Math.min(N, 10000) : N));
    }
    if (ONLY.has('express')) {
      scenarios.express = await scenario('express',
        `Express hello world: ours h2 (TLS) vs node:https HTTP/1.1 (TLS, h2load --h1), -c10 -m10 -n ${N_EXPRESS}`,
        ['ours-express', 'https-express'], env,
        (s) => h2load(`https://127.0.0.1:${s.port}/`, expressArgs(s), Math.min(N_EXPRESS, 3000)),
        (s) => h2load(`https://127.0.0.1:${s.port}/`, expressArgs(s), N_EXPRESS));
    }
    if (ONLY.has('spdy')) {
      scenarios.spdy = await scenario('spdy',
        `plain SPDY/3.1, bare listener, our load client (10 connections x 10 streams, ${SECONDS} s)`,
        ['ours-bare', 'spdy-bare'], env,
        (s) => spdyLoad(s.port, 0.5),
        (s) => spdyLoad(s.port, SECONDS));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const seconds = (Date.now() - t0) / 1000;

  const ratios = [
    ['bare', 'ours vs node:http2 compat (h2c, bare)', 'node-bare', 'ours-bare', 2],
    ['bare', 'ours vs spdy package (h2c, bare)', 'spdy-bare', 'ours-bare', null],
    ['express', 'ours h2 vs node:https h1 (Express)', 'https-express', 'ours-express', 1.5],
    ['spdy', 'ours vs spdy package (SPDY/3.1, bare)', 'spdy-bare', 'ours-bare', 10],
  ].filter(([key]) => scenarios[key]).map(([key, name, peerName, oursName, target]) => {
    const sc = scenarios[key];
    const peer = sc.results[peerName];
    const ours = sc.results[oursName];
    const ratio = peer?.usPerReq && ours?.usPerReq ? peer.usPerReq / ours.usPerReq : null;
    const perRound = sc.rounds.filter((r) => r[peerName] && r[oursName]).map((r) => r[peerName] / r[oursName]);
    return { name, target, ratio, perRound, met: target && ratio !== null ? ratio >= target : null };
  });

  if (opts.json) {
    console.log(JSON.stringify({ requests: N, expressRequests: N_EXPRESS, rounds: ROUNDS, seconds: SECONDS, elapsed: seconds,
      load: os.loadavg(), scenarios: Object.values(scenarios), ratios }, null, 2));
    return;
  }
  console.log(`bench/compat: server CPU µs per request, best of ${ROUNDS} interleaved rounds; ` +
    `${os.cpus().length} CPUs, node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, ${seconds.toFixed(0)} s`);
  for (const sc of Object.values(scenarios)) {
    console.log(`\n${sc.title}`);
    for (const [name, r] of Object.entries(sc.results)) {
      if (r.error) console.log(`  ${name.padEnd(14)} failed: ${r.error}`);
      else console.log(`  ${name.padEnd(14)} ${r.usPerReq.toFixed(1).padStart(8)} µs/req  ${Math.round(r.rps).toString().padStart(7)} req/s` +
        (r.failed || r.errors ? `  (${r.failed} reset, ${r.errors} connection errors)` : ''));
    }
  }
  console.log('\nratios (peer CPU per request / ours; best against best, then each round):');
  for (const r of ratios) {
    const verdict = r.target ? `  target >= ${r.target}x: ${r.met === null ? 'n/a' : r.met ? 'met' : 'NOT met'}` : '';
    console.log(`  ${r.name.padEnd(40)} ${r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}x`}${verdict}` +
      (r.perRound.length ? `  (rounds: ${r.perRound.map((x) => x.toFixed(2)).join(' ')})` : ''));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
