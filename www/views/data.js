// 数据: import (drag-and-drop or picker), the validation report, the files
// kept in this browser (IndexedDB), remove and clear. Loading is the engine's
// (in the worker); this view only moves bytes and lays out the report.
import { $, esc, setProgress, toast, showError, saveFile } from '../ui.js';
import { rpc, demoScale } from '../engine.js';
import { state, clearViews } from '../state.js';
import { listFiles, putFiles, removeFile, clearFiles, getPackage, putPackage, clearPackage } from '../store.js';
import { clearCadre, refreshCadre, selectCadre } from './profile.js';
import { unitOptions } from './unit.js';
import { askCode, trusts, issuerLine, isPackage, forgetTrusted } from './package.js';

// Set by the page (app.js): what to redraw after new data, and how to switch tabs.
let hooks = { onNewData: async () => {}, showTab: () => {} };
export function setupData(h) {
  hooks = h;
}

const quote = (names) => `「${names.join('」「')}」`;

/** The outcome of the last import, kept on the 数据 tab (the toast fades). */
function status(kind, text) {
  const el = $('#import-status');
  el.hidden = false;
  el.dataset.state = kind;
  el.textContent = text;
  toast(text);
}

export async function loadStored() {
  const files = await listFiles();
  const pkg = await getPackage();
  if (pkg) {
    // 本人模式: the kept personal package, opened with its kept 提取码.
    try {
      state.summary = await rpc('openPackage', pkg.bytes, pkg.code);
    } catch (e) {
      throw new Error(`打开已保存的个人档案包「${pkg.name}」时出错：${e.message ?? e}`);
    }
    setPersonal(pkg.meta);
    renderData(null);
  } else if (files.length === 0) {
    setPersonal(null);
    $('#as-of').value = '';
    setProgress(30, '正在生成演示数据…');
    state.summary = await rpc('demo', demoScale);
    setProgress(null);
    renderData(null);
  } else {
    try {
      await loadFiles(asKept(files));
    } catch (e) {
      throw new Error(`载入已保存的文件${quote(files.map((f) => f.name))}时出错：${e.message ?? e}`);
    }
  }
  await hooks.onNewData();
  document.body.dataset.ready = 'true';
}

/** Stored files as the engine stages them: kept from before (never left out; see loadFiles). */
const asKept = (files) => files.map((f) => ({ name: f.name, bytes: f.bytes, kept: true }));

/**
 * Loads `files` ([{name, bytes, kept?}]) as the new data, in one load; the
 * engine is replaced only if this succeeds. A new file (not `kept`) that the
 * engine cannot use at all is left out by the engine and never replaces the
 * kept file of its name (the engine loads again with the kept one); the
 * report keeps its problems first and names it in `report.rejected`.
 */
async function loadFiles(files) {
  setProgress(0);
  let out;
  try {
    out = await rpc('load', files.map((f) => ({ name: f.name, bytes: f.bytes, kept: !!f.kept })));
  } finally {
    setProgress(null);
  }
  const { report, summary } = out;
  setPersonal(null);
  $('#as-of').value = ''; // new data: view it as of its own latest date
  state.summary = summary;
  renderData(report);
  await hooks.onNewData();
  return report;
}

/** Why the engine could not use a file, in a sentence. */
function whyRejected(name, report) {
  const issues = [...report.errors, ...report.warnings].filter((i) => i.file === name);
  if (issues.some((i) => i.code === 'unknown_table' || i.code === 'unsupported_file')) {
    return `${quote([name])}未识别为任何数据表（文件名或工作表名应为表名，如 records.csv、培训记录.csv），未使用`;
  }
  const first = report.errors.find((i) => i.file === name);
  return `${quote([name])}无法读取，未使用${first ? `：${first.message}` : ''}`;
}

