// A worker that dies: one that fails to start (onError: a script error, a
// wasm feature the phone lacks, out of memory) or never answers (the time
// limit, driven by a fake clock: no real seconds), and one the system
// reclaims again and again (onProcessKilled). Each ends in what the user
// sees: the loading mask gone, the message on the page, a 重试 button that
// works, or the smaller demo city, never 正在计算… forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { installWx, restart, renderPage, settle, tap, cells, text, cli, config, expectedTable, fakeClock, until, simulate, FIX, MP, require } from './harness.mjs';

const XLSX = path.join(FIX, 'basic.xlsx');
const want = () => expectedTable(cli('profile', '--data', XLSX, '--cadre', 'C2'));

/** A new launch with basic.xlsx kept and C2 chosen before; nothing loaded yet. The engine's clock is `clock`. */
function launch(setup = {}) {
  restart();
  const mock = installWx({ storage: new Map([['zhichu.cadre', 'C2']]) });
  Object.assign(mock, setup);
  const kept = path.join(mock.dir, config().STORE_DIR);
  fs.mkdirSync(kept, { recursive: true });
  fs.copyFileSync(XLSX, path.join(kept, 'basic.xlsx'));
  const clock = fakeClock();
  require(path.join(MP, 'lib/engine.js')).useClock(clock);
  const state = require(path.join(MP, 'lib/state.js'));
  return { mock, clock, state };
}

