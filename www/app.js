// The page: talks to the analytics worker, keeps imported files in IndexedDB,
// draws results. No number is computed here; everything comes from the wasm engine.
import { listFiles, putFiles, removeFile, clearFiles } from './store.js';
import { setupUnits, startKiosk } from './unit.js';

const $ = (s) => document.querySelector(s);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const fmt = (x, d = 1) => (x === null || x === undefined ? '—' : Number(x).toFixed(d));
const params = new URLSearchParams(location.search);

// ---- worker RPC ----
const worker = new Worker('worker.js', { type: 'module' });
let nextId = 1;
const pending = new Map();
worker.onmessage = (e) => {
  const m = e.data;
  if ('progress' in m) return setProgress(m.progress);
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (m.error) p.reject(m.error); else p.resolve(m.result);
};
function rpc(method, ...args) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, method, args });
  });
}

// ---- small UI helpers ----
function setProgress(pct, text) {
  const el = $('#progress');
  if (pct === null) { el.hidden = true; return; }
  el.hidden = false;
  $('#progress-fill').style.width = `${pct}%`;
  $('#progress-text').textContent = text || `正在载入… ${pct}%`;
}
let toastTimer;
function toast(msg) {
  const t = $('#toast');
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}
function showTab(name) {
  for (const b of document.querySelectorAll('.tabbar button')) b.setAttribute('aria-selected', String(b.dataset.tab === name));
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== `tab-${name}`;
  Object.values(charts).forEach((c) => c && c.resize());
  if (units) units.show(name).catch(showError);
}
document.querySelectorAll('.tabbar button').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));

// ---- state ----
const state = { summary: null, cadre: null, asOf: null, profile: null, sim: null, archive: [], sort: { key: 'date', dir: -1 } };
const charts = {};
function chart(id) {
  if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
  return charts[id];
}
const resizeCharts = () => Object.values(charts).forEach((c) => c && c.resize());
window.addEventListener('resize', resizeCharts);
// Printing lays the page out again (two columns, smaller charts): redraw the charts to fit.
window.matchMedia('print').addEventListener('change', resizeCharts);
window.addEventListener('beforeprint', resizeCharts);
window.addEventListener('afterprint', resizeCharts);

// ---- data loading ----
async function loadStored() {
  const files = await listFiles();
  if (files.length === 0) {
    $('#as-of').value = '';
    setProgress(30, '正在生成演示数据…');
    state.summary = await rpc('demo', params.get('scale') || 'm');
    setProgress(null);
    renderData(null);
  } else {
    await loadFiles(files);
  }
  $('#demo-banner').hidden = !state.summary.demo;
  showPolicy(state.summary.policy);
  await units.reset();
  document.body.dataset.ready = 'true';
}

async function loadFiles(files) {
  setProgress(0);
  $('#as-of').value = ''; // new data: view it as of its own latest date
  const { report, summary } = await rpc('load', files.map((f) => ({ name: f.name, bytes: f.bytes })));
  setProgress(null);
  state.summary = summary;
  $('#demo-banner').hidden = true;
  renderData(report);
  await units.reset();
  return report;
}

async function importFiles(fileList) {
  const incoming = await Promise.all([...fileList].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()), added: Date.now() })));
  const stored = await listFiles();
  const merged = [...stored.filter((s) => !incoming.some((i) => i.name === s.name)), ...incoming];
  const report = await loadFiles(merged);
  await putFiles(incoming);
  const n = report.errors.length;
  toast(n ? `已导入，发现 ${n} 处问题，见校验结果` : '已导入，没有发现问题');
  document.body.dataset.imports = String(Number(document.body.dataset.imports || 0) + 1);
  showTab('data');
  refreshCadre();
}

// Texts that quote a rule show the value the engine applies.
function showPolicy(policy) {
  const text = { repeat_window_years: String(policy.repeat_window_years), theory_share: `${Math.round(policy.theory_share * 100)}%` };
  for (const el of document.querySelectorAll('[data-policy]')) el.textContent = text[el.dataset.policy] ?? '';
}

