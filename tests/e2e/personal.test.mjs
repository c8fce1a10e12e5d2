// 个人档案包 on the page, in headless Chromium: a package made by the CLI
// opens 本人模式 with the CLI's numbers for its cadre, kept across a reload
// and gone with 清除全部数据; bad packages (wrong 提取码, a changed byte, a
// cut file, another cadre's, an older one) load and keep nothing unasked; an
// untrusted signer needs consent, remembered per key; and 生成个人档案包
// makes, from imported data, packages the CLI opens to the city's numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { FIX, ROOT, cli, cliDir, context, open } from './harness.mjs';
import { keygen, personal, issueList, unzip, cliPackage } from './packages.mjs';

const AXE = path.join(ROOT, 'node_modules/axe-core/axe.min.js');

const key = keygen();
const pk = personal(key, ['C000001', 'C000002']);
const older2 = personal(key, ['C000002'], { asOf: '2025-06-30' });

/** The reserve table as the CLI's profile would be shown (as app.test.mjs). */
function expected(profile) {
  const f = (x, d) => (x === null || x === undefined ? '—' : x.toFixed(d));
  return profile.dimensions.map((d) => [d.dimension, f(d.reserve, 1), f(d.target, 0), f(d.gap, 1), f(d.percentile, 0), f(d.peer_median, 1)]);
}
const table = (page) => page.$$eval('#reserve-table tbody tr', (rows) => rows.map((r) => [...r.children].map((x) => x.textContent.trim())));

/** A context whose trusted-issuers.json lists `keys` (the shipped file is empty). */
async function trustingContext(keys, opts = {}) {
  const ctx = await context(opts);
  await ctx.route('**/trusted-issuers.json', (r) => r.fulfill({ contentType: 'application/json', body: JSON.stringify(keys.map((k) => ({ name: '某市委组织部', fingerprint: k.fingerprint }))) }));
  return ctx;
}

/** Picks files on the 数据 tab; resolves once the import is over. Dialogs are handled by `during` (started before the import ends). */
async function upload(page, name, buffer, during = async () => {}) {
  await page.click('#nav-data');
  const n = await page.evaluate(() => Number(document.body.dataset.imports || 0));
  await page.setInputFiles('#file-input', [{ name, mimeType: 'application/octet-stream', buffer }]);
  await during();
  await page.waitForFunction((k) => Number(document.body.dataset.imports || 0) > k, n);
  return page.textContent('#import-status');
}

/** Types a 提取码 into the open dialog and submits it. */
async function enterCode(page, code) {
  await page.waitForSelector('#code-dialog[open]');
  await page.fill('#code-input', code);
  await page.click('#code-ok');
}

/** The personal package kept in IndexedDB (its meta), or null. */
const keptPackage = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const req = indexedDB.open('zhichu', 2);
  req.onupgradeneeded = () => { for (const s of ['files', 'package']) if (!req.result.objectStoreNames.contains(s)) req.result.createObjectStore(s, s === 'files' ? { keyPath: 'name' } : undefined); };
  req.onsuccess = () => {
    const g = req.result.transaction('package').objectStore('package').get('current');
    g.onsuccess = () => { req.result.close(); resolve(g.result ? g.result.meta : null); };
    g.onerror = () => reject(g.error);
  };
  req.onerror = () => reject(req.error);
}));

async function waitProfile(page, id) {
  await page.click('#nav-profile');
  await page.waitForFunction((x) => document.body.dataset.profile === x && !document.querySelector('#profile').hidden, id);
}

