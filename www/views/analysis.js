// 分析: self-service analysis on the analysis module (polars). A pivot
// builder for people who know Excel (table, rows, a column field, a value and
// how to summarise it, filters), SQL for power users, ready-made examples,
// exports of the whole result (Excel, CSV, Parquet) and saved views kept in
// this browser. The pickers are built from the engine's `analysis_tables`
// (never a hard-coded column); every number is the engine's.
//
// The analysis module is several MB: it is loaded when this tab is first
// opened (the worker makes it THE engine, built from the same data), and the
// other tabs keep answering meanwhile. For tests: `body[data-analysis-ready]`
// once the pickers describe the loaded data, `body[data-analysis-runs]`
// counts the results drawn, `body[data-analysis-errors]` the errors shown,
// `body[data-views]` the saved views listed, `body[data-view-refusals]` the
// saves refused (after a failed question).
import { $, esc, chart, toast, saveFile } from '../ui.js';
import { rpc, analysisEvents, analysisState } from '../engine.js';
import { state, listViews, putView, removeView } from '../state.js';
import { analysisChartOption, formatCell } from '../charts.js';
import { unitOptions } from './unit.js';

const AGG = { sum: '求和', mean: '平均值', count: '计数', n_unique: '去重计数', median: '中位数', min: '最小值', max: '最大值' };
const MAX_ROW_FIELDS = 3;
const body = document.body;
const bump = (key) => { body.dataset[key] = String(Number(body.dataset[key] || 0) + 1); };

let tables = [];        // the engine's analysis_tables
let dataVersion = 0;    // counts data loads; results of older data are dropped
let describes = -1;     // the dataVersion the pickers describe
let opened = false;
let rows = [];          // the pivot's row fields, in order
let current = null;     // the result shown: {kind: 'pivot'|'sql', req, title}
let lastFailed = false; // the latest question failed: the result shown is an earlier one's
let pivotTitle = null;  // the example's or view's name while the form is as it set it
let sqlTitle = null;

