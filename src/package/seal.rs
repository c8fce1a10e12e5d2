//! The 个人档案包 file: its bytes, its seal (SM4-GCM under a key derived from
//! the 提取码) and its signature (SM2 with SM3), checked before anything is
//! decrypted. Opening needs no randomness (WeChat has no `crypto` global);
//! sealing takes its random bytes from the caller.
//!
//! Layout (integers little-endian):
//!
//! | bytes | field |
//! | --- | --- |
//! | 4 | magic `ZCPK` |
//! | 1 | version, 1 |
//! | 1 | mode: 1 sealed, 0 signed only |
//! | 65 | the issuer's SM2 public key, SEC1 uncompressed (`04‖X‖Y`) |
//! | 16 | salt of the key derivation (zeros when signed only) |
//! | 4 | PBKDF2-HMAC-SM3 iterations (0 when signed only) |
//! | 12 | GCM nonce (zeros when signed only) |
//! | 4 | body length B |
//! | B | body: SM4-GCM ciphertext ‖ 16-byte tag (associated data: the 107 bytes above), or the plaintext |
//! | 2 | signature length S |
//! | S | SM2 signature, DER (GB/T 35276), with SM3 and the distinguishing ID `1234567812345678` (GM/T 0009), over every byte before it |
//!
//! The plaintext is the content's JSON, deflated (raw DEFLATE, RFC 1951).

use crate::error::{Code, Error, Result};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use sm2::dsa::signature::Verifier;
use sm2::dsa::{Signature, VerifyingKey};

pub const MAGIC: &[u8; 4] = b"ZCPK";
pub const VERSION: u8 = 1;
/// The distinguishing ID of GM/T 0009 (the default every 国密 library uses).
pub const DIST_ID: &str = "1234567812345678";
/// Bytes before the body.
pub const HEADER_LEN: usize = 4 + 1 + 1 + 65 + 16 + 4 + 12 + 4;
/// PBKDF2-HMAC-SM3 iterations for a 提取码 (see the README for the measurement behind it).
pub const CODE_ITERATIONS: u32 = 2_000;
/// The most a package may hold once inflated: a cadre's own pages need tens of KB.
pub const MAX_CONTENT: usize = 16 << 20;
/// The most iterations a file may ask for (opening must stay quick on a phone).
const MAX_ITERATIONS: u32 = 1_000_000;

type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// The 提取码's alphabet: Crockford's base32 (no I, L, O, U).
pub const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Symbols in a 提取码: 12 × 5 bits = 60 bits.
pub const CODE_LEN: usize = 12;

/// A 提取码 from 8 random bytes (60 of their bits), grouped `XXXX-XXXX-XXXX`.
pub fn code_from(random: [u8; 8]) -> String {
    let v = u64::from_le_bytes(random);
    let s: String = (0..CODE_LEN).map(|i| CODE_ALPHABET[((v >> (5 * i)) & 31) as usize] as char).collect();
    format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
}

/// A 提取码 as typed, in canonical form: case, spaces and dashes ignored;
/// O read as 0 and I, L as 1 (as Crockford's base32 reads them).
pub fn normalize_code(code: &str) -> Option<String> {
    let s: String = code
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '－' | '—' | '\u{3000}'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    (s.len() == CODE_LEN && s.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(s)
}

/// The SM4 key of a 提取码 (PBKDF2-HMAC-SM3).
pub fn derive_key(secret: &[u8], salt: &[u8], iterations: u32) -> [u8; 16] {
    let mut key = [0u8; 16];
    pbkdf2::pbkdf2_hmac::<sm3::Sm3>(secret, salt, iterations, &mut key);
    key
}

/// SM3 of a public key (SEC1 uncompressed), its first 16 bytes as grouped
/// hex: what a department prints in its notice.
pub fn fingerprint(public_sec1: &[u8]) -> String {
    use sm3::Digest;
    let h = sm3::Sm3::digest(public_sec1);
    h[..16].chunks(2).map(|p| format!("{:02x}{:02x}", p[0], p[1])).collect::<Vec<_>>().join(" ")
}

/// A package's header fields, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub sealed: bool,
    pub issuer_key: Vec<u8>,
    pub salt: [u8; 16],
    pub iterations: u32,
    pub nonce: [u8; 12],
}

fn bad(code: Code, msg: &str) -> Error {
    Error::new(code, msg.to_string())
}

fn not_a_package() -> Error {
    bad(Code::NotAPackage, "不是知储个人档案包（文件开头应为 ZCPK），或文件不完整")
}

fn tampered() -> Error {
    bad(Code::BadSignature, "档案包已被改动或损坏（签名不符）")
}

