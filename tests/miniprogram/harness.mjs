// Shared set-up of the mini-program tests: a DOM for j-component (jsdom),
// miniprogram-simulate with WeChat's own WXML compiler, a mocked `wx` over a
// temporary folder, WXWebAssembly on Node's WebAssembly reading the same
// .wasm.br the package ships, an emulated Worker, and the CLI for expected
// numbers. Waits are on page state (`whenIdle`), never on the clock.
import { execFileSync } from 'node:child_process';
import Module, { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { JSDOM } from 'jsdom';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
export const MP = path.join(ROOT, 'miniprogram');
export const FIX = path.join(ROOT, 'tests/fixtures');
const BIN = process.env.ZHICHU_BIN || path.join(ROOT, 'target/debug/zhichu');
export const require = createRequire(import.meta.url);

// ---- a DOM for j-component ----
const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', { pretendToBeVisual: true });
for (const k of ['window', 'document', 'navigator', 'Node', 'Element', 'HTMLElement', 'Event', 'CustomEvent', 'MutationObserver', 'getComputedStyle']) {
  const v = k === 'window' ? dom.window : dom.window[k];
  Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
}

export const simulate = require('miniprogram-simulate');

// ---- two bundles, as on a phone ----
// WeChat packs the workers folder (app.json "workers") into a bundle of its
// own: code under it requires inside it only, the rest of the mini-program
// outside it only, and nothing outside the package at all. A require from a
// file under miniprogram/ that crosses throws here, as it would there.
const WORKERS = path.join(MP, 'workers') + path.sep;
const inPackage = (f) => typeof f === 'string' && f.startsWith(MP + path.sep);
/** 'worker' or 'main': the bundle a file under miniprogram/ is packed in. */
export const bundleOf = (f) => (f.startsWith(WORKERS) ? 'worker' : 'main');
const plainRequire = Module.prototype.require;
Module.prototype.require = function (request) {
  if (inPackage(this.filename)) {
    const target = Module._resolveFilename(request, this);
    if (!inPackage(target) || bundleOf(target) !== bundleOf(this.filename)) {
      const where = inPackage(target) ? path.relative(MP, target) : target;
      throw new Error(`module '${where}' is not defined, require args is '${request}' (from ${path.relative(MP, this.filename)}: the ${bundleOf(this.filename)} bundle cannot reach it)`);
    }
  }
  return plainRequire.apply(this, arguments);
};

// ---- WXWebAssembly: package paths, .wasm.br included ----
globalThis.WXWebAssembly = {
  instantiate: (p, imports) => WebAssembly.instantiate(zlib.brotliDecompressSync(fs.readFileSync(path.join(MP, p))), imports),
};

/** The mini-program's settings (the demo scale the tests compare with). */
export const config = () => require(path.join(MP, 'lib/config.js'));

/** The CLI's JSON output (also when it exits 1 for data with errors, as `validate` does). */
export function cli(...args) {
  try {
    return JSON.parse(execFileSync(BIN, [...args, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    if (e.status === 1 && e.stdout) return JSON.parse(e.stdout);
    throw e;
  }
}

/** CLI arguments for the demo city the mini-program shows. */
export const demoArgs = () => ['--scale', config().DEMO_SCALE];

/** Temporary folders made for a test, removed when the process ends. */
const temporary = [];
export function tempDir(prefix = 'zhichu-mp-test-') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(d);
  return d;
}
process.on('exit', () => temporary.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const USER = 'wxfile://usr';
const TMP = 'wxfile://tmp_';

/**
 * Installs a fresh `wx` whose user-data folder is `dir` (a new temp folder
 * unless given: pass the same one to simulate a restart). `worker`: emulate
 * wx.createWorker by running the worker script in-process (else there is no
 * worker and the engine runs on the "main thread"). Returns the mock's
 * controls and records: `chosen` (paths chooseMessageFile returns next),
 * `toasts`, `modals`, `navigations`, `confirm`, `dir`, `workers` (started),
 * `terminated` (how many of them were terminated), `posted` (the method of
 * every request the pages sent to a worker, in order: e.g. count the loads),
 * `sent` (those requests: `{method, files}`, a load's files as `{name, kept,
 * bytes}` with the byte count sent, or `held: true` when sent by name only),
 * `syncCalls` (the file-system manager's *Sync calls, by name, in order).
 * The file-system manager has WeChat's callback forms too (readFile, …:
 * success or fail on a later turn) and a quota: `quota` bytes for the whole
 * user-data folder (Infinity unless set); a write past it fails with
 * WeChat's message.
 */
export function installWx({ dir = tempDir(), worker = true, sdk = '3.4.0', theme = 'light', storage = new Map() } = {}) {
  const temps = new Map();
  const real = (p) => {
    if (p.startsWith(USER)) return path.join(dir, p.slice(USER.length));
    if (temps.has(p)) return temps.get(p);
    throw new Error(`wx mock: not a local path: ${p}`);
  };
  const fail = (op, p) => { throw new Error(`${op}:fail no such file or directory, ${p}`); };
  const usage = (d = dir) => fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? usage(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size), 0);
  const bytesOf = (data) => (data instanceof ArrayBuffer ? Buffer.from(data) : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : data);
  // `answers`: what the next modals answer ({confirm, content}), in order; then `confirm`.
  // `modalOptions`: every modal's options. `storage`: pass `mock.storage` again to keep wx storage over a restart.
  // `brokenWorkers`: how many of the next workers fail to start (their script
  // never runs; `onError` fires on a later turn with `workerError`). `hang`:
  // the workers started from now on never answer (`say` makes one post a message). `masked`: a loading mask is up.
  const mock = { dir, storage, chosen: [], toasts: [], modals: [], modalOptions: [], answers: [], navigations: [], confirm: true, workers: [], terminated: 0, loading: [], posted: [], sent: [], syncCalls: [], quota: Infinity, masked: false, brokenWorkers: 0, workerError: 'WAWebAssembly: CompileError (test)', hang: false };
  // The operations, each as its *Sync form does it (throwing WeChat's message on failure).
  const ops = {
    access(p) { if (!fs.existsSync(real(p))) fail('access', p); },
    mkdir(p, recursive) { fs.mkdirSync(real(p), { recursive: !!recursive }); },
    readdir(p) { if (!fs.existsSync(real(p))) fail('readdir', p); return fs.readdirSync(real(p)); },
    readFile(p, encoding) {
      if (!fs.existsSync(real(p))) fail('readFile', p);
      const b = fs.readFileSync(real(p));
      return encoding ? b.toString(encoding) : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    },
    writeFile(p, data, encoding) {
      const bytes = typeof data === 'string' ? Buffer.byteLength(data, encoding || 'utf8') : bytesOf(data).length;
      const replaced = fs.existsSync(real(p)) ? fs.statSync(real(p)).size : 0;
      if (p.startsWith(USER) && usage() - replaced + bytes > mock.quota) throw new Error('writeFile:fail the maximum size of the file storage limit is exceeded');
      fs.writeFileSync(real(p), bytesOf(data), encoding);
    },
    rename(a, b) { if (!fs.existsSync(real(a))) fail('rename', a); fs.renameSync(real(a), real(b)); },
    unlink(p) { if (!fs.existsSync(real(p))) fail('unlink', p); fs.unlinkSync(real(p)); },
  };
  const fsm = {};
  for (const [name, run] of Object.entries(ops)) {
    fsm[`${name}Sync`] = (...args) => { mock.syncCalls.push(`${name}Sync`); return run(...args); };
  }
  // The callback forms: the same operations, answered on a later turn (as from WeChat's file thread).
  const later = (fn, o, result) => setImmediate(() => {
    let out;
    try {
      out = result(fn);
    } catch (e) {
      const errMsg = String(e.message);
      if (o.fail) o.fail({ errMsg });
      if (o.complete) o.complete({ errMsg });
      return;
    }
    if (o.success) o.success(Object.assign({ errMsg: 'ok' }, out));
    if (o.complete) o.complete(Object.assign({ errMsg: 'ok' }, out));
  });
  fsm.access = (o) => later(ops.access, o, (f) => { f(o.path); });
  fsm.mkdir = (o) => later(ops.mkdir, o, (f) => { f(o.dirPath, o.recursive); });
  fsm.readdir = (o) => later(ops.readdir, o, (f) => ({ files: f(o.dirPath) }));
  fsm.readFile = (o) => later(ops.readFile, o, (f) => ({ data: f(o.filePath, o.encoding) }));
  fsm.writeFile = (o) => later(ops.writeFile, o, (f) => { f(o.filePath, o.data, o.encoding); });
  fsm.rename = (o) => later(ops.rename, o, (f) => { f(o.oldPath, o.newPath); });
  fsm.unlink = (o) => later(ops.unlink, o, (f) => { f(o.filePath); });
  const info = { SDKVersion: sdk, pixelRatio: 2, theme, platform: 'devtools' };
  const wx = {
    env: { USER_DATA_PATH: USER },
    getFileSystemManager: () => fsm,
    getAppBaseInfo: () => info,
    getSystemInfoSync: () => info,
    getWindowInfo: () => info,
    chooseMessageFile({ count, type, extension, success, fail: failed }) {
      const chosen = mock.chosen;
      mock.chosen = [];
      if (!chosen.length) return failed && failed({ errMsg: 'chooseMessageFile:fail cancel' });
      if (type !== 'file') throw new Error(`chooseMessageFile type ${type}`);
      const files = chosen.slice(0, count).map((p, i) => {
        const name = path.basename(p);
        if (extension && !extension.includes(path.extname(name).slice(1).toLowerCase())) throw new Error(`${name} is not offered by the picker (${extension})`);
        const tmp = `${TMP}${temps.size}_${i}${path.extname(name)}`;
        temps.set(tmp, p);
        return { path: tmp, name, size: fs.statSync(p).size, type: 'file', time: 0 };
      });
      success({ tempFiles: files, errMsg: 'chooseMessageFile:ok' });
    },
    showToast(o) { mock.toasts.push(o.title); },
    showLoading(o) { mock.loading.push(o.title); mock.masked = !!o.mask; },
    hideLoading() { mock.masked = false; },
    showModal(o) {
      mock.modals.push(o.title);
      mock.modalOptions.push(o);
      const a = mock.answers.length ? mock.answers.shift() : { confirm: mock.confirm };
      (o.success || (() => {}))(Object.assign({ cancel: !a.confirm }, o.editable ? { content: a.content === undefined ? '' : a.content } : {}, { confirm: a.confirm }));
    },
    getStorageSync: (k) => (storage.has(k) ? storage.get(k) : ''),
    setStorageSync: (k, v) => { storage.set(k, v); },
    removeStorageSync: (k) => { storage.delete(k); },
    navigateTo(o) { mock.navigations.push(o.url); },
    switchTab(o) { mock.navigations.push(o.url); },
  };
  if (worker) {
    // The page side and the worker side of one Worker; messages are cloned
    // (as between threads) and delivered on a later turn.
    wx.createWorker = (scriptPath) => {
      let dead = false;
      // What the page side sends: the method, and a load's files (bytes counted, or held).
      const record = (msg) => {
        if (dead || !msg || !msg.method) return;
        mock.posted.push(msg.method);
        const files = msg.method === 'load' ? (msg.args[0] || []).map((f) => (f.held ? { name: f.name, kept: !!f.kept, held: true } : { name: f.name, kept: !!f.kept, bytes: f.bytes.byteLength })) : undefined;
        mock.sent.push(files ? { method: msg.method, files } : { method: msg.method });
      };
      const side = (other) => ({
        handlers: [],
        onMessage(fn) { this.handlers.push(fn); },
        postMessage(msg) {
          if (dead) return;
          const m = structuredClone(msg);
          setImmediate(() => { if (!dead) other().handlers.forEach((h) => h(m)); });
        },
      });
      const main = side(() => inWorker);
      const inWorker = side(() => main);
      const send = main.postMessage;
      main.postMessage = (msg) => {
        record(msg);
        send.call(main, msg);
      };
      main.terminate = () => { dead = true; mock.terminated++; };
      const errors = [];
      main.onError = (fn) => { errors.push(fn); };
      // mock.error(errMsg): this worker reports an error (as WeChat's worker.onError).
      mock.error = (errMsg) => errors.forEach((fn) => fn({ errMsg }));
      const broken = mock.brokenWorkers > 0;
      if (broken) mock.brokenWorkers--;
      if (broken || mock.hang) {
        // A script that never ran: messages go nowhere; a broken one reports an error.
        inWorker.postMessage = () => {};
        inWorker.onMessage = () => {};
        main.postMessage = (msg) => { record(msg); };
        // mock.say(msg): this silent worker posts `msg` after all (e.g. load progress).
        mock.say = (msg) => { if (!dead) main.handlers.forEach((h) => h(structuredClone(msg))); };
        if (broken) setImmediate(() => { if (!dead) errors.forEach((fn) => fn({ errMsg: mock.workerError })); });
        mock.workers.push(scriptPath);
        return main;
      }
      // mock.kill(): the system reclaims this worker, as iOS may do with an experimental worker.
      main.onProcessKilled = (fn) => { mock.kill = () => { dead = true; fn(); }; };
      globalThis.worker = inWorker;
      const file = path.join(MP, scriptPath);
      delete require.cache[file];
      require(file);
      mock.workers.push(scriptPath);
      return main;
    };
  }
  globalThis.wx = wx;
  return mock;
}

/**
 * A clock the tests drive (`engine.useClock(clock)`): `advance(ms)` runs the
 * timers due; `pending()` counts timers set and not yet run or cleared.
 */
export function fakeClock() {
  let now = 0;
  let next = 1;
  const timers = new Map();
  return {
    setTimeout(fn, ms) { const id = next++; timers.set(id, { at: now + ms, fn }); return id; },
    clearTimeout(id) { timers.delete(id); },
    pending: () => timers.size,
    advance(ms) {
      now += ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= now).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) return;
        timers.delete(due[0]);
        due[1].fn();
      }
    },
  };
}

