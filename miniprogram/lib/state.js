// What every page shares: the loaded data (demo or imported files), its
// summary and validation report, the chosen cadre and as-of date. Pages
// subscribe and redraw; they ask the engine for what they draw.
//
// The kept files are read and written asynchronously (store.js). An import
// sends the engine the new files' bytes and, for the kept files its host
// already holds, their names only (lib/engine.js). What is kept and what
// the engine has loaded agree: a failed write keeps nothing of that import
// (or of that package) and the engine loads what is kept again.
const engine = require('./engine.js');
const store = require('./store.js');
const config = require('./config.js');
const trustedIssuers = require('../config/trusted-issuers.js');

const CADRE_KEY = 'zhichu.cadre';

const state = {
  /** Engine summary: counts, demo flag, default as-of date, policy. */
  summary: null,
  /** Validation report of the loaded files (null for the demo). */
  report: null,
  /** Files of the last import that could not be used and were not kept. */
  rejected: [],
  /** The kept files' names (as of the last data change). */
  files: [],
  /** Why the last import kept nothing although its files were usable (a failed write: storage full), else ''. */
  saveError: '',
  cadre: null,
  /** '' = the data's own default (its latest record's date). */
  asOf: '',
  /** Bumped on every data change. */
  version: 0,
  loading: false,
  progress: null,
  /**
   * 本人模式: the opened personal package's `summary.package` ({issuer,
   * issued, as_of, cadre_id, fingerprint, sealed}) plus `trusted` (the name
   * in config/trusted-issuers.js, or null when the user accepted the key);
   * null otherwise.
   */
  personal: null,
  /** Why the kept package could not be reopened at start (then the other data is shown). */
  packageError: '',
};

const listeners = [];
let started = null;
let queue = Promise.resolve();

function emit(kind) {
  listeners.slice().forEach((fn) => fn(kind, state));
}

/** Runs data changes one after another. */
function serial(fn) {
  const run = queue.then(fn, fn);
  queue = run.catch(() => {});
  return run;
}

engine.onProgress((pct) => {
  state.progress = pct;
  if (wx.showLoading) wx.showLoading({ title: `正在载入 ${pct}%`, mask: true });
  emit('progress');
});

// Charts take their palette from the theme: redraw when it changes.
if (wx.onThemeChange) wx.onThemeChange(() => emit('theme'));

/** The demo city's scale: config.DEMO_FALLBACK_SCALE once the phone could not keep the larger one (remembered). */
let demoScale = (wx.getStorageSync && wx.getStorageSync(config.DEMO_SCALE_KEY)) || config.DEMO_SCALE;
/** Nothing kept: the demo city is shown (or being loaded). */
const showingDemo = async () => !(await store.hasPackage()) && (await store.list()).length === 0;

// Each kept file's content has a tag, new whenever this session writes the
// file: lib/engine.js sends a kept file by name only while its host holds
// that file under the same tag.
const tags = new Map();
let lastTag = 0;
const newTag = () => ++lastTag;
function tagOf(name) {
  if (!tags.has(name)) tags.set(name, newTag());
  return tags.get(name);
}

// The system reclaimed the worker (lib/engine.js started a new one): load the
// same data again, up to config.KILL_RETRIES times in a row without a
// successful answer between. Then the smaller demo city if the demo was
// shown, else the engine stops with a plain message (重试 starts it again).
engine.onKilled((why) => {
  serial(async () => {
    if (why.inARow <= config.KILL_RETRIES) return loadStored();
    if ((await showingDemo()) && demoScale !== config.DEMO_FALLBACK_SCALE) {
      demoScale = config.DEMO_FALLBACK_SCALE;
      if (wx.setStorageSync) wx.setStorageSync(config.DEMO_SCALE_KEY, demoScale);
      if (wx.showModal) wx.showModal({ title: '手机内存不足', content: '演示数据已改为较小的演示城市（1,000 名干部）。', showCancel: false });
      return loadStored();
    }
    engine.stop({ code: 'out_of_memory', message: `手机内存不足：计算线程连续 ${why.inARow} 次被系统回收，无法载入这些数据。请关闭其他应用后重试。` });
    emit('data'); // the pages ask again and show the message
    return null;
  }).catch(() => {});
});

