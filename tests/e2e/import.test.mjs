// Imports that go wrong, in headless Chromium: every engine error names the
// file(s) being imported and keeps the data loaded before; a file that is no
// table is said plainly not to have been used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { FIX, cli, context, open, upload } from './harness.mjs';

/** A zip of stored (uncompressed) entries: enough for a hand-made .xlsx. */
function zip(entries) {
  const locals = [], centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text), fname = Buffer.from(name), crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(fname.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(fname.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, fname, data);
    centrals.push(central, fname);
    offset += 30 + fname.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(centrals.length / 2, 8); end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A 1 KB workbook whose one sheet, "records", declares (and uses) the cell XFD1048576: the whole sheet range is ~17 billion cells. */
function hugeRangeXlsx() {
  const ns = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
  const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  return zip({
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${ns}" xmlns:r="${rel}"><sheets><sheet name="records" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${ns}"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>cadre_id</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>`,
  });
}

const noise = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => ((i + seed) * 2654435761) >>> 24));

async function reserveTable(page, id) {
  await page.click('#nav-profile');
  await page.fill('#cadre-search', id);
  await page.click(`#cadre-results button[data-cadre="${id}"]`);
  await page.waitForFunction((x) => document.body.dataset.profile === x && !document.querySelector('#profile').hidden, id);
  return page.$$eval('#reserve-table tbody tr', (rows) => rows.map((r) => [...r.children].map((x) => x.textContent.trim())));
}

test('a file with an unknown name is said not to be a table and is not used', async () => {
  const ctx = await context();
  const page = await open(ctx, '?scale=s&nosw');
  // Alone, over the demo: not "imported without problems"; the demo stays.
  let said = await upload(page, [{ name: 'notes.bin', mimeType: 'application/octet-stream', buffer: noise(4096, 1) }]);
  assert.match(said, /「notes\.bin」未识别为任何数据表.*未使用/);
  assert.doesNotMatch(said, /已导入|没有发现问题/);
  assert.equal(await page.$eval('#import-status', (e) => e.dataset.state), 'rejected');
  assert.equal(await page.isVisible('#demo-banner'), true);
  assert.match(await page.textContent('#summary'), /演示数据/);
  assert.doesNotMatch(await page.textContent('#file-list'), /notes\.bin/);
  const rows = await page.$$eval('#validation tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.ok(rows.some((r) => r.includes('notes.bin')), 'the validation table lists notes.bin');
  assert.match(await page.textContent('#loaded-counts'), /未使用的文件：notes\.bin/);
  // With a good workbook: the workbook is imported, notes.bin is not, and it is not kept.
  said = await upload(page, [{ name: 'basic.xlsx', mimeType: 'application/octet-stream', buffer: fs.readFileSync(path.join(FIX, 'basic.xlsx')) }, { name: 'notes.bin', mimeType: 'application/octet-stream', buffer: noise(4096, 2) }]);
  assert.match(said, /已导入「basic\.xlsx」/);
  assert.match(said, /「notes\.bin」未识别为任何数据表.*未使用/);
  assert.match(await page.textContent('#summary'), /干部 3 人/);
  await page.reload();
  await page.waitForSelector('body[data-ready]');
  await page.click('#nav-data');
  assert.match(await page.textContent('#file-list'), /basic\.xlsx/);
  assert.doesNotMatch(await page.textContent('#file-list'), /notes\.bin/);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test('an engine error during import names the file, and the data loaded before stay', async () => {
  const ctx = await context();
  const page = await open(ctx, '?scale=s&nosw');
  await upload(page, [path.join(FIX, 'basic.xlsx')]);
  const before = await reserveTable(page, 'C2');
  const want = cli('profile', '--data', path.join(FIX, 'basic.xlsx'), '--cadre', 'C2', '--json').dimensions.map((d) => d.dimension);
  assert.deepEqual(before.map((r) => r[0]), want);
  // Whether the engine throws on this workbook or refuses it in its report, the page names it.
  const said = await upload(page, [{ name: 'huge.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: hugeRangeXlsx() }]);
  console.log(`huge.xlsx: ${said}`);
  assert.match(said, /「huge\.xlsx」/);
  assert.match(said, /原有数据未受影响/);
  assert.doesNotMatch(await page.textContent('#file-list'), /huge\.xlsx/);
  assert.match(await page.textContent('#summary'), /干部 3 人/);
  assert.deepEqual(await reserveTable(page, 'C2'), before);
  await ctx.close();
});

test('a file the engine cannot use, under a kept file\'s name, keeps the kept file\'s numbers and is the only file rejected, in one load', async () => {
  const ctx = await context();
  // The requests the page sends to the engine's worker, by method (to count the loads).
  await ctx.addInitScript(() => {
    const Base = window.Worker;
    window.posted = [];
    window.Worker = class extends Base {
      postMessage(m, ...rest) {
        if (m && m.method) window.posted.push(m.method);
        return super.postMessage(m, ...rest);
      }
    };
  });
  const page = await open(ctx, '?scale=s&nosw');
  await upload(page, [path.join(FIX, 'basic.xlsx')]);
  await upload(page, [path.join(FIX, 'broken', 'records.csv')]);
  assert.match(await page.textContent('#loaded-counts'), /records 10/);
  const before = await reserveTable(page, 'C2');
  // Junk named basic.xlsx: without the kept basic.xlsx the kept records.csv
  // would be unusable too (its cadres are in basic.xlsx); it stays, and is not said to be rejected.
  const loads = () => page.evaluate(() => window.posted.filter((m) => m === 'load').length);
  const loadsBefore = await loads();
  const said = await upload(page, [{ name: 'basic.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from('this is not a workbook') }]);
  assert.equal(await loads() - loadsBefore, 1, 'one load for the import');
  assert.match(said, /「basic\.xlsx」无法读取，未使用/);
  assert.match(said, /原有数据未受影响/);
  assert.doesNotMatch(said, /records\.csv/);
  assert.equal(await page.$eval('#import-status', (e) => e.dataset.state), 'rejected');
  const counts = await page.textContent('#loaded-counts');
  assert.match(counts, /records 10/);
  assert.match(counts, /未使用的文件：basic\.xlsx$/);
  assert.match(await page.textContent('#summary'), /干部 3 人/);
  assert.match(await page.textContent('#file-list'), /basic\.xlsx[\s\S]*records\.csv/);
  assert.deepEqual(await reserveTable(page, 'C2'), before);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});