function renderData(report) {
  const s = state.summary;
  $('#summary').innerHTML = `<p>${s.demo ? '演示数据（虚构）' : '已导入数据'}：单位 ${s.units} 个，干部 ${s.cadres} 人，课程 ${s.courses} 门，班次 ${s.classes} 个，培训记录 ${s.records} 条，评分 ${s.ratings} 条；最新记录日期 ${s.latest_date || '—'}。</p>`;
  $('#file-list').innerHTML = s.files.map((f) => `<li>${esc(f)}<button type="button" data-remove="${esc(f)}">移除</button></li>`).join('');
  const tbody = $('#validation tbody');
  if (!report) {
    tbody.innerHTML = '';
    $('#loaded-counts').textContent = '';
    $('#validation-empty').hidden = false;
    return;
  }
  $('#loaded-counts').textContent = '已载入：' + Object.entries(report.loaded).map(([t, n]) => `${t} ${n}`).join('，');
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
  await reloadAfterChange();
  toast('已清除全部数据，显示演示数据');
});
async function reloadAfterChange() {
  state.cadre = null;
  $('#profile').hidden = true;
  $('#profile-empty').hidden = false;
  await loadStored();
}

const drop = $('#drop');
$('#file-input').addEventListener('change', (e) => importFiles(e.target.files).catch(showError));
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); importFiles(e.dataTransfer.files).catch(showError); });

function showError(e) {
  setProgress(null);
  toast(`出错了：${e && e.message ? e.message : e}`);
  console.error(e);
}

// ---- cadre search ----
let searchTimer;
$('#cadre-search').addEventListener('input', (e) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const hits = await rpc('cadres', { query: e.target.value, limit: 30 });
    $('#cadre-results').innerHTML = hits.map((h) => `<li><button type="button" data-cadre="${esc(h.cadre_id)}">${esc(h.name)} <span class="muted">${esc(h.cadre_id)} · ${esc(h.unit_name)} · ${esc(h.rank)}</span></button></li>`).join('');
  }, 120);
});
$('#cadre-results').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-cadre]');
  if (b) selectCadre(b.dataset.cadre);
});

async function selectCadre(id) {
  state.cadre = id;
  state.sim = null;
  $('#cadre-results').innerHTML = '';
  history.replaceState(null, '', `#cadre=${encodeURIComponent(id)}`);
  await refreshCadre();
}

async function refreshCadre() {
  if (!state.cadre) return;
  const id = state.cadre;
  const asOf = $('#as-of').value || null; // empty: the engine's default, the latest record's date
  let p;
  try {
    p = await rpc('profile', { cadre: id, as_of: asOf });
  } catch (e) {
    $('#profile').hidden = true;
    $('#profile-empty').hidden = false;
    $('#profile-empty').textContent = e.message;
    return;
  }
  state.profile = p;
  state.asOf = p.as_of;
  $('#as-of').value = p.as_of;
  $('#profile').hidden = false;
  $('#profile-empty').hidden = true;
  const c = p.cadre;
  $('#p-name').textContent = c.name;
  $('#p-meta').textContent = `${c.cadre_id} · ${c.unit_name} · ${c.rank} · ${c.post}`;
  renderReserve();
  renderGaps();
  renderTrend();
  const year = Number(p.as_of.slice(0, 4));
  const sel = $('#hours-year');
  sel.innerHTML = [0, 1, 2, 3, 4].map((k) => `<option>${year - k}</option>`).join('');
  const [recs, archive, hours] = await Promise.all([rpc('recommend', { cadre: id, as_of: p.as_of }), rpc('archive', { cadre: id }), rpc('hours', { cadre: id, year })]);
  renderRecs(recs);
  state.archive = archive;
  renderArchive();
  renderHours(hours);
  document.body.dataset.profile = id;
}
$('#as-of').addEventListener('change', () => refreshCadre().catch(showError));
$('#hours-year').addEventListener('change', async (e) => renderHours(await rpc('hours', { cadre: state.cadre, year: Number(e.target.value) })));
$('#print').addEventListener('click', () => window.print());

