#![cfg(not(target_arch = "wasm32"))]
//! Ingest on fixtures: the same data as GBK CSV (Chinese headers), a real
//! .xlsx, JSON and xAPI; broken files with the exact errors expected.
use crate::common;
use common::*;
use zhichu::analytics::{Model, Snapshot, profile};
use zhichu::ingest::{self, LoadOptions, SourceFile};

#[test]
fn gbk_csv_xlsx_and_json_give_identical_profiles() {
    let gbk = load(&["basic_gbk"]);
    let xlsx = load(&["basic.xlsx"]);
    let json = load(&["basic.json"]);
    for l in [&gbk, &xlsx, &json] {
        assert!(l.report.errors.is_empty(), "{:?}", l.report.errors);
        assert_eq!(l.report.loaded["records"], 7);
        assert_eq!(l.report.loaded["units"], 3);
    }
    assert_eq!(gbk.report.files[0].encoding, Some("GBK/GB18030"));
    let as_of = day("2025-07-02");
    for cadre in ["C1", "C2", "C3"] {
        let p = |l: &ingest::Loaded| {
            let snap = Snapshot::compute(&l.dataset, Model::default(), as_of);
            profile(&l.dataset, &snap, l.dataset.cadres.lookup(cadre).unwrap())
        };
        let a = p(&gbk);
        assert_eq!(a, p(&xlsx), "xlsx differs for {cadre}");
        assert_eq!(a, p(&json), "json differs for {cadre}");
    }
    // Chinese text, a quoted comma and the parent defined after its child survive.
    let ds = &gbk.dataset;
    assert_eq!(ds.courses.by_id("K1").unwrap().title, "坚定理想信念，筑牢信仰之基");
    assert_eq!(ds.units.by_id("U3").unwrap().parent, ds.units.lookup("U2"));
    // 450 minutes = 10 学时; weights normalised (3 → 1).
    assert_eq!(ds.courses.by_id("K2").unwrap().hours, 10.0);
    assert_eq!(ds.weights(ds.courses.lookup("K4").unwrap())[3], 1.0);
    // Dimension without saturation gets the default.
    assert_eq!(ds.dimensions.by_id("履职能力与专业知识").unwrap().saturation_hours, 20.0);
}

#[test]
fn xapi_statements_become_records() {
    let l = load(&["basic.json", "xapi.json"]);
    let ds = &l.dataset;
    assert_eq!(l.report.loaded["records"], 10);
    assert_eq!(l.report.errors.len(), 1);
    let e = &l.report.errors[0];
    assert_eq!(
        (e.code, e.file.as_str(), e.row, e.column.as_deref(), e.value.as_deref()),
        ("unknown_reference", "xapi.json", Some(3), Some("actor"), Some("C9"))
    );
    let find = |cadre: &str, course: &str, date: &str| {
        let c = ds.cadres.lookup(cadre).unwrap();
        ds.records.cadre_range(c).map(|i| ds.records.get(i)).find(|r| r.course == ds.courses.lookup(course).unwrap() && r.date == day(date)).unwrap()
    };
    // account.name, IRI → last segment, PT7H30M = 450 min = 10 学时, scaled 0.8 → 80.
    let r = find("C1", "K2", "2025-01-10");
    assert_eq!((r.hours, r.score, r.completed), (10.0, Some(80.0), true));
    // mbox → local part, verb passed → completed, raw 45 of 0..50 → 90, no duration → course hours.
    let r = find("C2", "K3", "2025-02-01");
    assert_eq!((r.hours, r.score, r.completed), (8.0, Some(90.0), true));
    // verb experienced → not completed; 45 minutes = 1 学时.
    let r = find("C3", "K4", "2025-02-03");
    assert_eq!((r.hours, r.score, r.completed), (1.0, None, false));
}

