// 个人档案包 in the mini-program: a package chosen from a chat opens 本人模式
// with the CLI's numbers for that cadre; the issuer line and fingerprint are
// shown; bad input (wrong 提取码, a changed byte, not a package) keeps
// nothing; an unknown signer asks once per key, a trusted one never; another
// cadre's or an older package asks before replacing; a restart reopens
// 本人模式 and 清除全部数据 returns to the demo; the glue's opening paths
// never touch `crypto` (WeChat has none). Packages are made with the CLI.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { randomnessUses } from '../../scripts/build-miniprogram.mjs';
import { installWx, tempDir, restart, renderPage, tap, settle, cells, text, cli, run, xlsxStrings, expectedTable, MP, require } from './harness.mjs';

const CADRE = 'C000001';
const OTHER = 'C000002';
let W; // the work folder: city, keys, packages
let city, sealed, code, fingerprint, plain, otherCadre, older, stranger, strangerFingerprint;

const FP = /公钥指纹：([0-9a-f]{4}(?: [0-9a-f]{4}){7})/;

before(() => {
  W = tempDir('zhichu-mp-personal-');
  city = path.join(W, 'city');
  run('demo', '--scale', 's', '--out', city);
  const pass = path.join(W, 'pass');
  fs.writeFileSync(pass, 'passphrase-for-tests\n');
  fs.mkdirSync(path.join(W, 'k'));
  fs.mkdirSync(path.join(W, 'k2'));
  fingerprint = run('keygen', '--out', path.join(W, 'k/k.key'), '--passphrase-file', pass).match(FP)[1];
  strangerFingerprint = run('keygen', '--out', path.join(W, 'k2/k.key'), '--passphrase-file', pass).match(FP)[1];
  assert.notEqual(fingerprint, strangerFingerprint);
  const personal = (key, out, ...more) => {
    run('personal', '--data', city, '--key', path.join(W, key), '--passphrase-file', pass, '--issuer', '某市委组织部', '--out', path.join(W, out), ...more);
    return path.join(W, out);
  };
  const dir = personal('k/k.key', 'sealed', '--cadres', CADRE);
  sealed = path.join(dir, `${CADRE}.zcpk`);
  const strings = xlsxStrings(path.join(dir, '发放清单.xlsx'));
  code = strings.find((s) => /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(s));
  assert.ok(code, `a 提取码 in 发放清单.xlsx: ${strings}`);
  plain = path.join(personal('k/k.key', 'plain', '--cadres', CADRE, '--no-code'), `${CADRE}.zcpk`);
  otherCadre = path.join(personal('k/k.key', 'other', '--cadres', OTHER, '--no-code'), `${OTHER}.zcpk`);
  older = path.join(personal('k/k.key', 'older', '--cadres', CADRE, '--no-code', '--as-of', '2024-12-31'), `${CADRE}.zcpk`);
  stranger = path.join(personal('k2/k.key', 'stranger', '--cadres', CADRE, '--no-code'), `${CADRE}.zcpk`);
});

const TRUSTED = path.join(MP, 'config/trusted-issuers.js');
/** A fresh launch whose config/trusted-issuers.js lists `list` (the shipped file is left as it is). */
function launch(list, opts) {
  restart();
  require.cache[TRUSTED] = { id: TRUSTED, filename: TRUSTED, loaded: true, exports: list, children: [], paths: [] };
  return installWx(opts);
}

const pkgDir = (mock) => path.join(mock.dir, 'zhichu-package');
const keptPackage = (mock) => (fs.existsSync(pkgDir(mock)) ? fs.readdirSync(pkgDir(mock)).sort() : []);
const state = () => require(path.join(MP, 'lib/state.js'));

async function open(page, mock, file, answers = []) {
  mock.chosen = [file];
  mock.answers = answers.slice();
  const modals = mock.modals.length;
  await tap(page, '#open-package');
  assert.equal(mock.answers.length, 0, 'every expected question was asked');
  return mock.modals.slice(modals);
}

