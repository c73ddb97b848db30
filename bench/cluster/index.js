#!/usr/bin/env node
// bench/cluster: requests/s of examples/cluster.js with 1 and 2 workers, for
// each server (HTTP2Server and ThreadedSPDYServer), measured with h2load
// (h2c with prior knowledge, GET, a small body; ThreadedSPDYServer detects
// h2 on its cleartext port).
//
// For every server and worker count, h2load runs `--rounds` times and the
// best req/s is kept. On a machine with one core, 2 workers cannot be faster.
//
// Usage: node bench/cluster [--requests N] [--rounds R] [--clients C] [--json]
//   (needs `npm run build` and h2load from nghttp2-client)
'use strict';
const os = require('node:os');
const path = require('node:path');
const { spawn, execFile } = require('node:child_process');
const { parseArgs } = require('node:util');

const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '3' },
    clients: { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(opts.requests);
const ROUNDS = Number(opts.rounds);
const CLIENTS = Number(opts.clients);
const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'cluster.js');

function startCluster(kind, workers) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EXAMPLE, kind, '--port', '0', '--workers', String(workers)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`cluster.js ${kind} did not start`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => reject(new Error(`cluster.js exited with ${code}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 8000).unref();
  });
}

function h2load(port) {
  return new Promise((resolve, reject) => {
    // -c clients, each on its own connection, so that the primary spreads them over the workers
    execFile('h2load', ['-n', String(N), '-c', String(CLIENTS), '-m', '10', `http://127.0.0.1:${port}/`],
      { timeout: 300_000 }, (err, stdout) => {
        if (err && err.code === 'ENOENT') return reject(new Error('h2load is not installed (apt-get install nghttp2-client)'));
        if (err) return reject(err);
        const rps = /finished in [^,]+, ([\d.]+) req\/s/.exec(stdout);
        const codes = /status codes: (\d+) 2xx/.exec(stdout);
        if (!rps || !codes) return reject(new Error(`unexpected h2load output:\n${stdout}`));
        if (Number(codes[1]) !== N) return reject(new Error(`h2load: only ${codes[1]} 2xx of ${N}:\n${stdout}`));
        resolve(Number(rps[1]));
      });
  });
}

async function main() {
  const results = [];
  for (const [kind, label] of [['h2', 'HTTP2Server'], ['spdy', 'ThreadedSPDYServer']]) {
    const row = { server: label };
    for (const workers of [1, 2]) {
      const { child, port } = await startCluster(kind, workers);
      try {
        let best = 0;
        for (let r = 0; r < ROUNDS; r++) best = Math.max(best, await h2load(port));
        row[`workers${workers}`] = Math.round(best);
      } finally {
        await stop(child);
      }
    }
    row.speedup = Number((row.workers2 / row.workers1).toFixed(2));
    results.push(row);
  }
  if (opts.json) {
    console.log(JSON.stringify({ cores: os.availableParallelism(), requests: N, clients: CLIENTS, results }));
    return;
  }
  console.log(`bench/cluster: h2load -n ${N} -c ${CLIENTS} -m 10 (h2c), best of ${ROUNDS}, ${os.availableParallelism()} cores`);
  console.log('server               1 worker req/s   2 workers req/s   speedup');
  for (const r of results) {
    console.log(`${r.server.padEnd(20)} ${String(r.workers1).padStart(15)} ${String(r.workers2).padStart(17)} ${`${r.speedup}x`.padStart(9)}`);
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
