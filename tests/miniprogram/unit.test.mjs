// 单位 against the CLI (city view, a unit's layout and weak points, compliance),
// and the ec-canvas component drawing a page's option through ECharts on a
// stand-in 2d canvas.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { installWx, restart, renderPage, settle, cells, text, cli, demoArgs, MP, require } from './harness.mjs';

const pct = (x) => `${(x * 100).toFixed(0)}%`;
const f1 = (x) => x.toFixed(1);

before(() => {
  restart();
  installWx({ worker: false });
});

test('单位: the city view, then a unit\'s layout, weak points and compliance, as the CLI', async () => {
  const page = await renderPage('pages/unit/index');
  assert.match(text(page, '#unit-name'), /全市/);
  // City: compliance rate and per rule; top-level units ranked per dimension.
  const city = cli('compliance', ...demoArgs());
  assert.equal(text(page, '#comp-rate'), `${city.compliant} / ${city.cadres} 人（${pct(city.rate)}）`);
  const rules = page.querySelectorAll('.rule').map((r) => r.dom.dataset.rule);
  assert.deepEqual(rules, city.by_rule.filter((r) => r.applicable > 0).map((r) => r.rule_id));
  assert.match(text(page, '#compliance'), new RegExp(`不足 ${pct(city.theory_share_min)}`));
  const ranking = cli('layout', ...demoArgs());
  const tops = cells(page, '#city-table .tr').slice(1);
  assert.deepEqual(tops.map((r) => r[0]), ranking.map(([dim]) => dim));
  assert.ok(tops[0][1].includes(`最高 ${ranking[0][1][0].unit_name} ${f1(ranking[0][1][0].mean_reserve)}`));
  const heat = page.querySelector('#city').instance.option;
  assert.equal(heat.series[0].type, 'heatmap');
  assert.deepEqual(heat.xAxis.data, ranking.map(([dim]) => dim), 'on a phone: dimensions across, units down');
  assert.deepEqual(heat.yAxis.data, ranking[0][1].map((u) => u.unit_name));

  // U019 市住房和城乡建设局 (planted weak in 纪律与廉政).
  const units = page.instance.data.unitNames;
  const i = units.findIndex((u) => u.includes('市住房和城乡建设局'));
  page.querySelector('#unit-picker').dispatchEvent('change', { detail: { value: String(i) } });
  await settle(page);
  const l = cli('layout', ...demoArgs(), '--unit', 'U019');
  assert.match(text(page, '#unit-name'), /市住房和城乡建设局/);
  assert.deepEqual(page.querySelectorAll('#weak-points .pill').map((p) => p.dom.textContent.trim()), l.weak_points);
  assert.ok(l.weak_points.includes('纪律与廉政'));
  assert.deepEqual(cells(page, '#layout-table .tr').slice(1), l.dimensions.map((d) => [d.dimension, f1(d.mean_reserve), f1(d.compare_mean_reserve), pct(d.coverage), String(d.cadres_short), f1(d.mean_shortfall)]));
  const lh = page.querySelector('#heatmap').instance.option;
  assert.deepEqual(lh.xAxis.data, l.years.map(String));
  assert.deepEqual(lh.series[0].data[0], [0, 0, +l.dimensions[0].hours_by_year[0].toFixed(0)]);
  const uc = cli('compliance', ...demoArgs(), '--unit', 'U019');
  assert.equal(text(page, '#comp-rate'), `${uc.compliant} / ${uc.cadres} 人（${pct(uc.rate)}）`);
  // Another year.
  page.querySelector('#year-picker').dispatchEvent('change', { detail: { value: '2' } });
  await settle(page);
  const earlier = cli('compliance', ...demoArgs(), '--unit', 'U019', '--year', String(uc.year - 2));
  assert.equal(text(page, '#comp-rate'), `${earlier.compliant} / ${earlier.cadres} 人（${pct(earlier.rate)}）`);
  page.detach();
});

/** A 2d context that accepts every call and measures text roughly. */
function stubContext() {
  const calls = { fill: 0, stroke: 0, fillText: 0 };
  const ctx = new Proxy({ calls }, {
    get(target, k) {
      if (k in target) return target[k];
      if (k === 'measureText') return (t) => ({ width: String(t).length * 7 });
      if (k === 'getImageData') return () => ({ data: new Uint8ClampedArray(4) });
      if (k === 'createLinearGradient' || k === 'createRadialGradient' || k === 'createPattern') return () => ({ addColorStop() {} });
      return (...args) => { if (k in calls) calls[k] += 1; return undefined; };
    },
    set(target, k, v) { target[k] = v; return true; },
  });
  return ctx;
}

test('ec-canvas draws the page\'s option with ECharts on a 2d canvas, and touches reach the chart', async () => {
  const page = await renderPage('pages/profile/index');
  const option = page.instance.chartOptions.radar;
  const ec = page.querySelector('#radar').instance;
  const ctx = stubContext();
  const canvas = { width: 0, height: 0, getContext: () => ctx };
  ec.draw(canvas, 360, 340);
  assert.equal(canvas.width, 720, 'the canvas is sized for the device pixel ratio');
  assert.equal(canvas.height, 680);
  ec.chart.getZr().flush();
  assert.ok(ctx.calls.stroke + ctx.calls.fill > 10, 'the radar was painted');
  assert.ok(ctx.calls.fillText >= option.radar.indicator.length, 'the dimension names were written');
  // A later option redraws the same chart; touches become zrender events.
  ec.setOption(require(path.join(MP, 'lib/charts.js')).trendOption(page.instance.profile));
  ec.chart.getZr().flush();
  assert.equal(ec.chart.getOption().series[0].type, 'line');
  ec.touchStart({ touches: [{ x: 100, y: 100 }] });
  ec.touchMove({ touches: [{ x: 120, y: 110 }] });
  ec.touchEnd({ changedTouches: [{ x: 120, y: 110 }] });
  page.detach();
  assert.equal(ec.chart, null, 'the chart is disposed with its page');
});
