#![cfg(not(target_arch = "wasm32"))]
//! Unit-level analytics on a hand-built city whose answers are worked out
//! here: a unit weak in one dimension, a course taken twice, a near-duplicate,
//! a cadre with 4× the peer class hours, one with no training, one 10 学时
//! short, and ratings where two hundred 4.7s beat three 5s.
use crate::common;
use common::day;
use serde_json::json;
use zhichu::Dataset;
use zhichu::analytics::compliance::{default_rules, group_compliance, progress};
use zhichu::analytics::fairness::fairness;
use zhichu::analytics::layout::{LayoutParams, city_ranking, layout};
use zhichu::analytics::ratings::rating_table;
use zhichu::analytics::{Model, Snapshot};
use zhichu::ingest::{LoadOptions, SourceFile, load};

fn city() -> Dataset {
    let rec = |c: &str, k: &str, d: &str, h: f64, class: &str| json!({"cadre_id": c, "course_id": k, "date": d, "hours": h, "class_id": class});
    let mut ratings: Vec<serde_json::Value> = (0..3).map(|_| json!({"cadre_id": "C1", "course_id": "K1", "score": 5})).collect();
    for i in 0..200 {
        ratings.push(json!({"cadre_id": "C2", "course_id": "K3", "score": if i % 10 < 7 { 5 } else { 4 }, "date": "2025-05-01"}));
    }
    let doc = json!({
        "units": [
            {"unit_id": "U1", "name": "市委组织部"},
            {"unit_id": "U2", "name": "某区"},
            {"unit_id": "U3", "name": "某区某镇", "parent_id": "U2"}
        ],
        "dimensions": [{"dimension": "A", "saturation_hours": 10}, {"dimension": "B", "saturation_hours": 10}],
        "courses": [
            {"course_id": "K1", "title": "廉政警示教育（专题讲座）", "hours": 10, "dimensions": "A:1"},
            {"course_id": "K2", "title": "廉政警示教育（网络课程）", "hours": 10, "dimensions": "A:1", "mode": "网络"},
            {"course_id": "K3", "title": "宪法学习专题", "hours": 10, "dimensions": "B:1"},
            {"course_id": "K4", "title": "法治政府建设网络学习包", "hours": 40, "dimensions": "B:1", "mode": "网络"}
        ],
        "classes": [{"class_id": "B1", "name": "2025年集中培训班", "type": "集中", "start_date": "2025-03-01", "end_date": "2025-03-12"}],
        "cadres": [
            {"cadre_id": "C1", "name": "甲", "unit_id": "U1", "rank": "乡科级"},
            {"cadre_id": "C2", "name": "乙", "unit_id": "U1", "rank": "乡科级"},
            {"cadre_id": "C3", "name": "丙", "unit_id": "U1", "rank": "乡科级"},
            {"cadre_id": "C4", "name": "丁", "unit_id": "U1", "rank": "乡科级"},
            {"cadre_id": "C5", "name": "戊", "unit_id": "U3", "rank": "乡科级"},
            {"cadre_id": "C6", "name": "己", "unit_id": "U3", "rank": "乡科级"},
            {"cadre_id": "C7", "name": "庚", "unit_id": "U2", "rank": "乡科级"}
        ],
        "records": [
            rec("C1", "K1", "2025-01-10", 10.0, ""),
            rec("C1", "K1", "2025-06-01", 10.0, ""),
            rec("C2", "K1", "2024-05-01", 10.0, ""),
            rec("C2", "K2", "2025-02-01", 10.0, ""),
            rec("C3", "K3", "2025-03-05", 8.0, "B1"),
            rec("C4", "K3", "2025-03-02", 10.0, "B1"),
            rec("C4", "K1", "2025-03-03", 10.0, "B1"),
            rec("C4", "K3", "2025-03-04", 10.0, "B1"),
            rec("C4", "K1", "2025-03-05", 10.0, "B1"),
            rec("C5", "K3", "2025-03-06", 10.0, "B1"),
            rec("C6", "K4", "2025-04-01", 40.0, "")
        ],
        "ratings": ratings,
        "requirements": [{"rank": "乡科级", "dimension": "A", "target": 60}, {"rank": "乡科级", "dimension": "B", "target": 60}]
    });
    let l = load(&[SourceFile { name: "city.json".into(), bytes: doc.to_string().into_bytes() }], &LoadOptions::default());
    assert!(l.report.errors.is_empty(), "{:?}", l.report.errors);
    l.dataset
}

