#![cfg(not(target_arch = "wasm32"))]
//! The class planner against a hand-worked case and brute force, and named assignment.
use crate::common;
use common::day;
use proptest::prelude::*;
use serde_json::json;
use zhichu::Dataset;
use zhichu::analytics::Model;
use zhichu::ingest::{LoadOptions, SourceFile, load};
use zhichu::planning::assign::{AssignParams, assign, table};
use zhichu::planning::plan::{PlanParams, cohort_gain, plan};
use zhichu::planning::{CohortFilter, select_cohort};

/// Three cadres with no training; requirements 60 in A and B (S = 10), 30 in C.
fn school(courses: serde_json::Value) -> Dataset {
    let doc = json!({
        "units": [{"unit_id": "U1", "name": "党校"}, {"unit_id": "U2", "name": "某局"}],
        "dimensions": [{"dimension": "A", "saturation_hours": 10}, {"dimension": "B", "saturation_hours": 10}, {"dimension": "C", "saturation_hours": 10}],
        "teachers": [
            {"teacher_id": "T1", "name": "甲", "specialty": "A"},
            {"teacher_id": "T2", "name": "乙", "specialty": "A"},
            {"teacher_id": "T3", "name": "丙", "specialty": "B;C"}
        ],
        "courses": courses,
        "classes": [{"class_id": "X1", "name": "专题班", "type": "集中", "capacity": 2}],
        "cadres": [
            {"cadre_id": "C1", "name": "一", "unit_id": "U1", "rank": "乡科级"},
            {"cadre_id": "C2", "name": "二", "unit_id": "U1", "rank": "乡科级"},
            {"cadre_id": "C3", "name": "三", "unit_id": "U2", "rank": "乡科级"}
        ],
        "records": [{"cadre_id": "C3", "course_id": "KA1", "date": "2025-01-01", "hours": 1, "class_id": "X1"}],
        "ratings": [{"cadre_id": "C1", "course_id": "KA1", "teacher_id": "T2", "score": 5}, {"cadre_id": "C2", "course_id": "KA2", "teacher_id": "T1", "score": 2}],
        "requirements": [{"rank": "乡科级", "dimension": "A", "target": 60}, {"rank": "乡科级", "dimension": "B", "target": 60}, {"rank": "乡科级", "dimension": "C", "target": 30}]
    });
    let l = load(&[SourceFile { name: "s.json".into(), bytes: doc.to_string().into_bytes() }], &LoadOptions::default());
    assert!(l.report.errors.is_empty(), "{:?}", l.report.errors);
    l.dataset
}

fn catalogue() -> serde_json::Value {
    json!([
        {"course_id": "KA1", "title": "甲专题", "hours": 10, "dimensions": "A:1"},
        {"course_id": "KA2", "title": "甲专题（网络）", "hours": 10, "dimensions": "A:1"},
        {"course_id": "KA3", "title": "甲深化研讨", "hours": 10, "dimensions": "A:1"},
        {"course_id": "KB1", "title": "乙专题", "hours": 10, "dimensions": "B:1"},
        {"course_id": "KC1", "title": "丙专题", "hours": 20, "dimensions": "C:1"}
    ])
}

