// The 单位 tab (training layout, compliance, fairness, ratings), the 规划 tab
// (class planner, named assignment) and the kiosk mode. Numbers come from the
// engine; this file only lays them out.
const $ = (s) => document.querySelector(s);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const fmt = (x, d = 1) => (x === null || x === undefined ? '—' : Number(x).toFixed(d));
const pct = (x) => `${(x * 100).toFixed(0)}%`;

/** 张三海 → 张*海, 李四 → 李*: the kiosk never shows a name in full. */
export function maskName(name) {
  const c = [...String(name)];
  if (c.length <= 1) return '*';
  if (c.length === 2) return `${c[0]}*`;
  return c[0] + '*'.repeat(c.length - 2) + c[c.length - 1];
}

export function setupUnits({ rpc, chart, state, toast }) {
  let units = [];
  const unitOptions = (withCity) => {
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
  };

  async function refreshLists() {
    units = await rpc('units');
    $('#unit-select').innerHTML = unitOptions(true);
    $('#plan-unit').innerHTML = unitOptions(true);
    const classes = await rpc('classes');
    $('#assign-class').innerHTML = classes.map((c) => `<option value="${esc(c.class_id)}">${esc(c.name)}</option>`).join('');
    $('#plan-ranks').innerHTML = state.summary.ranks.map((r) => `<label><input type="checkbox" name="rank" value="${esc(r)}"> ${esc(r)}</label>`).join(' ');
    const year = Number((state.summary.latest_date || '2025').slice(0, 4));
    $('#comp-year').innerHTML = [0, 1, 2, 3, 4].map((k) => `<option>${year - k}</option>`).join('');
  }

  async function renderUnit() {
    const unit = $('#unit-select').value;
    const sub = $('#unit-sub').checked;
    if (unit) {
      const l = await rpc('layout', { unit, include_subunits: sub });
      chart('heatmap').setOption({
        animation: false,
        tooltip: { position: 'top' },
        grid: { left: 120, right: 16, top: 10, bottom: 60 },
        xAxis: { type: 'category', data: l.years.map(String) },
        yAxis: { type: 'category', data: l.dimensions.map((d) => d.dimension) },
        visualMap: { min: 0, max: Math.max(1, ...l.dimensions.flatMap((d) => d.hours_by_year)), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#fff5f5', '#b71c1c'] } },
        series: [{ type: 'heatmap', data: l.dimensions.flatMap((d, y) => d.hours_by_year.map((h, x) => [x, y, +h.toFixed(0)])), label: { show: true } }],
      }, true);
      $('#layout-table thead').innerHTML = '<tr><th scope="col">维度</th><th scope="col" class="num">平均储备度</th><th scope="col" class="num">对比</th><th scope="col" class="num">覆盖率</th><th scope="col" class="num">低于目标人数</th><th scope="col" class="num">平均缺口</th></tr>';
      $('#layout-table tbody').innerHTML = l.dimensions.map((d) => `<tr data-dim="${esc(d.dimension)}"><th scope="row">${esc(d.dimension)}</th><td class="num">${fmt(d.mean_reserve)}</td><td class="num">${fmt(d.compare_mean_reserve)}</td><td class="num">${pct(d.coverage)}</td><td class="num">${d.cadres_short}</td><td class="num">${fmt(d.mean_shortfall)}</td></tr>`).join('');
      $('#weak-points').innerHTML = `<strong>薄弱点：</strong>${l.weak_points.slice(0, 5).map((w) => `<span class="pill">${esc(w)}</span>`).join('') || '无'}　<span class="muted">对比：${l.compared_with === 'city' ? '全市' : '上级单位'}；${l.cadres} 名干部；截至 ${l.as_of}</span>`;
    } else {
      const r = await rpc('city_ranking');
      const tops = r[0] ? r[0][1].map((u) => u.unit_name) : [];
      chart('heatmap').setOption({
        animation: false,
        tooltip: {},
        grid: { left: 120, right: 16, top: 10, bottom: 90 },
        xAxis: { type: 'category', data: tops, axisLabel: { rotate: 45, fontSize: 10 } },
        yAxis: { type: 'category', data: r.map((x) => x[0]) },
        visualMap: { min: 0, max: 100, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#fff5f5', '#b71c1c'] } },
        series: [{ type: 'heatmap', data: r.flatMap(([, us], y) => us.map((u) => [tops.indexOf(u.unit_name), y, +u.mean_reserve.toFixed(1)])) }],
      }, true);
      $('#layout-table thead').innerHTML = '<tr><th scope="col">维度</th><th scope="col">平均储备度最高与最低的单位（含下级）</th></tr>';
      $('#layout-table tbody').innerHTML = r.map(([dim, us]) => `<tr data-dim="${esc(dim)}"><th scope="row">${esc(dim)}</th><td>最高 ${esc(us[0]?.unit_name)} ${fmt(us[0]?.mean_reserve)}；最低 ${esc(us[us.length - 1]?.unit_name)} ${fmt(us[us.length - 1]?.mean_reserve)}</td></tr>`).join('');
      $('#weak-points').textContent = '全市视图：各单位（含下级）平均储备度。';
    }
    const c = await rpc('compliance', { unit, year: Number($('#comp-year').value) });
    $('#compliance').innerHTML = `<p>${c.year} 年全部达标 <strong>${c.compliant}</strong> / ${c.cadres} 人（${pct(c.rate)}）</p>` +
      c.by_rule.filter((r) => r.applicable > 0).map((r) => `<div class="rule" data-rule="${esc(r.rule_id)}">${esc(r.name)}：${r.met} / ${r.applicable}（${pct(r.rate)}）<div class="meter ${r.rate < 1 ? 'short' : ''}"><div style="width:${r.rate * 100}%"></div></div></div>`).join('') +
      `<p class="muted">脱产班次理论与党性教育课程占比不足 ${pct(c.theory_share_min)} 的：${c.classes_below_theory_share.length} / ${c.classes_checked} 个${c.classes_below_theory_share.length ? '（' + c.classes_below_theory_share.slice(0, 5).map((x) => `${esc(x.name)} ${pct(x.share)}`).join('，') + '）' : ''}</p>` +
      `<details><summary>未达标名单（${c.short.length} 人次）</summary><table class="data" data-testid="short-table"><thead><tr><th>干部</th><th>单位</th><th>规定</th><th class="num">已得</th><th class="num">还差</th><th>截止</th></tr></thead><tbody>${c.short.slice(0, 200).map((s) => `<tr><td>${esc(s.cadre.name)} ${esc(s.cadre.cadre_id)}</td><td>${esc(s.cadre.unit_name)}</td><td>${esc(s.rule)}</td><td class="num">${fmt(s.earned_hours)}</td><td class="num">${fmt(s.remaining_hours)}</td><td>${s.deadline}</td></tr>`).join('')}</tbody></table></details>`;
    const f = await rpc('fairness', { unit });
    const same = f.repeats.filter((r) => r.kind === 'same').length;
    $('#fairness').innerHTML = `<p>重复培训 <strong>${f.repeats.length}</strong> 次（同一课程 ${same}，相近课程 ${f.repeats.length - same}）；从未参训 <strong>${f.never_trained.length}</strong> 人；培训专业户 <strong>${f.frequent_trainees.length}</strong> 人。</p>` +
      `<table class="data" data-testid="frequent-table"><thead><tr><th>培训专业户</th><th>职级</th><th class="num">班次学时</th><th class="num">同职级中位数</th><th class="num">倍数</th></tr></thead><tbody>${f.frequent_trainees.slice(0, 20).map((t) => `<tr><td>${esc(t.cadre.name)} ${esc(t.cadre.cadre_id)}</td><td>${esc(t.cadre.rank)}</td><td class="num">${fmt(t.class_hours, 0)}</td><td class="num">${fmt(t.peer_median, 0)}</td><td class="num">${fmt(t.ratio)}</td></tr>`).join('')}</tbody></table>` +
      `<p class="muted">学时分布的基尼系数：${f.units.filter((u) => u.cadres > 0).map((u) => `${esc(u.unit_name)} ${fmt(u.gini, 2)}`).slice(0, 12).join('，')}</p>`;
  }

  let ratingRows = [];
  async function renderRatings() {
    const t = await rpc('ratings', { by: $('#ratings-by').value });
    ratingRows = t.rows;
    $('#rating-detail').hidden = true;
    $('#ratings-table tbody').innerHTML = t.rows.slice(0, 30).map((r, i) => `<tr data-row="${i}" tabindex="0" style="cursor:pointer"><td>${i + 1}</td><td>${esc(r.name)} <span class="muted">${esc(r.id)}</span></td><td class="num">${fmt(r.shrunk, 2)}</td><td class="num">${fmt(r.low, 2)}–${fmt(r.high, 2)}</td><td class="num">${fmt(r.mean, 2)}</td><td class="num">${r.n}</td><td class="num">${r.records}</td></tr>`).join('');
    $('#ratings-lists').textContent = `优质受欢迎 ${t.excellent_and_popular.length} 门/位；评分低或少人选 ${t.poor_or_rare.length} 门/位。排序按区间下限，少量满分票不会排到大量高分之前。`;
  }

  // A rating row opens its distribution and yearly trend.
  $('#ratings-table').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-row]');
    if (!tr) return;
    const r = ratingRows[Number(tr.dataset.row)];
    $('#rating-detail').hidden = false;
    $('#rating-detail-title').textContent = `${r.name}：${r.n} 票，原始均分 ${fmt(r.mean, 2)}，修正 ${fmt(r.shrunk, 2)}（${fmt(r.low, 2)}–${fmt(r.high, 2)}）${r.by_dimension?.length ? '；分维度：' + r.by_dimension.map(([d, v]) => `${d} ${fmt(v, 2)}`).join('，') : ''}`;
    chart('rating-chart').setOption({
      animation: false,
      tooltip: {},
      grid: [{ left: 40, right: '55%', top: 20, bottom: 30 }, { left: '55%', right: 20, top: 20, bottom: 30 }],
      xAxis: [{ type: 'category', data: ['1★', '2★', '3★', '4★', '5★'], gridIndex: 0 }, { type: 'category', data: r.by_year.map((y) => String(y[0])), gridIndex: 1 }],
      yAxis: [{ type: 'value', gridIndex: 0 }, { type: 'value', min: 1, max: 5, gridIndex: 1 }],
      series: [
        { type: 'bar', data: r.distribution, xAxisIndex: 0, yAxisIndex: 0, itemStyle: { color: '#b71c1c' } },
        { type: 'line', data: r.by_year.map((y) => +y[1].toFixed(2)), xAxisIndex: 1, yAxisIndex: 1 },
      ],
    }, true);
  });

  // ---- planner ----
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
    $('#plan-table tbody').innerHTML = p.courses.map((c) => `<tr data-course="${esc(c.course_id)}"><td>${c.pinned ? '<span class="pinned">[必选]</span> ' : ''}${esc(c.title)} <span class="muted">${esc(c.course_id)}</span></td><td class="num">${c.hours}</td><td>${esc(c.teacher_name ?? '待定')}${c.teacher_rating ? ` ★${fmt(c.teacher_rating, 2)}` : ''}</td><td>${esc(c.reason)}</td><td><button type="button" data-pin="${esc(c.course_id)}">${c.pinned ? '取消必选' : '设为必选'}</button> <button type="button" data-remove="${esc(c.course_id)}">移除</button></td></tr>`).join('');
    $('#plan-warnings').textContent = [...p.warnings, p.skipped_common.length ? `多数学员近年已学、未排入：${p.skipped_common.length} 门` : ''].filter(Boolean).join('；');
    chart('plan-radar').setOption({
      animation: false,
      legend: { bottom: 0 },
      radar: { indicator: p.dimensions.map((d) => ({ name: d, max: 100 })), radius: '60%', axisName: { fontSize: 11 } },
      series: [{ type: 'radar', data: [
        { name: '方案前', value: p.before.map((x) => +x.toFixed(1)), itemStyle: { color: '#757575' } },
        { name: '方案后（预测）', value: p.after.map((x) => +x.toFixed(1)), itemStyle: { color: '#2e7d32' }, areaStyle: { opacity: 0.15 } },
      ] }],
    }, true);
    document.body.dataset.plans = String(Number(document.body.dataset.plans || 0) + 1);
  }
  $('#plan-run').addEventListener('click', () => { planState.required = []; planState.removed = []; runPlan(); });
  $('#plan-table').addEventListener('click', (e) => {
    const pin = e.target.dataset.pin, rm = e.target.dataset.remove;
    if (pin) planState.required = planState.required.includes(pin) ? planState.required.filter((x) => x !== pin) : [...planState.required, pin];
    if (rm) { planState.removed.push(rm); planState.required = planState.required.filter((x) => x !== rm); }
    if (pin || rm) runPlan();
  });

  // ---- named assignment ----
  const assignArgs = () => ({ class: $('#assign-class').value, quota_per_unit: Number($('#assign-quota').value) || null, capacity: Number($('#assign-cap').value) || null });
  async function runAssign() {
    let a;
    try {
      a = await rpc('assign', assignArgs(), 'json');
    } catch (e) {
      toast(e.message);
      return;
    }
    $('#assign-summary').textContent = `${a.class_name}：${a.picks.length} / ${a.capacity} 人；已参加或近年学过而排除 ${a.excluded_recent} 人；因单位名额已满跳过 ${a.held_by_quota} 人。`;
    $('#assign-table tbody').innerHTML = a.picks.map((p) => `<tr><td>${p.rank}</td><td>${esc(p.cadre.name)} ${esc(p.cadre.cadre_id)}</td><td>${esc(p.cadre.unit_name)}</td><td>${esc(p.cadre.rank)}</td><td class="num">${fmt(p.expected_gain)}</td><td>${esc(p.reason)}</td></tr>`).join('');
    document.body.dataset.assigned = a.class_id;
  }
  async function download(format) {
    const bytes = await rpc('assign', assignArgs(), format);
    const type = format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([bytes], { type }));
    a.download = `调训名单-${$('#assign-class').value}.${format}`;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  $('#assign-run').addEventListener('click', runAssign);
  $('#assign-xlsx').addEventListener('click', () => download('xlsx'));
  $('#assign-csv').addEventListener('click', () => download('csv'));

  $('#unit-select').addEventListener('change', () => renderUnit().catch((e) => toast(e.message)));
  $('#unit-sub').addEventListener('change', () => renderUnit().catch((e) => toast(e.message)));
  $('#comp-year').addEventListener('change', () => renderUnit().catch((e) => toast(e.message)));
  $('#ratings-by').addEventListener('change', () => renderRatings());

  let shown = false;
  return {
    /** New data: lists change; views are redrawn when next shown. */
    async reset() {
      shown = false;
      await refreshLists();
    },
    async show(tab) {
      if (tab === 'unit' && !shown) {
        shown = true;
        await Promise.all([renderUnit(), renderRatings()]);
        document.body.dataset.unitReady = 'true';
      }
    },
  };
}