#[test]
fn layout_finds_the_unit_weak_in_a() {
    let ds = city();
    let snap = Snapshot::compute(&ds, Model::default(), day("2025-12-31"));
    let u2 = ds.units.lookup("U2").unwrap();
    let l = layout(&ds, &snap, u2, &LayoutParams { years: (2024, 2025), include_subunits: true, coverage_years: 3.0 });
    assert_eq!(l.cadres, 3);
    assert_eq!(l.compared_with, "city");
    let (a, b) = (&l.dimensions[0], &l.dimensions[1]);
    // Nobody in U2's subtree trained in A; two of three trained in B.
    assert_eq!(a.hours_by_year, vec![0.0, 0.0]);
    assert_eq!(b.hours_by_year, vec![0.0, 50.0]);
    assert_eq!((a.coverage, b.coverage), (0.0, 2.0 / 3.0));
    assert_eq!(a.mean_reserve, 0.0);
    assert!(a.compare_mean_reserve > 10.0);
    // All three are 60 short in A: mean shortfall 60, the first weak point.
    assert_eq!(a.cadres_short, 3);
    assert!((a.mean_shortfall - 60.0).abs() < 1e-9);
    assert_eq!(l.weak_points[0], "A");
    // Without sub-units: only C7.
    let own = layout(&ds, &snap, u2, &LayoutParams { years: (2025, 2025), include_subunits: false, coverage_years: 3.0 });
    assert_eq!(own.cadres, 1);
    // U3 compares with its parent's subtree.
    let u3 = layout(&ds, &snap, ds.units.lookup("U3").unwrap(), &LayoutParams { years: (2025, 2025), include_subunits: true, coverage_years: 3.0 });
    assert_eq!(u3.compared_with, "U2");
    // City ranking: U1 first in A, U2 last.
    let r = city_ranking(&ds, &snap);
    assert_eq!(r[0].0, "A");
    assert_eq!(r[0].1.iter().map(|u| u.unit_id.as_str()).collect::<Vec<_>>(), ["U1", "U2"]);
}

#[test]
fn fairness_finds_repeats_frequent_trainee_spread_and_untrained() {
    let ds = city();
    let all: Vec<u32> = (0..ds.cadres.len() as u32).collect();
    let units: Vec<u32> = (0..ds.units.len() as u32).collect();
    let f = fairness(&ds, day("2025-12-31"), 3.0, &all, &units);
    let reps: Vec<(&str, &str, &str, &str)> =
        f.repeats.iter().map(|r| (r.cadre_id.as_str(), r.course_id.as_str(), r.first_course_id.as_str(), r.kind)).collect();
    // C1 took K1 twice; C2 took K2, a near-duplicate of K1; C4 sat K3 and K1 twice in class B1.
    assert_eq!(reps, vec![("C1", "K1", "K1", "same"), ("C2", "K2", "K1", "near"), ("C4", "K3", "K3", "same"), ("C4", "K1", "K1", "same")]);
    assert_eq!(f.repeats_by_class, vec![("B1".to_string(), 2)]);
    assert_eq!(f.near_duplicates.len(), 1);
    assert_eq!((f.near_duplicates[0].course_a.as_str(), f.near_duplicates[0].course_b.as_str()), ("K1", "K2"));
    // Class hours of 乡科级: [0, 0, 8, 40, 10, 0, 0]; median 0 → C4 (40) and everyone above P95.
    let ft: Vec<&str> = f.frequent_trainees.iter().map(|t| t.cadre.cadre_id.as_str()).collect();
    assert_eq!(ft, vec!["C4"]);
    assert_eq!(f.frequent_trainees[0].class_hours, 40.0);
    assert_eq!(f.frequent_trainees[0].classes, 1);
    // U2's subtree: hours [0 (C7), 10 (C5), 40 (C6)] → Gini 0.5333; C7 never trained.
    let u2 = f.units.iter().find(|u| u.unit_id == "U2").unwrap();
    assert!((u2.gini - 8.0 / 15.0).abs() < 1e-12, "{}", u2.gini);
    assert_eq!(u2.never_trained, 1);
    assert_eq!(f.never_trained.iter().map(|c| c.cadre_id.as_str()).collect::<Vec<_>>(), ["C7"]);
}

