// 单位: a unit's training layout (heatmap and table), 学时 compliance,
// repeated training and 培训专业户, and course/teacher ratings. Numbers come
// from the engine; this view only lays them out.
import { $, esc, fmt, pct, chart, toast, saveFile } from '../ui.js';
import { rpc } from '../engine.js';
import { layoutHeatmapOption, cityHeatmapOption, ratingDetailOption } from '../charts.js';

/** The units as <option>s, indented by depth under their parents. */
export function unitOptions(units, withCity) {
  const byParent = new Map();
  for (const u of units) {
    const k = u.parent_id || '';
    if (!byParent.has(k)) byParent.set(k, []);
    byParent.get(k).push(u);
  }
  const out = withCity ? ['<option value="">全市</option>'] : [];
  const walk = (pid, depth) => (byParent.get(pid) || []).forEach((u) => {
    out.push(`<option value="${esc(u.unit_id)}">${'　'.repeat(depth)}${esc(u.name)}（${u.cadres}人）</option>`);
    walk(u.unit_id, depth + 1);
  });
  walk('', 0);
  return out.join('');
}

let shown = false;

/** New data: the unit list and years change; the tab is redrawn when next shown. */
export function resetUnit(units, summary) {
  shown = false;
  $('#unit-select').innerHTML = unitOptions(units, true);
  $('#comp-year').innerHTML = summary.years.map((y) => `<option>${y}</option>`).join('');
}

export async function showUnit() {
  if (shown) return;
  shown = true;
  await Promise.all([renderUnit(), renderRatings()]);
  document.body.dataset.unitReady = 'true';
}

// Each draw has a number; a slower earlier draw never overwrites a later one.
let drawn = 0;
async function renderUnit() {
  const seq = ++drawn;
  const stale = () => seq !== drawn;
  const unit = $('#unit-select').value;
  const sub = $('#unit-sub').checked;
  if (unit) {
    const l = await rpc('layout', { unit, include_subunits: sub });
    if (stale()) return;
    chart('heatmap').setOption(layoutHeatmapOption(l), true);
    $('#layout-table thead').innerHTML = '<tr><th scope="col">维度</th><th scope="col" class="num">平均储备度</th><th scope="col" class="num">对比</th><th scope="col" class="num">覆盖率</th><th scope="col" class="num">低于目标人数</th><th scope="col" class="num">平均缺口</th></tr>';
    $('#layout-table tbody').innerHTML = l.dimensions.map((d) => `<tr data-dim="${esc(d.dimension)}"><th scope="row">${esc(d.dimension)}</th><td class="num">${fmt(d.mean_reserve)}</td><td class="num">${fmt(d.compare_mean_reserve)}</td><td class="num">${pct(d.coverage)}</td><td class="num">${d.cadres_short}</td><td class="num">${fmt(d.mean_shortfall)}</td></tr>`).join('');
    $('#weak-points').innerHTML = `<strong>薄弱点：</strong>${l.weak_points.slice(0, 5).map((w) => `<span class="pill">${esc(w)}</span>`).join('') || '无'}　<span class="muted">对比：${l.compared_with === 'city' ? '全市' : '上级单位'}；${l.cadres} 名干部；截至 ${l.as_of}</span>`;
  } else {
    const r = await rpc('city_ranking');
    if (stale()) return;
    chart('heatmap').setOption(cityHeatmapOption(r), true);
    $('#layout-table thead').innerHTML = '<tr><th scope="col">维度</th><th scope="col">平均储备度最高与最低的单位（含下级）</th></tr>';
    $('#layout-table tbody').innerHTML = r.map(([dim, us]) => `<tr data-dim="${esc(dim)}"><th scope="row">${esc(dim)}</th><td>最高 ${esc(us[0]?.unit_name)} ${fmt(us[0]?.mean_reserve)}；最低 ${esc(us[us.length - 1]?.unit_name)} ${fmt(us[us.length - 1]?.mean_reserve)}</td></tr>`).join('');
    $('#weak-points').textContent = '全市视图：各单位（含下级）平均储备度。';
  }
  const c = await rpc('compliance', { unit, year: Number($('#comp-year').value) });
  if (stale()) return;
  $('#compliance').innerHTML = `<p>${c.year} 年全部达标 <strong>${c.compliant}</strong> / ${c.cadres} 人（${pct(c.rate)}）</p>` +
    c.by_rule.filter((r) => r.applicable > 0).map((r) => `<div class="rule" data-rule="${esc(r.rule_id)}">${esc(r.name)}：${r.met} / ${r.applicable}（${pct(r.rate)}）<div class="meter ${r.rate < 1 ? 'short' : ''}" role="progressbar" aria-label="${esc(r.name)} 达标率" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${(r.rate * 100).toFixed(0)}"><div style="width:${r.rate * 100}%"></div></div></div>`).join('') +
    `<p class="muted">脱产班次理论与党性教育课程占比不足 ${pct(c.theory_share_min)} 的：${c.classes_below_theory_share.length} / ${c.classes_checked} 个${c.classes_below_theory_share.length ? '（' + c.classes_below_theory_share.slice(0, 5).map((x) => `${esc(x.name)} ${pct(x.share)}`).join('，') + '）' : ''}</p>` +
    `<details><summary>未达标名单（${c.short.length} 人次）</summary><table class="data" data-testid="short-table"><thead><tr><th>干部</th><th>单位</th><th>规定</th><th class="num">已得</th><th class="num">还差</th><th>截止</th></tr></thead><tbody>${c.short.slice(0, 200).map((s) => `<tr><td>${esc(s.cadre.name)} ${esc(s.cadre.cadre_id)}</td><td>${esc(s.cadre.unit_name)}</td><td>${esc(s.rule)}</td><td class="num">${fmt(s.earned_hours)}</td><td class="num">${fmt(s.remaining_hours)}</td><td>${s.deadline}</td></tr>`).join('')}</tbody></table></details>`;
  const f = await rpc('fairness', { unit });
  if (stale()) return;
  const same = f.repeats.filter((r) => r.kind === 'same').length;
  $('#fairness').innerHTML = `<p>重复培训 <strong>${f.repeats.length}</strong> 次（同一课程 ${same}，相近课程 ${f.repeats.length - same}）；从未参训 <strong>${f.never_trained.length}</strong> 人；培训专业户 <strong>${f.frequent_trainees.length}</strong> 人。</p>` +
    `<table class="data" data-testid="frequent-table"><thead><tr><th>培训专业户</th><th>职级</th><th class="num">班次学时</th><th class="num">同职级中位数</th><th class="num">倍数</th></tr></thead><tbody>${f.frequent_trainees.slice(0, 20).map((t) => `<tr><td>${esc(t.cadre.name)} ${esc(t.cadre.cadre_id)}</td><td>${esc(t.cadre.rank)}</td><td class="num">${fmt(t.class_hours, 0)}</td><td class="num">${fmt(t.peer_median, 0)}</td><td class="num">${fmt(t.ratio)}</td></tr>`).join('')}</tbody></table>` +
    `<p class="muted">学时分布的基尼系数：${f.units.filter((u) => u.cadres > 0).map((u) => `${esc(u.unit_name)} ${fmt(u.gini, 2)}`).slice(0, 12).join('，')}</p>`;
  // Everything on the tab is for this unit now (tests wait on it).
  document.body.dataset.unitShown = `${unit || 'city'}${sub ? '' : ':own'}:${$('#comp-year').value}`;
}

