// 个人档案包 interop: an independent 国密 implementation (npm `sm-crypto`, not
// the RustCrypto crates the CLI uses) reads what `zhichu personal` writes,
// and writes packages `zhichu` accepts, following only the layout at the top
// of src/package/seal.rs and the key file format at the top of
// src/package/keys.rs. SM4-GCM and PBKDF2-HMAC-SM3 are built here on top of
// sm-crypto's SM4 block (ECB) and HMAC-SM3, since sm-crypto has neither.
//
// Run: node --test tests/interop/   (needs target/debug/zhichu, or ZHICHU_BIN)
//
// Deterministic: the JS key pair, salts and nonces are fixed (derived from
// labels); the only randomness is sm-crypto's SM2 signing nonce, which no
// assertion depends on. No clock is read (the CLI stamps `issued` with the
// date, and the test only passes that field through).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import smCrypto from 'sm-crypto';

const { sm2, sm3, sm4 } = smCrypto;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.ZHICHU_BIN || path.join(ROOT, 'target/debug/zhichu');

const DIST_ID = '1234567812345678';
const SIG_OPTS = { der: true, hash: true, userId: DIST_ID }; // SM2 with SM3 over Z_A‖M, DER (r, s)
const HEADER_LEN = 4 + 1 + 1 + 65 + 16 + 4 + 12 + 4; // 107
const ISSUER = '某市委组织部';
const CADRE = 'C000001';
// SubjectPublicKeyInfo DER before the 65 key bytes: SEQUENCE { SEQUENCE { id-ecPublicKey
// 1.2.840.10045.2.1, sm2p256v1 1.2.156.10197.1.301 }, BIT STRING (0 unused bits) }.
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

// ---------- primitives on top of sm-crypto ----------

const hex = (b) => Buffer.from(b).toString('hex');
const sm3Bytes = (data) => Buffer.from(sm3(Array.from(data)), 'hex');
const hmacSm3 = (key, data) => Buffer.from(sm3(Array.from(data), { key: Array.from(key) }), 'hex');
/** SM4-ECB of whole blocks (no padding): sm-crypto's block cipher. */
const sm4Ecb = (key, data) => Buffer.from(sm4.encrypt(Array.from(data), Array.from(key), { padding: 'none', output: 'array' }));
/** A fixed byte string for a label (instead of random bytes). */
const fixed = (label, n) => sm3Bytes(Buffer.from(label)).subarray(0, n);

/** PBKDF2 (RFC 8018) with HMAC-SM3; one SM3 block (32 bytes) covers the 16 asked for. */
function pbkdf2Sm3(password, salt, iterations, len = 16) {
  assert.ok(len <= 32);
  let u = hmacSm3(password, Buffer.concat([salt, Buffer.from([0, 0, 0, 1])])); // U1 = PRF(P, S ‖ INT(1))
  const t = Buffer.from(u);
  for (let i = 1; i < iterations; i++) {
    u = hmacSm3(password, u); // U_i = PRF(P, U_{i-1})
    for (let j = 0; j < 32; j++) t[j] ^= u[j];
  }
  return t.subarray(0, len);
}

