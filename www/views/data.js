// 数据: import (drag-and-drop or picker), the validation report, the files
// kept in this browser (IndexedDB), remove and clear. Loading is the engine's
// (in the worker); this view only moves bytes and lays out the report.
import { $, esc, setProgress, toast, showError, saveFile } from '../ui.js';
import { rpc, demoScale } from '../engine.js';
import { state, clearViews } from '../state.js';
import { listFiles, putFiles, removeFile, clearFiles } from '../store.js';
import { clearCadre, refreshCadre } from './profile.js';

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
  if (files.length === 0) {
    $('#as-of').value = '';
    setProgress(30, '正在生成演示数据…');
    state.summary = await rpc('demo', demoScale);
    setProgress(null);
    renderData(null);
  } else {
    try {
      await loadFiles(files);
    } catch (e) {
      throw new Error(`载入已保存的文件${quote(files.map((f) => f.name))}时出错：${e.message ?? e}`);
    }
  }
  await hooks.onNewData();
  document.body.dataset.ready = 'true';
}

/** Loads `files` as the new data; the engine is replaced only if this succeeds. */
async function loadFiles(files) {
  setProgress(0);
  let out;
  try {
    out = await rpc('load', files.map((f) => ({ name: f.name, bytes: f.bytes })));
  } finally {
    setProgress(null);
  }
  const { report, summary } = out;
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
  const incoming = await Promise.all([...fileList].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()), added: Date.now() })));
  const names = incoming.map((f) => f.name);
  const stored = await listFiles();
  const withFiles = (files) => [...stored.filter((s) => !files.some((i) => i.name === s.name)), ...files];
  const kept0 = stored.length ? '原有数据未受影响' : '仍显示演示数据';
  let report;
  try {
    report = await loadFiles(withFiles(incoming));
  } catch (e) {
    // The engine threw, or its module trapped (then the engine was started again on the kept files: engine.js): nothing was replaced. Say which files.
    status('error', `导入${quote(names)}时出错：${e.message ?? e}。这些文件未导入，${kept0}。`);
    finishImport();
    return;
  }
  // A file the engine could not use at all is not kept, and never replaces a
  // file kept before: load again without it, and still show its problems.
  const rejected = incoming.filter((f) => report.rejected.includes(f.name));
  const kept = incoming.filter((f) => !rejected.includes(f));
  if (rejected.length) {
    const bad = rejected.map((f) => f.name);
    const about = (issues) => issues.filter((i) => bad.includes(i.file));
    const first = report;
    const rest = withFiles(kept);
    if (rest.length) {
      report = await loadFiles(rest);
    } else {
      // Nothing usable was imported and nothing is stored: back to the demo.
      await loadStored();
      report = { loaded: {}, errors: [], warnings: [], rejected: [] };
    }
    report = { ...report, errors: [...about(first.errors), ...report.errors], warnings: [...about(first.warnings), ...report.warnings], rejected: bad };
    renderData(report);
  }
  // A usable file with the name of a kept one replaces it only when the user says so.
  const replacing = kept.filter((f) => stored.some((s) => s.name === f.name)).map((f) => f.name);
  if (replacing.length && !confirm(`${quote(replacing)}已保存在本浏览器中。用新文件替换它吗？\n（新文件已校验：${report.errors.length ? `有 ${report.errors.length} 处问题` : '没有发现问题'}；选「取消」则保留原文件。）`)) {
    await loadFiles(stored);
    status('rejected', `未导入${quote(replacing)}：保留了原有的同名文件。`);
    finishImport();
    refreshCadre();
    return;
  }
  await putFiles(kept);
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
  $('#summary').innerHTML = `<p>${s.demo ? '演示数据（虚构）' : '已导入数据'}：单位 ${s.units} 个，干部 ${s.cadres} 人，课程 ${s.courses} 门，班次 ${s.classes} 个，培训记录 ${s.records} 条，评分 ${s.ratings} 条；最新记录日期 ${s.latest_date || '—'}。</p>`;
  $('#file-list').innerHTML = s.files.map((f) => `<li>${esc(f)}<button type="button" data-remove="${esc(f)}" aria-label="移除 ${esc(f)}">移除</button></li>`).join('');
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
  const name = e.target.dataset.remove;
  if (!name) return;
  await removeFile(name);
  await reloadAfterChange();
});
$('#clear-all').addEventListener('click', async () => {
  if (!confirm('确定清除本浏览器中保存的全部数据？')) return;
  await clearFiles();
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