async function axe(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`), [], `${where}: axe violations`);
}

test('a package from the CLI opens 本人模式 with its numbers, kept over a reload until 清除全部数据', async () => {
  const ctx = await trustingContext([key], { bypassCSP: true });
  const page = await open(ctx, '?scale=s&nosw');
  const { bytes, code, file } = pk.C000001;
  let said = await upload(page, 'C000001.zcpk', bytes, async () => {
    // The code is asked in a dialog (axe-clean); a wrong one is said so there, and the dialog stays.
    await page.waitForSelector('#code-dialog[open]');
    await axe(page, 'the 提取码 dialog');
    await enterCode(page, 'AAAA-BBBB-CCCC');
    await page.waitForFunction(() => document.querySelector('#code-error').textContent.includes('提取码不正确'));
    assert.equal(await page.isVisible('#code-dialog'), true);
    await enterCode(page, code.toLowerCase().replace(/-/g, ' ')); // any case, dashes or spaces
  });
  assert.match(said, /已打开个人档案包「C000001\.zcpk」/);
  const line = new RegExp(`由 某市委组织部 签发 · \\d{4}-\\d\\d-\\d\\d · 公钥指纹 ${key.fingerprint}`);
  assert.match(said, line);
  assert.match(await page.textContent('#summary'), line);

  // 干部画像: the CLI's numbers for this cadre from the same package, no search, the date fixed.
  await waitProfile(page, 'C000001');
  const want = cliPackage('profile', file, code, 'C000001');
  assert.deepEqual(await table(page), expected(want));
  assert.match(await page.textContent('#p-issuer'), line);
  assert.equal(await page.isVisible('#p-issuer'), true);
  assert.equal(await page.isVisible('#cadre-search'), false);
  assert.equal(await page.$eval('#as-of', (e) => e.disabled), true);
  assert.equal(await page.inputValue('#as-of'), want.as_of);
  const recs = cliPackage('recommend', file, code, 'C000001').recommendations;
  await page.waitForFunction((n) => document.querySelectorAll('#recs .rec').length === n, recs.length);
  assert.deepEqual(await page.$$eval('#recs .rec', (els) => els.map((e) => e.dataset.course)), recs.map((r) => r.course_id));
  const archive = cliPackage('archive', file, code, 'C000001');
  assert.equal(await page.$$eval('#archive tbody tr', (r) => r.length), (archive.records ?? archive).length);
  assert.equal(await page.isVisible('#demo-banner'), false);

  // The city's tabs show nothing and say why.
  for (const tab of ['unit', 'plan', 'analysis']) {
    await page.click(`#nav-${tab}`);
    assert.equal(await page.isVisible(`#tab-${tab} .personal-note`), true, `${tab} says 本人模式`);
    assert.match(await page.textContent(`#tab-${tab} .personal-note`), /个人档案包只含本人的数据/);
  }
  assert.equal(await page.isVisible('#unit-body'), false);
  assert.equal(await page.isVisible('#unit-select'), false);
  assert.equal(await page.evaluate(() => document.body.dataset.unitReady), undefined, 'the unit views were never asked');
  await axe(page, '本人模式, 分析');
  await page.click('#nav-data');
  assert.equal(await page.isVisible('#gen-card'), false, 'no generation from a package');
  assert.equal((await keptPackage(page)).cadre_id, 'C000001');

  // A reload reopens the kept package.
  await page.reload();
  await page.waitForSelector('body[data-ready][data-personal]');
  await waitProfile(page, 'C000001');
  assert.deepEqual(await table(page), expected(want));
  assert.match(await page.textContent('#p-issuer'), line);
  assert.equal(await page.isVisible('#cadre-search'), false);

  // 清除全部数据: back to the demo, search and all.
  await page.click('#nav-data');
  page.once('dialog', (d) => d.accept());
  await page.click('#clear-all');
  await page.waitForFunction(() => !document.body.dataset.personal && !document.querySelector('#demo-banner').hidden);
  assert.equal(await keptPackage(page), null);
  await page.click('#nav-profile');
  assert.equal(await page.isVisible('#cadre-search'), true);
  assert.equal(await page.$eval('#as-of', (e) => e.disabled), false);
  assert.deepEqual(page.errors.filter((e) => !/personal_mode/.test(e)), []);
  await ctx.close();
});

