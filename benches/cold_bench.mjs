// The cold first load (issue 19): what a first visitor, a kiosk after a
// reboot, or a page whose first work is loading its kept files pays. Each
// run is a fresh process (Node) or a fresh browser profile (Chromium): the
// module instantiated as the page instantiates it (from files on disk in
// Node; `init()` streaming from the server in Chromium), no warm-up, then
// load + every cadre's reserves (`prepare`). Beside it: the warm figure (the
// same work again in the same process, V8's optimised code) and, in
// Chromium, the second visit (the same profile again: the browser's cache of
// the compiled module). Cities: the `m` demo (9 tables) and a flat
// four-table city made from it (units, cadres, courses, records: like an
// export from another system; ~620k records). The mini-program's module
// under Node for `s` and `m`. Figures are printed, not asserted.
// Usage: node benches/cold_bench.mjs [runs=5] [--node-only]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const RUNS = Number(args.find((a) => /^\d+$/.test(a)) || 5);
const CHILD = path.join(ROOT, 'benches/cold_child.mjs');
// Seconds the first visit's page stays open before the second visit.
const SETTLE = Number(process.env.ZHICHU_SETTLE || 5);
// ZHICHU_CHROMIUM_FLAGS: more switches for Chromium, e.g. V8's
// `--js-flags=--wasm-caching-threshold=0` to see what the code cache would give;
// a JSON array for switches with spaces in them (several V8 flags in one --js-flags).
const FLAGS_ENV = process.env.ZHICHU_CHROMIUM_FLAGS || '';
const EXTRA_FLAGS = FLAGS_ENV.startsWith('[') ? JSON.parse(FLAGS_ENV) : FLAGS_ENV.split(/\s+/).filter(Boolean);
// ZHICHU_COLD_ONLY=chromium: skip the Node runs.
const NODE = process.env.ZHICHU_COLD_ONLY !== 'chromium';

// ---- the cities, as files on disk (generated once per bench run)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhichu-cold-'));
function writeDemo(scale) {
  const out = path.join(dir, scale);
  fs.mkdirSync(out);
  const files = JSON.parse(execFileSync(process.execPath, [CHILD, 'demo', scale, out], { encoding: 'utf8', maxBuffer: 1 << 20 }));
  return { dir: out, files };
}
/** The flat city: four tables of the `m` demo, the columns an export from another system would have. */
function writeFlat(m) {
  const out = path.join(dir, 'flat');
  fs.mkdirSync(out);
  const keep = { '单位.csv': null, '干部.csv': ['干部编号', '姓名', '单位编号', '职级', '岗位'], '课程.csv': ['课程编号', '课程名称', '学时', '知识维度'], '培训记录.csv': ['干部编号', '课程编号', '日期', '学时', '是否完成', '成绩'] };
  for (const [name, cols] of Object.entries(keep)) {
    const text = fs.readFileSync(path.join(m.dir, name), 'utf8').replace(/^\uFEFF/, '');
    if (!cols) {
      fs.writeFileSync(path.join(out, name), text);
      continue;
    }
    const lines = text.split('\n');
    const header = lines[0].replace(/\r$/, '').split(',');
    const at = cols.map((c) => header.indexOf(c));
    if (at.includes(-1)) throw new Error(`${name}: a column of ${cols} is missing from ${header}`);
    // The demo's cells hold no commas or quotes in these columns but the course's dimensions (`a:0.6;b:0.4`).
    const body = lines.filter((l) => l.length).map((l) => { const c = l.replace(/\r$/, '').split(','); return at.map((i) => c[i]).join(','); });
    fs.writeFileSync(path.join(out, name), body.join('\n') + '\n');
  }
  return { dir: out };
}

/**
 * The flat city cut for `n` byte-range workers (their upper bound: each
 * worker loads the small tables and one range of the records file, cut at a
 * line break, with the header line; nothing merged after): `n` folders.
 */
