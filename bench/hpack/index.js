#!/usr/bin/env node
// bench/hpack: HPACK deflate and inflate over the hpack-test-case raw-data
// stories, in one run, by
//   - nghttp2 driven directly from C (hpack_c.c, compiled here against the
//     same libnghttp2.a the addon links),
//   - ours (spdylay/nghttp2 HDDeflater / HDInflater, inflate in both modes:
//     Buffer pairs and `{ strings: true }`),
//   - hpack.js (the HPACK of the `spdy` npm package).
// Rates are header fields per second of CPU time (the process's, GC threads
// included; the machine is shared). Prints them, the ratios against the
// targets, then where the time per field goes (native half, JS half, floors).
//
// Usage: node bench/hpack [--seconds S] [--rounds N]   (needs `npm run build`)
'use strict';
const { execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');
const hpackjs = require('hpack.js');
const { HDDeflater, HDInflater } = require('../../dist/nghttp2');
const { loadStories, prepareCDriver } = require('./corpus.js');

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '5' },
    corpus: { type: 'string' },
  },
});
const seconds = Number(opts.seconds);
const rounds = Number(opts.rounds);
// stories[s][c] = [[name, value], ...]
const stories = loadStories(opts.corpus);
const fieldsPerPass = stories.reduce((n, s) => n + s.reduce((m, c) => m + c.length, 0), 0);

// --- nghttp2 from C -------------------------------------------------------
// Returns a function that runs one timed round of the C driver and returns
// { deflate, inflate } fields/s.
function prepareC() {
  const { exe, corpusFile } = prepareCDriver(stories);
  return () => JSON.parse(execFileSync(exe, [corpusFile, String(seconds), '1'], { encoding: 'utf8' }));
}

// --- a timing helper: one round of at least `seconds` of CPU time ----------
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
function rate(pass) {
  let fields = 0;
  const t0 = cpu();
  let dt;
  do {
    fields += pass();
    dt = cpu() - t0;
  } while (dt < seconds);
  return fields / dt;
}

// --- ours ------------------------------------------------------------------
function oursDeflatePass(keep) {
  const wires = [];
  for (const story of stories) {
    const d = new HDDeflater();
    const w = [];
    for (const fields of story) w.push(d.deflate(fields));
    wires.push(w);
  }
  if (keep) return wires;
  return fieldsPerPass;
}
const wires = oursDeflatePass(true);
function oursInflatePass() {
  let n = 0;
  for (const w of wires) {
    const inf = new HDInflater();
    for (const block of w) n += inf.inflate(block).length;
  }
  return n;
}
function oursStringsPass() {
  let n = 0;
  for (const w of wires) {
    const inf = new HDInflater({ strings: true });
    for (const block of w) n += inf.inflate(block).length;
  }
  return n;
}

// --- where inflate's time goes --------------------------------------------
// The native half alone (nghttp2 decoding into the pool slab, no JS results)
// and the JS half's floor (two Buffer views and a [name, value] pair per
// field over a slab, no native call): their sum against the 0.6x budget.
const { native } = require('../../dist/native.js');
const { pool, FastBuffer } = require('../../dist/pool.js');
const scratch = new ArrayBuffer(65536);
const scratchU32 = new Uint32Array(scratch);
function nativeStringsPass() {
  let n = 0;
  for (const w of wires) {
    const inf = new native.HDInflater(0);
    for (const block of w) {
      inf.inflateStrings(block, scratch);
      n += scratchU32[0];
    }
  }
  return n;
}
// Deflate's native half: the call deflate() makes per block, with its
// argument list (slab, offset, sensitive flags, then every name and value)
// already built: nghttp2's encoding plus reading each string in C.
const deflateArgs = stories.map((story) => story.map((fields) => [null, 0, null, ...fields.flat()]));
function nativeDeflatePass() {
  for (const story of deflateArgs) {
    const d = new native.HDDeflater(4096);
    for (const args of story) {
      args[0] = pool.ab;
      args[1] = pool.offset;
      let n = Reflect.apply(d.deflateFields, undefined, args);
      if (n < 0) { pool.fresh(d.pendingLength()); n = d.takePending(pool.ab, 0); }
      pool.advance(n);
    }
  }
  return fieldsPerPass;
}
function nativeInflatePass() {
  let n = 0;
  for (const w of wires) {
    const inf = new native.HDInflater(0);
    for (const block of w) {
      let start = pool.offset;
      let len = inf.inflate(block, pool.ab, start);
      if (len < 0) { pool.fresh(inf.pendingLength()); start = 0; len = inf.takePending(pool.ab, 0); }
      n += pool.u32[start >>> 2];
      pool.advance(len);
    }
  }
  return n;
}
const floorSlab = new ArrayBuffer(65536);
const fieldLens = stories.flat(3).map((x) => Buffer.byteLength(x) & 0x7fff);
function jsFloorPass() {
  let out = null;
  for (let i = 0; i + 1 < fieldLens.length; i += 2) {
    out = [new FastBuffer(floorSlab, 0, fieldLens[i]), new FastBuffer(floorSlab, 0, fieldLens[i + 1])];
  }
  return out === null ? 0 : fieldsPerPass;
}

