// The imported files, kept in the mini-program's own user-data folder
// (wx.env.USER_DATA_PATH/zhichu/) so they survive a restart. Nothing leaves
// the phone. Files are listed in name order, as the web page's store does.
const config = require('./config.js');

const fsm = () => wx.getFileSystemManager();
const dir = () => `${wx.env.USER_DATA_PATH}/${config.STORE_DIR}`;
const TMP = '.tmp-';

function ensureDir() {
  try {
    fsm().accessSync(dir());
  } catch (e) {
    fsm().mkdirSync(dir(), true);
  }
}

/** A name safe as a file name; the engine reads tables from it (干部.csv), so only unsafe characters change. */
function safeName(name) {
  const n = String(name || '').replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim();
  return n && n !== '.' && n !== '..' && !n.startsWith(TMP) ? n : `file-${n || 'unnamed'}`;
}

function list() {
  ensureDir();
  return fsm().readdirSync(dir()).filter((n) => !n.startsWith(TMP)).sort();
}

/** The bytes of a kept file (ArrayBuffer). */
function read(name) {
  return fsm().readFileSync(`${dir()}/${name}`);
}

/** The bytes of any local file, e.g. a chosen chat attachment's temp path. */
function readPath(p) {
  return fsm().readFileSync(p);
}

/** Keeps a file, replacing one of the same name (written aside, then renamed). */
function put(name, bytes) {
  ensureDir();
  const tmp = `${dir()}/${TMP}${name}`;
  fsm().writeFileSync(tmp, bytes);
  fsm().renameSync(tmp, `${dir()}/${name}`);
}

function remove(name) {
  try {
    fsm().unlinkSync(`${dir()}/${name}`);
  } catch (e) {
    // already gone
  }
}

function clear() {
  ensureDir();
  fsm().readdirSync(dir()).forEach(remove);
}

// The personal package (个人档案包) kept for 本人模式: its bytes and, beside
// them, what reopens it (the 提取码) and what it is (summary.package), in a
// folder of its own (wx.env.USER_DATA_PATH/zhichu-package/) so it is never
// taken for an imported table.
const pkgDir = () => `${wx.env.USER_DATA_PATH}/${config.PACKAGE_DIR}`;
const PKG_FILE = 'package.zcpk';
const PKG_META = 'package.json';

function ensurePkgDir() {
  try {
    fsm().accessSync(pkgDir());
  } catch (e) {
    fsm().mkdirSync(pkgDir(), true);
  }
}

/** `{bytes, code, info}` of the kept package, or null. */
function readPackage() {
  try {
    const meta = JSON.parse(fsm().readFileSync(`${pkgDir()}/${PKG_META}`, 'utf8'));
    return { bytes: fsm().readFileSync(`${pkgDir()}/${PKG_FILE}`), code: meta.code || undefined, info: meta.info };
  } catch (e) {
    return null;
  }
}

/** Keeps a package (replacing the kept one): bytes first, then the meta that makes it count. */
function putPackage(bytes, code, info) {
  ensurePkgDir();
  removePackage();
  const tmp = `${pkgDir()}/${TMP}`;
  fsm().writeFileSync(`${tmp}${PKG_FILE}`, bytes);
  fsm().renameSync(`${tmp}${PKG_FILE}`, `${pkgDir()}/${PKG_FILE}`);
  fsm().writeFileSync(`${tmp}${PKG_META}`, JSON.stringify({ code: code || '', info }), 'utf8');
  fsm().renameSync(`${tmp}${PKG_META}`, `${pkgDir()}/${PKG_META}`);
}

function removePackage() {
  for (const f of [PKG_META, PKG_FILE]) {
    try {
      fsm().unlinkSync(`${pkgDir()}/${f}`);
    } catch (e) {
      // already gone
    }
  }
}

module.exports = { safeName, list, read, readPath, put, remove, clear, dir, readPackage, putPackage, removePackage, pkgDir };
