// A trap in the page's engine (a Rust panic: WebAssembly.RuntimeError out of
// the worker's module), in headless Chromium: the action that trapped shows
// its error, questions already waiting are refused, and the engine starts
// again in a new worker on what was loaded (the demo, or the kept files), so
// the 干部画像 search and profile — and 分析 — answer the same numbers
// without a reload; an import that traps is named with the trap; a reload
// that traps too stops with a message.
//
// Fault injection: the engine's `test_trap()` (src/wasm.rs; the product never
// calls it) panics while the engine is borrowed, as a real trap does. The
// test reaches the worker through the browser's debugging protocol and makes
// the next call of one of the wasm Engine's methods call it instead, so the
// trap happens inside a real question on the real engine object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIX, cli, context, open, upload } from './harness.mjs';

/** The page's engine worker (the newest: a terminated one may stay listed for a moment). */
const engineWorker = (page) => page.workers().filter((w) => new URL(w.url()).pathname === '/worker.js').at(-1);

/**
 * The next `name` call of module `glue`'s Engine, in the page's worker, traps
 * (once): one of the Engine's own methods (load), or a question (asked
 * through `ask(name, request)`).
 */
async function trapNext(page, name, glue = 'pkg/zhichu.js') {
  await engineWorker(page).evaluate(async ([name, glue]) => {
    const { Engine } = await import(new URL(glue, self.location.href).href);
    const method = name !== 'ask' && typeof Engine.prototype[name] === 'function' ? name : 'ask';
    const real = Engine.prototype[method];
    Engine.prototype[method] = function (...args) {
      if (method === 'ask' && args[0] !== name) return real.apply(this, args);
      Engine.prototype[method] = real;
      return this.test_trap();
    };
  }, [name, glue]);
}

const reserveRows = (page) => page.$$eval('#reserve-table tbody tr', (rows) => rows.map((r) => [...r.children].map((x) => x.textContent.trim())));

/** Searches a cadre in 干部画像, opens the profile and returns its reserve table (waits for a fresh draw). */
async function profileBySearch(page, id) {
  await page.click('#nav-profile');
  await page.evaluate(() => { delete document.body.dataset.profile; });
  await page.fill('#cadre-search', '');
  await page.fill('#cadre-search', id);
  await page.click(`#cadre-results button[data-cadre="${id}"]`);
  await page.waitForFunction((x) => document.body.dataset.profile === x && !document.querySelector('#profile').hidden, id);
  return reserveRows(page);
}

const expectedRows = (profile) => profile.dimensions.map((d) => [d.dimension, ...[[d.reserve, 1], [d.target, 0], [d.gap, 1], [d.percentile, 0], [d.peer_median, 1]].map(([x, k]) => (x === null || x === undefined ? '—' : x.toFixed(k)))]);

/** The rpc layer the page uses (the same module instance as the app's). */
const rpcAll = (page, calls) => page.evaluate(async (calls) => {
  const { rpc } = await import('/engine.js');
  const out = await Promise.allSettled(calls.map(([m, req]) => rpc(m, req)));
  return out.map((o) => (o.status === 'fulfilled' ? { ok: true } : { error: o.reason }));
}, calls);

test('a trap in a question: its error is shown, and the search and the profile answer the same numbers without a reload (demo, then kept files)', async () => {
  const ctx = await context();
  const page = await open(ctx, '?scale=s&nosw#cadre=C000001');
  await page.waitForFunction(() => document.body.dataset.profile === 'C000001');
  const demo = await reserveRows(page);
  assert.deepEqual(demo, expectedRows(cli('profile', '--scale', 's', '--cadre', 'C000001', '--json')));
  await page.evaluate(() => { window.sameDocument = true; });
  const first = engineWorker(page);

  // The profile traps: the cadre view says so.
  await trapNext(page, 'profile');
  await page.evaluate(() => { delete document.body.dataset.profile; });
  await page.fill('#cadre-search', 'C000001');
  await page.click('#cadre-results button[data-cadre="C000001"]');
  await page.waitForSelector('#profile-empty:not([hidden])');
  assert.match(await page.textContent('#profile-empty'), /^分析引擎内部错误（.+）$/);
  // The next search and profile answer, from a new worker with the demo at the same scale.
  assert.deepEqual(await profileBySearch(page, 'C000001'), demo);
  assert.notEqual(engineWorker(page), first);

  // Questions waiting when the engine traps are refused with a clear error; the next ones answer.
  await trapNext(page, 'profile');
  const [trapped, waiting] = await rpcAll(page, [['profile', { cadre: 'C000001' }], ['cadres', { query: '', limit: 1 }]]);
  assert.equal(trapped.error.code, 'engine_crash');
  assert.deepEqual(waiting.error, { code: 'restarted', message: '分析引擎出错后已重新启动，此操作未完成，请重试' });
  assert.deepEqual(await rpcAll(page, [['cadres', { query: 'C000001', limit: 1 }], ['profile', { cadre: 'C000001' }]]), [{ ok: true }, { ok: true }]);

  // With a kept file, the search itself traps: it says so, and the engine comes back on the kept file (C2 is in it only).
  await upload(page, [path.join(FIX, 'basic.xlsx')]);
  const kept = await profileBySearch(page, 'C2');
  assert.deepEqual(kept, expectedRows(cli('profile', '--data', path.join(FIX, 'basic.xlsx'), '--cadre', 'C2', '--json')));
  await trapNext(page, 'cadres');
  await page.fill('#cadre-search', 'C1');
  await page.waitForFunction(() => /搜索干部时出错：分析引擎内部错误/.test(document.querySelector('#toast').textContent));
  assert.deepEqual(await profileBySearch(page, 'C2'), kept);
  // An import that traps (as crafted workbooks did) is named with the trap, not kept, and the kept file answers.
  await trapNext(page, 'load');
  const said = await upload(page, [{ name: 'crafted.xlsb', mimeType: 'application/octet-stream', buffer: Buffer.from('crafted') }]);
  assert.match(said, /^导入「crafted\.xlsb」时出错：分析引擎内部错误（.+）。这些文件未导入，原有数据未受影响。$/);
  assert.doesNotMatch(await page.textContent('#file-list'), /crafted/);
  assert.deepEqual(await profileBySearch(page, 'C2'), kept);
  await page.click('#nav-data');
  assert.match(await page.textContent('#summary'), /干部 3 人/);

  assert.equal(await page.evaluate(() => window.sameDocument), true, 'no reload');
  // The console holds the deliberate panics and the search's error, nothing else ("recursive use of an object…" above all).
  const others = page.errors.filter((e) => !/test_trap: a deliberate trap/.test(e));
  assert.equal(others.length, 1, others.join('\n'));
  assert.match(others[0], /搜索干部时出错：分析引擎内部错误/);
  await ctx.close();
});

