// End-to-end tests of the built site in Debian's headless Chromium, driven by
// playwright-core. Run by `./dev test` after the wasm build (www/pkg).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIX, ROOT, SHOTS, cli, context, open, unzipText } from './harness.mjs';

async function showProfile(page, id) {
  await page.fill('#cadre-search', id);
  await page.click(`#cadre-results button[data-cadre="${id}"]`);
  await page.waitForFunction((x) => document.body.dataset.profile === x && !document.querySelector('#profile').hidden, id);
}


/** The accessible table as [{dimension, reserve, target, gap, percentile, median}] of strings. */
async function table(page) {
  return page.$$eval('#reserve-table tbody tr', (rows) => rows.map((r) => {
    const c = [...r.children].map((x) => x.textContent.trim());
    return { dimension: c[0], reserve: c[1], target: c[2], gap: c[3], percentile: c[4], median: c[5] };
  }));
}

function expected(profile) {
  const f = (x, d) => (x === null || x === undefined ? '—' : x.toFixed(d));
  return profile.dimensions.map((d) => ({
    dimension: d.dimension, reserve: f(d.reserve, 1), target: f(d.target, 0), gap: f(d.gap, 1), percentile: f(d.percentile, 0), median: f(d.peer_median, 1),
  }));
}

async function uploadFiles(page, files) {
  await page.click('#nav-data');
  const n = await page.evaluate(() => Number(document.body.dataset.imports || 0));
  await page.setInputFiles('#file-input', files);
  await page.waitForFunction((k) => Number(document.body.dataset.imports || 0) > k, n);
}

test('demo loads; the radar renders and the table shows the CLI numbers', async () => {
  const ctx = await context();
  const page = await open(ctx);
  assert.equal(await page.isVisible('#demo-banner'), true);
  await showProfile(page, 'C000001');
  assert.deepEqual(await table(page), expected(cli('profile', '--scale', 's', '--cadre', 'C000001', '--json')));
  // The radar canvas has been drawn on.
  const inked = await page.$eval('#radar canvas', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  assert.ok(inked > 1000, `radar has ${inked} painted pixels`);
  // Recommendations match the CLI and a tap shows the predicted radar.
  const recs = cli('recommend', '--scale', 's', '--cadre', 'C000001', '--json').recommendations;
  const shown = await page.$$eval('#recs .rec', (els) => els.map((e) => e.dataset.course));
  assert.deepEqual(shown, recs.map((r) => r.course_id));
  assert.match(await page.textContent('#recs .rec .reason'), /^补「理想信念」短板，预计 \+/);
  await page.click('#recs .rec');
  await page.waitForSelector('#sim-note:not([hidden])');
  // Gaps expand to the records behind them; the archive lists every record.
  await page.click('#gaps details summary');
  assert.ok(await page.isVisible('#gaps details[open] table'));
  const nRecords = await page.$$eval('#archive tbody tr', (r) => r.length);
  assert.ok(nRecords > 10);
  assert.match(await page.textContent('#hours'), /网络学习每年不少于 50 学时/);
  await page.screenshot({ path: path.join(SHOTS, 'profile-desktop.png'), fullPage: true });
  // Print / save as PDF: one A4 page.
  // The charts are redrawn for the print layout before the PDF is made (the page says when).
  await page.emulateMedia({ media: 'print' });
  await page.waitForSelector('body[data-media="print"]');
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  await page.waitForSelector('body[data-media="screen"]');
  fs.writeFileSync(path.join(SHOTS, 'profile.pdf'), pdf);
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g).length;
  assert.equal(pages, 1, `print view has ${pages} pages`);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('GBK CSV and xlsx imports show the same profile as the CLI', async () => {
  const gbk = fs.readdirSync(path.join(FIX, 'basic_gbk')).map((f) => path.join(FIX, 'basic_gbk', f));
  const want = expected(cli('profile', '--data', path.join(FIX, 'basic_gbk'), '--cadre', 'C2', '--json'));
  for (const files of [gbk, [path.join(FIX, 'basic.xlsx')]]) {
    const ctx = await context();
    const page = await open(ctx);
    await uploadFiles(page, files);
    assert.match(await page.textContent('#summary'), /干部 3 人/);
    assert.equal(await page.isVisible('#demo-banner'), false);
    await page.click('#nav-profile');
    await showProfile(page, 'C2');
    assert.deepEqual(await table(page), want);
    await ctx.close();
  }
});

test('a broken file shows the validation table and keeps earlier data; reload keeps data; clear empties it', async () => {
  const ctx = await context();
  const page = await open(ctx);
  await uploadFiles(page, [path.join(FIX, 'basic.xlsx')]);
  await uploadFiles(page, [path.join(FIX, 'broken', 'records.csv')]);
  const rows = await page.$$eval('#validation tbody tr.err', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  // The broken file's bad rows, by row and column (its K2 and C3 rows are valid against basic.xlsx).
  const byRow = rows.filter((r) => r[0] === 'records.csv').map((r) => `${r[1]}:${r[2].split(' ')[0]}`);
  assert.deepEqual(byRow, ['3:干部编号', '4:日期', '5:成绩', '6:是否完成', '7:学时']);
  assert.match(rows[1][3], /2024-13-01/);
  // Earlier data intact: still 3 cadres and all 7 records, plus the file's 3 good rows.
  assert.match(await page.textContent('#summary'), /干部 3 人/);
  assert.match(await page.textContent('#loaded-counts'), /records 10/);
  await page.screenshot({ path: path.join(SHOTS, 'validation.png'), fullPage: true });
  // Random bytes named like a table cannot be used: the good records.csv stays, before and after a reload.
  const noise = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 2654435761) >>> 24));
  await uploadFiles(page, [{ name: 'records.csv', mimeType: 'text/csv', buffer: noise }]);
  assert.match(await page.textContent('#import-status'), /「records\.csv」无法读取，未使用/);
  assert.match(await page.textContent('#import-status'), /原有数据未受影响/);
  assert.match(await page.textContent('#loaded-counts'), /records 10.*未使用的文件：records\.csv/);
  assert.match(await page.textContent('#summary'), /干部 3 人/);
  // A usable file with a kept file's name replaces it only when the user says so.
  const newer = { name: 'records.csv', mimeType: 'text/csv', buffer: Buffer.from('干部编号,课程编号,日期,学时\nC1,K1,2024-01-05,10\n') };
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await uploadFiles(page, [newer]);
  assert.match(asked, /「records\.csv」已保存在本浏览器中。用新文件替换它吗/);
  assert.match(await page.textContent('#import-status'), /保留了原有的同名文件/);
  assert.match(await page.textContent('#loaded-counts'), /records 10/);
  page.once('dialog', (d) => d.accept());
  await uploadFiles(page, [newer]);
  assert.match(await page.textContent('#loaded-counts'), /records 8/);
  // Back to the broken file (and its 3 good rows) for the rest of the test.
  page.once('dialog', (d) => d.accept());
  await uploadFiles(page, [path.join(FIX, 'broken', 'records.csv')]);
  assert.match(await page.textContent('#loaded-counts'), /records 10/);
  // Reload: the imported files come back from IndexedDB.
  await page.reload();
  await page.waitForSelector('body[data-ready]');
  assert.equal(await page.isVisible('#demo-banner'), false);
  await page.click('#nav-data');
  assert.match(await page.textContent('#summary'), /干部 3 人/);
  assert.match(await page.textContent('#file-list'), /basic\.xlsx[\s\S]*records\.csv/);
  await page.click('#nav-profile');
  await showProfile(page, 'C2');
  assert.deepEqual(await table(page), expected(cli('profile', '--data', path.join(FIX, 'basic.xlsx'), '--data', path.join(FIX, 'broken', 'records.csv'), '--cadre', 'C2', '--json')));
  // Clear all data: back to the demo city.
  await page.click('#nav-data');
  page.once('dialog', (d) => d.accept());
  await page.click('#clear-all');
  await page.waitForFunction(() => /演示数据/.test(document.querySelector('#summary').textContent));
  assert.equal(await page.isVisible('#demo-banner'), true);
  await page.reload();
  await page.waitForSelector('body[data-ready]');
  assert.equal(await page.isVisible('#demo-banner'), true);
  await ctx.close();
});

