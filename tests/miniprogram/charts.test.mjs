// The charts as a phone draws them: ec-canvas on a real 2D canvas (Skia,
// through tests/miniprogram/canvas.mjs), ECharts drawing each page's option,
// pixels read back. Per chart: the canvas is sized for the pixel ratio and not
// blank; each series' colour (from the option the page set) is on the canvas
// where the option puts its points; a touch at a radar vertex or a heatmap
// cell shows the tooltip of that point, with the CLI's number. A new window
// size (pageLifetimes.resize) or container height resizes the chart.
// Every option has `animation: false`; drawing is made deterministic by
// flushing zrender (zr.flush()) before pixels are read, never by waiting.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { installWx, restart, renderPage, tap, settle, showCadre, until, cli, demoArgs, MP, require } from './harness.mjs';
import { installCanvas, ready, canvasOf, keepPng, hasColourNear, pixelsAround, inked, rgb, hex } from './canvas.mjs';

const WIDTH = 375; // the window (and canvas) width the tests lay out, CSS px
const DPR = 2; // the wx mock's pixelRatio
let screen;

before(() => {
  restart();
  installWx({ worker: true });
  screen = installCanvas({ width: WIDTH });
});

// ---- helpers ----

/** The ec-canvas `#id` of a page once its chart exists, drawn (zrender flushed). */
async function drawn(page, id) {
  const el = page.querySelector(`#${id}`);
  assert.ok(el, `the page shows #${id}`);
  const ec = el.instance;
  if (!ec.chart) ready(ec);
  await until(() => ec.chart);
  ec.chart.getZr().flush();
  return ec;
}

/**
 * Touches the chart at (x, y) (CSS px) as a finger does, then paints; any
 * tooltip from an earlier touch is hidden first (it could cover the point).
 * Returns whether the touch changed the canvas.
 */
function touch(ec, [x, y]) {
  const canvas = canvasOf(ec);
  hideTooltip(ec);
  const before = snapshot(canvas);
  ec.touchStart({ touches: [{ x, y }] });
  ec.touchEnd({ changedTouches: [{ x, y }] });
  ec.chart.getZr().flush();
  return !snapshot(canvas).equals(before);
}

/** ECharts' tooltip view of the chart (its content is the tooltip drawn in the canvas). */
const tooltipView = (ec) => ec.chart.getViewOfComponentModel(ec.chart.getModel().getComponent('tooltip'));

/** Hides the tooltip now (ECharts' hideTip hides it after `hideDelay`, on a timer). */
function hideTooltip(ec) {
  ec.chart.dispatchAction({ type: 'hideTip' });
  const content = tooltipView(ec)._tooltipContent;
  if (content) content.hide();
  ec.chart.getZr().flush();
}

/**
 * The tooltip on the canvas: its text, once it is drawn whole inside the
 * chart. Reads ECharts' tooltip view (in a mini-program the tooltip is a
 * zrender text element on the chart's canvas).
 */
function tooltip(ec) {
  const content = tooltipView(ec)._tooltipContent;
  const el = content && content.el;
  if (!el || el.invisible || !content._show) return null;
  // A rich text is painted as its parts (text spans, box).
  const list = ec.chart.getZr().storage.getDisplayList();
  assert.ok(el.childrenRef().some((part) => list.includes(part)), 'the tooltip is on the canvas');
  // All of it on the canvas: a tooltip cut at the canvas edge hides its first lines.
  const box = el.getBoundingRect().clone();
  box.applyTransform(el.getComputedTransform());
  assert.ok(box.x >= -1 && box.y >= -1 && box.x + box.width <= ec.chart.getWidth() + 1 && box.y + box.height <= ec.chart.getHeight() + 1,
    `the tooltip (${[box.x, box.y, box.width, box.height].map((v) => v.toFixed(0))}) lies within the chart (${ec.chart.getWidth()} × ${ec.chart.getHeight()})`);
  return { text: String(el.style.text) };
}

/** The canvas's pixels (to tell whether a touch drew anything). */
const snapshot = (canvas) => Buffer.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data.buffer);

/** The canvas is not blank: a share of its pixels is ink, in many colours. */
function assertDrawn(canvas, what) {
  const { share, colours } = inked(canvas);
  assert.ok(share > 0.02 && colours > 20, `${what}: the canvas is blank (${(share * 100).toFixed(2)}% ink, ${colours} colours)`);
}

const dist = ([ax, ay], [bx, by]) => Math.hypot(ax - bx, ay - by);
/** Distance from p to the segment a–b. */
function toSegment(p, a, b) {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const len = dx * dx + dy * dy;
  const t = len ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len)) : 0;
  return dist(p, [a[0] + t * dx, a[1] + t * dy]);
}
/** Distance from p to a closed polygon's outline. */
const toPolygon = (p, pts) => Math.min(...pts.map((a, i) => toSegment(p, a, pts[(i + 1) % pts.length])));

