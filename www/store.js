// The imported files, kept in this browser's IndexedDB so a reload keeps
// them, and (a store of its own) the personal package (个人档案包) opened in
// 本人模式: {bytes, code, name, meta}, one at most. Nothing is sent anywhere.
import { database } from './idb.js';

const STORE = 'files';
const PACKAGE = 'package';

const inDb = database('zhichu', 2, (db) => {
  if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'name' });
  if (!db.objectStoreNames.contains(PACKAGE)) db.createObjectStore(PACKAGE);
});
const tx = (mode, fn, store = STORE) => inDb(store, mode, fn);

export const listFiles = () => tx('readonly', (s) => s.getAll());
export const putFiles = (files) => tx('readwrite', (s) => { for (const f of files) s.put(f); });
export const removeFile = (name) => tx('readwrite', (s) => s.delete(name));
export const clearFiles = () => tx('readwrite', (s) => s.clear());

/** The kept personal package ({bytes, code, name, meta}) or undefined. */
export const getPackage = () => tx('readonly', (s) => s.get('current'), PACKAGE);
export const putPackage = (p) => tx('readwrite', (s) => { s.put(p, 'current'); }, PACKAGE);
export const clearPackage = () => tx('readwrite', (s) => { s.clear(); }, PACKAGE);
