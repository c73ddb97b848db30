// bench/hpack: the stories both scripts run (the hpack-test-case raw-data
// header lists) and the C driver (hpack_c.c) built against the same
// libnghttp2.a the addon links, with the corpus file it reads.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const sharedDir = process.env.SPDYLAY_SHARED_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared');

/** stories[s][c] = [[name, value], ...] from the raw-data folder (or `corpusDir`). */
function loadStories(corpusDir = path.join(sharedDir, 'hpack-test-case', 'raw-data')) {
  return fs
    .readdirSync(corpusDir)
    .filter((f) => /^story_\d+\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(corpusDir, f), 'utf8')).cases.map((c) =>
      c.headers.map((h) => { const k = Object.keys(h)[0]; return [k, h[k]]; })));
}

/**
 * Compiles the C driver into a temporary directory (removed at exit) and
 * writes the stories for it. Returns { exe, corpusFile }.
 */
function prepareCDriver(stories) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spdylay-bench-hpack-'));
  process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
  const parts = [];
  const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); parts.push(b); };
  u32(stories.length);
  for (const story of stories) {
    u32(story.length);
    for (const fields of story) {
      u32(fields.length);
      for (const [n, v] of fields) {
        const nb = Buffer.from(n); const vb = Buffer.from(v);
        u32(nb.length); parts.push(nb); u32(vb.length); parts.push(vb);
      }
    }
  }
  const corpusFile = path.join(tmp, 'corpus.bin');
  fs.writeFileSync(corpusFile, Buffer.concat(parts));
  const exe = path.join(tmp, 'hpack_c');
  execFileSync('cc', ['-O2', '-o', exe, path.join(__dirname, 'hpack_c.c'),
    '/usr/lib/x86_64-linux-gnu/libnghttp2.a'], { stdio: 'inherit' });
  return { exe, corpusFile };
}

module.exports = { loadStories, prepareCDriver };
