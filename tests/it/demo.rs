#![cfg(not(target_arch = "wasm32"))]
//! The demo city: deterministic, round-trips through every file format, and
//! its planted stories are visible to the analytics.
use zhichu::analytics::recommend::{RecommendParams, recommend_with};
use zhichu::analytics::{Model, Snapshot, profile, ratings::course_ratings};
use zhichu::demo::export::{self, Encoding, Headers};
use zhichu::demo::{Scale, generate, generate::*};
use zhichu::ingest::{self, LoadOptions, SourceFile};

fn as_of(ds: &zhichu::Dataset) -> zhichu::model::Day {
    ds.latest_date().unwrap()
}

#[test]
fn demo_is_deterministic_and_sized() {
    let a = generate(Scale::S);
    let b = generate(Scale::S);
    assert_eq!(a.records.date, b.records.date);
    assert_eq!(a.records.course, b.records.course);
    assert_eq!(a.cadres.len(), 1000);
    assert!((25_000..40_000).contains(&a.records.len()), "{}", a.records.len());
    assert!((90..=110).contains(&a.units.len()));
    assert_eq!(a.courses.len(), 299);
    assert_eq!(a.teachers.len(), 150);
    assert!(a.ratings.len() > 3000);
    assert_eq!(zhichu::model::date::format(as_of(&a)).get(..4), Some("2025"));
    // Every class type appears; units have two tiers.
    for t in ["脱产", "集中", "网络", "混合"] {
        assert!(a.classes.items().iter().any(|c| c.kind.label() == t), "{t}");
    }
    assert!(a.units.items().iter().any(|u| u.parent.is_some()));
}

#[test]
fn demo_round_trips_through_gbk_csv_json_and_xlsx() {
    let ds = generate(Scale::S);
    let snap = Snapshot::compute(&ds, Model::default(), as_of(&ds));
    let variants: Vec<Vec<SourceFile>> = vec![
        export::csv_files(&ds, Headers::Chinese, Encoding::Gbk).into_iter().map(|(name, bytes)| SourceFile { name, bytes }).collect(),
        export::csv_files(&ds, Headers::English, Encoding::Utf8Bom).into_iter().map(|(name, bytes)| SourceFile { name, bytes }).collect(),
        vec![SourceFile { name: "demo.json".into(), bytes: export::json_bytes(&ds, Headers::Chinese) }],
        vec![SourceFile { name: "demo.xlsx".into(), bytes: export::xlsx_bytes(&ds, Headers::English).unwrap() }],
    ];
    for files in variants {
        let l = ingest::load(&files, &LoadOptions::default());
        assert!(l.report.errors.is_empty(), "{:?}", &l.report.errors[..l.report.errors.len().min(3)]);
        assert_eq!(l.dataset.records.len(), ds.records.len());
        let snap2 = Snapshot::compute(&l.dataset, Model::default(), as_of(&l.dataset));
        for id in ["C000001", "C000500", "C001000"] {
            let a = profile(&ds, &snap, ds.cadres.lookup(id).unwrap());
            let b = profile(&l.dataset, &snap2, l.dataset.cadres.lookup(id).unwrap());
            assert_eq!(a, b, "{id} via {}", files[0].name);
        }
    }
}

