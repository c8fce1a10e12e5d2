#![cfg(not(target_arch = "wasm32"))]
//! Hostile and absurd input: every case is refused with a located error,
//! echoes stay short, and nothing else is lost.
use zhichu::Engine;
use zhichu::ingest::{LoadOptions, Report, SourceFile};
use zhichu::model::date;

const UNITS: &str = "unit_id,name\nU1,市委组织部\n";
const DIMS: &str = "dimension,saturation_hours\n理想信念,20\n纪律与廉政,10\n";
const COURSES: &str = "course_id,title,hours,dimensions\nK1,理想信念专题,10,理想信念:1\nK2,廉政教育,8,纪律与廉政:1\n";
const CADRES: &str = "cadre_id,name,unit_id,rank\nC1,张三,U1,乡科级\n";

fn load_with(extra: &[(&str, String)]) -> Engine {
    let mut files: Vec<SourceFile> = [("units.csv", UNITS), ("dimensions.csv", DIMS), ("courses.csv", COURSES), ("cadres.csv", CADRES)]
        .iter()
        .map(|(n, t)| SourceFile { name: n.to_string(), bytes: t.as_bytes().to_vec() })
        .collect();
    for (n, t) in extra {
        files.retain(|f| f.name != *n);
        files.push(SourceFile { name: n.to_string(), bytes: t.as_bytes().to_vec() });
    }
    Engine::load(&files, &LoadOptions::default(), &mut |_| {}).unwrap()
}

fn errors_at(r: &Report, file: &str) -> Vec<(u32, String, &'static str)> {
    r.errors.iter().filter(|e| e.file == file).map(|e| (e.row.unwrap_or(0), e.column.clone().unwrap_or_default(), e.code)).collect()
}

#[test]
fn absurd_dates_are_refused_and_never_move_the_default_as_of() {
    let records = "cadre_id,course_id,date,hours\n\
        C1,K1,2024-05-01,10\n\
        C1,K1,9999-12-31,10\n\
        C1,K2,0000-01-01,8\n\
        C1,K2,-2024-01-01,8\n\
        C1,K2,2024-06-01 25:61,8\n\
        C1,K2,1949-09-30,8\n\
        C1,K2,45413,8\n"
        .to_string();
    let e = load_with(&[("records.csv", records)]);
    let r = e.report();
    assert_eq!(
        errors_at(r, "records.csv"),
        [
            (3, "date".into(), "date_out_of_range"),
            (4, "date".into(), "date_out_of_range"),
            (5, "date".into(), "bad_date"),
            (6, "date".into(), "bad_date"),
            (7, "date".into(), "date_out_of_range")
        ]
    );
    let msg = &r.errors[0].message;
    assert!(msg.contains("1949-10-01") && msg.contains(&date::format(date::latest_plausible())), "{msg}");
    // The valid rows load, one of them an Excel serial kept as text (45413 = 2024-05-01).
    assert_eq!(r.loaded["records"], 2);
    assert_eq!(e.summary().as_of, "2024-05-01");
}

#[test]
fn echoed_values_are_cut_and_huge_cells_refused() {
    let long_id = "C".repeat(30_000);
    let huge = "理".repeat(40_000);
    let records = format!("cadre_id,course_id,date,hours\n{long_id},K1,2024-05-01,10\nC1,K1,2024-05-02,{huge}\nC1,K1,2024-05-03,10\n");
    let e = load_with(&[("records.csv", records)]);
    let r = e.report();
    let first = &r.errors[0];
    assert_eq!(first.code, "unknown_reference");
    assert_eq!(first.value.as_deref(), Some(format!("{}…（共 30000 字）", "C".repeat(80)).as_str()));
    assert!(first.message.chars().count() <= 420, "message of {} chars", first.message.chars().count());
    let second = &r.errors[1];
    assert_eq!((second.row, second.code, second.column.as_deref()), (Some(3), "too_long", Some("hours")));
    assert!(second.message.contains("40000"), "{}", second.message);
    assert!(second.value.as_ref().unwrap().ends_with("…（共 40000 字）"));
    assert_eq!(r.loaded["records"], 1);
    // The whole report stays small although the input is not.
    assert!(serde_json::to_string(r).unwrap().len() < 4_000);
}

#[test]
fn weights_that_overflow_are_refused() {
    let courses = format!("{COURSES}K3,溢出,10,理想信念:1e308;纪律与廉政:1e308\nK4,过大,10,理想信念:1e400\n");
    let e = load_with(&[("courses.csv", courses)]);
    assert_eq!(errors_at(e.report(), "courses.csv"), [(4, "dimensions".into(), "bad_weights"), (5, "dimensions".into(), "bad_weights")]);
    assert_eq!(e.report().loaded["courses"], 2);
}

#[test]
fn an_invalid_xapi_duration_is_an_error_on_its_statement() {
    let st = |id: &str, dur: &str| {
        format!(
            r#"{{"actor": {{"account": {{"name": "C1"}}}}, "verb": {{"id": "http://adlnet.gov/expapi/verbs/completed"}}, "object": {{"id": "https://lms.example.cn/course/{id}"}}, "timestamp": "2024-05-01T10:00:00Z", "result": {{"duration": "{dur}"}}}}"#
        )
    };
    let xapi = format!("[{}, {}, {}]", st("K1", "PT1H30M"), st("K2", "PT"), st("K2", "P"));
    let e = load_with(&[("statements.json", xapi)]);
    let errs: Vec<_> = e.report().errors.iter().map(|i| (i.row, i.value.clone())).collect();
    assert_eq!(errs, [(Some(2), Some("PT".into())), (Some(3), Some("P".into()))]);
    assert_eq!(e.report().loaded["records"], 1);
}