test('a sealed package from a trusted issuer opens 本人模式 with the CLI\'s numbers for that cadre', async () => {
  const mock = launch([{ name: '某市委组织部', fingerprint: fingerprint.toUpperCase().replace(/ /g, '') }], { worker: true });
  const data = await renderPage('pages/data/index');
  assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
  const asked = await open(data, mock, sealed, [{ confirm: true, content: code.toLowerCase() }]);
  assert.deepEqual(asked, ['输入提取码'], 'a trusted issuer: no warning, only the code');
  assert.equal(mock.modalOptions.at(-1).editable, true);
  assert.equal(text(data, '#package-error'), null);
  assert.equal(text(data, '#demo-banner'), null);
  // What the CLI says is inside (its JSON comes first, a summary line after it).
  const inside = JSON.parse(run('personal', 'inspect', sealed, '--code', code).replace(/\n\}[^}]*$/, '\n}'));
  const issued = inside.issued;
  assert.equal(inside.cadre_id, CADRE);
  assert.equal(text(data, '#package-issuer'), `由 某市委组织部 签发 · ${issued} · 公钥指纹 ${fingerprint}`);
  assert.match(text(data, '#package-trust'), /受信任的签发单位：某市委组织部/);
  assert.match(text(data, '#personal-mode'), new RegExp(`本人模式.*${CADRE}`));
  assert.match(text(data, '#summary'), /干部 1 人/);
  assert.equal(data.querySelector('#import'), undefined, 'no import in 本人模式');
  assert.deepEqual(keptPackage(mock), ['package.json', 'package.zcpk']);
  assert.equal(state().get().personal.cadre_id, CADRE);
  data.detach();

  // 我的画像: that cadre, no search, the CLI's numbers on the full city (and from the package).
  const want = cli('profile', '--data', city, '--cadre', CADRE);
  assert.deepEqual(cli('profile', '--data', sealed, '--code', code, '--cadre', CADRE).dimensions, want.dimensions);
  const profile = await renderPage('pages/profile/index');
  assert.equal(profile.querySelector('#search'), undefined, 'no search box in 本人模式');
  assert.equal(profile.querySelector('#as-of-picker'), undefined, 'the package answers at its own date only');
  assert.match(text(profile, '#personal-banner'), new RegExp(`某市委组织部 签发 · ${issued} · 公钥指纹 ${fingerprint}`));
  assert.equal(text(profile, '#cadre .title'), want.cadre.name);
  assert.equal(text(profile, '#as-of'), want.as_of);
  assert.deepEqual(cells(profile, '#reserve-table .row'), expectedTable(want));
  const radar = profile.instance.chartOptions.radar.series[0].data;
  assert.deepEqual(radar.map((s) => s.name), ['储备度', '岗位目标', '同职级中位数']);
  assert.deepEqual(radar[0].value, want.dimensions.map((d) => +d.reserve.toFixed(1)));
  assert.deepEqual(radar[1].value, want.dimensions.map((d) => d.target ?? 0));
  assert.deepEqual(radar[2].value, want.dimensions.map((d) => +(d.peer_median ?? 0).toFixed(1)));
  assert.deepEqual(profile.querySelectorAll('.gap-head').map((g) => g.dom.dataset.dim), want.gaps_ranked);
  assert.deepEqual(profile.instance.chartOptions.trend.xAxis.data, want.trend.map((t) => t.date));
  profile.detach();

  // 推荐 and the predicted radar.
  const recs = cli('recommend', '--data', city, '--cadre', CADRE);
  const rec = await renderPage('pages/recommend/index');
  assert.deepEqual(rec.querySelectorAll('.rec').map((r) => r.dom.dataset.course), recs.recommendations.map((r) => r.course_id));
  assert.equal(text(rec, '.rec .reason'), recs.recommendations[0].reason);
  await tap(rec, '.rec', 0);
  const sim = cli('simulate', '--data', city, '--cadre', CADRE, '--course', recs.recommendations[0].course_id);
  const after = rec.querySelector('#radar').instance.option.series[0].data[3];
  assert.equal(after.name, '学习后（预测）');
  assert.deepEqual(after.value, sim.after.map((x) => +x.toFixed(1)));
  rec.detach();

  // 学时.
  const hours = cli('hours', '--data', city, '--cadre', CADRE);
  const hp = await renderPage('pages/hours/index');
  const rules = hp.querySelectorAll('.rule');
  assert.deepEqual(rules.map((r) => r.dom.dataset.rule), hours.rules.map((r) => r.rule_id));
  hours.rules.forEach((r, i) => assert.ok(rules[i].dom.textContent.replace(/\s+/g, ' ').includes(`${r.earned_hours.toFixed(1)} / ${r.required_hours} 学时`)));
  hp.detach();

  // 电子档案.
  const archive = cli('archive', '--data', city, '--cadre', CADRE);
  const ap = await renderPage('packageCadre/pages/archive/index');
  const entries = ap.querySelectorAll('.entry');
  assert.equal(entries.length, archive.length);
  assert.ok(entries.length > 0);
  archive.forEach((a, i) => assert.ok(entries[i].dom.textContent.includes(a.date) && entries[i].dom.textContent.includes(a.title)));
  ap.detach();

  // 单位: nothing in 本人模式 (and no whole-city call made).
  const unit = await renderPage('pages/unit/index');
  assert.match(text(unit, '#personal-mode'), /本人模式.*不显示/);
  assert.equal(unit.querySelector('#compliance'), undefined);
  assert.equal(text(unit, '#error'), null);
  unit.detach();
});

