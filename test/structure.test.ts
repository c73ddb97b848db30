// The import graph of lib/ has no circle. madge (with the project's
// tsconfig, so `./x.js` resolves to `./x.ts`) reads every import of every
// file, `import type` included.
//
// Two graphs are checked:
// - the runtime graph (type-only imports left out) has no circle at all;
// - the full graph has none once the edges of TYPE_EDGES are taken out.
//   Each of those is an `import type` that a public declaration needs:
//   two classes whose declarations name each other (a handler's `server`,
//   `http2`, `fetcher` or `_io` attribute and the object that constructs
//   it, a read callback's `session` argument). With one class per file,
//   such a pair of declarations is two files that import each other's
//   types; merging them into one file or typing the attribute with a
//   narrower interface would change the published `.d.ts`. The type
//   imports vanish from the compiled JavaScript, so they cannot change the
//   load order. Any other circle, or a value import on one of these edges,
//   fails the test.
import * as path from 'node:path';
// madge ships no type declarations.
// @ts-expect-error -- untyped CommonJS module
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

/** `importer -> imported`, paths relative to lib/. */
const TYPE_EDGES: readonly (readonly [string, string, string])[] = [
  ['spdylay/server/handler.ts', 'spdylay/server/server.ts',
    '`BaseSPDYRequestHandler.server` is the `ThreadedSPDYServer` that constructs the handler'],
  ['spdylay/server/stream-io.ts', 'spdylay/server/handler.ts',
    '`StreamIO.handler` is the handler whose `SPDYHandlerInit.io` (and `_io`) is that stream I/O'],
  ['spdylay/client/handler.ts', 'spdylay/client/fetcher.ts',
    '`BaseSPDYStreamHandler.fetcher` is the `UrlFetcher` that constructs the handler'],
  ['nghttp2/server/handler.ts', 'nghttp2/server/connection.ts',
    '`BaseRequestHandler.http2` is the `HTTP2Connection` that constructs the handler'],
  ['nghttp2/server/connection.ts', 'nghttp2/server/server.ts',
    '`HTTP2Connection.server` is the `HTTP2Server` that accepted the connection'],
  ['spdylay/data-provider.ts', 'spdylay/session.ts',
    'a `DataProvider` read callback receives the `Session` that calls it'],
];

type Graph = Record<string, string[]>;

async function graph(skipTypeImports: boolean): Promise<Graph> {
  const res = await madge(path.join(root, 'lib'), {
    baseDir: path.join(root, 'lib'),
    fileExtensions: ['ts'],
    tsConfig: path.join(root, 'tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports }, es6: { skipTypeImports } },
  });
  return res.obj() as Graph;
}

/** Every elementary circle found by a depth-first walk (each reported once, from its first file). */
function circles(g: Graph): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of g[n] ?? []) {
      if (state.get(m) === 'open') {
        const c = stack.slice(stack.indexOf(m));
        found.set([...c].sort().join(' '), c);
      } else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of Object.keys(g).sort()) if (!state.has(n)) visit(n);
  return [...found.values()];
}

describe('lib/ import graph', () => {
  it('madge reads every file of lib/ and resolves the .js specifiers to .ts files', async () => {
    const g = await graph(false);
    expect(Object.keys(g).length).toBeGreaterThan(30);
    expect(g['index.ts']).toContain('spdylay/index.ts');
    expect(g['spdylay/client/fetcher.ts']).toContain('spdylay/client/connection.ts');
    expect(Object.values(g).flat().every((f) => f.endsWith('.ts'))).toBe(true);
  });

  it('the runtime graph has no circle', async () => {
    expect(circles(await graph(true))).toEqual([]);
  });

  it('the full graph, type imports included, has no circle but through the listed type-only edges', async () => {
    const full = await graph(false);
    const runtime = await graph(true);
    for (const [from, to] of TYPE_EDGES) {
      expect(full[from], `${from} -> ${to} is listed but gone: drop it from TYPE_EDGES`).toContain(to);
      expect(runtime[from], `${from} -> ${to} must stay an \`import type\``).not.toContain(to);
    }
    const cut: Graph = {};
    for (const [from, deps] of Object.entries(full)) {
      cut[from] = deps.filter((to) => !TYPE_EDGES.some(([f, t]) => f === from && t === to));
    }
    expect(circles(cut)).toEqual([]);
  });

  it('the circle check sees a circle', () => {
    expect(circles({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'], 'd.ts': ['a.ts'] }))
      .toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
