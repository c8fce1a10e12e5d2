// The one way pages reach the engine. It runs in a mini-program Worker where
// the base library can hand it the files' bytes (≥ 2.20.2), else on the main
// thread. Protocol with the worker: {id, method, args} → {id, result} |
// {id, error}; {progress: percent} during long loads. Errors are {code, message}.
// A load sends the bytes of the files the engine host does not hold already;
// a kept file it holds from its last load goes by name only (sendLoad).
//
// Where there is no worker the engine runs on the main thread, on lib/host/:
// the build's copy of workers/engine/ (main-thread code and worker code are
// packed apart and cannot require each other).
//
// A trap in the module (a Rust panic) leaves its instance unusable: the call
// rejects with {code: 'engine_crash'} (workers/engine/host.js), calls still
// waiting are refused, and the engine starts again on a fresh instance (a new
// worker; on the main thread a new host with its own copy of the module), the
// old one dropped. What is loaded (state.js's `onRestart`: the kept files or
// the demo) is loaded into it before any other call. If that load traps too,
// there is no further restart: every call is refused with a message.
//
// A worker that reports an error (`onError`: a script error, a wasm feature
// the phone lacks, out of memory) or stays silent for WORKER_TIMEOUT_MS while
// calls wait (any message, progress included, restarts the clock) is ended:
// the calls waiting reject with {code: 'worker_error' | 'worker_timeout'}.
// The next call starts a fresh worker, which first loads what was loaded; if
// that fails too, that call rejects (no loop: only a call starts a worker).
// The clock is injectable (`useClock`): tests drive time themselves.
const config = require('./config.js');
// The requests waiting for answers: the build's copy of www/rpc.js for the
// main thread (WeChat packs workers/ apart: nothing here requires from it).
const { requests, loadedFiles } = require('./host/rpc.js');

const progressListeners = [];
const killedListeners = [];
let client = null;
let restoring = null; // the reload after a restart: calls wait for it
let kills = 0;       // workers reclaimed by the system in a row, without a successful answer between
let broken = null;    // set when that reload trapped too
let reload = null;    // (call) → Promise: loads what is loaded into a fresh engine (state.js)
let lost = false;     // the worker failed (error or time limit): the next call starts a fresh one
let clock = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t) };

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
  let timer = null;
  let open = 0; // calls waiting for an answer
  let ended = null; // why this client's worker was ended: later calls reject with it
  const waiting = requests((m) => worker.postMessage(m));
  const self = { held: new Map() };
  const arm = () => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = open > 0 ? clock.setTimeout(() => fail({ code: 'worker_timeout', message: `计算线程 ${Math.round(config.WORKER_TIMEOUT_MS / 1000)} 秒无响应，已停止` }), config.WORKER_TIMEOUT_MS) : null;
  };
  // The worker is ended; calls waiting reject with `why`; the next call starts a fresh one.
  const fail = (why) => {
    ended = why;
    open = 0;
    arm();
    worker.terminate();
    waiting.refuse(why);
    if (client === self) {
      client = null;
      lost = true;
    }
  };
  const spawn = () => {
    // The experimental worker runs JS much faster on iOS; the system may
    // reclaim it, then a new one is started and the data loaded again.
    worker = wx.createWorker('workers/engine/index.js', { useExperimentalWorker: true });
    self.held = new Map(); // a fresh worker holds no file
    worker.onMessage((m) => {
      arm(); // the worker is alive
      if (m.id === undefined) {
        if (m.progress !== undefined) emit(progressListeners, m.progress);
        return;
      }
      if (waiting.settle(m)) {
        open = Math.max(0, open - 1);
        if (!m.error) kills = 0; // a successful answer ends a run of reclaimed workers
        arm();
      }
    });
    if (typeof worker.onError === 'function') {
      worker.onError((e) => fail({ code: 'worker_error', message: `计算线程出错：${(e && (e.errMsg || e.message)) || e}` }));
    }
    if (typeof worker.onProcessKilled === 'function') {
      worker.onProcessKilled(() => {
        const err = { code: 'worker_killed', message: '计算线程被系统回收，正在重新载入数据' };
        open = 0;
        arm();
        waiting.refuse(err);
        kills += 1;
        spawn();
        emit(killedListeners, Object.assign({ inARow: kills }, err));
      });
    }
  };
  return Object.assign(self, {
    mode: 'worker',
    // The worker starts with the first call, in the turn that posts it (a
    // load reads its files first: an error the worker reports comes after).
    call: (method, args) => {
      if (ended) return Promise.reject(ended);
      if (!worker) spawn();
      open += 1;
      arm();
      return waiting.call(method, args);
    },
    /** Ends the worker (and its module instance); calls still waiting are refused with `why`. */
    terminate(why) {
      ended = why;
      open = 0;
      arm();
      if (worker) worker.terminate();
      waiting.refuse(why);
    },
  });
}

