// The kept files as a phone has them (issue 18): every file-system call on a
// page's path is asynchronous (the mock counts *Sync calls: none), an import
// sends the worker the new files' bytes and, for the kept files it already
// holds, their names only (a fresh worker gets everything); and a write that
// fails (WeChat's storage quota for the user-data folder) keeps nothing of
// that import or package: the files on disk stay as they were, the engine
// loads them again (what the pages show is what is kept), and 数据 says so.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { installWx, tempDir, restart, renderPage, tap, text, cli, run, expectedTable, keptFiles, config, FIX, MP, require } from './harness.mjs';

const XLSX = path.join(FIX, 'basic.xlsx');
const GBK = path.join(FIX, 'basic_gbk');
const gbkFiles = () => fs.readdirSync(GBK).sort().map((f) => path.join(GBK, f));
const state = () => require(path.join(MP, 'lib/state.js'));
/** Everything in the user-data folders, files written aside included. */
const onDisk = (mock, sub) => {
  const d = path.join(mock.dir, sub);
  return fs.existsSync(d) ? fs.readdirSync(d).sort() : [];
};
const usage = (d) => fs.readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? usage(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size), 0);
const loads = (mock) => mock.sent.filter((s) => s.method === 'load');

let W;
/** Small CSV files that add records to basic.xlsx (C1 takes K1 once more, on other dates). */
const records = (name, date, hours) => {
  const d = tempDir('zhichu-records-');
  const p = path.join(d, name);
  fs.writeFileSync(p, `干部编号,课程编号,日期,学时\nC1,K1,${date},${hours}\n`);
  return p;
};
let pkgA, pkgB;

before(() => {
  W = tempDir('zhichu-mp-storage-');
  run('demo', '--scale', 's', '--out', path.join(W, 'city'));
  fs.writeFileSync(path.join(W, 'pass'), 'passphrase-for-tests\n');
  fs.mkdirSync(path.join(W, 'k'));
  run('keygen', '--out', path.join(W, 'k/k.key'), '--passphrase-file', path.join(W, 'pass'));
  const personal = (cadre) => {
    run('personal', '--data', path.join(W, 'city'), '--key', path.join(W, 'k/k.key'), '--passphrase-file', path.join(W, 'pass'), '--issuer', '某市委组织部', '--out', path.join(W, cadre), '--cadres', cadre, '--no-code');
    return path.join(W, cadre, `${cadre}.zcpk`);
  };
  pkgA = personal('C000001');
  pkgB = personal('C000002');
});

async function importFiles(page, mock, files) {
  mock.chosen = files;
  await tap(page, '#import');
}

/** The engine's profile of C1 equals the CLI's for the files kept on disk: what is loaded is what is kept. */
async function loadedIsKept(mock) {
  const kept = keptFiles(mock).map((f) => path.join(mock.dir, config().STORE_DIR, f));
  assert.deepEqual(expectedTable(await state().call('profile', { cadre: 'C1' })), expectedTable(cli('profile', ...kept.flatMap((f) => ['--data', f]), '--cadre', 'C1')));
}

