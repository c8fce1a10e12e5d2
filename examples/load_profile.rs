//! Profiling aid for the path the browser runs: the CSV files of a folder
//! read into memory, loaded on one thread from their bytes (one chunk, as in
//! WebAssembly), then every cadre's reserves. Under callgrind:
//!
//! ```sh
//! cargo build --release --example load_profile --no-default-features
//! valgrind --tool=callgrind --toggle-collect='*load_profile::work*' target/release/examples/load_profile DIR
//! ```
use zhichu::analytics::{Model, Snapshot};
use zhichu::ingest::{self, LoadOptions, SourceFile, Tuning};

#[inline(never)]
fn work(files: &[SourceFile]) -> (usize, f64) {
    let tuning = Tuning { chunk_bytes: usize::MAX, ..Tuning::default() };
    let l = ingest::load_tuned(files, &LoadOptions::default(), &mut |_| {}, tuning);
    let as_of = l.dataset.latest_date().unwrap();
    let snap = Snapshot::compute(&l.dataset, Model::default(), as_of);
    (l.dataset.records.len(), snap.reserve(0, 0))
}

fn main() {
    let dir = std::env::args().nth(1).expect("a folder of CSV files (written with the m demo city if missing)");
    if !std::path::Path::new(&dir).exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let (h, enc) = (zhichu::demo::export::Headers::English, zhichu::demo::export::Encoding::Utf8Bom);
        zhichu::demo::export::write_demo_csv(zhichu::demo::Scale::M, zhichu::demo::generate::DEFAULT_SEED, dir.as_ref(), h, enc).unwrap();
    }
    let mut files: Vec<SourceFile> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| SourceFile { name: p.file_name().unwrap().to_string_lossy().into_owned(), bytes: std::fs::read(&p).unwrap() })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let t = std::time::Instant::now();
    let (n, r) = work(&files);
    println!("{n} records, reserve[0][0] = {r}, {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
}
