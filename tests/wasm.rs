//! The wasm bindings under Node (`wasm-pack test --node -- --test wasm`):
//! bytes in, the same numbers out as natively, errors as values.
#![cfg(target_arch = "wasm32")]
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use zhichu::wasm::WasmEngine as Engine;

const UNITS: &str = "unit_id,name\nU1,市委组织部\n";
const DIMS: &str = "dimension,saturation_hours\n理想信念,20\n纪律与廉政,10\n";
const COURSES: &str = "course_id,title,hours,dimensions\nK1,理想信念专题,10,理想信念:1\nK2,廉政教育,8,纪律与廉政:1\n";
const CADRES: &str = "cadre_id,name,unit_id,rank,post\nC1,张三,U1,乡科级,组织人事\n";
const RECORDS: &str = "cadre_id,course_id,date,hours,completed,score\nC1,K1,2024-01-01,10,是,90\nC1,K9,2024-02-01,1,是,\n";

/// A request object from JSON text, as JavaScript would pass it.
fn req(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn code(err: &JsValue) -> Option<String> {
    get(err, &["code"]).as_string()
}

fn get(v: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(v.clone(), |v, k| match k.parse::<u32>() {
        Ok(i) => js_sys::Reflect::get_u32(&v, i).unwrap(),
        Err(_) => js_sys::Reflect::get(&v, &JsValue::from_str(k)).unwrap(),
    })
}

fn engine() -> (Engine, JsValue) {
    let mut e = Engine::new();
    for (name, text) in [("units.csv", UNITS), ("dimensions.csv", DIMS), ("courses.csv", COURSES), ("cadres.csv", CADRES), ("records.csv", RECORDS)] {
        e.add_file(name.into(), text.as_bytes().to_vec());
    }
    let report = e.load(None).unwrap();
    (e, report)
}

#[wasm_bindgen_test]
fn load_bytes_and_report_errors() {
    let (_, report) = engine();
    assert_eq!(get(&report, &["loaded", "records"]).as_f64(), Some(1.0));
    let err = get(&report, &["errors", "0"]);
    assert_eq!(get(&err, &["code"]).as_string().as_deref(), Some("unknown_reference"));
    assert_eq!(get(&err, &["row"]).as_f64(), Some(3.0));
    assert_eq!(get(&err, &["column"]).as_string().as_deref(), Some("course_id"));
    assert_eq!(js_sys::Array::from(&get(&report, &["rejected"])).length(), 0);
}

#[wasm_bindgen_test]
fn profile_reproduces_the_worked_check() {
    let (mut e, _) = engine();
    let p = e.ask("profile", req(r#"{"cadre": "C1", "as_of": "2025-07-02"}"#)).unwrap();
    let d = get(&p, &["dimensions", "0"]);
    assert_eq!(get(&d, &["dimension"]).as_string().as_deref(), Some("理想信念"));
    let r = get(&d, &["reserve"]).as_f64().unwrap();
    assert!((r - 27.25).abs() < 0.01, "{r}");
    assert_eq!(get(&d, &["target"]), JsValue::NULL);
    let c = get(&d, &["contributions", "0", "contribution"]).as_f64().unwrap();
    assert!((c - get(&d, &["evidence"]).as_f64().unwrap()).abs() < 1e-12);
    // Trend points are plain objects keyed by dimension.
    let t = get(&p, &["trend", "1", "reserves", "理想信念"]).as_f64().unwrap();
    assert!((t - r).abs() < 1e-9);
    // The cadre may be named instead of numbered, as on the command line.
    let by_name = e.ask("profile", req(r#"{"cadre": "张三", "as_of": "2025-07-02"}"#)).unwrap();
    assert_eq!(get(&by_name, &["dimensions", "0", "reserve"]).as_f64(), Some(r));
}

#[wasm_bindgen_test]
fn requests_are_checked_field_by_field() {
    let (mut e, _) = engine();
    let err = e.ask("profile", req(r#"{"cadre": "C404"}"#)).unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("not_found"));
    assert!(get(&err, &["message"]).as_string().unwrap().contains("C404"));
    let err = e.ask("profile", req(r#"{"cadre": "C1", "as_of": "2025-13-45"}"#)).unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("bad_argument"));
    // An unknown field is refused, and the message names it.
    let err = e.ask("recommend", req(r#"{"cadre": "C1", "topp": 3}"#)).unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("bad_argument"));
    assert!(get(&err, &["message"]).as_string().unwrap().contains("topp"));
    // A field of the wrong type is refused, naming the field.
    let err = e.ask("recommend", req(r#"{"cadre": "C1", "top": "x"}"#)).unwrap_err();
    assert!(get(&err, &["message"]).as_string().unwrap().contains("「top」"), "{:?}", get(&err, &["message"]));
    // Values out of range get the engine's own refusal, as on the command line.
    let err = e.ask("recommend", req(r#"{"cadre": "C1", "top": 0}"#)).unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("bad_argument"));
    let err = e.set_model(req(r#"{"half_life_years": -3}"#)).unwrap_err();
    assert_eq!(code(&err).as_deref(), Some("bad_argument"));
    assert!(Engine::demo("xl").is_err());
}

#[wasm_bindgen_test]
fn demo_recommendation_addresses_the_weak_dimension() {
    let mut e = Engine::demo("s").unwrap();
    let r = e.ask("recommend", req(r#"{"cadre": "C000001", "top": 3}"#)).unwrap();
    assert_eq!(get(&r, &["recommendations", "0", "gains", "0", "dimension"]).as_string().as_deref(), Some("理想信念"));
    assert_eq!(get(&r, &["repeat_window_years"]).as_f64(), Some(3.0));
    let h = e.ask("hours", req(r#"{"cadre": "C000004", "year": 2025}"#)).unwrap();
    assert_eq!(get(&h, &["year"]).as_f64(), Some(2025.0));
    assert_eq!(get(&h, &["rules", "0", "rule_id"]).as_string().as_deref(), Some("online_50"));
    assert_eq!(get(&h, &["rules", "0", "met"]).as_bool(), Some(false));
    // The policy the pages show comes from the engine.
    let s = e.ask("summary", JsValue::UNDEFINED).unwrap();
    assert_eq!(get(&s, &["policy", "theory_share"]).as_f64(), Some(0.7));
    assert_eq!(get(&s, &["policy", "rules", "0", "id"]).as_string().as_deref(), Some("online_50"));
}

#[wasm_bindgen_test]
fn simulation_is_the_profile_plus_one_course() {
    let mut e = Engine::demo("s").unwrap();
    let r = e.ask("recommend", req(r#"{"cadre": "C000001"}"#)).unwrap();
    let course = get(&r, &["recommendations", "0", "course_id"]).as_string().unwrap();
    let s = e.ask("simulate", req(&format!(r#"{{"cadre": "C000001", "course": "{course}"}}"#))).unwrap();
    let p = e.ask("profile", req(r#"{"cadre": "C000001"}"#)).unwrap();
    let before = get(&s, &["before", "0"]).as_f64().unwrap();
    assert_eq!(Some(before), get(&p, &["dimensions", "0", "reserve"]).as_f64());
    // The first recommendation's main gain is on 理想信念 (dimension 0): after > before there.
    assert!(get(&s, &["after", "0"]).as_f64().unwrap() > before + 1.0);
}

#[cfg(feature = "web")]
#[wasm_bindgen_test]
fn assignment_exports_xlsx_and_csv_in_the_browser_build() {
    let mut e = Engine::demo("s").unwrap();
    let a = req(r#"{"class": "B00005", "quota_per_unit": 2, "capacity": 10}"#);
    let bytes = js_sys::Uint8Array::new(&e.export("assign", a.clone(), "xlsx").unwrap()).to_vec();
    assert_eq!(&bytes[..2], b"PK");
    let csv = js_sys::Uint8Array::new(&e.export("assign", a, "csv").unwrap()).to_vec();
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with("\u{feff}序号,干部编号"));
    assert_eq!(text.lines().count(), 11);
    let plan = e.ask("plan", req(r#"{"cohort": [{"kind":"unit","values":["U019"]}], "params": {"budget_hours": 40}}"#)).unwrap();
    assert!(get(&plan, &["hours_used"]).as_f64().unwrap() <= 40.0);
    let bad = e.ask("plan", req(r#"{"cohort": [{"kind":"unit","values":["U999"]}]}"#)).unwrap_err();
    assert_eq!(code(&bad).as_deref(), Some("not_found"));
}

#[cfg(feature = "web")]
#[wasm_bindgen_test]
fn table_views_and_the_template_export_as_workbooks() {
    let mut e = Engine::demo("s").unwrap();
    for (method, r) in
        [("layout", r#"{"unit": "U001"}"#), ("compliance", "{}"), ("fairness", "{}"), ("ratings", r#"{"by": "teacher"}"#), ("city_ranking", "{}")]
    {
        let bytes = e.export(method, req(r), "xlsx").unwrap().to_vec();
        assert_eq!(&bytes[..2], b"PK", "{method}");
    }
    assert_eq!(code(&e.export("nothing", req("{}"), "xlsx").unwrap_err()).as_deref(), Some("unknown_question"));
    // Not a table: refused by name.
    assert_eq!(code(&e.export("summary", req("{}"), "xlsx").unwrap_err()).as_deref(), Some("bad_argument"));
    // Several sheets: xlsx only.
    assert_eq!(code(&e.export("fairness", req("{}"), "csv").unwrap_err()).as_deref(), Some("bad_argument"));
    assert_eq!(&zhichu::wasm::template_xlsx().unwrap().to_vec()[..2], b"PK");
}

#[wasm_bindgen_test]
fn questions_are_asked_by_name_from_the_one_list() {
    let mut e = Engine::demo("s").unwrap();
    // Every question of the list that this module has answers by name; the others say which module has them.
    for (name, module) in zhichu::engine::questions::QUESTIONS {
        assert_eq!(zhichu::wasm::question_module(name).as_deref(), Some(module.name()));
        let here = match module.name() {
            "engine" => true,
            "web" => cfg!(feature = "web"),
            _ => cfg!(feature = "analysis"),
        };
        let r = match *name {
            "profile" | "recommend" | "archive" | "hours" => req(r#"{"cadre": "C000001"}"#),
            "simulate" => continue,
            "layout" => req(r#"{"unit": "U001"}"#),
            "plan" => req(r#"{"cohort": [{"kind":"unit","values":["U019"]}], "params": {"budget_hours": 40}}"#),
            "assign" => req(r#"{"class": "B00005"}"#),
            "pivot" => req(r#"{"table": "records", "rows": ["unit"]}"#),
            "sql" => req(r#"{"query": "SELECT COUNT(*) AS n FROM cadres"}"#),
            _ => JsValue::UNDEFINED,
        };
        match e.ask(name, r) {
            Ok(_) => assert!(here, "{name} answered in a module without it"),
            Err(err) => assert_eq!((code(&err).as_deref(), here), (Some("not_in_module"), false), "{name}"),
        }
    }
    assert_eq!(zhichu::wasm::question_module("nothing"), None);
    assert_eq!(code(&e.ask("nothing", JsValue::UNDEFINED).unwrap_err()).as_deref(), Some("unknown_question"));
    // The years a picker offers, newest first, from the engine.
    let s = e.ask("summary", JsValue::UNDEFINED).unwrap();
    let latest: i32 = get(&s, &["as_of"]).as_string().unwrap()[..4].parse().unwrap();
    let years: Vec<f64> = js_sys::Array::from(&get(&s, &["years"])).iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(years, (0..5).map(|k| (latest - k) as f64).collect::<Vec<_>>());
}

#[wasm_bindgen_test]
fn a_rejected_new_file_never_replaces_a_kept_one() {
    let (_, first) = engine();
    let kept = || {
        let mut e = Engine::new();
        for (name, text) in [("units.csv", UNITS), ("dimensions.csv", DIMS), ("courses.csv", COURSES), ("cadres.csv", CADRES), ("records.csv", RECORDS)] {
            e.keep_file(name.into(), text.as_bytes().to_vec());
        }
        e
    };
    let rejected = |r: &JsValue| -> Vec<String> { js_sys::Array::from(&get(r, &["rejected"])).iter().map(|v| v.as_string().unwrap()).collect() };
    let mut e = kept();
    // A new records.csv that is no table at all, and a new file that is none either: both left out, the kept records stay.
    e.add_file("records.csv".into(), b"\x00\x01 not a table".to_vec());
    e.add_file("extra.csv".into(), b"what,ever\n1,2\n".to_vec());
    let report = e.load(None).unwrap();
    assert_eq!(get(&report, &["loaded", "records"]).as_f64(), get(&first, &["loaded", "records"]).as_f64());
    assert_eq!(rejected(&report), ["records.csv", "extra.csv"]);
    // The rejected files' problems come first, then those of the load that stands.
    assert_eq!(get(&report, &["errors", "0", "file"]).as_string().as_deref(), Some("records.csv"));
    let codes: Vec<String> = js_sys::Array::from(&get(&report, &["errors"])).iter().map(|i| get(&i, &["code"]).as_string().unwrap()).collect();
    assert_eq!(codes.last().map(String::as_str), Some("unknown_reference"), "{codes:?}");
    let p = e.ask("profile", req(r#"{"cadre": "C1", "as_of": "2025-07-02"}"#)).unwrap();
    assert!(get(&p, &["dimensions", "0", "reserve"]).as_f64().unwrap() > 0.0);
    // A junk cadres.csv leaves the kept records without cadres in the first load: the kept
    // records are still never left out (only the new file is), and load again whole.
    let mut e = kept();
    e.add_file("cadres.csv".into(), b"\x00junk".to_vec());
    let report = e.load(None).unwrap();
    assert_eq!(rejected(&report), ["cadres.csv"]);
    assert_eq!(get(&report, &["loaded", "records"]).as_f64(), get(&first, &["loaded", "records"]).as_f64());
    // A good new file replaces the kept one.
    let mut e = kept();
    e.add_file(
        "records.csv".into(),
        b"cadre_id,course_id,date,hours,completed,score\nC1,K1,2024-01-01,10,\xe6\x98\xaf,90\nC1,K2,2024-02-01,8,\xe6\x98\xaf,80\n".to_vec(),
    );
    let report = e.load(None).unwrap();
    assert_eq!(get(&report, &["loaded", "records"]).as_f64(), Some(2.0));
    assert!(rejected(&report).is_empty());
}
