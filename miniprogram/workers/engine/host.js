// The engine host: owns the wasm Engine and answers `{method, args}`
// requests. Runs inside the mini-program Worker (workers/engine/index.js) or,
// where there is no worker, on the main thread (lib/engine.js). WeChat packs
// workers/ into a bundle of its own (a worker requires inside its folder
// only, main-thread code outside it only): this file is written here and the
// build copies it, with rpc.js and the glue, to lib/host/ for the main thread.
// No number is computed here: every answer is the engine's. The plumbing
// (the engine in use, a load, errors) is rpc.js, the build's CommonJS copy of
// the web page's www/rpc.js.
const zhichu = require('./zhichu.js');
const { engineSlot, loadFiles, loadedFiles, bytesOf, isTrap, toError } = require('./rpc.js');

/** The wasm, brotli-compressed, outside the workers folder (a worker package keeps .js files only). */
const WASM_PATH = '/engine/zhichu_bg.wasm.br';

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
  let ready = null;
  const current = engineSlot();
  // The bytes of the files the last load left in use (rpc.js, loadedFiles),
  // by name: the client sends a file the host holds as {name, held: true}
  // (lib/engine.js), so an import does not carry every kept file again.
  let held = new Map();
  const heldBytes = (name) => {
    if (!held.has(name)) throw { code: 'not_held', message: `计算线程没有保存文件 ${name} 的内容` };
    return held.get(name);
  };
  // The host's own methods: what makes an engine, and the package header.
  // Any other method is a question, forwarded by name to the engine's `ask`
  // (the engine holds the one list: src/engine/questions.rs).
  const methods = {
    /** The demo city (synthetic). */
    demo(scale) {
      const e = current.replace(glue.Engine.demo(scale));
      held = new Map();
      return { summary: e.ask('summary'), report: null };
    },
    /**
     * `files: [{name, kept?, bytes}]` → the validation report and the
     * summary. A file given as `{name, kept?, held: true}` is the one of
     * that name the last load left in use (`not_held` if there is none).
     */
    load(files) {
      const staged = files.map((f) => (f.held ? { name: f.name, kept: f.kept, bytes: heldBytes(f.name) } : f));
      const { engine, report } = loadFiles(glue.Engine, staged, (pct) => onProgress && onProgress(pct));
      current.replace(engine);
      held = new Map([...loadedFiles(staged, report.rejected)].map(([name, f]) => [name, f.bytes]));
      return { summary: engine.ask('summary'), report };
    },
    /**
     * A personal package (个人档案包) → the summary (with `summary.package`).
     * The engine checks the SM2 signature, then opens the seal with the
     * 提取码 (`code` undefined for a signed-only package); on any error
     * (not_a_package, bad_signature, wrong_code, code_required, bad_package)
     * it throws and the engine loaded before stays. Needs no randomness.
     */
    openPackage(bytes, code) {
      const e = current.replace(glue.Engine.open_package(bytesOf(bytes), code ? String(code) : undefined));
      held = new Map();
      return { summary: e.ask('summary'), report: null };
    },
    /** `{sealed, fingerprint, issuer_key}`: the signature checked, nothing decrypted; the loaded engine untouched. */
    packageHeader: (bytes) => glue.package_header(bytesOf(bytes)),
  };
  const run = (method, args) => (Object.prototype.hasOwnProperty.call(methods, method)
    ? methods[method].apply(null, args)
    : current.need().ask(method, args[0]));
  return {
    call(method, args) {
      if (!ready) ready = glue.init(wasmPath || WASM_PATH);
      return ready.then(() => {
        if (trapped) throw trapped;
        try {
          return run(method, args || []);
        } catch (e) {
          // Marked here, not in a later handler: a call queued behind this one runs next.
          if (isTrap(e)) trapped = { code: 'restarted', message: '引擎出错后已重新启动，此操作未完成，请重试' };
          throw e;
        }
      }).catch((e) => { throw toError(e, '引擎内部错误'); });
    },
  };
}

module.exports = { createHost, toError, WASM_PATH };
