// The one way pages reach the engine. It runs in a mini-program Worker where
// the base library can hand it the files' bytes (≥ 2.20.2), else on the main
// thread. Protocol with the worker: {id, method, args} → {id, result} |
// {id, error}; {progress: percent} during long loads. Errors are {code, message}.
//
// A trap in the module (a Rust panic) leaves its instance unusable: the call
// rejects with {code: 'engine_crash'} (workers/engine/host.js), calls still
// waiting are refused, and the engine starts again on a fresh instance (a new
// worker; on the main thread a new host with its own copy of the module), the
// old one dropped. What is loaded (state.js's `onRestart`: the kept files or
// the demo) is loaded into it before any other call. If that load traps too,
// there is no further restart: every call is refused with a message.
const config = require('./config.js');
// The requests waiting for answers: the build's copy of www/rpc.js (it lives with the worker, which requires inside its folder only).
const { requests } = require('../workers/engine/rpc.js');

const progressListeners = [];
const killedListeners = [];
let client = null;
let restoring = null; // the reload after a restart: calls wait for it
let broken = null;    // set when that reload trapped too
let reload = null;    // (call) → Promise: loads what is loaded into a fresh engine (state.js)

function emit(list, value) {
  list.slice().forEach((fn) => fn(value));
}

function listen(list, fn) {
  list.push(fn);
  return () => {
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}

/** `a >= b` for dotted version strings. */
function versionAtLeast(a, b) {
  const x = String(a || '0').split('.').map(Number);
  const y = String(b).split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] || 0) - (y[i] || 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

function sdkVersion() {
  try {
    const info = wx.getAppBaseInfo ? wx.getAppBaseInfo() : wx.getSystemInfoSync();
    return info.SDKVersion || '0';
  } catch (e) {
    return '0';
  }
}

function canUseWorker() {
  return typeof wx.createWorker === 'function' && versionAtLeast(sdkVersion(), config.WORKER_MIN_SDK);
}

function workerClient() {
  let worker = null;
  const waiting = requests((m) => worker.postMessage(m));
  const spawn = () => {
    // The experimental worker runs JS much faster on iOS; the system may
    // reclaim it, then a new one is started and the data loaded again.
    worker = wx.createWorker('workers/engine/index.js', { useExperimentalWorker: true });
    worker.onMessage((m) => {
      if (m.id === undefined) {
        if (m.progress !== undefined) emit(progressListeners, m.progress);
        return;
      }
      waiting.settle(m);
    });
    if (typeof worker.onProcessKilled === 'function') {
      worker.onProcessKilled(() => {
        const err = { code: 'worker_killed', message: '计算线程被系统回收，正在重新载入数据' };
        waiting.refuse(err);
        spawn();
        emit(killedListeners, err);
      });
    }
  };
  spawn();
  return {
    mode: 'worker',
    call: (method, args) => waiting.call(method, args),
    /** Ends the worker (and its module instance); calls still waiting are refused with `why`. */
    terminate(why) {
      worker.terminate();
      waiting.refuse(why);
    },
  };
}

function localClient() {
  const { createHost } = require('../workers/engine/host.js');
  // A host that trapped refuses later calls itself; dropping it drops its module instance.
  const host = createHost((pct) => emit(progressListeners, pct));
  return { mode: 'local', call: (method, args) => host.call(method, args), terminate() {} };
}

function get() {
  if (!client) client = canUseWorker() ? workerClient() : localClient();
  return client;
}

/** After a trap: a fresh engine, loaded with what was loaded before any other call; a trap in that load ends it. */
function restart() {
  client.terminate({ code: 'restarted', message: '引擎出错后已重新启动，此操作未完成，请重试' });
  client = null;
  const fresh = get();
  restoring = Promise.resolve()
    .then(() => reload && reload((method, ...args) => fresh.call(method, args)))
    .catch((e) => {
      if (!e || e.code !== 'engine_crash') return; // the engine is sound but holds no data: calls say so
      broken = { code: 'engine_crash', message: '引擎重新启动后载入数据时再次出错，已停止；请重新打开小程序' };
      fresh.terminate(broken);
    })
    .then(() => { restoring = null; });
}

module.exports = {
  /** `call('profile', {cadre: 'C000001'})` → Promise of the engine's answer. */
  call(method, ...args) {
    const ask = () => {
      if (broken) return Promise.reject(broken);
      const c = get();
      return c.call(method, args).catch((e) => {
        if (e && e.code === 'engine_crash' && c === client && !restoring) restart();
        throw e;
      });
    };
    return restoring ? restoring.then(ask) : ask();
  },
  /** `fn(call)` loads into a restarted engine what was loaded (`call` as `call` here, on that engine); resolves when done. */
  onRestart: (fn) => { reload = fn; },
  /** 'worker' or 'local'. */
  mode: () => get().mode,
  onProgress: (fn) => listen(progressListeners, fn),
  /** Called when the system reclaimed the worker (its data is gone). */
  onKilled: (fn) => listen(killedListeners, fn),
  versionAtLeast,
  sdkVersion,
};