async function withLoading(title, fn) {
  state.loading = true;
  state.progress = 0;
  emit('loading');
  if (wx.showLoading) wx.showLoading({ title, mask: true });
  try {
    return await fn();
  } finally {
    state.loading = false;
    state.progress = null;
    if (wx.hideLoading) wx.hideLoading();
    emit('loading');
  }
}

/** The kept files, as the engine stages them: kept from before (never left out; see loadSet), each read only if the engine lacks it. */
async function keptSet() {
  return (await store.list()).map((name) => ({ name, kept: true, tag: tagOf(name), read: () => store.read(name) }));
}

/**
 * Loads `files` ([{name, kept?, tag, bytes | read()}]) in one load, or the demo city when
 * there are none. A new file (not `kept`) that the engine cannot use at all
 * is left out by the engine and never replaces the kept file of its name
 * (the engine loads again with the kept one); the report keeps its problems
 * first and names it in `report.rejected` (the build's rpc.js, loadFiles).
 */
function loadSet(files, call = engine.call) {
  if (files.length === 0) return withLoading('正在生成演示数据', () => call('demo', demoScale));
  return withLoading('正在载入数据', () => call('load', files));
}

/** The kept package if there is one, else the kept files (or the demo). */
async function loadCurrent(call = engine.call) {
  const pkg = await store.readPackage();
  if (pkg) {
    try {
      const res = await withLoading('正在打开个人档案包', () => call('openPackage', pkg.bytes, pkg.code));
      state.packageError = '';
      return res;
    } catch (e) {
      if (e && (e.code === 'engine_crash' || e.code === 'restarted')) throw e;
      state.packageError = `本机保存的个人档案包无法打开：${e && e.message ? e.message : e}`;
    }
  }
  return loadSet(await keptSet(), call);
}

// After a trap the engine starts again on a fresh module instance
// (lib/engine.js), which loads what is kept (or the demo) before answering
// again: the same data, so the pages keep what they show.
engine.onRestart((call) => (state.summary ? loadCurrent(call) : null));

/** Keeps the chosen cadre if the new data has it, else takes the first one. */
async function chooseCadre() {
  if (state.personal) {
    state.cadre = state.personal.cadre_id; // the package holds that cadre only
    return;
  }
  let saved = state.cadre;
  if (!saved && wx.getStorageSync) saved = wx.getStorageSync(CADRE_KEY) || null;
  let cadre = null;
  if (saved) {
    const hits = await engine.call('cadres', { query: saved, limit: config.SEARCH_LIMIT });
    if (hits.some((h) => h.cadre_id === saved)) cadre = saved;
  }
  if (!cadre) {
    const first = await engine.call('cadres', { query: '', limit: 1 });
    cadre = first.length ? first[0].cadre_id : null;
  }
  state.cadre = cadre;
}

/** Shows `res` (an engine's answer: summary and report); `saveError` says a failed write kept nothing. */
async function apply(res, report, saveError = '') {
  state.summary = res.summary;
  state.files = await store.list();
  state.saveError = saveError;
  state.report = report === undefined ? res.report : report;
  state.personal = res.summary.package ? Object.assign({}, res.summary.package, { trusted: trustedName(res.summary.package.fingerprint) }) : null;
  state.asOf = ''; // new data: seen as of its own latest date
  await chooseCadre();
  state.version += 1;
  emit('data');
}

async function loadStored() {
  const res = await loadCurrent();
  state.rejected = [];
  await apply(res);
  return state;
}

/** Loads the kept files (or the demo) once; every page awaits it. */
function start() {
  if (!started) {
    // (Loaded already when a reload after a reclaimed worker came first.)
    started = state.summary ? Promise.resolve(state) : serial(loadStored);
    // A failed start (e.g. the worker never started) is tried again by the next page or retry.
    const mine = started;
    started.catch(() => { if (started === mine) started = null; });
  }
  return started;
}

/** The page's 重试: the engine may start again (after a stop), and the data loads again if it never loaded. */
function retry() {
  engine.resume();
  return state.summary ? Promise.resolve(state) : start();
}

