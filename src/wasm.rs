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

use crate::engine::requests::*;
use crate::error::Error;
use crate::ingest::{LoadOptions, SourceFile};
use serde::Serialize;
use serde::de::DeserializeOwned;
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

/// A request from JavaScript: `undefined`/`null` means every default.
///
/// serde-wasm-bindgen reads the object; it looks up a struct's fields by name
/// and so never sees a key the struct lacks. Reading into a JSON value first
/// keeps every key, so the request struct refuses unknown fields, and
/// serde_path_to_error names the field that is wrong.
fn request<T: DeserializeOwned + Default>(v: JsValue) -> Result<T, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(T::default());
    }
    let bad = |e: String| js_error(Error::bad_argument(e));
    let value: serde_json::Value = serde_wasm_bindgen::from_value(v).map_err(|e| bad(format!("请求参数应为对象：{e}")))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." { String::new() } else { format!("「{path}」") };
        bad(format!("请求参数{at}有误：{}", e.inner()))
    })
}

/// The engine, as JavaScript sees it: stage files, load, then ask.
#[wasm_bindgen(js_name = Engine)]
pub struct WasmEngine {
    staged: Vec<SourceFile>,
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
        WasmEngine { staged: Vec::new(), inner: crate::Engine::new(Default::default()) }
    }

    /// The built-in demo city (synthetic): `s`, `m` or `l`.
    pub fn demo(scale: &str) -> Result<WasmEngine, JsValue> {
        Ok(WasmEngine { staged: Vec::new(), inner: crate::Engine::demo(scale).map_err(js_error)? })
    }

    /// A 个人档案包 opened: its signature checked first, then its seal
    /// opened with `code` (none for a signed-only package). The engine
    /// answers its cadre's questions; `summary().package` says who signed it.
    /// Needs no randomness (WeChat has no `crypto`).
    pub fn open_package(bytes: &[u8], code: Option<String>) -> Result<WasmEngine, JsValue> {
        let opened = crate::package::open(bytes, code.as_deref()).map_err(js_error)?;
        Ok(WasmEngine { staged: Vec::new(), inner: opened.engine().map_err(js_error)? })
    }

    /// Fault injection for the hosts' tests: panics while the engine is
    /// borrowed, as a real trap would (the module is unusable afterwards, so
    /// the host must start a fresh one). Never called by the product.
    pub fn test_trap(&mut self) {
        panic!("test_trap: a deliberate trap (hosts' recovery tests)");
    }

    /// Stages a file for the next `load` (replacing a staged one of the same name).
    pub fn add_file(&mut self, name: String, bytes: Vec<u8>) {
        self.staged.retain(|f| f.name != name);
        self.staged.push(SourceFile { name, bytes });
    }

    /// Builds the dataset from the staged files (then lets go of their bytes)
    /// and returns the validation report. `progress`, if given, is called
    /// with a whole percentage each time it changes.
    pub fn load(&mut self, progress: Option<js_sys::Function>) -> Result<JsValue, JsValue> {
        let mut last = -1i64;
        let files = std::mem::take(&mut self.staged);
        self.inner = crate::Engine::load(&files, &LoadOptions::default(), &mut |p| {
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
        let m: crate::analytics::Model = request(req)?;
        self.inner.set_model(m).map_err(js_error)
    }

    pub fn summary(&self) -> JsValue {
        to_js(&self.inner.summary())
    }

    pub fn report(&self) -> JsValue {
        to_js(self.inner.report())
    }

    pub fn units(&self) -> JsValue {
        to_js(&self.inner.units())
    }

    /// The same profile as `profile`, handed over by serde-wasm-bindgen
    /// (JSON-compatible mode) instead of JSON text: for the bench's comparison.
    pub fn profile_swb(&mut self, req: JsValue) -> Result<JsValue, JsValue> {
        let req: ProfileRequest = request(req)?;
        let p = self.inner.profile(&req).map_err(js_error)?;
        p.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| js_error(Error::new("export", e.to_string())))
    }
}

