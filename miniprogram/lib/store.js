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

module.exports = { safeName, list, read, readPath, put, remove, clear, dir };
