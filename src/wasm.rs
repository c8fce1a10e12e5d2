//! WebAssembly bindings (wasm32 only): a thin layer over [`crate::Engine`],
//! used by the web page's worker and by the mini-program alike.
//!
//! - Requests are JavaScript objects deserialised with serde-wasm-bindgen
//!   into the engine's typed request structs; a wrong or unknown field is a
//!   `bad_argument` error that names it.
//! - Results cross as JSON text parsed by the host's `JSON.parse` (plain,
//!   JSON-compatible objects, safe for the mini-program's `setData`); the wasm
//!   bench compares this with serde-wasm-bindgen for a profile.
//! - Errors are thrown as `{code, message}`; a panic is reported to the
//!   console with its message (console_error_panic_hook).

use crate::engine::questions::{Answer, Question};
use crate::error::{Code, Error};
use crate::ingest::{LoadOptions, SourceFile};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Serialises a result for JavaScript (see the module docs).
fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    serde_json::to_string(v).ok().and_then(|s| js_sys::JSON::parse(&s).ok()).unwrap_or(JsValue::NULL)
}

fn js_error(e: Error) -> JsValue {
    to_js(&e)
}

/// A request from JavaScript as a JSON value (`undefined`/`null`: null).
///
/// serde-wasm-bindgen reads the object; it looks up a struct's fields by name
/// and so never sees a key the struct lacks. Reading into a JSON value first
/// keeps every key, so the request struct refuses unknown fields
/// ([`Question::parse`] names the field that is wrong).
fn json_of(v: JsValue) -> Result<serde_json::Value, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(serde_json::Value::Null);
    }
    serde_wasm_bindgen::from_value(v).map_err(|e| js_error(Error::bad_argument(format!("请求参数应为对象：{e}"))))
}

/// A question from its name and the JavaScript request object.
fn question(name: &str, req: JsValue) -> Result<Question, JsValue> {
    Question::parse(name, json_of(req)?).map_err(js_error)
}

/// The engine, as JavaScript sees it: stage files, load, then ask.
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine {
    staged: Vec<SourceFile>,
    /// Files kept from before (`keep_file`): never left out; a new file of the same name replaces one unless the load rejects it.
    kept: Vec<SourceFile>,
    inner: crate::Engine,
}

impl Default for WasmEngine {
    fn default() -> Self {
        WasmEngine::new()
    }
}