test('bad packages load and keep nothing; another cadre or an older package replaces only when asked', async () => {
  const ctx = await trustingContext([key]);
  const page = await open(ctx, '?scale=s&nosw');
  const { bytes, code } = pk.C000001;

  // Wrong code, then 取消: nothing opened, nothing kept.
  let said = await upload(page, 'C000001.zcpk', bytes, async () => {
    await enterCode(page, 'K7QH-2M9X-PD4R');
    await page.waitForFunction(() => document.querySelector('#code-error').textContent.includes('提取码不正确'));
    await page.click('#code-cancel');
  });
  assert.match(said, /未打开个人档案包「C000001\.zcpk」：未输入提取码/);
  assert.equal(await keptPackage(page), null);
  assert.equal(await page.isVisible('#demo-banner'), true);
  assert.equal(await page.evaluate(() => document.body.dataset.personal), undefined);

  // One changed byte (in the body; then in the header): 签名不符, no code asked.
  for (const at of [bytes.length >> 1, 10]) {
    const changed = Buffer.from(bytes);
    changed[at] ^= 0x01;
    said = await upload(page, 'changed.zcpk', changed);
    assert.match(said, /档案包已被改动或损坏（签名不符）/, `byte ${at}`);
    assert.equal(await page.$eval('#code-dialog', (d) => d.open), false);
  }
  // A cut file: not a package (it is recognised by its magic bytes, whatever the name).
  said = await upload(page, 'cut.bin', bytes.subarray(0, 60));
  assert.match(said, /不是知储个人档案包/);
  assert.equal(await keptPackage(page), null);
  assert.equal(await page.isVisible('#demo-banner'), true);
  await page.reload();
  await page.waitForSelector('body[data-ready]');
  assert.equal(await page.evaluate(() => document.body.dataset.personal), undefined, 'a reload after bad packages shows the demo');

  // C000001 opens; C000002's package asks before replacing it (取消 keeps C000001).
  said = await upload(page, '我的档案.dat', bytes, () => enterCode(page, code));
  assert.match(said, /已打开个人档案包/);
  await waitProfile(page, 'C000001');
  const other = pk.C000002;
  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  said = await upload(page, 'C000002.zcpk', other.bytes, () => enterCode(page, other.code));
  assert.match(asked[0], /C000001.*C000002/s);
  assert.match(said, /保留了已保存的.*C000001/);
  assert.equal((await keptPackage(page)).cadre_id, 'C000001');
  await waitProfile(page, 'C000001');
  page.once('dialog', (d) => { asked.push(d.message()); d.accept(); });
  said = await upload(page, 'C000002.zcpk', other.bytes, () => enterCode(page, other.code));
  assert.equal(asked.length, 2);
  assert.match(said, /已打开个人档案包/);
  assert.equal((await keptPackage(page)).cadre_id, 'C000002');
  await waitProfile(page, 'C000002');
  assert.deepEqual(await table(page), expected(cliPackage('profile', other.file, other.code, 'C000002')));

  // An older package of the same cadre (as of an earlier date) never replaces it silently.
  const old = older2.C000002;
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  said = await upload(page, 'old.zcpk', old.bytes, () => enterCode(page, old.code));
  assert.equal(asked.length, 3);
  assert.match(asked[2], /旧/);
  assert.match(said, /旧/);
  const kept = await keptPackage(page);
  assert.equal(kept.as_of, cliPackage('profile', other.file, other.code, 'C000002').as_of);
  assert.notEqual(kept.as_of, '2025-06-30');
  await waitProfile(page, 'C000002');
  assert.deepEqual(await table(page), expected(cliPackage('profile', other.file, other.code, 'C000002')));

  // Importing data in 本人模式 asks first (取消 stays in it); yes ends it and removes the package.
  const workbook = fs.readFileSync(path.join(FIX, 'basic.xlsx'));
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  said = await upload(page, 'basic.xlsx', workbook);
  assert.match(asked[3], /本人模式/);
  assert.match(said, /未导入「basic\.xlsx」：仍为本人模式/);
  assert.equal((await keptPackage(page)).cadre_id, 'C000002');
  page.once('dialog', (d) => d.accept());
  said = await upload(page, 'basic.xlsx', workbook);
  assert.match(said, /已导入「basic\.xlsx」/);
  assert.equal(await keptPackage(page), null);
  assert.equal(await page.evaluate(() => document.body.dataset.personal), undefined);
  assert.equal(await page.isVisible('#gen-card'), true);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('an untrusted signer: a warning with its fingerprint; accepted once, then remembered', async () => {
  const stranger = keygen('another-passphrase');
  const signed = personal(stranger, ['C000003'], { noCode: true }).C000003;
  assert.equal(signed.code, null);
  const ctx = await context(); // the shipped, empty trusted list
  const page = await open(ctx, '?scale=s&nosw');
  let said = await upload(page, 'C000003.zcpk', signed.bytes, async () => {
    await page.waitForSelector('#trust-dialog[open]');
    assert.match(await page.textContent('#trust-dialog'), new RegExp(`公钥指纹 ${stranger.fingerprint}`));
    await page.click('#trust-cancel');
  });
  assert.match(said, new RegExp(`签发者（公钥指纹 ${stranger.fingerprint}）未被信任`));
  assert.equal(await keptPackage(page), null);
  assert.equal(await page.isVisible('#demo-banner'), true);

  said = await upload(page, 'C000003.zcpk', signed.bytes, async () => {
    await page.waitForSelector('#trust-dialog[open]');
    await page.click('#trust-ok');
  });
  assert.match(said, /已打开个人档案包/);
  await waitProfile(page, 'C000003');
  assert.deepEqual(await table(page), expected(cliPackage('profile', signed.file, null, 'C000003')));

  // Remembered for this key: opening it again asks nothing (the import could not end while a dialog waited).
  said = await upload(page, 'C000003.zcpk', signed.bytes);
  assert.match(said, /已打开个人档案包/);
  // 清除全部数据 forgets the accepted keys too (as the mini-program does): the same key is asked about again.
  await page.click('#nav-data');
  page.once('dialog', (d) => d.accept());
  await page.click('#clear-all');
  await page.waitForFunction(() => !document.body.dataset.personal && !document.querySelector('#demo-banner').hidden);
  said = await upload(page, 'C000003.zcpk', signed.bytes, async () => {
    await page.waitForSelector('#trust-dialog[open]');
    await page.click('#trust-ok');
  });
  assert.match(said, /已打开个人档案包/);
  // Another unknown key is still asked about.
  const third = personal(keygen('third-passphrase'), ['C000004'], { noCode: true }).C000004;
  page.once('dialog', (d) => d.accept()); // replacing C000003's package
  said = await upload(page, 'C000004.zcpk', third.bytes, async () => {
    await page.waitForSelector('#trust-dialog[open]');
    await page.click('#trust-cancel');
  });
  assert.match(said, /未被信任/);
  assert.equal((await keptPackage(page)).cadre_id, 'C000003');
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('生成个人档案包: packages for one unit of imported data, which the CLI opens to the city\'s numbers', async () => {
  const city = cliDir('demo', '--scale', 's');
  const files = fs.readdirSync(city).map((name) => ({ name, mimeType: 'text/csv', buffer: fs.readFileSync(path.join(city, name)) }));
  const ctx = await context({ bypassCSP: true });
  const page = await open(ctx, '?scale=s&nosw');
  await page.click('#nav-data');
  assert.equal(await page.isVisible('#gen-card'), false, 'not over the demo');
  const n = await page.evaluate(() => Number(document.body.dataset.imports || 0));
  await page.setInputFiles('#file-input', files);
  await page.waitForFunction((k) => Number(document.body.dataset.imports || 0) > k, n);
  assert.equal(await page.isVisible('#gen-card'), true);
  await axe(page, '生成个人档案包');

  // The unit: a leaf unit of the city with its cadres, from the CSV.
  const rows = (name) => fs.readFileSync(path.join(city, name), 'utf8').replace(/^\uFEFF/, '').trim().split('\n').slice(1).map((l) => l.split(','));
  const parents = new Set(rows('单位.csv').map((r) => r[2]));
  const cadres = rows('干部.csv');
  const unit = rows('单位.csv').map((r) => r[0]).find((u) => !parents.has(u) && cadres.filter((c) => c[2] === u).length >= 2);
  const ids = cadres.filter((c) => c[2] === unit).map((c) => c[0]).sort();

  const generate = async () => {
    const k = await page.evaluate(() => Number(document.body.dataset.generated || 0));
    await page.click('#gen-run');
    await page.waitForFunction((x) => Number(document.body.dataset.generated || 0) > x, k);
    return page.textContent('#gen-status');
  };
  await page.setInputFiles('#gen-key', key.key);
  await page.fill('#gen-issuer', '某市委组织部');
  await page.selectOption('#gen-unit', unit);

  // A wrong passphrase says so, and the field is emptied.
  await page.fill('#gen-pass', 'not-the-passphrase');
  assert.match(await generate(), /私钥口令不正确/);
  assert.equal(await page.inputValue('#gen-pass'), '');

  await page.fill('#gen-pass', key.passphrase);
  const [dl] = await Promise.all([page.waitForEvent('download'), generate()]);
  assert.equal(dl.suggestedFilename(), '个人档案包.zip');
  assert.equal(await page.inputValue('#gen-pass'), '', 'the passphrase is not kept in the form');
  const zip = unzip(fs.readFileSync(await dl.path()));
  assert.deepEqual(Object.keys(zip).filter((f) => f.endsWith('.zcpk')).sort(), ids.map((id) => `${id}.zcpk`));
  assert.ok(zip['发放清单.xlsx'], 'the 发放清单 is in the zip');
  const list = issueList(zip['发放清单.xlsx']);
  assert.deepEqual(list.map((r) => r.干部编号).sort(), ids);
  for (const r of list) assert.match(r.提取码, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);

  // One of them, opened by the CLI with its code: the city's profile, exactly.
  const one = list[0];
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'zhichu-gen-'));
  const file = path.join(dir, one.文件);
  fs.writeFileSync(file, zip[one.文件]);
  const fromPackage = cliPackage('profile', file, one.提取码, one.干部编号);
  const fromCity = cli('profile', '--data', city, '--cadre', one.干部编号, '--json');
  assert.deepEqual(fromPackage, fromCity);
  assert.equal(fromPackage.cadre.cadre_id, one.干部编号);

  // Listed ids (they take precedence over the unit), signed only: exactly those, with no 提取码.
  await page.fill('#gen-ids', 'C000010, C000011');
  await page.check('#gen-nocode');
  await page.fill('#gen-pass', key.passphrase);
  const [dl2] = await Promise.all([page.waitForEvent('download'), generate()]);
  const zip2 = unzip(fs.readFileSync(await dl2.path()));
  assert.deepEqual(Object.keys(zip2).sort(), ['C000010.zcpk', 'C000011.zcpk', '发放清单.xlsx']);
  const list2 = issueList(zip2['发放清单.xlsx']);
  assert.deepEqual(list2.map((r) => r.提取码), ['（未加密）', '（未加密）']);
  fs.writeFileSync(path.join(dir, 'C000010.zcpk'), zip2['C000010.zcpk']);
  assert.deepEqual(cliPackage('profile', path.join(dir, 'C000010.zcpk'), null, 'C000010'), cli('profile', '--data', city, '--cadre', 'C000010', '--json'));
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