/**
 * Checks a radar drawn from `option` (the page's): for each series, at the
 * vertex farthest from the other series, its colour is on the canvas and the
 * colours of series drawn clear of that point are not; a touch there shows
 * that series' tooltip, naming the dimension with `expected[name][k]` (the
 * CLI's number as the option rounds it). `vertex`: the dimension to use for
 * a series (by name) instead. Returns the vertices used.
 */
function checkRadar(ec, option, expected, vertex = {}) {
  const chart = ec.chart;
  const canvas = canvasOf(ec);
  hideTooltip(ec); // one left from an earlier touch would cover vertices
  const series = option.series[0].data;
  const dims = option.radar.indicator.map((i) => i.name);
  const coord = chart.getModel().getComponent('radar').coordinateSystem;
  const polygons = series.map((s) => s.value.map((v, k) => coord.dataToPoint(v, k)));
  const centre = [coord.cx, coord.cy];
  const chosen = series.map((s, i) => {
    const others = polygons.filter((_, j) => j !== i);
    const clearance = (k) => Math.min(Infinity, ...others.map((p) => toPolygon(polygons[i][k], p)));
    // Off the centre, where every spoke meets and a value of 0 lies.
    const k = vertex[s.name] ?? dims.map((_, k2) => k2).filter((k2) => dist(polygons[i][k2], centre) >= 10).sort((a, b) => clearance(b) - clearance(a))[0];
    assert.ok(k !== undefined, `${s.name} has a vertex off the centre`);
    // Hidden whole under series drawn after it (the prediction over the reserve where the course adds nothing).
    const covered = polygons[i].every((pt) => dist(pt, centre) < 10 || polygons.slice(i + 1).some((p) => toPolygon(pt, p) < 1));
    return { k, point: polygons[i][k], clearance: clearance(k), covered };
  });
  const shown = series.map((_, i) => i).filter((i) => !chosen[i].covered);
  assert.ok(shown.includes(series.length - 1), 'the series drawn last is seen');
  shown.forEach((i) => {
    const s = series[i];
    const { k, point, clearance } = chosen[i];
    const last = i === series.length - 1; // drawn over the others: its vertex shows its colour wherever it is
    if (!last) assert.ok(clearance >= 6, `${s.name}: some vertex stands clear of the other series (best ${clearance.toFixed(1)} px)`);
    assert.ok(hasColourNear(canvas, chart, point, s.itemStyle.color, { radius: 3 }),
      `${s.name} (${s.itemStyle.color}) at ${dims[k]} ${point.map((v) => v.toFixed(0))}: found ${[...new Set(pixelsAround(canvas, chart, point, 3).map(hex))].slice(0, 8)}`);
    series.forEach((t, j) => {
      if (j !== i && toPolygon(point, polygons[j]) > 12) {
        assert.ok(!hasColourNear(canvas, chart, point, t.itemStyle.color, { radius: 2 }), `${t.name}'s colour is not at ${s.name}'s vertex`);
      }
    });
  });
  // Touches: each vertex gives its own series' tooltip (the last series first: it covers the others).
  [...shown].reverse().forEach((i) => {
    const { k, point } = chosen[i];
    assert.ok(touch(ec, point), 'the touch draws');
    const tip = tooltip(ec);
    assert.ok(tip, `a touch at ${series[i].name}'s vertex at ${dims[k]} shows a tooltip`);
    const lines = tip.text.split('\n');
    assert.equal(lines[0], series[i].name, `the tooltip is ${series[i].name}'s: ${tip.text}`);
    const line = lines.find((l) => l.startsWith(`${dims[k]}：`));
    assert.ok(line, `the tooltip names ${dims[k]}: ${tip.text}`);
    assert.equal(line, `${dims[k]}：${expected[series[i].name][k]}`, `${series[i].name} at ${dims[k]}`);
  });
  keepPng(canvas, `radar-${series.length}-${canvas.width}`);
  return chosen;
}

const r1 = (x) => +Number(x).toFixed(1);

/** The radar's numbers as the CLI gives them (rounded as the option rounds them), by series name. */
const radarExpected = (p) => ({
  储备度: p.dimensions.map((d) => r1(d.reserve)),
  岗位目标: p.dimensions.map((d) => d.target ?? 0),
  同职级中位数: p.dimensions.map((d) => r1(d.peer_median ?? 0)),
});

// ---- the charts ----

