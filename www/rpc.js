// The plumbing between a face and its engine host, written once: the web
// page (engine.js ↔ worker.js) uses this module; the mini-program
// (lib/engine.js ↔ workers/engine/host.js, index.js) uses the CommonJS copies
// scripts/build-miniprogram.mjs makes of it (workers/engine/rpc.js for the
// worker, lib/host/rpc.js for the main thread: WeChat packs the two apart and
// neither requires from the other). What differs stays with each
// face: the web worker's two modules, warm-up and progress; the
// mini-program's WXWebAssembly, fresh glue copies, worker or main thread.
//
// Messages: {id, method, args} → {id, result} | {id, error}; errors are
// {code, message}. No question is named here: the hosts forward a name and
// a request to the engine.

/** A trap out of the wasm module (a Rust panic aborts with `unreachable`): a WebAssembly.RuntimeError, known by its name (WeChat may not expose the class; the engine's own errors are plain {code, message}). */
export const isTrap = (e) => !!e && typeof e === 'object' && e.name === 'RuntimeError';

/**
 * `{code, message}` from whatever was thrown: the engine's errors as they
 * are, a trap as `engine_crash` saying `${crashText}（${its message}）`
 * (each face names its engine in its own words), anything else as `error`.
 */
export function toError(e, crashText = '引擎内部错误') {
  if (isTrap(e)) return { code: 'engine_crash', message: `${crashText}（${e.message}）` };
  if (e && typeof e === 'object' && 'message' in e) return { code: e.code || 'error', message: String(e.message) };
  return { code: 'error', message: String(e) };
}

/** The error of a question asked before any data is loaded. */
export const noData = () => ({ code: 'no_data', message: '尚未载入数据' });

/** A file's bytes as a Uint8Array (from a Uint8Array, an ArrayBuffer or another view). */
export function bytesOf(b) {
  if (b instanceof Uint8Array) return b;
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (b && b.buffer instanceof ArrayBuffer) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  throw { code: 'bad_argument', message: '文件内容不是二进制数据' };
}

// ---- the client side: requests waiting for their answers ----

/**
 * Requests sent and not yet answered. `send(message)` posts a request (to
 * whichever worker is current). `call(method, args)` → a Promise of the
 * answer; `settle(message)` resolves or rejects the request `message.id`
 * answers (false when none waits: an answer from a worker already
 * replaced, or a message that answers nothing); `refuse(why)` rejects every
 * request still waiting (the worker is gone).
 */
export function requests(send) {
  const pending = new Map();
  let nextId = 1;
  return {
    call(method, args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        send({ id, method, args });
      });
    },
    settle(m) {
      const p = m && pending.get(m.id);
      if (!p) return false;
      pending.delete(m.id);
      if (m.error) p.reject(m.error);
      else p.resolve(m.result);
      return true;
    },
    refuse(why) {
      const waiting = [...pending.values()];
      pending.clear();
      for (const p of waiting) p.reject(why);
    },
  };
}

// ---- the host side: the engine in use, a load, an answer ----

/**
 * The engine a host answers with. `replace(next)` frees the engine it
 * replaces at once (its dataset lives in wasm memory, which the garbage
 * collector cannot see); `need()` is the engine, or throws no_data.
 */
export function engineSlot() {
  let engine = null;
  return {
    get: () => engine,
    replace(next) {
      if (engine && engine !== next && typeof engine.free === 'function') engine.free();
      engine = next;
      return next;
    },
    need() {
      if (!engine) throw noData();
      return engine;
    },
  };
}

/**
 * A new engine of class `Engine` loaded from `files` ([{name, bytes,
 * kept?}]): new → keep_file each file kept from before (`kept: true`, a
 * stored file), add_file each new one → load(progress); the caller makes it
 * THE engine (engineSlot.replace). A new file the load cannot use at all
 * (`report.rejected`) is left out by the engine and never replaces the kept
 * file of its name (the engine loads again with the kept one; its report
 * keeps the rejected file's problems first and names only new files as
 * rejected); kept files are never left out. Returns `{engine, report}`. When
 * staging or the load throws, the new engine is freed — but not after a
 * trap: then the engine is still borrowed, and free would throw ("attempted
 * to take ownership of Rust value while it was borrowed") in place of the
 * trap, and the face would not know to restart.
 */
export function loadFiles(Engine, files, progress) {
  const e = new Engine();
  try {
    for (const f of files) {
      if (f.kept) e.keep_file(f.name, bytesOf(f.bytes));
      else e.add_file(f.name, bytesOf(f.bytes));
    }
    const report = e.load(progress);
    return { engine: e, report };
  } catch (err) {
    if (!isTrap(err)) e.free();
    throw err;
  }
}

/**
 * The files a load leaves in use, one per name, as a Map name → file: from
 * the `files` loadFiles was given and its report's `rejected` names, each
 * kept file unless a new file of its name replaced it, and each new file
 * not rejected. The mini-program's host keeps these files' bytes after a
 * load and its client mirrors which (a later load then sends a file the
 * host holds by its name only): both sides decide by this one rule.
 */
export function loadedFiles(files, rejected) {
  const out = new Map();
  for (const f of files) if (f.kept) out.set(f.name, f);
  for (const f of files) if (!f.kept && (rejected || []).indexOf(f.name) < 0) out.set(f.name, f);
  return out;
}

/**
 * Answers one request message `{id, method, args}`: `handle(method, args)`
 * (a value or a promise) → `post({id, result})`, or `post({id, error})`
 * with the error as toError makes it (`crashText` names a trap).
 */
export async function answer(message, handle, post, crashText) {
  const { id, method, args } = message;
  try {
    post({ id, result: await handle(method, args || []) });
  } catch (e) {
    post({ id, error: toError(e, crashText) });
  }
}