const tableOf = (name) => tables.find((t) => t.name === name);
const columnsOf = (name) => tableOf(name)?.columns || [];
const has = (name, col) => columnsOf(name).some((c) => c.name === col);
/** A column as a picker shows it: its short Chinese description, then its name. */
function columnLabel(c) {
  const doc = String(c.doc || '').split(/[，,；;。（(]/)[0].trim();
  return doc && doc !== c.name ? `${doc}（${c.name}）` : c.name;
}
/** A table's short Chinese name, from the engine's description (培训记录：… → 培训记录). */
const tableName = (name) => String(tableOf(name)?.doc || '').split(/[：:]/)[0].trim() || name;
const tableLabel = (t) => `${tableName(t.name)}（${t.name}，${t.rows} 行）`;

// ---- loading the module, and the status line ----

function showStatus(s = analysisState) {
  const box = $('#analysis-status');
  const bar = $('#analysis-progress');
  const pct = Number.isFinite(s.pct) ? s.pct : null;
  let text;
  switch (s.state) {
    case 'loading': text = `正在载入分析模块…${pct === null ? '' : ` ${pct}%`}`; break;
    case 'building': text = `正在用分析模块载入当前数据…${pct === null ? '' : ` ${pct}%`}`; break;
    case 'ready': text = describes === dataVersion ? '分析模块已就绪：选择示例，或自己组合数据透视。' : '分析模块已就绪，正在读取数据表…'; break;
    case 'error': text = s.message || '分析模块载入失败'; break;
    default: text = s.message || (opened ? '正在载入分析模块…' : '打开本页时载入分析模块（polars，数据透视与 SQL）。');
  }
  box.dataset.state = s.state;
  $('#analysis-status-text').textContent = text;
  const busy = s.state === 'loading' || s.state === 'building';
  bar.hidden = !busy;
  if (busy) {
    bar.setAttribute('aria-valuenow', String(pct ?? 0));
    bar.firstElementChild.style.width = `${pct ?? 0}%`;
  }
  $('#analysis-retry').hidden = s.state !== 'error';
}
analysisEvents.addEventListener('change', (e) => showStatus(e.detail));

/** New data (or the demo): the pickers are read again when the tab is next shown; a result of the old data is dropped. */
export function resetAnalysis(units, summary) {
  dataVersion++;
  delete body.dataset.analysisReady;
  current = null;
  $('#analysis-result').hidden = true;
  $('#pv-unit').innerHTML = unitOptions(units, true).replace('>全市<', '>不限（全市）<');
  $('#pv-rank').innerHTML = ['<option value="">不限</option>', ...summary.ranks.map((r) => `<option>${esc(r)}</option>`)].join('');
  $('#pv-dimension').innerHTML = ['<option value="">不限</option>', ...summary.dimensions.map((d) => `<option>${esc(d)}</option>`)].join('');
  if (opened && !$('#tab-analysis').hidden) showAnalysis();
}

/** The tab is shown: load the analysis module (once) and read the tables of the data loaded (a failure is shown on the tab, with 重试). */
export async function showAnalysis() {
  opened = true;
  showStatus();
  if (describes === dataVersion) return;
  try {
    await readTables();
  } catch (e) {
    failed(e);
  }
}

async function readTables() {
  const v = dataVersion;
  const t = await rpc('analysis_tables', {});
  if (v !== dataVersion) return; // newer data arrived meanwhile: that refresh wins
  tables = t;
  describes = v;
  fillPickers();
  await renderViews();
  $('#analysis-body').hidden = false;
  showStatus();
  body.dataset.analysisReady = String(v);
}

function failed(e) {
  showStatus({ state: 'error', message: `分析模块不可用：${e && e.message ? e.message : e}` });
}
$('#analysis-retry').addEventListener('click', () => showAnalysis());

// ---- the pivot builder ----

function fillPickers() {
  const sel = $('#pv-table');
  const keep = sel.value;
  sel.innerHTML = tables.map((t) => `<option value="${esc(t.name)}">${esc(tableLabel(t))}</option>`).join('');
  sel.value = tableOf(keep) ? keep : (tableOf('records') ? 'records' : tables[0]?.name || '');
  syncColumns();
  renderSchema();
  renderExamples();
}

/** The column pickers and the filters that apply, for the chosen table. */
function syncColumns() {
  const t = $('#pv-table').value;
  const cols = columnsOf(t);
  rows = rows.filter((r) => has(t, r));
  const opts = (cs, first) => [first, ...cs.map((c) => `<option value="${esc(c.name)}">${esc(columnLabel(c))}</option>`)].join('');
  const keepCols = $('#pv-cols').value, keepMeasure = $('#pv-measure').value;
  $('#pv-cols').innerHTML = opts(cols, '<option value="">（无）</option>');
  $('#pv-cols').value = has(t, keepCols) ? keepCols : '';
  $('#pv-measure').innerHTML = opts(cols, '<option value="">（行数）</option>');
  $('#pv-measure').value = has(t, keepMeasure) ? keepMeasure : '';
  renderRows();
  const missing = [];
  const toggle = (ids, ok, what) => {
    for (const id of ids) $(id).disabled = !ok;
    if (!ok) missing.push(what);
  };
  toggle(['#pv-unit'], has(t, 'unit_id'), '单位');
  toggle(['#pv-rank'], has(t, 'rank'), '职级');
  toggle(['#pv-year-from', '#pv-year-to'], has(t, 'year'), '年度');
  toggle(['#pv-dimension'], has(t, 'dimension'), '维度');
  toggle(['#pv-completed'], has(t, 'completed'), '是否完成');
  $('#pv-filter-note').textContent = missing.length ? `此表没有${missing.join('、')}列，这些筛选不适用。` : '';
  const tt = tableOf(t);
  $('#pv-table-note').textContent = tt ? `${tt.columns.length} 列` : '';
}

function renderRows() {
  const t = $('#pv-table').value;
  $('#pv-rows').innerHTML = rows.length
    ? rows.map((r) => `<span class="chip" data-row="${esc(r)}">${esc(r)}<button type="button" data-remove-row="${esc(r)}" aria-label="移除行字段 ${esc(r)}">×</button></span>`).join('')
    : '<span class="muted">（未选，至少选一个）</span>';
  const left = columnsOf(t).filter((c) => !rows.includes(c.name));
  $('#pv-rows-add').innerHTML = left.map((c) => `<option value="${esc(c.name)}">${esc(columnLabel(c))}</option>`).join('');
  const full = rows.length >= MAX_ROW_FIELDS || !left.length;
  $('#pv-rows-add').disabled = full;
  $('#pv-rows-add-btn').disabled = full;
}

$('#pv-table').addEventListener('change', syncColumns);
$('#pv-rows-add-btn').addEventListener('click', () => {
  const c = $('#pv-rows-add').value;
  if (c && !rows.includes(c) && rows.length < MAX_ROW_FIELDS) rows.push(c);
  pivotTitle = null;
  renderRows();
});
$('#pv-rows').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-remove-row]');
  if (!b) return;
  rows = rows.filter((r) => r !== b.dataset.removeRow);
  pivotTitle = null;
  renderRows();
  $('#pv-rows-add').focus();
});
$('#pivot-card').addEventListener('change', () => { pivotTitle = null; });
$('#pivot-card').addEventListener('input', () => { pivotTitle = null; });