#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// An empty engine; stage files with `add_file`, then `load`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmEngine {
        WasmEngine { staged: Vec::new(), kept: Vec::new(), inner: crate::Engine::new(Default::default()) }
    }

    /// The built-in demo city (synthetic): `s`, `m` or `l`.
    pub fn demo(scale: &str) -> Result<WasmEngine, JsValue> {
        Ok(WasmEngine { staged: Vec::new(), kept: Vec::new(), inner: crate::Engine::demo(scale).map_err(js_error)? })
    }

    /// A 个人档案包 opened: its signature checked first, then its seal
    /// opened with `code` (none for a signed-only package). The engine
    /// answers its cadre's questions; the summary's `package` says who signed it.
    /// Needs no randomness (WeChat has no `crypto`).
    pub fn open_package(bytes: &[u8], code: Option<String>) -> Result<WasmEngine, JsValue> {
        let opened = crate::package::open(bytes, code.as_deref()).map_err(js_error)?;
        Ok(WasmEngine { staged: Vec::new(), kept: Vec::new(), inner: opened.engine().map_err(js_error)? })
    }

    /// Fault injection for the hosts' tests: panics while the engine is
    /// borrowed, as a real trap would (the module is unusable afterwards, so
    /// the host must start a fresh one). Never called by the product.
    pub fn test_trap(&mut self) {
        panic!("test_trap: a deliberate trap (hosts' recovery tests)");
    }

    /// Stages a new file for the next `load` (replacing a staged one of the same name).
    pub fn add_file(&mut self, name: String, bytes: Vec<u8>) {
        self.staged.retain(|f| f.name != name);
        self.staged.push(SourceFile { name, bytes });
    }

    /// Stages a file kept from before (a host's stored file) for the next
    /// `load`: it is never left out, and a new file (`add_file`) of its name
    /// replaces it only if the load uses the new one.
    pub fn keep_file(&mut self, name: String, bytes: Vec<u8>) {
        self.kept.retain(|f| f.name != name);
        self.kept.push(SourceFile { name, bytes });
    }

    /// Builds the dataset from the staged files (then lets go of their bytes)
    /// and returns the validation report. A new file that the load rejects
    /// (`report.rejected`) is left out and does not replace the kept one: the
    /// engine loads again without it, and keeps its problems in the report
    /// ([`crate::Engine::load_over`]). `progress`, if given, is called with a
    /// whole percentage each time it changes.
    pub fn load(&mut self, progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
        let mut last = -1i64;
        let files = std::mem::take(&mut self.staged);
        let kept = std::mem::take(&mut self.kept);
        self.inner = crate::Engine::load_over(kept, files, &LoadOptions::default(), &mut |p| {
            if let Some(f) = &progress {
                let pct = (p.done * 100 / p.total.max(1)) as i64;
                if pct != last {
                    last = pct;
                    let _ = f.call1(&JsValue::NULL, &JsValue::from(pct as f64));
                }
            }
        })
        .map_err(js_error)?;
        Ok(to_js(self.inner.report()))
    }

    /// Sets the reserve model: `{half_life_years, completion_credit}` (range-checked).
    pub fn set_model(&mut self, req: JsValue) -> Result<(), JsValue> {
        let m: crate::analytics::Model = match json_of(req)? {
            serde_json::Value::Null => Default::default(),
            v => serde_json::from_value(v).map_err(|e| js_error(Error::bad_argument(format!("模型参数有误：{e}"))))?,
        };
        self.inner.set_model(m).map_err(js_error)
    }

    /// Asks one of the engine's questions (`src/engine/questions.rs`: the one
    /// list) with its request object → the answer. An unknown name throws
    /// `unknown_question`; a question this module lacks, `not_in_module`.
    pub fn ask(&mut self, name: &str, req: JsValue) -> Result<JsValue, JsValue> {
        let q = question(name, req)?;
        self.inner.ask(q).map(|a| to_js(&a)).map_err(js_error)
    }

    /// The same profile as `profile`, handed over by serde-wasm-bindgen
    /// (JSON-compatible mode) instead of JSON text: for the bench's comparison.
    pub fn profile_swb(&mut self, req: JsValue) -> Result<JsValue, JsValue> {
        let p = match self.inner.ask(question("profile", req)?).map_err(js_error)? {
            Answer::Profile(p) => p,
            _ => unreachable!("a profile question has a profile answer"),
        };
        p.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| js_error(Error::new(Code::Export, e.to_string())))
    }
}

/// The file exports (the web page's modules: the mini-program has no xlsx writer).
#[cfg(feature = "web")]
#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// A question's whole answer as file bytes: `format` "xlsx" for any
    /// table answer (the CLI's `--xlsx` sheets), "csv" for one with a single
    /// sheet (调训名单), and "xlsx", "csv" or "parquet" for `pivot` and `sql`
    /// (every row; Parquet in the analysis module).
    pub fn export(&mut self, name: &str, req: JsValue, format: &str) -> Result<js_sys::Uint8Array, JsValue> {
        let q = question(name, req)?;
        let format = crate::export::Format::parse(format).map_err(js_error)?;
        let bytes = self.inner.export(q, format).map_err(js_error)?;
        Ok(js_sys::Uint8Array::from(&bytes[..]))
    }
}

/// Which modules answer the question `name`: "engine" (every module), "web"
/// (the web page's modules), "analysis" (the analysis module only), or
/// `null` for an unknown name. The web page's worker asks it to know when to
/// load the analysis module.
#[wasm_bindgen]
pub fn question_module(name: &str) -> Option<String> {
    // (`undefined` in JavaScript for an unknown name.)
    crate::engine::questions::module_of(name).map(|m| m.name().to_string())
}

/// What can be told of a 个人档案包 before its 提取码 is asked for: its
/// signature is checked; `{sealed, fingerprint, issuer_key}` (the issuer's
/// public key as hex), or `{code, message}` thrown.
#[wasm_bindgen]
pub fn package_header(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let (h, _) = crate::package::seal::verify(bytes).map_err(js_error)?;
    let key = crate::package::keys::hex(&h.issuer_key);
    Ok(to_js(&serde_json::json!({"sealed": h.sealed, "fingerprint": crate::package::seal::fingerprint(&h.issuer_key), "issuer_key": key})))
}

/// Whether this module carries the analysis tables (the web page's second module does).
#[wasm_bindgen]
pub fn has_analysis() -> bool {
    cfg!(feature = "analysis")
}

