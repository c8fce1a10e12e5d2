// Kiosk (展示屏): a self-running rotation of city views on one chart and
// one table, redrawn in place; every personal name masked.
//
// `/?kiosk&manual` runs no timer: `window.__kioskNext()` draws exactly the
// next view and resolves once it is on screen, so a test drives the rotation
// and never depends on the clock. After each view is drawn the section's
// `data-view` names it and `body[data-rotations]` counts the views drawn.
import { $, esc, fmt, pct, maskName, chart } from '../ui.js';
import { rpc } from '../engine.js';

/** Kiosk: rotates city views forever on one chart and one table (no growth), names masked; `intervalMs` null: no timer. */
export function startKiosk(intervalMs) {
  document.body.classList.add('kiosk-mode');
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== 'tab-kiosk';
  const views = [
    async function units() {
      const r = await rpc('city_ranking');
      const units = r[0] ? r[0][1].map((u) => u.unit_name) : [];
      return { title: '各单位知识储备度（全市）', option: {
        animation: false, grid: { left: 140, right: 20, top: 10, bottom: 120 },
        xAxis: { type: 'category', data: units, axisLabel: { rotate: 45, color: '#ccc' } }, yAxis: { type: 'category', data: r.map((x) => x[0]), axisLabel: { color: '#ccc' } },
        visualMap: { min: 0, max: 100, orient: 'horizontal', left: 'center', bottom: 0, textStyle: { color: '#ccc' }, inRange: { color: ['#2b1111', '#e53935'] } },
        series: [{ type: 'heatmap', data: r.flatMap(([, us], y) => us.map((u) => [units.indexOf(u.unit_name), y, +u.mean_reserve.toFixed(0)])), label: { show: true } }] },
        rows: r.map(([dim, us]) => [dim, `最高：${us[0]?.unit_name ?? ''}`, fmt(us[0]?.mean_reserve)]) };
    },
    async function courses() {
      const t = await rpc('ratings', { by: 'course' });
      const top = t.rows.slice(0, 10);
      return { title: '优质受欢迎课程', option: { animation: false, grid: { left: 320, right: 40, top: 10, bottom: 30 },
        xAxis: { type: 'value', min: 3, max: 5, axisLabel: { color: '#ccc' } }, yAxis: { type: 'category', inverse: true, data: top.map((r) => r.name), axisLabel: { color: '#ccc' } },
        series: [{ type: 'bar', data: top.map((r) => +r.shrunk.toFixed(2)), itemStyle: { color: '#e53935' }, label: { show: true, position: 'right', color: '#fff' } }] },
        rows: top.map((r, i) => [String(i + 1), r.name, `${fmt(r.shrunk, 2)}（${r.n} 票）`]) };
    },
    async function teachers() {
      const t = await rpc('ratings', { by: 'teacher' });
      const top = t.rows.slice(0, 10);
      return { title: '学员评价较高的教师', option: { animation: false, grid: { left: 160, right: 40, top: 10, bottom: 30 },
        xAxis: { type: 'value', min: 3, max: 5, axisLabel: { color: '#ccc' } }, yAxis: { type: 'category', inverse: true, data: top.map((r) => maskName(r.name)), axisLabel: { color: '#ccc' } },
        series: [{ type: 'bar', data: top.map((r) => +r.shrunk.toFixed(2)), itemStyle: { color: '#fb8c00' } }] },
        rows: top.map((r, i) => [String(i + 1), maskName(r.name), fmt(r.shrunk, 2)]) };
    },
    async function compliance() {
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
  const section = $('#tab-kiosk');
  async function draw() {
    const view = views[i % views.length];
    const v = await view();
    $('#kiosk-title').textContent = v.title;
    $('#kiosk-chart').setAttribute('aria-label', `${v.title}（图表，数值见下表）`);
    chart('kiosk-chart').setOption(v.option, true);
    $('#kiosk-table tbody').innerHTML = v.rows.map((r) => `<tr>${r.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`).join('');
    i += 1;
    rotations += 1;
    section.dataset.view = view.name;
    document.body.dataset.rotations = String(rotations);
  }
  // One draw at a time: a call while a view is being drawn waits its turn.
  let last = Promise.resolve();
  const next = () => (last = last.then(draw, draw));
  if (intervalMs === null) {
    window.__kioskNext = next;
    return next();
  }
  const tick = () => next().catch((e) => console.warn('kiosk', e)).finally(() => setTimeout(tick, intervalMs));
  tick();
}