test('我的画像: the radar (reserve, target, peer median) and the trend draw on a real canvas; a touch at a vertex shows that point', async () => {
  screen.resizeWindow(WIDTH);
  const page = await renderPage('pages/profile/index');
  await showCadre(page, 'C000001');
  const want = cli('profile', ...demoArgs(), '--cadre', 'C000001');

  const ec = await drawn(page, 'radar');
  const canvas = canvasOf(ec);
  assert.equal(canvas.width, WIDTH * DPR, 'the backing store is the CSS width × the pixel ratio');
  assert.equal(canvas.height, 340 * DPR, 'and the height="340px" × the pixel ratio');
  assertDrawn(canvas, 'radar');
  const option = page.instance.chartOptions.radar;
  assert.deepEqual(option.series[0].data.map((s) => s.name), ['储备度', '岗位目标', '同职级中位数']);
  checkRadar(ec, option, radarExpected(want));

  // The trend: each dimension's line in ECharts' palette (the option sets none) at its points.
  const tr = await drawn(page, 'trend');
  const tc = canvasOf(tr);
  assert.deepEqual([tc.width, tc.height], [WIDTH * DPR, 280 * DPR]);
  assertDrawn(tc, 'trend');
  const trend = page.instance.chartOptions.trend;
  const palette = tr.chart.getOption().color;
  const ys = trend.series.map((s, i) => s.data.map((v, j) => tr.chart.convertToPixel({ seriesIndex: i }, [j, v])));
  let checked = 0;
  trend.series.forEach((s, i) => {
    // The point where this line stands farthest from the others (vertically, at the same date).
    const sep = (j) => Math.min(Infinity, ...ys.filter((_, t) => t !== i).map((o) => Math.abs(o[j][1] - ys[i][j][1])));
    const j = s.data.map((_, j2) => j2).sort((a, b) => sep(b) - sep(a))[0];
    if (sep(j) < 8) return;
    checked++;
    assert.equal(s.data[j], r1(want.trend[j].reserves[s.name]), 'the option holds the CLI\'s number');
    assert.ok(hasColourNear(tc, tr.chart, ys[i][j], palette[i % palette.length], { radius: 3 }), `${s.name} (${palette[i % palette.length]}) at ${trend.xAxis.data[j]}`);
  });
  keepPng(tc, 'trend');
  assert.ok(checked >= trend.series.length / 2, `most lines stand clear somewhere (${checked} of ${trend.series.length})`);

  // The window grows (a tablet turned, split screen): both charts are measured again at the new width.
  screen.resizeWindow(600);
  page.triggerPageLifeTime('resize', { size: { windowWidth: 600, windowHeight: 960 } });
  await until(() => canvas.width === 600 * DPR && tc.width === 600 * DPR);
  assert.equal(canvas.height, 340 * DPR, 'the height stays');
  assert.deepEqual([ec.chart.getWidth(), ec.chart.getHeight()], [600, 340], 'the chart has the new size');
  ec.chart.getZr().flush();
  tr.chart.getZr().flush();
  assertDrawn(canvas, 'radar after the resize');
  assertDrawn(tc, 'trend after the resize');
  const center = ec.chart.getModel().getComponent('radar').coordinateSystem.cx;
  assert.equal(center, 300, 'the radar is centred in the new width');
  checkRadar(ec, option, radarExpected(want));
  // And back.
  screen.resizeWindow(WIDTH);
  page.triggerPageLifeTime('resize', { size: { windowWidth: WIDTH, windowHeight: 667 } });
  await until(() => canvas.width === WIDTH * DPR && tc.width === WIDTH * DPR);
  ec.chart.getZr().flush();
  assertDrawn(canvas, 'radar after the second resize');
  page.detach();
});

test('推荐: the predicted radar draws the course\'s gain in green; a touch at its vertex shows the CLI\'s predicted number', async () => {
  screen.resizeWindow(WIDTH);
  require(path.join(MP, 'lib/state.js')).setCadre('C000001');
  const page = await renderPage('pages/recommend/index');
  const want = cli('recommend', ...demoArgs(), '--cadre', 'C000001');
  const profile = cli('profile', ...demoArgs(), '--cadre', 'C000001');
  await tap(page, '.rec', 0);
  const course = want.recommendations[0].course_id;
  const sim = cli('simulate', ...demoArgs(), '--cadre', 'C000001', '--course', course);
  const ec = await drawn(page, 'radar');
  const canvas = canvasOf(ec);
  assert.deepEqual([canvas.width, canvas.height], [WIDTH * DPR, 320 * DPR]);
  assertDrawn(canvas, 'predicted radar');
  const option = page.instance.chartOptions.radar;
  assert.deepEqual(option.series[0].data.map((s) => s.name), ['储备度', '岗位目标', '同职级中位数', '学习后（预测）']);
  assert.equal(option.series[0].data[3].itemStyle.color, '#2e7d32');
  // The green vertex looked at is where the course raises the reserve most.
  const gain = sim.after.map((a, i) => a - profile.dimensions[i].reserve);
  const most = gain.indexOf(Math.max(...gain));
  assert.ok(gain[most] > 1, 'the course raises a dimension');
  const chosen = checkRadar(ec, option, { ...radarExpected(profile), '学习后（预测）': sim.after.map(r1) }, { '学习后（预测）': most });
  assert.ok(!chosen[3].covered);
  page.detach();
});

