#!/usr/bin/env node
// Checks the hand-written JavaScript: www/ (not www/pkg, www/vendor),
// miniprogram/ (not what scripts/build-miniprogram.mjs generates: OUTPUTS
// there), scripts/, tests/, benches/. Run by `./dev test`; no install needed
// beyond the repository's node_modules (esbuild).
//
//  1. Syntax, each file parsed as what it is: an ES module (.mjs; .js under
//     the root package.json's "type": "module": www/, tests/, scripts/), a
//     CommonJS module (.cjs; .js under miniprogram/, whose package.json says
//     "commonjs") or a classic script (www/'s service worker, registered
//     without {type: 'module'}). ES modules are parsed with
//     vm.SourceTextModule (in one child process: it needs
//     --experimental-vm-modules; `node --check` then gives a failure's line),
//     CommonJS with vm.compileFunction in Node's module wrapper, a classic
//     script with vm.Script. Nothing is run.
//  2. Unused imports: an `import` binding of an ES module, or a top-level
//     `const … = require('…')` binding of a CommonJS module, that nothing
//     reads. Decided by TypeScript's rule as esbuild applies it (an import
//     read by nothing is elided from the output), so a name that only
//     appears in a comment, a string or as a property key is unused too.
//  3. The offline shell: every module of the web page (www/, except the
//     service worker itself) is in sw.js's SHELL, else the app breaks offline.
//
// Prints what it checked; on a problem prints `file:line: message` and exits 1.
// Usage: node scripts/check-js.mjs
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { OUTPUTS } from './build-miniprogram.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIRS = ['www', 'miniprogram', 'scripts', 'tests', 'benches'];
/** Not hand-written: built engine glue, vendored libraries, npm folders. */
const SKIP_DIRS = ['www/pkg', 'www/vendor', 'node_modules'];
const rel = (p) => path.relative(ROOT, p).split(path.sep).join('/');
const globRe = (g) => new RegExp(`^${g.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
const generated = OUTPUTS.map(globRe);

/** The hand-written .js/.mjs/.cjs files under DIRS, sorted. */
export function handWritten(root = ROOT) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const r = path.relative(root, p).split(path.sep).join('/');
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && !SKIP_DIRS.some((s) => r === s || r.endsWith(`/${s}`))) walk(p);
      } else if (/\.(m|c)?js$/.test(e.name) && !generated.some((g) => g.test(r))) {
        out.push(p);
      }
    }
  };
  for (const d of DIRS) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
  return out.sort();
}

/** The "type" of the nearest package.json above `file` ('commonjs' when none says). */
function packageType(file) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) return JSON.parse(fs.readFileSync(pj, 'utf8')).type || 'commonjs';
    if (dir === ROOT || dir === path.dirname(dir)) return 'commonjs';
  }
}

/** www/ scripts registered as classic service workers (`navigator.serviceWorker.register('sw.js')`, no options). */
function classicScripts() {
  const found = new Set();
  for (const f of fs.readdirSync(path.join(ROOT, 'www'))) {
    if (!f.endsWith('.js')) continue;
    const src = fs.readFileSync(path.join(ROOT, 'www', f), 'utf8');
    for (const m of src.matchAll(/serviceWorker\.register\(\s*['"]([^'"]+)['"]\s*\)/g)) found.add(path.join(ROOT, 'www', m[1]));
  }
  return found;
}

/** 'module', 'commonjs' or 'script'. */
function kindOf(file, classic) {
  if (classic.has(file)) return 'script';
  if (file.endsWith('.mjs')) return 'module';
  if (file.endsWith('.cjs')) return 'commonjs';
  return packageType(file) === 'module' ? 'module' : 'commonjs';
}

/** The arguments Node's CommonJS loader wraps a module's code in. */
const CJS_WRAPPER = ['exports', 'require', 'module', '__filename', '__dirname'];

/** `{line, message}` of a SyntaxError whose stack starts `file:line` (vm.Script, vm.compileFunction). */
const located = (e) => ({ line: /^[^\n]*:(\d+)\n/.exec(e.stack || '')?.[1] || '?', message: `${e.name}: ${e.message}` });

/** Syntax problems of a classic script or a CommonJS module, parsed in-process as Node (or the browser) would: [{line, message}]. */
function syntax(file, kind) {
  const src = fs.readFileSync(file, 'utf8');
  try {
    if (kind === 'script') new vm.Script(src, { filename: file });
    else vm.compileFunction(src, CJS_WRAPPER, { filename: file });
    return [];
  } catch (e) {
    return [located(e)];
  }
}

/**
 * The ES modules that do not parse, as a Map file → [{line, message}]: all
 * parsed in one child process (vm.SourceTextModule, parsed, never linked or
 * run), then `node --check` on each that failed, for its line.
 */
function moduleSyntax(files) {
  const out = new Map();
  if (!files.length) return out;
  const parse = `const vm = require('vm'), fs = require('fs'); const bad = [];
    for (const f of JSON.parse(process.argv[1])) { try { new vm.SourceTextModule(fs.readFileSync(f, 'utf8'), { identifier: f }); } catch (e) { bad.push(f); } }
    process.stdout.write(JSON.stringify(bad));`;
  const bad = JSON.parse(execFileSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', '-e', parse, JSON.stringify(files)], { encoding: 'utf8' }));
  for (const file of bad) {
    try {
      execFileSync(process.execPath, ['--check', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      out.set(file, [{ line: '?', message: 'does not parse as an ES module' }]);
    } catch (e) {
      const err = String(e.stderr || e.message);
      const line = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)`).exec(err)?.[1] || '?';
      const message = err.split('\n').find((l) => /^\w*Error/.test(l)) || err.trim().split('\n').pop();
      out.set(file, [{ line, message }]);
    }
  }
  return out;
}