#[test]
fn compliance_reports_who_is_short_and_by_how_much() {
    let ds = city();
    let rules = default_rules();
    // C6: 40 online 学时 in 2025 → 10 short of 50.
    let p = progress(&ds, &rules, ds.cadres.lookup("C6").unwrap(), 2025);
    let online = p.iter().find(|r| r.rule_id == "online_50").unwrap();
    assert_eq!((online.earned_hours, online.remaining_hours, online.met), (40.0, 10.0, false));
    assert_eq!(online.period_end, "2025-12-31");
    // C4: the 12-day class B1 meets the concentrated rule by days (40 学时 < 90).
    let p = progress(&ds, &rules, ds.cadres.lookup("C4").unwrap(), 2025);
    let conc = p.iter().find(|r| r.rule_id == "concentrated_90").unwrap();
    assert_eq!((conc.earned_hours, conc.earned_days, conc.met, conc.remaining_hours), (40.0, 12.0, true, 0.0));
    // C2's K2 (网络, 10 学时) counts online.
    let p = progress(&ds, &rules, ds.cadres.lookup("C2").unwrap(), 2025);
    assert_eq!(p.iter().find(|r| r.rule_id == "online_50").unwrap().earned_hours, 10.0);
    // Nobody meets every rule; the list is ordered by what is still owed.
    let all: Vec<u32> = (0..ds.cadres.len() as u32).collect();
    let g = group_compliance(&ds, &rules, &all, 2025);
    assert_eq!((g.cadres, g.compliant), (7, 0));
    let online = g.by_rule.iter().find(|r| r.rule_id == "online_50").unwrap();
    assert_eq!((online.applicable, online.met), (7, 0));
    let conc = g.by_rule.iter().find(|r| r.rule_id == "concentrated_90").unwrap();
    assert_eq!((conc.applicable, conc.met), (7, 3)); // C3, C4 and C5 sat the 12-day class
    assert_eq!(g.short.len(), 7 + 4);
    assert!(g.short.windows(2).all(|w| w[0].remaining_hours >= w[1].remaining_hours));
    assert_eq!(g.short.last().unwrap().cadre.cadre_id, "C6");
}

#[test]
fn two_hundred_ratings_of_4_7_beat_three_5s() {
    let ds = city();
    let t = rating_table(&ds, false, 10.0);
    let pos = |id: &str| t.rows.iter().position(|r| r.id == id).unwrap();
    assert!(pos("K3") < pos("K1"));
    let k3 = &t.rows[pos("K3")];
    assert_eq!(k3.n, 200);
    assert!((k3.mean.unwrap() - 4.7).abs() < 1e-12);
    assert_eq!(k3.distribution, [0, 0, 0, 60, 140]);
    assert_eq!(k3.by_year, vec![(2025, 4.7, 200)]);
    assert!(k3.low < k3.shrunk && k3.shrunk < k3.high);
    let k1 = &t.rows[pos("K1")];
    assert_eq!((k1.n, k1.mean), (3, Some(5.0)));
    // Shrunk towards the overall mean 943/203.
    let overall = (140.0 * 5.0 + 60.0 * 4.0 + 15.0) / 203.0;
    assert!((k1.shrunk - (10.0 * overall + 15.0) / 13.0).abs() < 1e-12);
    // K2 and K4 have no ratings: the overall mean, and the widest interval.
    assert!((t.rows[pos("K4")].shrunk - overall).abs() < 1e-12);
    assert!(t.rows[pos("K4")].high - t.rows[pos("K4")].low > k3.high - k3.low);
}

