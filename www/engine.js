// The engine, as the page reaches it: the WebAssembly engine runs in a worker
// (worker.js) so that loading a city never freezes the page. `rpc(method,
// request)` asks one of the engine's questions (src/engine: the same ones the
// CLI and the mini-program ask) and resolves to its result or rejects with
// {code, message}; load progress moves the progress bar. The worker's
// analysis module (polars: 数据透视, SQL, Parquet) is loaded on demand; its
// state ({state: 'loading'|'building'|'ready'|'error', pct?, message?}) is
// announced on `analysisEvents` and kept in `analysisState`.
import { setProgress } from './ui.js';

export const analysisEvents = new EventTarget();
export let analysisState = { state: 'idle' };
function announce(s) {
  analysisState = s;
  analysisEvents.dispatchEvent(new CustomEvent('change', { detail: s }));
}

let worker;
let nextId = 1;
const pending = new Map();
function start() {
  worker = new Worker('worker.js', { type: 'module' });
  worker.onmessage = (e) => {
    const m = e.data;
    if ('progress' in m) return setProgress(m.progress);
    if ('analysis' in m) return announce({ state: m.analysis, pct: m.pct, message: m.message });
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) p.reject(m.error); else p.resolve(m.result);
  };
}
start();
export function rpc(method, ...args) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, method, args });
  });
}
/** A new worker with a fresh engine module (after the old one broke); questions still waiting are refused. */
export function restartEngine() {
  worker.terminate();
  for (const p of pending.values()) p.reject({ code: 'restarted', message: '分析引擎已重新启动' });
  pending.clear();
  start();
  announce({ state: 'idle' }); // the new worker starts on the lean module
}
