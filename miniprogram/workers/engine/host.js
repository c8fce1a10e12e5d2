// The engine host: owns the wasm Engine and answers `{method, args}`
// requests. Runs inside the mini-program Worker (workers/engine/index.js) or,
// where there is no worker, on the main thread (lib/engine.js). A worker can
// only require files inside its folder, hence this file lives here.
// No number is computed here: every answer is the engine's.
const zhichu = require('./zhichu.js');

/** The wasm, brotli-compressed, outside the workers folder (a worker package keeps .js files only). */
const WASM_PATH = '/engine/zhichu_bg.wasm.br';

/** `{code, message}` from whatever was thrown (the engine throws `{code, message}` already). */
function toError(e) {
  if (e && typeof e === 'object' && typeof e.message === 'string') return { code: e.code || 'error', message: e.message };
  return { code: 'error', message: String(e) };
}

function bytesOf(b) {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (b && b.buffer instanceof ArrayBuffer) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  throw { code: 'bad_argument', message: '文件内容不是二进制数据' };
}

/**
 * A trap: a WebAssembly.RuntimeError out of the module (a Rust panic aborts
 * with `unreachable`). Known by its name: WeChat may not expose the class,
 * and the engine's own errors are plain `{code, message}`.
 */
const isTrap = (e) => !!e && typeof e === 'object' && e.name === 'RuntimeError';

/**
 * `onProgress(pct)` is called during long loads. Returns `{call(method, args) → Promise}`.
 *
 * Each host instantiates its own copy of the glue (the build's `fresh()`).
 * After a trap the module instance, and every engine in it, is unusable (and
 * a copy of the glue keeps its instance): the call that trapped rejects with
 * `{code: 'engine_crash'}`, later calls on this host are refused, and
 * lib/engine.js starts another host (a new worker, or on the main thread a
 * new host with a new copy) and loads the data into it.
 */
function createHost(onProgress, wasmPath) {
  const glue = zhichu.fresh();
  let trapped = null;
  let engine = null;
  let ready = null;
  const replace = (e) => {
    if (engine && engine !== e && typeof engine.free === 'function') engine.free();
    engine = e;
  };
  const need = () => {
    if (!engine) throw { code: 'no_data', message: '尚未载入数据' };
    return engine;
  };
  const methods = {
    /** The demo city (synthetic). */
    demo(scale) {
      replace(glue.Engine.demo(scale));
      return { summary: engine.summary(), report: null };
    },
    /** `files: [{name, bytes}]` → the validation report and the summary. */
    load(files) {
      const e = new glue.Engine();
      for (const f of files) e.add_file(f.name, bytesOf(f.bytes));
      let report;
      try {
        report = e.load((pct) => onProgress && onProgress(pct));
      } catch (err) {
        // After a trap the engine is still borrowed: free would throw ("attempted to take ownership of
        // Rust value while it was borrowed") in place of the trap, and no restart would follow.
        if (!isTrap(err) && typeof e.free === 'function') e.free();
        throw err;
      }
      replace(e);
      return { summary: engine.summary(), report };
    },
    /**
     * A personal package (个人档案包) → the summary (with `summary.package`).
     * The engine checks the SM2 signature, then opens the seal with the
     * 提取码 (`code` undefined for a signed-only package); on any error
     * (not_a_package, bad_signature, wrong_code, code_required, bad_package)
     * it throws and the engine loaded before stays. Needs no randomness.
     */
    openPackage(bytes, code) {
      const e = glue.Engine.open_package(bytesOf(bytes), code ? String(code) : undefined);
      replace(e);
      return { summary: engine.summary(), report: null };
    },
    /** `{sealed, fingerprint, issuer_key}`: the signature checked, nothing decrypted; the loaded engine untouched. */
    packageHeader: (bytes) => glue.package_header(bytesOf(bytes)),
    summary: () => need().summary(),
    report: () => need().report(),
    units: () => need().units(),
    cadres: (req) => need().cadres(req),
    profile: (req) => need().profile(req),
    recommend: (req) => need().recommend(req),
    simulate: (req) => need().simulate(req),
    archive: (req) => need().archive(req),
    hours: (req) => need().hours(req),
    layout: (req) => need().layout(req),
    city_ranking: (req) => need().city_ranking(req),
    compliance: (req) => need().compliance(req),
  };
  return {
    call(method, args) {
      if (!ready) ready = glue.init(wasmPath || WASM_PATH);
      return ready.then(() => {
        if (trapped) throw trapped;
        if (!Object.prototype.hasOwnProperty.call(methods, method)) throw { code: 'bad_method', message: `未知的引擎方法 ${method}` };
        try {
          return methods[method].apply(null, args || []);
        } catch (e) {
          if (!isTrap(e)) throw e;
          // Marked here, not in a later handler: a call queued behind this one runs next.
          trapped = { code: 'restarted', message: '引擎出错后已重新启动，此操作未完成，请重试' };
          throw { code: 'engine_crash', message: `引擎内部错误（${e.message}）` };
        }
      }).catch((e) => { throw toError(e); });
    },
  };
}

module.exports = { createHost, toError, WASM_PATH };