async function importFiles(fileList) {
  const all = await Promise.all([...fileList].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()), added: Date.now() })));
  // A personal package (magic bytes ZCPK, whatever its name) opens 本人模式 instead of being data.
  const packages = all.filter((f) => isPackage(f.bytes));
  if (packages.length) {
    if (packages.length > 1 || all.length > 1) {
      status('rejected', `一次只能打开一个个人档案包，且不能与数据文件一起导入：${quote(all.map((f) => f.name))}均未导入。`);
      finishImport();
      return;
    }
    await importPackage(packages[0]);
    return;
  }
  const incoming = all;
  const names = incoming.map((f) => f.name);
  const pkgKept = await getPackage();
  if (pkgKept && !confirm(`当前为本人模式（个人档案包「${pkgKept.name}」）。导入数据将退出本人模式，并从本浏览器移除该档案包。继续吗？`)) {
    status('rejected', `未导入${quote(names)}：仍为本人模式。`);
    finishImport();
    return;
  }
  const stored = await listFiles();
  const kept0 = pkgKept ? '仍为本人模式' : stored.length ? '原有数据未受影响' : '仍显示演示数据';
  let report;
  try {
    // One load: the stored files (kept), then the incoming ones. One under a
    // stored file's name replaces it, unless the engine cannot use it at all
    // (report.rejected): then the engine loads again with the stored one,
    // and its report keeps the rejected file's problems first.
    report = await loadFiles([...asKept(stored), ...incoming]);
  } catch (e) {
    // The engine threw, or its module trapped (then the engine was started again on the kept files: engine.js): nothing was replaced. Say which files.
    status('error', `导入${quote(names)}时出错：${e.message ?? e}。这些文件未导入，${kept0}。`);
    finishImport();
    return;
  }
  // A file the engine could not use at all is not kept (the engine left it out).
  const rejected = incoming.filter((f) => report.rejected.includes(f.name));
  const kept = incoming.filter((f) => !rejected.includes(f));
  if (rejected.length && !kept.length && (!stored.length || pkgKept)) {
    // Nothing usable was imported, and what is kept is not files: back to
    // it (the package, or the demo), still showing the rejected files' problems.
    const bad = rejected.map((f) => f.name);
    const about = (issues) => issues.filter((i) => bad.includes(i.file));
    await loadStored();
    report = { loaded: {}, errors: about(report.errors), warnings: about(report.warnings), rejected: bad };
    renderData(report);
  }
  // A usable file with the name of a kept one replaces it only when the user says so.
  const replacing = kept.filter((f) => stored.some((s) => s.name === f.name)).map((f) => f.name);
  if (replacing.length && !confirm(`${quote(replacing)}已保存在本浏览器中。用新文件替换它吗？\n（新文件已校验：${report.errors.length ? `有 ${report.errors.length} 处问题` : '没有发现问题'}；选「取消」则保留原文件。）`)) {
    if (pkgKept) await loadStored(); else await loadFiles(asKept(stored));
    status('rejected', `未导入${quote(replacing)}：保留了原有的同名文件。`);
    finishImport();
    refreshCadre();
    return;
  }
  await putFiles(kept);
  if (pkgKept && kept.length) await clearPackage(); // data imported: 本人模式 ends (the user agreed above)
  const n = report.errors.length;
  const why = rejected.map((f) => whyRejected(f.name, report));
  if (rejected.length && !kept.length) status('rejected', `${why.join('；')}。${kept0}。`);
  else if (rejected.length) status('rejected', `已导入${quote(kept.map((f) => f.name))}${n ? `，发现 ${n} 处问题，见校验结果` : ''}；${why.join('；')}。`);
  else status(n ? 'problems' : 'ok', n ? `已导入${quote(names)}，发现 ${n} 处问题，见校验结果` : `已导入${quote(names)}，没有发现问题`);
  finishImport();
  refreshCadre();
}

function finishImport() {
  document.body.dataset.imports = String(Number(document.body.dataset.imports || 0) + 1);
  hooks.showTab('data');
}