/** `import …` statements as esbuild prints them → [{from, names: [local bindings]}]. */
function importsOf(code) {
  const out = [];
  for (const m of code.matchAll(/^import\s+(.+?)\s+from\s+"([^"]+)";$/gm)) {
    const names = [];
    let clause = m[1];
    const braces = /\{([^}]*)\}/.exec(clause);
    if (braces) {
      for (const s of braces[1].split(',').map((x) => x.trim()).filter(Boolean)) names.push(s.split(/\s+as\s+/).pop());
      clause = clause.replace(braces[0], '');
    }
    for (const part of clause.split(',').map((x) => x.trim()).filter(Boolean)) names.push(part.replace(/^\*\s+as\s+/, ''));
    out.push({ from: m[2], names });
  }
  return out;
}

const REQUIRE = /^const\s+(\{[^}]*\}|[A-Za-z_$][\w$]*)\s*=\s*require\(\s*(['"])([^'"]+)\2\s*\);?[ \t]*$/gm;

/** A CommonJS file with its top-level `const x = require('m')` lines as the equivalent imports (line for line). */
function requiresAsImports(src) {
  return src.replace(REQUIRE, (_, binding, q, from) => {
    if (binding.startsWith('{')) {
      const specs = binding.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean).map((s) => s.replace(/\s*:\s*/, ' as '));
      return `import { ${specs.join(', ')} } from '${from}';`;
    }
    return `import * as ${binding} from '${from}';`;
  });
}

/** The line (1-based) of the import or require of `from` that binds `name`. */
function lineOf(src, from, name) {
  const lines = src.split('\n');
  const word = new RegExp(`(^|[^\\w$])${name.replace(/\$/g, '\\$')}([^\\w$]|$)`);
  const end = lines.findIndex((l) => l.includes(`'${from}'`) || l.includes(`"${from}"`));
  if (end < 0) return '?';
  let start = end;
  while (start > 0 && !/^(import|const)\b/.test(lines[start])) start--;
  for (let i = start; i <= end; i++) if (word.test(lines[i])) return i + 1;
  return end + 1;
}

/** Unused import (or top-level require) bindings: [{line, message}]. */
function unusedImports(file, kind) {
  if (kind === 'script') return [];
  const src = fs.readFileSync(file, 'utf8');
  const code = kind === 'commonjs' ? requiresAsImports(src) : src;
  // Both outputs from the same parse rules; only the loader's import elision differs.
  const all = importsOf(esbuild.transformSync(code, { loader: 'js', format: 'esm', sourcefile: file }).code);
  const kept = importsOf(esbuild.transformSync(code, { loader: 'ts', format: 'esm', sourcefile: file, tsconfigRaw: { compilerOptions: {} } }).code);
  const used = new Set(kept.flatMap((i) => i.names.map((n) => `${i.from}\0${n}`)));
  const problems = [];
  for (const i of all) {
    for (const n of i.names) {
      if (!used.has(`${i.from}\0${n}`)) problems.push({ line: lineOf(src, i.from, n), message: `'${n}' is ${kind === 'commonjs' ? 'required' : 'imported'} from '${i.from}' and never used` });
    }
  }
  return problems;
}

/** Web page modules missing from the service worker's SHELL (the offline cache): [{file, line, message}]. */
function offlineShell(files, classic) {
  const sw = path.join(ROOT, 'www/sw.js');
  if (!fs.existsSync(sw)) return [];
  const src = fs.readFileSync(sw, 'utf8');
  const m = /const SHELL = \[([^\]]*)\]/.exec(src);
  if (!m) return [{ file: sw, line: '?', message: 'no `const SHELL = [...]` list found' }];
  const shell = new Set([...m[1].matchAll(/'([^']+)'/g)].map((x) => x[1]));
  const line = src.slice(0, m.index).split('\n').length;
  return files.filter((f) => rel(f).startsWith('www/') && !classic.has(f) && !shell.has(path.relative(path.join(ROOT, 'www'), f).split(path.sep).join('/')))
    .map((f) => ({ file: sw, line, message: `${rel(f)} is not in SHELL: the page would not work offline` }));
}

function main() {
  const files = handWritten();
  const classic = classicScripts();
  const problems = [];
  const counts = { module: 0, commonjs: 0, script: 0 };
  const kinds = new Map(files.map((f) => [f, kindOf(f, classic)]));
  const modules = moduleSyntax(files.filter((f) => kinds.get(f) === 'module'));
  for (const f of files) {
    const kind = kinds.get(f);
    counts[kind]++;
    const bad = kind === 'module' ? modules.get(f) || [] : syntax(f, kind);
    problems.push(...bad.map((p) => ({ file: f, ...p })));
    if (!bad.length) problems.push(...unusedImports(f, kind).map((p) => ({ file: f, ...p })));
  }
  problems.push(...offlineShell(files, classic));
  const byDir = {};
  for (const f of files) {
    const d = rel(f).split('/')[0];
    byDir[d] = (byDir[d] || 0) + 1;
  }
  console.log(`check-js: ${files.length} files (${Object.entries(byDir).map(([d, n]) => `${d}/ ${n}`).join(', ')}): ${counts.module} ES modules, ${counts.commonjs} CommonJS, ${counts.script} classic script`);
  console.log('check-js: syntax, unused imports and requires, the offline shell (www/sw.js SHELL)');
  for (const p of problems) console.error(`${rel(p.file)}:${p.line}: ${p.message}`);
  if (problems.length) {
    console.error(`check-js: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    process.exit(1);
  }
  console.log('check-js: ok');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
