// IndexedDB, as the page keeps things in this browser: store.js (the imported
// files, the personal package) and state.js (the saved 分析 views) each have a
// database of their own, opened through this one helper.

/**
 * A database `name` at `version` (`upgrade(db)` makes its stores when it is
 * new or older). Returns `tx(store, mode, fn)`: opens the database, runs
 * `fn(objectStore)` in one transaction and resolves, once the transaction is
 * complete, to the result of the request `fn` returned (undefined if none);
 * rejects with the transaction's error. The database is closed either way.
 */
export function database(name, version, upgrade) {
  const open = () => new Promise((resolve, reject) => {
    const req = indexedDB.open(name, version);
    req.onupgradeneeded = () => upgrade(req.result);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return (store, mode, fn) => open().then((db) => new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    const out = fn(t.objectStore(store));
    t.oncomplete = () => { db.close(); resolve(out && 'result' in out ? out.result : undefined); };
    t.onerror = () => { db.close(); reject(t.error); };
  }));
}
