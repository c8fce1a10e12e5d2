// Does the browser keep the compiled engine for a second visit (issue 19)?
// The real page (`?scale=s`, the service worker registering on the first
// visit and serving the module from its Cache Storage after) is visited
// three times in one fresh Chromium profile; after each visit, the profile's
// `Code Cache/wasm` folder (V8's compiled-module cache) and where the .wasm
// came from (network or service worker) are printed. Extra Chromium switches
// are the arguments, e.g. V8's caching thresholds:
//   node benches/code_cache.mjs '--js-flags=--wasm-caching-threshold=1 --wasm-caching-hard-threshold=1 --wasm-caching-timeout-ms=0'
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { chromium } from 'playwright-core';
import { createServer } from '../scripts/serve.mjs';

const ROOT = path.resolve(new URL('..', import.meta.url).pathname);
const server = createServer(path.join(ROOT, 'www'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const flags = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'swc-'));
/** Files and bytes under `dir`. */
function du(dir) {
  if (!fs.existsSync(dir)) return 'none';
  let n = 0;
  let b = 0;
  const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else { n++; b += fs.statSync(p).size; } } };
  walk(dir);
  return `${n} files, ${(b / 1024).toFixed(0)} KB`;
}
for (const visit of [1, 2, 3]) {
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', ...flags] });
  const page = await ctx.newPage();
  // The worker's and the service worker's own fetches of the module.
  const wasmFrom = [];
  ctx.on('response', (r) => { if (r.url().endsWith('.wasm')) wasmFrom.push(r.fromServiceWorker() ? 'service worker' : 'network'); });
  await page.goto(`${base}/?scale=s`);
  await page.waitForTimeout(12000);
  const controlled = await page.evaluate(() => !!navigator.serviceWorker.controller);
  await ctx.close();
  console.log(`visit ${visit}: controlled by the SW ${controlled}; wasm responses ${wasmFrom.join(',') || '(not seen)'}; Code Cache/wasm: ${du(path.join(profile, 'Default/Code Cache/wasm'))}; CacheStorage: ${du(path.join(profile, 'Default/Service Worker/CacheStorage'))}`);
}
server.close();
fs.rmSync(profile, { recursive: true, force: true });
