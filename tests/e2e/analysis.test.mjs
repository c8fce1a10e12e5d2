// 分析 (issue 8) in headless Chromium: the analysis module loads only when the
// tab is opened (the first profile never waits for it) and becomes THE
// engine with the same numbers; the "各单位各年度学时" pivot built through the
// UI equals the CLI's `zhichu pivot --format json`; SQL gives the same answer
// as the pivot; the exported xlsx, read back, equals the table shown (and the
// CLI's own xlsx), CSV and Parquet equal the CLI's; saved views survive a
// reload; errors are shown inline; a Parquet import works; axe finds nothing
// on the tab and a 360 px phone does not scroll sideways. No request leaves
// localhost (the harness checks every request of the run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, SHOTS, cli, cliDir, cliOut, context, open, unzipText, xlsxRows } from './harness.mjs';
import { formatCell } from '../../www/charts.js';

const PIVOT = ['--table', 'records', '--rows', 'unit', '--cols', 'year', '--measure', 'hours', '--agg', 'sum'];

/** The result table as the page shows it: header, body rows, totals row (text). */
function shownTable(page) {
  return page.$eval('#analysis-table', (t) => {
    const cells = (tr) => [...tr.children].map((c) => c.textContent);
    return { head: [...t.tHead.rows].map(cells)[0] || [], body: [...t.tBodies[0].rows].map(cells), foot: t.tFoot.rows.length ? cells(t.tFoot.rows[0]) : null };
  });
}
/** A result (engine JSON) as the page must show it. */
const expected = (r) => ({ head: r.columns.map((c) => c.name), body: r.rows.map((row) => row.map(formatCell)), foot: r.totals ? r.totals.map(formatCell) : null });

async function openAnalysis(page) {
  await page.click('#nav-analysis');
  await page.waitForSelector('body[data-analysis-ready]', { timeout: 120000 });
}
const runs = (page) => page.evaluate(() => Number(document.body.dataset.analysisRuns || 0));
/** Clicks `selector` and waits until one more result has been drawn. */
async function runBy(page, selector) {
  const n = await runs(page);
  await page.click(selector);
  await page.waitForFunction((k) => Number(document.body.dataset.analysisRuns || 0) > k, n, { timeout: 60000 });
}
/** Builds the 各单位各年度学时 pivot through the form, as a user does. */
async function buildHoursPivot(page) {
  await page.selectOption('#pv-table', 'records');
  for (const chip of await page.$$('#pv-rows button[data-remove-row]')) await chip.click();
  await page.selectOption('#pv-rows-add', 'unit');
  await page.click('#pv-rows-add-btn');
  await page.selectOption('#pv-cols', 'year');
  await page.selectOption('#pv-measure', 'hours');
  await page.selectOption('#pv-agg', 'sum');
  await runBy(page, '#pv-run');
}
async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: dl.suggestedFilename(), bytes: await fs.promises.readFile(await dl.path()) };
}

