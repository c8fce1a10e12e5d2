// The page's state, shared by the views: what is loaded and which cadre is shown.
// `personal`: in 本人模式, the opened package's summary ({issuer, issued, as_of, cadre_id, fingerprint, sealed, name, unit_name, file}).
export const state = { summary: null, personal: null, cadre: null, asOf: null, profile: null, sim: null, archive: [], sort: { key: 'date', dir: -1 } };

// Saved analysis views (分析 → 保存为视图): a named pivot or SQL request,
// {name, kind: 'pivot'|'sql', req, saved}, kept in this browser's IndexedDB
// beside the imported files (a database of its own, so the files' store is
// untouched). A view is a question, re-run on whatever data are loaded.
const VIEWS_DB = 'zhichu-views';
const VIEWS = 'views';

function openViews() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(VIEWS_DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(VIEWS, { keyPath: 'name' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function viewsTx(mode, fn) {
  return openViews().then((db) => new Promise((resolve, reject) => {
    const t = db.transaction(VIEWS, mode);
    const out = fn(t.objectStore(VIEWS));
    t.oncomplete = () => { db.close(); resolve(out && 'result' in out ? out.result : undefined); };
    t.onerror = () => { db.close(); reject(t.error); };
  }));
}

/** Every saved view, oldest first. */
export const listViews = () => viewsTx('readonly', (s) => s.getAll()).then((vs) => vs.sort((a, b) => a.saved - b.saved));
/** Saves (or replaces, by name) a view. */
export const putView = (view) => viewsTx('readwrite', (s) => s.put({ ...view, saved: Date.now() }));
export const removeView = (name) => viewsTx('readwrite', (s) => s.delete(name));
export const clearViews = () => viewsTx('readwrite', (s) => s.clear());