// ---- cadre view ----
function renderReserve() {
  const p = state.profile;
  const dims = p.dimensions;
  const series = [
    { name: '储备度', value: dims.map((d) => +d.reserve.toFixed(1)), areaStyle: { opacity: 0.25 }, itemStyle: { color: '#b71c1c' } },
    { name: '岗位目标', value: dims.map((d) => d.target ?? 0), lineStyle: { type: 'dashed' }, itemStyle: { color: '#1565c0' } },
    { name: '同职级中位数', value: dims.map((d) => +(d.peer_median ?? 0).toFixed(1)), lineStyle: { type: 'dotted' }, itemStyle: { color: '#757575' } },
  ];
  if (state.sim) series.push({ name: '学习后（预测）', value: state.sim.after.map((x) => +x.toFixed(1)), itemStyle: { color: '#2e7d32' }, areaStyle: { opacity: 0.1 } });
  chart('radar').setOption({
    animation: false,
    legend: { bottom: 0, data: series.map((s) => s.name) },
    tooltip: {},
    radar: { indicator: dims.map((d) => ({ name: d.dimension, max: 100 })), radius: '60%', axisName: { fontSize: 11 } },
    series: [{ type: 'radar', data: series }],
  }, true);
  $('#reserve-table tbody').innerHTML = dims.map((d) => `<tr data-dim="${esc(d.dimension)}"><th scope="row">${esc(d.dimension)}</th><td class="num">${fmt(d.reserve)}</td><td class="num">${fmt(d.target, 0)}</td><td class="num">${fmt(d.gap)}</td><td class="num">${fmt(d.percentile, 0)}</td><td class="num">${fmt(d.peer_median)}</td></tr>`).join('');
  const note = $('#sim-note');
  note.hidden = !state.sim;
  if (state.sim) note.textContent = `绿色为学完「${state.sim.title}」后的预测储备度。`;
}

function renderGaps() {
  const byName = new Map(state.profile.dimensions.map((d) => [d.dimension, d]));
  const dims = state.profile.gaps_ranked.map((name) => byName.get(name));
  if (dims.length === 0) { $('#gaps').innerHTML = '<p class="muted">各维度均已达到岗位目标。</p>'; return; }
  $('#gaps').innerHTML = dims.map((d) => `<details data-dim="${esc(d.dimension)}"><summary><strong>${esc(d.dimension)}</strong> 储备度 ${fmt(d.reserve)} / 目标 ${fmt(d.target, 0)}，缺口 ${fmt(d.gap)}<span class="gapbar" style="width:${Math.min(100, d.gap)}px"></span></summary>
    <p class="muted">证据 ${fmt(d.evidence, 2)} 学时当量 = Σ 学时 × 权重 × 成绩系数 × 衰减，由以下 ${d.contributions.length} 条记录构成：</p>
    <table class="data"><thead><tr><th>日期</th><th>课程</th><th class="num">学时</th><th class="num">权重</th><th class="num">成绩系数</th><th class="num">衰减</th><th class="num">贡献</th></tr></thead><tbody>
    ${d.contributions.map((c) => `<tr><td>${c.date}</td><td>${esc(c.title)}</td><td class="num">${c.hours}</td><td class="num">${fmt(c.weight, 2)}</td><td class="num">${fmt(c.credit, 2)}</td><td class="num">${fmt(c.decay, 3)}</td><td class="num">${fmt(c.contribution, 2)}</td></tr>`).join('') || '<tr><td colspan="7">没有相关记录</td></tr>'}
    </tbody></table></details>`).join('');
}

function renderTrend() {
  const t = state.profile.trend;
  const dims = state.profile.dimensions.map((d) => d.dimension);
  chart('trend').setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 36, right: 12, top: 16, bottom: 48 },
    xAxis: { type: 'category', data: t.map((p) => p.date) },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: dims.map((d) => ({ name: d, type: 'line', data: t.map((p) => +p.reserves[d].toFixed(1)) })),
  }, true);
}