// GCM (NIST SP 800-38D) with SM4 as the block cipher; 96-bit nonce, 128-bit tag.
const R = 0xe1n << 120n;
const big = (b) => BigInt('0x' + hex(b));
const block = (n) => Buffer.from(n.toString(16).padStart(32, '0'), 'hex');
/** X·Y in GF(2^128), bit 0 = the block's leftmost bit (SP 800-38D, Algorithm 1). */
function gmul(x, y) {
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}
/** GHASH_H(A ‖ 0* ‖ C ‖ 0* ‖ [len(A)]64 ‖ [len(C)]64), lengths in bits. */
function ghash(h, aad, ct) {
  let y = 0n;
  const absorb = (data) => {
    for (let i = 0; i < data.length; i += 16) {
      const b = Buffer.alloc(16);
      data.subarray(i, i + 16).copy(b); // the last block zero-padded
      y = gmul(y ^ big(b), h);
    }
  };
  absorb(aad);
  absorb(ct);
  const lens = Buffer.alloc(16);
  lens.writeBigUInt64BE(BigInt(aad.length) * 8n, 0);
  lens.writeBigUInt64BE(BigInt(ct.length) * 8n, 8);
  return gmul(y ^ big(lens), h);
}
/** GCTR from J0 = nonce ‖ 00000001: data XOR E(inc32(J0)), E(inc32²(J0)), …; and E(J0) for the tag. */
function gctr(key, nonce, data) {
  const n = Math.ceil(data.length / 16) + 1;
  const counters = Buffer.alloc(16 * n);
  for (let i = 0; i < n; i++) {
    nonce.copy(counters, 16 * i);
    counters.writeUInt32BE(i + 1, 16 * i + 12); // block 0 is J0 itself
  }
  const ks = sm4Ecb(key, counters);
  const out = Buffer.from(data);
  for (let i = 0; i < out.length; i++) out[i] ^= ks[16 + i];
  return { out, ej0: ks.subarray(0, 16) };
}
/** SM4-GCM encryption: ciphertext ‖ tag. */
function gcmSeal(key, nonce, plain, aad) {
  const h = big(sm4Ecb(key, Buffer.alloc(16)));
  const { out, ej0 } = gctr(key, nonce, plain);
  const tag = block(ghash(h, aad, out) ^ big(ej0));
  return Buffer.concat([out, tag]);
}
/** SM4-GCM decryption of ciphertext ‖ tag; null when the tag does not match. */
function gcmOpen(key, nonce, body, aad) {
  const ct = body.subarray(0, body.length - 16);
  const h = big(sm4Ecb(key, Buffer.alloc(16)));
  const { out, ej0 } = gctr(key, nonce, ct);
  const tag = block(ghash(h, aad, ct) ^ big(ej0));
  return tag.equals(body.subarray(body.length - 16)) ? out : null;
}

// ---------- the package format, as documented in seal.rs ----------

/** The 提取码 as PBKDF2's password: dashes and spaces dropped, upper case, O→0, I/L→1. */
const normalizeCode = (code) => code.replace(/[-\s－—]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
const codeKey = (code, salt, iterations) => pbkdf2Sm3(Buffer.from(normalizeCode(code), 'ascii'), salt, iterations);

/** Splits a package into its fields (no checks beyond lengths). */
function parse(file) {
  assert.equal(file.subarray(0, 4).toString('latin1'), 'ZCPK', 'magic');
  const bodyLen = file.readUInt32LE(103);
  const sigAt = HEADER_LEN + bodyLen;
  const sigLen = file.readUInt16LE(sigAt);
  assert.equal(sigAt + 2 + sigLen, file.length, 'the signature ends the file');
  return {
    version: file[4],
    mode: file[5],
    publicKey: file.subarray(6, 71),
    salt: file.subarray(71, 87),
    iterations: file.readUInt32LE(87),
    nonce: file.subarray(91, 103),
    header: file.subarray(0, HEADER_LEN),
    body: file.subarray(HEADER_LEN, sigAt),
    signed: file.subarray(0, sigAt),
    signature: file.subarray(sigAt + 2),
  };
}

const verify = (p) => sm2.doVerifySignature(Array.from(p.signed), hex(p.signature), hex(p.publicKey), SIG_OPTS);

/** The content's JSON text of a package (signature checked first). */
function open(file, code) {
  const p = parse(file);
  assert.ok(verify(p), 'SM2 signature verifies');
  let plain = p.body;
  if (p.mode === 1) {
    plain = gcmOpen(codeKey(code, p.salt, p.iterations), p.nonce, p.body, p.header);
    assert.ok(plain, 'GCM tag matches');
  }
  return zlib.inflateRawSync(plain).toString('utf8');
}

/** A package written here: `content` deflated, sealed under `code` (or signed only, with null), signed with `keys`. */
function seal(content, keys, code, { salt, nonce, iterations = 2000 } = {}) {
  const plain = zlib.deflateRawSync(Buffer.from(content, 'utf8'));
  const sealed = code != null;
  const header = Buffer.alloc(HEADER_LEN);
  header.write('ZCPK', 0, 'latin1');
  header[4] = 1;
  header[5] = sealed ? 1 : 0;
  Buffer.from(keys.publicKey, 'hex').copy(header, 6);
  if (sealed) {
    salt.copy(header, 71);
    header.writeUInt32LE(iterations, 87);
    nonce.copy(header, 91);
  }
  header.writeUInt32LE(plain.length + (sealed ? 16 : 0), 103);
  const body = sealed ? gcmSeal(codeKey(code, salt, iterations), nonce, plain, header) : plain;
  return signWith(Buffer.concat([header, body]), keys);
}

/** `signed` ‖ u16 LE length ‖ DER signature over `signed`. */
function signWith(signed, keys) {
  const der = Buffer.from(sm2.doSignature(Array.from(signed), keys.privateKey, { ...SIG_OPTS, publicKey: keys.publicKey }), 'hex');
  const len = Buffer.alloc(2);
  len.writeUInt16LE(der.length);
  return Buffer.concat([signed, len, der]);
}

/** A public key as PEM SubjectPublicKeyInfo. */
const pem = (publicHex) => `-----BEGIN PUBLIC KEY-----\n${Buffer.concat([SPKI_PREFIX, Buffer.from(publicHex, 'hex')]).toString('base64').match(/.{1,64}/g).join('\n')}\n-----END PUBLIC KEY-----\n`;

/** The SEC1 key of a PEM SubjectPublicKeyInfo (SM2 only). */
function pemKey(text) {
  const der = Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  assert.equal(hex(der.subarray(0, SPKI_PREFIX.length)), hex(SPKI_PREFIX), 'SPKI: id-ecPublicKey on sm2p256v1');
  assert.equal(der.length, SPKI_PREFIX.length + 65);
  return der.subarray(SPKI_PREFIX.length);
}

/** Text entries of a zip (an xlsx), found through its central directory. */
function unzip(buf) {
  const end = buf.lastIndexOf(Buffer.from('PK\x05\x06', 'latin1')); // end of central directory
  let at = buf.readUInt32LE(end + 16);
  const out = {};
  for (let n = buf.readUInt16LE(end + 10); n > 0; n--) {
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20); // compressed size (the local header may say 0: data descriptor)
    const nameLen = buf.readUInt16LE(at + 28);
    const skip = buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString();
    const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(data, data + size);
    out[name] = (method === 8 ? zlib.inflateRawSync(raw) : raw).toString();
    at += 46 + nameLen + skip;
  }
  return out;
}