#[test]
fn broken_files_load_every_good_row_and_locate_each_bad_one() {
    let l = load(&["broken"]);
    let got: Vec<(&str, Option<u32>, Option<&str>, &str)> = l.report.errors.iter().map(|e| (e.file.as_str(), e.row, e.column.as_deref(), e.code)).collect();
    let expected: Vec<(&str, Option<u32>, Option<&str>, &str)> = vec![
        ("ratings.csv", Some(3), None, "bad_encoding"),
        ("units.csv", Some(3), Some("parent_id"), "unknown_reference"),
        ("courses.csv", Some(3), Some("dimensions"), "unknown_dimension"),
        ("courses.csv", Some(4), Some("dimensions"), "bad_weights"),
        ("courses.csv", Some(5), Some("title"), "empty_required"),
        ("courses.csv", Some(5), Some("hours"), "empty_required"),
        ("cadres.csv", Some(3), Some("干部编号"), "duplicate_id"),
        ("cadres.csv", Some(4), Some("单位编号"), "unknown_reference"),
        ("records.csv", Some(3), Some("干部编号"), "unknown_reference"),
        ("records.csv", Some(4), Some("日期"), "bad_date"),
        ("records.csv", Some(5), Some("成绩"), "out_of_range"),
        ("records.csv", Some(6), Some("是否完成"), "bad_value"),
        ("records.csv", Some(7), Some("学时"), "bad_number"),
        ("records.csv", Some(8), Some("课程编号"), "unknown_reference"),
    ];
    assert_eq!(got, expected);
    // Values and cell references as a clerk would look them up.
    let e = &l.report.errors[9];
    assert_eq!((e.cell.as_deref(), e.value.as_deref()), (Some("C4"), Some("2024-13-01")));
    assert!(l.report.errors[13].message.contains("courses.csv 第3行"), "{}", l.report.errors[13].message);
    assert!(l.report.errors[6].message.contains("cadres.csv 第2行"));
    // Everything valid is loaded: U1; K1; C1 and C3; the two good records (one with 2024/3/5).
    let ds = &l.dataset;
    assert_eq!((ds.units.len(), ds.courses.len(), ds.cadres.len(), ds.records.len()), (1, 1, 2, 2));
    assert_eq!(ds.cadres.by_id("C1").unwrap().name, "张三");
    assert!(ds.records.date.contains(&day("2024-03-05")));
    assert_eq!(l.report.warnings.iter().filter(|w| w.code == "default_dimensions").count(), 1);
}

#[test]
fn a_broken_file_added_later_leaves_earlier_data_intact() {
    let good = load(&["basic_gbk"]);
    let mut files = files("basic_gbk");
    files.push(SourceFile { name: "records_extra.csv".into(), bytes: b"x".to_vec() });
    files.push(SourceFile { name: "培训记录2.json".into(), bytes: b"{not json".to_vec() });
    files.push(SourceFile { name: "records.csv".into(), bytes: "干部编号,课程编号,日期\nC1,K9,2025-01-01\nC1,K1,昨天\n".as_bytes().to_vec() });
    let l = ingest::load(&files, &LoadOptions::default());
    assert_eq!(l.report.loaded, good.report.loaded);
    assert_eq!(l.dataset.records.date, good.dataset.records.date);
    let codes: Vec<&str> = l.report.errors.iter().map(|e| e.code).collect();
    assert_eq!(codes, vec!["bad_json", "unknown_reference", "bad_date"]);
    assert!(l.report.warnings.iter().any(|w| w.code == "unknown_table" && w.file == "records_extra.csv"));
}

#[test]
fn missing_required_column_refuses_the_table_and_says_so() {
    let mut files = files("basic_gbk");
    files.retain(|f| f.name != "干部.csv");
    files.push(SourceFile { name: "cadres.csv".into(), bytes: "姓名,单位编号\n张三,U1\n".as_bytes().to_vec() });
    let l = ingest::load(&files, &LoadOptions::default());
    let e = l.report.errors.iter().find(|e| e.code == "missing_column").unwrap();
    assert_eq!((e.file.as_str(), e.row), ("cadres.csv", Some(1)));
    assert!(e.message.contains("cadre_id") && e.message.contains("（1 行）未载入"), "{}", e.message);
    // Records of the missing cadres are reported, not silently dropped.
    assert_eq!(l.report.errors.iter().filter(|e| e.table == Some("records")).count(), 7);
}

#[test]
fn tab_separated_utf16_and_full_width_values_are_read() {
    let text = "干部编号\t课程编号\t日期\t学时\t成绩\nC1\tK1\t２０２５年１月２日\t１０\t８８\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let mut files = files("basic_gbk");
    files.push(SourceFile { name: "records.txt".into(), bytes });
    let l = ingest::load(&files, &LoadOptions::default());
    assert!(l.report.errors.is_empty(), "{:?}", l.report.errors);
    assert_eq!(l.report.loaded["records"], 8);
    let ds = &l.dataset;
    let c1 = ds.cadres.lookup("C1").unwrap();
    assert!(ds.records.cadre_range(c1).any(|i| ds.records.date[i] == day("2025-01-02") && ds.records.score[i] == 88.0));
}
