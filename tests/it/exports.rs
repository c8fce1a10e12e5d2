#![cfg(not(target_arch = "wasm32"))]
//! Every table view exports as xlsx (`--xlsx FILE` wherever `--json` is), read
//! back here with calamine; and the import template loads with no error.
use calamine::{Reader, open_workbook_auto};
use std::path::PathBuf;
use std::process::Command;
use zhichu::Engine;
use zhichu::ingest::{LoadOptions, SourceFile};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("zhichu-exports-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// Runs the CLI with `--json --xlsx FILE`; returns the JSON and the workbook's sheets as rows of strings.
/// A workbook's sheets: name and rows of strings.
type Sheets = Vec<(String, Vec<Vec<String>>)>;

fn export(args: &[&str], file: &str) -> (serde_json::Value, Sheets) {
    let path = tmp(file);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--scale", "s", "--json", "--xlsx", path.to_str().unwrap()]);
    let out = Command::new(env!("CARGO_BIN_EXE_zhichu")).args(&all).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json = serde_json::from_slice(&out.stdout).unwrap();
    let mut wb = open_workbook_auto(&path).unwrap();
    let sheets = wb
        .sheet_names()
        .into_iter()
        .map(|s| {
            let r = wb.worksheet_range(&s).unwrap();
            (s, r.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect())
        })
        .collect();
    (json, sheets)
}

#[test]
fn layout_compliance_fairness_and_ratings_export_what_the_json_says() {
    let (l, sheets) = export(&["layout", "--unit", "U001"], "layout.xlsx");
    let rows = &sheets[0].1;
    assert_eq!(rows[0][0], "维度");
    assert_eq!(rows.len(), l["dimensions"].as_array().unwrap().len() + 1);
    assert_eq!(rows[1][0], l["dimensions"][0]["dimension"].as_str().unwrap());
    let years = l["years"].as_array().unwrap().len();
    assert_eq!(rows[1][1 + years], format!("{:.1}", l["dimensions"][0]["mean_reserve"].as_f64().unwrap()));

    let (c, sheets) = export(&["compliance"], "compliance.xlsx");
    assert_eq!(sheets.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(), [format!("{} 年达标率", c["year"]).as_str(), "未达标名单", "理论占比不足的脱产班"]);
    assert_eq!(sheets[1].1.len(), c["short"].as_array().unwrap().len() + 1);
    assert_eq!(sheets[1].1[1][0], c["short"][0]["cadre"]["cadre_id"].as_str().unwrap());

    let (f, sheets) = export(&["fairness"], "fairness.xlsx");
    assert_eq!(sheets[0].1.len(), f["repeats"].as_array().unwrap().len() + 1);
    assert_eq!(sheets[1].1.len(), f["frequent_trainees"].as_array().unwrap().len() + 1);
    assert_eq!(sheets[2].1.len(), f["never_trained"].as_array().unwrap().len() + 1);

    let (t, sheets) = export(&["ratings", "--by", "teacher"], "ratings.xlsx");
    assert_eq!(sheets[0].0, "教师评分");
    assert_eq!(sheets[0].1[1][1], t["rows"][0]["id"].as_str().unwrap());
    assert_eq!(sheets[0].1[1][3], format!("{:.2}", t["rows"][0]["shrunk"].as_f64().unwrap()));

    let (p, sheets) = export(&["profile", "--cadre", "C000001"], "profile.xlsx");
    assert_eq!(sheets[0].1[1][1], format!("{:.1}", p["dimensions"][0]["reserve"].as_f64().unwrap()));
}

#[test]
fn exported_cells_never_run_as_formulas() {
    // A cadre named like a formula, exported through the archive and the cadre list.
    let dir = tmp("formula");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("units.csv"), "unit_id,name\nU1,=HYPERLINK(\"http://x\")\n").unwrap();
    std::fs::write(dir.join("cadres.csv"), "cadre_id,name,unit_id\nC1,@SUM(A1),U1\n").unwrap();
    let path = tmp("cadres.xlsx");
    let out = Command::new(env!("CARGO_BIN_EXE_zhichu")).args(["cadres", "--data", dir.to_str().unwrap(), "--xlsx", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut wb = open_workbook_auto(&path).unwrap();
    let r = wb.worksheet_range("干部").unwrap();
    let row: Vec<String> = r.rows().nth(1).unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(row[1], "'@SUM(A1)");
    assert_eq!(row[2], "'=HYPERLINK(\"http://x\")");
}

#[test]
fn the_untouched_template_imports_with_no_error_and_no_warning() {
    let path = tmp("模板.xlsx");
    let out = Command::new(env!("CARGO_BIN_EXE_zhichu")).args(["template", "--out", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let bytes = std::fs::read(&path).unwrap();
    let e = Engine::load(&[SourceFile { name: "模板.xlsx".into(), bytes }], &LoadOptions::default(), &mut |_| {}).unwrap();
    let r = e.report();
    assert!(r.errors.is_empty() && r.warnings.is_empty(), "{:?} {:?}", r.errors, r.warnings);
    for t in ["units", "dimensions", "teachers", "courses", "cadres", "classes", "records", "ratings", "requirements"] {
        assert_eq!(r.loaded[t], 1, "{t}");
    }
    let mut wb = open_workbook_auto(&path).unwrap();
    assert_eq!(wb.sheet_names().last().map(String::as_str), Some("说明"));
    let header: Vec<String> = wb.worksheet_range("培训记录").unwrap().rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[..4], ["干部编号", "课程编号", "班次编号", "日期"]);
}

#[test]
fn full_width_and_zero_width_prefixed_formulas_are_escaped_too() {
    use zhichu::export::escape_cell;
    for s in ["＝HYPERLINK(\"http://x\")", "＋1", "－1+1", "＠SUM(A1)", "\u{200B}=1+1", "\u{FEFF}\u{200D}@SUM(A1)", "\u{2060}＝1"] {
        assert_eq!(escape_cell(s), format!("'{s}"), "{s:?}");
    }
    for s in ["张三", "1=1", "a-b", "\u{200B}张三", ""] {
        assert_eq!(escape_cell(s), s, "{s:?}");
    }
    // Through a real export: the CSV cadre list.
    let dir = tmp("fullwidth");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("units.csv"), "unit_id,name\nU1,＝HYPERLINK(\"http://x\")\n").unwrap();
    std::fs::write(dir.join("cadres.csv"), "cadre_id,name,unit_id\nC1,\u{200B}@SUM(A1),U1\n").unwrap();
    let path = tmp("cadres-fw.xlsx");
    let out = Command::new(env!("CARGO_BIN_EXE_zhichu")).args(["cadres", "--data", dir.to_str().unwrap(), "--xlsx", path.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut wb = open_workbook_auto(&path).unwrap();
    let row: Vec<String> = wb.worksheet_range("干部").unwrap().rows().nth(1).unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(row[1], "'\u{200B}@SUM(A1)");
    assert_eq!(row[2], "'＝HYPERLINK(\"http://x\")");
}
