//! 个人档案包: one cadre's own profile, without anyone else's data, signed
//! by the department (SM2 with SM3) and sealed with a 提取码 (SM4-GCM).
//!
//! - [`seal`]: the file's bytes, its seal and signature (opening needs no randomness);
//! - [`keys`]: the department's key file and public key;
//! - [`content`]: what a package holds, cut from a city and read back into an engine.

pub mod content;
pub mod keys;
pub mod seal;

pub use content::{City, Content, PackageInfo, Personal};

use crate::engine::Engine;
use crate::error::{Error, Result};

/// A package whose signature was checked and whose seal was opened.
#[derive(Debug, Clone)]
pub struct Opened {
    pub content: Content,
    /// The issuer's public key (SEC1 uncompressed) and its fingerprint.
    pub issuer_key: Vec<u8>,
    pub fingerprint: String,
    pub sealed: bool,
}

/// Checks a package's signature, then opens it (`code`: its 提取码, when sealed).
pub fn open(bytes: &[u8], code: Option<&str>) -> Result<Opened> {
    let (header, text) = seal::open(bytes, code)?;
    let content: Content = serde_json::from_str(&text).map_err(|e| Error::new("bad_package", format!("档案包内容有误：{e}")))?;
    Ok(Opened { fingerprint: seal::fingerprint(&header.issuer_key), issuer_key: header.issuer_key, sealed: header.sealed, content })
}

impl Opened {
    /// The engine over the package: its cadre's questions only.
    pub fn engine(&self) -> Result<Engine> {
        self.content.engine(self.fingerprint.clone(), self.sealed)
    }
}

/// One cadre's package: sealed under `code` (or only signed), signed by `signer`.
pub fn make(content: &Content, signer: &sm2::dsa::SigningKey, code: Option<&str>, random: seal::Randomness) -> Result<Vec<u8>> {
    let text = serde_json::to_string(content).expect("serialisable");
    seal::seal(&text, signer, code, random, seal::CODE_ITERATIONS)
}

/// Whether bytes are a package (by their magic).
pub fn is_package(bytes: &[u8]) -> bool {
    bytes.starts_with(seal::MAGIC)
}
