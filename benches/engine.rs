//! The engine bench: load the `m` demo city (~600k records) from CSV bytes and
//! compute every cadre's reserves over every dimension; one profile; one
//! recommendation. Prints records/s, resident bytes per record and peak heap.
//!
//! Targets (2-core machine): load + all reserves ≤ 300 ms, ≤ 150 bytes per
//! record, one profile ≤ 1 ms, one recommendation ≤ 5 ms.
//!
//! Then the scale table (issue 9): the demo city at `m` and `l` (and `xl`
//! with `ZHICHU_BENCH_SCALES=m,l,xl`, as `./dev bench xl` runs it) written as
//! CSV files under `target/bench-data/`, loaded from disk as the CLI loads
//! them (whole up to a block, else block by block) and every reserve computed, with 1 thread and with
//! all; each case in a child process of its own, so that its peak RSS
//! (VmHWM) is its own; `s` and `m` run 7 times, `l` 3 times, and the run
//! with the median total is printed (all its columns) with the range of
//! totals. Targets on the 2-core machine: `m` ≤ 150 ms, `xl` ≤ 30 s and ≤ 6 GB.
//! `ZHICHU_BENCH_ONLY_SCALES=1` skips the criterion part.

use criterion::{Criterion, criterion_group};
use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use zhichu::analytics::ratings::course_ratings;
use zhichu::analytics::recommend::{RecommendParams, recommend_with};
use zhichu::analytics::{Model, Snapshot, profile};
use zhichu::demo::export::{Encoding, Headers, csv_files};
use zhichu::demo::{Scale, generate};
use zhichu::ingest::{LoadOptions, SourceFile, load};

/// The CLI's allocator (mimalloc), counting live and peak heap bytes (two
/// relaxed atomic operations per allocation, in the scale table's children too).
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn count(grow: usize, shrink: usize) {
    let now = LIVE.fetch_add(grow, Ordering::Relaxed) + grow;
    LIVE.fetch_sub(shrink, Ordering::Relaxed);
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.alloc(l) };
        if !p.is_null() {
            count(l.size(), 0);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.alloc_zeroed(l) };
        if !p.is_null() {
            count(l.size(), 0);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(p, l) };
        count(0, l.size());
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
        let q = unsafe { mimalloc::MiMalloc.realloc(p, l, size) };
        if !q.is_null() {
            count(size, l.size());
        }
        q
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
    println!(
        "load (parse + validate + build): {:.1} ms; all reserves: {:.1} ms; end to end {:.1} ms (target ≤ 300 ms)",
        ms(t_load),
        ms(t_snap),
        ms(t_load + t_snap)
    );
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
    c.bench_function("one_recommendation_with_ratings", |b| b.iter(|| black_box(zhichu::analytics::recommend(&ds, &snap, black_box(cadre), &params))));
    personal_packages(c, ds);
}

/// 个人档案包 of the m city, per package: cut, and each step of sealing
/// (what 20,000 packages on 2 cores must fit in 60 s); and opening one.
fn personal_packages(c: &mut Criterion, ds: zhichu::model::Dataset) {
    use zhichu::package::{self, City, seal};
    let mut e = zhichu::Engine::new(ds);
    let city = City::new(&mut e, &LoadOptions::default(), None).unwrap();
    let secret = sm2::SecretKey::from_slice(&[7; 32]).unwrap();
    let signer = sm2::dsa::SigningKey::new(seal::DIST_ID, &secret).unwrap();
    let random = seal::Randomness { salt: [1; 16], nonce: [2; 12] };
    let content = city.content(&e, "C000001", "某市委组织部", "2026-12-06").unwrap();
    let code = "K7QH-2M9X-PD4R";
    let bytes = package::make(&content, &signer, Some(code), random).unwrap();
    println!(
        "\n== 个人档案包 (demo m) ==\none package: {} bytes (target ≤ 32 KB); content JSON {} bytes",
        bytes.len(),
        serde_json::to_string(&content).unwrap().len()
    );
    let mut g = c.benchmark_group("personal_package");
    g.sample_size(20);
    g.bench_function("cut_one_cadre", |b| b.iter(|| black_box(city.content(&e, black_box("C000001"), "某市委组织部", "2026-12-06").unwrap())));
    g.bench_function("derive_key_pbkdf2_sm3_2000", |b| b.iter(|| black_box(seal::derive_key(b"K7QH2M9XPD4R", &[1; 16], seal::CODE_ITERATIONS))));
    g.bench_function("make_sealed_signed (cut excluded)", |b| b.iter(|| black_box(package::make(&content, &signer, Some(code), random).unwrap())));
    g.bench_function("open_and_engine", |b| b.iter(|| black_box(package::open(&bytes, Some(code)).unwrap().engine().unwrap())));
    g.finish();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One case of the scale table, run in this process: the folder of CSV files.
fn scale_child(dir: &str) {
    let dir = std::path::PathBuf::from(dir);
    let mut files: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    files.sort();
    // The parent set RAYON_NUM_THREADS: rayon's pool has that many threads.
    let (t_load, t_snap, n, errors) = {
        let t = Instant::now();
        let l = zhichu::ingest::load_paths(&files, &LoadOptions::default(), &mut |_| {}, zhichu::ingest::Tuning::default());
        let t_load = t.elapsed();
        let as_of = l.dataset.latest_date().unwrap();
        let t = Instant::now();
        let snap = Snapshot::compute(&l.dataset, Model::default(), as_of);
        let t_snap = t.elapsed();
        black_box(snap);
        (t_load, t_snap, l.dataset.records.len(), l.report.errors.len())
    };
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm_kb: u64 = status.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0);
    println!("RESULT {n} {:.3} {:.3} {hwm_kb} {errors}", ms(t_load), ms(t_snap));
}

