// The page's state, shared by the views: what is loaded and which cadre is shown.
// `personal`: in 本人模式, the opened package's summary ({issuer, issued, as_of, cadre_id, fingerprint, sealed, name, unit_name, file}).
import { database } from './idb.js';

export const state = { summary: null, personal: null, cadre: null, asOf: null, profile: null, sim: null, archive: [], sort: { key: 'date', dir: -1 } };

// Saved analysis views (分析 → 保存为视图): a named pivot or SQL request,
// {name, kind: 'pivot'|'sql', req, saved}, kept in this browser's IndexedDB
// beside the imported files (a database of its own, so the files' store is
// untouched). A view is a question, re-run on whatever data are loaded.
const VIEWS = 'views';
const inViews = database('zhichu-views', 1, (db) => db.createObjectStore(VIEWS, { keyPath: 'name' }));
const viewsTx = (mode, fn) => inViews(VIEWS, mode, fn);

/** Every saved view, oldest first. */
export const listViews = () => viewsTx('readonly', (s) => s.getAll()).then((vs) => vs.sort((a, b) => a.saved - b.saved));
/** Saves (or replaces, by name) a view. */
export const putView = (view) => viewsTx('readwrite', (s) => s.put({ ...view, saved: Date.now() }));
export const removeView = (name) => viewsTx('readwrite', (s) => s.delete(name));
export const clearViews = () => viewsTx('readwrite', (s) => s.clear());
