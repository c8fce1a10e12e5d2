// The imported files, kept in the mini-program's own user-data folder
// (wx.env.USER_DATA_PATH/zhichu/) so they survive a restart. Nothing leaves
// the phone. Files are listed in name order, as the web page's store does.
//
// Every call is asynchronous (the file-system manager's callback forms, as
// promises): a page never waits on the disk with the main thread blocked. A
// failed call rejects with {code, message}: 'storage_full' when the write
// went past WeChat's quota for the user-data folder (200 MB, shared with the
// cache), else 'fs_error'. Keeping files is all or nothing (putAll,
// putPackage): a failed write leaves the kept files as they were.
const config = require('./config.js');

const fsm = () => wx.getFileSystemManager();
const dir = () => `${wx.env.USER_DATA_PATH}/${config.STORE_DIR}`;
const TMP = '.tmp-'; // a new file written aside, until every new file is written
const OLD = '.old-'; // a replaced file, until its successor is in place

/** What a failed file-system call says, as {code, message, errMsg}. */
function fsError(e) {
  const errMsg = String((e && (e.errMsg || e.message)) || e);
  if (/maximum size|storage limit|exceed|quota|no space/i.test(errMsg)) {
    return { code: 'storage_full', message: '手机存储空间不足（微信为每个小程序保存文件的空间有上限）', errMsg };
  }
  return { code: 'fs_error', message: `文件操作失败：${errMsg}`, errMsg };
}

/** `name` of the file-system manager with `options`, as a promise of its result. */
function op(name, options) {
  return new Promise((resolve, reject) => {
    fsm()[name](Object.assign({}, options, { success: resolve, fail: (e) => reject(fsError(e)) }));
  });
}

const unlink = (filePath) => op('unlink', { filePath }).catch(() => {}); // already gone
const rename = (oldPath, newPath) => op('rename', { oldPath, newPath });
const write = (filePath, data, encoding) => op('writeFile', encoding ? { filePath, data, encoding } : { filePath, data });

function ensureDir(d) {
  return op('access', { path: d }).catch(() => op('mkdir', { dirPath: d, recursive: true }));
}

/** A name safe as a file name; the engine reads tables from it (干部.csv), so only unsafe characters change. */
function safeName(name) {
  const n = String(name || '').replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim();
  return n && n !== '.' && n !== '..' && !n.startsWith(TMP) && !n.startsWith(OLD) ? n : `file-${n || 'unnamed'}`;
}

/**
 * The kept files' names, sorted. A replaced file left aside with no
 * successor in place (the mini-program ended between putAll's two renames)
 * is put back first: a file once kept is never lost to a crash.
 */
async function list() {
  await ensureDir(dir());
  const names = (await op('readdir', { dirPath: dir() })).files;
  const kept = names.filter((n) => !n.startsWith(TMP) && !n.startsWith(OLD));
  for (const n of names.filter((x) => x.startsWith(OLD))) {
    const name = n.slice(OLD.length);
    if (kept.indexOf(name) >= 0) continue;
    await rename(`${dir()}/${n}`, `${dir()}/${name}`);
    kept.push(name);
  }
  return kept.sort();
}

/** The bytes of a kept file (ArrayBuffer). */
async function read(name) {
  return (await op('readFile', { filePath: `${dir()}/${name}` })).data;
}

/** The bytes of any local file, e.g. a chosen chat attachment's temp path. */
async function readPath(p) {
  return (await op('readFile', { filePath: p })).data;
}

/**
 * Keeps `files` ([{name, bytes}]), each replacing a kept file of its name,
 * all or none: every new file is written aside first; only when all are
 * written are the replaced files moved aside and the new ones renamed into
 * place, then the replaced ones deleted. A failure on the way removes what
 * this call wrote and puts the replaced files back, then rejects.
 */