function writeSplit(city, n) {
  const records = fs.readFileSync(path.join(city.dir, '培训记录.csv'));
  const head = records.indexOf(10) + 1;
  const cuts = [head];
  for (let k = 1; k < n; k++) cuts.push(records.indexOf(10, head + Math.floor(((records.length - head) * k) / n)) + 1);
  cuts.push(records.length);
  return cuts.slice(1).map((end, k) => {
    const out = path.join(dir, `flat-part${k + 1}`);
    fs.mkdirSync(out);
    for (const name of fs.readdirSync(city.dir)) {
      if (name !== '培训记录.csv') fs.copyFileSync(path.join(city.dir, name), path.join(out, name));
    }
    fs.writeFileSync(path.join(out, '培训记录.csv'), Buffer.concat([records.subarray(0, head), records.subarray(cuts[k], end)]));
    return out;
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
const summary = (xs) => `${median(xs).toFixed(0)} ms (${range(xs)})`;

/** RUNS fresh processes of cold_child.mjs `kind ...args` (a city's folder, a scale for `launch`, folders for `split`), each one's JSON. */
function nodeRuns(kind, ...args) {
  const rs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, [CHILD, kind, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${kind} ${args}: ${r.stderr}`);
    rs.push(JSON.parse(r.stdout));
  }
  return rs;
}
function printNode(label, rs) {
  const f = (k) => summary(rs.map((r) => r[k]));
  console.log(`${label}: ${rs[0].records} records, ${(rs[0].bytes / 1e6).toFixed(1)} MB CSV`);
  console.log(`  instantiate ${f('instantiate')}; cold load ${f('load')} + reserves ${f('reserves')} = ${f('cold')}; warm load ${f('warmLoad')} + reserves ${f('warmReserves')} = ${f('warm')}`);
  // Minor page faults of the cold load + reserves: fresh memory touched (a count, steady from run to run where the times are not).
  console.log(`  cold/warm ${median(rs.map((r) => r.cold / r.warm)).toFixed(2)}; page faults in the cold load + reserves ${median(rs.map((r) => r.faults))}`);
}

const m = writeDemo('m');
const s = writeDemo('s');
const flat = writeFlat(m);
// Byte-range workers: as many as this machine has cores (2 here), at least 2.
const WORKERS = Math.max(2, os.availableParallelism());
const parts = writeSplit(flat, WORKERS);
// The flat city's records (a data line each): what the workers must load between them.
const flatRecords = fs.readFileSync(path.join(flat.dir, '培训记录.csv'), 'utf8').trimEnd().split('\n').length - 1;
console.log(`cold first load, ${RUNS} fresh processes each (median, range); target: cold load + all reserves ≤ 300 ms for the flat 600k-record city`);
if (NODE) {
  console.log(`\nNode ${process.version}, the web page's lean module (www/pkg):`);
  const flatRuns = nodeRuns('web', flat.dir);
  printNode('  flat city (4 tables)', flatRuns);
  const split = nodeRuns('split', ...parts);
  if (split.some((r) => r.records !== flatRecords)) throw new Error(`the byte-range workers loaded ${split.map((r) => r.records)} records, the flat city has ${flatRecords}`);
  console.log(`  flat city in ${WORKERS} byte-range workers (each the small tables and 1/${WORKERS} of the records; the upper bound: nothing merged): compile + workers' instantiate + load ${summary(split.map((r) => r.total))}, each worker's load ${summary(split.flatMap((r) => r.workers.map((w) => w.load)))}; one instance: instantiate + load ${summary(flatRuns.map((r) => r.instantiate + r.load))}`);
  printNode('  m demo (9 tables)', nodeRuns('web', m.dir));
  console.log(`\nNode, the mini-program's module (WXWebAssembly shim reading miniprogram/engine/zhichu_bg.wasm.br):`);
  printNode('  s demo', nodeRuns('mp', s.dir));
  printNode('  m demo', nodeRuns('mp', m.dir));
  console.log(`\nNode, the mini-program's first launch (lib/config.js DEMO_SCALE: the demo generated in the engine, every reserve, the first profile; wasm memory is its peak):`);
  for (const scale of ['s', 'm']) {
    const rs = nodeRuns('launch', scale);
    const f = (k) => summary(rs.map((r) => r[k]));
    const mb = (k) => `${median(rs.map((r) => r[k])).toFixed(0)} MB`;
    console.log(`  ${scale} (${rs[0].cadres} cadres, ${rs[0].records} records): instantiate ${f('instantiate')}; demo ${f('demo')} + reserves and first profile ${f('reserves')} = ${f('total')}; wasm memory ${mb('wasmMB')}, process peak RSS ${mb('rssMB')}`);
  }
}

if (!args.includes('--node-only')) {
  const { chromium } = await import('playwright-core');
  const { createServer } = await import('../scripts/serve.mjs');
  // The page's files and the cities' files under one origin.
  const http = await import('node:http');
  const serveWww = createServer(path.join(ROOT, 'www')).listeners('request')[0];
  const cities = { flat, m };
  const partNames = parts.map((p) => path.basename(p));
  for (const p of parts) cities[path.basename(p)] = { dir: p };
  const server = http.createServer((req, res) => {
    const hit = /^\/bench-data\/([\w-]+)\/(.+)$/.exec(decodeURIComponent(req.url));
    if (!hit || !cities[hit[1]]) return serveWww(req, res);
    res.writeHead(200, { 'Content-Type': 'text/csv' }).end(fs.readFileSync(path.join(cities[hit[1]].dir, hit[2])));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  /** A headless Chromium on the profile folder `profile` (a new folder: a first visit). */
  const launch = (profile) => chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', ...EXTRA_FLAGS], bypassCSP: true });
  console.log(`\nheadless Chromium, a fresh profile per run; the module by init() (streaming compile), as the page's worker; the second visit ${SETTLE} s after the first (time for the browser to store the compiled module):`);
  let flatFirst;
  for (const [name, city] of Object.entries({ flat, m })) {
    const names = fs.readdirSync(city.dir);
    const first = [];
    const second = [];
    for (let i = 0; i < RUNS; i++) {
      const profile = fs.mkdtempSync(path.join(dir, 'chromium-'));
      for (const visit of [first, second]) {
        const ctx = await launch(profile);
        const page = await ctx.newPage();
        await page.goto(`${base}/icon.svg`);
        const r = await page.evaluate(async ({ city, names, warm }) => {
          const now = () => performance.now();
          // The data first (the page has it from IndexedDB; not counted), then the module as the worker starts it.
          const files = await Promise.all(names.map(async (n) => ({ name: n, bytes: new Uint8Array(await (await fetch(`/bench-data/${city}/${n}`)).arrayBuffer()) })));
          let t = now();
          const mod = await import('/pkg/zhichu.js');
          await mod.default();
          const instantiate = now() - t;
          t = now();
          const e = new mod.Engine();
          for (const f of files) e.add_file(f.name, f.bytes);
          e.load();
          const load = now() - t;
          t = now();
          e.ask('prepare', {});
          const reserves = now() - t;
          e.free();
          // Warm, on the first visit only: the same work three times more in the same page, the median.
          const warms = [];
          for (let i = 0; i < (warm ? 3 : 0); i++) {
            t = now();
            const w = new mod.Engine();
            for (const f of files) w.add_file(f.name, f.bytes);
            w.load();
            w.ask('prepare', {});
            warms.push(now() - t);
            w.free();
          }
          warms.sort((a, b) => a - b);
          return { instantiate, load, reserves, cold: load + reserves, warm: warms[1] };
        }, { city: name, names, warm: visit === first });
        visit.push(r);
        // The page stays open a while, as a visitor's does (the browser stores the optimised code then).
        if (visit === first) await page.waitForTimeout(SETTLE * 1000);
        await ctx.close();
      }
    }
    if (name === 'flat') flatFirst = first;
    const f = (xs, k) => summary(xs.map((r) => r[k]));
    console.log(`  ${name}: first visit: instantiate ${f(first, 'instantiate')}, load ${f(first, 'load')} + reserves ${f(first, 'reserves')} = ${f(first, 'cold')}; warm (same page, after) ${f(first, 'warm')}; cold/warm ${median(first.map((r) => r.cold / r.warm)).toFixed(2)}`);
    console.log(`  ${name}: second visit: instantiate ${f(second, 'instantiate')}, load + reserves ${f(second, 'cold')}`);
  }
  // Byte-range workers' upper bound (as cold_child.mjs `split`): the page compiles the module
  // (streaming) and starts one module worker per part, each instantiating it and loading its part.
  const split = [];
  for (let i = 0; i < RUNS; i++) {
    const profile = fs.mkdtempSync(path.join(dir, 'chromium-'));
    const ctx = await launch(profile);
    const page = await ctx.newPage();
    await page.goto(`${base}/icon.svg`);
    split.push(await page.evaluate(async ({ parts, names }) => {
      const files = await Promise.all(parts.map((p) => Promise.all(names.map(async (n) => ({ name: n, bytes: new Uint8Array(await (await fetch(`/bench-data/${p}/${n}`)).arrayBuffer()) })))));
      const code = `onmessage = async ({ data }) => {
        const t0 = performance.now();
        const mod = await import('${location.origin}/pkg/zhichu.js');
        await mod.default({ module_or_path: data.module });
        const t1 = performance.now();
        const e = new mod.Engine();
        for (const f of data.files) e.add_file(f.name, f.bytes);
        const r = e.load();
        postMessage({ instantiate: t1 - t0, load: performance.now() - t1, records: r.loaded.records });
      };`;
      const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
      const t0 = performance.now();
      const module = await WebAssembly.compileStreaming(fetch('/pkg/zhichu_bg.wasm'));
      const workers = await Promise.all(files.map((fs) => new Promise((ok, no) => {
        const w = new Worker(url, { type: 'module' });
        w.onmessage = (e) => { ok(e.data); w.terminate(); };
        w.onerror = (e) => no(new Error(e.message));
        w.postMessage({ module, files: fs });
      })));
      return { total: performance.now() - t0, workers };
    }, { parts: partNames, names: fs.readdirSync(parts[0]) }));
    const records = split.at(-1).workers.reduce((n, w) => n + w.records, 0);
    if (records !== flatRecords) throw new Error(`the byte-range workers loaded ${records} records, the flat city has ${flatRecords}`);
    await ctx.close();
  }
  console.log(`  flat city in ${WORKERS} byte-range module workers (upper bound, nothing merged): compile + workers' instantiate + load ${summary(split.map((r) => r.total))}, each worker's load ${summary(split.flatMap((r) => r.workers.map((w) => w.load)))}; one instance (the first visit above): instantiate + load ${summary(flatFirst.map((r) => r.instantiate + r.load))}`);
  server.close();
}
fs.rmSync(dir, { recursive: true, force: true });
