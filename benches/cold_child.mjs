// One fresh process of benches/cold_bench.mjs: `demo SCALE DIR` writes the
// demo city's CSV files (printing their names); `web DIR` and `mp DIR` time
// the cold first load of the files in DIR with the web page's lean module or
// the mini-program's, then the same work warm; `launch SCALE` is the
// mini-program's first launch (the demo city generated, every reserve, the
// first profile) with its wasm memory and the process's peak RSS; `split
// DIR…` loads each folder in a worker thread of its own at once (byte-range
// workers' upper bound); prints JSON.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const ROOT = path.resolve(new URL('..', import.meta.url).pathname);
const [mode, a, b] = process.argv.slice(2);
const now = () => performance.now();
// The web page's lean module; ZHICHU_PKG: another build's folder (zhichu.js + zhichu_bg.wasm), to compare builds.
const PKG = process.env.ZHICHU_PKG || path.join(ROOT, 'www/pkg');

if (mode === 'demo') {
  const mod = await import(path.join(ROOT, 'www/pkg/zhichu.js'));
  mod.initSync({ module: fs.readFileSync(path.join(ROOT, 'www/pkg/zhichu_bg.wasm')) });
  const names = [];
  for (const f of mod.demo_csv_files(a)) {
    fs.writeFileSync(path.join(b, f.name), f.bytes);
    names.push(f.name);
  }
  console.log(JSON.stringify(names));
  process.exit(0);
}

/**
 * The mini-program's glue, instantiated as the package does it
 * (WXWebAssembly.instantiate on the .wasm.br; ZHICHU_MP_WASM: another
 * build's uncompressed .wasm, to compare builds). Returns `{glue, instance}`.
 */
async function mpEngine() {
  const MP = path.join(ROOT, 'miniprogram');
  let instance = null;
  globalThis.WXWebAssembly = {
    instantiate: async (p, imports) => {
      const bytes = process.env.ZHICHU_MP_WASM ? fs.readFileSync(process.env.ZHICHU_MP_WASM) : zlib.brotliDecompressSync(fs.readFileSync(path.join(MP, p)));
      const r = await WebAssembly.instantiate(bytes, imports);
      instance = r.instance;
      return r;
    },
  };
  const glue = createRequire(import.meta.url)(path.join(MP, 'workers/engine/zhichu.js'));
  await glue.init('/engine/zhichu_bg.wasm.br');
  return { glue, instance };
}

if (mode === 'launch') {
  // As lib/state.js on a first launch: Engine.demo(scale) in the host, the summary, then the pages' first answers.
  let t = now();
  const { glue, instance } = await mpEngine();
  const instantiate = now() - t;
  t = now();
  const e = glue.Engine.demo(a);
  const summary = e.ask('summary');
  const demo = now() - t;
  t = now();
  e.ask('prepare', {});
  const first = e.ask('cadres', { query: '', limit: 1 })[0].cadre_id;
  e.ask('profile', { cadre: first });
  const reserves = now() - t;
  // Wasm memory only grows: its size now is its peak.
  const wasmMB = instance.exports.memory.buffer.byteLength / 2 ** 20;
  const rssMB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ instantiate, demo, reserves, total: demo + reserves, wasmMB, rssMB, cadres: summary.cadres, records: summary.records }));
  process.exit(0);
}

if (mode === 'split') {
  // The upper bound of byte-range workers (issue 19): each folder in argv
  // holds the small tables and one byte range of the records file (as
  // cold_bench.mjs writes them); one worker thread per folder, each with its
  // own instance of the module compiled once here, loads its folder. Timed
  // from the compile to the last worker's answer; nothing is merged.
  const { Worker } = await import('node:worker_threads');
  const dirs = process.argv.slice(3);
  const parts = dirs.map((d) => fs.readdirSync(d).map((n) => ({ name: n, bytes: new Uint8Array(fs.readFileSync(path.join(d, n))) })));
  const t0 = now();
  const module = await WebAssembly.compile(fs.readFileSync(path.join(PKG, 'zhichu_bg.wasm')));
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const t0 = performance.now();
      const glue = await import(workerData.glue);
      await glue.default({ module_or_path: workerData.module });
      const t1 = performance.now();
      const e = new glue.Engine();
      for (const f of workerData.files) e.add_file(f.name, f.bytes);
      const r = e.load();
      parentPort.postMessage({ instantiate: t1 - t0, load: performance.now() - t1, records: r.loaded.records });
    })();`;
  const glue = path.join(PKG, 'zhichu.js');
  const workers = await Promise.all(parts.map((files) => new Promise((ok, no) => {
    const w = new Worker(code, { eval: true, workerData: { glue, module, files } });
    w.once('message', (m) => { ok(m); w.terminate(); });
    w.once('error', no);
  })));
  console.log(JSON.stringify({ total: now() - t0, workers, records: workers.reduce((s, w) => s + w.records, 0) }));
  process.exit(0);
}

// The files, read before the clock starts (the page has them from IndexedDB).
const files = fs.readdirSync(a).map((n) => ({ name: n, bytes: new Uint8Array(fs.readFileSync(path.join(a, n))) }));
let t = now();
let glue;
if (mode === 'web') {
  // As the page's worker: the glue, then the module compiled from its bytes (read from disk).
  glue = await import(path.join(PKG, 'zhichu.js'));
  await glue.default({ module_or_path: fs.readFileSync(path.join(PKG, 'zhichu_bg.wasm')) });
} else {
  // As the mini-program: WXWebAssembly.instantiate on the package's .wasm.br, the build's glue.
  glue = (await mpEngine()).glue;
}
const instantiate = now() - t;

const faults = () => process.resourceUsage().minorPageFault;
function once() {
  const f0 = faults();
  let t0 = now();
  const e = new glue.Engine();
  for (const f of files) e.add_file(f.name, f.bytes);
  const report = e.load();
  const load = now() - t0;
  t0 = now();
  e.ask('prepare', {});
  const reserves = now() - t0;
  const pageFaults = faults() - f0;
  e.free();
  return { load, reserves, pageFaults, records: report.loaded.records };
}
const cold = once();
const warms = [];
for (let i = 0; i < 4; i++) warms.push(once());
const mid = (k) => warms.map(k).sort((x, y) => x - y)[2];
console.log(JSON.stringify({ instantiate, load: cold.load, reserves: cold.reserves, cold: cold.load + cold.reserves, warm: mid((w) => w.load + w.reserves), warmLoad: mid((w) => w.load), warmReserves: mid((w) => w.reserves), faults: cold.pageFaults, records: cold.records, bytes: files.reduce((s, f) => s + f.bytes.length, 0) }));