// The JS floor of the string mode: the same result shape ([name, value]
// strings, a substring of the block's literal string for each literal name
// and value, table strings for indexed fields), built from records kept from
// one decoding, with no native call and no dynamic table to follow.
const stringBlocks = [];
{
  const u32 = new Uint32Array(scratch);
  for (const w of wires) {
    const inf = new native.HDInflater(0);
    for (const block of w) {
      const lit = inf.inflateStrings(block, scratch);
      const count = u32[0];
      const recs = new Uint32Array(3 * count);
      for (let i = 0; i < count; i++) {
        recs[3 * i] = u32[4 + 4 * i] & 3;
        recs[3 * i + 1] = u32[6 + 4 * i];
        recs[3 * i + 2] = u32[7 + 4 * i];
      }
      stringBlocks.push({ lit, recs, count });
    }
  }
}
const someName = 'user-agent';
const someValue = 'Mozilla/5.0';
function jsStringsFloorPass() {
  let n = 0;
  let out = null;
  for (const { lit, recs, count } of stringBlocks) {
    out = new Array(count);
    let pos = 0;
    for (let i = 0, r = 0; i < count; i++, r += 3) {
      if (recs[r] === 0) {
        out[i] = [someName, someValue];
        continue;
      }
      let name = someName;
      if (recs[r + 1] !== 0) name = lit.substring(pos, pos += recs[r + 1]);
      out[i] = [name, lit.substring(pos, pos += recs[r + 2])];
    }
    n += count;
  }
  return out === null ? 0 : n;
}

// --- hpack.js --------------------------------------------------------------
const jsStories = stories.map((s) => s.map((fields) => fields.map(([name, value]) => ({ name, value }))));
function hpackjsDeflatePass(keep) {
  const all = [];
  for (const story of jsStories) {
    const comp = hpackjs.compressor.create({ table: { size: 4096 } });
    const w = [];
    for (const fields of story) {
      comp.write(fields);
      w.push(comp.read());
    }
    all.push(w);
  }
  return keep ? all : fieldsPerPass;
}
const jsWires = hpackjsDeflatePass(true);
function hpackjsInflatePass() {
  let n = 0;
  for (const w of jsWires) {
    const decomp = hpackjs.decompressor.create({ table: { size: 4096 } });
    for (const block of w) {
      decomp.write(block);
      decomp.execute();
      while (decomp.read() !== null) n++;
    }
  }
  return n;
}

// Sanity: every implementation decodes what it encoded.
if (oursInflatePass() !== fieldsPerPass || oursStringsPass() !== fieldsPerPass
  || nativeStringsPass() !== fieldsPerPass || hpackjsInflatePass() !== fieldsPerPass) {
  throw new Error('field count mismatch');
}

// Rounds interleave the three implementations so that a change in machine
// load hits all of them alike; each keeps its best round.
const runC = prepareC();
const c = { deflate: 0, inflate: 0 };
const ours = { deflate: 0, inflate: 0, strings: 0 };
const hj = { deflate: 0, inflate: 0 };
const parts = { native: 0, floor: 0, nativeStrings: 0, nativeDeflate: 0, stringsFloor: 0 };
const max = (acc, key, v) => { acc[key] = Math.max(acc[key], v); };
for (let r = 0; r < rounds; r++) {
  const cr = runC();
  max(c, 'deflate', cr.deflate);
  max(c, 'inflate', cr.inflate);
  max(ours, 'deflate', rate(() => oursDeflatePass(false)));
  max(ours, 'inflate', rate(oursInflatePass));
  max(ours, 'strings', rate(oursStringsPass));
  max(hj, 'deflate', rate(() => hpackjsDeflatePass(false)));
  max(hj, 'inflate', rate(hpackjsInflatePass));
  max(parts, 'native', rate(nativeInflatePass));
  max(parts, 'nativeStrings', rate(nativeStringsPass));
  max(parts, 'nativeDeflate', rate(nativeDeflatePass));
  max(parts, 'floor', rate(jsFloorPass));
  max(parts, 'stringsFloor', rate(jsStringsFloorPass));
}