fn mean_reserve(snap: &Snapshot, cadres: impl Iterator<Item = u32>, dim: usize) -> f64 {
    let v: Vec<f64> = cadres.map(|c| snap.reserve(c, dim)).collect();
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn planted_stories_show() {
    let ds = generate(Scale::S);
    let snap = Snapshot::compute(&ds, Model::default(), as_of(&ds));
    let all = || 0..ds.cadres.len() as u32;
    // The weak unit is far below the city in 纪律与廉政 (dimension 7), not elsewhere.
    let weak = ds.units.lookup(WEAK_DISCIPLINE_UNIT).unwrap();
    let in_unit = || all().filter(|&c| ds.cadres.get(c).unit == weak);
    assert!(in_unit().count() >= 5);
    assert!(mean_reserve(&snap, in_unit(), 7) < 0.5 * mean_reserve(&snap, all(), 7));
    assert!(mean_reserve(&snap, in_unit(), 3) > 0.7 * mean_reserve(&snap, all(), 3));
    // C000001 is weak in 理想信念 and 道德品行: bottom decile of its rank.
    let p = profile(&ds, &snap, ds.cadres.lookup(WEAK_IDEALS_CADRE).unwrap());
    assert!(p.dimensions[0].percentile < 10.0 && p.dimensions[2].percentile < 25.0, "{} {}", p.dimensions[0].percentile, p.dimensions[2].percentile);
    assert!(p.dimensions[0].reserve < p.dimensions[2].reserve);
    assert!(p.dimensions[0].gap.unwrap() > 30.0);
    // The 培训专业户 has several times the median number of class records.
    let class_records = |c: u32| ds.records.cadre_range(c).filter(|&i| ds.records.class[i] != zhichu::model::NO_CLASS).count();
    let mut counts: Vec<usize> = all().map(class_records).collect();
    counts.sort();
    assert!(class_records(ds.cadres.lookup(FREQUENT_TRAINEE_CADRE).unwrap()) >= 3 * counts[counts.len() / 2].max(1));
    // The repeater took one course twice.
    let rep = ds.cadres.lookup(REPEATER_CADRE).unwrap();
    let mut courses: Vec<u32> = ds.records.cadre_range(rep).map(|i| ds.records.course[i]).collect();
    courses.sort();
    assert!(courses.windows(2).any(|w| w[0] == w[1]));
    // The short cadre earned under 50 online 学时 in 2025.
    let short = ds.cadres.lookup(SHORT_HOURS_CADRE).unwrap();
    let online_2025: f32 = ds
        .records
        .cadre_range(short)
        .filter(|&i| {
            zhichu::model::date::year(ds.records.date[i]) == 2025
                && ds.courses.get(ds.records.course[i]).mode != zhichu::model::Mode::Offline
                && ds.records.class[i] == zhichu::model::NO_CLASS
        })
        .map(|i| ds.records.hours[i])
        .sum();
    assert!(online_2025 < 50.0, "{online_2025}");
}

#[test]
fn recommendations_never_repeat_recent_courses_and_address_the_weak_dimension() {
    let ds = generate(Scale::S);
    let snap = Snapshot::compute(&ds, Model::default(), as_of(&ds));
    let params = RecommendParams::default();
    let ratings = course_ratings(&ds, params.rating_prior_weight);
    let window = (3.0 * 365.25f64).round() as i32;
    for c in 0..ds.cadres.len() as u32 {
        let r = recommend_with(&ds, &snap, c, &params, &ratings);
        assert!(!r.recommendations.is_empty());
        for x in &r.recommendations {
            let k = ds.courses.lookup(&x.course_id).unwrap();
            let recent = ds.records.cadre_range(c).any(|i| ds.records.course[i] == k && ds.records.completed[i] && snap.as_of - ds.records.date[i] < window);
            assert!(!recent, "{} recommended {} taken within 3 years", ds.cadres.id(c), x.course_id);
            let sum: f64 = x.gains.iter().map(|g| g.gain).sum();
            assert!((sum - x.total_gain).abs() < 1e-9);
        }
        assert!(r.recommendations.windows(2).all(|w| w[0].utility >= w[1].utility));
    }
    let weak = recommend_with(&ds, &snap, ds.cadres.lookup(WEAK_IDEALS_CADRE).unwrap(), &params, &ratings);
    assert_eq!(weak.basis, "gap");
    let first = &weak.recommendations[0];
    assert_eq!(first.gains[0].dimension, "理想信念");
    assert!(first.reason.starts_with("补「理想信念」短板，预计 +"), "{}", first.reason);
    // Deterministic.
    assert_eq!(weak, recommend_with(&ds, &snap, ds.cadres.lookup(WEAK_IDEALS_CADRE).unwrap(), &params, &ratings));
}
