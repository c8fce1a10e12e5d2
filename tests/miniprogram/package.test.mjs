// The mini-program as a package: a valid project layout, WXML that WeChat's
// compiler accepts, sizes within WeChat's limits, a wasm iOS accepts, and
// glue adapted for WeChat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { MP, ROOT, require, installWx, restart, tempDir } from './harness.mjs';
import { packageSizes, stripGlobalExports, PACKAGE_LIMIT, WASM_PACKAGE_PATH } from '../../scripts/build-miniprogram.mjs';

/** wabt's switches for WebAssembly 1.0 only (the MVP). */
const MVP_ONLY = ['--disable-reference-types', '--disable-multi-value', '--disable-bulk-memory', '--disable-sign-extension', '--disable-saturating-float-to-int', '--disable-mutable-globals'];

const app = JSON.parse(fs.readFileSync(path.join(MP, 'app.json'), 'utf8'));
const pages = [...app.pages, ...app.subPackages.flatMap((s) => s.pages.map((p) => `${s.root}/${p}`))];

test('project and app.json: tab pages in the main package, a subpackage, workers, WeChat switches', () => {
  const project = JSON.parse(fs.readFileSync(path.join(MP, 'project.config.json'), 'utf8'));
  assert.equal(project.appid, 'touristappid');
  assert.equal(project.miniprogramRoot, './');
  assert.equal(project.compileType, 'miniprogram');
  const lib = project.libVersion.split('.').map(Number);
  assert.ok(lib[0] > 2 || (lib[0] === 2 && lib[1] >= 15), `libVersion ${project.libVersion} ≥ 2.15.0 (WXWebAssembly in workers)`);
  assert.equal(app.workers, 'workers');
  assert.equal(app.lazyCodeLoading, 'requiredComponents');
  assert.equal(app.style, 'v2');
  assert.equal(app.darkmode, true);
  assert.equal(app.resizable, true);
  const theme = JSON.parse(fs.readFileSync(path.join(MP, app.themeLocation), 'utf8'));
  // Every @variable of app.json is defined for both themes.
  const vars = JSON.stringify(app).match(/@[a-zA-Z]+/g).map((v) => v.slice(1));
  for (const mode of ['light', 'dark']) for (const v of vars) assert.ok(theme[mode][v], `${mode}.${v} in theme.json`);
  assert.ok(fs.existsSync(path.join(MP, app.sitemapLocation)));
  // At most 5 tabs, each a page of the main package; 档案 is reached from 我的画像.
  assert.ok(app.tabBar.list.length >= 2 && app.tabBar.list.length <= 5);
  assert.deepEqual(app.tabBar.list.map((t) => t.text), ['我的画像', '推荐', '学时', '单位', '数据']);
  for (const t of app.tabBar.list) {
    assert.ok(app.pages.includes(t.pagePath), `${t.pagePath} is a main-package page`);
    // Icons: PNG, 81×81, within WeChat's 40 KB.
    for (const icon of [t.iconPath, t.selectedIconPath]) {
      const b = fs.readFileSync(path.join(MP, icon));
      assert.ok(b.subarray(1, 4).toString('latin1') === 'PNG' && b.readUInt32BE(16) === 81 && b.readUInt32BE(20) === 81, `${icon} is an 81×81 PNG`);
      assert.ok(b.length <= 40 * 1024);
    }
  }
  assert.ok(pages.includes('packageCadre/pages/archive/index'));
  // Each page: four files of one name, written with Component().
  for (const p of pages) {
    for (const ext of ['js', 'json', 'wxml', 'wxss']) assert.ok(fs.existsSync(path.join(MP, `${p}.${ext}`)), `${p}.${ext}`);
    assert.match(fs.readFileSync(path.join(MP, `${p}.js`), 'utf8'), /\bComponent\(\{/, `${p} uses Component()`);
    assert.doesNotMatch(fs.readFileSync(path.join(MP, `${p}.js`), 'utf8'), /\bPage\(\{/);
  }
  // The worker entry and the wasm, the wasm outside the workers folder.
  assert.ok(fs.existsSync(path.join(MP, app.workers, 'engine/index.js')));
  assert.ok(fs.existsSync(path.join(MP, WASM_PACKAGE_PATH)));
  assert.ok(!WASM_PACKAGE_PATH.startsWith(`/${app.workers}/`));
});

test('the WXML of every page and component compiles with WeChat\'s compiler (wcc)', () => {
  const compiler = require('miniprogram-compiler');
  // eslint-disable-next-line no-new-func
  const gwx = new Function(compiler.wxmlToJs(MP))();
  const wxml = [...pages, 'components/ec-canvas/ec-canvas'];
  for (const p of wxml) {
    const fn = gwx(`${p}.wxml`);
    assert.equal(typeof fn, 'function', `${p}.wxml compiled`);
    const tree = fn({}, {}, {});
    assert.ok(tree && tree.children, `${p}.wxml renders`);
  }
});

test('the WXSS of the app, every page and component compiles with WeChat\'s style compiler (wcsc)', () => {
  const compiler = require('miniprogram-compiler');
  // eslint-disable-next-line no-new-func
  const css = new Function(compiler.wxssToJs(MP))();
  for (const p of ['app', ...pages, 'components/ec-canvas/ec-canvas']) assert.equal(typeof css(`${p}.wxss`), 'function', `${p}.wxss compiled`);
});

test('every package is within 2 MB', () => {
  const sizes = packageSizes(MP);
  assert.deepEqual(sizes.map((s) => s.name), ['main', ...app.subPackages.map((s) => s.root)]);
  for (const s of sizes) {
    console.log(`# package ${s.name}: ${(s.bytes / 1024).toFixed(1)} KB`);
    assert.ok(s.bytes <= PACKAGE_LIMIT, `${s.name} is ${s.bytes} bytes, over ${PACKAGE_LIMIT}`);
  }
  // The custom ECharts holds the four chart types, not the whole library.
  const echarts = fs.statSync(path.join(MP, 'components/ec-canvas/echarts.js')).size;
  const full = fs.statSync(path.join(ROOT, 'node_modules/echarts/dist/echarts.min.js')).size;
  console.log(`# echarts custom build: ${(echarts / 1024).toFixed(1)} KB (full: ${(full / 1024).toFixed(1)} KB)`);
  assert.ok(echarts < full * 0.75);
});

test('the shipped wasm is WebAssembly 1.0 (MVP): it validates with every later feature disabled and exports no global (iOS WeChat)', () => {
  const raw = zlib.brotliDecompressSync(fs.readFileSync(path.join(MP, WASM_PACKAGE_PATH)));
  const tmp = path.join(tempDir('zhichu-wasm-'), 'zhichu.wasm');
  fs.writeFileSync(tmp, raw);
  // No reference types or multi-value (iOS WeChat rejects them), and none of
  // bulk memory, sign extension, non-trapping float-to-int or mutable-global
  // imports/exports either: the build lowers them (./dev, build_miniprogram_engine),
  // so no phone needs a feature newer than WXWebAssembly itself.
  execFileSync('wasm-validate', MVP_ONLY.concat([tmp]), { stdio: 'pipe' });
  // The check trips on a module before the lowering (it has bulk memory's DataCount section).
  const unlowered = path.join(ROOT, 'target/mp/zhichu.mvp.wasm');
  if (fs.existsSync(unlowered)) assert.throws(() => execFileSync('wasm-validate', MVP_ONLY.concat([unlowered]), { stdio: 'pipe' }));
  // iOS WXWebAssembly exports functions, memory and tables only.
  assert.deepEqual(stripGlobalExports(raw).removed, []);
  // And otherwise the same bytes as the engine build produced.
  const built = path.join(ROOT, 'target/mp/bindgen/zhichu_bg.wasm');
  if (fs.existsSync(built)) assert.ok(raw.equals(stripGlobalExports(fs.readFileSync(built)).bytes), 'the .wasm.br holds the current engine build');
});

/** The sizes of a wasm module's function bodies (its code section), in bytes. */
function functionSizes(bytes) {
  let p = 8;
  const leb = () => {
    let r = 0;
    let shift = 0;
    let b;
    do {
      b = bytes[p++];
      r += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return r;
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = leb();
    if (id !== 10) {
      p += size;
      continue;
    }
    const sizes = [];
    for (let n = leb(); n > 0; n--) {
      const s = leb();
      sizes.push(s);
      p += s;
    }
    return sizes;
  }
  return [];
}

test('both engines keep a load in many functions: no function body over 64 KB (mini-program) or 200 KB (web page)', () => {
  // V8 gives a function optimised code only for the calls after it is ready;
  // a function called once runs its first code to the end. binaryen's
  // default inlining of every function into its only caller made the whole
  // load one such function (272 KB here, 278 KB in the web module), run on
  // baseline code throughout the first load (./dev: ONE_CALLER_INLINING).
  // Biggest since: 32 KB here; in the web page's, the xlsx export's zip
  // writer (190 KB), which no load calls.
  const mp = functionSizes(zlib.brotliDecompressSync(fs.readFileSync(path.join(MP, WASM_PACKAGE_PATH))));
  assert.ok(mp.length > 1000, `${mp.length} functions`);
  assert.ok(Math.max(...mp) <= 64 << 10, `the mini-program's biggest function: ${Math.max(...mp)} bytes`);
  const webFile = path.join(ROOT, 'www/pkg/zhichu_bg.wasm');
  if (fs.existsSync(webFile)) {
    const web = functionSizes(fs.readFileSync(webFile));
    assert.ok(Math.max(...web) <= 200 << 10, `the web module's biggest function: ${Math.max(...web)} bytes`);
  }
});

test('the glue is adapted for WeChat: CommonJS, WXWebAssembly, polyfilled text codecs, no fetch or import.meta', () => {
  const glue = fs.readFileSync(path.join(MP, 'workers/engine/zhichu.js'), 'utf8');
  assert.doesNotMatch(glue, /import\.meta|\bfetch\(|instantiateStreaming|^export /m);
  assert.match(glue, /WXWebAssembly\.instantiate\(/);
  assert.match(glue, /module\.exports/);
  const m = require(path.join(MP, 'workers/engine/zhichu.js'));
  assert.equal(typeof m.init, 'function');
  assert.equal(typeof m.Engine, 'function');
  // Another copy, for a restart after a trap: its own classes (and instance, once initialised).
  const copy = m.fresh();
  assert.notEqual(copy.Engine, m.Engine);
  assert.equal(typeof copy.init, 'function');
});

test('the chart options are the shared module: the CommonJS copy has the same functions as www/charts.js', async () => {
  const esm = await import('../../www/charts.js');
  const cjs = require(path.join(MP, 'lib/charts.js'));
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
  assert.deepEqual(cjs.THEME, esm.THEME);
});

test('app.js: an old base library gets a clear message; a current one loads the data at launch', async () => {
  let app;
  globalThis.App = (o) => { app = o; };
  restart();
  const old = installWx({ sdk: '2.13.0' });
  require(path.join(MP, 'app.js'));
  app.onLaunch();
  assert.deepEqual(old.modals, ['微信版本过低']);
  restart();
  installWx({ sdk: '2.14.0', worker: false });
  require(path.join(MP, 'app.js'));
  app.onLaunch();
  const state = require(path.join(MP, 'lib/state.js'));
  await state.idle();
  assert.equal(state.get().summary.demo, true);
  assert.ok(state.get().cadre);
  delete globalThis.App;
});
