// The cadre pages on the demo city against the CLI: 我的画像 (table, radar,
// ranked gaps, records, as-of date, trend), 推荐 (order, predicted radar),
// 学时, 电子档案; the engine in the emulated Worker.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { installWx, restart, renderPage, tap, settle, showCadre, cells, text, cli, demoArgs, expectedTable, MP, require } from './harness.mjs';
import path from 'node:path';

let mock;
before(() => {
  restart();
  mock = installWx({ worker: true });
});

test('我的画像 shows the CLI numbers for the demo cadre, the radar and trend options, and ranked gaps that open to their records', async () => {
  const page = await renderPage('pages/profile/index');
  assert.deepEqual(mock.workers, ['workers/engine/index.js'], 'the engine runs in the worker');
  assert.equal(require(path.join(MP, 'lib/engine.js')).mode(), 'worker');
  assert.match(text(page, '#demo-banner'), /演示数据（虚构）/);
  await showCadre(page, 'C000001');
  const want = cli('profile', ...demoArgs(), '--cadre', 'C000001');
  assert.equal(text(page, '#cadre .title'), want.cadre.name);
  assert.equal(text(page, '#as-of').replace(/\s*›$/, ''), want.as_of);
  assert.deepEqual(cells(page, '#reserve-table .row'), expectedTable(want));

  // The radar: reserve, target (dashed), peer median (dotted), from the same numbers.
  const radar = page.querySelector('#radar').instance.option;
  assert.equal(radar, page.instance.chartOptions.radar);
  const series = radar.series[0].data;
  assert.deepEqual(series.map((s) => s.name), ['储备度', '岗位目标', '同职级中位数']);
  assert.deepEqual(series[0].value, want.dimensions.map((d) => +d.reserve.toFixed(1)));
  assert.deepEqual(series[1].value, want.dimensions.map((d) => d.target ?? 0));
  assert.equal(series[1].lineStyle.type, 'dashed');
  assert.equal(series[2].lineStyle.type, 'dotted');
  assert.deepEqual(radar.radar.indicator.map((i) => i.name), want.dimensions.map((d) => d.dimension));
  // The trend: one line per dimension over the engine's dates.
  const trend = page.querySelector('#trend').instance.option;
  assert.deepEqual(trend.xAxis.data, want.trend.map((t) => t.date));
  assert.equal(trend.series.length, want.dimensions.length);

  // Gaps in the engine's order; the first opens to its records.
  const gaps = page.querySelectorAll('.gap-head').map((g) => g.dom.dataset.dim);
  assert.deepEqual(gaps, want.gaps_ranked);
  assert.equal(gaps[0], '理想信念');
  const withRecords = want.gaps_ranked.findIndex((g) => want.dimensions.find((d) => d.dimension === g).contributions.length > 0);
  await tap(page, '.gap-head', withRecords);
  const dim = want.dimensions.find((d) => d.dimension === want.gaps_ranked[withRecords]);
  assert.equal(page.querySelectorAll('.record').length, dim.contributions.length);
  assert.match(text(page, '.record'), new RegExp(dim.contributions[0].date));
  await tap(page, '.gap-head', withRecords);
  assert.equal(page.querySelectorAll('.record').length, 0);

  // Another as-of date: every number recomputed by the engine, as the CLI does.
  page.querySelector('#as-of-picker').dispatchEvent('change', { detail: { value: '2023-06-30' } });
  await settle(page);
  const then = cli('profile', ...demoArgs(), '--cadre', 'C000001', '--as-of', '2023-06-30');
  assert.deepEqual(cells(page, '#reserve-table .row'), expectedTable(then));
  assert.match(text(page, '#cadre'), /恢复为最新记录日期/);
  await tap(page, '#cadre .link');
  assert.deepEqual(cells(page, '#reserve-table .row'), expectedTable(want));

  // An engine error reaches the page as its message.
  require(path.join(MP, 'lib/state.js')).setCadre('NOBODY');
  await settle(page);
  assert.match(text(page, '#error'), /没有编号或姓名为「NOBODY」的干部/);
  await showCadre(page, 'C000001');
  assert.equal(text(page, '#error'), null);

  // The system reclaims the worker: a new one is started, the data loaded again, the page redrawn.
  mock.kill();
  await require(path.join(MP, 'lib/state.js')).idle();
  await settle(page);
  assert.equal(mock.workers.length, 2);
  assert.deepEqual(cells(page, '#reserve-table .row'), expectedTable(want));
  assert.equal(text(page, '#error'), null);

  // 电子档案 opens from here.
  await tap(page, '#open-archive');
  assert.deepEqual(mock.navigations.slice(-1), ['/packageCadre/pages/archive/index?cadre=C000001']);
  page.detach();
});