/** Waits (by turns of the event loop, never by the clock) until `cond()` holds. */
export async function until(cond, turns = 10000) {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition never held');
}

/** Forgets every mini-program module: the next page starts like a new launch. */
export function restart() {
  for (const k of Object.keys(require.cache)) if (k.startsWith(MP + path.sep)) delete require.cache[k];
}

/** Renders a page (e.g. 'pages/profile/index') and waits until it has drawn. */
export async function renderPage(page) {
  const id = simulate.load(path.join(MP, page), { compiler: 'official', rootPath: MP });
  const comp = simulate.render(id);
  comp.attach(document.createElement('parent-wrapper'));
  await comp.instance.whenIdle();
  return comp;
}

/** Taps an element (by selector) and waits until the page is idle again. */
export async function tap(comp, selector, nth = 0) {
  const el = comp.querySelectorAll(selector)[nth];
  if (!el) throw new Error(`nothing matches ${selector}[${nth}]`);
  el.dispatchEvent('tap');
  await settle(comp);
}

/** Waits until pending engine calls and draws are done. */
export async function settle(comp) {
  // Handlers may start a draw on a later turn (worker messages): wait for
  // the queue to drain, then for the page's own draws.
  await new Promise((r) => setImmediate(r));
  await comp.instance.whenIdle();
}

