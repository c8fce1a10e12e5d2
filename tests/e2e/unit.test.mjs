// The 单位 and 规划 tabs and the kiosk, in headless Chromium, against the CLI's numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SHOTS, cli, cliXlsx, context, open as openApp, unzipText } from './harness.mjs';

const f = (x, d = 1) => (x === null || x === undefined ? '—' : x.toFixed(d));

async function open(query, viewport = { width: 1280, height: 900 }) {
  const ctx = await context({ viewport });
  return { ctx, page: await openApp(ctx, query) };
}

test('单位: the layout table and compliance equal the CLI', async () => {
  const { ctx, page } = await open('?scale=s&nosw');
  await page.click('#nav-unit');
  await page.waitForSelector('body[data-unit-ready]');
  await page.selectOption('#unit-select', 'U019');
  // Every part of the tab (layout, compliance, fairness) is for U019 once the page says so.
  await page.waitForSelector('body[data-unit-shown="U019:2025"]');
  const want = cli('layout', '--scale', 's', '--unit', 'U019', '--json');
  const rows = await page.$$eval('#layout-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
  assert.deepEqual(rows, want.dimensions.map((d) => [d.dimension, f(d.mean_reserve), f(d.compare_mean_reserve), `${(d.coverage * 100).toFixed(0)}%`, String(d.cadres_short), f(d.mean_shortfall)]));
  assert.match(await page.textContent('#weak-points'), new RegExp(`薄弱点：${want.weak_points[0]}`));
  const comp = cli('compliance', '--scale', 's', '--unit', 'U019', '--year', '2025', '--json');
  assert.match(await page.textContent('#compliance'), new RegExp(`全部达标 ${comp.compliant} / ${comp.cadres} 人`));
  const fair = cli('fairness', '--scale', 's', '--unit', 'U019', '--json');
  assert.match(await page.textContent('#fairness'), new RegExp(`重复培训 ${fair.repeats.length} 次`));
  const ratings = cli('ratings', '--scale', 's', '--json');
  const first = await page.$eval('#ratings-table tbody tr td:nth-child(2)', (td) => td.textContent);
  assert.ok(first.includes(ratings.rows[0].id), `${first} vs ${ratings.rows[0].id}`);
  // Each view exports as the same workbook the CLI writes with --xlsx (sheets and strings identical).
  const views = { compliance: ['compliance', '--unit', 'U019', '--year', '2025'], layout: ['layout', '--unit', 'U019'], fairness: ['fairness', '--unit', 'U019'], ratings: ['ratings'] };
  for (const [view, args] of Object.entries(views)) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${view}"]`)]);
    const got = unzipText(await fs.promises.readFile(await dl.path()), /^xl\/(worksheets\/sheet\d+|sharedStrings)\.xml$/);
    assert.deepEqual(got, cliXlsx(...args, '--scale', 's'), view);
    assert.match(dl.suggestedFilename(), /\.xlsx$/);
  }
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('规划: the plan equals the CLI, pin/remove re-plans; the assignment exports a real xlsx', async () => {
  const { ctx, page } = await open('?scale=s&nosw');
  await page.click('#nav-plan');
  await page.selectOption('#plan-unit', 'U019');
  await page.click('#plan-run');
  await page.waitForFunction(() => document.body.dataset.plans === '1');
  const want = cli('plan', '--scale', 's', '--cohort', 'unit:U019', '--hours', '40', '--json');
  const shown = () => page.$$eval('#plan-table tbody tr', (trs) => trs.map((tr) => tr.dataset.course));
  assert.deepEqual(await shown(), want.courses.map((c) => c.course_id));
  // Remove the first course: re-planned without it.
  const firstId = want.courses[0].course_id;
  await page.click(`#plan-table button[data-remove="${firstId}"]`);
  await page.waitForFunction(() => document.body.dataset.plans === '2');
  const again = await shown();
  assert.ok(!again.includes(firstId));
  const removed = cli('plan', '--scale', 's', '--cohort', 'unit:U019', '--hours', '40', '--remove', firstId, '--json');
  assert.deepEqual(again, removed.courses.map((c) => c.course_id));
  // Named assignment and its exports.
  await page.fill('#assign-quota', '2');
  await page.fill('#assign-cap', '10');
  await page.click('#assign-run');
  await page.waitForSelector('body[data-assigned]');
  const cls = await page.$eval('#assign-class', (s) => s.value);
  const a = cli('assign', '--scale', 's', '--class', cls, '--quota-per-unit', '2', '--capacity', '10', '--json');
  const ids = await page.$$eval('#assign-table tbody tr td:nth-child(2)', (tds) => tds.map((t) => t.textContent.split(' ').pop()));
  assert.deepEqual(ids, a.picks.map((p) => p.cadre.cadre_id));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#assign-xlsx')]);
  const buf = await fs.promises.readFile(await dl.path());
  assert.equal(buf.subarray(0, 2).toString(), 'PK');
  assert.ok(buf.includes(Buffer.from('xl/worksheets/sheet1.xml')));
  assert.match(dl.suggestedFilename(), /^调训名单-.*\.xlsx$/);
  await page.screenshot({ path: path.join(SHOTS, 'plan.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('kiosk: rotates, masks names, and memory stays flat over hundreds of rotations', async () => {
  // `manual`: no timer; the test draws each next view itself and waits until it is drawn.
  const { ctx, page } = await open('?scale=s&nosw&kiosk&manual', { width: 1920, height: 1080 });
  const cdp = await ctx.newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const rotations = () => page.evaluate(() => Number(document.body.dataset.rotations || 0));
  /** Draws `n` more views; resolves when the last is on screen. */
  const advance = (n = 1) => page.evaluate(async (k) => { for (let j = 0; j < k; j++) await window.__kioskNext(); }, n);
  await page.waitForSelector('body[data-rotations="1"]');
  // Two full rounds, every view's own text: no teacher's or cadre's full name.
  const teachers = cli('ratings', '--scale', 's', '--by', 'teacher', '--json').rows.map((r) => r.name).filter((n) => n.length >= 2);
  const ranking = cli('ratings', '--scale', 's', '--by', 'course', '--json').rows;
  const order = ['units', 'courses', 'teachers', 'compliance'];
  const texts = {};
  for (let k = 0; k < 8; k++) {
    if (k > 0) await advance();
    assert.equal(await rotations(), k + 1);
    const view = await page.$eval('#tab-kiosk', (s) => s.dataset.view);
    assert.equal(view, order[k % 4], `view ${k + 1}`);
    const text = await page.textContent('#tab-kiosk');
    if (k >= 4) assert.equal(text, texts[view], `${view} is drawn the same the second time`);
    texts[view] = text;
  }
  assert.match(texts.units, /各单位知识储备度/);
  assert.match(texts.courses, /优质受欢迎课程/);
  assert.ok(texts.courses.includes(ranking[0].name), 'the best-rated course is listed');
  assert.match(texts.teachers, /学员评价较高的教师/);
  assert.match(texts.teachers, /[\u4e00-\u9fa5]\*/); // masked names like 何*嘉 are shown
  assert.match(texts.compliance, /学时达标率/);
  const leaked = teachers.filter((n) => Object.values(texts).some((t) => t.includes(n)));
  assert.deepEqual(leaked, []);
  assert.equal(await page.isVisible('.tabbar'), false);
  await page.screenshot({ path: path.join(SHOTS, 'kiosk.png') });
  await advance(22);
  const h1 = await heap();
  await advance(200);
  assert.equal(await rotations(), 230);
  const h2 = await heap();
  console.log(`kiosk heap after 30 rotations: ${(h1 / 1e6).toFixed(2)} MB; after 230: ${(h2 / 1e6).toFixed(2)} MB`);
  assert.ok(h2 - h1 < 3e6, `heap grew by ${((h2 - h1) / 1e6).toFixed(2)} MB over 200 rotations`);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('kiosk: without `manual` it rotates by itself', async () => {
  const { ctx, page } = await open('?scale=s&nosw&kiosk&interval=0.05', { width: 1920, height: 1080 });
  // Waits on the count of views drawn, however long each takes.
  await page.waitForFunction(() => Number(document.body.dataset.rotations || 0) >= 3, null, { timeout: 60000 });
  assert.equal(await page.evaluate(() => typeof window.__kioskNext), 'undefined');
  await ctx.close();
});
