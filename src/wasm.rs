//! Browser bindings (wasm32 only). JavaScript moves bytes in and draws what
//! comes out; every number is computed here, by the same functions the CLI
//! calls, and serialised from the same structs.
//!
//! Errors cross the boundary as `{ code, message }` objects; a panic is
//! reported to the console with its message (console_error_panic_hook).

use crate::analytics::compliance::{self, Rule};
use crate::analytics::profile::CadreInfo;
use crate::analytics::ratings::{course_ratings, RatingSummary};
use crate::analytics::recommend::{recommend_with, RecommendParams};
use crate::analytics::{archive, profile, Model, Snapshot};
use crate::demo::export::{csv_files, Encoding, Headers};
use crate::demo::{generate, Scale};
use crate::ingest::{load_with_progress, LoadOptions, Report, SourceFile};
use crate::model::{date, Dataset, Day};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

#[derive(Serialize)]
struct ErrorValue {
    code: &'static str,
    message: String,
}

fn err(code: &'static str, message: String) -> JsValue {
    to_js(&ErrorValue { code, message })
}

/// Results cross as JSON text parsed by the engine's `JSON.parse`: for
/// profiles with hundreds of contributions this is several times faster than
/// building the objects field by field.
fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    serde_json::to_string(v).ok().and_then(|s| js_sys::JSON::parse(&s).ok()).unwrap_or(JsValue::NULL)
}

#[derive(Serialize)]
struct Summary {
    demo: bool,
    units: usize,
    cadres: usize,
    courses: usize,
    teachers: usize,
    classes: usize,
    records: usize,
    ratings: usize,
    dimensions: Vec<String>,
    /// The ranks present, in order of first appearance.
    ranks: Vec<String>,
    latest_date: Option<String>,
    files: Vec<String>,
}

#[derive(Serialize)]
struct UnitInfo {
    unit_id: String,
    name: String,
    parent_id: Option<String>,
    cadres: usize,
}

#[derive(Serialize)]
struct Simulation {
    course_id: String,
    before: Vec<f64>,
    after: Vec<f64>,
}

/// A loaded dataset and the files it was built from.
#[wasm_bindgen]
pub struct Engine {
    files: Vec<SourceFile>,
    demo: bool,
    ds: Dataset,
    report: Report,
    snapshot: Option<Snapshot>,
    ratings: Option<Vec<RatingSummary>>,
    rules: Vec<Rule>,
}

