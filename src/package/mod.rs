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
use crate::error::{Code, Error, Result};

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
    let content: Content = serde_json::from_str(&text).map_err(|e| Error::new(Code::BadPackage, format!("档案包内容有误：{e}")))?;
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

/// One cadre's package, ready to hand out.
#[derive(Debug, Clone)]
pub struct Issued {
    pub unit: String,
    pub name: String,
    pub cadre_id: String,
    /// The file's name: the cadre id, `.zcpk`.
    pub file: String,
    /// Its 提取码 (none when signed only).
    pub code: Option<String>,
    pub bytes: Vec<u8>,
}

/// The 发放清单's columns.
pub const ISSUE_LIST_HEADER: [&str; 5] = ["单位", "姓名", "干部编号", "文件", "提取码"];

/// Bytes of randomness one package takes: salt, nonce, code.
pub const RANDOM_PER_PACKAGE: usize = 16 + 12 + 8;

/// One cadre's package: cut from `city`, sealed with its own code (unless
/// `no_code`) and signed. `random`: [`RANDOM_PER_PACKAGE`] random bytes
/// (the system's generator natively, `crypto.getRandomValues` in a browser).
#[allow(clippy::too_many_arguments)]
pub fn issue(
    engine: &Engine,
    city: &City,
    signer: &sm2::dsa::SigningKey,
    issuer: &str,
    issued: &str,
    cadre: &str,
    no_code: bool,
    random: &[u8; RANDOM_PER_PACKAGE],
) -> Result<Issued> {
    let content = city.content(engine, cadre, issuer, issued)?;
    let r = seal::Randomness { salt: random[..16].try_into().expect("16"), nonce: random[16..28].try_into().expect("12") };
    let code = (!no_code).then(|| seal::code_from(random[28..].try_into().expect("8")));
    let bytes = make(&content, signer, code.as_deref(), r)?;
    let ds = engine.dataset();
    let c = ds.cadres.get(engine.find_cadre(cadre)?);
    let file: String = content.cadre_id.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    Ok(Issued { unit: ds.units.get(c.unit).name.clone(), name: c.name.clone(), cadre_id: content.cadre_id, file: format!("{file}.zcpk"), code, bytes })
}

/// The 发放清单's rows, in the order given.
pub fn issue_list(items: &[Issued]) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|i| vec![i.unit.clone(), i.name.clone(), i.cadre_id.clone(), i.file.clone(), i.code.clone().unwrap_or_else(|| "（未加密）".into())])
        .collect()
}

/// The cadres to issue packages for: those listed, else every cadre of
/// `unit` and the units below it, else every cadre.
pub fn select(engine: &Engine, unit: Option<&str>, cadres: &[String]) -> Result<Vec<String>> {
    let ds = engine.dataset();
    if !cadres.is_empty() {
        return cadres.iter().map(|c| engine.find_cadre(c).map(|i| ds.cadres.id(i).to_string())).collect();
    }
    let ids: Vec<String> = match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => {
            let units = ds.unit_subtree(engine.find_unit(u)?);
            ds.cadres.iter().filter(|(_, _, c)| units.contains(&c.unit)).map(|(_, id, _)| id.to_string()).collect()
        }
        None => ds.cadres.iter().map(|(_, id, _)| id.to_string()).collect(),
    };
    if ids.is_empty() {
        return Err(Error::not_found("所选单位没有干部"));
    }
    Ok(ids)
}
