#![cfg(not(target_arch = "wasm32"))]
//! The engine API that every face calls: typed requests with defaults from
//! the policy, refusals with stable codes, and the same numbers as the CLI.
use crate::common;
use common::{files, fixture};
use std::process::Command;
use zhichu::analytics::Model;
use zhichu::engine::requests::*;
use zhichu::ingest::{LoadOptions, SourceFile};
use zhichu::{Engine, policy};

fn cli_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_zhichu")).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn basic() -> Engine {
    Engine::load(&files("basic_gbk"), &LoadOptions::default(), &mut |_| {}).unwrap()
}

#[test]
fn requests_take_their_defaults_from_the_policy_and_refuse_unknown_fields() {
    let r: RecommendRequest = serde_json::from_str(r#"{"cadre": "C1"}"#).unwrap();
    assert_eq!(r.top, policy::RECOMMEND_TOP);
    assert_eq!(r.repeat_window_years, policy::REPEAT_WINDOW_YEARS);
    let l: LayoutRequest = serde_json::from_str(r#"{"unit": "U1"}"#).unwrap();
    assert!(l.include_subunits);
    assert_eq!(l.coverage_years, policy::COVERAGE_YEARS);
    let e = serde_json::from_str::<RecommendRequest>(r#"{"cadre": "C1", "topp": 3}"#).unwrap_err();
    assert!(e.to_string().contains("unknown field `topp`"), "{e}");
    assert!(serde_json::from_str::<Model>(r#"{"half_life": 3}"#).is_err());
}

#[test]
fn bad_arguments_get_stable_codes_and_say_what_is_wrong() {
    let mut e = basic();
    let err = e.profile(&ProfileRequest { cadre: "C404".into(), as_of: None }).unwrap_err();
    assert_eq!((err.code.as_str(), err.exit_code()), ("not_found", 3));
    assert!(err.message.contains("C404"));
    let err = e.recommend(&RecommendRequest { cadre: "C1".into(), top: 0, ..Default::default() }).unwrap_err();
    assert_eq!((err.code.as_str(), err.exit_code()), ("bad_argument", 2));
    assert!(err.message.contains("top"), "{}", err.message);
    for m in [
        Model { half_life_years: f64::NAN, ..Model::default() },
        Model { half_life_years: -3.0, ..Model::default() },
        Model { completion_credit: -1.0, ..Model::default() },
    ] {
        assert_eq!(e.set_model(m).unwrap_err().code, "bad_argument");
    }
    let zero_minutes = LoadOptions { minutes_per_hour: 0.0, ..LoadOptions::default() };
    assert_eq!(Engine::load(&files("basic_gbk"), &zero_minutes, &mut |_| {}).err().unwrap().code, "bad_argument");
    let err = e.layout(&LayoutRequest { unit: "U1".into(), years: Some("2025-2021".into()), ..Default::default() }).unwrap_err();
    assert!(err.message.contains("2025-2021"));
    // Dates and years outside what a question can mean are refused, not computed.
    for as_of in ["9999-12-31", "0001-01-01", "1900-01-01"] {
        assert_eq!(e.profile(&ProfileRequest { cadre: "C1".into(), as_of: Some(as_of.into()) }).unwrap_err().code, "bad_argument", "{as_of}");
    }
    assert_eq!(e.layout(&LayoutRequest { unit: "U1".into(), years: Some("0-50".into()), ..Default::default() }).unwrap_err().code, "bad_argument");
    // The same refusals on the command line, exit 2 with the engine's message;
    // a negative number reaches the range check instead of being taken for an option.
    let out = Command::new(env!("CARGO_BIN_EXE_zhichu")).args(["profile", "--scale", "s", "--cadre", "C000001", "--half-life", "-3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("half_life_years"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn gaps_are_ranked_by_the_engine() {
    let mut e = Engine::demo("s").unwrap();
    let p = e.profile(&ProfileRequest { cadre: "C000001".into(), as_of: None }).unwrap();
    let gap = |name: &str| p.dimensions.iter().find(|d| d.dimension == name).unwrap().gap.unwrap();
    assert!(!p.gaps_ranked.is_empty());
    assert_eq!(p.gaps_ranked[0], "理想信念", "the demo's planted weak dimension comes first");
    for w in p.gaps_ranked.windows(2) {
        assert!(gap(&w[0]) >= gap(&w[1]));
    }
    let open = p.dimensions.iter().filter(|d| d.gap.is_some_and(|g| g > 0.0)).count();
    assert_eq!(p.gaps_ranked.len(), open);
}

#[test]
fn the_predicted_radar_adds_one_course_to_the_profile_and_matches_the_cli() {
    let mut e = Engine::demo("s").unwrap();
    let rec = e.recommend(&RecommendRequest { cadre: "C000001".into(), ..Default::default() }).unwrap();
    let first = &rec.recommendations[0];
    let s = e.simulate(&SimulateRequest { cadre: "C000001".into(), course: first.course_id.clone(), as_of: None }).unwrap();
    let p = e.profile(&ProfileRequest { cadre: "C000001".into(), as_of: None }).unwrap();
    // Before = the profile; after = the reserve formula with the course's 学时 × credit × weight added.
    let ds = e.dataset();
    let k = ds.courses.lookup(&first.course_id).unwrap();
    let credit = Model::default().completion_credit;
    for (d, dim) in p.dimensions.iter().enumerate() {
        assert_eq!(s.before[d], dim.reserve);
        let sat = ds.dimensions.get(d as u32).saturation_hours;
        let expected = 100.0 * (1.0 - (-(dim.evidence + ds.courses.get(k).hours * credit * ds.weights(k)[d] as f64) / sat).exp());
        assert!((s.after[d] - expected).abs() < 1e-9, "{}: {} vs {expected}", dim.dimension, s.after[d]);
    }
    // The gain the recommendation promised (capped by the gap) is at most the radar's rise.
    let d0 = p.dimensions.iter().position(|d| d.dimension == first.gains[0].dimension).unwrap();
    assert!(s.after[d0] - s.before[d0] >= first.gains[0].gain - 1e-9);
    let cli = cli_json(&["simulate", "--scale", "s", "--cadre", "C000001", "--course", &first.course_id, "--json"]);
    assert_eq!(cli["title"], s.title.as_str());
    for d in 0..s.after.len() {
        assert_eq!(cli["after"][d].as_f64().unwrap(), s.after[d]);
        assert_eq!(cli["before"][d].as_f64().unwrap(), s.before[d]);
    }
}

#[test]
fn cli_and_engine_give_the_same_hours_and_archive() {
    let e = Engine::demo("s").unwrap();
    let h = e.hours(&HoursRequest { cadre: "C000004".into(), year: None }).unwrap();
    let cli = cli_json(&["hours", "--scale", "s", "--cadre", "C000004", "--json"]);
    assert_eq!(cli["year"], h.year);
    assert_eq!(cli["rules"].as_array().unwrap().len(), h.rules.len());
    assert_eq!(cli["rules"][0]["earned_hours"].as_f64().unwrap(), h.rules[0].earned_hours);
    assert_eq!(h.year, zhichu::model::date::year(e.default_as_of()));
    let a = e.archive(&CadreRequest { cadre: "C000004".into() }).unwrap();
    let cli = cli_json(&["archive", "--scale", "s", "--cadre", "C000004", "--json"]);
    assert_eq!(cli.as_array().unwrap().len(), a.len());
    assert_eq!(cli[0]["course_id"], a[0].course_id.as_str());
}

#[test]
fn summary_carries_the_policy_the_pages_show() {
    let e = basic();
    let s = e.summary();
    assert!(!s.demo);
    assert_eq!(s.policy.theory_share, policy::THEORY_SHARE);
    assert_eq!(s.policy.repeat_window_years, policy::REPEAT_WINDOW_YEARS);
    assert_eq!(s.policy.rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["online_50", "concentrated_90", "fulltime_550", "party_32", "party_56"]);
    assert_eq!(s.as_of, s.latest_date.clone().unwrap());
    assert_eq!(s.files.len(), std::fs::read_dir(fixture("basic_gbk")).unwrap().count());
}

#[test]
fn a_file_that_yields_nothing_is_listed_as_rejected() {
    let mut all = files("basic_gbk");
    // Random bytes under a table's name: not one row can be read from them.
    let noise: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    all.push(SourceFile { name: "ratings.csv".into(), bytes: noise });
    all.push(SourceFile { name: "notes.docx".into(), bytes: b"PK\x03\x04".to_vec() });
    let e = Engine::load(&all, &LoadOptions::default(), &mut |_| {}).unwrap();
    let mut rejected = e.report().rejected.clone();
    rejected.sort();
    assert_eq!(rejected, ["notes.docx", "ratings.csv"]);
    // The good files still load.
    assert_eq!(e.report().loaded["records"], basic().report().loaded["records"]);
}

/// The README's API table lists exactly the engine's questions, each with the builds that have it.
#[test]
fn the_readme_api_table_is_the_list_of_questions() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("## The engine API").nth(1).unwrap().split("\n## ").next().unwrap();
    let rows: Vec<(String, String)> = section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| question") && !l.starts_with("| ---"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            (cells[1].trim_matches('`').to_string(), cells[3].to_string())
        })
        .collect();
    let builds = |m: zhichu::engine::questions::Module| match m.name() {
        "engine" => "all",
        other => other,
    };
    let listed: Vec<(String, String)> = zhichu::engine::questions::QUESTIONS.iter().map(|(n, m)| (n.to_string(), builds(*m).to_string())).collect();
    assert_eq!(rows, listed);
}

/// Every question is asked by name with a JSON request, as the bindings do, and answers as its method does.
#[test]
fn questions_parse_by_name_and_answer_as_their_methods() {
    use zhichu::engine::questions::Question;
    let mut e = Engine::demo("s").unwrap();
    let q = Question::parse("profile", serde_json::json!({"cadre": "C000001"})).unwrap();
    assert_eq!(q.name(), "profile");
    let asked = serde_json::to_value(e.ask(q).unwrap()).unwrap();
    let direct = serde_json::to_value(e.profile(&ProfileRequest { cadre: "C000001".into(), as_of: None }).unwrap()).unwrap();
    assert_eq!(asked, direct);
    // null: every default; a wrong field is named.
    assert!(Question::parse("summary", serde_json::Value::Null).is_ok());
    let err = Question::parse("recommend", serde_json::json!({"cadre": "C1", "topp": 3})).unwrap_err();
    assert_eq!(err.code, "bad_argument");
    assert!(err.message.contains("topp"), "{}", err.message);
    let err = Question::parse("nothing", serde_json::Value::Null).unwrap_err();
    assert_eq!((err.code.as_str(), err.exit_code()), ("unknown_question", 2));
}
