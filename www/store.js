// The imported files, kept in this browser's IndexedDB so a reload keeps
// them, and (a store of its own) the personal package (个人档案包) opened in
// 本人模式: {bytes, code, name, meta}, one at most. Nothing is sent anywhere.
const DB = 'zhichu';
const STORE = 'files';
const PACKAGE = 'package';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'name' });
      if (!db.objectStoreNames.contains(PACKAGE)) db.createObjectStore(PACKAGE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function tx(mode, fn, store = STORE) {
  return open().then((db) => new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    const out = fn(t.objectStore(store));
    t.oncomplete = () => { db.close(); resolve(out && 'result' in out ? out.result : undefined); };
    t.onerror = () => { db.close(); reject(t.error); };
  }));
}

export const listFiles = () => tx('readonly', (s) => s.getAll());
export const putFiles = (files) => tx('readwrite', (s) => { for (const f of files) s.put(f); });
export const removeFile = (name) => tx('readwrite', (s) => s.delete(name));
export const clearFiles = () => tx('readwrite', (s) => s.clear());

/** The kept personal package ({bytes, code, name, meta}) or undefined. */
export const getPackage = () => tx('readonly', (s) => s.get('current'), PACKAGE);
export const putPackage = (p) => tx('readwrite', (s) => { s.put(p, 'current'); }, PACKAGE);
export const clearPackage = () => tx('readwrite', (s) => { s.clear(); }, PACKAGE);