/** The pivot request the form describes (filters only where the table has the column). */
function pivotRequest() {
  const t = $('#pv-table').value;
  const measure = $('#pv-measure').value || null;
  const req = { table: t, rows: [...rows], cols: $('#pv-cols').value || null, measure, agg: measure ? $('#pv-agg').value : 'count' };
  const on = (id) => !$(id).disabled && $(id).value;
  if (on('#pv-unit')) req.unit = $('#pv-unit').value;
  if (on('#pv-rank')) req.rank = $('#pv-rank').value;
  const from = !$('#pv-year-from').disabled && $('#pv-year-from').value;
  const to = !$('#pv-year-to').disabled && $('#pv-year-to').value;
  if (from && to) {
    req.years = `${Math.min(from, to)}-${Math.max(from, to)}`;
  } else if (from || to) {
    req.years = `${from || ''}-${to || ''}`; // one end open (the engine's year filter takes it)
  }
  if (on('#pv-dimension')) req.dimension = $('#pv-dimension').value;
  if (on('#pv-completed')) req.completed = $('#pv-completed').value === 'true';
  const where = $('#pv-where').value.trim();
  if (where) req.where = where;
  if ($('#pv-as-of').value) req.as_of = $('#pv-as-of').value;
  return req;
}

/** Sets the form to a pivot request (an example or a saved view). */
function setPivotForm(req) {
  $('#pv-table').value = req.table;
  syncColumns();
  rows = req.rows.filter((r) => has(req.table, r));
  renderRows();
  $('#pv-cols').value = req.cols || '';
  $('#pv-measure').value = req.measure || '';
  $('#pv-agg').value = req.agg || 'sum';
  $('#pv-unit').value = req.unit || '';
  $('#pv-rank').value = req.rank || '';
  const [from, to] = req.years ? String(req.years).split('-') : ['', ''];
  $('#pv-year-from').value = from || '';
  $('#pv-year-to').value = to || '';
  $('#pv-dimension').value = req.dimension || '';
  $('#pv-completed').value = req.completed === undefined ? '' : String(req.completed);
  $('#pv-where').value = req.where || '';
  $('#pv-as-of').value = req.as_of || '';
}

function autoTitle(req) {
  const what = req.measure ? `${req.measure}${AGG[req.agg] || req.agg}` : '行数';
  return `${tableName(req.table)}-${req.rows.join('、')}${req.cols ? `×${req.cols}` : ''}-${what}`;
}

$('#pv-run').addEventListener('click', () => {
  if (!rows.length) {
    showError('pivot', '请至少选择一个行字段（例如 unit）。');
    return;
  }
  const req = pivotRequest();
  run('pivot', req, pivotTitle || autoTitle(req));
});

// ---- SQL ----

function renderSchema() {
  $('#sql-schema').innerHTML = tables.map((t) => `<h4>${esc(t.name)} <span class="muted">${esc(t.doc || '')}（${t.rows} 行）</span></h4>` +
    `<table class="data schema"><thead><tr><th scope="col">列</th><th scope="col">类型</th><th scope="col">说明</th></tr></thead><tbody>${t.columns.map((c) => `<tr><td><code>${esc(c.name)}</code></td><td>${esc(c.dtype)}</td><td>${esc(c.doc)}</td></tr>`).join('')}</tbody></table>`).join('');
}
$('#sql-text').addEventListener('input', () => { sqlTitle = null; });
$('#sql-run').addEventListener('click', () => {
  const query = $('#sql-text').value.trim();
  if (!query) {
    showError('sql', '请输入 SQL 查询。');
    return;
  }
  run('sql', { query }, sqlTitle || 'SQL查询');
});

// ---- examples ----

