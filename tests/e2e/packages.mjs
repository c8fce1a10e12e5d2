// Personal packages (个人档案包) for the browser tests: made by the CLI
// (keygen, personal), their 提取码 read back from its 发放清单.xlsx, and a
// zip reader for the page's 个人档案包.zip.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, unzip, xlsxRows } from './harness.mjs';

export { unzip };

export const BIN = process.env.ZHICHU_BIN || path.join(ROOT, 'target/debug/zhichu');
const run = (...args) => execFileSync(BIN, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
const tmp = (what) => fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', `zhichu-${what}-`));

/** A key made by `zhichu keygen`: {key (path), pass (path), passphrase, fingerprint ("5c0a 350a …")}. */
export function keygen(passphrase = 'organisation-passphrase') {
  const dir = tmp('key');
  const pass = path.join(dir, 'pass.txt');
  fs.writeFileSync(pass, `${passphrase}\n`);
  const out = run('keygen', '--out', path.join(dir, '组织部.key'), '--passphrase-file', pass);
  const fingerprint = out.match(/公钥指纹：([0-9a-f ]+)/)[1].trim();
  return { key: path.join(dir, '组织部.key'), pass, passphrase, fingerprint };
}

/**
 * `zhichu personal` for `cadres` (of the demo city s unless `data` is given),
 * signed with `key`: {cadre_id: {file, bytes, code}} with each 提取码 from the 发放清单.
 */
export function personal(key, cadres, { data, noCode = false, asOf, issuer = '某市委组织部' } = {}) {
  const out = tmp('pkg');
  run('personal', ...(data ? ['--data', data] : ['--scale', 's']), '--key', key.key, '--passphrase-file', key.pass, '--issuer', issuer,
    '--cadres', cadres.join(','), '--out', out, ...(noCode ? ['--no-code'] : []), ...(asOf ? ['--as-of', asOf] : []));
  const list = issueList(fs.readFileSync(path.join(out, '发放清单.xlsx')));
  const got = {};
  for (const row of list) {
    const file = path.join(out, row.文件);
    got[row.干部编号] = { file, bytes: fs.readFileSync(file), code: /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(row.提取码 || '') ? row.提取码 : null }; // （未加密） when signed only
  }
  return got;
}

/** 发放清单.xlsx as [{单位, 姓名, 干部编号, 文件, 提取码}]. */
export function issueList(buf) {
  const [head, ...rows] = xlsxRows(buf);
  return rows.filter((r) => r.length).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? null])));
}


/** The CLI's JSON answer for a package (`--data X.zcpk --code CODE`). */
export function cliPackage(command, file, code, cadre) {
  return JSON.parse(run(command, '--data', file, ...(code ? ['--code', code] : []), '--cadre', cadre, '--json'));
}
