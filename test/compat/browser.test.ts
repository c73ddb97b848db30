// Headless Chromium (Debian's /usr/bin/chromium, driven by puppeteer-core)
// loads an Express 5 page served by createServer over TLS, and reports from
// the browser's side that the page and its linked assets came over h2.
//
// Skipped (with the reason printed) only when /usr/bin/chromium is missing
// outside CI; under CI=true a missing browser fails the test.
import * as fs from 'node:fs';
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startApp, IMPL, type AppServers } from '../helpers/compat-matrix.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const puppeteer = require('puppeteer-core');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
const inCI = process.env.CI === 'true';
if (!haveChromium && !inCI) {
  console.warn(`browser.test.ts: skipped: ${CHROMIUM} is missing (bash scripts/setup.sh installs Debian's chromium)`);
}

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>compat</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js"></script>
</head><body><p id="p">hello from express over createServer</p>
<img id="img" src="/assets/pixel.svg" alt="">
</body></html>`;

function pageApp(seen: string[]): unknown {
  const app = express();
  app.use((req: http.IncomingMessage & { isSpdy?: boolean }, _res: unknown, next: () => void) => {
    seen.push(`${req.url} ${req.httpVersion}`);
    next();
  });
  app.get('/', (_req: unknown, res: { type(t: string): { send(b: string): void } }) => res.type('html').send(PAGE));
  app.get('/assets/app.css', (_req: unknown, res: { type(t: string): { send(b: string): void } }) =>
    res.type('css').send('#p { color: rgb(1, 2, 3); }'));
  app.get('/assets/app.js', (_req: unknown, res: { type(t: string): { send(b: string): void } }) =>
    res.type('js').send('window.__appJs = "ran";'));
  app.get('/assets/pixel.svg', (_req: unknown, res: { type(t: string): { send(b: string): void } }) =>
    res.type('svg').send('<svg xmlns="http://www.w3.org/2000/svg" width="3" height="2"></svg>'));
  return app;
}

describe.skipIf(!haveChromium && !inCI)(`headless Chromium loads an Express page over h2 (${IMPL})`, () => {
  let app: AppServers;
  let browser: { newPage(): Promise<any>; close(): Promise<void> } | undefined;
  const seen: string[] = [];

  beforeAll(async () => {
    app = await startApp(pageApp(seen) as never);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--ignore-certificate-errors', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
      timeout: 30_000,
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('the navigation and the linked CSS, script and image arrive over h2', async () => {
    const page = await browser!.newPage();
    const resp = await page.goto(`https://127.0.0.1:${app.tlsPort}/`, { waitUntil: 'load', timeout: 20_000 });
    expect(resp.status()).toBe(200);
    const got = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const res = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .map((e) => ({ name: new URL(e.name).pathname, proto: e.nextHopProtocol }));
      const img = document.getElementById('img') as HTMLImageElement;
      return {
        nav: nav.nextHopProtocol,
        res,
        color: getComputedStyle(document.getElementById('p')!).color,
        js: (window as unknown as { __appJs?: string }).__appJs ?? null,
        img: img.complete ? img.naturalWidth : -1,
        text: document.getElementById('p')!.textContent,
      };
    });
    expect(got.nav).toBe('h2');
    expect(got.text).toBe('hello from express over createServer');
    expect(got.color).toBe('rgb(1, 2, 3)');
    expect(got.js).toBe('ran');
    expect(got.img).toBe(3);
    const assets = got.res.filter((e: { name: string }) => e.name.startsWith('/assets/'));
    expect(assets.map((e: { name: string }) => e.name).sort()).toEqual(['/assets/app.css', '/assets/app.js', '/assets/pixel.svg']);
    for (const a of assets) expect(a.proto).toBe('h2');
    // And from the server's side: every request was an h2 request.
    expect(seen).toEqual(expect.arrayContaining(['/ 2.0', '/assets/app.css 2.0', '/assets/app.js 2.0', '/assets/pixel.svg 2.0']));
    await page.close();
  });
});