/** Ready-made questions; SQL examples are written for the loaded data's latest year. */
function examples() {
  const last = Number(String(state.summary?.latest_date || state.summary?.as_of || '').slice(0, 4)) || new Date().getFullYear();
  const ranks = state.summary?.ranks || [];
  const rank = ranks.includes('乡科级') ? '乡科级' : ranks[0];
  const dims = state.summary?.dimensions || [];
  const dim = dims.includes('纪律与廉政') ? '纪律与廉政' : dims[0];
  const list = [
    { title: '各单位各年度学时', desc: '培训记录：单位 × 年度，学时求和', kind: 'pivot', req: { table: 'records', rows: ['unit'], cols: 'year', measure: 'hours', agg: 'sum' } },
    { title: '低于目标的干部最近参加的课程', desc: `SQL：「${dim}」低于岗位目标的干部 ${last} 年参加的课程`, kind: 'sql',
      req: { query: `SELECT r.cadre_id, r.cadre_name, r.unit, r.reserve, r.target, r.gap, c.course, c.date\nFROM reserves r\nJOIN records c ON c.cadre_id = r.cadre_id\nWHERE r.dimension = '${String(dim).replace(/'/g, "''")}' AND r.gap > 0 AND c.year = ${last}\nORDER BY r.gap DESC, r.cadre_id, c.date DESC, c.course` } },
    { title: '各班次类型完成率', desc: '培训记录：班次类型，是否完成的平均值（完成率）', kind: 'pivot', req: { table: 'records', rows: ['class_type'], cols: null, measure: 'completed', agg: 'mean' } },
    { title: '各岗位平均储备度', desc: '储备度：岗位 × 维度，储备度平均值', kind: 'pivot', req: { table: 'reserves', rows: ['post'], cols: 'dimension', measure: 'reserve', agg: 'mean' } },
    { title: `${rank}干部各单位各年度学时`, desc: `培训记录：仅${rank}，单位 × 年度，学时求和`, kind: 'pivot', req: { table: 'records', rows: ['unit'], cols: 'year', measure: 'hours', agg: 'sum', rank } },
  ];
  return list.filter((x) => x.kind === 'sql' || (tableOf(x.req.table) && [...x.req.rows, x.req.cols, x.req.measure].every((c) => !c || has(x.req.table, c))));
}
let shownExamples = [];
function renderExamples() {
  shownExamples = examples();
  $('#analysis-examples').innerHTML = shownExamples.map((x, i) => `<button type="button" class="example" data-example="${i}"><strong>${esc(x.title)}</strong><span class="muted">${esc(x.desc)}</span></button>`).join('');
}
$('#analysis-examples').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-example]');
  if (b) openQuestion(shownExamples[Number(b.dataset.example)]);
});

/** Shows an example's or a saved view's question in its editor and runs it. */
function openQuestion({ kind, req, title }) {
  if (kind === 'pivot') {
    setPivotForm(req);
    pivotTitle = title;
  } else {
    $('#sql-text').value = req.query;
    sqlTitle = title;
  }
  run(kind, req, title);
}

// ---- running and the result ----

function showError(kind, message) {
  const el = kind === 'pivot' ? $('#pv-error') : $('#sql-error');
  el.textContent = message;
  el.hidden = false;
  bump('analysisErrors');
}

let seq = 0;
async function run(kind, req, title) {
  const mine = ++seq;
  const v = dataVersion;
  $('#pv-error').hidden = true;
  $('#sql-error').hidden = true;
  $('#analysis-result').setAttribute('aria-busy', 'true');
  let r;
  try {
    r = await rpc(kind, req);
  } catch (e) {
    if (mine === seq) {
      lastFailed = true;
      showError(kind, `${kind === 'pivot' ? '透视' : 'SQL'}出错：${e && e.message ? e.message : e}`);
    }
    return;
  } finally {
    if (mine === seq) $('#analysis-result').removeAttribute('aria-busy');
  }
  if (mine !== seq || v !== dataVersion) return; // a later run, or new data, superseded this one
  current = { kind, req, title };
  lastFailed = false;
  render(r, title);
  bump('analysisRuns');
}