#[wasm_bindgen]
impl Engine {
    /// An empty engine; add files and call `load`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Engine {
        Engine {
            files: Vec::new(),
            demo: false,
            ds: Dataset::default(),
            report: Report::default(),
            snapshot: None,
            ratings: None,
            rules: compliance::default_rules(),
        }
    }

    /// The built-in demo city (synthetic): `s`, `m` or `l`.
    pub fn demo(scale: &str) -> Result<Engine, JsValue> {
        let scale = Scale::parse(scale).ok_or_else(|| err("bad_argument", format!("未知的规模「{scale}」，应为 s、m 或 l")))?;
        let mut e = Engine::new();
        e.ds = generate(scale);
        e.demo = true;
        Ok(e)
    }

    /// Stages a file (replacing one of the same name).
    pub fn add_file(&mut self, name: String, bytes: Vec<u8>) {
        self.files.retain(|f| f.name != name);
        self.files.push(SourceFile { name, bytes });
    }

    pub fn file_names(&self) -> Vec<String> {
        self.files.iter().map(|f| f.name.clone()).collect()
    }

    /// Builds the dataset from every staged file; returns the validation
    /// report. `progress`, if given, is called with a percentage.
    pub fn load(&mut self, progress: Option<js_sys::Function>) -> JsValue {
        let mut last = -1i64;
        let loaded = load_with_progress(&self.files, &LoadOptions::default(), &mut |p| {
            if let Some(f) = &progress {
                let pct = (p.done * 100 / p.total.max(1)) as i64;
                if pct != last {
                    last = pct;
                    let _ = f.call1(&JsValue::NULL, &JsValue::from(pct as f64));
                }
            }
        });
        self.ds = loaded.dataset;
        self.report = loaded.report;
        self.demo = false;
        self.snapshot = None;
        self.ratings = None;
        to_js(&self.report)
    }

    pub fn report(&self) -> JsValue {
        to_js(&self.report)
    }

    pub fn summary(&self) -> JsValue {
        to_js(&Summary {
            demo: self.demo,
            units: self.ds.units.len(),
            cadres: self.ds.cadres.len(),
            courses: self.ds.courses.len(),
            teachers: self.ds.teachers.len(),
            classes: self.ds.classes.len(),
            records: self.ds.records.len(),
            ratings: self.ds.ratings.len(),
            dimensions: self.ds.dimensions.items().iter().map(|d| d.name.clone()).collect(),
            ranks: self.ds.cadres.items().iter().fold(Vec::new(), |mut v: Vec<String>, c| {
                if !c.rank.is_empty() && !v.contains(&c.rank) {
                    v.push(c.rank.clone());
                }
                v
            }),
            latest_date: self.ds.latest_date().map(date::format),
            files: self.file_names(),
        })
    }

    pub fn units(&self) -> JsValue {
        let mut counts = vec![0usize; self.ds.units.len()];
        for c in self.ds.cadres.items() {
            counts[c.unit as usize] += 1;
        }
        let out: Vec<UnitInfo> = self
            .ds
            .units
            .iter()
            .map(|(i, id, u)| UnitInfo {
                unit_id: id.into(),
                name: u.name.clone(),
                parent_id: u.parent.map(|p| self.ds.units.id(p).to_string()),
                cadres: counts[i as usize],
            })
            .collect();
        to_js(&out)
    }

    /// Cadres whose id or name contains `query` (all when empty), at most `limit`.
    pub fn search_cadres(&self, query: &str, limit: usize) -> JsValue {
        let q = query.trim();
        let hits: Vec<CadreInfo> = self
            .ds
            .cadres
            .iter()
            .filter(|(_, id, c)| q.is_empty() || id.contains(q) || c.name.contains(q))
            .take(limit)
            .map(|(i, _, _)| CadreInfo::of(&self.ds, i))
            .collect();
        to_js(&hits)
    }

    /// The default as-of date: the latest record's date.
    pub fn default_as_of(&self) -> Option<String> {
        self.ds.latest_date().map(date::format)
    }

    pub fn profile(&mut self, cadre_id: &str, as_of: Option<String>) -> Result<JsValue, JsValue> {
        let c = self.cadre(cadre_id)?;
        self.ensure_snapshot(as_of)?;
        Ok(to_js(&profile(&self.ds, self.snapshot.as_ref().unwrap(), c)))
    }

    /// Computes every cadre's reserves at one date (the snapshot behind
    /// percentiles and peer medians); returns how many cadres. Used by the bench.
    pub fn profile_all(&mut self, as_of: Option<String>) -> Result<usize, JsValue> {
        self.ensure_snapshot(as_of)?;
        Ok(self.ds.cadres.len())
    }

    pub fn recommend(&mut self, cadre_id: &str, top: usize, as_of: Option<String>) -> Result<JsValue, JsValue> {
        let c = self.cadre(cadre_id)?;
        self.ensure_snapshot(as_of)?;
        let params = RecommendParams { top, ..Default::default() };
        let ratings = self.ratings.get_or_insert_with(|| course_ratings(&self.ds, params.rating_prior_weight));
        Ok(to_js(&recommend_with(&self.ds, self.snapshot.as_ref().unwrap(), c, &params, ratings)))
    }

    /// The cadre's reserves now and after taking `course_id` today (the predicted radar).
    pub fn simulate(&mut self, cadre_id: &str, course_id: &str, as_of: Option<String>) -> Result<JsValue, JsValue> {
        let c = self.cadre(cadre_id)?;
        let k = self.ds.courses.lookup(course_id).ok_or_else(|| err("not_found", format!("没有编号为「{course_id}」的课程")))?;
        self.ensure_snapshot(as_of)?;
        let snap = self.snapshot.as_ref().unwrap();
        let mut e = vec![0.0; self.ds.n_dims()];
        snap.model.add_evidence(&self.ds, c, snap.as_of, &mut e);
        let amount = self.ds.courses.get(k).hours * snap.model.completion_credit;
        let sat: Vec<f64> = self.ds.dimensions.items().iter().map(|d| d.saturation_hours).collect();
        let before: Vec<f64> = (0..e.len()).map(|d| Model::reserve(e[d], sat[d])).collect();
        let after: Vec<f64> = (0..e.len()).map(|d| Model::reserve(e[d] + amount * self.ds.weights(k)[d] as f64, sat[d])).collect();
        Ok(to_js(&Simulation { course_id: course_id.into(), before, after }))
    }

    pub fn archive(&self, cadre_id: &str) -> Result<JsValue, JsValue> {
        let c = self.cadre(cadre_id)?;
        Ok(to_js(&archive::archive(&self.ds, c)))
    }

    /// 学时 earned against each applicable rule, for the period ending in `year`.
    pub fn hours(&self, cadre_id: &str, year: i32) -> Result<JsValue, JsValue> {
        let c = self.cadre(cadre_id)?;
        Ok(to_js(&compliance::progress(&self.ds, &self.rules, c, year)))
    }

}

