#![cfg(not(target_arch = "wasm32"))]
//! The command line, run as a user would.
use crate::common;
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
    assert_eq!(
        (e["file"].as_str(), e["row"].as_u64(), e["column"].as_str(), e["code"].as_str()),
        (Some("records.csv"), Some(4), Some("日期"), Some("bad_date"))
    );
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
    assert!(benches.len() >= 2, "{benches:?}");
    for l in benches {
        assert!(l.contains("CARGO_TARGET_DIR=target/bench "), "{l}");
    }
}

#[test]
fn personal_packages_from_keygen_to_the_cadres_own_profile() {
    let dir = std::env::temp_dir().join(format!("zhichu-personal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let p = |n: &str| dir.join(n).to_str().unwrap().to_string();
    std::fs::write(dir.join("pass"), "一个足够长的口令\n").unwrap();
    std::fs::write(dir.join("bad-pass"), "不对的口令口令\n").unwrap();
    let data = p("city");
    assert_eq!(zhichu(&["demo", "--scale", "s", "--out", &data]).0, 0);
    let (code, out, err) = zhichu(&["keygen", "--out", &p("组织部.key"), "--passphrase-file", &p("pass")]);
    assert_eq!(code, 0, "{err}");
    let fp = out.lines().find_map(|l| l.strip_prefix("公钥指纹：")).unwrap().to_string();
    assert_eq!(fp.len(), 39, "{fp}");
    assert!(std::fs::read_to_string(dir.join("组织部.pub")).unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
    // A wrong passphrase is a clear error, not a panic.
    let (code, _, err) = zhichu(&[
        "personal",
        "--data",
        &data,
        "--key",
        &p("组织部.key"),
        "--passphrase-file",
        &p("bad-pass"),
        "--issuer",
        "某市委组织部",
        "--cadres",
        "C000001",
        "--out",
        &p("out"),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("私钥口令不正确"), "{err}");
    let (code, _, err) = zhichu(&[
        "personal",
        "--data",
        &data,
        "--key",
        &p("组织部.key"),
        "--passphrase-file",
        &p("pass"),
        "--issuer",
        "某市委组织部",
        "--cadres",
        "C000001,C000002",
        "--out",
        &p("out"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(&fp), "{err}");
    // The 发放清单: unit, name, id, file, code.
    let mut wb = calamine::open_workbook_auto(dir.join("out/发放清单.xlsx")).unwrap();
    use calamine::Reader;
    let rows: Vec<Vec<String>> = wb.worksheet_range("发放清单").unwrap().rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0], ["单位", "姓名", "干部编号", "文件", "提取码"]);
    assert_eq!(rows.len(), 3);
    let (file, code_1) = (p(&format!("out/{}", rows[1][3])), rows[1][4].clone());
    assert_eq!(rows[1][2], "C000001");
    // The cadre's own pages from the package equal the city's, with the issuer and fingerprint said.
    for q in [
        vec!["profile", "--cadre", "C000001"],
        vec!["recommend", "--cadre", "C000001"],
        vec!["hours", "--cadre", "C000001"],
        vec!["archive", "--cadre", "C000001"],
    ] {
        let mut from_city = q.clone();
        from_city.extend(["--data", &data, "--json"]);
        let mut from_pkg = q.clone();
        from_pkg.extend(["--data", &file, "--code", &code_1, "--json"]);
        let (a, b) = (zhichu(&from_city), zhichu(&from_pkg));
        assert_eq!((b.0, &b.1), (0, &a.1), "{q:?}: {}", b.2);
        assert!(b.2.contains("由 某市委组织部 签发") && b.2.contains(&fp), "{}", b.2);
    }
    // Trusting this key passes; trusting another is an error; a wrong code says so; a unit view is refused.
    assert_eq!(zhichu(&["profile", "--data", &file, "--code", &code_1, "--cadre", "C000001", "--trust", &p("组织部.pub")]).0, 0);
    assert_eq!(zhichu(&["keygen", "--out", &p("别人.key"), "--passphrase-file", &p("pass")]).0, 0);
    let (code, _, err) = zhichu(&["profile", "--data", &file, "--code", &code_1, "--cadre", "C000001", "--trust", &p("别人.pub")]);
    assert_eq!(code, 1);
    assert!(err.contains("不是由受信任的公钥签发"), "{err}");
    let (code, _, err) = zhichu(&["profile", "--data", &file, "--code", "AAAA-AAAA-AAAA", "--cadre", "C000001"]);
    assert_eq!((code, err.trim_end()), (1, "zhichu: 提取码不正确"));
    let (code, _, err) = zhichu(&["layout", "--data", &file, "--code", &code_1, "--unit", "U001"]);
    assert_eq!(code, 2);
    assert!(err.contains("个人档案包只含本人的数据"), "{err}");
    // inspect prints exactly what was handed out.
    let (code, out, _) = zhichu(&["personal", "inspect", &file, "--code", &code_1]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["cadre_id"].as_str(), v["issuer"].as_str()), (Some("C000001"), Some("某市委组织部")));
    assert!(!out.contains("C000002"));
    std::fs::remove_dir_all(&dir).unwrap();
}