/**
 * Imports chosen files (`[{name, path}]`, e.g. from wx.chooseMessageFile),
 * in one load with the kept files. A file the engine could not use at all
 * (`report.rejected`) is not kept and never replaces a kept file of the same
 * name: the engine loads the kept one again, and its report keeps the
 * rejected file's problems. A usable file with a kept file's name replaces
 * it only if `confirmReplace(names)` resolves true (otherwise the kept one
 * stays). The usable files are kept all or none (store.putAll): when a write
 * fails (WeChat's storage quota) none is kept, the engine loads what is kept
 * again, and `saveError` says so. Resolves to `{report, kept: [names],
 * rejected: [names], declined: [names], notSaved: [names], saveError,
 * saveCode}` (`saveCode`: store.js's 'storage_full' or 'fs_error', '' when kept).
 */
function importFiles(chosen, confirmReplace = async () => true) {
  return serial(async () => {
    await start();
    // 本人模式 shows the package only: imported tables would be hidden behind it.
    if (await store.hasPackage()) throw { code: 'personal_mode', message: '本人模式下不能导入数据；请先清除全部数据' };
    const incoming = [];
    for (const f of chosen) incoming.push({ name: store.safeName(f.name), bytes: await store.readPath(f.path), tag: newTag() });
    const kept = await keptSet();
    const keptNames = kept.map((f) => f.name);
    let res = await loadSet(kept.concat(incoming));
    const rejected = res.report.rejected || [];
    let good = incoming.filter((f) => rejected.indexOf(f.name) < 0);
    const bad = incoming.filter((f) => rejected.indexOf(f.name) >= 0);
    const badNames = bad.map((f) => f.name);
    const about = (i) => badNames.indexOf(i.file) >= 0;
    const replacing = good.filter((f) => keptNames.indexOf(f.name) >= 0).map((f) => f.name);
    const declined = replacing.length && !(await confirmReplace(replacing)) ? replacing : [];
    good = good.filter((f) => declined.indexOf(f.name) < 0);
    let notSaved = [];
    let saveError = '';
    let saveCode = '';
    try {
      if (good.length) await store.putAll(good);
      good.forEach((f) => tags.set(f.name, f.tag));
    } catch (e) {
      notSaved = good.map((f) => f.name);
      good = [];
      saveCode = (e && e.code) || 'fs_error';
      saveError = `${e && e.message ? e.message : e}：「${notSaved.join('」「')}」未保存。本机保存的文件没有改变，显示的是原有的数据；删除不需要的文件、清理微信存储空间后可再导入。`;
    }
    const first = res.report;
    let report = first;
    if (declined.length || notSaved.length) {
      // Loaded with the new files for their report; they are not kept (the
      // user kept the old ones, or the write failed): load what is kept.
      res = await loadSet(await keptSet());
      report = res.report;
    } else if (bad.length && !keptNames.length && !good.length) {
      // Nothing usable and nothing kept (the engine's first load stood): the demo.
      res = await loadSet([]);
      report = null;
    }
    if (bad.length && report !== first) {
      // The rejected files' problems stay first in the report of what is loaded instead.
      const again = report || { loaded: {}, errors: [], warnings: [], files: [], rejected: [] };
      report = Object.assign({}, again, {
        errors: first.errors.filter(about).concat(again.errors),
        warnings: first.warnings.filter(about).concat(again.warnings),
        rejected: badNames,
      });
    }
    state.rejected = badNames;
    await apply(res, report, saveError);
    return { report, kept: good.map((f) => f.name), rejected: state.rejected, declined, notSaved, saveError, saveCode };
  });
}

// ---- personal packages (个人档案包) ----

const normFingerprint = (f) => String(f || '').replace(/\s+/g, '').toLowerCase();

/** The name config/trusted-issuers.js gives this fingerprint, or null. */
function trustedName(fingerprint) {
  const f = normFingerprint(fingerprint);
  const hit = trustedIssuers.find((t) => normFingerprint(t.fingerprint) === f);
  return hit ? hit.name || '受信任的签发单位' : null;
}

function acceptedKeys() {
  const v = wx.getStorageSync ? wx.getStorageSync(config.ACCEPTED_ISSUERS_KEY) : '';
  return Array.isArray(v) ? v : [];
}

function acceptKey(issuerKey) {
  const keys = acceptedKeys();
  if (keys.indexOf(issuerKey) < 0 && wx.setStorageSync) wx.setStorageSync(config.ACCEPTED_ISSUERS_KEY, keys.concat([issuerKey]));
}

/** `a` older than `b`: by the issue date, then the as-of date. */
const olderThan = (a, b) => a.issued < b.issued || (a.issued === b.issued && a.as_of < b.as_of);