#[test]
fn hand_worked_plan() {
    let ds = school(catalogue());
    let m = Model::default();
    let cohort = select_cohort(&ds, &[CohortFilter::Unit(vec!["U1".into()])]).unwrap();
    assert_eq!(cohort.len(), 2);
    // 20 学时: one A course (8 evidence → R 55.1) and the B course (55.1) close most;
    // a second A course adds only 80.2 − 55.1 (capped at 60 − 55.1 = 4.9); C (cap 30) gains 30 but costs 20.
    let p = plan(&ds, &m, day("2025-12-31"), cohort.clone(), &PlanParams { budget_hours: 20.0, ..Default::default() }).unwrap();
    let ids: Vec<&str> = p.courses.iter().map(|c| c.course_id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"KB1") && (ids.contains(&"KA1") || ids.contains(&"KA3")), "{ids:?}");
    let r = 100.0 * (1.0 - (-0.8f64).exp());
    assert!((p.mean_gain - 2.0 * r).abs() < 1e-9, "{}", p.mean_gain);
    assert!((p.after[0] - r).abs() < 1e-9 && (p.before[0]).abs() < 1e-12);
    // Teacher for the A course: T2 (rated 5) over T1 (rated 2); T3 for B.
    let a = p.courses.iter().find(|c| c.main_dimension == "A").unwrap();
    assert_eq!(a.teacher_id.as_deref(), Some("T2"));
    assert_eq!(p.courses.iter().find(|c| c.main_dimension == "B").unwrap().teacher_id.as_deref(), Some("T3"));
    // Never the near-duplicate pair KA1 + KA2 together, even with room.
    let big = plan(&ds, &m, day("2025-12-31"), cohort.clone(), &PlanParams { budget_hours: 60.0, ..Default::default() }).unwrap();
    let ids: Vec<&str> = big.courses.iter().map(|c| c.course_id.as_str()).collect();
    assert!(!(ids.contains(&"KA1") && ids.contains(&"KA2")), "{ids:?}");
    // Pinned and removed courses; 70% theory share on A only: at most 6 学时 outside A of 20.
    let pinned =
        plan(&ds, &m, day("2025-12-31"), cohort.clone(), &PlanParams { budget_hours: 20.0, required: vec!["KC1".into()], ..Default::default() }).unwrap();
    assert_eq!(pinned.courses.iter().map(|c| c.course_id.as_str()).collect::<Vec<_>>(), ["KC1"]);
    assert!(pinned.courses[0].pinned);
    let theory =
        PlanParams { budget_hours: 20.0, theory_share: Some(0.7), theory_dimensions: vec!["A".into()], removed: vec!["KA1".into()], ..Default::default() };
    let t = plan(&ds, &m, day("2025-12-31"), cohort.clone(), &theory).unwrap();
    assert!(t.courses.iter().all(|c| c.main_dimension == "A" && c.course_id != "KA1"), "{:?}", t.courses);
    assert!(t.theory_share >= 0.7);
    // Errors.
    assert_eq!(plan(&ds, &m, day("2025-12-31"), vec![], &PlanParams::default()).unwrap_err().code, "empty_cohort");
    let over = PlanParams { budget_hours: 10.0, required: vec!["KC1".into()], ..Default::default() };
    assert_eq!(plan(&ds, &m, day("2025-12-31"), cohort, &over).unwrap_err().code, "infeasible");
    assert!(select_cohort(&ds, &[CohortFilter::Ids(vec!["C9".into()])]).unwrap_err().contains("C9"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]
    #[test]
    fn planner_is_close_to_brute_force(hours in prop::collection::vec(1u32..16, 6), dims in prop::collection::vec(0usize..3, 6), budget in 8u32..40) {
        let names = ["A", "B", "C"];
        let ids = ["KA1", "KA2", "KA3", "KB1", "KC1", "KD1"];
        let courses: Vec<serde_json::Value> = (0..6).map(|i| json!({"course_id": ids[i], "title": format!("课程{i}号"), "hours": hours[i], "dimensions": format!("{}:1", names[dims[i]])})).collect();
        let ds = school(json!(courses));
        let m = Model::default();
        let cohort: Vec<u32> = (0..3).collect();
        let p = plan(&ds, &m, day("2025-12-31"), cohort.clone(), &PlanParams { budget_hours: budget as f64, common_share: 1.0, ..Default::default() }).unwrap();
        prop_assert!(p.hours_used <= budget as f64);
        // Brute force over every subset within the budget.
        let mut best = 0.0f64;
        for mask in 0u32..64 {
            let set: Vec<u32> = (0..6).filter(|i| mask & (1 << i) != 0).collect();
            let h: u32 = set.iter().map(|&i| hours[i as usize]).sum();
            if h <= budget {
                best = best.max(cohort_gain(&ds, &m, day("2025-12-31"), cohort.clone(), &set));
            }
        }
        let got = p.mean_gain * 3.0;
        prop_assert!(got <= best + 1e-6);
        prop_assert!(got >= 0.9 * best - 1e-6, "planner {got} vs optimum {best}");
    }
}