let ratingRows = [];
async function renderRatings() {
  const t = await rpc('ratings', { by: $('#ratings-by').value });
  ratingRows = t.rows;
  $('#rating-detail').hidden = true;
  $('#ratings-table tbody').innerHTML = t.rows.slice(0, 30).map((r, i) => `<tr data-row="${i}" style="cursor:pointer"><td>${i + 1}</td><td><button type="button" class="rating-open" aria-controls="rating-detail">${esc(r.name)} <span class="muted">${esc(r.id)}</span></button></td><td class="num">${fmt(r.shrunk, 2)}</td><td class="num">${fmt(r.low, 2)}–${fmt(r.high, 2)}</td><td class="num">${fmt(r.mean, 2)}</td><td class="num">${r.n}</td><td class="num">${r.records}</td></tr>`).join('');
  $('#ratings-lists').textContent = `优质受欢迎 ${t.excellent_and_popular.length} 门/位；评分低或少人选 ${t.poor_or_rare.length} 门/位。排序按区间下限，少量满分票不会排到大量高分之前。`;
}

// A rating row opens its distribution and yearly trend.
$('#ratings-table').addEventListener('click', (e) => {
  const tr = e.target.closest('tr[data-row]');
  if (!tr) return;
  const r = ratingRows[Number(tr.dataset.row)];
  $('#rating-detail').hidden = false;
  $('#rating-detail-title').textContent = `${r.name}：${r.n} 票，原始均分 ${fmt(r.mean, 2)}，修正 ${fmt(r.shrunk, 2)}（${fmt(r.low, 2)}–${fmt(r.high, 2)}）${r.by_dimension?.length ? '；分维度：' + r.by_dimension.map(([d, v]) => `${d} ${fmt(v, 2)}`).join('，') : ''}`;
  chart('rating-chart').setOption(ratingDetailOption(r), true);
});

$('#unit-select').addEventListener('change', () => renderUnit().catch((e) => toast(e.message)));
$('#unit-sub').addEventListener('change', () => renderUnit().catch((e) => toast(e.message)));
$('#comp-year').addEventListener('change', () => renderUnit().catch((e) => toast(e.message)));
$('#ratings-by').addEventListener('change', () => renderRatings().catch((e) => toast(e.message)));

// Each view of the tab as an Excel workbook: the engine's sheets, the same the CLI's --xlsx writes.
const exports = {
  layout: () => ($('#unit-select').value ? ['layout', { unit: $('#unit-select').value, include_subunits: $('#unit-sub').checked }] : ['city_ranking', {}]),
  compliance: () => ['compliance', { unit: $('#unit-select').value, year: Number($('#comp-year').value) }],
  fairness: () => ['fairness', { unit: $('#unit-select').value }],
  ratings: () => ['ratings', { by: $('#ratings-by').value }],
};
const names = { layout: '培训布局', compliance: '学时达标', fairness: '重复培训与培训专业户', ratings: '课程与教师评价' };
document.querySelectorAll('[data-export]').forEach((b) => b.addEventListener('click', async () => {
  const view = b.dataset.export;
  try {
    const [question, req] = exports[view]();
    const bytes = await rpc('export', question, req, 'xlsx');
    const unit = $('#unit-select').selectedOptions[0]?.textContent.trim().replace(/（.*$/, '') || '全市';
    saveFile(bytes, `${names[view]}-${view === 'ratings' ? ($('#ratings-by').value === 'teacher' ? '教师' : '课程') : unit}.xlsx`);
  } catch (e) {
    toast(e.message);
  }
}));