async function putAll(files) {
  await ensureDir(dir());
  const at = (prefix, name) => `${dir()}/${prefix}${name}`;
  try {
    for (const f of files) await write(at(TMP, f.name), f.bytes);
  } catch (e) {
    for (const f of files) await unlink(at(TMP, f.name));
    throw e;
  }
  const existing = await list();
  const moved = [];
  const placed = [];
  try {
    for (const f of files) {
      if (existing.indexOf(f.name) >= 0) {
        await rename(at('', f.name), at(OLD, f.name));
        moved.push(f.name);
      }
      await rename(at(TMP, f.name), at('', f.name));
      placed.push(f.name);
    }
  } catch (e) {
    for (const n of placed) await unlink(at('', n));
    for (const n of moved) await rename(at(OLD, n), at('', n)).catch(() => {});
    for (const f of files) await unlink(at(TMP, f.name));
    throw e;
  }
  for (const n of moved) await unlink(at(OLD, n));
}

function remove(name) {
  return unlink(`${dir()}/${name}`);
}

/** Deletes every kept file (and anything left aside). */
async function clear() {
  await ensureDir(dir());
  const res = await op('readdir', { dirPath: dir() });
  for (const n of res.files) await remove(n);
}

// The personal package (个人档案包) kept for 本人模式: its bytes and, beside
// them, what reopens it (the 提取码) and what it is (summary.package), in a
// folder of its own (wx.env.USER_DATA_PATH/zhichu-package/) so it is never
// taken for an imported table.
const pkgDir = () => `${wx.env.USER_DATA_PATH}/${config.PACKAGE_DIR}`;
const PKG_FILE = 'package.zcpk';
const PKG_META = 'package.json';

const exists = (p) => op('access', { path: p }).then(() => true, () => false);

/**
 * Finishes a putPackage cut off after the old meta was removed (the
 * mini-program ended between its renames): the new meta and, if still
 * aside, the new bytes are put in place. A package once kept is never lost.
 */
async function settlePackage() {
  const tmp = `${pkgDir()}/${TMP}`;
  if ((await exists(`${pkgDir()}/${PKG_META}`)) || !(await exists(`${tmp}${PKG_META}`))) return;
  if (await exists(`${tmp}${PKG_FILE}`)) await rename(`${tmp}${PKG_FILE}`, `${pkgDir()}/${PKG_FILE}`);
  await rename(`${tmp}${PKG_META}`, `${pkgDir()}/${PKG_META}`);
}

/** `{bytes, code, info}` of the kept package, or null. */
async function readPackage() {
  try {
    await settlePackage();
    const meta = JSON.parse((await op('readFile', { filePath: `${pkgDir()}/${PKG_META}`, encoding: 'utf8' })).data);
    const bytes = (await op('readFile', { filePath: `${pkgDir()}/${PKG_FILE}` })).data;
    return { bytes, code: meta.code || undefined, info: meta.info };
  } catch (e) {
    return null;
  }
}

/** Whether a package is kept (its meta, which makes it count, is there). */
async function hasPackage() {
  await settlePackage().catch(() => {});
  return exists(`${pkgDir()}/${PKG_META}`);
}

/**
 * Keeps a package, replacing the kept one: the bytes and the meta are
 * written aside first; a failed write removes them and rejects, the kept
 * package untouched. Then the old meta goes, the bytes and the new meta
 * (which makes the package count) are renamed into place.
 */
async function putPackage(bytes, code, info) {
  await ensureDir(pkgDir());
  const tmp = `${pkgDir()}/${TMP}`;
  try {
    await write(`${tmp}${PKG_FILE}`, bytes);
    await write(`${tmp}${PKG_META}`, JSON.stringify({ code: code || '', info }), 'utf8');
  } catch (e) {
    await unlink(`${tmp}${PKG_FILE}`);
    await unlink(`${tmp}${PKG_META}`);
    throw e;
  }
  await unlink(`${pkgDir()}/${PKG_META}`);
  // From here a cut-off is finished at the next start (settlePackage).
  await rename(`${tmp}${PKG_FILE}`, `${pkgDir()}/${PKG_FILE}`);
  await rename(`${tmp}${PKG_META}`, `${pkgDir()}/${PKG_META}`);
}

/** Removes the kept package, and anything of one left aside (which settlePackage would otherwise put in place). */
async function removePackage() {
  for (const f of [PKG_META, PKG_FILE, `${TMP}${PKG_META}`, `${TMP}${PKG_FILE}`]) await unlink(`${pkgDir()}/${f}`);
}

module.exports = { safeName, list, read, readPath, putAll, remove, clear, dir, readPackage, hasPackage, putPackage, removePackage, pkgDir };