test('bad input keeps nothing: wrong 提取码, a changed byte, not a package; an unknown issuer asks once per key', async () => {
  const mock = launch([], { worker: false });
  const data = await renderPage('pages/data/index');
  const nothingKept = () => {
    assert.deepEqual(keptPackage(mock).filter((f) => !f.startsWith('.tmp-')), []);
    assert.equal(state().get().personal, null);
    assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
  };

  // Wrong code: the warning (fingerprint shown), then the code, then 提取码不正确.
  let asked = await open(data, mock, sealed, [{ confirm: true }, { confirm: true, content: 'ABCD-EFGH-JKMN' }]);
  assert.deepEqual(asked, ['未知的签发单位', '输入提取码']);
  assert.ok(mock.modalOptions.at(-2).content.includes(fingerprint), 'the warning shows the fingerprint');
  assert.equal(text(data, '#package-error'), '提取码不正确');
  nothingKept();
  assert.equal(mock.storage.get('zhichu.acceptedIssuers'), undefined, 'a package that did not open does not remember its key');

  // One changed byte: 签名不符, asked nothing.
  const changedDir = tempDir('zhichu-changed-');
  const changed = path.join(changedDir, 'C000001.zcpk');
  const bytes = fs.readFileSync(sealed);
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  fs.writeFileSync(changed, bytes);
  asked = await open(data, mock, changed);
  assert.deepEqual(asked, []);
  assert.equal(text(data, '#package-error'), '档案包已被改动或损坏（签名不符）');
  nothingKept();

  // Not a package.
  const junk = path.join(changedDir, 'junk.zcpk');
  fs.writeFileSync(junk, 'PK\u0003\u0004 this is not a package');
  asked = await open(data, mock, junk);
  assert.deepEqual(asked, []);
  assert.match(text(data, '#package-error'), /不是知储个人档案包/);
  nothingKept();

  // An unknown signer, declined: nothing kept, not remembered.
  asked = await open(data, mock, stranger, [{ confirm: false }]);
  assert.deepEqual(asked, ['未知的签发单位']);
  assert.ok(mock.modalOptions.at(-1).content.includes(strangerFingerprint));
  nothingKept();

  // The right code after accepting the warning: opened, the key remembered.
  asked = await open(data, mock, sealed, [{ confirm: true }, { confirm: true, content: code }]);
  assert.deepEqual(asked, ['未知的签发单位', '输入提取码']);
  assert.equal(text(data, '#package-error'), null);
  assert.match(text(data, '#package-trust'), /不在受信任名单中/);
  assert.deepEqual(keptPackage(mock), ['package.json', 'package.zcpk']);
  assert.equal(mock.storage.get('zhichu.acceptedIssuers').length, 1);

  // The same key again: no warning. Another cadre's package asks before replacing; declined → the kept one stays.
  asked = await open(data, mock, otherCadre, [{ confirm: false }]);
  assert.deepEqual(asked, ['替换本机的档案包'], 'the accepted key is not asked about again');
  assert.match(mock.modalOptions.at(-1).content, new RegExp(`${CADRE}.*${OTHER}`));
  assert.equal(state().get().personal.cadre_id, CADRE);
  assert.ok(fs.readFileSync(path.join(pkgDir(mock), 'package.zcpk')).equals(fs.readFileSync(sealed)));
  assert.match(text(data, '#personal-mode'), new RegExp(CADRE));

  // An older package (same issue date, earlier as-of) for the same cadre asks too; declined → kept.
  asked = await open(data, mock, older, [{ confirm: false }]);
  assert.deepEqual(asked, ['替换本机的档案包']);
  assert.match(mock.modalOptions.at(-1).content, /旧/);
  assert.equal(state().get().personal.as_of, cli('profile', '--data', city, '--cadre', CADRE).as_of);
  assert.ok(fs.readFileSync(path.join(pkgDir(mock), 'package.zcpk')).equals(fs.readFileSync(sealed)));

  // The same package signed-only (same dates): replaces silently. Then another cadre, accepted.
  asked = await open(data, mock, plain);
  assert.deepEqual(asked, []);
  assert.ok(fs.readFileSync(path.join(pkgDir(mock), 'package.zcpk')).equals(fs.readFileSync(plain)));
  asked = await open(data, mock, otherCadre, [{ confirm: true }]);
  assert.deepEqual(asked, ['替换本机的档案包']);
  assert.equal(state().get().personal.cadre_id, OTHER);
  assert.equal(state().get().cadre, OTHER);
  data.detach();
});