const m = (x) => `${(x / 1e6).toFixed(2)} M`;
const x = (a, b) => `${(a / b).toFixed(2)}x`;
console.log(`bench/hpack: ${stories.length} raw-data stories, ${fieldsPerPass} header fields per pass, best of ${rounds} interleaved rounds of ${seconds} s CPU time`);
console.log('header fields per CPU second   deflate   inflate (Buffers)   inflate (strings)');
const row = (label, d, i, st) => console.log(`${label.padEnd(28)} ${d.padStart(9)}   ${i.padStart(17)}   ${st.padStart(17)}`);
row('nghttp2 (C)', m(c.deflate), m(c.inflate), m(c.inflate));
row('spdylay (ours)', m(ours.deflate), m(ours.inflate), m(ours.strings));
row('hpack.js', m(hj.deflate), m(hj.inflate), m(hj.inflate));
row('ours / C', x(ours.deflate, c.deflate), x(ours.inflate, c.inflate), x(ours.strings, c.inflate));
row('ours / hpack.js', x(ours.deflate, hj.deflate), x(ours.inflate, hj.inflate), x(ours.strings, hj.inflate));
row('C / hpack.js', x(c.deflate, hj.deflate), x(c.inflate, hj.inflate), x(c.inflate, hj.inflate));
const verdict = (name, v, target) => `${name} ${v.toFixed(2)}x (target ${target}x: ${v >= target ? 'met' : 'NOT met'})`;
console.log(`\ntargets: ${[
  verdict('strings/C', ours.strings / c.inflate, 0.7),
  verdict('deflate/C', ours.deflate / c.deflate, 0.6),
  verdict('Buffers/C', ours.inflate / c.inflate, 0.5),
].join('; ')}`);
console.log(`         ${[
  verdict('deflate/hpack.js', ours.deflate / hj.deflate, 8),
  verdict('Buffers/hpack.js', ours.inflate / hj.inflate, 8),
  verdict('strings/hpack.js', ours.strings / hj.inflate, 8),
].join('; ')}`);
const ns = (r) => Math.round(1e9 / r);
console.log(`\nns per field (CPU):`);
console.log(`  inflate, strings: C ${ns(c.inflate)}, ours ${ns(ours.strings)} = native half ${ns(parts.nativeStrings)}`
  + ` (nghttp2 + records + one literal string per block) + JS results ${ns(ours.strings) - ns(parts.nativeStrings)};`
  + ` JS floor (pairs and substrings, no native call) ${ns(parts.stringsFloor)}; 0.7x of C would be ${ns(0.7 * c.inflate)}`);
console.log(`  inflate, Buffers: C ${ns(c.inflate)}, ours ${ns(ours.inflate)} = native half ${ns(parts.native)}`
  + ` + JS results ${ns(ours.inflate) - ns(parts.native)}; JS floor (2 Buffer views + pair, no native call) ${ns(parts.floor)};`
  + ` 0.5x of C would be ${ns(0.5 * c.inflate)}`);
console.log(`  deflate: C ${ns(c.deflate)}, ours ${ns(ours.deflate)} = native half (nghttp2 + reading each string) ${ns(parts.nativeDeflate)}`
  + ` + JS (walking the fields into the argument list, the block's Buffer) ${ns(ours.deflate) - ns(parts.nativeDeflate)};`
  + ` 0.6x of C would be ${ns(0.6 * c.deflate)}`);
// Ceilings: C's own decoding plus only the cost of building the result shape
// in JS (no crossing, no records, no table copy) -- what a binding with no
// overhead of its own could reach in this run.
console.log(`\nceilings (C's decoding + the JS floor of the result shape): strings ${(ns(c.inflate) / (ns(c.inflate) + ns(parts.stringsFloor))).toFixed(2)}x,`
  + ` Buffers ${(ns(c.inflate) / (ns(c.inflate) + ns(parts.floor))).toFixed(2)}x of C;`
  + ` the native halves alone: strings ${(ns(c.inflate) / ns(parts.nativeStrings)).toFixed(2)}x, Buffers ${(ns(c.inflate) / ns(parts.native)).toFixed(2)}x, deflate ${(ns(c.deflate) / ns(parts.nativeDeflate)).toFixed(2)}x of C`);
// Budgets: what each target leaves per field beyond C's own coding (a
// binding cannot do nghttp2's work in less time than nghttp2 driven from C),
// against what ours spends beyond it in this run.
const beyond = (target, base, oursRate, floor) => {
  const budget = ns(base) / target - ns(base);
  return `${Math.round(budget)} ns${floor === undefined ? '' : ` (of which the JS floor of the result shape takes ${floor})`}, ours spends ${ns(oursRate) - ns(base)}`;
};
console.log(`budget per field beyond C's own work: strings at 0.7x: ${beyond(0.7, c.inflate, ours.strings, ns(parts.stringsFloor))};`
  + ` Buffers at 0.5x: ${beyond(0.5, c.inflate, ours.inflate, ns(parts.floor))}; deflate at 0.6x: ${beyond(0.6, c.deflate, ours.deflate)}`);
