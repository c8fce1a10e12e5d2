// 干部画像: find a cadre; radar with target and peer median, the numbers
// table, ranked gaps that open to their records, trend, recommendations with
// the predicted radar, 学时 progress and the e-archive. Every number comes
// from the engine (rpc); gaps come ranked by it.
import { $, esc, fmt, chart, showError } from '../ui.js';
import { rpc } from '../engine.js';
import { state } from '../state.js';
import { radarOption, trendOption } from '../charts.js';

// ---- cadre search ----
let searchTimer;
$('#cadre-search').addEventListener('input', (e) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    let hits;
    try {
      hits = await rpc('cadres', { query: e.target.value, limit: 30 });
    } catch (err) {
      showError({ message: `搜索干部时出错：${err.message ?? err}` });
      return;
    }
    $('#cadre-results').innerHTML = hits.map((h) => `<li><button type="button" data-cadre="${esc(h.cadre_id)}">${esc(h.name)} <span class="muted">${esc(h.cadre_id)} · ${esc(h.unit_name)} · ${esc(h.rank)}</span></button></li>`).join('');
  }, 120);
});
$('#cadre-results').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-cadre]');
  if (b) selectCadre(b.dataset.cadre);
});

export async function selectCadre(id) {
  state.cadre = id;
  state.sim = null;
  $('#cadre-results').innerHTML = '';
  history.replaceState(null, '', `#cadre=${encodeURIComponent(id)}`);
  await refreshCadre();
}

export async function refreshCadre() {
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
  sel.innerHTML = hoursYears(year).map((y) => `<option>${y}</option>`).join('');
  sel.value = String(year);
  const [recs, archive, hours] = await Promise.all([rpc('recommend', { cadre: id, as_of: p.as_of }), rpc('archive', { cadre: id }), rpc('hours', { cadre: id, year })]);
  renderRecs(recs);
  state.archive = archive;
  renderArchive();
  renderHours(hours);
  document.body.dataset.profile = id;
}
/**
 * The years the 学时 picker offers: the engine's (summary.years, newest
 * first), and the as-of date's own year (the one shown first) if the as-of
 * date chosen is outside them.
 */
function hoursYears(year) {
  const { years } = state.summary;
  return years.includes(year) ? years : [...years, year].sort((a, b) => b - a);
}
$('#as-of').addEventListener('change', () => refreshCadre().catch(showError));
$('#hours-year').addEventListener('change', async (e) => renderHours(await rpc('hours', { cadre: state.cadre, year: Number(e.target.value) })));
$('#print').addEventListener('click', () => window.print());

// ---- cadre view ----
function renderReserve() {
  const p = state.profile;
  const dims = p.dimensions;
  chart('radar').setOption(radarOption(p, { simulation: state.sim }), true);
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
  chart('trend').setOption(trendOption(state.profile), true);
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
    const pct = r.progress * 100; // the engine's 0–1, met by hours or by days
    const days = r.required_days ? `，参训 ${fmt(r.earned_days, 0)} / ${r.required_days} 天` : '';
    return `<div class="rule" data-rule="${esc(r.rule_id)}"><div>${esc(r.name)}：<strong>${fmt(r.earned_hours)}</strong> / ${r.required_hours} 学时${days}，${r.met ? '<span style="color:var(--ok)">已达标</span>' : `还差 ${fmt(r.remaining_hours)} 学时（截止 ${r.period_end}）`}</div>
      <div class="meter ${r.met ? '' : 'short'}" role="progressbar" aria-label="${esc(r.name)}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct.toFixed(0)}" aria-valuetext="${fmt(r.earned_hours)} / ${r.required_hours} 学时"><div style="width:${pct}%"></div></div></div>`;
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

/** New data: no cadre is shown until one is picked. */
export function clearCadre() {
  state.cadre = null;
  delete document.body.dataset.profile; // set again once a cadre's profile is drawn
  $('#profile').hidden = true;
  $('#profile-empty').hidden = false;
}
