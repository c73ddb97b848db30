#!/usr/bin/env node
// bench/compat: createServer (ours) against the servers apps use today, in
// one run, each server in its own child process (bench/compat/server.js):
//
//   1. h2c, h2load -c10 -m10, 12-byte body, a bare (req, res) => res.end()
//      listener: ours, node:http2's compatibility createServer, the `spdy`
//      package (h2, plain).
//   2. Express "hello world": ours over h2 (TLS) against Express on
//      node:https over HTTP/1.1 (TLS, h2load --h1), -c10 -m10.
//   3. Plain SPDY/3.1, bare listener, load from our own client (a client
//      Session per connection, as bench/spdy-server): ours against the
//      `spdy` package. Every connection carries at most --per-conn requests
//      (the `spdy` package's server drops a connection after a few thousand).
//
// The figure compared is the server process's CPU time per request
// (process.cpuUsage() of the child, user + system, µs), which does not
// depend on how busy the shared machine is; req/s is printed beside it.
// Each measurement is the best (lowest µs/req) of --rounds runs.
//
// Usage: node bench/compat [--requests N] [--rounds R] [--seconds S] [--json]
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
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '3' },
    'per-conn': { type: 'string', default: '1500' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(opts.requests);
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

/** Best-of-ROUNDS CPU µs per request of server `s` under `load()`; null with the error when it fails. */
async function measure(s, load) {
  let best = null;
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = await serverCpu(s);
    let res;
    try {
      res = await load();
    } catch (err) {
      return { error: String(err.message ?? err).split('\n')[0] };
    }
    const c1 = await serverCpu(s);
    const usPerReq = (c1 - c0) / res.ok;
    if (!best || usPerReq < best.usPerReq) best = { usPerReq, rps: res.rps, ok: res.ok, failed: res.failed ?? 0, errors: res.errors ?? 0 };
  }
  return best;
}

async function scenario(title, names, env, url, warm, load) {
  const out = { title, results: {} };
  for (const name of names) {
    let s;
    try {
      s = await startServer(name, env);
    } catch (err) {
      out.results[name] = { error: String(err.message ?? err) };
      continue;
    }
    try {
      try {
        await warm(s);
      } catch { /* a failing warm-up shows in the measurement */ }
      out.results[name] = await measure(s, () => load(s));
    } finally {
      await stopServer(s);
    }
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
  const scenarios = [];
  try {
    scenarios.push(await scenario('h2c, bare listener, 12-byte body (h2load -c10 -m10)',
      ['ours-bare', 'node-bare', 'spdy-bare'], env, null,
      (s) => h2load(`http://127.0.0.1:${s.port}/`, shape, Math.min(N, 5000)),
      (s) => h2load(`http://127.0.0.1:${s.port}/`, shape, N)));
    scenarios.push(await scenario('Express hello world: ours h2 (TLS) vs node:https HTTP/1.1 (TLS, h2load --h1), -c10 -m10',
      ['ours-express', 'https-express'], env, null,
      (s) => h2load(`https://127.0.0.1:${s.port}/`, s.name === 'https-express' ? ['--h1', ...shape] : shape, Math.min(N, 5000)),
      (s) => h2load(`https://127.0.0.1:${s.port}/`, s.name === 'https-express' ? ['--h1', ...shape] : shape, N)));
    scenarios.push(await scenario(`plain SPDY/3.1, bare listener, our load client (10 connections x 10 streams, ${SECONDS} s)`,
      ['ours-bare', 'spdy-bare'], env, null,
      (s) => spdyLoad(s.port, 0.5),
      (s) => spdyLoad(s.port, SECONDS)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const ratios = [
    ['ours vs node:http2 compat (h2c, bare)', scenarios[0].results['node-bare'], scenarios[0].results['ours-bare'], 2],
    ['ours vs spdy package (h2c, bare)', scenarios[0].results['spdy-bare'], scenarios[0].results['ours-bare'], null],
    ['ours h2 vs node:https h1 (Express)', scenarios[1].results['https-express'], scenarios[1].results['ours-express'], 1.5],
    ['ours vs spdy package (SPDY/3.1, bare)', scenarios[2].results['spdy-bare'], scenarios[2].results['ours-bare'], 10],
  ].map(([name, peer, ours, target]) => ({
    name, target,
    ratio: peer?.usPerReq && ours?.usPerReq ? peer.usPerReq / ours.usPerReq : null,
  }));

  if (opts.json) {
    console.log(JSON.stringify({ requests: N, rounds: ROUNDS, seconds: SECONDS, scenarios, ratios }, null, 2));
    return;
  }
  console.log(`bench/compat: server CPU µs per request (best of ${ROUNDS}), h2load -n ${N}; ${os.cpus().length} CPUs, node ${process.version}`);
  for (const sc of scenarios) {
    console.log(`\n${sc.title}`);
    for (const [name, r] of Object.entries(sc.results)) {
      if (r.error) console.log(`  ${name.padEnd(14)} failed: ${r.error}`);
      else console.log(`  ${name.padEnd(14)} ${r.usPerReq.toFixed(1).padStart(8)} µs/req  ${Math.round(r.rps).toString().padStart(7)} req/s` +
        (r.failed || r.errors ? `  (${r.failed} reset, ${r.errors} connection errors)` : ''));
    }
  }
  console.log('\nratios (peer CPU per request / ours):');
  for (const r of ratios) {
    console.log(`  ${r.name.padEnd(40)} ${r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}x`}${r.target ? `  (target >= ${r.target}x)` : ''}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
