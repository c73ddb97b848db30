#!/usr/bin/env node
// bench/hpack/profile.js: where the CPU time per header field goes, for
// nghttp2 driven from C and for ours (the public HDDeflater / HDInflater
// API, both inflate modes), sampled with `perf record` over the same stories
// bench/hpack runs. Prints ns of CPU per field by kind of code: nghttp2's own
// functions, libc's memory functions, malloc/free (ours: the shared
// allocator too), our binding's C++, N-API and V8 calls, V8's GC (its
// threads included), JIT-compiled JS, the kernel. Comparing nghttp2's row
// between C and ours shows whether nghttp2 itself runs slower inside Node;
// the other rows are what the binding adds.
//
// Usage: node bench/hpack/profile.js [--seconds S]   (needs `npm run build` and Linux perf)
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { parseArgs } = require('node:util');
const { loadStories, prepareCDriver } = require('./corpus.js');

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    child: { type: 'string' },
  },
});
const seconds = Number(opts.seconds);
const stories = loadStories();
const fieldsPerPass = stories.reduce((n, s) => n + s.reduce((m, c) => m + c.length, 0), 0);

// --- the child: one mode of ours, for `seconds` of CPU time ----------------
if (opts.child) {
  const { HDDeflater, HDInflater } = require('../../dist/nghttp2');
  const wires = stories.map((story) => { const d = new HDDeflater(); return story.map((f) => Buffer.from(d.deflate(f))); });
  const passes = {
    deflate() {
      for (const story of stories) { const d = new HDDeflater(); for (const fields of story) d.deflate(fields); }
    },
    buffers() {
      for (const w of wires) { const inf = new HDInflater(); for (const block of w) inf.inflate(block); }
    },
    strings() {
      for (const w of wires) { const inf = new HDInflater({ strings: true }); for (const block of w) inf.inflate(block); }
    },
  };
  const pass = passes[opts.child];
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  let n = 0;
  const t0 = cpu();
  let dt;
  do { pass(); n++; dt = cpu() - t0; } while (dt < seconds);
  console.log(JSON.stringify({ rate: (n * fieldsPerPass) / dt }));
  process.exit(0);
}

// --- the parent: sample C and each mode of ours -----------------------------
if (spawnSync('perf', ['--version']).status !== 0) {
  console.error('bench/hpack/profile.js needs Linux perf (Debian: linux-perf)');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-hpack-profile-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const { exe, corpusFile } = prepareCDriver(stories);

/** Runs `argv` under perf record; returns [its stdout, the data file]. */
function sample(name, argv) {
  const data = path.join(tmp, `${name}.data`);
  const out = execFileSync('perf', ['record', '-q', '-F', '1999', '-o', data, '--', ...argv],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return [out, data];
}

// Kinds of code, by symbol (and DSO); the first that matches wins.
const KINDS = [
  ['nghttp2', (dso, sym) => /^(nghttp2_|hd_|emit_|add_hd_table|lookup_token|decode_length|search_hd_table|count_encoded|encode_length|pack_first|deflate_nv|inflate_|hd_inflate)/.test(sym)],
  ['malloc/free', (dso, sym) => /MemPool|^(malloc|free|cfree|calloc|realloc|_int_|unlink_chunk|malloc_consolidate|tcache)/.test(sym)],
  ['libc memcmp/memcpy', (dso, sym) => /^__(memcmp|memmove|memcpy|memset|strlen)/.test(sym)],
  ['binding (C++)', (dso, sym) => /spdylay_binding::/.test(sym)],
  ['kernel', (dso) => dso.includes('kernel')],
  ['V8 GC', (dso, sym) => /Marking|Sweep|Scaveng|MarkCompact|Evacuat|MemoryChunk|Concurrent|Compactor|SizeFromMap|IteratePointers|Visitor|ArrayBufferSweeper|Heap::|HeapObject/.test(sym)],
  ['JS (JIT) and builtins', (dso, sym) => dso.startsWith('[JIT]') || /^Builtins_/.test(sym)],
  ['N-API and V8 API', (dso, sym) => /napi|v8impl|v8::|node::/.test(sym)],
];

/** perf report of `data` as { kind: percent of samples }. */
function kinds(data) {
  const text = execFileSync('perf', ['report', '-i', data, '--no-children', '--sort', 'dso,symbol', '-g', 'none',
    '--stdio'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([\d.]+)%\s+(\S+)\s+\[.\]\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    const [, pct, dso, sym] = m;
    const kind = (KINDS.find(([, match]) => match(dso, sym)) ?? ['other'])[0];
    out[kind] = (out[kind] ?? 0) + Number(pct);
  }
  return out;
}

const columns = [];
for (const mode of ['deflate', 'inflate']) {
  const [out, data] = sample(`c-${mode}`, [exe, corpusFile, String(seconds), '1', mode]);
  columns.push({ label: `C ${mode}`, rate: JSON.parse(out)[mode], kinds: kinds(data) });
}
for (const mode of ['deflate', 'buffers', 'strings']) {
  const [out, data] = sample(`ours-${mode}`, [process.execPath, '--perf-basic-prof', __filename, '--child', mode,
    '--seconds', String(seconds)]);
  columns.push({ label: `ours ${mode}`, rate: JSON.parse(out).rate, kinds: kinds(data) });
}
// The C driver's own run includes one untimed deflate pass (its inflate
// input); its share is too small to matter.
const rows = [...KINDS.map(([k]) => k), 'other'];
console.log(`bench/hpack/profile: ns of CPU per header field by kind of code (perf record, ${seconds} s per column; ${fieldsPerPass} fields per pass)`);
console.log(`${''.padEnd(24)}${columns.map((c) => c.label.padStart(15)).join('')}`);
for (const row of rows) {
  console.log(`${row.padEnd(24)}${columns.map((c) => (((c.kinds[row] ?? 0) / 100) * (1e9 / c.rate)).toFixed(1).padStart(15)).join('')}`);
}
console.log(`${'total'.padEnd(24)}${columns.map((c) => (1e9 / c.rate).toFixed(1).padStart(15)).join('')}`);