function renderData(report) {
  const s = state.summary;
  const p = state.personal;
  $('#gen-card').hidden = s.demo || !!p;
  if (p) {
    $('#summary').innerHTML = `<p>本人模式：个人档案包，${esc(p.name)}（${esc(p.cadre_id)}${p.unit_name ? ` · ${esc(p.unit_name)}` : ''}），截至 ${esc(p.as_of)}；<span data-testid="package-issuer">${esc(issuerLine(p))}</span>。只含本人的数据，单位、规划、分析页不显示内容。</p>`;
    $('#file-list').innerHTML = `<li>个人档案包 ${esc(p.file)}<button type="button" data-remove-package="1" aria-label="移除个人档案包 ${esc(p.file)}">移除</button></li>`;
  } else {
    $('#summary').innerHTML = `<p>${s.demo ? '演示数据（虚构）' : '已导入数据'}：单位 ${s.units} 个，干部 ${s.cadres} 人，课程 ${s.courses} 门，班次 ${s.classes} 个，培训记录 ${s.records} 条，评分 ${s.ratings} 条；最新记录日期 ${s.latest_date || '—'}。</p>`;
    $('#file-list').innerHTML = s.files.map((f) => `<li>${esc(f)}<button type="button" data-remove="${esc(f)}" aria-label="移除 ${esc(f)}">移除</button></li>`).join('');
  }
  const tbody = $('#validation tbody');
  if (!report) {
    tbody.innerHTML = '';
    $('#loaded-counts').textContent = '';
    $('#validation-empty').hidden = false;
    return;
  }
  $('#loaded-counts').textContent = '已载入：' + Object.entries(report.loaded).map(([t, n]) => `${t} ${n}`).join('，') +
    (report.rejected.length ? `；未使用的文件：${report.rejected.join('、')}` : '');
  const rows = [...report.errors.map((e) => ({ ...e, level: '错误' })), ...report.warnings.map((w) => ({ ...w, level: '提示' }))];
  tbody.innerHTML = rows.map((e) => `<tr class="${e.level === '错误' ? 'err' : 'warn'}"><td>${esc(e.file)}${e.sheet ? ` [${esc(e.sheet)}]` : ''}</td><td class="num">${e.row ?? ''}</td><td>${esc(e.column ?? '')}${e.cell ? ` (${esc(e.cell)})` : ''}</td><td>${esc(e.value ?? '')}</td><td>${e.level}：${esc(e.message)}</td></tr>`).join('');
  $('#validation-empty').hidden = rows.length > 0;
}

$('#file-list').addEventListener('click', async (e) => {
  if (e.target.dataset.removePackage) {
    await clearPackage();
    await reloadAfterChange();
    toast('已移除个人档案包');
    return;
  }
  const name = e.target.dataset.remove;
  if (!name) return;
  await removeFile(name);
  await reloadAfterChange();
});
$('#clear-all').addEventListener('click', async () => {
  if (!confirm('确定清除本浏览器中保存的全部数据？')) return;
  await clearFiles();
  await clearPackage();
  forgetTrusted();
  // Saved 分析 views go too: a query can name cadres.
  await clearViews();
  await reloadAfterChange();
  toast('已清除全部数据，显示演示数据');
});
async function reloadAfterChange() {
  clearCadre();
  await loadStored();
}

const drop = $('#drop');
$('#file-input').addEventListener('change', (e) => { importFiles(e.target.files).catch(showError); e.target.value = ''; });
$('#pick-files').addEventListener('click', () => $('#file-input').click());
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); importFiles(e.dataTransfer.files).catch(showError); });

$('#template-download').addEventListener('click', async () => {
  try {
    saveFile(await rpc('template'), '知储导入模板.xlsx');
  } catch (e) {
    showError(e);
  }
});

// ---- 个人档案包: 本人模式 ----

/** 本人模式 on (`meta`: the package's summary with the cadre's name) or off (null). */
function setPersonal(meta) {
  state.personal = meta;
  if (meta) document.body.dataset.personal = 'true';
  else delete document.body.dataset.personal;
  const asOf = $('#as-of');
  asOf.disabled = !!meta; // an engine opened from a package answers at its date only
  if (meta) asOf.value = meta.as_of;
  const line = $('#p-issuer');
  line.hidden = !meta;
  line.textContent = meta ? issuerLine(meta) : '';
}

/** Issued earlier, or on the same day as of an earlier date. */
const older = (a, b) => a.issued < b.issued || (a.issued === b.issued && a.as_of < b.as_of);
const who = (m) => `${m.name}（${m.cadre_id}）`;

/**
 * Opens a personal package: the signature first (package_header: nothing is
 * decrypted), the signer checked against the trusted list, the 提取码 asked
 * if it is sealed, a trial opening that replaces nothing; then, if it does
 * not silently replace a kept package of another cadre or a newer one, it
 * becomes the engine and is kept (bytes and code) so that a reload reopens it.
 * Anything refused loads and keeps nothing.
 */