#[test]
fn an_unclosed_quote_is_reported_with_the_rows_it_swallowed() {
    let records = "cadre_id,course_id,date,hours\nC1,K1,2024-05-01,10\nC1,K1,\"2024-05-02,10\nC1,K2,2024-05-03,8\nC1,K2,2024-05-04,8\n".to_string();
    let e = load_with(&[("records.csv", records)]);
    let err = &e.report().errors[0];
    assert_eq!((err.code, err.row), ("unclosed_quote", Some(3)));
    assert!(err.message.contains("其后 2 行"), "{}", err.message);
    assert_eq!(e.report().errors.len(), 1);
    assert_eq!(e.report().loaded["records"], 1);
}

#[test]
fn a_quoted_cell_that_spans_lines_is_not_an_unclosed_quote() {
    // A post written over two lines with a comma in it: a normal, closed quote.
    let cadres = "cadre_id,name,unit_id,rank,post\nC1,张三,U1,乡科级,\"组织人事\n（兼任，党建）\"\nC2,李四,U1,乡科级,纪检\n".to_string();
    let e = load_with(&[("cadres.csv", cadres)]);
    assert!(e.report().errors.is_empty(), "{:?}", e.report().errors);
    assert_eq!(e.report().loaded["cadres"], 2);
    assert_eq!(e.dataset().cadres.get(0).post, "组织人事\n（兼任，党建）");
}

#[test]
fn one_bad_byte_in_a_utf8_file_costs_only_its_row() {
    let mut bytes = "cadre_id,name,unit_id,rank\nC1,张三,U1,乡科级\nC2,李四,U1,乡科级\nC3,王五,U1,乡科级\nC4,赵六,U1,乡科级\n".as_bytes().to_vec();
    let at = bytes.windows(3).position(|w| w == "五".as_bytes()).unwrap();
    bytes.insert(at, 0xFF);
    let mut files: Vec<SourceFile> = [("units.csv", UNITS), ("dimensions.csv", DIMS), ("courses.csv", COURSES)]
        .iter()
        .map(|(n, t)| SourceFile { name: n.to_string(), bytes: t.as_bytes().to_vec() })
        .collect();
    files.push(SourceFile { name: "cadres.csv".into(), bytes });
    let e = Engine::load(&files, &LoadOptions::default(), &mut |_| {}).unwrap();
    let r = e.report();
    assert_eq!(errors_at(r, "cadres.csv"), [(4, "name".into(), "bad_encoding")]);
    assert_eq!(r.loaded["cadres"], 3);
    assert_eq!(r.files.iter().find(|f| f.file == "cadres.csv").unwrap().encoding, Some("UTF-8（含无效字节）"));
}

#[test]
fn a_duplicate_dimension_says_where_the_first_one_is() {
    let e = load_with(&[("dimensions.csv", format!("{DIMS}理想信念,30\n"))]);
    let err = &e.report().errors[0];
    assert_eq!((err.code, err.row), ("duplicate_id", Some(4)));
    assert!(err.message.contains("dimensions.csv 第2行"), "{}", err.message);
}

#[test]
fn the_cli_never_prints_control_characters_from_the_data() {
    let dir = std::env::temp_dir().join(format!("zhichu-ansi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (n, t) in [("units.csv", UNITS), ("dimensions.csv", DIMS), ("courses.csv", COURSES)] {
        std::fs::write(dir.join(n), t).unwrap();
    }
    std::fs::write(dir.join("cadres.csv"), "cadre_id,name,unit_id,rank\nC1,\"\x1b]0;pwned\x07\x1b[2J张三\",U1,乡科级\n").unwrap();
    std::fs::write(dir.join("records.csv"), "cadre_id,course_id,date,hours\nC1,K1,2024-05-01,10\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhichu")).args(["profile", "--data", dir.to_str().unwrap(), "--cadre", "C1"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(text.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J张三"), "{text}");
    // Error messages quote the data too: a cadre id, a query's own text, a value polars echoes.
    let run = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_zhichu")).args(args).output().unwrap();
    let d = dir.to_str().unwrap();
    for args in [
        vec!["profile", "--data", d, "--cadre", "\x1b[2JC9"],
        vec!["query", "--data", d, "--sql", "SELECT 1 FROM \"\x1b]0;pwned\x07\""],
        vec!["query", "--data", d, "--sql", "SELECT nope\x1b[2J FROM cadres"],
        vec!["pivot", "--data", d, "--rows", "\x1b[2Junit"],
    ] {
        let out = run(&args);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(!err.contains('\x1b') && !err.contains('\x07'), "{args:?}: {err:?}");
        assert!(err.contains("\\u{1b}"), "{args:?}: {err}");
    }
    // An empty folder is an error, not an empty success.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhichu")).args(["validate", "--data", empty.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no data files found"));
    std::fs::remove_dir_all(&dir).unwrap();
}
