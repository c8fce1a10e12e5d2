// A trap in the engine (a Rust panic: WebAssembly.RuntimeError) in the
// worker and on the main thread: that call rejects with engine_crash, calls
// already waiting are refused, and the next call answers on a fresh module
// instance with the kept data; 200 trapping imports in a row exhaust nothing;
// a reload that traps too ends in a message, not a loop.
//
// Fault injection: the engine's `test_trap()` (src/wasm.rs; the product never
// calls it) panics while the engine is borrowed, as a real trap does. Every
// host takes its own copy of the glue (`fresh()`), so the test wraps
// `fresh()`: each copy made afterwards traps on demand (`traps.profile = n`:
// the next n profiles; `traps.load = n`: the next n loads; a load always
// traps when a staged file's name ends in .xlsb, as crafted workbooks did)
// and keeps a weak reference to each copy's wasm memory (what a kept
// instance would exhaust), counted after a full garbage collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { installWx, restart, renderPage, settle, cells, text, cli, config, expectedTable, keptFiles, FIX, MP, require } from './harness.mjs';

const XLSX = path.join(FIX, 'basic.xlsx');
const want = () => expectedTable(cli('profile', '--data', XLSX, '--cadre', 'C2'));
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
/** The wasm memories still reachable, after a full collection (on a later turn: a WeakRef holds its target for the turn it was read in). */
async function liveMemories(traps) {
  await new Promise((r) => setImmediate(r));
  gc();
  return traps.memories.filter((m) => m.deref()).length;
}

function injectTraps(worker) {
  // The glue the host uses: the worker's, or the main thread's copy (lib/host/).
  const glue = require(path.join(MP, worker ? 'workers/engine/zhichu.js' : 'lib/host/zhichu.js'));
  const fresh = glue.fresh;
  const traps = { profile: 0, load: 0, copies: 0, memories: [] };
  const take = (k) => traps[k] > 0 && traps[k]-- > 0;
  glue.fresh = () => {
    const g = fresh();
    traps.copies++;
    const E = g.Engine.prototype;
    const { ask, load, add_file: addFile } = E;
    E.ask = function (name, ...a) { return name === 'profile' && take('profile') ? this.test_trap() : ask.call(this, name, ...a); };
    E.add_file = function (name, bytes) {
      if (/\.xlsb$/i.test(name)) this.crafted = true;
      return addFile.call(this, name, bytes);
    };
    E.load = function (...a) { return this.crafted || take('load') ? this.test_trap() : load.apply(this, a); };
    // (The copy's exports are getters: the host gets a copy of them with init wrapped.)
    return { ...g, init: (p) => g.init(p).then((wasm) => {
      traps.memories.push(new WeakRef(wasm.memory));
      return wasm;
    }) };
  };
  return traps;
}

/** A new launch with basic.xlsx kept (a reload takes milliseconds), the engine in a worker or not; the data loaded. */
async function launch(worker) {
  restart();
  const mock = installWx({ worker });
  const kept = path.join(mock.dir, config().STORE_DIR);
  fs.mkdirSync(kept, { recursive: true });
  fs.copyFileSync(XLSX, path.join(kept, 'basic.xlsx'));
  const traps = injectTraps(worker);
  const state = require(path.join(MP, 'lib/state.js'));
  await state.start();
  assert.equal(require(path.join(MP, 'lib/engine.js')).mode(), worker ? 'worker' : 'local');
  assert.equal(state.get().summary.cadres, 3);
  return { mock, traps, state };
}

const profileRows = async (state) => expectedTable(await state.call('profile', { cadre: 'C2' }));

for (const worker of [true, false]) {
  const where = worker ? 'in the worker' : 'on the main thread';

  test(`a trap ${where}: that call rejects with engine_crash, calls waiting are refused, the next call answers on a fresh instance`, async () => {
    const { mock, traps, state } = await launch(worker);
    assert.deepEqual(await profileRows(state), want());
    traps.profile = 1;
    const [trapped, waiting] = await Promise.allSettled([state.call('profile', { cadre: 'C2' }), state.call('cadres', { query: '', limit: 3 })]);
    assert.equal(trapped.status, 'rejected');
    assert.equal(trapped.reason.code, 'engine_crash');
    assert.match(trapped.reason.message, /引擎内部错误（.*unreachable.*）/);
    assert.equal(waiting.status, 'rejected');
    assert.deepEqual(waiting.reason, { code: 'restarted', message: '引擎出错后已重新启动，此操作未完成，请重试' });
    // Not "recursive use of an object…": a fresh instance, with the kept file loaded again.
    assert.deepEqual(await profileRows(state), want());
    assert.deepEqual((await state.call('cadres', { query: '', limit: 3 })).map((h) => h.cadre_id), ['C1', 'C2', 'C3']);
    assert.equal(traps.copies, 2, 'one more copy of the module');
    if (worker) {
      assert.equal(mock.workers.length, 2, 'a new worker');
      assert.equal(mock.terminated, 1, 'the old worker is ended');
    }
  });

  test(`200 trapping imports in a row ${where} exhaust nothing: the kept data still answer`, async () => {
    const { mock, traps, state } = await launch(worker);
    fs.writeFileSync(path.join(mock.dir, 'crafted.xlsb'), Buffer.from('crafted'));
    const panicked = console.error; // (each trap prints the panic)
    console.error = () => {};
    try {
      for (let i = 0; i < 200; i++) {
        await assert.rejects(state.importFiles([{ name: 'crafted.xlsb', path: 'wxfile://usr/crafted.xlsb' }]), { code: 'engine_crash' });
      }
    } finally {
      console.error = panicked;
    }
    assert.deepEqual(await profileRows(state), want());
    assert.deepEqual(keptFiles(mock), ['basic.xlsx']);
    assert.equal(state.get().summary.cadres, 3);
    // Each trap replaced the module instance, and nothing holds the old ones.
    assert.equal(traps.copies, 201);
    assert.equal(traps.memories.length, 201);
    assert.equal(await liveMemories(traps), 1, 'only the current instance is alive');
    if (worker) {
      assert.equal(mock.workers.length, 201);
      assert.equal(mock.terminated, 200, 'every trapped worker is ended');
    }
  });
}

test('a reload that traps too stops: one restart, then every call is refused with a message', async () => {
  const { mock, traps, state } = await launch(true);
  traps.profile = 1;
  traps.load = 1; // the reload into the fresh worker
  await assert.rejects(state.call('profile', { cadre: 'C2' }), { code: 'engine_crash' });
  await assert.rejects(state.call('cadres', { query: '', limit: 3 }), { code: 'engine_crash', message: '引擎重新启动后载入数据时再次出错，已停止；请重新打开小程序' });
  await assert.rejects(state.call('profile', { cadre: 'C2' }), { message: /再次出错/ });
  assert.equal(traps.copies, 2, 'no restart after the first');
  assert.equal(mock.workers.length, 2);
  assert.equal(mock.terminated, 2, 'the worker whose reload trapped is ended too');
});

test('我的画像: a trap shows its error; the next draw shows the same numbers without a restart of the mini-program', async () => {
  const { traps, state } = await launch(true);
  const page = await renderPage('pages/profile/index');
  state.setCadre('C2');
  await settle(page);
  assert.deepEqual(cells(page, '#reserve-table .row'), want());
  traps.profile = 1;
  state.setAsOf('');
  await settle(page);
  assert.match(text(page, '#error'), /引擎内部错误/);
  state.setAsOf('');
  await settle(page);
  assert.equal(text(page, '#error'), null);
  assert.deepEqual(cells(page, '#reserve-table .row'), want());
  page.detach();
});