test('a trap in an SQL question of 分析: the error is shown under the query; the same query then answers, and so does the profile', async () => {
  const ctx = await context();
  const page = await open(ctx, '?scale=s&nosw#cadre=C000001');
  await page.waitForFunction(() => document.body.dataset.profile === 'C000001');
  const profile = await reserveRows(page);
  await page.click('#nav-analysis');
  await page.waitForSelector('body[data-analysis-ready]', { timeout: 120000 });
  const runs = () => page.evaluate(() => Number(document.body.dataset.analysisRuns || 0));
  const errors = () => page.evaluate(() => Number(document.body.dataset.analysisErrors || 0));
  const shown = () => page.$eval('#analysis-table', (t) => [...t.rows].map((r) => [...r.children].map((c) => c.textContent)));
  await page.fill('#sql-text', 'SELECT unit, year, SUM(hours) AS hours FROM records GROUP BY unit, year ORDER BY unit, year');
  let n = await runs();
  await page.click('#sql-run');
  await page.waitForFunction((k) => Number(document.body.dataset.analysisRuns || 0) > k, n, { timeout: 60000 });
  const table = await shown();

  await trapNext(page, 'sql', 'pkg/analysis/zhichu.js');
  const e0 = await errors();
  await page.click('#sql-run');
  await page.waitForFunction((k) => Number(document.body.dataset.analysisErrors || 0) > k, e0);
  assert.match(await page.textContent('#sql-error'), /^SQL出错：分析引擎内部错误（.+）$/);
  // The same question again: the new worker loads the analysis module again and answers as before.
  n = await runs();
  await page.click('#sql-run');
  await page.waitForFunction((k) => Number(document.body.dataset.analysisRuns || 0) > k, n, { timeout: 120000 });
  assert.deepEqual(await shown(), table);
  assert.equal(await page.isVisible('#sql-error'), false);
  assert.deepEqual(await profileBySearch(page, 'C000001'), profile);
  assert.deepEqual(page.errors.filter((e) => !/test_trap: a deliberate trap/.test(e)), []);
  await ctx.close();
});

test('a reload that traps too stops: one restart, then the page says so and every question is refused', async () => {
  const ctx = await context();
  const page = await open(ctx, '?scale=s&nosw');
  // From here on the engine module a new worker loads builds its demo and traps (the reload after a restart).
  let served = 0;
  await ctx.route('**/pkg/zhichu.js', async (route) => {
    served++;
    const response = await route.fetch();
    const body = `${await response.text()}
const demoThenTrap = Engine.demo;
Engine.demo = function (scale) { const e = demoThenTrap.call(this, scale); e.test_trap(); return e; };
`;
    await route.fulfill({ response, body });
  });
  await trapNext(page, 'profile');
  const [trapped] = await rpcAll(page, [['profile', { cadre: 'C000001' }]]);
  assert.equal(trapped.error.code, 'engine_crash');
  const [refused] = await rpcAll(page, [['cadres', { query: '', limit: 1 }]]);
  assert.deepEqual(refused.error, { code: 'engine_crash', message: '分析引擎重新启动后载入数据时再次出错，已停止；请刷新页面' });
  await page.waitForFunction(() => /再次出错/.test(document.querySelector('#toast').textContent));
  assert.equal(served, 1, 'one new worker, no restart loop');
  await ctx.close();
});