function localClient() {
  // The build's copy of workers/engine/host.js (with its rpc.js and glue) in lib/host/.
  const { createHost } = require('./host/host.js');
  // A host that trapped refuses later calls itself; dropping it drops its module instance.
  const host = createHost((pct) => emit(progressListeners, pct));
  return { mode: 'local', held: new Map(), call: (method, args) => host.call(method, args), terminate() {} };
}

/**
 * A load on client `c`: `files` are [{name, kept?, tag, bytes | read()}],
 * `tag` naming the content (state.js: new whenever the file changes). A file
 * whose name and tag the engine host holds from its last load (`c.held`,
 * mirroring the host by rpc.js's loadedFiles) is sent by name only; the
 * others with their bytes, read only then. A host that lacks a file it was
 * thought to hold (`not_held`) gets everything once more.
 */
async function sendLoad(c, files) {
  const out = [];
  for (const f of files) {
    if (f.tag !== undefined && c.held.get(f.name) === f.tag) out.push({ name: f.name, kept: !!f.kept, held: true });
    else out.push({ name: f.name, kept: !!f.kept, bytes: f.bytes !== undefined ? f.bytes : await f.read() });
  }
  c.held = new Map(); // until the answer says what the host holds now
  let res;
  try {
    res = await c.call('load', [out]);
  } catch (e) {
    if (!e || e.code !== 'not_held' || !out.some((f) => f.held)) throw e;
    return sendLoad(c, files);
  }
  c.held = new Map([...loadedFiles(files, res.report && res.report.rejected)].map(([name, f]) => [name, f.tag]));
  return res;
}

/** `method` with `args` on client `c`; a load through sendLoad, and what the host holds forgotten when it loads anything else. */
function send(c, method, args) {
  if (method === 'load') return sendLoad(c, args[0] || []);
  if (method === 'demo' || method === 'openPackage') c.held = new Map();
  return c.call(method, args);
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
    .then(() => reload && reload((method, ...args) => send(fresh, method, args)))
    .catch((e) => {
      if (!e || e.code !== 'engine_crash') return; // the engine is sound but holds no data: calls say so
      broken = { code: 'engine_crash', message: '引擎重新启动后载入数据时再次出错，已停止；请重新打开小程序' };
      fresh.terminate(broken);
    })
    .then(() => { restoring = null; });
}

/** After a worker failed: a fresh one, loaded with what was loaded; a failed load rejects the call that started it. */
function revive() {
  lost = false;
  const fresh = get();
  restoring = Promise.resolve()
    .then(() => reload && reload((method, ...args) => send(fresh, method, args)))
    .then(() => { restoring = null; }, (e) => {
      restoring = null;
      if (e && (e.code === 'worker_error' || e.code === 'worker_timeout')) throw e;
    });
}

module.exports = {
  /** `call('profile', {cadre: 'C000001'})` → Promise of the engine's answer. */
  call(method, ...args) {
    const ask = () => {
      if (broken) return Promise.reject(broken);
      const c = get();
      return send(c, method, args).catch((e) => {
        if (e && e.code === 'engine_crash' && c === client && !restoring) restart();
        throw e;
      });
    };
    if (lost && !restoring) revive();
    return restoring ? restoring.then(ask) : ask();
  },
  /** `fn(call)` loads into a restarted engine what was loaded (`call` as `call` here, on that engine); resolves when done. */
  onRestart: (fn) => { reload = fn; },
  /** 'worker' or 'local'. */
  mode: () => get().mode,
  onProgress: (fn) => listen(progressListeners, fn),
  /** Called when the system reclaimed the worker (its data is gone). */
  onKilled: (fn) => listen(killedListeners, fn),
  /** Replaces the timer the time limit uses (`{setTimeout, clearTimeout}`): tests drive time. */
  useClock: (c) => { clock = c; },
  /** Stops the engine: every call is refused with `why` until `resume()` (state.js: the phone lacks memory). */
  stop(why) {
    broken = why;
    if (client) client.terminate(why);
    client = null;
  },
  /** Undoes `stop` (and a stop after a failed reload): the next call starts a fresh engine. */
  resume() {
    if (broken) lost = true; // the fresh engine loads what was loaded first
    broken = null;
    kills = 0;
  },
  versionAtLeast,
  sdkVersion,
};
