// The WebAssembly bench: module sizes (raw and brotli) of the lean module
// and of the analysis module (polars), then in Node and in headless
// Chromium: instantiate, parse + build the `m` demo city from CSV bytes
// (~600k records), compute every cadre's reserves, one profile, one
// recommendation; and in Chromium the whole app from navigation to the first
// profile on screen, then opening 分析 (the analysis module loaded and made
// the engine) and the first pivot drawn. Targets: load + all profiles ≤ 250
// ms, one profile ≤ 1 ms, lean module ≤ 2 MB brotli, analysis module ≤ 4 MB
// brotli, 分析 open + first pivot ≤ 2 s. Figures are printed, not asserted.
// Run by `./dev bench`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { createServer } from '../scripts/serve.mjs';

const ROOT = path.resolve(new URL('..', import.meta.url).pathname);
const WASM = path.join(ROOT, 'www/pkg/zhichu_bg.wasm');
const ANALYSIS_WASM = path.join(ROOT, 'www/pkg/analysis/zhichu_bg.wasm');
const scale = process.argv[2] || 'm';
// Loads per phase run on a fresh engine: the first, then the median of the others.
const LOADS = 7;

const brotli = (bytes) => zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
const raw = fs.readFileSync(WASM);
console.log(`lean wasm module (what the first profile needs): ${(raw.length / 1e6).toFixed(2)} MB raw, ${(brotli(raw).length / 1e6).toFixed(2)} MB brotli (budget 2 MB)`);
if (fs.existsSync(ANALYSIS_WASM)) {
  const a = fs.readFileSync(ANALYSIS_WASM);
  console.log(`analysis wasm module (分析, polars): ${(a.length / 1e6).toFixed(2)} MB raw, ${(brotli(a).length / 1e6).toFixed(2)} MB brotli (budget 4 MB)`);
} else {
  console.log('analysis wasm module: not built (www/pkg/analysis/)');
}

// The phases, as one function that runs in Node and, stringified, in the page.
async function phases(mod, wasmBytes, scale, warm, LOADS) {
  const now = () => performance.now();
  const out = {};
  let t = now();
  mod.initSync({ module: wasmBytes });
  out.instantiate = now() - t;
  // What the page's worker does once the module is instantiated (engine/warm.rs).
  out.warm_up = null;
  if (warm) {
    t = now();
    mod.warm_up();
    out.warm_up = now() - t;
  }
  const files = mod.demo_csv_files(scale).map((f) => ({ name: f.name, bytes: f.bytes }));
  out.csv_mb = files.reduce((a, f) => a + f.bytes.length, 0) / 1e6;
  // The load is run `runs` times on a fresh engine: the first run is what a
  // page's first load costs (the engine's code still compiled by the
  // baseline compiler: V8 optimises hot functions in the background, and a
  // call already running keeps its code); the median of the others is the
  // load with optimised code (a second import, or a later visit whose
  // compiled code the browser cached).
  const runs = [];
  let e;
  for (let k = 0; k < LOADS; k++) {
    if (e) e.free();
    t = now();
    e = new mod.Engine();
    for (const f of files) e.add_file(f.name, f.bytes);
    const copy_in = now() - t;
    t = now();
    const report = e.load();
    const parse_build = now() - t;
    out.records = report.loaded.records;
    out.errors = report.errors.length;
    t = now();
    out.cadres = e.ask('prepare', {});
    runs.push({ copy_in, parse_build, all_profiles: now() - t });
  }
  const median = (f) => runs.slice(1).map(f).sort((a, b) => a - b)[(runs.length - 1) >> 1];
  out.first = runs[0];
  out.warm = { copy_in: median((r) => r.copy_in), parse_build: median((r) => r.parse_build), all_profiles: median((r) => r.all_profiles) };
  out.warm_total = median((r) => r.copy_in + r.parse_build + r.all_profiles);
  const ids = e.ask('cadres', { limit: 200 }).map((c) => c.cadre_id);
  t = now();
  for (const id of ids) e.ask('profile', { cadre: id });
  out.one_profile = (now() - t) / ids.length;
  // The same profiles handed over by serde-wasm-bindgen instead of JSON text.
  t = now();
  for (const id of ids) e.profile_swb({ cadre: id });
  out.one_profile_swb = (now() - t) / ids.length;
  t = now();
  for (const id of ids.slice(0, 50)) e.ask('recommend', { cadre: id });
  out.one_recommendation = (now() - t) / 50;
  return out;
}

