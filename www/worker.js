// The analytics worker: owns the WebAssembly engine so that loading a city's
// data never freezes the page. Messages: {id, method, args} → {id, result} or
// {id, error}; load progress is posted as {progress: percent}. A message
// that neither loads nor exports is a question: its name is forwarded to the
// engine's `ask` with args [request] (the engine holds the one list of
// questions, src/engine/questions.rs; `export` is [question, request, format]).
//
// Two builds of the same engine: the lean module (pkg/zhichu.js, what the
// first profile waits for) and the analysis module (pkg/analysis/zhichu.js:
// the whole engine with polars — 数据透视, SQL, Parquet — several MB). The
// analysis module is fetched only when the page asks an analysis question or
// a Parquet file is imported; then it becomes THE engine: built again from
// the same files (or the same demo scale), the lean engine freed, so every
// face keeps showing the same numbers. Its state is posted as
// {analysis: 'loading'|'building'|'ready'|'error', pct?, message?}.
import init, * as lean from './pkg/zhichu.js';
import { answer, engineSlot, isTrap, loadFiles, bytesOf } from './rpc.js';

// THE engine; the one it replaces is freed at once (rpc.js).
const current = engineSlot();
// The module whose Engine is in use, and how THE engine was made while it is
// the lean one ({scale} or {files}): what the analysis engine is built from.
let mod = lean;
let source = null;
const ready = init();

// A small synthetic load (engine/warm.rs, ~100 ms in Chromium) while the
// worker is idle, so that the browser has optimised the CSV load path before
// the first real import (a 650k-record city then loads in ~240 ms instead of
// ~290). It waits for the page's first work (the demo, or the kept files) and
// is skipped once the lean module has loaded files: its code is hot then. It
// is never on the way of a first load, and a failure only loses the gain.
let warmed = false;
ready.then(() => setTimeout(() => {
  if (warmed) return;
  warmed = true;
  try {
    lean.warm_up();
  } catch (e) {
    console.warn('warm-up failed', e);
    // A trap breaks the module for every question: the page starts a new worker (engine.js).
    if (isTrap(e)) postMessage({ crash: e.message });
  }
}, 1500));

/** The analysis module's .wasm as a Response that reports download progress (streaming compile still applies). */
async function fetchAnalysisWasm(url) {
  const res = await fetch(url);
  if (!res.ok) throw { code: 'analysis_unavailable', message: `分析模块无法下载（HTTP ${res.status}）` };
  const total = Number(res.headers.get('Content-Length')) || 0;
  if (!total || !res.body) return res;
  let done = 0;
  let last = -1;
  const counted = res.body.pipeThrough(new TransformStream({
    transform(chunk, out) {
      done += chunk.byteLength;
      const pct = Math.min(100, Math.floor((done * 100) / total));
      if (pct !== last) {
        last = pct;
        postMessage({ analysis: 'loading', pct });
      }
      out.enqueue(chunk);
    },
  }));
  return new Response(counted, { headers: { 'Content-Type': 'application/wasm' } });
}

let analysisLoad = null;
/** The analysis module, fetched and instantiated once (a failed attempt may be retried). */
function analysisModule() {
  if (!analysisLoad) {
    postMessage({ analysis: 'loading', pct: 0 });
    analysisLoad = (async () => {
      const m = await import('./pkg/analysis/zhichu.js');
      await m.default({ module_or_path: fetchAnalysisWasm(new URL('./pkg/analysis/zhichu_bg.wasm', import.meta.url)) });
      return m;
    })();
    analysisLoad.catch((e) => {
      analysisLoad = null;
      postMessage({ analysis: 'error', message: `分析模块载入失败：${e && e.message ? e.message : e}` });
    });
  }
  return analysisLoad;
}

/** An engine of module `m` from `src` ({scale}, {files: [{name, bytes, kept?}]} or {pkg: {bytes, code}}); `progress(pct)` during a load of files. */
function build(m, src, progress) {
  if (src.scale) return { engine: m.Engine.demo(src.scale) };
  if (src.pkg) return { engine: m.Engine.open_package(bytesOf(src.pkg.bytes), src.pkg.code || undefined) };
  return loadFiles(m.Engine, src.files, progress);
}

