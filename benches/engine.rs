//! The engine bench: load the `m` demo city (~600k records) from CSV bytes and
//! compute every cadre's reserves over every dimension; one profile; one
//! recommendation. Prints records/s, resident bytes per record and peak heap.
//!
//! Targets (2-core machine): load + all reserves ≤ 300 ms, ≤ 150 bytes per
//! record, one profile ≤ 1 ms, one recommendation ≤ 5 ms.

use criterion::{criterion_group, criterion_main, Criterion};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use zhichu::analytics::ratings::course_ratings;
use zhichu::analytics::recommend::{recommend_with, RecommendParams};
use zhichu::analytics::{profile, Model, Snapshot};
use zhichu::demo::export::{csv_files, Encoding, Headers};
use zhichu::demo::{generate, Scale};
use zhichu::ingest::{load, LoadOptions, SourceFile};

/// Counts live and peak heap bytes.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static A: Counting = Counting;

fn city_files() -> Vec<SourceFile> {
    let ds = generate(Scale::M);
    csv_files(&ds, Headers::English, Encoding::Utf8Bom).into_iter().map(|(name, bytes)| SourceFile { name, bytes }).collect()
}

fn bench(c: &mut Criterion) {
    let files = city_files();
    let input_bytes: usize = files.iter().map(|f| f.bytes.len()).sum();

    // One measured pass with memory figures.
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let t = Instant::now();
    let loaded = load(&files, &LoadOptions::default());
    let t_load = t.elapsed();
    let ds = loaded.dataset;
    let n = ds.records.len();
    let resident = LIVE.load(Ordering::Relaxed) - base;
    let as_of = ds.latest_date().unwrap();
    let t = Instant::now();
    let snap = Snapshot::compute(&ds, Model::default(), as_of);
    let t_snap = t.elapsed();
    let peak = PEAK.load(Ordering::Relaxed) - base;
    println!("\n== zhichu engine figures (demo m) ==");
    println!("input: {} files, {:.1} MB CSV; {} cadres, {} records, {} dimensions", files.len(), input_bytes as f64 / 1e6, ds.cadres.len(), n, ds.n_dims());
    println!("load (parse + validate + build): {:.1} ms; all reserves: {:.1} ms; end to end {:.1} ms (target ≤ 300 ms)", ms(t_load), ms(t_snap), ms(t_load + t_snap));
    println!("records/s end to end: {:.0}", n as f64 / (t_load + t_snap).as_secs_f64());
    println!(
        "resident after load: {:.1} MB = {:.1} bytes/record (target ≤ 150); peak heap during load + reserves: {:.1} MB (input text included)",
        resident as f64 / 1e6,
        resident as f64 / n as f64,
        peak as f64 / 1e6
    );
    println!("dataset's own accounting: {:.1} bytes/record", ds.heap_bytes() as f64 / n as f64);
    assert!(loaded.report.errors.is_empty());

    let mut g = c.benchmark_group("engine");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("load_m_csv_and_all_reserves", |b| {
        b.iter(|| {
            let l = load(black_box(&files), &LoadOptions::default());
            black_box(Snapshot::compute(&l.dataset, Model::default(), as_of));
        })
    });
    g.finish();

    let cadre = ds.cadres.lookup("C000001").unwrap();
    c.bench_function("one_profile (target ≤ 1 ms)", |b| b.iter(|| black_box(profile(&ds, &snap, black_box(cadre)))));
    let params = RecommendParams::default();
    let ratings = course_ratings(&ds, params.rating_prior_weight);
    c.bench_function("one_recommendation (target ≤ 5 ms)", |b| b.iter(|| black_box(recommend_with(&ds, &snap, black_box(cadre), &params, &ratings))));
    c.bench_function("one_recommendation_with_ratings", |b| {
        b.iter(|| black_box(zhichu::analytics::recommend(&ds, &snap, black_box(cadre), &params)))
    });
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

criterion_group!(benches, bench);
criterion_main!(benches);