/// The scale table: each scale's files written once (kept under
/// `target/bench-data/`), then load + all reserves per thread count, each in a child.
fn scale_table() {
    let scales: Vec<String> = std::env::var("ZHICHU_BENCH_SCALES").unwrap_or_else(|_| "m,l".into()).split(',').map(str::to_string).collect();
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    println!("\n== scale: load from CSV files on disk (as the CLI reads them) + all reserves; each case in its own process ==");
    println!(
        "{:<5} {:>7} {:>11} {:>9} {:>11} {:>12} {:>13} {:>9} {:>11}",
        "scale", "threads", "records", "CSV MB", "load ms", "reserves ms", "records/s", "ns/rec", "peak RSS MB"
    );
    for name in &scales {
        let scale = Scale::parse(name).expect("scale s, m, l or xl");
        let dir = root.join(name);
        let done = dir.join(".complete");
        if !done.exists() {
            std::fs::create_dir_all(&dir).unwrap();
            let t = Instant::now();
            let w = zhichu::demo::export::write_demo_csv(scale, zhichu::demo::generate::DEFAULT_SEED, &dir, Headers::English, Encoding::Utf8Bom).unwrap();
            std::fs::write(&done, format!("{} records\n", w.records)).unwrap();
            println!("(wrote the {name} city as CSV in {:.1} s: {} records)", t.elapsed().as_secs_f64(), w.records);
        }
        let bytes: u64 = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
        let mut threads = vec![1];
        if all > 1 {
            threads.push(all);
        }
        // Runs per case: wall times on a shared virtual machine vary by tens of
        // percent from run to run, so the median is printed, with the range.
        let runs = match scale {
            Scale::S | Scale::M => 7,
            Scale::L => 3,
            _ => 1,
        };
        for t in threads {
            let mut results: Vec<(f64, f64, f64, f64)> = Vec::new();
            for _ in 0..runs {
                let out = std::process::Command::new(std::env::current_exe().unwrap())
                    .env("ZHICHU_SCALE_CHILD", &dir)
                    .env("RAYON_NUM_THREADS", t.to_string())
                    .output()
                    .expect("run the bench as a child");
                let text = String::from_utf8_lossy(&out.stdout);
                let Some(line) = text.lines().find(|l| l.starts_with("RESULT ")) else {
                    println!("{name} {t}: child failed: {}", String::from_utf8_lossy(&out.stderr));
                    break;
                };
                // RESULT records load_ms reserves_ms peak_kb errors
                let f: Vec<&str> = line.split_whitespace().skip(1).collect();
                if f[4] != "0" {
                    println!("{name} {t}: {} errors in the load!", f[4]);
                }
                results.push((f[0].parse().unwrap(), f[1].parse().unwrap(), f[2].parse().unwrap(), f[3].parse().unwrap()));
            }
            if results.is_empty() {
                continue;
            }
            // The run with the median total, and the range of totals.
            results.sort_by(|a, b| (a.1 + a.2).total_cmp(&(b.1 + b.2)));
            let (n, load, snap, hwm) = results[results.len() / 2];
            let total = load + snap;
            let range = if results.len() > 1 {
                format!(
                    "  (total {:.0}–{:.0} ms over {} runs)",
                    results[0].1 + results[0].2,
                    results[results.len() - 1].1 + results[results.len() - 1].2,
                    results.len()
                )
            } else {
                String::new()
            };
            println!(
                "{:<5} {:>7} {:>11} {:>9.0} {:>11.0} {:>12.0} {:>13.0} {:>9.0} {:>11.0}{range}",
                name,
                t,
                n as u64,
                bytes as f64 / 1e6,
                load,
                snap,
                n / (total / 1e3),
                total * 1e6 / n,
                hwm / 1024.0,
            );
        }
    }
    println!("(ns/rec = (load + reserves) per record: constant across scales when time grows linearly with records)");
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(spec) = std::env::var("ZHICHU_SCALE_CHILD") {
        scale_child(&spec);
        return;
    }
    if std::env::var_os("ZHICHU_BENCH_ONLY_SCALES").is_none() {
        benches();
    }
    scale_table();
    Criterion::default().configure_from_args().final_summary();
}
