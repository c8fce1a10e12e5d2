#![cfg(not(target_arch = "wasm32"))]
//! The command line, run as a user would.
mod common;
use common::fixture;
use std::process::Command;

fn zhichu(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhichu")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn profile_json_reproduces_the_worked_check() {
    let data = fixture("basic_gbk");
    let (code, out, err) = zhichu(&["profile", "--data", data.to_str().unwrap(), "--cadre", "C1", "--as-of", "2025-07-02", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["cadre"]["name"], "张三");
    assert_eq!(v["as_of"], "2025-07-02");
    let d = &v["dimensions"][0];
    assert_eq!(d["dimension"], "理想信念");
    assert!((d["reserve"].as_f64().unwrap() - 27.25).abs() < 0.01);
    let sum: f64 = d["contributions"].as_array().unwrap().iter().map(|c| c["contribution"].as_f64().unwrap()).sum();
    assert!((sum - d["evidence"].as_f64().unwrap()).abs() < 1e-9);
    assert!(v["trend"].as_array().unwrap().len() == 2);
    // The same cadre by name, in the terminal view.
    let (code, out, _) = zhichu(&["profile", "--data", data.to_str().unwrap(), "--cadre", "张三", "--as-of", "2025-07-02"]);
    assert_eq!(code, 0);
    assert!(out.contains("理想信念") && out.contains(" 27.3") && out.contains("缺口 32.7"), "{out}");
}

#[test]
fn validate_reports_and_exits_1_on_errors() {
    let broken = fixture("broken");
    let (code, out, _) = zhichu(&["validate", "--data", broken.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["loaded"]["records"], 2);
    assert_eq!(v["errors"].as_array().unwrap().len(), 14);
    let e = &v["errors"][9];
    assert_eq!((e["file"].as_str(), e["row"].as_u64(), e["column"].as_str(), e["code"].as_str()), (Some("records.csv"), Some(4), Some("日期"), Some("bad_date")));
    let good = fixture("basic.xlsx");
    let (code, out, _) = zhichu(&["validate", "--data", good.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("没有错误"));
}

#[test]
fn exit_codes_for_unknown_cadre_and_missing_path() {
    let data = fixture("basic.json");
    assert_eq!(zhichu(&["profile", "--data", data.to_str().unwrap(), "--cadre", "C404"]).0, 3);
    assert_eq!(zhichu(&["profile", "--data", "/nonexistent/x.csv", "--cadre", "C1"]).0, 4);
    assert_eq!(zhichu(&["profile", "--cadre"]).0, 2);
}

#[test]
fn demo_writes_files_that_load_and_recommend_works_without_data() {
    let dir = std::env::temp_dir().join(format!("zhichu-demo-{}", std::process::id()));
    let (code, _, err) = zhichu(&["demo", "--scale", "s", "--out", dir.to_str().unwrap(), "--encoding", "gbk"]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.join("干部.csv").exists() && dir.join("培训记录.csv").exists());
    let (code, out, _) = zhichu(&["validate", "--data", dir.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["loaded"]["cadres"], 1000);
    // Without --data: the demo city; the weak cadre's first pick closes 理想信念.
    let (code, out, _) = zhichu(&["recommend", "--scale", "s", "--cadre", "C000001", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["recommendations"][0]["gains"][0]["dimension"], "理想信念");
    // The same from the written files.
    let (_, out2, _) = zhichu(&["recommend", "--data", dir.to_str().unwrap(), "--cadre", "C000001", "--json"]);
    assert_eq!(out, out2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unit_views_find_the_planted_stories_in_the_demo() {
    let json = |args: &[&str]| -> serde_json::Value {
        let (code, out, err) = zhichu(args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    // 市住房和城乡建设局 is weak in 纪律与廉政, with no coverage there.
    let l = json(&["layout", "--scale", "s", "--unit", "U019", "--json"]);
    assert_eq!(l["weak_points"][0], "纪律与廉政");
    let d = l["dimensions"].as_array().unwrap().iter().find(|d| d["dimension"] == "纪律与廉政").unwrap();
    assert_eq!(d["coverage"], 0.0);
    assert_eq!(l["years"], serde_json::json!([2021, 2022, 2023, 2024, 2025]));
    // The planted 培训专业户 and repeater.
    let f = json(&["fairness", "--scale", "s", "--json"]);
    assert!(f["frequent_trainees"].as_array().unwrap().iter().any(|t| t["cadre"]["cadre_id"] == "C000002"));
    assert!(f["repeats"].as_array().unwrap().iter().any(|r| r["cadre_id"] == "C000003" && r["kind"] == "same"));
    // The cadre short of online hours, with what is still owed.
    let c = json(&["compliance", "--scale", "s", "--year", "2025", "--json"]);
    let s = c["short"].as_array().unwrap().iter().find(|s| s["cadre"]["cadre_id"] == "C000004" && s["rule_id"] == "online_50").unwrap();
    assert!(s["remaining_hours"].as_f64().unwrap() > 10.0);
    // The niche gems (few votes, high means) are not at the top of the course ranking.
    let r = json(&["ratings", "--scale", "s", "--json"]);
    let top = &r["rows"][0];
    assert!(top["n"].as_u64().unwrap() >= 20, "{top}");
    let t = json(&["ratings", "--scale", "s", "--by", "teacher", "--json"]);
    assert_eq!(t["by"], "teacher");
    assert!(!t["rows"][0]["by_dimension"].as_array().unwrap().is_empty());
    // Bad arguments and unknown units.
    assert_eq!(zhichu(&["layout", "--scale", "s", "--unit", "U999"]).0, 3);
    assert_eq!(zhichu(&["layout", "--scale", "s", "--unit", "U019", "--years", "2025"]).0, 2);
}

#[test]
fn the_bench_build_never_replaces_the_users_cli() {
    // The benches build the CLI without pivot/query/Parquet; in target/release
    // it would replace the one `cargo build --release` made.
    let dev = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/dev")).unwrap();
    let benches: Vec<&str> = dev.lines().filter(|l| l.contains("cargo bench")).collect();
    assert!(benches.len() >= 3, "{benches:?}");
    for l in benches {
        assert!(l.contains("CARGO_TARGET_DIR=target/bench "), "{l}");
    }
}