/// Splits a package into header, body and signature, and checks the
/// signature against the issuer key it carries. Nothing is decrypted here.
pub fn verify(bytes: &[u8]) -> Result<(Header, &[u8])> {
    if bytes.len() < HEADER_LEN + 2 || &bytes[..4] != MAGIC {
        return Err(not_a_package());
    }
    if bytes[4] != VERSION {
        return Err(bad(Code::NotAPackage, &format!("档案包格式版本为 {}，本程序只认版本 {VERSION}；请更新知储", bytes[4])));
    }
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let body_len = u32_at(HEADER_LEN - 4) as usize;
    let sig_at = HEADER_LEN.checked_add(body_len).filter(|&e| e + 2 <= bytes.len()).ok_or_else(not_a_package)?;
    let sig_len = u16::from_le_bytes([bytes[sig_at], bytes[sig_at + 1]]) as usize;
    if sig_at + 2 + sig_len != bytes.len() {
        return Err(not_a_package());
    }
    let header = Header {
        sealed: match bytes[5] {
            1 => true,
            0 => false,
            _ => return Err(tampered()),
        },
        issuer_key: bytes[6..71].to_vec(),
        salt: bytes[71..87].try_into().expect("16 bytes"),
        iterations: u32_at(87),
        nonce: bytes[91..103].try_into().expect("12 bytes"),
    };
    let key = sm2::PublicKey::from_sec1_bytes(&header.issuer_key).map_err(|_| tampered())?;
    let vk = VerifyingKey::new(DIST_ID, key).map_err(|_| tampered())?;
    let sig = Signature::from_der(&bytes[sig_at + 2..]).map_err(|_| tampered())?;
    vk.verify(&bytes[..sig_at], &sig).map_err(|_| tampered())?;
    Ok((header, &bytes[HEADER_LEN..sig_at]))
}

/// Opens a verified package's body: decrypts it with the 提取码 (when
/// sealed) and inflates it. Returns the content's JSON text.
pub fn open(bytes: &[u8], code: Option<&str>) -> Result<(Header, String)> {
    let (header, body) = verify(bytes)?;
    let plain = if header.sealed {
        let code = code.ok_or_else(|| bad(Code::CodeRequired, "请输入提取码"))?;
        let wrong = || bad(Code::WrongCode, "提取码不正确");
        let canonical = normalize_code(code).ok_or_else(wrong)?;
        if header.iterations == 0 || header.iterations > MAX_ITERATIONS {
            return Err(tampered());
        }
        let key = derive_key(canonical.as_bytes(), &header.salt, header.iterations);
        let cipher = Sm4Gcm::new(&key.into());
        cipher.decrypt(&header.nonce.into(), Payload { msg: body, aad: &bytes[..HEADER_LEN] }).map_err(|_| wrong())?
    } else {
        body.to_vec()
    };
    let text = inflate(&plain).ok_or_else(|| bad(Code::BadPackage, "档案包内容无法解压，文件可能已损坏"))?;
    Ok((header, text))
}

/// Raw DEFLATE, refused past [`MAX_CONTENT`].
fn inflate(bytes: &[u8]) -> Option<String> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(bytes).take(MAX_CONTENT as u64 + 1).read_to_end(&mut out).ok()?;
    if out.len() > MAX_CONTENT {
        return None;
    }
    String::from_utf8(out).ok()
}

/// What sealing needs that must be random (the caller's: the CLI's system
/// generator, the browser's `crypto.getRandomValues`).
#[derive(Debug, Clone, Copy)]
pub struct Randomness {
    pub salt: [u8; 16],
    pub nonce: [u8; 12],
}

/// Writes a package: `content` (JSON text) deflated, sealed under `code`
/// (or only signed, with `None`), signed by `signer`.
pub fn seal(content: &str, signer: &sm2::dsa::SigningKey, code: Option<&str>, random: Randomness, iterations: u32) -> Result<Vec<u8>> {
    use flate2::write::DeflateEncoder;
    use sm2::dsa::signature::Signer;
    use std::io::Write;
    let mut z = DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(content.as_bytes()).expect("write to memory");
    let plain = z.finish().expect("write to memory");
    let public = signer.verifying_key().to_sec1_bytes();
    let (salt, iterations, nonce) = match code {
        Some(_) => (random.salt, iterations, random.nonce),
        None => ([0; 16], 0, [0; 12]),
    };
    let body_len = plain.len() + if code.is_some() { 16 } else { 0 };
    let mut out = Vec::with_capacity(HEADER_LEN + body_len + 80);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(u8::from(code.is_some()));
    out.extend_from_slice(&public);
    out.extend_from_slice(&salt);
    out.extend_from_slice(&iterations.to_le_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&(body_len as u32).to_le_bytes());
    debug_assert_eq!(out.len(), HEADER_LEN);
    match code {
        Some(code) => {
            let canonical = normalize_code(code).ok_or_else(|| Error::bad_argument("提取码格式不对"))?;
            let key = derive_key(canonical.as_bytes(), &salt, iterations);
            let sealed =
                Sm4Gcm::new(&key.into()).encrypt(&nonce.into(), Payload { msg: &plain, aad: &out }).map_err(|_| Error::new(Code::SealFailed, "加密失败"))?;
            out.extend_from_slice(&sealed);
        }
        None => out.extend_from_slice(&plain),
    }
    let sig: Signature = signer.sign(&out);
    let der = sig.to_der();
    out.extend_from_slice(&(der.as_bytes().len() as u16).to_le_bytes());
    out.extend_from_slice(der.as_bytes());
    Ok(out)
}