/** The colour the option's visualMap gives `value` (linear between its two colours). */
function heatColour(option, value) {
  const { min, max, inRange } = option.visualMap;
  const [a, b] = inRange.color.map(rgb);
  const t = Math.max(0, Math.min(1, (value - min) / (max - min)));
  return hex(a.map((v, c) => Math.round(v + (b[c] - v) * t)));
}

/**
 * Every cell of a heatmap has the colour the option's visualMap gives its
 * value, at a point of the cell clear of its label. Returns a function giving
 * that point for a cell.
 */
function checkCells(ec, option) {
  const chart = ec.chart;
  const canvas = canvasOf(ec);
  hideTooltip(ec);
  const at = (x, y) => chart.convertToPixel({ seriesIndex: 0 }, [x, y]);
  const [c00, c10, c01] = [at(0, 0), at(1, 0), at(0, 1)];
  const [dx, dy] = [c10[0] - c00[0], c01[1] - c00[1]];
  assert.ok(Math.abs(dx) >= 8 && Math.abs(dy) >= 8, `cells of ${dx.toFixed(1)} × ${dy.toFixed(1)} px`);
  const inCell = (x, y) => { const c = at(x, y); return [c[0] + 0.35 * dx, c[1] + 0.35 * dy]; };
  for (const [x, y, v] of option.series[0].data) {
    const want = heatColour(option, v);
    assert.ok(hasColourNear(canvas, chart, inCell(x, y), want, { radius: 1, tol: 4 }),
      `cell (${x}, ${y}) = ${v}: ${want}, found ${[...new Set(pixelsAround(canvas, chart, inCell(x, y), 1).map(hex))]}`);
  }
  return inCell;
}

test('单位: the unit heatmap draws every cell in its visualMap colour; a touch at a cell names it with the CLI\'s 学时; the city heatmap follows its height', async () => {
  screen.resizeWindow(WIDTH);
  const page = await renderPage('pages/unit/index');

  // 全市: units × dimensions.
  const city = await drawn(page, 'city');
  const cc = canvasOf(city);
  const height = parseInt(page.instance.data.cityHeight, 10);
  assert.deepEqual([cc.width, cc.height], [WIDTH * DPR, height * DPR]);
  assertDrawn(cc, 'city heatmap');
  const cityOption = page.instance.chartOptions.city;
  checkCells(city, cityOption);
  // The page gives the chart another height (as it does for another number of units): the canvas and the chart follow.
  await new Promise((resolve) => page.instance.setData({ cityHeight: `${height - 120}px` }, resolve));
  await until(() => cc.height === (height - 120) * DPR);
  assert.equal(cc.width, WIDTH * DPR);
  assert.equal(city.chart.getHeight(), height - 120);
  city.chart.getZr().flush();
  assertDrawn(cc, 'city heatmap after its height changed');
  checkCells(city, cityOption);
  keepPng(cc, 'city-resized');

  // U019 市住房和城乡建设局: 学时 per dimension per year.
  const units = page.instance.data.unitNames;
  const u = units.findIndex((n) => n.includes('市住房和城乡建设局'));
  page.querySelector('#unit-picker').dispatchEvent('change', { detail: { value: String(u) } });
  await settle(page);
  const l = cli('layout', ...demoArgs(), '--unit', 'U019');
  const ec = await drawn(page, 'heatmap');
  const canvas = canvasOf(ec);
  assert.deepEqual([canvas.width, canvas.height], [WIDTH * DPR, 460 * DPR]);
  assertDrawn(canvas, 'unit heatmap');
  const option = page.instance.chartOptions.heatmap;
  const inCell = checkCells(ec, option);
  const top = option.series[0].data.reduce((a, b) => (b[2] > a[2] ? b : a));

  // Touches: the busiest cell, then a cell of the weak dimension in the last year.
  const weak = l.dimensions.findIndex((d) => d.dimension === '纪律与廉政');
  for (const [x, y] of [[top[0], top[1]], [l.years.length - 1, weak]]) {
    assert.ok(touch(ec, inCell(x, y)), 'the touch draws');
    const tip = tooltip(ec);
    assert.ok(tip, `a touch at cell (${x}, ${y}) shows a tooltip`);
    const d = l.dimensions[y];
    assert.equal(tip.text, `${d.dimension}\n${l.years[x]} 年 学时：${+d.hours_by_year[x].toFixed(0)}`);
  }
  keepPng(canvas, 'unit-heatmap');
  page.detach();
});