function print(where, r) {
  const f = (x) => x.toFixed(1).padStart(7);
  console.log(`\n== ${where}: demo ${scale}, ${r.records} records (${r.errors} errors), ${r.cadres} cadres, ${r.csv_mb.toFixed(1)} MB CSV ==`);
  console.log(`instantiate      ${f(r.instantiate)} ms`);
  if (r.warm_up !== null) console.log(`warm-up          ${f(r.warm_up)} ms  (as the page's worker does after instantiating)`);
  console.log(`                 first load   median of ${LOADS - 1} more`);
  console.log(`copy bytes in    ${f(r.first.copy_in)} ms  ${f(r.warm.copy_in)} ms`);
  console.log(`parse + build    ${f(r.first.parse_build)} ms  ${f(r.warm.parse_build)} ms`);
  console.log(`all profiles     ${f(r.first.all_profiles)} ms  ${f(r.warm.all_profiles)} ms`);
  console.log(`load + profiles  ${f(r.first.copy_in + r.first.parse_build + r.first.all_profiles)} ms  ${f(r.warm_total)} ms  (target ≤ 250 ms; DuckDB-WASM ~2000 ms here)`);
  console.log(`one profile      ${r.one_profile.toFixed(3).padStart(7)} ms  (target ≤ 1 ms; result as JSON text + JSON.parse)`);
  console.log(`one profile      ${r.one_profile_swb.toFixed(3).padStart(7)} ms  (the same through serde-wasm-bindgen, json_compatible)`);
  console.log(`one recommendation ${r.one_recommendation.toFixed(3)} ms`);
}

// Node.
const mod = await import(path.join(ROOT, 'www/pkg/zhichu.js'));
print('Node ' + process.version + ', no warm-up', await phases(mod, raw, scale, false, LOADS));

// Headless Chromium.
const server = createServer(path.join(ROOT, 'www'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
try {
  // The page's CSP forbids eval; the bench context bypasses it to run `phases` as is.
  for (const warm of [false, true]) {
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(base + 'icon.svg');
    const r = await page.evaluate(async ({ src, scale, warm, LOADS }) => {
      const mod = await import('/pkg/zhichu.js');
      const bytes = new Uint8Array(await (await fetch('/pkg/zhichu_bg.wasm')).arrayBuffer());
      return (0, eval)(`(${src})`)(mod, bytes, scale, warm, LOADS);
    }, { src: phases.toString(), scale, warm, LOADS });
    print(`headless Chromium, ${warm ? 'after the warm-up' : 'no warm-up'}`, r);
    await page.close();
  }

  // The whole app: navigation → demo city generated in the worker → first profile drawn.
  const ctx = await browser.newContext();
  const app = await ctx.newPage();
  const t0 = Date.now();
  await app.goto(`${base}?scale=${scale}&nosw#cadre=C000001`);
  await app.waitForSelector('body[data-ready]', { timeout: 120000 });
  const tReady = Date.now() - t0;
  await app.waitForFunction(() => document.body.dataset.profile === 'C000001', null, { timeout: 120000 });
  console.log(`\napp in Chromium: demo ${scale} generated and loaded in ${tReady} ms; first profile on screen at ${Date.now() - t0} ms after navigation`);

  // 分析: from the click on the tab to the first pivot on screen (the analysis
  // module fetched and instantiated, the engine built again on it from the same
  // demo city, the tables read, then 各单位各年度学时 run and drawn).
  if (fs.existsSync(ANALYSIS_WASM)) {
    const t1 = Date.now();
    await app.click('#nav-analysis');
    await app.waitForSelector('body[data-analysis-ready]', { timeout: 120000 });
    const tOpen = Date.now() - t1;
    const t2 = Date.now();
    await app.click('#analysis-examples button[data-example="0"]');
    await app.waitForSelector('body[data-analysis-runs="1"]', { timeout: 120000 });
    const tPivot = Date.now() - t2;
    console.log(`分析 in Chromium (demo ${scale}): tab opened → module loaded, engine rebuilt, tables read in ${tOpen} ms; first pivot (各单位各年度学时) on screen ${tPivot} ms later; total ${tOpen + tPivot} ms (budget 2000 ms)`);
    const t3 = Date.now();
    await app.click('#analysis-examples button[data-example="3"]');
    await app.waitForSelector('body[data-analysis-runs="2"]', { timeout: 120000 });
    console.log(`分析: a pivot over reserves (各岗位平均储备度) ${Date.now() - t3} ms`);
  }
} finally {
  await browser.close();
  server.close();
}