async function importPackage(f) {
  const label = quote([f.name]);
  const kept = await getPackage();
  const keptMsg = kept ? `已保存的档案包（${who(kept.meta)}）未受影响` : (await listFiles()).length ? '原有数据未受影响' : '仍显示演示数据';
  const refuse = (why) => { status('rejected', `未打开个人档案包${label}：${why}。${keptMsg}。`); finishImport(); };
  let head;
  try {
    head = await rpc('header', f.bytes);
  } catch (e) {
    status('error', `个人档案包${label}未打开：${e.message ?? e}。${keptMsg}。`);
    finishImport();
    return;
  }
  if (!(await trusts(head))) return refuse(`签发者（公钥指纹 ${head.fingerprint}）未被信任`);
  let meta, code;
  try {
    if (head.sealed) {
      code = await askCode(f.name, async (c) => { meta = await rpc('peekPackage', f.bytes, c); });
      if (code === null) return refuse('未输入提取码');
    } else {
      meta = await rpc('peekPackage', f.bytes);
    }
  } catch (e) {
    status('error', `个人档案包${label}未打开：${e.message ?? e}。${keptMsg}。`);
    finishImport();
    return;
  }
  meta = { ...meta, file: f.name };
  if (kept) {
    const k = kept.meta;
    if (k.cadre_id !== meta.cadre_id) {
      if (!confirm(`本浏览器已保存${who(k)}的个人档案包。用${who(meta)}的档案包替换它吗？\n（选「取消」则保留原档案包。）`)) return refuse(`保留了已保存的${who(k)}的档案包`);
    } else if (older(meta, k)) {
      if (!confirm(`${label}比已保存的档案包旧（签发 ${meta.issued}，截至 ${meta.as_of}；已保存的签发 ${k.issued}，截至 ${k.as_of}）。仍用它替换吗？\n（选「取消」则保留已保存的档案包。）`)) return refuse('它比已保存的档案包旧，保留了已保存的');
    }
  }
  try {
    state.summary = await rpc('openPackage', f.bytes, code);
  } catch (e) {
    status('error', `个人档案包${label}未打开：${e.message ?? e}。${keptMsg}。`);
    finishImport();
    return;
  }
  await putPackage({ bytes: f.bytes, code: code ?? null, name: f.name, meta });
  clearCadre();
  setPersonal(meta);
  renderData(null);
  await hooks.onNewData();
  await selectCadre(meta.cadre_id); // drawn before the import is said to be over
  status('ok', `已打开个人档案包${label}：${who(meta)}，${issuerLine(meta)}。`);
  finishImport();
}

// ---- 生成个人档案包 (trainers, with imported data) ----
/** New data: the unit list of the generator. */
export function resetGen(units) {
  $('#gen-unit').innerHTML = unitOptions(units, true);
}

function genStatus(kind, text) {
  const el = $('#gen-status');
  el.hidden = false;
  el.dataset.state = kind;
  el.textContent = text;
}

$('#gen-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const pass = $('#gen-pass');
  const passphrase = pass.value;
  pass.value = ''; // never kept: cleared at once, used for this one call
  const button = $('#gen-run');
  button.disabled = true;
  try {
    const keyFile = $('#gen-key').files[0];
    if (!keyFile) throw { message: '请选择私钥文件（.key）' };
    const keyText = await keyFile.text();
    const typed = $('#gen-ids').value.split(/[\s,，、;；]+/).filter(Boolean);
    const unit = $('#gen-unit').value;
    genStatus('busy', '正在生成个人档案包…');
    // The engine picks the cadres: those typed, else the unit's (and the units below it), else every cadre.
    const zip = await rpc('makePackages', keyText, passphrase, $('#gen-issuer').value, typed.length ? '' : unit, typed, $('#gen-nocode').checked);
    saveFile(zip, '个人档案包.zip', 'application/zip');
    const who = typed.length ? `${typed.length} 名干部` : unit ? '所选单位的全部干部' : '全部干部';
    genStatus('ok', `已为${who}生成个人档案包，下载为「个人档案包.zip」（含发放清单.xlsx${$('#gen-nocode').checked ? '；未加密，无提取码' : '，提取码见清单'}）。`);
    document.body.dataset.generated = String(Number(document.body.dataset.generated || 0) + 1);
  } catch (err) {
    genStatus('error', `未生成：${err.message ?? err}`);
    document.body.dataset.generated = String(Number(document.body.dataset.generated || 0) + 1);
  } finally {
    button.disabled = false;
  }
});