#[wasm_bindgen]
impl Engine {
    /// Unit training layout for `years` ("2021-2025", empty = five years up to the as-of date).
    pub fn layout(&mut self, unit_id: &str, years: Option<String>, include_subunits: bool, as_of: Option<String>) -> Result<JsValue, JsValue> {
        let u = self.unit(unit_id)?;
        self.ensure_snapshot(as_of)?;
        let snap = self.snapshot.as_ref().unwrap();
        let y = date::year(snap.as_of);
        let years = match years.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => {
                let (a, b) = s.split_once('-').ok_or_else(|| err("bad_argument", format!("年份范围「{s}」应写成 2021-2025")))?;
                match (a.trim().parse::<i32>(), b.trim().parse::<i32>()) {
                    (Ok(a), Ok(b)) if a <= b && b - a <= 50 => (a, b),
                    _ => return Err(err("bad_argument", format!("年份范围「{s}」应写成 2021-2025"))),
                }
            }
            None => (y - 4, y),
        };
        let p = crate::analytics::layout::LayoutParams { years, include_subunits, coverage_years: 3.0 };
        Ok(to_js(&crate::analytics::layout::layout(&self.ds, snap, u, &p)))
    }

    /// Top-level units ranked per dimension.
    pub fn city_ranking(&mut self, as_of: Option<String>) -> Result<JsValue, JsValue> {
        self.ensure_snapshot(as_of)?;
        Ok(to_js(&crate::analytics::layout::city_ranking(&self.ds, self.snapshot.as_ref().unwrap())))
    }

    /// `by` = "course" or "teacher".
    pub fn ratings(&self, by: &str) -> JsValue {
        to_js(&crate::analytics::ratings::rating_table(&self.ds, by == "teacher", 10.0))
    }

    /// Fairness for a unit's subtree (empty id = the whole city).
    pub fn fairness(&mut self, unit_id: &str, as_of: Option<String>) -> Result<JsValue, JsValue> {
        self.ensure_snapshot(as_of)?;
        let (cadres, units) = self.scope(unit_id)?;
        Ok(to_js(&crate::analytics::fairness::fairness(&self.ds, self.snapshot.as_ref().unwrap().as_of, 3.0, &cadres, &units)))
    }

    /// 学时 compliance of a unit's subtree (empty id = the whole city) for `year`.
    pub fn compliance(&self, unit_id: &str, year: i32) -> Result<JsValue, JsValue> {
        let (cadres, _) = self.scope(unit_id)?;
        Ok(to_js(&compliance::group_compliance(&self.ds, &self.rules, &cadres, year)))
    }

    pub fn classes(&self) -> JsValue {
        #[derive(Serialize)]
        struct C {
            class_id: String,
            name: String,
            kind: &'static str,
            start: String,
            capacity: u32,
        }
        let v: Vec<C> = self
            .ds
            .classes
            .iter()
            .map(|(_, id, c)| C { class_id: id.into(), name: c.name.clone(), kind: c.kind.label(), start: date::format(c.start), capacity: c.capacity })
            .collect();
        to_js(&v)
    }

    /// The class planner. `filters`: JSON `[{"kind": "unit"|"rank"|"post"|"ids", "values": [...]}]`;
    /// `params`: JSON of the planner's parameters (`budget_hours`, `theory_share`, `required`, `removed`, …).
    pub fn plan(&mut self, filters: &str, params: &str, as_of: Option<String>) -> Result<JsValue, JsValue> {
        let filters: Vec<crate::planning::CohortFilter> = serde_json::from_str(filters).map_err(|e| err("bad_argument", format!("范围条件有误：{e}")))?;
        let params: crate::planning::plan::PlanParams = serde_json::from_str(params).map_err(|e| err("bad_argument", format!("方案参数有误：{e}")))?;
        let cohort = crate::planning::select_cohort(&self.ds, &filters).map_err(|e| err("not_found", e))?;
        self.ensure_snapshot(as_of)?;
        let snap = self.snapshot.as_ref().unwrap();
        crate::planning::plan::plan(&self.ds, &snap.model, snap.as_of, cohort, &params).map(|p| to_js(&p)).map_err(|e| to_js(&e))
    }

    /// Named assignment for a class; `format` = "json" (the list), "csv" or "xlsx" (file bytes).
    pub fn assign(&mut self, class_id: &str, quota_per_unit: Option<usize>, capacity: Option<usize>, format: &str, as_of: Option<String>) -> Result<JsValue, JsValue> {
        self.ensure_snapshot(as_of)?;
        let snap = self.snapshot.as_ref().unwrap();
        let p = crate::planning::assign::AssignParams { courses: None, quota_per_unit, window_years: 3.0, capacity };
        let a = crate::planning::assign::assign(&self.ds, &snap.model, snap.as_of, class_id, &p).map_err(|e| to_js(&e))?;
        let (header, rows) = crate::planning::assign::table(&a);
        Ok(match format {
            "csv" => js_sys::Uint8Array::from(&crate::export::csv_table(&header, &rows)[..]).into(),
            "xlsx" => {
                let bytes = crate::export::xlsx_table("调训名单", &header, &rows).map_err(|e| err("export", e.to_string()))?;
                js_sys::Uint8Array::from(&bytes[..]).into()
            }
            _ => to_js(&a),
        })
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    fn cadre(&self, id: &str) -> Result<u32, JsValue> {
        self.ds.cadres.lookup(id).ok_or_else(|| err("not_found", format!("没有编号为「{id}」的干部")))
    }

    fn unit(&self, id: &str) -> Result<u32, JsValue> {
        self.ds.units.lookup(id).ok_or_else(|| err("not_found", format!("没有编号为「{id}」的单位")))
    }

    /// Cadres and units of a unit's subtree, or of the whole city for an empty id.
    fn scope(&self, unit_id: &str) -> Result<(Vec<u32>, Vec<u32>), JsValue> {
        let unit = if unit_id.is_empty() { None } else { Some(self.unit(unit_id)?) };
        Ok(crate::analytics::layout::scope(&self.ds, unit))
    }

    fn ensure_snapshot(&mut self, as_of: Option<String>) -> Result<(), JsValue> {
        let day: Day = match as_of.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => date::parse(s).ok_or_else(|| err("bad_argument", format!("无法识别的日期「{s}」，应为 2025-12-31 这样的日期")))?,
            None => self.ds.latest_date().unwrap_or_else(|| date::from_ymd(2025, 12, 31).unwrap()),
        };
        if self.snapshot.as_ref().is_none_or(|s| s.as_of != day) {
            self.snapshot = Some(Snapshot::compute(&self.ds, Model::default(), day));
        }
        Ok(())
    }
}

/// The demo city as CSV files (`[{name, bytes}]`), for benches and for users
/// who want to see the file format.
#[wasm_bindgen]
pub fn demo_csv_files(scale: &str) -> Result<js_sys::Array, JsValue> {
    let scale = Scale::parse(scale).ok_or_else(|| err("bad_argument", format!("未知的规模「{scale}」")))?;
    let out = js_sys::Array::new();
    for (name, bytes) in csv_files(&generate(scale), Headers::Chinese, Encoding::Utf8Bom) {
        let o = js_sys::Object::new();
        js_sys::Reflect::set(&o, &"name".into(), &name.into())?;
        js_sys::Reflect::set(&o, &"bytes".into(), &js_sys::Uint8Array::from(&bytes[..]))?;
        out.push(&o);
    }
    Ok(out)
}