/// 个人档案包 for the trainer's page (生成个人档案包): the key file's text and
/// its passphrase (never stored), the issuer, the cadres listed, else every
/// cadre of `unit` and the units below it, else all; `no_code` to sign
/// only; `random(n)` returns n random bytes (the page's
/// `crypto.getRandomValues`). A zip of the packages and 发放清单.xlsx.
#[cfg(feature = "web")]
#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    #[allow(clippy::too_many_arguments)]
    pub fn make_packages(
        &mut self,
        key_text: &str,
        passphrase: &str,
        issuer: &str,
        unit: Option<String>,
        cadres: Vec<String>,
        no_code: bool,
        random: js_sys::Function,
    ) -> Result<js_sys::Uint8Array, JsValue> {
        use crate::package::{self, RANDOM_PER_PACKAGE};
        let signer = package::keys::read_key(key_text, passphrase).map_err(js_error)?;
        let issuer = issuer.trim();
        if issuer.is_empty() {
            return Err(js_error(Error::bad_argument("请填写签发单位（如 某市委组织部）")));
        }
        let e = &mut self.inner;
        let ids = package::select(e, unit.as_deref(), &cadres).map_err(js_error)?;
        let city = package::City::new(e, &LoadOptions::default(), None).map_err(js_error)?;
        let n = ids.len() * RANDOM_PER_PACKAGE;
        let bytes = random
            .call1(&JsValue::NULL, &JsValue::from(n as f64))
            .map(|v| js_sys::Uint8Array::new(&v).to_vec())
            .map_err(|_| js_error(Error::new(Code::NoRandom, "浏览器没有提供随机数")))?;
        if bytes.len() < n {
            return Err(js_error(Error::new(Code::NoRandom, "浏览器没有提供足够的随机数")));
        }
        let issued = crate::model::date::format(crate::model::date::today());
        let mut items = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let r: &[u8; RANDOM_PER_PACKAGE] = bytes[i * RANDOM_PER_PACKAGE..(i + 1) * RANDOM_PER_PACKAGE].try_into().expect("sized");
            items.push(package::issue(e, &city, &signer, issuer, &issued, id, no_code, r).map_err(js_error)?);
        }
        let list = crate::export::xlsx_table("发放清单", &package::ISSUE_LIST_HEADER, &package::issue_list(&items))
            .map_err(|e| js_error(Error::new(Code::Export, e.to_string())))?;
        let zip = zip_of(items.iter().map(|p| (p.file.as_str(), p.bytes.as_slice())).chain(std::iter::once(("发放清单.xlsx", list.as_slice()))))
            .map_err(|e| js_error(Error::new(Code::Export, e)))?;
        Ok(js_sys::Uint8Array::from(&zip[..]))
    }
}

/// Files as a zip (stored: packages are compressed already).
#[cfg(feature = "web")]
fn zip_of<'a>(files: impl Iterator<Item = (&'a str, &'a [u8])>) -> std::result::Result<Vec<u8>, String> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        z.start_file(name, opts).map_err(|e| e.to_string())?;
        z.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(z.finish().map_err(|e| e.to_string())?.into_inner())
}

/// The import template (导入模板) as xlsx bytes.
#[cfg(feature = "web")]
#[wasm_bindgen]
pub fn template_xlsx() -> Result<js_sys::Uint8Array, JsValue> {
    let bytes = crate::template::template_xlsx().map_err(|e| js_error(Error::new(Code::Export, e.to_string())))?;
    Ok(js_sys::Uint8Array::from(&bytes[..]))
}

/// Runs a small synthetic load once so that the browser optimises the load
/// path before the first real load (see `engine/warm.rs`); the records loaded.
#[wasm_bindgen]
pub fn warm_up() -> usize {
    crate::Engine::warm_up().0
}

/// The demo city as CSV files (`[{name, bytes}]`), for benches and for users
/// who want to see the file format.
#[wasm_bindgen]
pub fn demo_csv_files(scale: &str) -> Result<js_sys::Array, JsValue> {
    use crate::demo::export::{Encoding, Headers, csv_files};
    let scale = crate::demo::Scale::parse(scale).ok_or_else(|| js_error(Error::bad_argument(format!("未知的演示规模「{scale}」"))))?;
    if scale == crate::demo::Scale::XL {
        return Err(js_error(Error::bad_argument("演示规模 xl 只能在命令行中使用")));
    }
    let out = js_sys::Array::new();
    for (name, bytes) in csv_files(&crate::demo::generate(scale), Headers::Chinese, Encoding::Utf8Bom) {
        let o = js_sys::Object::new();
        js_sys::Reflect::set(&o, &"name".into(), &name.into())?;
        js_sys::Reflect::set(&o, &"bytes".into(), &js_sys::Uint8Array::from(&bytes[..]))?;
        out.push(&o);
    }
    Ok(out)
}