test('a restart reopens 本人模式, so do a reclaimed worker and a trap; 清除全部数据 returns to the demo', async () => {
  let mock = launch([], { worker: true });
  let data = await renderPage('pages/data/index');
  await open(data, mock, sealed, [{ confirm: true }, { confirm: true, content: code }]);
  assert.match(text(data, '#personal-mode'), new RegExp(CADRE));
  data.detach();

  const want = expectedTable(cli('profile', '--data', city, '--cadre', CADRE));
  mock = launch([], { dir: mock.dir, storage: mock.storage, worker: true });
  data = await renderPage('pages/data/index');
  assert.equal(text(data, '#demo-banner'), null);
  assert.match(text(data, '#personal-mode'), new RegExp(CADRE));
  assert.match(text(data, '#package-issuer'), new RegExp(`公钥指纹 ${fingerprint}`));
  const profile = await renderPage('pages/profile/index');
  assert.equal(profile.querySelector('#search'), undefined);
  assert.deepEqual(cells(profile, '#reserve-table .row'), want);

  // The system reclaims the worker: the package is reopened, not the demo.
  mock.kill();
  await state().idle();
  await settle(profile);
  assert.equal(mock.workers.length, 2);
  assert.deepEqual(cells(profile, '#reserve-table .row'), want);
  assert.equal(state().get().personal.cadre_id, CADRE);
  profile.detach();
  data.detach();

  // A trap on the main thread (fault injection as in crash.test.mjs): the fresh engine reopens the package.
  mock = launch([], { dir: mock.dir, storage: mock.storage, worker: false });
  const glue = require(path.join(MP, 'lib/host/zhichu.js')); // the main thread's copy of the glue
  const fresh = glue.fresh;
  let trapOnce = 1;
  glue.fresh = () => {
    const g = fresh();
    const { ask: real } = g.Engine.prototype;
    g.Engine.prototype.ask = function (name, ...a) { return name === 'profile' && trapOnce-- > 0 ? this.test_trap() : real.call(this, name, ...a); };
    return g;
  };
  await state().start();
  const panicked = console.error; // (the trap prints the panic)
  console.error = () => {};
  try {
    await assert.rejects(state().call('profile', { cadre: CADRE }), { code: 'engine_crash' });
  } finally {
    console.error = panicked;
  }
  assert.deepEqual(expectedTable(await state().call('profile', { cadre: CADRE })), want);
  assert.equal((await state().call('summary')).package.cadre_id, CADRE, 'the restarted engine holds the package, not the demo');
  data = await renderPage('pages/data/index');

  // Clear: back to the demo, the package and the accepted keys gone, and so after another restart.
  await tap(data, '#clear');
  assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
  assert.equal(text(data, '#personal-mode'), null);
  assert.ok(data.querySelector('#import'), 'import is offered again');
  assert.deepEqual(keptPackage(mock), []);
  assert.equal(mock.storage.get('zhichu.acceptedIssuers'), undefined);
  data.detach();
  mock = launch([], { dir: mock.dir, storage: mock.storage, worker: true });
  data = await renderPage('pages/data/index');
  assert.match(text(data, '#demo-banner'), /演示数据（虚构）/);
  const unit = await renderPage('pages/unit/index');
  assert.equal(text(unit, '#personal-mode'), null);
  assert.ok(unit.querySelector('#compliance'));
  unit.detach();
  data.detach();
});