test('分析: the module loads only when the tab is opened; the pivot built in the UI equals the CLI; SQL agrees; exports equal the table; views are kept', async () => {
  const ctx = await context();
  const asked = [];
  ctx.on('request', (r) => asked.push(new URL(r.url()).pathname));
  const page = await open(ctx, '?scale=s&nosw#cadre=C000001');
  await page.waitForFunction(() => document.body.dataset.profile === 'C000001');
  const profileBefore = await page.$$eval('#reserve-table tbody tr', (trs) => trs.map((tr) => tr.textContent));
  // The first profile is on screen and neither the analysis module nor the tab's script was asked for.
  assert.deepEqual(asked.filter((p) => p.includes('/pkg/analysis/') || p.endsWith('/views/analysis.js')), []);
  assert.ok(asked.includes('/pkg/zhichu_bg.wasm'));

  // The tab says what it is doing: loading the module, loading the data into it, ready.
  await page.evaluate(() => {
    const el = document.querySelector('#analysis-status');
    window.__states = [];
    new MutationObserver(() => window.__states.push(`${el.dataset.state}:${document.querySelector('#analysis-status-text').textContent}`))
      .observe(el, { attributes: true, childList: true, subtree: true, characterData: true });
  });
  await openAnalysis(page);
  const states = [...new Set(await page.evaluate(() => window.__states))];
  assert.ok(states.some((x) => /^loading:正在载入分析模块…/.test(x)), states.join(' | '));
  assert.ok(states.some((x) => /^building:正在用分析模块载入当前数据…/.test(x)), states.join(' | '));
  assert.match(states[states.length - 1], /^ready:分析模块已就绪/);
  assert.ok(asked.includes('/pkg/analysis/zhichu_bg.wasm'));
  assert.match(await page.textContent('#analysis-status'), /分析模块已就绪/);
  // The pickers come from the engine's tables.
  const tables = await page.$$eval('#pv-table option', (os) => os.map((o) => o.value));
  for (const t of ['records', 'record_dims', 'reserves', 'cadres', 'units', 'courses', 'teachers', 'classes', 'ratings']) assert.ok(tables.includes(t), t);

  // 各单位各年度学时, built through the form: the CLI's numbers, every row, with totals.
  await buildHoursPivot(page);
  const want = cli('pivot', '--scale', 's', ...PIVOT, '--format', 'json');
  const shown = await shownTable(page);
  assert.deepEqual(shown, expected(want));
  assert.equal(want.rows.length, 102);
  assert.equal(await page.textContent('#ar-summary'), '共 102 行。图中为前 12 行。');
  assert.equal(await page.getAttribute('#ar-chart', 'data-chart'), 'line');
  assert.equal(await page.getAttribute('#analysis-table tfoot tr', 'class'), 'total');

  // The same question in SQL: every (unit, year) cell equals the pivot's.
  await page.fill('#sql-text', 'SELECT unit, year, SUM(hours) AS hours FROM records GROUP BY unit, year ORDER BY unit, year');
  await runBy(page, '#sql-run');
  const sql = await shownTable(page);
  assert.deepEqual(sql.head, ['unit', 'year', 'hours']);
  assert.equal(sql.foot, null);
  const years = want.pivot.values;
  const fromPivot = want.rows.flatMap((r) => years.map((y, j) => [r[0], y, r[1 + j]]).filter((c) => c[2] !== null).map(([u, y, v]) => [u, y, formatCell(v)]));
  assert.deepEqual(sql.body.map(([u, y, v]) => [u, y, v]).sort(), fromPivot.sort());
  assert.deepEqual(sql, expected(cli('query', '--scale', 's', '--sql', 'SELECT unit, year, SUM(hours) AS hours FROM records GROUP BY unit, year ORDER BY unit, year', '--format', 'json')));

  // The ready-made example is the same pivot; its exports are the whole result.
  await runBy(page, '#analysis-examples button[data-example="0"]');
  assert.equal(await page.textContent('#ar-title'), '各单位各年度学时');
  assert.deepEqual(await shownTable(page), shown);
  const xlsx = await download(page, '[data-aexport="xlsx"]');
  assert.equal(xlsx.name, '分析-各单位各年度学时.xlsx');
  // Read back: header, rows and the totals row equal the table shown …
  const back = xlsxRows(xlsx.bytes).map((r) => r.map(formatCell));
  assert.deepEqual(back, [shown.head, ...shown.body, shown.foot]);
  // … and the workbook is the CLI's (sheets and strings identical).
  const sheets = /^xl\/(worksheets\/sheet\d+|sharedStrings)\.xml$/;
  assert.deepEqual(unzipText(xlsx.bytes, sheets), unzipText(cliOut('xlsx', 'pivot', '--scale', 's', ...PIVOT, '--format', 'xlsx'), sheets));
  const csv = await download(page, '[data-aexport="csv"]');
  assert.equal(csv.name, '分析-各单位各年度学时.csv');
  assert.deepEqual(csv.bytes, cliOut('csv', 'pivot', '--scale', 's', ...PIVOT, '--format', 'csv'));
  const parquet = await download(page, '[data-aexport="parquet"]');
  assert.equal(parquet.name, '分析-各单位各年度学时.parquet');
  assert.equal(parquet.bytes.subarray(0, 4).toString(), 'PAR1');
  assert.deepEqual(parquet.bytes, cliOut('parquet', 'pivot', '--scale', 's', ...PIVOT, '--format', 'parquet'));

  // More rows than are drawn: the first 1000 and the count; the export takes all.
  await page.fill('#sql-text', 'SELECT cadre_id, course, date, hours FROM records ORDER BY cadre_id, date, course');
  await runBy(page, '#sql-run');
  assert.equal(await page.textContent('#ar-summary'), '共 32518 行，仅显示前 1000 行；导出为全部 32518 行。');
  assert.equal((await shownTable(page)).body.length, 1000);
  const all = await download(page, '[data-aexport="csv"]');
  assert.equal(all.bytes.toString('utf8').trim().split('\n').length, 32518 + 1);

  // Errors are said inline, in words, and the result stays as it was.
  const errors = () => page.evaluate(() => Number(document.body.dataset.analysisErrors || 0));
  let e0 = await errors();
  await page.fill('#sql-text', 'SELEC unit FROM records');
  await page.click('#sql-run');
  await page.waitForFunction((k) => Number(document.body.dataset.analysisErrors || 0) > k, e0);
  assert.match(await page.textContent('#sql-error'), /SQL 有误.*SELEC/);
  e0 = await errors();
  await page.fill('#pv-where', 'no_such_column > 1');
  await page.click('#pv-run');
  await page.waitForFunction((k) => Number(document.body.dataset.analysisErrors || 0) > k, e0);
  assert.match(await page.textContent('#pv-error'), /透视出错/);
  // Saving now would keep the earlier question under the name meant for the failed one: refused, said.
  await page.fill('#view-name', '出错的查询');
  await page.click('#view-save');
  await page.waitForSelector('body[data-view-refusals="1"]');
  assert.equal(await page.evaluate(() => document.body.dataset.views || '0'), '0');
  await page.fill('#pv-where', '');

  // A saved view is kept in this browser: after a reload it re-runs to the same table; then it is deleted.
  await runBy(page, '#analysis-examples button[data-example="0"]');
  await page.fill('#view-name', '我的学时视图');
  await page.click('#view-save');
  await page.waitForSelector('body[data-views="1"]');
  await page.reload();
  await page.waitForSelector('body[data-ready]');
  await openAnalysis(page);
  assert.match(await page.textContent('#saved-views'), /我的学时视图/);
  await runBy(page, '#saved-views button[data-view-run="我的学时视图"]');
  assert.equal(await page.textContent('#ar-title'), '我的学时视图');
  assert.deepEqual(await shownTable(page), shown);
  await page.click('#saved-views button[data-view-del="我的学时视图"]');
  await page.waitForSelector('body[data-views="0"]');

  // Every face still shows the same numbers on the analysis engine.
  await page.click('#nav-profile');
  await page.fill('#cadre-search', 'C000001');
  await page.click('#cadre-results button[data-cadre="C000001"]');
  await page.waitForFunction(() => document.body.dataset.profile === 'C000001' && !document.querySelector('#profile').hidden);
  assert.deepEqual(await page.$$eval('#reserve-table tbody tr', (trs) => trs.map((tr) => tr.textContent)), profileBefore);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('分析: while the analysis module is still downloading, the other tabs keep answering', async () => {
  const ctx = await context();
  // Hold the module's download until the profile tab has answered.
  let release;
  const held = new Promise((r) => { release = r; });
  let asked;
  const requested = new Promise((r) => { asked = r; });
  await ctx.route('**/pkg/analysis/zhichu_bg.wasm', async (route) => {
    asked();
    await held;
    await route.continue();
  });
  const page = await open(ctx, '?scale=s&nosw');
  await page.click('#nav-analysis');
  await page.waitForSelector('#analysis-status[data-state="loading"]');
  assert.match(await page.textContent('#analysis-status-text'), /正在载入分析模块…/);
  assert.equal(await page.isVisible('#analysis-progress'), true);
  // The download is asked for and held (waited on, not timed).
  await requested;
  await page.click('#nav-profile');
  await page.fill('#cadre-search', 'C000002');
  await page.click('#cadre-results button[data-cadre="C000002"]');
  await page.waitForFunction(() => document.body.dataset.profile === 'C000002' && !document.querySelector('#profile').hidden);
  assert.equal(await page.isVisible('body[data-analysis-ready]'), false);
  release();
  await openAnalysis(page);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('分析: the other examples run and draw their chart (bar, heatmap); a rank filter equals the CLI', async () => {
  const ctx = await context();
  const page = await open(ctx, '?scale=s&nosw');
  await openAnalysis(page);
  const titles = await page.$$eval('#analysis-examples button', (bs) => bs.map((b) => b.querySelector('strong').textContent));
  assert.deepEqual(titles, ['各单位各年度学时', '低于目标的干部最近参加的课程', '各班次类型完成率', '各岗位平均储备度', '乡科级干部各单位各年度学时']);
  const charts = {};
  for (let i = 1; i < titles.length; i++) {
    await runBy(page, `#analysis-examples button[data-example="${i}"]`);
    assert.equal(await page.textContent('#ar-title'), titles[i]);
    charts[titles[i]] = (await page.isVisible('#ar-chart')) ? await page.getAttribute('#ar-chart', 'data-chart') : null;
  }
  assert.deepEqual(charts, { 低于目标的干部最近参加的课程: null, 各班次类型完成率: 'bar', 各岗位平均储备度: 'heatmap', 乡科级干部各单位各年度学时: 'line' });
  // The last example is the rank filter: the CLI's answer with --rank.
  assert.deepEqual(await shownTable(page), expected(cli('pivot', '--scale', 's', ...PIVOT, '--rank', '乡科级', '--format', 'json')));
  // Filters added in the form (a year range, completed only, a condition) are the CLI's filters.
  await page.fill('#pv-year-from', '2022');
  await page.fill('#pv-year-to', '2023');
  await page.selectOption('#pv-completed', 'true');
  await page.fill('#pv-where', "mode = '网络'");
  await runBy(page, '#pv-run');
  assert.deepEqual(await shownTable(page), expected(cli('pivot', '--scale', 's', ...PIVOT, '--rank', '乡科级', '--years', '2022-2023', '--completed', 'true', '--where', "mode = '网络'", '--format', 'json')));
  assert.deepEqual(await page.$$eval('#analysis-table thead th', (ths) => ths.map((th) => th.textContent)), ['unit', '2022', '2023', '合计']);
  // Only the first year box filled: from that year on, as the CLI's open range.
  await page.fill('#pv-year-to', '');
  await runBy(page, '#pv-run');
  assert.deepEqual(await shownTable(page), expected(cli('pivot', '--scale', 's', ...PIVOT, '--rank', '乡科级', '--years', '2022-', '--completed', 'true', '--where', "mode = '网络'", '--format', 'json')));
  // The SQL example joins reserves and records: the CLI's answer to the same query.
  await runBy(page, '#analysis-examples button[data-example="1"]');
  const query = await page.inputValue('#sql-text');
  assert.match(query, /FROM reserves r\s+JOIN records c/);
  assert.deepEqual(await shownTable(page), expected(cli('query', '--scale', 's', '--sql', query, '--format', 'json')));
  await page.screenshot({ path: path.join(SHOTS, 'analysis.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('Parquet: the demo written as Parquet imports (through the analysis module) to the CLI\'s profile and pivot', async () => {
  const dir = cliDir('demo', '--scale', 's', '--format', 'parquet');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).map((f) => path.join(dir, f));
  assert.ok(files.some((f) => f.endsWith('records.parquet')));
  const ctx = await context();
  const page = await open(ctx, '?scale=s&nosw');
  await page.click('#nav-data');
  assert.match(await page.getAttribute('#file-input', 'accept'), /\.parquet/);
  const n = await page.evaluate(() => Number(document.body.dataset.imports || 0));
  await page.setInputFiles('#file-input', files);
  await page.waitForFunction((k) => Number(document.body.dataset.imports || 0) > k, n, { timeout: 120000 });
  assert.match(await page.textContent('#import-status'), /已导入/);
  assert.doesNotMatch(await page.textContent('#import-status'), /未使用|出错/);
  assert.match(await page.textContent('#summary'), /已导入数据：.*干部 1000 人/);
  assert.equal(await page.isVisible('#demo-banner'), false);
  // The profile is the CLI's on the same files.
  await page.click('#nav-profile');
  await page.fill('#cadre-search', 'C000001');
  await page.click('#cadre-results button[data-cadre="C000001"]');
  await page.waitForFunction(() => document.body.dataset.profile === 'C000001' && !document.querySelector('#profile').hidden);
  const f = (x, d) => (x === null || x === undefined ? '—' : x.toFixed(d));
  const prof = cli('profile', '--data', dir, '--cadre', 'C000001', '--json');
  const rows = await page.$$eval('#reserve-table tbody tr', (trs) => trs.map((tr) => [...tr.children].slice(0, 3).map((c) => c.textContent.trim())));
  assert.deepEqual(rows, prof.dimensions.map((d) => [d.dimension, f(d.reserve, 1), f(d.target, 0)]));
  // The analysis module is already THE engine: 分析 is ready at once, on the imported data.
  await openAnalysis(page);
  await buildHoursPivot(page);
  assert.deepEqual(await shownTable(page), expected(cli('pivot', '--data', dir, ...PIVOT, '--format', 'json')));
  // Kept in this browser like any import: a reload loads the Parquet files again.
  await page.reload();
  await page.waitForSelector('body[data-ready]', { timeout: 120000 });
  await page.click('#nav-data');
  assert.match(await page.textContent('#summary'), /已导入数据：.*干部 1000 人/);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

// axe-core (as in a11y.test.mjs): nothing serious or critical on the tab, with a result, an error and the column list open.
const AXE = path.join(ROOT, 'node_modules/axe-core/axe.min.js');
const NAMED = new Set(['region', 'heading-order', 'landmark-one-main', 'page-has-heading-one', 'empty-table-header']);
async function axe(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || NAMED.has(v.id));
  assert.deepEqual(bad.map((v) => `${v.impact} ${v.id}: ${v.nodes.slice(0, 4).map((x) => x.target.join(' ')).join(' | ')}`), [], `${where}: axe violations`);
}

test('分析 is accessible (axe) and fits a 360 px phone', async () => {
  const ctx = await context({ bypassCSP: true });
  const page = await open(ctx, '?scale=s&nosw');
  await openAnalysis(page);
  await axe(page, '分析 (empty)');
  await runBy(page, '#analysis-examples button[data-example="3"]');
  await page.fill('#view-name', '岗位');
  await page.click('#view-save');
  await page.waitForSelector('body[data-views="1"]');
  await page.fill('#sql-text', 'SELECT nope FROM records');
  await page.click('#sql-run');
  await page.waitForSelector('#sql-error:not([hidden])');
  await page.click('#sql-schema-box summary');
  await axe(page, '分析 (result, error, columns, a saved view)');
  // 清除全部数据 on the 数据 tab also deletes the saved views (a query can name cadres).
  page.once('dialog', (d) => d.accept());
  await page.click('#nav-data');
  await page.click('#clear-all');
  await page.waitForFunction(() => document.body.textContent.includes('已清除全部数据'));
  await page.reload();
  await openAnalysis(page);
  await page.waitForSelector('body[data-views="0"]');
  await ctx.close();

  const phone = await context({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const p = await open(phone, '?scale=s&nosw');
  await openAnalysis(p);
  for (const i of [0, 3]) {
    await runBy(p, `#analysis-examples button[data-example="${i}"]`);
    const { sw, cw } = await p.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
    assert.ok(sw <= cw, `example ${i}: scrollWidth ${sw} > ${cw}`);
  }
  await p.screenshot({ path: path.join(SHOTS, 'phone-analysis.png'), fullPage: true });
  assert.deepEqual(p.errors, []);
  await phone.close();
});