/// One binding per engine question: a request object in, the result out.
macro_rules! questions {
    ($($(#[$doc:meta])* $name:ident($req:ty);)*) => {
        #[wasm_bindgen(js_class = Engine)]
        impl WasmEngine {
            $(
                $(#[$doc])*
                pub fn $name(&mut self, req: JsValue) -> Result<JsValue, JsValue> {
                    let req: $req = request(req)?;
                    self.inner.$name(&req).map(|r| to_js(&r)).map_err(js_error)
                }
            )*
        }
    };
}

questions! {
    /// `{as_of?}` → computes every cadre's reserves at that date ahead of the first profile; returns how many cadres.
    prepare(AsOfRequest);
    /// `{query, limit}` → cadres whose id or name contains the query.
    cadres(CadreSearch);
    /// `{cadre, as_of?}` → the profile: radar numbers, ranked gaps, records behind each number, trend.
    profile(ProfileRequest);
    /// `{cadre, top?, repeat_window_years?, as_of?}` → recommended courses with reason and gain.
    recommend(RecommendRequest);
    /// `{cadre, course, as_of?}` → the radar before and after taking the course.
    simulate(SimulateRequest);
    /// `{cadre}` → every record of the cadre (电子档案), newest first.
    archive(CadreRequest);
    /// `{cadre, year?}` → 学时 against each rule that applies, with deadlines.
    hours(HoursRequest);
    /// `{unit, years?, include_subunits?, coverage_years?, as_of?}` → the unit's training layout.
    layout(LayoutRequest);
    /// `{as_of?}` → top-level units ranked per dimension.
    city_ranking(AsOfRequest);
    /// `{by: "course"|"teacher", prior_weight?}` → the rating table.
    ratings(RatingsRequest);
    /// `{unit?, window_years?, as_of?}` → repeats, 培训专业户, spread, never trained.
    fairness(FairnessRequest);
    /// `{unit?, year?}` → 学时 compliance of the unit's subtree (or the city).
    compliance(ComplianceRequest);
}

// The analysis module's questions (feature `analysis`): the analysis
// tables, 数据透视 and SQL; results as JSON text like every other question.
#[cfg(feature = "analysis")]
questions! {
    /// `{as_of?}` → `[{name, doc, rows, columns: [{name, dtype, doc}]}]`.
    analysis_tables(AsOfRequest);
    /// `{table, rows, cols?, measure?, agg, unit?, rank?, years?, dimension?, completed?, where?, as_of?, limit?}` → a pivot with totals.
    pivot(crate::analysis::PivotRequest);
    /// `{query, as_of?, limit?}` → a read-only SQL query's result.
    sql(crate::analysis::SqlRequest);
}

#[cfg(feature = "analysis")]
#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    /// `{pivot: {...}}` or `{sql: {...}}`, `format` = "xlsx" | "csv" | "parquet" → the whole result as file bytes.
    pub fn export_analysis(&mut self, req: JsValue, format: &str) -> Result<js_sys::Uint8Array, JsValue> {
        let req: crate::analysis::AnalysisRequest = request(req)?;
        let format = crate::analysis::Format::parse(format).map_err(js_error)?;
        let bytes = self.inner.export_analysis(&req, format).map_err(js_error)?;
        Ok(js_sys::Uint8Array::from(&bytes[..]))
    }
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

/// The web page's planning bindings (not in the mini-program's module).
#[cfg(feature = "web")]
#[wasm_bindgen(js_class = Engine)]
impl WasmEngine {
    pub fn classes(&self) -> JsValue {
        to_js(&self.inner.classes())
    }

    /// `{cohort: [{kind, values}], params: {budget_hours, theory_share, required, removed, …}, as_of?}` → a class plan.
    pub fn plan(&mut self, req: JsValue) -> Result<JsValue, JsValue> {
        let req: PlanRequest = request(req)?;
        self.inner.plan(&req).map(|p| to_js(&p)).map_err(js_error)
    }

    /// Any table view as an Excel workbook (bytes): `method` is the question
    /// (`layout`, `city_ranking`, `compliance`, `fairness`, `ratings`, `profile`,
    /// `recommend`, `archive`, `hours`, `cadres`, `report`, `plan`), `req` its
    /// request. The sheets are the CLI's `--xlsx` sheets.
    pub fn export_xlsx(&mut self, method: &str, req: JsValue) -> Result<js_sys::Uint8Array, JsValue> {
        use crate::export::Tabular;
        let e = &mut self.inner;
        let sheets = match method {
            "layout" => e.layout(&request(req)?).map(|r| r.sheets()),
            "city_ranking" => e.city_ranking(&request(req)?).map(|r| r.sheets()),
            "compliance" => e.compliance(&request(req)?).map(|r| r.sheets()),
            "fairness" => e.fairness(&request(req)?).map(|r| r.sheets()),
            "ratings" => e.ratings(&request(req)?).map(|r| r.sheets()),
            "profile" => e.profile(&request(req)?).map(|r| r.sheets()),
            "recommend" => e.recommend(&request(req)?).map(|r| r.sheets()),
            "archive" => e.archive(&request(req)?).map(|r| r.sheets()),
            "hours" => e.hours(&request(req)?).map(|r| r.sheets()),
            "cadres" => e.cadres(&request(req)?).map(|r| r.sheets()),
            "plan" => e.plan(&request(req)?).map(|r| r.sheets()),
            "report" => Ok(e.report().sheets()),
            m => Err(Error::bad_argument(format!("不能导出「{m}」"))),
        }
        .map_err(js_error)?;
        let bytes = crate::export::xlsx_sheets(&sheets).map_err(|e| js_error(Error::new("export", e.to_string())))?;
        Ok(js_sys::Uint8Array::from(&bytes[..]))
    }

    /// Named assignment for a class; `format` = "json" (the list), "csv" or "xlsx" (file bytes).
    pub fn assign(&mut self, req: JsValue, format: &str) -> Result<JsValue, JsValue> {
        let req: AssignRequest = request(req)?;
        let a = self.inner.assign(&req).map_err(js_error)?;
        let (header, rows) = crate::planning::assign::table(&a);
        Ok(match format {
            "csv" => js_sys::Uint8Array::from(&crate::export::csv_table(&header, &rows)[..]).into(),
            "xlsx" => {
                let bytes = crate::export::xlsx_table("调训名单", &header, &rows).map_err(|e| js_error(Error::new("export", e.to_string())))?;
                js_sys::Uint8Array::from(&bytes[..]).into()
            }
            _ => to_js(&a),
        })
    }
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
            .map_err(|_| js_error(Error::new("no_random", "浏览器没有提供随机数")))?;
        if bytes.len() < n {
            return Err(js_error(Error::new("no_random", "浏览器没有提供足够的随机数")));
        }
        let issued = crate::model::date::format(crate::model::date::today());
        let mut items = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let r: &[u8; RANDOM_PER_PACKAGE] = bytes[i * RANDOM_PER_PACKAGE..(i + 1) * RANDOM_PER_PACKAGE].try_into().expect("sized");
            items.push(package::issue(e, &city, &signer, issuer, &issued, id, no_code, r).map_err(js_error)?);
        }
        let list = crate::export::xlsx_table("发放清单", &package::ISSUE_LIST_HEADER, &package::issue_list(&items))
            .map_err(|e| js_error(Error::new("export", e.to_string())))?;
        let zip = zip_of(items.iter().map(|p| (p.file.as_str(), p.bytes.as_slice())).chain(std::iter::once(("发放清单.xlsx", list.as_slice()))))
            .map_err(|e| js_error(Error::new("export", e)))?;
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
    let bytes = crate::template::template_xlsx().map_err(|e| js_error(Error::new("export", e.to_string())))?;
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