test('before base library 2.17.1 (no input in a modal) the 提取码 is typed into the page', async () => {
  const mock = launch([{ name: '某市委组织部', fingerprint }], { worker: false, sdk: '2.16.0' });
  const data = await renderPage('pages/data/index');
  mock.chosen = [sealed];
  data.querySelector('#open-package').dispatchEvent('tap');
  // The opening waits for the code: wait (turn by turn) until the page asks.
  while (!data.instance.data.askingCode) await new Promise((r) => setImmediate(r));
  assert.deepEqual(mock.modals, [], 'no modal: a trusted issuer, and the code is asked in the page');
  assert.match(text(data, '#package-pending'), new RegExp(fingerprint));
  data.querySelector('#code-input').dispatchEvent('input', { detail: { value: code.replace(/-/g, ' ') } });
  data.querySelector('#code-ok').dispatchEvent('tap');
  await settle(data);
  await state().idle();
  await settle(data);
  assert.equal(text(data, '#package-error'), null);
  assert.match(text(data, '#personal-mode'), new RegExp(CADRE));
  assert.equal(data.querySelector('#code-form'), undefined);
  // Cancelled: nothing changes.
  mock.chosen = [sealed];
  data.querySelector('#open-package').dispatchEvent('tap');
  while (!data.instance.data.askingCode) await new Promise((r) => setImmediate(r));
  data.querySelector('#code-cancel').dispatchEvent('tap');
  await settle(data);
  await state().idle();
  await settle(data);
  assert.match(mock.toasts.at(-1), /未打开/);
  assert.match(text(data, '#personal-mode'), new RegExp(CADRE));
  data.detach();
});

test('opening a package never reaches for crypto or getRandomValues (WeChat has no crypto global)', async () => {
  // Statically (the build's own check): no code of the glue names them (comments aside), and the wasm imports nothing random.
  const glue = fs.readFileSync(path.join(MP, 'workers/engine/zhichu.js'), 'utf8');
  const wasm = zlib.brotliDecompressSync(fs.readFileSync(path.join(MP, 'engine/zhichu_bg.wasm.br')));
  assert.deepEqual(randomnessUses(glue, wasm), []);
  assert.ok(WebAssembly.Module.imports(new WebAssembly.Module(wasm)).length > 0);
  // The check sees through to code (not comments) and to the wasm's imports.
  assert.deepEqual(randomnessUses(`${glue}\nfunction r(b) { globalThis.crypto.getRandomValues(b); }`), ['glue: crypto', 'glue: getRandomValues']);
  assert.deepEqual(randomnessUses('/** needs no crypto */ f();'), []);

  // At run time: with `crypto` gone from the global object (as on a phone), header, open and the pages' calls work.
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  let touched = 0;
  Object.defineProperty(globalThis, 'crypto', { configurable: true, get() { touched++; return undefined; } });
  try {
    restart();
    installWx({ worker: false });
    const host = require(path.join(MP, 'workers/engine/host.js')).createHost();
    const bytes = fs.readFileSync(sealed);
    const header = await host.call('packageHeader', [bytes]);
    assert.equal(header.sealed, true);
    assert.equal(header.fingerprint, fingerprint);
    await assert.rejects(host.call('openPackage', [bytes, 'ABCD-EFGH-JKMN']), { code: 'wrong_code', message: '提取码不正确' });
    await assert.rejects(host.call('openPackage', [bytes]), { code: 'code_required' });
    const res = await host.call('openPackage', [bytes, code]);
    assert.equal(res.summary.package.cadre_id, CADRE);
    for (const [m, a] of [['profile', { cadre: CADRE }], ['recommend', { cadre: CADRE }], ['hours', { cadre: CADRE }], ['archive', { cadre: CADRE }], ['cadres', { query: '', limit: 5 }], ['units', undefined]]) {
      await host.call(m, a === undefined ? [] : [a]);
    }
    await assert.rejects(host.call('compliance', [{}]), { code: 'personal_mode' });
    const signedOnly = await host.call('openPackage', [fs.readFileSync(plain)]);
    assert.equal(signedOnly.summary.package.sealed, false);
    assert.equal(touched, 0, 'crypto was never read');
  } finally {
    if (saved) Object.defineProperty(globalThis, 'crypto', saved);
    else delete globalThis.crypto;
  }
});
