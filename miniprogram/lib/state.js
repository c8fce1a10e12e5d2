// What every page shares: the loaded data (demo or imported files), its
// summary and validation report, the chosen cadre and as-of date. Pages
// subscribe and redraw; they ask the engine for what they draw.
const engine = require('./engine.js');
const store = require('./store.js');
const config = require('./config.js');

const CADRE_KEY = 'zhichu.cadre';

const state = {
  /** Engine summary: counts, demo flag, default as-of date, policy. */
  summary: null,
  /** Validation report of the loaded files (null for the demo). */
  report: null,
  /** Files of the last import that could not be used and were not kept. */
  rejected: [],
  cadre: null,
  /** '' = the data's own default (its latest record's date). */
  asOf: '',
  /** Bumped on every data change. */
  version: 0,
  loading: false,
  progress: null,
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

// The system reclaimed the worker: load the same data again.
engine.onKilled(() => {
  serial(loadStored).catch(() => {});
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

function readKept() {
  return store.list().map((name) => ({ name, bytes: store.read(name) }));
}

/** Loads `files` ([{name, bytes}]), or the demo city when there are none. */
function loadSet(files, call = engine.call) {
  if (files.length === 0) return withLoading('正在生成演示数据', () => call('demo', config.DEMO_SCALE));
  return withLoading('正在载入数据', () => call('load', files));
}

// After a trap the engine starts again on a fresh module instance
// (lib/engine.js), which loads what is kept (or the demo) before answering
// again: the same data, so the pages keep what they show.
engine.onRestart((call) => loadSet(readKept(), call));

/** Keeps the chosen cadre if the new data has it, else takes the first one. */
async function chooseCadre() {
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

async function apply(res, report) {
  state.summary = res.summary;
  state.report = report === undefined ? res.report : report;
  state.asOf = ''; // new data: seen as of its own latest date
  await chooseCadre();
  state.version += 1;
  emit('data');
}

async function loadStored() {
  const res = await loadSet(readKept());
  state.rejected = [];
  await apply(res);
  return state;
}

/** Loads the kept files (or the demo) once; every page awaits it. */
function start() {
  if (!started) started = serial(loadStored);
  return started;
}

/**
 * Imports chosen files (`[{name, path}]`, e.g. from wx.chooseMessageFile).
 * A file the engine could not use at all (`report.rejected`) is not kept and
 * never replaces a kept file of the same name: the kept set is loaded again,
 * and the rejected file's problems stay in the report. A usable file with a
 * kept file's name replaces it only if `confirmReplace(names)` resolves true
 * (otherwise the kept one stays). Resolves to
 * `{report, kept: [names], rejected: [names], declined: [names]}`.
 */
function importFiles(chosen, confirmReplace = async () => true) {
  return serial(async () => {
    await start();
    const incoming = chosen.map((f) => ({ name: store.safeName(f.name), bytes: store.readPath(f.path) }));
    const names = incoming.map((f) => f.name);
    const merged = store.list().filter((n) => names.indexOf(n) < 0).map((name) => ({ name, bytes: store.read(name) })).concat(incoming);
    let res = await loadSet(merged);
    const rejected = res.report.rejected || [];
    let good = incoming.filter((f) => rejected.indexOf(f.name) < 0);
    const bad = incoming.filter((f) => rejected.indexOf(f.name) >= 0);
    const keptNames = store.list();
    const replacing = good.filter((f) => keptNames.indexOf(f.name) >= 0).map((f) => f.name);
    const declined = replacing.length && !(await confirmReplace(replacing)) ? replacing : [];
    good = good.filter((f) => declined.indexOf(f.name) < 0);
    good.forEach((f) => store.put(f.name, f.bytes));
    let report = res.report;
    if (declined.length && !bad.length) {
      // Loaded with the new file for its report; the user kept the old one: load what is kept.
      res = await loadSet(readKept());
      report = res.report;
    }
    if (bad.length) {
      const badNames = bad.map((f) => f.name);
      const about = (i) => badNames.indexOf(i.file) >= 0;
      const first = res.report;
      res = await loadSet(readKept());
      const again = res.report || { loaded: {}, errors: [], warnings: [], files: [], rejected: [] };
      report = Object.assign({}, again, {
        errors: first.errors.filter(about).concat(again.errors),
        warnings: first.warnings.filter(about).concat(again.warnings),
        rejected: badNames,
      });
    }
    state.rejected = bad.map((f) => f.name);
    await apply(res, report);
    return { report, kept: good.map((f) => f.name), rejected: state.rejected, declined };
  });
}

function removeFile(name) {
  return serial(async () => {
    store.remove(name);
    return loadStored();
  });
}

/** Deletes every kept file and returns to the demo city. */
function clearAll() {
  return serial(async () => {
    store.clear();
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
  call: engine.call,
  importFiles,
  removeFile,
  clearAll,
  setCadre,
  setAsOf,
  subscribe,
  keptFiles: () => store.list(),
  /** Resolves when no data change is pending. */
  idle: () => queue,
};
