#![cfg(not(target_arch = "wasm32"))]
//! The knowledge-reserve model on hand-computed cases and its properties.
use crate::common;
use common::*;
use proptest::prelude::*;
use zhichu::analytics::{Model, Snapshot, profile};
use zhichu::model::{Cadre, Course, Dataset, Day, Dimension, Mode, Record, Unit};

fn decay(days: f64) -> f64 {
    (-(days / 365.25) / 3.0).exp2()
}
fn reserve(e: f64, s: f64) -> f64 {
    100.0 * (1.0 - (-e / s).exp())
}

#[test]
fn worked_check_on_the_fixture() {
    let l = load(&["basic_gbk"]);
    let ds = &l.dataset;
    let snap = Snapshot::compute(ds, Model::default(), day("2025-07-02"));
    let p = profile(ds, &snap, ds.cadres.lookup("C1").unwrap());
    let d = &p.dimensions[0];
    assert_eq!(d.dimension, "理想信念");
    // 10 学时 × 1.0 × 0.90 × 2^(−548/365.25/3): E = 6.364, R = 27.25.
    assert!((d.evidence - 6.364).abs() < 0.001, "{}", d.evidence);
    assert!((d.reserve - 27.25).abs() < 0.01, "{}", d.reserve);
    assert_eq!(d.contributions.len(), 1);
    assert_eq!((d.contributions[0].course_id.as_str(), d.contributions[0].date.as_str()), ("K1", "2024-01-01"));
    // Target 60 for 乡科级 → gap 32.75; of two 乡科级 cadres C1 is lower: mid-rank 25.
    assert_eq!(d.target, Some(60.0));
    assert!((d.gap.unwrap() - (60.0 - d.reserve)).abs() < 1e-9);
    assert_eq!(d.percentile, 25.0);
    // 纪律与廉政 (S = 10): K3, 8 学时, completed without score → m = 0.8, 396 days old.
    let k = &p.dimensions[2];
    let e = 8.0 * 0.8 * decay(396.0);
    assert!((k.evidence - e).abs() < 1e-9);
    assert!((k.reserve - reserve(e, 10.0)).abs() < 1e-9);
    // K4 was not completed: credit 0, nothing in 履职能力与专业知识.
    assert_eq!(p.dimensions[3].reserve, 0.0);
    assert_eq!(p.dimensions[3].target, None);
    // Trend: year-ends 2024 then the as-of date.
    let dates: Vec<&str> = p.trend.iter().map(|t| t.date.as_str()).collect();
    assert_eq!(dates, ["2024-12-31", "2025-07-02"]);
    assert!((p.trend[1].reserves["理想信念"] - d.reserve).abs() < 1e-9);
    assert!(p.trend[0].reserves["理想信念"] > d.reserve);
}

#[test]
fn hand_computed_two_records_and_most_specific_target() {
    let l = load(&["basic_gbk"]);
    let ds = &l.dataset;
    let snap = Snapshot::compute(ds, Model::default(), day("2025-07-02"));
    let p = profile(ds, &snap, ds.cadres.lookup("C2").unwrap());
    // K2 (2023-05-10, 10 h, 0.6 in 理想信念, score 80) + K1 (2024-03-05, 10 h, score 85).
    let e = 10.0 * 0.6 * 0.80 * decay(784.0) + 10.0 * 1.0 * 0.85 * decay(484.0);
    let d = &p.dimensions[0];
    // Weights are stored as f32 (0.6 → 0.60000002).
    assert!((d.evidence - e).abs() < 1e-6, "{} vs {e}", d.evidence);
    assert!((d.reserve - reserve(e, 20.0)).abs() < 1e-5);
    let sum: f64 = d.contributions.iter().map(|c| c.contribution).sum();
    assert!((sum - d.evidence).abs() < 1e-12);
    assert!(d.contributions[0].contribution >= d.contributions[1].contribution);
    assert_eq!(d.percentile, 75.0);
    // 纪检监察 (post, 85) beats 乡科级 (rank, 50) for 纪律与廉政.
    assert_eq!(p.dimensions[2].target, Some(85.0));
    assert_eq!(p.dimensions[2].gap, Some(85.0));
    // Half-life 0 = no decay; completion credit is a parameter.
    let flat = Snapshot::compute(ds, Model { half_life_years: 0.0, completion_credit: 0.5 }, day("2025-07-02"));
    let p0 = profile(ds, &flat, ds.cadres.lookup("C1").unwrap());
    assert!((p0.dimensions[0].evidence - 9.0).abs() < 1e-9);
    assert!((p0.dimensions[2].evidence - 4.0).abs() < 1e-9);
}