test('an import sends only what the worker lacks, a fresh worker gets everything; no *Sync file call on a page\'s path', async () => {
  restart();
  const mock = installWx({ worker: true });
  const data = await renderPage('pages/data/index'); // start: the demo
  await importFiles(data, mock, [XLSX]);
  assert.deepEqual(loads(mock).at(-1).files, [{ name: 'basic.xlsx', kept: false, bytes: fs.statSync(XLSX).size }]);

  // A second import: the kept basic.xlsx by name, the new file's bytes.
  const more = records('records.csv', '2024-01-05', 10);
  await importFiles(data, mock, [more]);
  assert.deepEqual(loads(mock).at(-1).files, [{ name: 'basic.xlsx', kept: true, held: true }, { name: 'records.csv', kept: false, bytes: fs.statSync(more).size }]);
  assert.match(text(data, '#loaded-counts'), /records 8/);
  await loadedIsKept(mock);

  // A replacement the user declines: the import's load holds the new
  // records.csv, so the load of what is kept sends the kept one's bytes.
  const other = records('records.csv', '2024-02-06', 4);
  mock.confirm = false;
  await importFiles(data, mock, [other]);
  const [tried, back] = loads(mock).slice(-2);
  assert.deepEqual(tried.files, [{ name: 'basic.xlsx', kept: true, held: true }, { name: 'records.csv', kept: true, held: true }, { name: 'records.csv', kept: false, bytes: fs.statSync(other).size }]);
  assert.deepEqual(back.files, [{ name: 'basic.xlsx', kept: true, held: true }, { name: 'records.csv', kept: true, bytes: fs.statSync(more).size }]);
  assert.ok(fs.readFileSync(path.join(mock.dir, 'zhichu', 'records.csv')).equals(fs.readFileSync(more)));
  await loadedIsKept(mock);

  // Confirmed: replaced; the next load sends nothing but names.
  mock.confirm = true;
  await importFiles(data, mock, [other]);
  assert.ok(fs.readFileSync(path.join(mock.dir, 'zhichu', 'records.csv')).equals(fs.readFileSync(other)));
  await tap(data, '.file-row .link', 1); // 移除 records.csv
  assert.deepEqual(loads(mock).at(-1).files, [{ name: 'basic.xlsx', kept: true, held: true }]);
  assert.match(text(data, '#loaded-counts'), /records 7/);
  await importFiles(data, mock, [other]);
  await loadedIsKept(mock);

  // The system reclaims the worker: the fresh one holds nothing, and gets every kept file's bytes.
  mock.kill();
  await state().idle();
  assert.equal(mock.workers.length, 2);
  assert.deepEqual(loads(mock).at(-1).files, [{ name: 'basic.xlsx', kept: true, bytes: fs.statSync(XLSX).size }, { name: 'records.csv', kept: true, bytes: fs.statSync(other).size }]);
  await loadedIsKept(mock);

  // 清除全部数据, and a new launch over the same folder (start reads what is kept).
  await tap(data, '#clear');
  assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
  assert.deepEqual(onDisk(mock, 'zhichu'), []);
  await importFiles(data, mock, [XLSX]);
  data.detach();
  restart();
  const again = installWx({ dir: mock.dir, worker: true });
  const page = await renderPage('pages/data/index');
  assert.match(text(page, '#summary'), /干部 3 人/);
  assert.deepEqual(again.syncCalls, [], 'start: no *Sync file call');
  page.detach();
  assert.deepEqual(mock.syncCalls, [], 'import, replace, remove, clear: no *Sync file call');
});

test('a write past the storage quota keeps nothing of that import: the kept files stay, the engine reloads them, 数据 says so', async () => {
  restart();
  const mock = installWx({ worker: true });
  const data = await renderPage('pages/data/index');
  const more = records('records.csv', '2024-01-05', 10);
  await importFiles(data, mock, [XLSX]);
  await importFiles(data, mock, [more]);
  assert.match(text(data, '#loaded-counts'), /records 8/);
  assert.equal(text(data, '#save-error'), null);

  // A replacement of records.csv (usable, confirmed) whose write goes past the quota.
  const other = records('records.csv', '2024-02-06', 4);
  mock.quota = usage(mock.dir) + fs.statSync(other).size - 1;
  await importFiles(data, mock, [other]);
  assert.deepEqual(onDisk(mock, 'zhichu'), ['basic.xlsx', 'records.csv'], 'nothing written aside is left');
  assert.ok(fs.readFileSync(path.join(mock.dir, 'zhichu', 'records.csv')).equals(fs.readFileSync(more)), 'the kept records.csv is unchanged');
  assert.match(text(data, '#loaded-counts'), /records 8/, 'the engine has what is kept, not the import');
  await loadedIsKept(mock);
  assert.match(text(data, '#save-error'), /^手机存储空间不足.*「records\.csv」未保存。本机保存的文件没有改变/);
  assert.equal(mock.toasts.at(-1), '存储空间不足，未保存');
  assert.deepEqual(data.querySelectorAll('.file-row .cell-main').map((f) => f.dom.textContent.trim()), ['basic.xlsx', 'records.csv']);

  // With room again the same import is kept; the message goes.
  mock.quota = Infinity;
  await importFiles(data, mock, [other]);
  assert.ok(fs.readFileSync(path.join(mock.dir, 'zhichu', 'records.csv')).equals(fs.readFileSync(other)));
  assert.equal(text(data, '#save-error'), null);
  await loadedIsKept(mock);
  data.detach();
});