/** Kiosk: rotates city views forever on one chart and one table (no growth), names masked. */
export function startKiosk({ rpc, chart }, intervalMs) {
  document.body.classList.add('kiosk-mode');
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== 'tab-kiosk';
  const views = [
    async () => {
      const r = await rpc('city_ranking');
      const units = r[0] ? r[0][1].map((u) => u.unit_name) : [];
      return { title: '各单位知识储备度（全市）', option: {
        animation: false, grid: { left: 140, right: 20, top: 10, bottom: 120 },
        xAxis: { type: 'category', data: units, axisLabel: { rotate: 45, color: '#ccc' } }, yAxis: { type: 'category', data: r.map((x) => x[0]), axisLabel: { color: '#ccc' } },
        visualMap: { min: 0, max: 100, orient: 'horizontal', left: 'center', bottom: 0, textStyle: { color: '#ccc' }, inRange: { color: ['#2b1111', '#e53935'] } },
        series: [{ type: 'heatmap', data: r.flatMap(([, us], y) => us.map((u) => [units.indexOf(u.unit_name), y, +u.mean_reserve.toFixed(0)])), label: { show: true } }] },
        rows: r.map(([dim, us]) => [dim, `最高：${us[0]?.unit_name ?? ''}`, fmt(us[0]?.mean_reserve)]) };
    },
    async () => {
      const t = await rpc('ratings', { by: 'course' });
      const top = t.rows.slice(0, 10);
      return { title: '优质受欢迎课程', option: { animation: false, grid: { left: 320, right: 40, top: 10, bottom: 30 },
        xAxis: { type: 'value', min: 3, max: 5, axisLabel: { color: '#ccc' } }, yAxis: { type: 'category', inverse: true, data: top.map((r) => r.name), axisLabel: { color: '#ccc' } },
        series: [{ type: 'bar', data: top.map((r) => +r.shrunk.toFixed(2)), itemStyle: { color: '#e53935' }, label: { show: true, position: 'right', color: '#fff' } }] },
        rows: top.map((r, i) => [String(i + 1), r.name, `${fmt(r.shrunk, 2)}（${r.n} 票）`]) };
    },
    async () => {
      const t = await rpc('ratings', { by: 'teacher' });
      const top = t.rows.slice(0, 10);
      return { title: '学员评价较高的教师', option: { animation: false, grid: { left: 160, right: 40, top: 10, bottom: 30 },
        xAxis: { type: 'value', min: 3, max: 5, axisLabel: { color: '#ccc' } }, yAxis: { type: 'category', inverse: true, data: top.map((r) => maskName(r.name)), axisLabel: { color: '#ccc' } },
        series: [{ type: 'bar', data: top.map((r) => +r.shrunk.toFixed(2)), itemStyle: { color: '#fb8c00' } }] },
        rows: top.map((r, i) => [String(i + 1), maskName(r.name), fmt(r.shrunk, 2)]) };
    },
    async () => {
      const c = await rpc('compliance');
      const year = c.year;
      const rules = c.by_rule.filter((r) => r.applicable > 0);
      return { title: `${year} 年学时达标率`, option: { animation: false, grid: { left: 360, right: 60, top: 10, bottom: 30 },
        xAxis: { type: 'value', max: 100, axisLabel: { color: '#ccc' } }, yAxis: { type: 'category', data: rules.map((r) => r.name), axisLabel: { color: '#ccc' } },
        series: [{ type: 'bar', data: rules.map((r) => +(r.rate * 100).toFixed(1)), itemStyle: { color: '#43a047' }, label: { show: true, position: 'right', color: '#fff', formatter: '{c}%' } }] },
        rows: rules.map((r) => [r.name, `${r.met} / ${r.applicable}`, pct(r.rate)]) };
    },
  ];
  let i = 0;
  let rotations = 0;
  async function next() {
    const v = await views[i % views.length]();
    $('#kiosk-title').textContent = v.title;
    chart('kiosk-chart').setOption(v.option, true);
    $('#kiosk-table tbody').innerHTML = v.rows.map((r) => `<tr>${r.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('');
    i += 1;
    rotations += 1;
    document.body.dataset.rotations = String(rotations);
    setTimeout(() => next().catch(() => setTimeout(next, intervalMs)), intervalMs);
  }
  next();
}