test('推荐 lists the CLI\'s recommendations in order; a tap draws the predicted radar', async () => {
  const page = await renderPage('pages/recommend/index');
  const want = cli('recommend', ...demoArgs(), '--cadre', 'C000001');
  const shown = page.querySelectorAll('.rec').map((r) => r.dom.dataset.course);
  assert.deepEqual(shown, want.recommendations.map((r) => r.course_id));
  assert.equal(text(page, '.rec .reason'), want.recommendations[0].reason);
  assert.match(text(page, '.rec .reason'), /^补「理想信念」短板，预计 \+/);
  // The window in the text is the engine's.
  assert.match(page.dom.textContent, new RegExp(`近 ${want.repeat_window_years} 年学过的课程不再推荐`));

  await tap(page, '.rec', 0);
  const course = want.recommendations[0].course_id;
  const sim = cli('simulate', ...demoArgs(), '--cadre', 'C000001', '--course', course);
  const radar = page.querySelector('#radar').instance.option;
  const after = radar.series[0].data[3];
  assert.equal(after.name, '学习后（预测）');
  assert.deepEqual(after.value, sim.after.map((x) => +x.toFixed(1)));
  assert.match(text(page, '#sim-note'), new RegExp(`学完「${sim.title.replace(/[()（）]/g, '.')}」后的预测储备度`));
  // A second tap goes back to the plain radar.
  await tap(page, '.rec', 0);
  assert.equal(page.querySelector('#radar').instance.option.series[0].data.length, 3);
  assert.equal(text(page, '#sim-note'), null);
  page.detach();
});

test('学时 shows each rule with earned, required and the deadline, as the CLI', async () => {
  const page = await renderPage('pages/hours/index');
  const want = cli('hours', ...demoArgs(), '--cadre', 'C000001');
  const rules = page.querySelectorAll('.rule');
  assert.deepEqual(rules.map((r) => r.dom.dataset.rule), want.rules.map((r) => r.rule_id));
  want.rules.forEach((r, i) => {
    const t = rules[i].dom.textContent.replace(/\s+/g, ' ');
    assert.ok(t.includes(r.name), t);
    assert.ok(t.includes(`${r.earned_hours.toFixed(1)} / ${r.required_hours} 学时`), t);
    assert.ok(t.includes(`截止 ${r.period_end}`), t);
    assert.ok(t.includes(r.met ? '已达标' : `还差 ${r.remaining_hours.toFixed(1)} 学时`), t);
  });
  assert.match(page.dom.textContent, /网络学习每年不少于 50 学时/);
  // Another year.
  const year = want.year - 1;
  page.querySelector('#year-picker').dispatchEvent('change', { detail: { value: String(1) } });
  await settle(page);
  const before = cli('hours', ...demoArgs(), '--cadre', 'C000001', '--year', String(year));
  assert.match(text(page, '#year'), new RegExp(`${year} 年`));
  assert.ok(page.querySelector('.rule').dom.textContent.includes(`截止 ${before.rules[0].period_end}`));
  page.detach();
});

test('电子档案 lists every record of the cadre, newest first, and sorts', async () => {
  const page = await renderPage('packageCadre/pages/archive/index');
  const want = cli('archive', ...demoArgs(), '--cadre', 'C000001');
  const entries = page.querySelectorAll('.entry');
  assert.equal(entries.length, want.length);
  assert.ok(entries.length > 10);
  assert.ok(entries[0].dom.textContent.includes(want[0].title));
  assert.ok(entries[0].dom.textContent.includes(want[0].date));
  page.querySelector('#sort-picker').dispatchEvent('change', { detail: { value: '1' } });
  await settle(page);
  const oldest = [...want].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))[0];
  assert.ok(page.querySelector('.entry').dom.textContent.includes(oldest.date));
  page.detach();
});
