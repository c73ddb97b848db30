#!/usr/bin/env node
// bench/h2server: h2load against spdylay/nghttp2's HTTP2Server and against
// Node's own http2 server, in the same run (h2c, GET, 12-byte body).
//
// Each server runs in its own child process; for every load shape h2load runs
// `--rounds` times against each (alternating) and the best req/s is kept.
// Peak RSS is the server process's VmHWM (/proc/<pid>/status) after all runs.
//
// Usage: node bench/h2server [--requests N] [--rounds R] [--json]
//   (needs `npm run build` and h2load from nghttp2-client)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn, execFile } = require('node:child_process');
const { parseArgs } = require('node:util');

const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(opts.requests);
const ROUNDS = Number(opts.rounds);
const SHAPES = [
  { name: '-c 10 -m 10', args: ['-c', '10', '-m', '10'] },
  { name: '-c 100 -m 1', args: ['-c', '100', '-m', '1'] },
];

function startServer(script) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, script)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 10_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function h2load(port, args, n) {
  return new Promise((resolve, reject) => {
    execFile('h2load', ['-n', String(n), ...args, `http://127.0.0.1:${port}/`], { timeout: 300_000 }, (err, stdout) => {
      if (err && err.code === 'ENOENT') return reject(new Error('h2load is not installed (apt-get install nghttp2-client)'));
      if (err) return reject(err);
      const rps = /finished in [^,]+, ([\d.]+) req\/s/.exec(stdout);
      const ok = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded/.exec(stdout);
      const codes = /status codes: (\d+) 2xx/.exec(stdout);
      if (!rps || !ok || !codes) return reject(new Error(`unexpected h2load output:\n${stdout}`));
      if (Number(ok[1]) !== n || Number(codes[1]) !== n) {
        return reject(new Error(`h2load: only ${ok[1]} succeeded / ${codes[1]} 2xx of ${n}:\n${stdout}`));
      }
      resolve(Number(rps[1]));
    });
  });
}

function vmHWM(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

async function main() {
  const servers = {
    spdylay: await startServer('server-spdylay.js'),
    node: await startServer('server-node.js'),
  };
  const results = {};
  try {
    // Warm both up (JIT) before measuring.
    for (const s of Object.values(servers)) await h2load(s.port, SHAPES[0].args, Math.min(N, 20000));
    for (const shape of SHAPES) {
      results[shape.name] = { spdylay: 0, node: 0 };
      for (let r = 0; r < ROUNDS; r++) {
        for (const name of r % 2 ? ['node', 'spdylay'] : ['spdylay', 'node']) {
          const rps = await h2load(servers[name].port, shape.args, N);
          results[shape.name][name] = Math.max(results[shape.name][name], rps);
        }
      }
    }
    const rss = { spdylay: vmHWM(servers.spdylay.child.pid), node: vmHWM(servers.node.child.pid) };
    if (opts.json) {
      console.log(JSON.stringify({ requests: N, rounds: ROUNDS, reqPerSec: results, peakRss: rss }, null, 2));
    } else {
      console.log(`h2load -n ${N}, best of ${ROUNDS} rounds, h2c GET, 12-byte body`);
      for (const [shape, r] of Object.entries(results)) {
        console.log(`  ${shape}: spdylay ${r.spdylay.toFixed(0)} req/s, node:http2 ${r.node.toFixed(0)} req/s, ` +
          `ratio ${(r.spdylay / r.node).toFixed(2)}x`);
      }
      const mb = (b) => (b / 1048576).toFixed(1);
      console.log(`  peak RSS (VmHWM): spdylay ${mb(rss.spdylay)} MiB, node:http2 ${mb(rss.node)} MiB, ` +
        `ratio ${(rss.spdylay / rss.node).toFixed(2)}x`);
    }
  } finally {
    for (const s of Object.values(servers)) {
      s.child.removeAllListeners('exit');
      s.child.kill('SIGTERM');
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
