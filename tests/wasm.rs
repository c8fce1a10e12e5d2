//! The wasm bindings under Node (`wasm-pack test --node -- --test wasm`):
//! bytes in, the same numbers out as natively, errors as values.
#![cfg(target_arch = "wasm32")]
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use zhichu::wasm::Engine;

const UNITS: &str = "unit_id,name\nU1,市委组织部\n";
const DIMS: &str = "dimension,saturation_hours\n理想信念,20\n纪律与廉政,10\n";
const COURSES: &str = "course_id,title,hours,dimensions\nK1,理想信念专题,10,理想信念:1\nK2,廉政教育,8,纪律与廉政:1\n";
const CADRES: &str = "cadre_id,name,unit_id,rank,post\nC1,张三,U1,乡科级,组织人事\n";
const RECORDS: &str = "cadre_id,course_id,date,hours,completed,score\nC1,K1,2024-01-01,10,是,90\nC1,K9,2024-02-01,1,是,\n";

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
    let report = e.load(None);
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
}

#[wasm_bindgen_test]
fn profile_reproduces_the_worked_check() {
    let (mut e, _) = engine();
    let p = e.profile("C1", Some("2025-07-02".into())).unwrap();
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
}

#[wasm_bindgen_test]
fn errors_are_values_not_panics() {
    let (mut e, _) = engine();
    let err = e.profile("C404", None).unwrap_err();
    assert_eq!(get(&err, &["code"]).as_string().as_deref(), Some("not_found"));
    assert!(get(&err, &["message"]).as_string().unwrap().contains("C404"));
    let err = e.profile("C1", Some("2025-13-45".into())).unwrap_err();
    assert_eq!(get(&err, &["code"]).as_string().as_deref(), Some("bad_argument"));
    assert!(Engine::demo("xl").is_err());
}

#[wasm_bindgen_test]
fn demo_recommendation_addresses_the_weak_dimension() {
    let mut e = Engine::demo("s").unwrap();
    let r = e.recommend("C000001", 3, None).unwrap();
    assert_eq!(get(&r, &["recommendations", "0", "gains", "0", "dimension"]).as_string().as_deref(), Some("理想信念"));
    let h = e.hours("C000004", 2025).unwrap();
    assert_eq!(get(&h, &["0", "rule_id"]).as_string().as_deref(), Some("online_50"));
    assert_eq!(get(&h, &["0", "met"]).as_bool(), Some(false));
}

#[wasm_bindgen_test]
fn assignment_exports_xlsx_and_csv_in_the_browser_build() {
    let mut e = Engine::demo("s").unwrap();
    let bytes = js_sys::Uint8Array::new(&e.assign("B00005", Some(2), Some(10), "xlsx", None).unwrap()).to_vec();
    assert_eq!(&bytes[..2], b"PK");
    let csv = js_sys::Uint8Array::new(&e.assign("B00005", Some(2), Some(10), "csv", None).unwrap()).to_vec();
    let text = String::from_utf8(csv).unwrap();
    assert!(text.starts_with("\u{feff}序号,干部编号"));
    assert_eq!(text.lines().count(), 11);
    let plan = e.plan(r#"[{"kind":"unit","values":["U019"]}]"#, r#"{"budget_hours":40}"#, None).unwrap();
    assert!(get(&plan, &["hours_used"]).as_f64().unwrap() <= 40.0);
    let bad = e.plan("[{\"kind\":\"unit\",\"values\":[\"U999\"]}]", "{}", None).unwrap_err();
    assert_eq!(get(&bad, &["code"]).as_string().as_deref(), Some("not_found"));
}