#[test]
fn party_rules_and_yunnan_credits() {
    use zhichu::analytics::compliance::{Rule, yunnan_credit};
    // 30 minutes or more = 1, 15–30 = 0.5, 15 or less = 0.25, a passed test +0.5.
    assert_eq!(yunnan_credit(40.0 / 45.0, None), 1.0);
    assert_eq!(yunnan_credit(30.0 / 45.0, Some(60.0)), 1.5);
    assert_eq!(yunnan_credit(20.0 / 45.0, Some(59.0)), 0.5);
    assert_eq!(yunnan_credit(15.0 / 45.0, Some(90.0)), 0.75);
    // A small dataset: one Party member with three online records.
    let doc = json!({
        "units": [{"unit_id": "U1", "name": "某局"}],
        "courses": [
            {"course_id": "K1", "title": "微课", "minutes": 10, "dimensions": "理想信念", "mode": "网络"},
            {"course_id": "K2", "title": "网课", "minutes": 45, "dimensions": "理想信念", "mode": "网络"}
        ],
        "cadres": [
            {"cadre_id": "C1", "name": "甲", "unit_id": "U1", "rank": "乡科级", "party_role": "党员"},
            {"cadre_id": "C2", "name": "乙", "unit_id": "U1", "rank": "乡科级", "party_role": "支部书记"},
            {"cadre_id": "C3", "name": "丙", "unit_id": "U1", "rank": "乡科级"}
        ],
        "records": [
            {"cadre_id": "C1", "course_id": "K1", "date": "2025-03-01"},
            {"cadre_id": "C1", "course_id": "K2", "date": "2025-04-01", "score": 80},
            {"cadre_id": "C1", "course_id": "K2", "date": "2025-05-01", "score": 50}
        ]
    });
    let l = load(&[SourceFile { name: "p.json".into(), bytes: doc.to_string().into_bytes() }], &LoadOptions::default());
    assert!(l.report.errors.is_empty(), "{:?}", l.report.errors);
    let ds = l.dataset;
    let rules: Vec<Rule> =
        serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rules_yunnan.json")).unwrap()).unwrap();
    let c1 = progress(&ds, &rules, ds.cadres.lookup("C1").unwrap(), 2025);
    let credits = c1.iter().find(|r| r.rule_id == "online_credits_50").unwrap();
    // 0.25 + (1 + 0.5) + 1 = 2.75 credits; 2 + 2 × 1 学时 = 2.22 学时 for the Party rule.
    assert!((credits.earned_hours - 2.75).abs() < 1e-9);
    assert!((c1.iter().find(|r| r.rule_id == "party_32").unwrap().earned_hours - (10.0 + 45.0 + 45.0) / 45.0).abs() < 1e-5);
    // Default rules: the Party rules apply by role only.
    let ids = |c: &str| progress(&ds, &default_rules(), ds.cadres.lookup(c).unwrap(), 2025).into_iter().map(|r| r.rule_id).collect::<Vec<_>>();
    assert!(ids("C1").contains(&"party_32".to_string()) && !ids("C1").contains(&"party_56".to_string()));
    assert!(ids("C2").contains(&"party_56".to_string()));
    assert!(!ids("C3").iter().any(|r| r.starts_with("party")));
}

#[test]
fn party_school_classes_are_checked_for_the_70_percent_theory_share() {
    use zhichu::analytics::compliance::class_theory_shares;
    let doc = json!({
        "units": [{"unit_id": "U1", "name": "某局"}],
        "courses": [
            {"course_id": "K1", "title": "党性教育", "hours": 30, "dimensions": "党性修养"},
            {"course_id": "K2", "title": "业务课", "hours": 20, "dimensions": "履职能力与专业知识:1;理想信念:1"},
            {"course_id": "K3", "title": "理论课", "hours": 40, "dimensions": "理论武装"}
        ],
        "classes": [
            {"class_id": "B1", "name": "主体班一", "type": "脱产", "start_date": "2025-03-01", "end_date": "2025-04-01"},
            {"class_id": "B2", "name": "主体班二", "type": "脱产", "start_date": "2025-05-01", "end_date": "2025-06-01"},
            {"class_id": "B3", "name": "集中班", "type": "集中", "start_date": "2025-05-01", "end_date": "2025-05-10"}
        ],
        "cadres": [{"cadre_id": "C1", "name": "甲", "unit_id": "U1", "rank": "县处级"}],
        "records": [
            {"cadre_id": "C1", "course_id": "K1", "class_id": "B1", "date": "2025-03-02"},
            {"cadre_id": "C1", "course_id": "K2", "class_id": "B1", "date": "2025-03-03"},
            {"cadre_id": "C1", "course_id": "K3", "class_id": "B2", "date": "2025-05-02"},
            {"cadre_id": "C1", "course_id": "K2", "class_id": "B3", "date": "2025-05-03"}
        ]
    });
    let ds = load(&[SourceFile { name: "c.json".into(), bytes: doc.to_string().into_bytes() }], &LoadOptions::default()).dataset;
    let shares = class_theory_shares(&ds, 0.7);
    // B1: 30 + 20 × 0.5 = 40 of 50 = 80%; B2: 100%; B3 is not 脱产.
    assert_eq!(shares.iter().map(|c| (c.class_id.as_str(), c.met)).collect::<Vec<_>>(), [("B1", true), ("B2", true)]);
    assert!((shares[0].share - 0.8).abs() < 1e-6);
    let all: Vec<u32> = vec![0];
    let g = group_compliance(&ds, &default_rules(), &all, 2025);
    assert_eq!((g.classes_checked, g.classes_below_theory_share.len()), (2, 0));
    let strict = class_theory_shares(&ds, 0.9);
    assert_eq!(strict.iter().filter(|c| !c.met).map(|c| c.class_id.as_str()).collect::<Vec<_>>(), ["B1"]);
}