/** Makes THE engine (and `mod`) the analysis module's, if it is not already. */
async function useAnalysis() {
  const m = await analysisModule();
  // From here on everything is synchronous: no other message runs in between.
  if (mod === m) return;
  if (current.get() && source) {
    postMessage({ analysis: 'building', pct: 0 });
    current.replace(build(m, source, (pct) => postMessage({ analysis: 'building', pct })).engine);
  }
  mod = m;
  source = null;
  postMessage({ analysis: 'ready' });
}

const isParquet = (name) => /\.parquet$/i.test(name);

// Loading, the demo and a package make a new engine; the other methods here
// export, read or write files; every other message is one of the engine's
// questions (handle, below).
const make = {
  async demo(scale) {
    const src = { scale: scale || 'm' };
    current.replace(build(mod, src).engine);
    source = mod === lean ? src : null;
    return current.get().ask('summary');
  },
  // `files`: [{name, bytes, kept?}]: the stored files (kept: true) and the
  // incoming ones, in one load (rpc.js loadFiles: a new file the engine
  // rejects never replaces a kept one). The analysis module is built again
  // from the same list, flags included, so it leaves out the same files.
  async load(files) {
    // The lean module refuses Parquet: such an import is the analysis module's (and it stays THE engine).
    const m = files.some((f) => isParquet(f.name)) ? await analysisModule() : mod;
    const src = { files };
    const { engine: next, report } = build(m, src, (pct) => postMessage({ progress: pct }));
    if (m === lean) warmed = true;
    current.replace(next);
    source = m === lean ? src : null;
    if (m !== mod) {
      mod = m;
      postMessage({ analysis: 'ready' });
    }
    return { report, summary: next.ask('summary') };
  },
  // 个人档案包: the header (signature checked, nothing decrypted), a trial
  // opening that replaces nothing (to compare with the kept package), and the
  // opening that makes it THE engine (本人模式: the unit views refuse).
  header: (bytes) => lean.package_header(bytesOf(bytes)),
  async peekPackage(bytes, code) {
    const e = mod.Engine.open_package(bytesOf(bytes), code || undefined);
    try {
      const s = e.ask('summary');
      const c = e.ask('cadres', { query: '', limit: 1 })[0];
      return { ...s.package, name: c?.name ?? '', unit_name: c?.unit_name ?? '' };
    } finally {
      e.free();
    }
  },
  async openPackage(bytes, code) {
    const src = { pkg: { bytes, code } };
    current.replace(build(mod, src).engine);
    source = mod === lean ? src : null;
    return current.get().ask('summary');
  },
  // A question's answer as a file: xlsx of any table answer, CSV of 调训名单, xlsx/CSV/Parquet of a pivot or SQL result.
  async export(question, request, format) {
    return (await engineFor(question)).export(question, request, format);
  },
  // 生成个人档案包 from the loaded data: a zip of <cadre_id>.zcpk and 发放清单.xlsx.
  makePackages(keyText, passphrase, issuer, unit, cadres, noCode) {
    return current.need().make_packages(keyText, passphrase, issuer, unit || undefined, cadres, noCode, randomBytes);
  },
  template: () => lean.template_xlsx(),
  demoCsv: (scale) => lean.demo_csv_files(scale || 's').map((f) => ({ name: f.name, bytes: f.bytes })),
};
/** n random bytes from the browser (getRandomValues fills at most 65,536 bytes a call). */
function randomBytes(n) {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)));
  return out;
}

/**
 * THE engine that answers `question`: a question only the analysis module
 * answers (the engine says which: question_module) makes that module THE
 * engine first. An unknown name is the engine's to refuse (unknown_question).
 */
async function engineFor(question) {
  if (lean.question_module(question) === 'analysis') await useAnalysis();
  return current.need();
}

async function handle(method, args) {
  await ready;
  if (Object.hasOwn(make, method)) return make[method](...args);
  return (await engineFor(method)).ask(method, args[0]);
}

// A trap in the module (a Rust panic or abort) is not one of the engine's
// errors: the answer says so, in words (engine_crash), and the page names what
// it was doing. The module is unusable from here on: the page replaces this
// worker (engine.js).
onmessage = (ev) => answer(ev.data, handle, (m) => postMessage(m), '分析引擎内部错误');
