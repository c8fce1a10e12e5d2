// 数据: imports through a mocked wx.chooseMessageFile give the CLI's profile
// for the same files; a broken file shows its validation rows and keeps the
// earlier data; a file the engine cannot use never replaces a kept one;
// imported files survive a restart; 清除全部数据 returns to the demo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { installWx, tempDir, restart, renderPage, tap, settle, cells, text, cli, expectedTable, keptFiles, FIX, MP, require } from './harness.mjs';

const GBK = path.join(FIX, 'basic_gbk');
const gbkFiles = () => fs.readdirSync(GBK).map((f) => path.join(GBK, f));
const XLSX = path.join(FIX, 'basic.xlsx');
const BROKEN = path.join(FIX, 'broken', 'records.csv');

async function importFiles(page, mock, files) {
  mock.chosen = files;
  await tap(page, '#import');
}

async function profileTable(id) {
  const page = await renderPage('pages/profile/index');
  page.querySelector('#search').dispatchEvent('input', { detail: { value: id } });
  await settle(page);
  const i = page.querySelectorAll('.hit').findIndex((h) => h.dom.textContent.includes(id));
  assert.ok(i >= 0, `search finds ${id}`);
  await tap(page, '.hit', i);
  const rows = cells(page, '#reserve-table .row');
  const banner = text(page, '#demo-banner');
  page.detach();
  return { rows, banner };
}

for (const [label, files, worker] of [['GBK CSV folder', gbkFiles, true], ['xlsx workbook (engine on the main thread)', () => [XLSX], false]]) {
  test(`importing the ${label} gives the CLI's profile for the same data`, async () => {
    restart();
    const mock = installWx({ worker });
    const data = await renderPage('pages/data/index');
    assert.equal(require(path.join(MP, 'lib/engine.js')).mode(), worker ? 'worker' : 'local');
    assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
    await importFiles(data, mock, files());
    assert.match(text(data, '#summary'), /干部 3 人/);
    assert.equal(text(data, '#demo-banner'), null);
    assert.deepEqual(keptFiles(mock), files().map((f) => path.basename(f)).sort());
    assert.ok(mock.loading.includes('正在载入数据'), 'a progress indicator is shown while loading');
    if (worker) assert.ok(mock.loading.some((t) => /^正在载入 \d+%$/.test(t)), 'the worker reports load progress');
    assert.match(mock.toasts.at(-1), /已导入/);
    data.detach();
    const { rows, banner } = await profileTable('C2');
    assert.equal(banner, null);
    const dataArg = files().length > 1 ? GBK : XLSX;
    assert.deepEqual(rows, expectedTable(cli('profile', '--data', dataArg, '--cadre', 'C2')));
  });
}

