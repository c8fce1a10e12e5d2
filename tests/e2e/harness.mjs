// Shared set-up of the browser tests: the built site served on a free
// localhost port, Debian's Chromium, every request recorded, and the CLI
// for the numbers to compare with.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { createServer } from '../../scripts/serve.mjs';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
export const FIX = path.join(ROOT, 'tests/fixtures');
export const SHOTS = path.join(ROOT, 'artifacts/screenshots');
const BIN = process.env.ZHICHU_BIN || path.join(ROOT, 'target/debug/zhichu');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

/** `env.base` (the site's URL) and `env.browser` are set before the tests run. */
export const env = { base: '', browser: null };
const requests = [];

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  env.server = createServer(path.join(ROOT, 'www'));
  await new Promise((r) => env.server.listen(0, '127.0.0.1', r));
  env.base = `http://127.0.0.1:${env.server.address().port}/`;
  env.browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: FLAGS });
});

after(async () => {
  await env.browser?.close();
  env.server?.close();
  // No request in the whole run went anywhere but this server.
  const outside = requests.filter((u) => !u.startsWith(env.base) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(outside, [], 'requests left localhost');
  assert.ok(requests.length > 10, 'requests were recorded');
});

/** A fresh browser context (its own storage) whose requests are recorded. */
export async function context(opts = {}) {
  const ctx = await env.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...opts });
  ctx.on('request', (r) => requests.push(r.url()));
  return ctx;
}

/** Opens the app and waits until its data is loaded; `page.errors` collects page errors. */
export async function open(ctx, query = '?scale=s', hash = '') {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(env.base + query + hash);
  await page.waitForSelector('body[data-ready]', { timeout: 60000 });
  page.errors = errors;
  return page;
}

/** The CLI's JSON output. */
export function cli(...args) {
  return JSON.parse(execFileSync(BIN, args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** Every entry of a zip as {name: Buffer} (stored or deflated), read from its central directory. */
export function unzip(buf) {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = buf.readUInt32LE(end + 16);
  const out = {};
  for (let n = buf.readUInt16LE(end + 10); n > 0; n--) {
    const method = buf.readUInt16LE(at + 10), size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28), extra = buf.readUInt16LE(at + 30), comment = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString();
    const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(data, data + size);
    out[name] = method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw);
    at += 46 + nameLen + extra + comment;
  }
  return out;
}

/** The text of every entry of a zip (an xlsx) whose name matches `re`. */
export function unzipText(buf, re = /./) {
  return Object.fromEntries(Object.entries(unzip(buf)).filter(([name]) => re.test(name)).map(([name, b]) => [name, b.toString()]));
}

/** Imports `files` through the 数据 tab's file picker; the status line once the import is over. */
export async function upload(page, files) {
  await page.click('#nav-data');
  const n = await page.evaluate(() => Number(document.body.dataset.imports || 0));
  await page.setInputFiles('#file-input', files);
  await page.waitForFunction((k) => Number(document.body.dataset.imports || 0) > k, n);
  return page.textContent('#import-status');
}

/** The CLI writing a view as xlsx (`--xlsx`): its sheets' XML and shared strings. */
export function cliXlsx(...args) {
  const file = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'zhichu-xlsx-')), 'view.xlsx');
  execFileSync(BIN, [...args, '--xlsx', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return unzipText(fs.readFileSync(file), /^xl\/(worksheets\/sheet\d+|sharedStrings)\.xml$/);
}

/** The CLI writing a file (`--out`): its bytes. */
export function cliOut(ext, ...args) {
  const file = path.join(fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'zhichu-out-')), `out.${ext}`);
  execFileSync(BIN, [...args, '--out', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return fs.readFileSync(file);
}

/** A folder written by the CLI (`zhichu demo … --out DIR`). */
export function cliDir(...args) {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'zhichu-dir-'));
  execFileSync(BIN, [...args, '--out', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return dir;
}

const XML_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unxml = (s) => s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e) => (e[0] === '#' ? String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : XML_ENTITIES[e] ?? m));

/**
 * The first sheet of an xlsx as rows of cells: numbers as numbers, text as
 * strings (shared, inline or formula strings), booleans as booleans, empty
 * cells as null. Enough to read back what the engine writes.
 */
export function xlsxRows(buf) {
  const parts = unzipText(buf, /^xl\/(worksheets\/sheet1|sharedStrings)\.xml$/);
  const shared = [...(parts['xl/sharedStrings.xml'] || '').matchAll(/<si>([\s\S]*?)<\/si>/g)]
    .map((m) => [...m[1].matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => unxml(t[1])).join(''));
  const col = (ref) => [...ref.replace(/\d+$/, '')].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
  const rows = [];
  for (const r of parts['xl/worksheets/sheet1.xml'].matchAll(/<row\b[^>]*\br="(\d+)"[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const row = [];
    for (const c of (r[2] || '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attr = c[1], inner = c[2] || '';
      const ref = attr.match(/\br="([A-Z]+\d+)"/)[1];
      const t = attr.match(/\bt="(\w+)"/)?.[1] || 'n';
      const v = inner.match(/<v>([\s\S]*?)<\/v>/)?.[1];
      let value = null;
      if (t === 's') value = shared[Number(v)];
      else if (t === 'inlineStr') value = [...inner.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => unxml(m[1])).join('');
      else if (t === 'str') value = unxml(v ?? '');
      else if (t === 'b') value = v === '1';
      else if (v !== undefined) value = Number(v);
      row[col(ref)] = value;
    }
    rows[Number(r[1]) - 1] = Array.from(row, (x) => (x === undefined ? null : x));
  }
  return Array.from(rows, (r) => r || []);
}
