// The imported files, kept in this browser's IndexedDB so a reload keeps
// them. Nothing is sent anywhere.
const DB = 'zhichu';
const STORE = 'files';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'name' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function tx(mode, fn) {
  return open().then((db) => new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const out = fn(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); resolve(out && 'result' in out ? out.result : undefined); };
    t.onerror = () => { db.close(); reject(t.error); };
  }));
}

export const listFiles = () => tx('readonly', (s) => s.getAll());
export const putFiles = (files) => tx('readwrite', (s) => { for (const f of files) s.put(f); });
export const removeFile = (name) => tx('readwrite', (s) => s.delete(name));
export const clearFiles = () => tx('readwrite', (s) => s.clear());
