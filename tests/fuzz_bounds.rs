#![cfg(not(target_arch = "wasm32"))]
//! Fuzzing with a budget: mutated workbooks (xlsx, xls), xAPI statements and
//! absurd parameters never panic, and a load never allocates more than
//! `ALLOC_PER_INPUT_BYTE` × the input plus `ALLOC_BASE` at its peak (the
//! README states this bound). One test function: the allocator's peak is
//! shared by the whole process, so the cases run one after another.
mod common;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use zhichu::analytics::Model;
use zhichu::engine::requests::*;
use zhichu::ingest::{LoadOptions, SourceFile};
use zhichu::Engine;

/// Peak heap of a load, per byte of input …
const ALLOC_PER_INPUT_BYTE: usize = 64;
/// … plus this much.
const ALLOC_BASE: usize = 64 << 20;

struct Peak;
static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = NOW.fetch_add(l.size(), Relaxed) + l.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        NOW.fetch_sub(l.size(), Relaxed);
    }
}

#[global_allocator]
static A: Peak = Peak;

/// Loads `files` and checks the peak allocation against the bound.
fn load_within_budget(files: &[SourceFile], what: &str) -> Engine {
    let input: usize = files.iter().map(|f| f.bytes.len()).sum();
    let before = NOW.load(Relaxed);
    PEAK.store(before, Relaxed);
    let e = Engine::load(files, &LoadOptions::default(), &mut |_| {}).unwrap();
    let _ = serde_json::to_string(e.report()).unwrap();
    let used = PEAK.load(Relaxed) - before;
    assert!(used <= ALLOC_PER_INPUT_BYTE * input + ALLOC_BASE, "{what}: peak {used} bytes for {input} bytes of input");
    e
}

fn mutate(rng: &mut ChaCha8Rng, bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    match rng.gen_range(0..4) {
        // Flip a few bytes anywhere (headers, sizes, compressed data).
        0 => {
            for _ in 0..rng.gen_range(1..8) {
                let i = rng.gen_range(0..b.len());
                b[i] = rng.r#gen();
            }
        }
        // Cut the file short.
        1 => b.truncate(rng.gen_range(0..b.len())),
        // Overwrite a run with 0xFF (huge sizes and counts).
        2 => {
            let i = rng.gen_range(0..b.len());
            let n = rng.gen_range(1..16).min(b.len() - i);
            b[i..i + n].fill(0xFF);
        }
        // Duplicate a slice in the middle.
        _ => {
            let i = rng.gen_range(0..b.len());
            let j = rng.gen_range(i..b.len().min(i + 512));
            let slice = b[i..j].to_vec();
            b.splice(i..i, slice);
        }
    }
    b
}

/// Cases per workbook; `ZHICHU_FUZZ_CASES` (and `ZHICHU_FUZZ_SEED`) run a longer search by hand.
fn cases() -> (usize, u64) {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse().ok());
    (env("ZHICHU_FUZZ_CASES").unwrap_or(150) as usize, env("ZHICHU_FUZZ_SEED").unwrap_or(20261130))
}

fn mutated_workbooks_never_panic_and_stay_within_budget() {
    let (n, seed) = cases();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for name in ["basic.xlsx", "office.xlsx", "office.xls", "huge_range.xlsx"] {
        let bytes = std::fs::read(common::fixture(name)).unwrap();
        for i in 0..n {
            let file = SourceFile { name: name.into(), bytes: mutate(&mut rng, &bytes) };
            load_within_budget(&[file], &format!("{name} mutation {i}"));
        }
    }
}