function renderRecs(r) {
  const list = r.recommendations;
  if (list.length === 0) { $('#recs').innerHTML = '<p class="muted">暂无可推荐的课程（近 ${r.repeat_window_years} 年学过的课程不再推荐）。</p>'; return; }
  $('#recs').innerHTML = list.map((x, i) => `<div class="rec" data-course="${esc(x.course_id)}" tabindex="0" role="button" aria-pressed="false">
    <div><strong>${i + 1}. ${esc(x.title)}</strong> <span class="muted">${esc(x.course_id)} · ${x.hours} 学时 · ${esc(x.mode)} · ${x.rating.mean === null ? '暂无评分' : `★${fmt(x.rating.mean)}（${x.rating.n} 人）`}</span></div>
    <div class="reason">${esc(x.reason)}</div></div>`).join('') + '<p class="muted">点一门课，雷达图上显示学完后的预测储备度。</p>';
}
async function toggleSim(el) {
  const course = el.dataset.course;
  const on = !(state.sim && state.sim.course_id === course);
  document.querySelectorAll('.rec').forEach((r) => { r.classList.remove('active'); r.setAttribute('aria-pressed', 'false'); });
  if (on) {
    const s = await rpc('simulate', { cadre: state.cadre, course, as_of: state.asOf });
    state.sim = s;
    el.classList.add('active');
    el.setAttribute('aria-pressed', 'true');
  } else state.sim = null;
  renderReserve();
}
$('#recs').addEventListener('click', (e) => { const el = e.target.closest('.rec'); if (el) toggleSim(el).catch(showError); });
$('#recs').addEventListener('keydown', (e) => { const el = e.target.closest('.rec'); if (el && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); toggleSim(el).catch(showError); } });

function renderHours({ rules }) {
  $('#hours').innerHTML = rules.map((r) => {
    const pct = Math.min(100, (r.earned_hours / r.required_hours) * 100);
    const days = r.required_days ? `，参训 ${fmt(r.earned_days, 0)} / ${r.required_days} 天` : '';
    return `<div class="rule" data-rule="${esc(r.rule_id)}"><div>${esc(r.name)}：<strong>${fmt(r.earned_hours)}</strong> / ${r.required_hours} 学时${days}，${r.met ? '<span style="color:var(--ok)">已达标</span>' : `还差 ${fmt(r.remaining_hours)} 学时（截止 ${r.period_end}）`}</div>
      <div class="meter ${r.met ? '' : 'short'}" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct.toFixed(0)}"><div style="width:${pct}%"></div></div></div>`;
  }).join('') || '<p class="muted">没有适用的学时规定。</p>';
}

function renderArchive() {
  const { key, dir } = state.sort;
  const rows = [...state.archive].sort((a, b) => {
    const x = a[key] ?? '', y = b[key] ?? '';
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
  $('#archive tbody').innerHTML = rows.map((r) => `<tr><td>${r.date}</td><td>${esc(r.title)}</td><td>${esc(r.class_name ?? '自主选学')}</td><td class="num">${r.hours}</td><td class="num">${r.score ?? '—'}</td><td>${r.completed ? '是' : '否'}</td></tr>`).join('');
  document.querySelectorAll('#archive th').forEach((th) => th.setAttribute('aria-sort', th.dataset.key === key ? (dir > 0 ? 'ascending' : 'descending') : 'none'));
}
document.querySelectorAll('#archive th').forEach((th) => th.addEventListener('click', () => {
  state.sort = { key: th.dataset.key, dir: state.sort.key === th.dataset.key ? -state.sort.dir : 1 };
  renderArchive();
}));

// ---- unit and planning tabs, kiosk ----
const units = setupUnits({ rpc, chart, state, toast });

// ---- start ----
if ('serviceWorker' in navigator && !params.has('nosw')) navigator.serviceWorker.register('sw.js').catch((e) => console.warn('service worker', e));
const kiosk = params.has('kiosk');
loadStored()
  .then(async () => {
    if (kiosk) return startKiosk({ rpc, chart }, Math.max(50, Number(params.get('interval') || 12) * 1000));
    const m = location.hash.match(/cadre=([^&]+)/);
    const first = m ? decodeURIComponent(m[1]) : (await rpc('cadres', { limit: 1 }))[0]?.cadre_id;
    if (first) await selectCadre(first);
  })
  .catch(showError);
