// 规划: the class planner (cohort, 学时 budget, theory share, pinned and
// removed courses) and named assignment with export. The engine plans; this
// view collects the request and lays out the answer.
import { $, esc, fmt, pct, chart, toast, saveFile } from '../ui.js';
import { rpc } from '../engine.js';
import { state } from '../state.js';
import { planRadarOption } from '../charts.js';
import { unitOptions } from './unit.js';

/** New data: the unit, rank and class lists change. */
export async function resetPlan(units) {
  $('#plan-unit').innerHTML = unitOptions(units, true);
  const classes = await rpc('classes');
  $('#assign-class').innerHTML = classes.map((c) => `<option value="${esc(c.class_id)}">${esc(c.name)}</option>`).join('');
  $('#plan-ranks').innerHTML = state.summary.ranks.map((r) => `<label><input type="checkbox" name="rank" value="${esc(r)}"> ${esc(r)}</label>`).join(' ');
}

const planState = { required: [], removed: [] };
function filters() {
  const f = [];
  const unit = $('#plan-unit').value;
  if (unit) f.push({ kind: 'unit', values: [unit] });
  const ranks = [...document.querySelectorAll('#plan-ranks input:checked')].map((i) => i.value);
  if (ranks.length) f.push({ kind: 'rank', values: ranks });
  const ids = $('#plan-ids').value.split(/[\s,，;；]+/).map((x) => x.trim()).filter(Boolean);
  if (ids.length) f.push({ kind: 'ids', values: ids });
  return f;
}
async function runPlan() {
  const params = { budget_hours: Number($('#plan-hours').value) || 40, required: planState.required, removed: planState.removed };
  if ($('#plan-theory').checked) params.theory_share = state.summary.policy.theory_share;
  if (Number($('#plan-cap').value) > 0) params.max_hours_per_dim = Number($('#plan-cap').value);
  let p;
  try {
    p = await rpc('plan', { cohort: filters(), params });
  } catch (e) {
    toast(e.message);
    return;
  }
  $('#plan-result').hidden = false;
  $('#plan-summary').textContent = `${p.cohort} 名学员；已用 ${p.hours_used} / ${p.budget_hours} 学时；理论与党性教育占 ${pct(p.theory_share)}；人均预计提升 ${fmt(p.mean_gain)}。`;
  $('#plan-table tbody').innerHTML = p.courses.map((c) => `<tr data-course="${esc(c.course_id)}"><td>${c.pinned ? '<span class="pinned">[必选]</span> ' : ''}${esc(c.title)} <span class="muted">${esc(c.course_id)}</span></td><td class="num">${c.hours}</td><td>${esc(c.teacher_name ?? '待定')}${c.teacher_rating ? ` ★${fmt(c.teacher_rating, 2)}` : ''}</td><td>${esc(c.reason)}</td><td><button type="button" data-pin="${esc(c.course_id)}" aria-label="${c.pinned ? '取消必选' : '设为必选'}：${esc(c.title)}">${c.pinned ? '取消必选' : '设为必选'}</button> <button type="button" data-remove="${esc(c.course_id)}" aria-label="移除：${esc(c.title)}">移除</button></td></tr>`).join('');
  $('#plan-warnings').textContent = [...p.warnings, p.skipped_common.length ? `多数学员近年已学、未排入：${p.skipped_common.length} 门` : ''].filter(Boolean).join('；');
  chart('plan-radar').setOption(planRadarOption(p), true);
  document.body.dataset.plans = String(Number(document.body.dataset.plans || 0) + 1);
}
$('#plan-run').addEventListener('click', () => { planState.required = []; planState.removed = []; runPlan(); });
$('#plan-table').addEventListener('click', (e) => {
  const pin = e.target.dataset.pin, rm = e.target.dataset.remove;
  if (pin) planState.required = planState.required.includes(pin) ? planState.required.filter((x) => x !== pin) : [...planState.required, pin];
  if (rm) { planState.removed.push(rm); planState.required = planState.required.filter((x) => x !== rm); }
  if (pin || rm) runPlan();
});

// Named assignment (调训名单) for a class, with xlsx / CSV export.
const assignArgs = () => ({ class: $('#assign-class').value, quota_per_unit: Number($('#assign-quota').value) || null, capacity: Number($('#assign-cap').value) || null });
async function runAssign() {
  let a;
  try {
    a = await rpc('assign', assignArgs());
  } catch (e) {
    toast(e.message);
    return;
  }
  $('#assign-summary').textContent = `${a.class_name}：${a.picks.length} / ${a.capacity} 人；已参加或近年学过而排除 ${a.excluded_recent} 人；因单位名额已满跳过 ${a.held_by_quota} 人。`;
  $('#assign-table tbody').innerHTML = a.picks.map((p) => `<tr><td>${p.rank}</td><td>${esc(p.cadre.name)} ${esc(p.cadre.cadre_id)}</td><td>${esc(p.cadre.unit_name)}</td><td>${esc(p.cadre.rank)}</td><td class="num">${fmt(p.expected_gain)}</td><td>${esc(p.reason)}</td></tr>`).join('');
  document.body.dataset.assigned = a.class_id;
}
async function download(format) {
  const bytes = await rpc('export', 'assign', assignArgs(), format);
  saveFile(bytes, `调训名单-${$('#assign-class').value}.${format}`, format === 'xlsx' ? undefined : 'text/csv');
}
$('#assign-run').addEventListener('click', runAssign);
$('#assign-xlsx').addEventListener('click', () => download('xlsx'));
$('#assign-csv').addEventListener('click', () => download('csv'));