/** The first sheet of an xlsx whose cells are all shared strings, as rows of text. */
function xlsxRows(buf) {
  const parts = unzip(buf);
  const unxml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  const shared = [...parts['xl/sharedStrings.xml'].matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => [...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => unxml(t[1])).join(''));
  return [...parts['xl/worksheets/sheet1.xml'].matchAll(/<row\b[^>]*>([\s\S]*?)<\/row>/g)].map((r) =>
    [...r[1].matchAll(/<c\b([^>]*)>([\s\S]*?)<\/c>/g)].map((c) => {
      const v = c[2].match(/<v>([^<]*)<\/v>/)?.[1];
      return /\bt="s"/.test(c[1]) ? shared[Number(v)] : unxml(v ?? '');
    }));
}

// ---------- the CLI ----------

function run(...args) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.error, undefined, `cannot run ${BIN}: ${r.error}`);
  return r;
}
function ok(...args) {
  const r = run(...args);
  assert.equal(r.status, 0, `zhichu ${args.join(' ')} failed:\n${r.stderr}`);
  return r;
}

const t = {}; // set up once: the city, the CLI's key and packages, a key pair made here
let dir;

before(() => {
  assert.ok(fs.existsSync(BIN), `${BIN} is missing: build it (cargo build --bin zhichu) or set ZHICHU_BIN`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhichu-interop-'));
  t.city = path.join(dir, 'city');
  ok('demo', '--scale', 's', '--out', t.city);
  t.pass = path.join(dir, 'pass.txt');
  fs.writeFileSync(t.pass, 'interop passphrase 1\n');
  fs.mkdirSync(path.join(dir, 'k'));
  t.key = path.join(dir, 'k', 'k.key');
  t.keygenOut = ok('keygen', '--out', t.key, '--passphrase-file', t.pass).stdout;
  const issue = (out, ...more) => ok('personal', '--data', t.city, '--key', t.key, '--passphrase-file', t.pass, '--issuer', ISSUER, '--cadres', CADRE, '--out', out, ...more);
  t.sealedDir = path.join(dir, 'sealed');
  issue(t.sealedDir);
  t.signedDir = path.join(dir, 'signed');
  issue(t.signedDir, '--no-code');
  // The 提取码 from 发放清单.xlsx (columns 单位, 姓名, 干部编号, 文件, 提取码).
  const [head, ...rows] = xlsxRows(fs.readFileSync(path.join(t.sealedDir, '发放清单.xlsx')));
  assert.deepEqual(head, ['单位', '姓名', '干部编号', '文件', '提取码']);
  const row = rows.find((r) => r[2] === CADRE);
  assert.equal(row[3], `${CADRE}.zcpk`);
  t.code = row[4];
  assert.match(t.code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/, 'a 提取码 XXXX-XXXX-XXXX in Crockford base32');
  t.cityProfile = ok('profile', '--data', t.city, '--cadre', CADRE, '--json').stdout;
  // A key pair of our own, fixed (sm-crypto takes a seed as a BigInteger's hex digits).
  t.js = sm2.generateKeyPairHex(hex(fixed('zhichu interop key', 32)), 16);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('sm-crypto and the helpers built on it give the standards’ known answers', () => {
  // SM4, GB/T 32907-2016 Appendix A example 1.
  assert.equal(hex(sm4Ecb(Buffer.from('0123456789abcdeffedcba9876543210', 'hex'), Buffer.from('0123456789abcdeffedcba9876543210', 'hex'))), '681edf34d206965e86b3e94f536e4246');
  // SM3, GB/T 32905-2016 Appendix A example 1.
  assert.equal(hex(sm3Bytes(Buffer.from('abc'))), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  // SM4-GCM, RFC 8998 Appendix A.1: the GHASH/GCTR written above are standard GCM.
  const key = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
  const nonce = Buffer.from('00001234567800000000ABCD', 'hex');
  const aad = Buffer.from('FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2', 'hex');
  const plain = Buffer.from('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA', 'hex');
  const want = '17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d' + '83de3541e4c2b58177e065a9bf7b62ec';
  assert.equal(hex(gcmSeal(key, nonce, plain, aad)), want);
  assert.equal(hex(gcmOpen(key, nonce, Buffer.from(want, 'hex'), aad)), hex(plain));
  assert.equal(gcmOpen(key, nonce, Buffer.from(want, 'hex'), aad.subarray(1)), null, 'other associated data fails the tag');
  // PBKDF2-HMAC-SM3 (no published vector): agrees with Node's OpenSSL, a third implementation, where it has SM3.
  if (crypto.getHashes().includes('sm3')) {
    const salt = fixed('salt', 16);
    assert.equal(hex(pbkdf2Sm3(Buffer.from('K7QH2M9XPD4R'), salt, 2000)), hex(crypto.pbkdf2Sync('K7QH2M9XPD4R', salt, 2000, 16, 'sm3')));
  }
  // SM2 sign/verify with the distinguishing ID round-trips, and a changed message fails.
  const sig = sm2.doSignature([1, 2, 3], t.js.privateKey, SIG_OPTS);
  assert.ok(sm2.doVerifySignature([1, 2, 3], sig, t.js.publicKey, SIG_OPTS));
  assert.ok(!sm2.doVerifySignature([1, 2, 4], sig, t.js.publicKey, SIG_OPTS));
});

test('ours → theirs: sm-crypto verifies, decrypts and reads a package the CLI sealed', () => {
  const file = fs.readFileSync(path.join(t.sealedDir, `${CADRE}.zcpk`));
  const p = parse(file);
  assert.equal(p.version, 1);
  assert.equal(p.mode, 1, 'sealed');
  assert.equal(p.publicKey[0], 0x04, 'SEC1 uncompressed');
  assert.equal(p.iterations, 2000);
  assert.equal(p.body.length, file.readUInt32LE(103));
  assert.equal(p.signature[0], 0x30, 'DER SEQUENCE');
  // The signature: SM2 with SM3 and ID 1234567812345678 over every byte before it.
  assert.ok(verify(p), 'sm-crypto verifies the CLI’s signature');
  const flipped = Buffer.from(p.signed);
  flipped[HEADER_LEN + 5] ^= 1;
  assert.ok(!sm2.doVerifySignature(Array.from(flipped), hex(p.signature), hex(p.publicKey), SIG_OPTS), 'and refuses a changed byte');
  // The seal: PBKDF2-HMAC-SM3(normalized code) → SM4-GCM with the 107 header bytes as associated data.
  const key = codeKey(t.code, p.salt, p.iterations);
  const plain = gcmOpen(key, p.nonce, p.body, p.header);
  assert.ok(plain, 'the GCM tag matches under the key derived from the 提取码');
  assert.equal(codeKey(t.code.toLowerCase().replace(/-/g, ' '), p.salt, p.iterations).equals(key), true, 'normalization: case and separators ignored');
  assert.equal(gcmOpen(codeKey('0000-0000-0000', p.salt, p.iterations), p.nonce, p.body, p.header), null, 'another code fails the tag');
  const content = JSON.parse(zlib.inflateRawSync(plain).toString('utf8'));
  assert.equal(content.format, 'zhichu-personal 1');
  assert.equal(content.cadre_id, CADRE);
  assert.equal(content.issuer, ISSUER);
  // What JS decrypted is what `personal inspect` prints.
  assert.deepEqual(JSON.parse(ok('personal', 'inspect', path.join(t.sealedDir, `${CADRE}.zcpk`), '--code', t.code).stdout), content);
  // The public key: the same in the package, the key file and k.pub (PEM SPKI on the SM2 curve).
  const keyText = fs.readFileSync(t.key, 'utf8');
  assert.equal(keyText.match(/^public: *([0-9a-f]+)$/m)[1], hex(p.publicKey));
  assert.equal(hex(pemKey(fs.readFileSync(t.key.replace(/\.key$/, '.pub'), 'utf8'))), hex(p.publicKey));
  // The fingerprint keygen printed: SM3(SEC1 key), first 16 bytes, hex in groups of 4.
  const fp = hex(sm3Bytes(p.publicKey).subarray(0, 16)).match(/.{4}/g).join(' ');
  assert.equal(t.keygenOut.match(/公钥指纹：(.+)/)[1].trim(), fp);
});

test('ours → theirs: sm-crypto opens the CLI’s key file with its passphrase', () => {
  // keys.rs: SM4-GCM(private scalar) under PBKDF2-HMAC-SM3(passphrase, salt, iterations), AAD = the public key.
  const text = fs.readFileSync(t.key, 'utf8');
  assert.equal(text.split('\n')[0], 'ZHICHU SM2 PRIVATE KEY 1');
  const field = (name) => text.match(new RegExp(`^${name}: *(\\S+)$`, 'm'))[1];
  const pub = Buffer.from(field('public'), 'hex');
  const passphrase = fs.readFileSync(t.pass, 'utf8').split('\n')[0];
  const key = pbkdf2Sm3(Buffer.from(passphrase, 'utf8'), Buffer.from(field('salt'), 'hex'), Number(field('iterations')));
  const scalar = gcmOpen(key, Buffer.from(field('nonce'), 'hex'), Buffer.from(field('secret'), 'hex'), pub);
  assert.ok(scalar, 'the passphrase opens the private key');
  assert.equal(scalar.length, 32);
  assert.equal(sm2.getPublicKeyFromPrivateKey(hex(scalar)), hex(pub), 'd·G is the public key');
});

test('theirs → ours: the CLI opens a package sealed and signed by sm-crypto', () => {
  const src = path.join(t.sealedDir, `${CADRE}.zcpk`);
  const content = JSON.parse(ok('personal', 'inspect', src, '--code', t.code).stdout);
  content.issuer = '另一个组织部';
  const code = 'K7QH-2M0X-PD1R';
  const salt = fixed('zhichu interop salt', 16);
  const nonce = fixed('zhichu interop nonce', 12);
  const file = seal(JSON.stringify(content), t.js, code, { salt, nonce });
  const js = path.join(dir, 'js.zcpk');
  fs.writeFileSync(js, file);
  // Our own reader agrees first (so a failure below is the CLI's, not the writer's).
  assert.equal(JSON.parse(open(file, code)).issuer, '另一个组织部');

  const inspected = ok('personal', 'inspect', js, '--code', code);
  assert.equal(JSON.parse(inspected.stdout).issuer, '另一个组织部');
  assert.deepEqual(JSON.parse(inspected.stdout), content);
  const fp = hex(sm3Bytes(Buffer.from(t.js.publicKey, 'hex')).subarray(0, 16)).match(/.{4}/g).join(' ');
  assert.ok(inspected.stderr.includes(fp), `the CLI names the JS key's fingerprint ${fp}: ${inspected.stderr}`);
  // The code as a person may type it: lower case, spaces, the letter O for zero, l or I for one.
  assert.ok(codeKey('k7qh 2mOx pdlr', salt, 2000).equals(codeKey(code, salt, 2000)));
  ok('personal', 'inspect', js, '--code', 'k7qh 2mOx pdlr');
  ok('personal', 'inspect', js, '--code', 'K7QH2MOXPDIR');
  // Answers from the package are the city's.
  const profile = ok('profile', '--data', js, '--code', code, '--cadre', CADRE, '--json').stdout;
  assert.equal(profile, t.cityProfile);
  // --trust: a PEM written here is read by the CLI; the CLI's own key is not the signer.
  const jsPub = path.join(dir, 'js.pub');
  fs.writeFileSync(jsPub, pem(t.js.publicKey));
  assert.equal(ok('profile', '--data', js, '--code', code, '--trust', jsPub, '--cadre', CADRE, '--json').stdout, t.cityProfile);
  const untrusted = run('profile', '--data', js, '--code', code, '--trust', t.key.replace(/\.key$/, '.pub'), '--cadre', CADRE, '--json');
  assert.notEqual(untrusted.status, 0);
  assert.match(untrusted.stderr, /不是由受信任的公钥签发/);

  // One byte of the body flipped: the signature no longer matches.
  const bad = Buffer.from(file);
  bad[HEADER_LEN + 10] ^= 0x01;
  fs.writeFileSync(path.join(dir, 'bad.zcpk'), bad);
  const tampered = run('personal', 'inspect', path.join(dir, 'bad.zcpk'), '--code', code);
  assert.equal(tampered.status, 1);
  assert.match(tampered.stderr, /签名不符/);
  // A wrong code.
  const wrong = run('personal', 'inspect', js, '--code', 'K7QH-2M0X-PD1S');
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /提取码不正确/);
  // The flipped body re-signed (only the key holder can): the signature passes, and the GCM tag refuses it.
  const resigned = signWith(bad.subarray(0, parse(bad).signed.length), t.js);
  fs.writeFileSync(path.join(dir, 'resigned.zcpk'), resigned);
  const tag = run('personal', 'inspect', path.join(dir, 'resigned.zcpk'), '--code', code);
  assert.equal(tag.status, 1);
  assert.match(tag.stderr, /提取码不正确/);
});

test('signed-only packages (mode 0), both ways', () => {
  // Ours → theirs: zeros for salt, iterations and nonce; the body is the deflated JSON; the signature verifies.
  const file = fs.readFileSync(path.join(t.signedDir, `${CADRE}.zcpk`));
  const p = parse(file);
  assert.equal(p.mode, 0);
  assert.equal(hex(p.salt), '00'.repeat(16));
  assert.equal(p.iterations, 0);
  assert.equal(hex(p.nonce), '00'.repeat(12));
  const content = JSON.parse(open(file, null));
  assert.equal(content.cadre_id, CADRE);
  assert.equal(content.issuer, ISSUER);
  // Theirs → ours: no --code needed.
  content.issuer = '另一个组织部';
  const js = path.join(dir, 'js-signed.zcpk');
  fs.writeFileSync(js, seal(JSON.stringify(content), t.js, null));
  assert.equal(JSON.parse(ok('personal', 'inspect', js).stdout).issuer, '另一个组织部');
  assert.equal(ok('profile', '--data', js, '--cadre', CADRE, '--json').stdout, t.cityProfile);
  // Flipping the mode byte to "sealed" breaks the signature.
  const bad = fs.readFileSync(js);
  bad[5] = 1;
  fs.writeFileSync(path.join(dir, 'js-mode.zcpk'), bad);
  const r = run('personal', 'inspect', path.join(dir, 'js-mode.zcpk'), '--code', 'K7QH-2M0X-PD1R');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /签名不符/);
});