#[test]
fn assignment_ranks_excludes_and_applies_quotas() {
    let ds = school(catalogue());
    let m = Model::default();
    let p = AssignParams { courses: None, quota_per_unit: None, window_years: 3.0, capacity: None };
    let a = assign(&ds, &m, day("2025-12-31"), "X1", &p).unwrap();
    // X1's course is KA1 (from its record); C3 sat the class, so C1 and C2 (capacity 2).
    assert_eq!(a.courses, vec!["KA1"]);
    assert_eq!(a.excluded_recent, 1);
    assert_eq!(a.picks.iter().map(|x| x.cadre.cadre_id.as_str()).collect::<Vec<_>>(), ["C1", "C2"]);
    assert!(a.picks[0].reason.starts_with("「A」缺口 60.0"), "{}", a.picks[0].reason);
    // Quota 1 per unit: C1 only (C2 is in the same unit).
    let q = assign(&ds, &m, day("2025-12-31"), "X1", &AssignParams { quota_per_unit: Some(1), ..p }).unwrap();
    assert_eq!(q.picks.len(), 1);
    assert_eq!(q.held_by_quota, 1);
    // Export: a real xlsx (zip) and escaped CSV cells.
    let (header, mut rows) = table(&q);
    rows[0][2] = "=cmd|' /C calc'!A0".into();
    let csv = String::from_utf8(zhichu::export::csv_table(&header, &rows)).unwrap();
    assert!(csv.contains("'=cmd"));
    let x = zhichu::export::xlsx_table("调训名单", &header, &rows).unwrap();
    assert_eq!(&x[..2], b"PK");
    assert_eq!(
        assign(&ds, &m, day("2025-12-31"), "X9", &AssignParams { courses: None, quota_per_unit: None, window_years: 3.0, capacity: None }).unwrap_err().code,
        "not_found"
    );
}

#[test]
fn greedy_path_on_a_larger_catalogue_is_close_to_brute_force() {
    // 18 useful courses (above the exact-search limit of 16), mixed hours and weights.
    let names = ["A", "B", "C"];
    let mut courses = vec![
        json!({"course_id": "KA1", "title": "甲专题", "hours": 10, "dimensions": "A:1"}),
        json!({"course_id": "KA2", "title": "乙专题", "hours": 12, "dimensions": "B:1"}),
    ];
    for i in 0..16 {
        let (d1, d2) = (names[i % 3], names[(i / 3) % 3]);
        courses.push(
            json!({"course_id": format!("K{i:02}"), "title": format!("第{i}讲综合课"), "hours": 2 + (i * 7) % 13, "dimensions": format!("{d1}:0.7;{d2}:0.3")}),
        );
    }
    let ds = school(json!(courses));
    let m = Model::default();
    let cohort: Vec<u32> = (0..3).collect();
    let budget = 30.0;
    let p = plan(&ds, &m, day("2025-12-31"), cohort.clone(), &PlanParams { budget_hours: budget, common_share: 1.0, ..Default::default() }).unwrap();
    let hours: Vec<f64> = (0..ds.courses.len() as u32).map(|k| ds.courses.get(k).hours).collect();
    let mut best = 0.0f64;
    let n = ds.courses.len();
    let state_gain = |set: &[u32]| cohort_gain(&ds, &m, day("2025-12-31"), cohort.clone(), set);
    for mask in 0u32..(1 << n) {
        let h: f64 = (0..n).filter(|i| mask & (1 << i) != 0).map(|i| hours[i]).sum();
        if h <= budget {
            let set: Vec<u32> = (0..n as u32).filter(|i| mask & (1 << i) != 0).collect();
            best = best.max(state_gain(&set));
        }
    }
    let got = p.mean_gain * 3.0;
    assert!(got <= best + 1e-6 && got >= 0.9 * best, "planner {got} vs optimum {best}");
}
