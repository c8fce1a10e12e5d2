// The one way pages reach the engine. It runs in a mini-program Worker where
// the base library can hand it the files' bytes (≥ 2.20.2), else on the main
// thread. Protocol with the worker: {id, method, args} → {id, result} |
// {id, error}; {progress: percent} during long loads. Errors are {code, message}.
const config = require('./config.js');

const progressListeners = [];
const killedListeners = [];
let client = null;

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
  const pending = {};
  let nextId = 1;
  let worker = null;
  const spawn = () => {
    // The experimental worker runs JS much faster on iOS; the system may
    // reclaim it, then a new one is started and the data loaded again.
    worker = wx.createWorker('workers/engine/index.js', { useExperimentalWorker: true });
    worker.onMessage((m) => {
      if (m.id === undefined) {
        if (m.progress !== undefined) emit(progressListeners, m.progress);
        return;
      }
      const p = pending[m.id];
      if (!p) return;
      delete pending[m.id];
      if (m.error) p.reject(m.error);
      else p.resolve(m.result);
    });
    if (typeof worker.onProcessKilled === 'function') {
      worker.onProcessKilled(() => {
        const err = { code: 'worker_killed', message: '计算线程被系统回收，正在重新载入数据' };
        Object.keys(pending).forEach((id) => pending[id].reject(err));
        Object.keys(pending).forEach((id) => delete pending[id]);
        spawn();
        emit(killedListeners, err);
      });
    }
  };
  spawn();
  return {
    mode: 'worker',
    call(method, args) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending[id] = { resolve, reject };
        worker.postMessage({ id, method, args });
      });
    },
    terminate() {
      worker.terminate();
    },
  };
}

function localClient() {
  const { createHost } = require('../workers/engine/host.js');
  const host = createHost((pct) => emit(progressListeners, pct));
  return { mode: 'local', call: (method, args) => host.call(method, args), terminate() {} };
}

function get() {
  if (!client) client = canUseWorker() ? workerClient() : localClient();
  return client;
}

module.exports = {
  /** `call('profile', {cadre: 'C000001'})` → Promise of the engine's answer. */
  call(method, ...args) {
    return get().call(method, args);
  },
  /** 'worker' or 'local'. */
  mode: () => get().mode,
  onProgress: (fn) => listen(progressListeners, fn),
  /** Called when the system reclaimed the worker (its data is gone). */
  onKilled: (fn) => listen(killedListeners, fn),
  versionAtLeast,
  sdkVersion,
};