test('several files, the quota reached part way: none is kept (those written are removed), the demo stays', async () => {
  restart();
  const mock = installWx({ worker: false }); // the main-thread engine: the same rule
  const data = await renderPage('pages/data/index');
  const files = gbkFiles();
  mock.quota = fs.statSync(files[0]).size + fs.statSync(files[1]).size + 10; // two files fit, the third does not
  await importFiles(data, mock, files);
  assert.deepEqual(onDisk(mock, 'zhichu'), [], 'the files written before the failure are removed');
  assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
  assert.equal(state().get().summary.demo, true);
  assert.match(text(data, '#save-error'), new RegExp(`^手机存储空间不足.*${files.map((f) => `「${path.basename(f)}」`).join('')}未保存`));
  assert.equal(data.querySelectorAll('.file-row').length, 0);
  mock.quota = Infinity;
  await importFiles(data, mock, files);
  assert.deepEqual(keptFiles(mock), files.map((f) => path.basename(f)).sort());
  assert.match(text(data, '#summary'), /干部 3 人/);
  assert.deepEqual(mock.syncCalls, []);
  data.detach();
});

test('a package that cannot be kept (storage full): the kept package stays and is what the engine holds; 数据 says so', async () => {
  restart();
  const mock = installWx({ worker: true });
  const data = await renderPage('pages/data/index');
  const open = async (file) => {
    mock.chosen = [file];
    await tap(data, '#open-package');
  };
  // No package kept yet and no room: nothing kept, the demo stays.
  mock.quota = usage(mock.dir) + 100;
  await open(pkgA);
  assert.deepEqual(onDisk(mock, 'zhichu-package'), []);
  assert.equal(state().get().personal, null);
  assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
  assert.equal((await state().call('summary')).demo, true, 'the engine is back on the demo');
  assert.match(text(data, '#package-error'), /^手机存储空间不足.*档案包未保存/);
  assert.equal(mock.toasts.at(-1), '档案包未保存');

  // With room: kept. Then another cadre's package (replace confirmed) with no room: the first stays.
  mock.quota = Infinity;
  await open(pkgA);
  assert.match(text(data, '#personal-mode'), /C000001/);
  const keptBytes = fs.readFileSync(path.join(mock.dir, 'zhichu-package', 'package.zcpk'));
  mock.quota = usage(mock.dir) + 100;
  await open(pkgB);
  assert.equal(mock.modals.at(-1), '替换本机的档案包', 'the replacement was confirmed before the write');
  assert.deepEqual(onDisk(mock, 'zhichu-package'), ['package.json', 'package.zcpk']);
  assert.ok(fs.readFileSync(path.join(mock.dir, 'zhichu-package', 'package.zcpk')).equals(keptBytes), 'the kept package is unchanged');
  assert.equal(state().get().personal.cadre_id, 'C000001');
  assert.equal((await state().call('summary')).package.cadre_id, 'C000001', 'the engine holds the kept package');
  assert.match(text(data, '#personal-mode'), /C000001/);
  assert.match(text(data, '#package-error'), /^手机存储空间不足.*档案包未保存/);
  // And after a restart the kept one opens.
  data.detach();
  restart();
  const again = installWx({ dir: mock.dir, storage: mock.storage, worker: true });
  const page = await renderPage('pages/data/index');
  assert.match(text(page, '#personal-mode'), /C000001/);
  await tap(page, '#clear');
  assert.deepEqual(onDisk(mock, 'zhichu-package'), []);
  page.detach();
  assert.deepEqual(mock.syncCalls, [], 'opening packages: no *Sync file call');
  assert.deepEqual(again.syncCalls, [], 'start and clear: no *Sync file call');
});

