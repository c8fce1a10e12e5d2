// The engine, as the page reaches it: the WebAssembly engine runs in a worker
// (worker.js) so that loading a city never freezes the page. `rpc(method,
// request)` asks one of the engine's questions (src/engine: the same ones the
// CLI and the mini-program ask) and resolves to its result or rejects with
// {code, message}; load progress moves the progress bar. The worker's
// analysis module (polars: 数据透视, SQL, Parquet) is loaded on demand; its
// state ({state: 'loading'|'building'|'ready'|'error', pct?, message?}) is
// announced on `analysisEvents` and kept in `analysisState`.
//
// A trap in the module (a Rust panic: the worker answers `engine_crash`)
// leaves that module instance, and every engine in it, unusable, and
// wasm-bindgen's glue keeps its instance: the only way back is a new worker.
// So the action that trapped gets its error, questions already waiting are
// refused, and a new worker loads what the page had loaded (the kept files,
// else the demo at the page's scale; the lean module: the analysis module
// loads again when next asked) before any other question is sent. If that
// reload traps too, there is no further restart: every question is refused
// and the page says so.
import { setProgress, showError } from './ui.js';
import { listFiles, getPackage } from './store.js';
import { requests } from './rpc.js';

/** The demo city's scale when nothing is imported (`?scale=s`: 1,000 cadres). */
export const demoScale = new URLSearchParams(location.search).get('scale') || 'm';

export const analysisEvents = new EventTarget();
export let analysisState = { state: 'idle' };
function announce(s) {
  analysisState = s;
  analysisEvents.dispatchEvent(new CustomEvent('change', { detail: s }));
}

let worker;
const waiting = requests((m) => worker.postMessage(m));
let restoring = null; // the reload into a new worker after a trap: questions wait for it
let broken = null;    // set when that reload trapped too: every question is refused with it
function start() {
  const w = new Worker('worker.js', { type: 'module' });
  worker = w;
  w.onmessage = (e) => {
    if (w !== worker) return; // a worker already replaced
    const m = e.data;
    if ('progress' in m) return setProgress(m.progress);
    if ('analysis' in m) return announce({ state: m.analysis, pct: m.pct, message: m.message });
    if ('crash' in m) return crashed(); // a trap outside any question (the warm-up)
    if (waiting.settle(m) && m.error?.code === 'engine_crash') crashed();
  };
}
start();

const post = (method, args) => waiting.call(method, args);
export function rpc(method, ...args) {
  const ask = () => (broken ? Promise.reject(broken) : post(method, args));
  return restoring ? restoring.then(ask) : ask();
}

/** Ends the worker; questions still waiting are refused with `why`. */
function stop(why) {
  worker.terminate();
  waiting.refuse(why);
}

/** The worker's module trapped: a new worker, loaded with the kept files or the demo; a trap in that reload ends it. */
function crashed() {
  if (broken) return;
  if (restoring) {
    broken = { code: 'engine_crash', message: '分析引擎重新启动后载入数据时再次出错，已停止；请刷新页面' };
    stop(broken);
    announce({ state: 'error', message: broken.message });
    showError(broken);
    return;
  }
  stop({ code: 'restarted', message: '分析引擎出错后已重新启动，此操作未完成，请重试' });
  start();
  announce({ state: 'idle', message: '分析引擎出错后已重新启动，下次分析时重新载入分析模块。' }); // the new worker starts on the lean module
  restoring = (async () => {
    try {
      const files = await listFiles();
      const pkg = await getPackage(); // 本人模式: the kept personal package comes first
      if (pkg) await post('openPackage', [pkg.bytes, pkg.code]);
      else if (files.length) await post('load', [files.map((f) => ({ name: f.name, bytes: f.bytes, kept: true }))]);
      else await post('demo', [demoScale]);
    } catch (e) {
      // A trap was handled above (broken); otherwise the new engine is sound but holds no data, and says so when asked.
      if (e?.code !== 'engine_crash') console.warn('reloading the data after a restart', e);
    } finally {
      setProgress(null);
      restoring = null;
    }
  })();
}