fn random_xapi_statements_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let pick = |rng: &mut ChaCha8Rng, xs: &[&str]| xs[rng.gen_range(0..xs.len())].to_string();
    for i in 0..300 {
        let n = rng.gen_range(0..6);
        let statements: Vec<serde_json::Value> = (0..n)
            .map(|_| {
                serde_json::json!({
                    "actor": { "account": { "name": pick(&mut rng, &["C1", "C2", "", "C9", "张三"]) }, "mbox": pick(&mut rng, &["mailto:C1@x.cn", "mailto:", "C3", "@"]) },
                    "verb": { "id": pick(&mut rng, &["http://adlnet.gov/expapi/verbs/completed", "passed", "", "failed"]) },
                    "object": { "id": pick(&mut rng, &["K1", "https://x/course/K2", "urn:x:K3", "", "/", "#"]) },
                    "timestamp": pick(&mut rng, &["2024-05-01T10:00:00Z", "9999-12-31", "", "2024-02-30", "-2024-01-01", "2024-06-01 25:61", "２０２４-０５-０１"]),
                    "result": {
                        "duration": pick(&mut rng, &["PT1H", "P", "PT", "P1DT", "PT1.5H", "PT99999999999999999999H", "1H", "P1Y"]),
                        "completion": rng.gen_bool(0.5),
                        "score": { "scaled": rng.gen_range(-2.0..2.0), "raw": pick(&mut rng, &["50", "x", "1e400"]), "min": 0, "max": rng.gen_range(-1..100) }
                    }
                })
            })
            .collect();
        let mut files = common::files("basic_gbk");
        files.push(SourceFile { name: "xapi.json".into(), bytes: serde_json::to_vec(&statements).unwrap() });
        let e = load_within_budget(&files, &format!("xapi case {i}"));
        // Every loaded record has finite, non-negative hours.
        let r = &e.dataset().records;
        assert!(r.hours.iter().all(|h| h.is_finite() && *h >= 0.0), "xapi case {i}");
    }
}

fn absurd_parameters_are_refused_or_give_bounded_numbers() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let wild = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 0.0, 1e-300, 0.5, 1.0, 3.0, 1e300, -0.0, 45.0, 100.0, 1000.0];
    let mut e = Engine::load(&common::files("basic_gbk"), &LoadOptions::default(), &mut |_| {}).unwrap();
    for _ in 0..400 {
        let (h, m) = (wild[rng.gen_range(0..wild.len())], wild[rng.gen_range(0..wild.len())]);
        match e.set_model(Model { half_life_years: h, completion_credit: m }) {
            Err(err) => assert_eq!(err.code, "bad_argument"),
            Ok(()) => {
                let p = e.profile(&ProfileRequest { cadre: "C1".into(), as_of: None }).unwrap();
                assert!(p.dimensions.iter().all(|d| d.reserve.is_finite() && (0.0..=100.0).contains(&d.reserve)), "H={h} m={m}");
            }
        }
        let top = rng.gen_range(0..200usize);
        let window = wild[rng.gen_range(0..wild.len())];
        match e.recommend(&RecommendRequest { cadre: "C1".into(), top, repeat_window_years: window, as_of: None }) {
            Err(err) => assert_eq!(err.code, "bad_argument"),
            Ok(r) => assert!(r.recommendations.len() <= top && r.recommendations.iter().all(|x| x.total_gain.is_finite())),
        }
        let opts = LoadOptions { minutes_per_hour: wild[rng.gen_range(0..wild.len())], default_saturation_hours: wild[rng.gen_range(0..wild.len())] };
        if let Err(err) = Engine::load(&common::files("basic_gbk"), &opts, &mut |_| {}) {
            assert_eq!(err.code, "bad_argument");
        }
        let years = format!("{}-{}", rng.gen_range(-5000..5000), rng.gen_range(-5000..5000));
        if let Err(err) = e.layout(&LayoutRequest { unit: "U1".into(), years: Some(years), coverage_years: wild[rng.gen_range(0..wild.len())], ..Default::default() }) {
            assert_eq!(err.code, "bad_argument");
        }
    }
}

#[test]
fn fuzzing_within_a_budget() {
    mutated_workbooks_never_panic_and_stay_within_budget();
    random_xapi_statements_never_panic();
    absurd_parameters_are_refused_or_give_bounded_numbers();
}