/** 我的画像: searches for cadre `id` and taps its hit (the search must find it). */
export async function showCadre(page, id) {
  page.querySelector('#search').dispatchEvent('input', { detail: { value: id } });
  await settle(page);
  const hit = page.querySelectorAll('.hit').findIndex((h) => h.dom.textContent.includes(id));
  if (hit < 0) throw new Error(`search does not find ${id}`);
  await tap(page, '.hit', hit);
}

/** Texts of the children of each element matching `selector`. */
export function cells(comp, selector) {
  return comp.querySelectorAll(selector).map((row) => [...row.dom.children].map((c) => c.textContent.trim()));
}

export const text = (comp, selector) => {
  const el = comp.querySelector(selector);
  return el ? el.dom.textContent.trim() : null;
};

/** The reserve table a page should show for a profile (rounded as displayed). */
export function expectedTable(profile) {
  const f = (x, d) => (x === null || x === undefined ? '—' : x.toFixed(d));
  return profile.dimensions.map((d) => [d.dimension, f(d.reserve, 1), f(d.target, 0), f(d.gap, 1), f(d.percentile, 0), f(d.peer_median, 1)]);
}

/** The kept files in the mock's user-data folder. */
export const keptFiles = (mock) => {
  const d = path.join(mock.dir, config().STORE_DIR);
  return fs.existsSync(d) ? fs.readdirSync(d).sort() : [];
};