/// A one-cadre dataset over three dimensions from generated records.
fn dataset(courses: &[[f32; 3]], records: &[(usize, i32, f32, Option<f32>, bool)]) -> Dataset {
    let mut ds = Dataset::default();
    for (i, s) in [10.0, 20.0, 35.0].iter().enumerate() {
        ds.dimensions.insert(&format!("D{i}"), Dimension { name: format!("D{i}"), saturation_hours: *s }).unwrap();
    }
    ds.units.insert("U", Unit { name: "U".into(), parent: None }).unwrap();
    ds.cadres.insert("C", Cadre { name: "C".into(), unit: 0, rank: "r".into(), post: "p".into(), party_role: String::new() }).unwrap();
    for (i, w) in courses.iter().enumerate() {
        ds.courses.insert(&format!("K{i}"), Course { title: String::new(), hours: 1.0, mode: Mode::Offline, teacher: None }).unwrap();
        let sum: f32 = w.iter().sum();
        ds.course_weights.extend(w.iter().map(|x| x / sum));
    }
    for &(c, day, hours, score, completed) in records {
        ds.records.push(Record { cadre: 0, course: (c % courses.len()) as u32, class: None, date: day, hours, score, completed });
    }
    ds.records.finalize(1);
    ds
}

const BASE: Day = 738_000;

fn weights() -> impl Strategy<Value = Vec<[f32; 3]>> {
    prop::collection::vec([0.01f32..1.0, 0.0f32..1.0, 0.0f32..1.0], 1..5)
}
fn records() -> impl Strategy<Value = Vec<(usize, i32, f32, Option<f32>, bool)>> {
    prop::collection::vec((0usize..5, 0i32..3000, 0.0f32..80.0, prop::option::of(0.0f32..=100.0), any::<bool>()), 0..30)
}

proptest! {
    #[test]
    fn reserves_are_within_0_and_100(w in weights(), r in records(), h in 0.0f64..10.0) {
        let rs: Vec<_> = r.iter().map(|x| (x.0, BASE + x.1, x.2, x.3, x.4)).collect();
        let ds = dataset(&w, &rs);
        for v in (Model { half_life_years: h, completion_credit: 0.8 }).reserves(&ds, 0, BASE + 3000) {
            prop_assert!((0.0..=100.0).contains(&v));
        }
    }

    #[test]
    fn adding_a_record_never_lowers_a_reserve(w in weights(), r in records(), extra in (0usize..5, 0i32..3000, 0.0f32..80.0, prop::option::of(0.0f32..=100.0), any::<bool>())) {
        let rs: Vec<_> = r.iter().map(|x| (x.0, BASE + x.1, x.2, x.3, x.4)).collect();
        let mut more = rs.clone();
        more.push((extra.0, BASE + extra.1, extra.2, extra.3, extra.4));
        let m = Model::default();
        let before = m.reserves(&dataset(&w, &rs), 0, BASE + 3000);
        let after = m.reserves(&dataset(&w, &more), 0, BASE + 3000);
        for (a, b) in before.iter().zip(&after) {
            prop_assert!(b >= a, "{b} < {a}");
        }
    }

    #[test]
    fn with_no_new_records_reserves_only_fall(w in weights(), r in records(), later in 0i32..5000) {
        let rs: Vec<_> = r.iter().map(|x| (x.0, BASE + x.1, x.2, x.3, x.4)).collect();
        let ds = dataset(&w, &rs);
        let m = Model::default();
        let now = m.reserves(&ds, 0, BASE + 3000);
        let then = m.reserves(&ds, 0, BASE + 3000 + later);
        for (a, b) in now.iter().zip(&then) {
            prop_assert!(b <= a, "{b} > {a}");
        }
    }

    #[test]
    fn contributions_sum_to_evidence(w in weights(), r in records(), as_of in 0i32..3500) {
        let rs: Vec<_> = r.iter().map(|x| (x.0, BASE + x.1, x.2, x.3, x.4)).collect();
        let ds = dataset(&w, &rs);
        let snap = Snapshot::compute(&ds, Model::default(), BASE + as_of);
        let p = profile(&ds, &snap, 0);
        for d in &p.dimensions {
            let sum: f64 = d.contributions.iter().map(|c| c.contribution).sum();
            prop_assert!((sum - d.evidence).abs() <= 1e-9 * (1.0 + d.evidence));
            prop_assert!(d.contributions.iter().all(|c| c.date.as_str() <= p.as_of.as_str()));
        }
    }
}