/** Renders 我的画像 without waiting for it (its first draw may wait on the clock). */
function attachProfile() {
  const id = simulate.load(path.join(MP, 'pages/profile/index'), { compiler: 'official', rootPath: MP });
  const comp = simulate.render(id);
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

test('a worker that fails to start: the load rejects with worker_error, the mask goes, the page says so and 重试 loads the data', async () => {
  const { mock, state } = launch({ brokenWorkers: 1 });
  const page = await renderPage('pages/profile/index');
  assert.equal(mock.masked, false, 'no mask left up');
  assert.equal(text(page, '#error'), `计算线程出错：${mock.workerError}`);
  assert.equal(text(page, '#retry'), '重试');
  assert.equal(mock.terminated, 1, 'the broken worker is ended');
  assert.equal(state.get().summary, null);
  await tap(page, '#retry');
  assert.equal(text(page, '#error'), null);
  assert.equal(page.querySelector('#retry'), undefined);
  assert.deepEqual(cells(page, '#reserve-table .row'), want());
  assert.equal(mock.workers.length, 2, 'one fresh worker');
  assert.deepEqual(mock.posted.filter((m) => m === 'load').length, 2, 'the load sent to each worker once');
  page.detach();
});

test('a worker that never answers: every waiting call rejects at the time limit (not before), the mask goes, 重试 works', async () => {
  const { mock, clock, state } = launch({ hang: true });
  const page = attachProfile();
  await until(() => mock.posted.includes('load'));
  assert.equal(mock.masked, true, '正在载入数据 under a mask');
  assert.equal(clock.pending(), 1, 'one time limit armed');
  const limit = config().WORKER_TIMEOUT_MS;
  clock.advance(limit - 1);
  for (let i = 0; i < 100; i++) await new Promise((r) => setImmediate(r)); // the page's draw still waits
  // Still waiting: the mask is up and nothing is shown as failed.
  assert.equal(mock.masked, true);
  assert.equal(mock.terminated, 0);
  assert.equal(text(page, '#error'), null);
  clock.advance(1);
  await page.instance.whenIdle();
  await settle(page);
  assert.equal(mock.masked, false);
  assert.equal(mock.terminated, 1, 'the silent worker is ended');
  assert.equal(text(page, '#error'), `计算线程 ${limit / 1000} 秒无响应，已停止`);
  assert.equal(text(page, '#retry'), '重试');
  assert.equal(clock.pending(), 0, 'no time limit left armed');
  mock.hang = false;
  await tap(page, '#retry');
  assert.equal(text(page, '#error'), null);
  assert.deepEqual(cells(page, '#reserve-table .row'), want());
  assert.equal(clock.pending(), 0, 'answered: the time limit is cleared');
  assert.equal(state.get().summary.cadres, 3);
  page.detach();
});

test('a long load that reports progress is not cut off: each message from the worker restarts the time limit', async () => {
  const { mock, clock, state } = launch({ hang: true });
  const loading = state.start().then(() => 'loaded', (e) => e);
  await until(() => mock.posted.includes('load'));
  const limit = config().WORKER_TIMEOUT_MS;
  for (const pct of [20, 60, 90]) {
    clock.advance(limit - 1);
    mock.say({ progress: pct });
    assert.equal(state.get().progress, pct);
  }
  clock.advance(limit - 1);
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  assert.equal(mock.terminated, 0, 'still alive after 4 × (limit − 1) ms with progress between');
  assert.equal(mock.masked, true);
  clock.advance(1);
  assert.equal((await loading).code, 'worker_timeout');
  assert.equal(mock.terminated, 1);
  assert.equal(mock.masked, false);
});

test('a worker that reports an error after the data loaded: the waiting question rejects, the next call reloads the kept data into a fresh worker', async () => {
  const { mock, clock, state } = launch();
  await state.start();
  const asked = state.call('profile', { cadre: 'C2' });
  mock.error('out of memory');
  await assert.rejects(asked, { code: 'worker_error', message: '计算线程出错：out of memory' });
  assert.equal(mock.terminated, 1);
  assert.equal(clock.pending(), 0);
  assert.deepEqual(expectedTable(await state.call('profile', { cadre: 'C2' })), want());
  assert.equal(mock.workers.length, 2);
  assert.deepEqual(mock.posted, ['load', 'cadres', 'profile', 'load', 'profile'], 'the kept file loaded into the fresh worker before the question');
});

test('the demo city\'s worker reclaimed 3 times in a row while loading: the smaller demo city is shown, the user is told why, and the next launch starts with it', async () => {
  restart();
  const mock = installWx();
  // A deployment that shows the larger city (lib/config.js: the default is already the small one).
  config().DEMO_SCALE = 'm';
  const state = require(path.join(MP, 'lib/state.js'));
  const started = state.start().then(() => 'loaded', (e) => e);
  for (let n = 1; n <= config().KILL_RETRIES + 1; n++) {
    await until(() => mock.posted.filter((m) => m === 'demo').length === n);
    mock.kill(); // before the worker answered
  }
  assert.equal((await started).code, 'worker_killed');
  await state.idle();
  await until(() => state.get().summary !== null);
  assert.equal(state.get().summary.demo, true);
  assert.equal(state.get().summary.cadres, 1000, 'the small demo city (s)');
  assert.deepEqual(mock.modals, ['手机内存不足']);
  assert.match(mock.modalOptions[0].content, /较小的演示城市/);
  assert.equal(mock.workers.length, config().KILL_RETRIES + 2);
  assert.equal(mock.posted.filter((m) => m === 'demo').length, config().KILL_RETRIES + 2, 'no loop: one more load, the small city');
  const page = await renderPage('pages/profile/index');
  assert.equal(text(page, '#error'), null);
  assert.equal(mock.masked, false);
  assert.ok(cells(page, '#reserve-table .row').length > 0, 'the small city is drawn');
  page.detach();
  // The next launch, same phone (its wx storage): the small city at once, no reclaim needed.
  restart();
  const again = installWx({ storage: mock.storage });
  config().DEMO_SCALE = 'm';
  const next = require(path.join(MP, 'lib/state.js'));
  await next.start();
  assert.equal(next.get().summary.cadres, 1000);
  assert.deepEqual(again.posted, ['demo', 'cadres']);
});

test('kept data whose worker is reclaimed again and again: after the retries the page says the phone lacks memory; reclaims between successful answers never stop it; 重试 loads again', async () => {
  const { mock, state } = launch();
  await state.start();
  // Reclaimed after each successful reload: never a run, always reloaded.
  for (let i = 0; i < config().KILL_RETRIES + 2; i++) {
    const loads = mock.posted.filter((m) => m === 'load').length;
    mock.kill();
    await until(() => mock.posted.filter((m) => m === 'load').length === loads + 1);
    await state.idle();
    assert.deepEqual(expectedTable(await state.call('profile', { cadre: 'C2' })), want());
  }
  const workers = mock.workers.length;
  // Now in a row, each while the reload waits.
  for (let n = 0; n <= config().KILL_RETRIES; n++) {
    const loads = mock.posted.filter((m) => m === 'load').length;
    mock.kill();
    if (n < config().KILL_RETRIES) await until(() => mock.posted.filter((m) => m === 'load').length === loads + 1);
  }
  await state.idle();
  assert.equal(mock.workers.length, workers + config().KILL_RETRIES + 1);
  const message = `手机内存不足：计算线程连续 ${config().KILL_RETRIES + 1} 次被系统回收，无法载入这些数据。请关闭其他应用后重试。`;
  await assert.rejects(state.call('profile', { cadre: 'C2' }), { code: 'out_of_memory', message });
  const page = await renderPage('pages/profile/index');
  assert.equal(text(page, '#error'), message);
  assert.equal(mock.masked, false);
  assert.equal(text(page, '#retry'), '重试');
  const loads = mock.posted.filter((m) => m === 'load').length;
  await tap(page, '#retry');
  assert.equal(text(page, '#error'), null);
  assert.deepEqual(cells(page, '#reserve-table .row'), want());
  assert.equal(mock.posted.filter((m) => m === 'load').length, loads + 1, 'the kept data loaded once into the fresh worker');
  page.detach();
});