test('after one visit the app works offline', async () => {
  const ctx = await context();
  const page = await open(ctx);
  // The worker is active only once its install step has cached the whole shell: wait for that, then check the cache.
  const sw = fs.readFileSync(path.join(ROOT, 'www/sw.js'), 'utf8');
  const cacheName = sw.match(/const CACHE = '([^']+)'/)[1];
  const shell = JSON.parse(sw.match(/const SHELL = (\[[^\]]*\])/)[1].replace(/'/g, '"'));
  const cached = await page.evaluate(async (name) => {
    await navigator.serviceWorker.ready;
    return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
  }, cacheName);
  for (const f of shell) assert.ok(cached.includes(new URL(f, 'http://x/').pathname), `${f} is not cached`);
  await ctx.setOffline(true);
  await page.reload();
  await page.waitForSelector('body[data-ready]', { timeout: 60000 });
  await showProfile(page, 'C000002');
  assert.ok((await table(page)).length === 12);
  await ctx.close();
});

test('a 360×740 phone shows no horizontal scrolling', async () => {
  const ctx = await context({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await open(ctx);
  await showProfile(page, 'C000001');
  for (const tab of ['profile', 'unit', 'plan', 'data']) {
    await page.click(`#nav-${tab}`);
    if (tab === 'unit') await page.waitForSelector('body[data-unit-ready]');
    if (tab === 'plan') {
      await page.click('#plan-run');
      await page.waitForSelector('body[data-plans]');
    }
    const { sw, cw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
    assert.ok(sw <= cw, `${tab}: scrollWidth ${sw} > ${cw}`);
    await page.screenshot({ path: path.join(SHOTS, `phone-${tab}.png`), fullPage: tab === 'profile' });
  }
  await ctx.close();
});

test('the import template downloads and imports with no problem', async () => {
  const ctx = await context();
  const page = await open(ctx);
  await page.click('#nav-data');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#template-download')]);
  assert.equal(dl.suggestedFilename(), '知储导入模板.xlsx');
  const file = await dl.path();
  const sheets = unzipText(await fs.promises.readFile(file), /^xl\/workbook\.xml$/)['xl/workbook.xml'];
  for (const name of ['单位', '知识维度', '教师', '课程', '干部', '班次', '培训记录', '评分', '岗位要求', '说明']) assert.ok(sheets.includes(`name="${name}"`), name);
  await uploadFiles(page, [{ name: '知储导入模板.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await fs.promises.readFile(file) }]);
  assert.match(await page.textContent('#summary'), /干部 1 人/);
  assert.equal(await page.$$eval('#validation tbody tr', (trs) => trs.length), 0);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