test('a replacement cut off between its renames (the old file aside, the new one not in place): the next start puts the old file back and loads it', async () => {
  restart();
  const mock = installWx({ worker: true });
  const kept = path.join(mock.dir, config().STORE_DIR);
  fs.mkdirSync(kept, { recursive: true });
  // As putAll leaves it when the mini-program ends after moving the kept file aside.
  fs.copyFileSync(XLSX, path.join(kept, '.old-basic.xlsx'));
  fs.writeFileSync(path.join(kept, '.tmp-basic.xlsx'), 'half-written');
  const data = await renderPage('pages/data/index');
  assert.deepEqual(onDisk(mock, config().STORE_DIR), ['.tmp-basic.xlsx', 'basic.xlsx']);
  assert.ok(fs.readFileSync(path.join(kept, 'basic.xlsx')).equals(fs.readFileSync(XLSX)));
  assert.equal(state().get().summary.demo, false, 'the kept file is loaded, not the demo');
  await loadedIsKept(mock);
  // A file aside whose successor is in place (cut off after the second rename) stays aside.
  fs.copyFileSync(path.join(GBK, gbkFiles().map((f) => path.basename(f))[0]), path.join(kept, '.old-basic.xlsx'));
  data.detach();
  restart();
  installWx({ dir: mock.dir, worker: true });
  const again = await renderPage('pages/data/index');
  assert.ok(fs.readFileSync(path.join(kept, 'basic.xlsx')).equals(fs.readFileSync(XLSX)), 'the file in place wins');
  await loadedIsKept(mock);
  again.detach();
});

test('a package being kept, cut off after the old one\'s meta was removed: the next start finishes it; 清除全部数据 leaves nothing to finish', async () => {
  for (const cut of ['before the bytes were renamed', 'after the bytes were renamed']) {
    restart();
    const mock = installWx({ worker: true });
    const data = await renderPage('pages/data/index');
    mock.chosen = [pkgA];
    await tap(data, '#open-package');
    assert.match(text(data, '#personal-mode'), /C000001/, cut);
    data.detach();
    // As putPackage leaves it, replacing A by B, when the mini-program ends at `cut`.
    const d = path.join(mock.dir, 'zhichu-package');
    const meta = JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8'));
    const infoB = Object.assign({}, meta.info, { cadre_id: 'C000002' });
    fs.writeFileSync(path.join(d, '.tmp-package.json'), JSON.stringify({ code: '', info: infoB }));
    fs.unlinkSync(path.join(d, 'package.json'));
    if (cut.startsWith('before')) fs.copyFileSync(pkgB, path.join(d, '.tmp-package.zcpk'));
    else fs.copyFileSync(pkgB, path.join(d, 'package.zcpk'));
    restart();
    const again = installWx({ dir: mock.dir, storage: mock.storage, worker: true });
    const page = await renderPage('pages/data/index');
    assert.match(text(page, '#personal-mode'), /C000002/, `${cut}: the new package is kept and open`);
    assert.deepEqual(onDisk(again, 'zhichu-package'), ['package.json', 'package.zcpk'], cut);
    assert.equal((await state().call('summary')).package.cadre_id, 'C000002', cut);
    // Cut off again, then cleared: nothing comes back at the next start.
    fs.copyFileSync(path.join(d, 'package.json'), path.join(d, '.tmp-package.json'));
    await tap(page, '#clear');
    page.detach();
    restart();
    installWx({ dir: mock.dir, storage: mock.storage, worker: true });
    const cleared = await renderPage('pages/data/index');
    assert.equal(text(cleared, '#personal-mode'), null, `${cut}: cleared stays cleared`);
    assert.equal(state().get().summary.demo, true, cut);
    cleared.detach();
  }
});
