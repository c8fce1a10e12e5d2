// WeChat has no `crypto` global. The mini-program's engine (the shipped
// .wasm.br and its glue) must never need it on any path the mini-program
// takes: the demo city, a file load, a personal package, and every question
// the pages ask. Statically: the wasm imports nothing random (checked with a
// matcher that is shown to catch such an import). At run time: `crypto` on
// the global object (and on the DOM's window) throws and counts every read,
// the guard is shown to trip, and every path runs with zero reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { installWx, restart, run, tempDir, FIX, MP, require } from './harness.mjs';

const RANDOM = /random|crypto|entropy|getrandom/i;
/** The wasm's imports (module and name) that could reach randomness. */
const randomImports = (imports) => imports.filter((i) => RANDOM.test(i.module) || RANDOM.test(i.name)).map((i) => `${i.module}.${i.name}`);

/** Host-side question names the pages and the package ask (`state.call('x'` / `engine.call('x'` in miniprogram/). */
function askedByPages() {
  const names = new Set();
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.js') && !p.includes(`${path.sep}workers${path.sep}`)) {
      for (const m of fs.readFileSync(p, 'utf8').matchAll(/\b(?:state|engine)\.call\('([A-Za-z_]+)'/g)) names.add(m[1]);
    }
  });
  walk(MP);
  return [...names].sort();
}

test('the wasm imports nothing that gives randomness (the matcher catches wasm-bindgen\'s getRandomValues import)', () => {
  const wasm = zlib.brotliDecompressSync(fs.readFileSync(path.join(MP, 'engine/zhichu_bg.wasm.br')));
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasm));
  assert.ok(imports.length > 10, 'the module has imports to check');
  assert.deepEqual(randomImports(imports), []);
  // What getrandom's `js` feature makes wasm-bindgen import: it would be caught.
  assert.deepEqual(randomImports([{ module: './zhichu_bg.js', name: '__wbg_getRandomValues_b8f5dbd5f3995a9e' }, { module: './zhichu_bg.js', name: '__wbg_crypto_574e78ad8b13b65f' }]).length, 2);
  // Every import the wasm needs is one the glue provides (nothing else is reachable from the wasm).
  const glueText = fs.readFileSync(path.join(MP, 'workers/engine/zhichu.js'), 'utf8');
  for (const i of imports) assert.ok(glueText.includes(i.name), `${i.name} provided by the glue`);
});

test('demo city, a file load, a personal package and every question the pages ask run with crypto throwing: never read', async () => {
  // A signed personal package for one cadre of the small demo city.
  const W = tempDir('zhichu-mp-crypto-');
  const city = path.join(W, 'city');
  run('demo', '--scale', 's', '--out', city);
  const pass = path.join(W, 'pass');
  fs.writeFileSync(pass, 'passphrase-for-tests\n');
  fs.mkdirSync(path.join(W, 'k'));
  run('keygen', '--out', path.join(W, 'k/k.key'), '--passphrase-file', pass);
  const out = path.join(W, 'pkg');
  run('personal', '--data', city, '--key', path.join(W, 'k/k.key'), '--passphrase-file', pass, '--issuer', '某市委组织部', '--out', out, '--cadres', 'C000001', '--no-code');
  const pkg = fs.readFileSync(path.join(out, 'C000001.zcpk'));

  const targets = [globalThis, globalThis.window].filter(Boolean);
  const saved = targets.map((t) => Object.getOwnPropertyDescriptor(t, 'crypto'));
  let reads = 0;
  for (const t of targets) Object.defineProperty(t, 'crypto', { configurable: true, get() { reads++; throw new Error('no crypto in WeChat'); } });
  try {
    // The guard trips on every way the glue could look it up.
    assert.throws(() => globalThis.crypto.getRandomValues(new Uint8Array(4)), /no crypto/);
    assert.throws(() => Reflect.get(globalThis, 'crypto'), /no crypto/);
    assert.throws(() => Reflect.get(globalThis.window, 'crypto'), /no crypto/);
    assert.equal(reads, 3);
    reads = 0;

    restart();
    installWx({ worker: false });
    const host = require(path.join(MP, 'workers/engine/host.js')).createHost();
    const asked = new Set();
    const ask = async (m, a) => { asked.add(m); return host.call(m, a === undefined ? [] : [a]); };

    // The demo city, and every question on it.
    const demo = await ask('demo', 's');
    assert.equal(demo.summary.cadres, 1000);
    const questions = async () => {
      const [c] = await ask('cadres', { query: '', limit: 1 });
      const cadre = c.cadre_id;
      const units = await ask('units');
      const unit = units.find((u) => u.cadres > 0).unit_id;
      await ask('profile', { cadre });
      const r = await ask('recommend', { cadre });
      assert.ok(r.recommendations.length > 0);
      await ask('simulate', { cadre, course: r.recommendations[0].course_id });
      await ask('hours', { cadre });
      await ask('archive', { cadre });
      await ask('compliance', { unit });
      await ask('layout', { unit });
      await ask('city_ranking', {});
    };
    await questions();
    // A file load (the kept-file path: keep_file) and the questions on it.
    const load = await ask('load', [{ name: 'basic.xlsx', bytes: fs.readFileSync(path.join(FIX, 'basic.xlsx')), kept: true }]);
    assert.equal(load.summary.cadres, 3);
    await questions();
    // A personal package: header, then open, then its cadre's questions.
    assert.equal((await ask('packageHeader', pkg)).sealed, false);
    const opened = await ask('openPackage', pkg);
    assert.equal(opened.summary.package.cadre_id, 'C000001');
    for (const m of ['profile', 'recommend', 'hours', 'archive']) await ask(m, { cadre: 'C000001' });

    // Every method the pages send was run above.
    assert.deepEqual(askedByPages(), ['archive', 'cadres', 'city_ranking', 'compliance', 'hours', 'layout', 'openPackage', 'packageHeader', 'profile', 'recommend', 'simulate', 'units']);
    const missing = askedByPages().filter((m) => !asked.has(m));
    assert.deepEqual(missing, [], 'a method the pages call is not exercised here');
    assert.equal(reads, 0, 'crypto was never read');
  } finally {
    targets.forEach((t, i) => {
      if (saved[i]) Object.defineProperty(t, 'crypto', saved[i]);
      else delete t.crypto;
    });
  }
});
