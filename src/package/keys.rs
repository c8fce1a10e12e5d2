//! The department's SM2 key: the private key kept in a text file, sealed
//! (SM4-GCM) under a key derived from a passphrase; the public key as PEM
//! (SubjectPublicKeyInfo, what any 国密 library reads) and its fingerprint.
//!
//! Key file (UTF-8 text, one `name: value` a line):
//!
//! ```text
//! ZHICHU SM2 PRIVATE KEY 1
//! public: <SEC1 uncompressed public key, hex>
//! salt: <16 bytes, hex>
//! iterations: <PBKDF2-HMAC-SM3 iterations>
//! nonce: <12 bytes, hex>
//! secret: <SM4-GCM(private scalar, 32 bytes big-endian) ‖ tag, hex; associated data: the public key's bytes>
//! ```

use super::seal::{Randomness, derive_key};
use crate::error::{Code, Error, Result};
use aes_gcm::aead::{Aead, KeyInit, Payload};

type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

const FIRST_LINE: &str = "ZHICHU SM2 PRIVATE KEY 1";
/// PBKDF2-HMAC-SM3 iterations for a passphrase (a key is opened once a run).
pub const PASSPHRASE_ITERATIONS: u32 = 200_000;

/// Bytes as lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// The key file's text for `secret`, sealed under `passphrase`.
pub fn write_key(secret: &sm2::SecretKey, passphrase: &str, random: Randomness, iterations: u32) -> String {
    let public = secret.public_key().to_sec1_bytes();
    let key = derive_key(passphrase.as_bytes(), &random.salt, iterations);
    let sealed = Sm4Gcm::new(&key.into()).encrypt(&random.nonce.into(), Payload { msg: &secret.to_bytes(), aad: &public }).expect("sealing in memory");
    format!(
        "{FIRST_LINE}\npublic: {}\nsalt: {}\niterations: {iterations}\nnonce: {}\nsecret: {}\n",
        hex(&public),
        hex(&random.salt),
        hex(&random.nonce),
        hex(&sealed)
    )
}

/// The signing key of a key file, opened with its passphrase.
pub fn read_key(text: &str, passphrase: &str) -> Result<sm2::dsa::SigningKey> {
    let bad = |what: &str| Error::bad_argument(format!("不是知储的私钥文件（{what}）"));
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some(FIRST_LINE) {
        return Err(bad("第一行应为 ZHICHU SM2 PRIVATE KEY 1"));
    }
    let field = |name: &str| text.lines().find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':'))).map(str::trim);
    let get = |name: &str| field(name).and_then(unhex).ok_or_else(|| bad(&format!("缺少或无法读取 {name}")));
    let public = get("public")?;
    let salt = get("salt")?;
    let nonce: [u8; 12] = get("nonce")?.try_into().map_err(|_| bad("nonce 应为 12 字节"))?;
    let sealed = get("secret")?;
    let iterations: u32 = field("iterations").and_then(|v| v.parse().ok()).filter(|n| (1..=10_000_000).contains(n)).ok_or_else(|| bad("iterations"))?;
    let key = derive_key(passphrase.as_bytes(), &salt, iterations);
    let scalar = Sm4Gcm::new(&key.into())
        .decrypt(&nonce.into(), Payload { msg: &sealed, aad: &public })
        .map_err(|_| Error::new(Code::WrongPassphrase, "私钥口令不正确（或私钥文件已损坏）"))?;
    let secret = sm2::SecretKey::from_slice(&scalar).map_err(|_| bad("私钥无效"))?;
    if secret.public_key().to_sec1_bytes().as_ref() != public.as_slice() {
        return Err(bad("公钥与私钥不符"));
    }
    sm2::dsa::SigningKey::new(super::seal::DIST_ID, &secret).map_err(|_| bad("私钥无效"))
}

/// A public key as PEM (SubjectPublicKeyInfo with the SM2 curve).
#[cfg(feature = "cli")]
pub fn public_pem(public_sec1: &[u8]) -> Result<String> {
    use sm2::pkcs8::{EncodePublicKey, LineEnding};
    let key = sm2::PublicKey::from_sec1_bytes(public_sec1).map_err(|_| Error::bad_argument("公钥无效"))?;
    key.to_public_key_pem(LineEnding::LF).map_err(|e| Error::bad_argument(format!("公钥无法写成 PEM：{e}")))
}

/// A public key from PEM (SubjectPublicKeyInfo) or SEC1 hex, as SEC1 uncompressed bytes.
#[cfg(feature = "cli")]
pub fn read_public(text: &str) -> Result<Vec<u8>> {
    use sm2::pkcs8::DecodePublicKey;
    let t = text.trim();
    let key = if t.starts_with("-----BEGIN") {
        sm2::PublicKey::from_public_key_pem(t).map_err(|e| Error::bad_argument(format!("无法读取公钥 PEM：{e}")))?
    } else {
        let b = unhex(t).ok_or_else(|| Error::bad_argument("公钥应为 PEM 或十六进制"))?;
        sm2::PublicKey::from_sec1_bytes(&b).map_err(|_| Error::bad_argument("公钥无效"))?
    };
    Ok(key.to_sec1_bytes().to_vec())
}