test('a broken file shows its validation rows and keeps the earlier data; an unusable file never replaces a kept one; data survives a restart; clear empties it', async () => {
  restart();
  const mock = installWx({ worker: true });
  let data = await renderPage('pages/data/index');
  await importFiles(data, mock, [XLSX]);
  await importFiles(data, mock, [BROKEN]);

  // The broken file's bad rows, by row and column (its K2 and C3 rows are valid against basic.xlsx).
  const errors = data.querySelectorAll('.issue').filter((i) => i.dom.className.includes('err'));
  // Inside a page, classes carry the page's prefix (main--).
  const of = (el, cls) => { const x = el.dom.querySelector(`.main--${cls.slice(1)}`); return x ? x.textContent.trim() : ''; };
  const byRow = errors.filter((e) => of(e, '.file') === 'records.csv').map((e) => `${of(e, '.row')}:${of(e, '.column')}`);
  assert.deepEqual(byRow, ['3:干部编号', '4:日期', '5:成绩', '6:是否完成', '7:学时']);
  const second = errors.filter((e) => of(e, '.file') === 'records.csv')[1];
  assert.match(of(second, '.value'), /2024-13-01/);
  assert.ok(of(second, '.message').length > 0);
  assert.match(second.dom.textContent, /\(D4\)|\([A-Z]+4\)/, 'the Excel cell is shown');
  // The same issues as the CLI's validation of the same files.
  const v = cli('validate', '--data', XLSX, '--data', BROKEN);
  assert.deepEqual(errors.map((e) => of(e, '.message')), v.errors.map((e) => e.message));
  // Earlier data intact: still 3 cadres and all 7 records, plus the file's 3 good rows.
  assert.match(text(data, '#summary'), /干部 3 人/);
  assert.match(text(data, '#loaded-counts'), /records 10/);
  assert.deepEqual(keptFiles(mock), ['basic.xlsx', 'records.csv']);

  // A file the engine cannot use at all, under a kept file's name: not kept,
  // and the kept one stays, in ONE load (the engine leaves the junk file out
  // and loads again with the kept one). Without the kept basic.xlsx the kept
  // records.csv would be unusable too (its cadres are there): it is not
  // listed as rejected.
  const junkDir = tempDir('zhichu-junk-');
  const junk = path.join(junkDir, 'basic.xlsx');
  fs.writeFileSync(junk, 'this is not a workbook');
  const loads = () => mock.posted.filter((m) => m === 'load').length;
  const loadsBefore = loads();
  await importFiles(data, mock, [junk]);
  assert.equal(loads() - loadsBefore, 1, 'one load for the import');
  assert.equal(text(data, '#rejected'), '以下文件无法使用，未保存，原有数据不变：basic.xlsx');
  assert.deepEqual(require(path.join(MP, 'lib/state.js')).get().report.rejected, ['basic.xlsx']);
  assert.ok(data.querySelectorAll('.issue .file').some((f) => f.dom.textContent.trim() === 'basic.xlsx'), 'the unusable file\'s problem is shown');
  assert.ok(fs.readFileSync(path.join(mock.dir, 'zhichu', 'basic.xlsx')).equals(fs.readFileSync(XLSX)), 'the kept basic.xlsx is unchanged');
  assert.match(text(data, '#summary'), /干部 3 人/);
  assert.match(text(data, '#loaded-counts'), /records 10/);
  assert.match(mock.toasts.at(-1), /无法使用/);

  // A usable file under a kept file's name replaces it only when the user says so.
  const newerDir = tempDir('zhichu-newer-');
  const newer = path.join(newerDir, 'records.csv');
  fs.writeFileSync(newer, '干部编号,课程编号,日期,学时\nC1,K1,2024-01-05,10\n');
  const keptRecords = fs.readFileSync(path.join(mock.dir, 'zhichu', 'records.csv'));
  mock.confirm = false;
  await importFiles(data, mock, [newer]);
  assert.equal(mock.modals.at(-1), '替换已保存的文件');
  assert.match(mock.toasts.at(-1), /保留原有的同名文件/);
  assert.ok(fs.readFileSync(path.join(mock.dir, 'zhichu', 'records.csv')).equals(keptRecords), 'declined: the kept records.csv is unchanged');
  assert.match(text(data, '#loaded-counts'), /records 10/);
  mock.confirm = true;
  await importFiles(data, mock, [newer]);
  assert.match(text(data, '#loaded-counts'), /records 8/);
  assert.ok(fs.readFileSync(path.join(mock.dir, 'zhichu', 'records.csv')).equals(fs.readFileSync(newer)), 'confirmed: replaced');
  // Back to the broken file for the rest of the test.
  await importFiles(data, mock, [BROKEN]);
  assert.match(text(data, '#loaded-counts'), /records 10/);
  data.detach();

  // Restart: new modules and pages over the same folder.
  const want = expectedTable(cli('profile', '--data', XLSX, '--data', BROKEN, '--cadre', 'C2'));
  restart();
  installWx({ dir: mock.dir, worker: true });
  data = await renderPage('pages/data/index');
  assert.equal(text(data, '#demo-banner'), null);
  assert.match(text(data, '#summary'), /干部 3 人/);
  assert.deepEqual(data.querySelectorAll('.file-row .cell-main').map((f) => f.dom.textContent.trim()), ['basic.xlsx', 'records.csv']);
  const { rows } = await profileTable('C2');
  assert.deepEqual(rows, want);

  // Remove one file: the data is reloaded without it.
  await tap(data, '.file-row .link', 1);
  assert.deepEqual(keptFiles({ dir: mock.dir }), ['basic.xlsx']);
  assert.match(text(data, '#loaded-counts'), /records 7/);

  // Clear all: back to the demo, the folder empty, and so after another restart.
  await tap(data, '#clear');
  assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
  assert.deepEqual(keptFiles({ dir: mock.dir }), []);
  assert.match(text(data, '#summary'), /演示数据/);
  data.detach();
  restart();
  installWx({ dir: mock.dir, worker: true });
  data = await renderPage('pages/data/index');
  assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
  assert.equal(data.querySelectorAll('.file-row').length, 0);
  data.detach();
});

test('a file the engine cannot use, with nothing kept: the demo stays, with the file\'s problems; nothing is kept', async () => {
  restart();
  const mock = installWx({ worker: true });
  const data = await renderPage('pages/data/index');
  const junkDir = tempDir('zhichu-junk-');
  const junk = path.join(junkDir, 'records.csv');
  fs.writeFileSync(junk, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)));
  await importFiles(data, mock, [junk]);
  assert.equal(text(data, '#rejected'), '以下文件无法使用，未保存，原有数据不变：records.csv');
  assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
  assert.ok(data.querySelectorAll('.issue .file').some((f) => f.dom.textContent.trim() === 'records.csv'), 'the unusable file\'s problem is shown');
  assert.deepEqual(require(path.join(MP, 'lib/state.js')).get().report.rejected, ['records.csv']);
  assert.deepEqual(keptFiles(mock), []);
  assert.match(mock.toasts.at(-1), /无法使用/);
  data.detach();
});