/** `zhichu` run for its side effects (keygen, personal, demo); returns stdout. */
export function run(...args) {
  return execFileSync(BIN, args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The shared strings of an .xlsx (a zip): a tiny reader over its central directory. */
export function xlsxStrings(file) {
  const b = fs.readFileSync(file);
  let eocd = b.length - 22;
  while (eocd >= 0 && b.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error(`${file}: not a zip`);
  let p = b.readUInt32LE(eocd + 16);
  const entries = b.readUInt16LE(eocd + 10);
  for (let i = 0; i < entries; i++) {
    const method = b.readUInt16LE(p + 10);
    const size = b.readUInt32LE(p + 20);
    const nameLen = b.readUInt16LE(p + 28);
    const extra = b.readUInt16LE(p + 30);
    const comment = b.readUInt16LE(p + 32);
    const local = b.readUInt32LE(p + 42);
    const name = b.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extra + comment;
    if (name !== 'xl/sharedStrings.xml') continue;
    const start = local + 30 + b.readUInt16LE(local + 26) + b.readUInt16LE(local + 28);
    const raw = b.subarray(start, start + size);
    const xml = (method === 8 ? zlib.inflateRawSync(raw) : raw).toString('utf8');
    return [...xml.matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((m) => m[1]);
  }
  return [];
}