function render(r, title) {
  $('#analysis-result').hidden = false;
  $('#analysis-result').dataset.kind = current.kind;
  $('#ar-title').textContent = title;
  $('#view-name').value = title;
  const c = analysisChartOption(r, { compact: window.innerWidth < 600 });
  $('#ar-summary').textContent = (r.truncated ? `共 ${r.total_rows} 行，仅显示前 ${r.rows.length} 行；导出为全部 ${r.total_rows} 行。` : `共 ${r.total_rows} 行。`) +
    (c && c.shown < r.rows.length ? `图中为前 ${c.shown} 行。` : '');
  const keys = r.pivot ? r.pivot.row_keys : 0;
  const numeric = r.columns.map((_, i) => r.rows.some((row) => typeof row[i] === 'number'));
  const cls = (i) => (numeric[i] && i >= keys ? ' class="num"' : '');
  $('#analysis-table thead').innerHTML = `<tr>${r.columns.map((c, i) => `<th scope="col"${cls(i)} title="${esc(c.dtype)}">${esc(c.name)}</th>`).join('')}</tr>`;
  $('#analysis-table tbody').innerHTML = r.rows.map((row) => `<tr>${row.map((v, i) => `<td${cls(i)}>${esc(formatCell(v))}</td>`).join('')}</tr>`).join('');
  $('#analysis-table tfoot').innerHTML = r.totals
    ? `<tr class="total">${r.totals.map((v, i) => (i === 0 ? `<th scope="row">${esc(formatCell(v))}</th>` : `<td${cls(i)}>${esc(formatCell(v))}</td>`)).join('')}</tr>`
    : '';
  const box = $('#ar-chart');
  box.hidden = !c;
  if (c) {
    const kind = { bar: '条形图', line: '折线图', heatmap: '热力图' }[c.kind];
    box.style.height = `${c.height}px`;
    box.setAttribute('aria-label', `${title}：${kind}${c.shown < r.rows.length ? `（前 ${c.shown} 行）` : ''}，数值见下表`);
    box.dataset.chart = c.kind;
    const ch = chart('ar-chart');
    ch.resize();
    ch.setOption(c.option, true);
  }
  $('#analysis-result').scrollIntoView({ block: 'nearest' });
}

// Exports: the whole result (not only the rows shown), as the engine writes it.
const TYPES = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv;charset=utf-8', parquet: 'application/vnd.apache.parquet' };
const safeName = (s) => String(s).replace(/[\\/:*?"<>|\s]+/g, '-').slice(0, 80);
document.querySelectorAll('[data-aexport]').forEach((b) => b.addEventListener('click', async () => {
  if (!current) return;
  const format = b.dataset.aexport;
  try {
    const bytes = await rpc('export', current.kind, current.req, format);
    saveFile(bytes, `分析-${safeName(current.title)}.${format}`, TYPES[format]);
  } catch (e) {
    toast(`导出出错：${e && e.message ? e.message : e}`);
  }
}));

// ---- saved views ----

async function renderViews() {
  const views = await listViews();
  $('#saved-views').innerHTML = views.map((v) => `<li data-view="${esc(v.name)}"><span class="view-name">${esc(v.name)}</span> <span class="muted">${v.kind === 'sql' ? 'SQL' : '数据透视'}</span> ` +
    `<button type="button" data-view-run="${esc(v.name)}" aria-label="运行视图 ${esc(v.name)}">运行</button> <button type="button" class="ghost" data-view-del="${esc(v.name)}" aria-label="删除视图 ${esc(v.name)}">删除</button></li>`).join('');
  $('#saved-empty').hidden = views.length > 0;
  body.dataset.views = String(views.length);
  return views;
}
$('#view-save').addEventListener('click', async () => {
  if (!current) return;
  // The table shown is the last question that ran; saving it under the name
  // meant for the one that failed would keep the wrong question.
  if (lastFailed) {
    toast('未保存：刚才的查询出错，下方仍是上一次的结果；请修正后运行成功再保存');
    bump('viewRefusals');
    return;
  }
  const name = $('#view-name').value.trim() || current.title;
  try {
    const existed = (await listViews()).some((v) => v.name === name);
    await putView({ name, kind: current.kind, req: current.req });
    await renderViews();
    toast(existed ? `已更新视图「${name}」` : `已保存视图「${name}」`);
  } catch (e) {
    toast(`保存视图出错：${e && e.message ? e.message : e}`);
  }
});
$('#saved-views').addEventListener('click', async (e) => {
  const runB = e.target.closest('button[data-view-run]');
  const delB = e.target.closest('button[data-view-del]');
  const views = await listViews();
  if (runB) {
    const v = views.find((x) => x.name === runB.dataset.viewRun);
    if (v) openQuestion({ kind: v.kind, req: v.req, title: v.name });
  } else if (delB) {
    await removeView(delB.dataset.viewDel);
    await renderViews();
    toast(`已删除视图「${delB.dataset.viewDel}」`);
  }
});