/**
 * Opens a personal package (`{name, path}`, e.g. from wx.chooseMessageFile)
 * and, once it opened, keeps it (bytes and 提取码) so a restart reopens 本人模式.
 * `ui` asks the user (each resolves to the answer):
 * - `confirmIssuer(header)` → boolean: the signer is neither in
 *   config/trusted-issuers.js nor accepted before (the header carries the
 *   fingerprint); an accepted key is remembered once the package opened;
 * - `askCode(header)` → the 提取码, or null (cancelled): a sealed package;
 * - `confirmReplace(why, info, kept)` → boolean: `why` 'other_cadre' (the
 *   package is for another cadre than the kept one) or 'older' (older, by
 *   `issued` then `as_of`, than the kept one for the same cadre).
 * Bad input (not_a_package, bad_signature, wrong_code, …) rejects with the
 * engine's `{code, message}`; then, as when the user declines, nothing is
 * kept and what was shown stays. A package that opened but could not be
 * kept (a failed write: storage full) is not shown either: the kept package
 * stays, the engine loads what is kept again, and `packageError` says so
 * (reason 'not_saved'). Resolves to `{opened, reason?, header, info?}`.
 */
function openPackage(file, ui) {
  return serial(async () => {
    await start();
    const bytes = await store.readPath(file.path);
    const header = await engine.call('packageHeader', bytes);
    const trusted = trustedName(header.fingerprint);
    if (!trusted && acceptedKeys().indexOf(header.issuer_key) < 0 && !(await ui.confirmIssuer(header))) {
      return { opened: false, reason: 'issuer_declined', header };
    }
    let code;
    if (header.sealed) {
      code = await ui.askCode(header);
      if (code === null || code === undefined) return { opened: false, reason: 'cancelled', header };
    }
    // The host replaces the engine only when the package opened: on an error the loaded data stays.
    const res = await withLoading('正在打开个人档案包', () => engine.call('openPackage', bytes, code));
    const info = res.summary.package;
    const kept = await store.readPackage();
    const why = !kept ? null : kept.info.cadre_id !== info.cadre_id ? 'other_cadre' : olderThan(info, kept.info) ? 'older' : null;
    if (why && !(await ui.confirmReplace(why, info, kept.info))) {
      await apply(await loadCurrent()); // back to the kept package
      return { opened: false, reason: 'replace_declined', header, info };
    }
    try {
      await store.putPackage(bytes, code, info);
    } catch (e) {
      await apply(await loadCurrent()); // back to what is kept
      state.packageError = `${e && e.message ? e.message : e}：档案包未保存，本机原有的数据不变。删除不需要的文件、清理微信存储空间后可再打开。`;
      emit('data');
      return { opened: false, reason: 'not_saved', header, info, error: e };
    }
    if (!trusted) acceptKey(header.issuer_key);
    state.rejected = [];
    state.packageError = '';
    await apply(res);
    return { opened: true, header, info };
  });
}

function removeFile(name) {
  return serial(async () => {
    await store.remove(name);
    tags.delete(name);
    return loadStored();
  });
}

/** Deletes every kept file, the kept personal package and the accepted issuers; returns to the demo city. */
function clearAll() {
  return serial(async () => {
    await store.clear();
    await store.removePackage();
    tags.clear();
    if (wx.removeStorageSync) wx.removeStorageSync(config.ACCEPTED_ISSUERS_KEY);
    return loadStored();
  });
}

function setCadre(id) {
  state.cadre = id;
  if (wx.setStorageSync) wx.setStorageSync(CADRE_KEY, id);
  emit('cadre');
}

function setAsOf(date) {
  state.asOf = date || '';
  emit('asOf');
}

/** `fn(kind, state)` on every change; returns the unsubscribe function. */
function subscribe(fn) {
  listeners.push(fn);
  return () => {
    const i = listeners.indexOf(fn);
    if (i >= 0) listeners.splice(i, 1);
  };
}

module.exports = {
  get: () => state,
  start,
  retry,
  call: engine.call,
  importFiles,
  openPackage,
  trustedName,
  removeFile,
  clearAll,
  setCadre,
  setAsOf,
  subscribe,
  /** The kept files' names, as of the last data change. */
  keptFiles: () => state.files,
  /** Resolves when no data change is pending. */
  idle: () => queue,
};
