#![cfg(all(not(target_arch = "wasm32"), feature = "parallel"))]
//! The native load at scale (issue 9): whatever the number of threads, the
//! chunking of a big CSV or reading files from disk block by block, the
//! dataset, the report (row numbers and order) and every reserve are those of
//! the single-threaded path the browser runs. Fingerprints pin the demo
//! output and the loaded result as they were before the parallel path.
use zhichu::Dataset;
use zhichu::analytics::{Model, Snapshot, profile};
use zhichu::demo::export::{self, Encoding, Headers};
use zhichu::demo::{Scale, generate};
use zhichu::ingest::{self, LoadOptions, SourceFile, Tuning};

/// FNV-1a, 64 bits: stable across Rust versions (unlike `DefaultHasher`).
struct Fnv(u64);
impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        for &x in b {
            self.0 ^= x as u64;
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
        self
    }
    fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes()).bytes(&[0xFF])
    }
}

fn files_hash(files: &[(String, Vec<u8>)]) -> u64 {
    let mut h = Fnv::new();
    for (name, bytes) in files {
        h.str(name).bytes(bytes);
    }
    h.0
}

/// Everything a dataset holds, in order (the id maps through their items and ids).
fn dataset_hash(ds: &Dataset) -> u64 {
    let mut h = Fnv::new();
    macro_rules! keyed {
        ($k:expr) => {
            for (i, id, item) in $k.iter() {
                h.str(&format!("{i}|{id}|{item:?}"));
            }
        };
    }
    keyed!(ds.units);
    keyed!(ds.dimensions);
    keyed!(ds.teachers);
    keyed!(ds.courses);
    keyed!(ds.cadres);
    keyed!(ds.classes);
    for w in &ds.course_weights {
        h.bytes(&w.to_bits().to_le_bytes());
    }
    for i in 0..ds.records.len() {
        h.str(&format!("{:?}", ds.records.get(i)));
    }
    for c in 0..ds.cadres.len() as u32 {
        let r = ds.records.cadre_range(c);
        h.bytes(&(r.start as u64).to_le_bytes()).bytes(&(r.end as u64).to_le_bytes());
    }
    for r in &ds.ratings {
        h.str(&format!("{r:?}"));
    }
    for r in &ds.requirements {
        h.str(&format!("{r:?}"));
    }
    h.0
}

fn report_hash(r: &ingest::Report) -> u64 {
    Fnv::new().str(&serde_json::to_string(r).unwrap()).0
}

fn sources(files: Vec<(String, Vec<u8>)>) -> Vec<SourceFile> {
    files.into_iter().map(|(name, bytes)| SourceFile { name, bytes }).collect()
}

/// The `s` city as CSV with problems planted in the big tables: bad values,
/// unknown references, a 合计 row, a footer, blank lines, a quoted cell over
/// two lines, over-long and undecodable cells, a record without hours.
fn broken_city() -> Vec<SourceFile> {
    let ds = generate(Scale::S);
    let mut files = export::csv_files(&ds, Headers::Chinese, Encoding::Utf8Bom);
    for (name, bytes) in files.iter_mut() {
        let text = String::from_utf8(bytes.clone()).unwrap();
        let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
        let n = lines.len();
        match name.as_str() {
            "培训记录.csv" => {
                lines[5] = lines[5].replacen("2021", "2O21", 1);
                lines[900] = lines[900].replacen("C000", "X000", 1);
                lines[1801] = "合计,,,,,,".into();
                lines[2500] = String::new();
                lines[3333] = lines[3333].replacen("K0", "\"K\n0", 1).replacen(",是", "\",是", 1);
                lines[7000] = format!("C000100,K0001,,2024-01-01,,是,{}", "9".repeat(40_000));
                lines[9001] = lines[9001].replacen(",是", ",也许", 1);
                lines[12000] = "C000200,K0002,,2024-02-02,,否,".into();
                lines[20000] = lines[20000].replacen("C000", "C\u{FFFD}00", 1);
                lines[n - 3] = "填报人：张三".into();
            }
            "评分.csv" => {
                lines[10] = lines[10].replacen(",5,", ",7,", 1);
                lines[2000] = lines[2000].replacen("K0", "Q0", 1);
                lines[2001] = String::new();
            }
            _ => {}
        }
        *bytes = lines.join("\r\n").into_bytes();
    }
    sources(files)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap()
}

const WHOLE: Tuning = Tuning { block_bytes: 32 << 20, chunk_bytes: usize::MAX };

fn load_with(files: &[SourceFile], threads: usize, tuning: Tuning) -> ingest::Loaded {
    pool(threads).install(|| ingest::load_tuned(files, &LoadOptions::default(), &mut |_| {}, tuning))
}

/// The files written to a fresh folder, loaded from there block by block.
fn load_from_disk(files: &[SourceFile], threads: usize, tuning: Tuning, tag: &str) -> ingest::Loaded {
    let dir = std::env::temp_dir().join(format!("zhichu-parallel-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = Vec::new();
    for f in files {
        let p = dir.join(&f.name);
        std::fs::write(&p, &f.bytes).unwrap();
        paths.push((f.name.clone(), p));
    }
    let l = pool(threads).install(|| ingest::load_paths(&paths, &LoadOptions::default(), &mut |_| {}, tuning));
    std::fs::remove_dir_all(&dir).unwrap();
    l
}

fn assert_same(a: &ingest::Loaded, b: &ingest::Loaded, what: &str) {
    assert_eq!(a.report, b.report, "report differs: {what}");
    assert_eq!(dataset_hash(&a.dataset), dataset_hash(&b.dataset), "dataset differs: {what}");
}

#[test]
fn demo_files_are_as_before() {
    // FNV-1a of the s city's CSV files as the generator wrote them before the xl scale.
    let s = generate(Scale::S);
    assert_eq!(files_hash(&export::csv_files(&s, Headers::Chinese, Encoding::Utf8Bom)), 0xd75a8a5cf7708e68);
    assert_eq!(files_hash(&export::csv_files(&s, Headers::English, Encoding::Gbk)), 0xefdd188455156f13);
}

#[test]
fn the_demo_written_as_generated_is_the_same_bytes() {
    assert_eq!(Scale::parse("xl").map(Scale::cadres), Some(1_000_000));
    for (h, enc, want) in [(Headers::Chinese, Encoding::Utf8Bom, 0xd75a8a5cf7708e68u64), (Headers::English, Encoding::Gbk, 0xefdd188455156f13)] {
        let dir = std::env::temp_dir().join(format!("zhichu-demo-{}-{want:x}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let w = export::write_demo_csv(Scale::S, zhichu::demo::generate::DEFAULT_SEED, &dir, h, enc).unwrap();
        let ds = generate(Scale::S);
        assert_eq!((w.records, w.dataset.cadres.len(), w.dataset.ratings.len()), (ds.records.len(), 1000, ds.ratings.len()));
        let files: Vec<(String, Vec<u8>)> =
            export::csv_files(&ds, h, enc).into_iter().map(|(name, _)| (name.clone(), std::fs::read(dir.join(&name)).unwrap())).collect();
        assert_eq!(files_hash(&files), want);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn broken_rows_are_reported_alike_in_any_chunking_threads_or_blocks() {
    let files = broken_city();
    let whole = load_with(&files, 1, WHOLE);
    // The dataset the single-threaded path built before the parallel path existed.
    assert_eq!(dataset_hash(&whole.dataset), 0x324ed7c85c351185);
    assert_eq!(whole.report.errors.len(), 10);
    let rows: Vec<Option<u32>> = whole.report.errors.iter().map(|i| i.row).collect();
    assert_eq!(rows, [Some(6), Some(901), Some(3334), Some(3334), Some(3334), Some(3334), Some(7002), Some(9003), Some(20002), Some(2001)]);
    assert_eq!(whole.report.warnings[0].message, "已跳过合计行或表尾说明（第 1802、32519 行），它们不是数据");
    for (threads, chunk) in [(1, 4096), (2, 4096), (2, 700), (2, 1 << 20), (2, 100_000)] {
        let l = load_with(&files, threads, Tuning { block_bytes: 32 << 20, chunk_bytes: chunk });
        assert_same(&whole, &l, &format!("{threads} threads, chunks of {chunk} bytes"));
    }
    for (threads, block, chunk) in [(1, 10_000, usize::MAX), (2, 10_000, 3000), (2, 1 << 20, 64 << 10), (2, 32 << 20, 1 << 20)] {
        let l = load_from_disk(&files, threads, Tuning { block_bytes: block, chunk_bytes: chunk }, &format!("{block}-{chunk}"));
        assert_same(&whole, &l, &format!("from disk, {threads} threads, blocks of {block}, chunks of {chunk}"));
    }
}

#[test]
fn quotes_over_lines_and_an_unclosed_quote_split_alike() {
    let ds = generate(Scale::S);
    let mut files = sources(export::csv_files(&ds, Headers::English, Encoding::Utf8Bom));
    let rec = files.iter_mut().find(|f| f.name == "records.csv").unwrap();
    let text = String::from_utf8(rec.bytes.clone()).unwrap();
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    // Quoted cells holding line breaks and quotes, blank lines, LF-only ends, then a quote never closed.
    lines[100] = lines[100].replacen(",是", ",\"是\"", 1);
    lines[200] = lines[200].replacen("C000", "\"C000", 1).replacen(",K", "\",K", 1);
    lines[300] = format!("{}\n", lines[300]);
    lines[400] = lines[400].replacen(",K", ",\"K\"\"\r\n\"", 1);
    lines[500] = String::new();
    let n = lines.len();
    lines[n - 40] = lines[n - 40].replacen(",K", ",\"K", 1);
    rec.bytes = lines.join("\r\n").into_bytes();
    let whole = load_with(&files, 1, WHOLE);
    let codes: Vec<&str> = whole.report.errors.iter().map(|i| i.code).collect();
    assert!(codes.contains(&"unclosed_quote") && codes.contains(&"unknown_reference"), "{codes:?}");
    for chunk in [512, 5000, 77_777] {
        assert_same(&whole, &load_with(&files, 2, Tuning { block_bytes: 1 << 20, chunk_bytes: chunk }), &format!("chunks of {chunk}"));
        assert_same(
            &whole,
            &load_from_disk(&files, 2, Tuning { block_bytes: chunk, chunk_bytes: chunk / 3 }, &format!("q{chunk}")),
            &format!("blocks of {chunk}"),
        );
    }
}

#[test]
fn files_not_streamed_and_a_table_refused_read_alike_from_disk() {
    let ds = generate(Scale::S);
    // GBK is read whole from disk (as its bytes); a UTF-8 table lacking a column is refused with its row count.
    let mut files = sources(export::csv_files(&ds, Headers::Chinese, Encoding::Gbk));
    let utf8 = sources(export::csv_files(&ds, Headers::English, Encoding::Utf8Bom));
    let mut ratings = utf8.into_iter().find(|f| f.name == "ratings.csv").unwrap();
    let text = String::from_utf8(ratings.bytes).unwrap().replacen("cadre_id", "who", 1);
    ratings.bytes = text.into_bytes();
    files.retain(|f| f.name != "评分.csv");
    files.push(ratings);
    let whole = load_with(&files, 1, WHOLE);
    assert_eq!(whole.report.errors[0].code, "missing_column");
    assert!(whole.report.errors[0].message.contains(&format!("整张表（{} 行）未载入", ds.ratings.len())), "{}", whole.report.errors[0].message);
    assert_eq!(whole.report.files[0].encoding, Some("GBK/GB18030"));
    assert_same(&whole, &load_from_disk(&files, 2, Tuning { block_bytes: 3000, chunk_bytes: 1000 }, "gbk"), "GBK and a refused table from disk");
}

#[test]
fn the_m_city_loads_and_computes_alike_on_one_thread_and_two() {
    let m = generate(Scale::M);
    let files = sources(export::csv_files(&m, Headers::English, Encoding::Utf8Bom));
    let one = load_with(&files, 1, WHOLE);
    // Dataset and report as the single-threaded path built them before the parallel path.
    assert_eq!(dataset_hash(&one.dataset), 0x67bb9e9069e29f7);
    assert_eq!(report_hash(&one.report), 0x9d5a88e5b15e9a9);
    let two = load_with(&files, 2, Tuning::default());
    assert_same(&one, &two, "m, default tuning on two threads");
    assert_same(&one, &load_from_disk(&files, 2, Tuning { block_bytes: 4 << 20, chunk_bytes: 256 << 10 }, "m"), "m from disk");
    let ds = &one.dataset;
    let as_of = ds.latest_date().unwrap();
    let s1 = pool(1).install(|| Snapshot::compute(ds, Model::default(), as_of));
    let s2 = pool(2).install(|| Snapshot::compute(ds, Model::default(), as_of));
    for c in 0..ds.cadres.len() as u32 {
        assert_eq!(s1.row(c), s2.row(c));
    }
    for id in ["C000001", "C000002", "C012345", "C020000"] {
        let c = ds.cadres.lookup(id).unwrap();
        assert_eq!(profile(ds, &s1, c), profile(ds, &s2, c), "{id}");
    }
    // Reserves as the single-threaded loop computed them: spot values.
    let c = ds.cadres.lookup("C000001").unwrap();
    assert_eq!(format!("{:.4}", s1.reserve(c, 0)), format!("{:.4}", zhichu::analytics::Model::default().reserves(ds, c, as_of)[0]));
}

#[test]
#[ignore]
fn print_fingerprints() {
    let s = generate(Scale::S);
    println!("s zh utf8 {:#x}", files_hash(&export::csv_files(&s, Headers::Chinese, Encoding::Utf8Bom)));
    println!("s en gbk {:#x}", files_hash(&export::csv_files(&s, Headers::English, Encoding::Gbk)));
    let l = ingest::load(&broken_city(), &LoadOptions::default());
    println!("broken ds {:#x} report {:#x}", dataset_hash(&l.dataset), report_hash(&l.report));
    println!("{} errors {} warnings", l.report.errors.len(), l.report.warnings.len());
    for e in l.report.errors.iter().chain(&l.report.warnings) {
        println!("{:?} {:?} {:?} {}", e.code, e.file, e.row, e.message.chars().take(60).collect::<String>());
    }
    let m = generate(Scale::M);
    let l = ingest::load(&sources(export::csv_files(&m, Headers::English, Encoding::Utf8Bom)), &LoadOptions::default());
    println!("m ds {:#x} report {:#x}", dataset_hash(&l.dataset), report_hash(&l.report));
}

#[test]
fn utf8_files_read_whole_or_streamed_alike_with_or_without_bom() {
    let ds = generate(Scale::S);
    let mut files = sources(export::csv_files(&ds, Headers::English, Encoding::Utf8Bom));
    // The records in two files of about the same size (培训记录.csv names the same table), so that
    // with blocks the size of the bigger half the files of up to a block exceed the two-block allowance.
    let rec = files.iter().position(|f| f.name == "records.csv").unwrap();
    let text = String::from_utf8(files[rec].bytes[3..].to_vec()).unwrap();
    let (header, rows) = text.split_once("\r\n").unwrap();
    let rows: Vec<&str> = rows.split_terminator("\r\n").collect();
    let half = |part: &[&str]| format!("{header}\r\n{}\r\n", part.join("\r\n")).into_bytes();
    files[rec].bytes = half(&rows[..rows.len() / 2]);
    files.push(SourceFile { name: "培训记录.csv".into(), bytes: half(&rows[rows.len() / 2..]) });
    for f in files.iter_mut() {
        match f.name.as_str() {
            // No BOM.
            "ratings.csv" | "courses.csv" => {
                f.bytes.drain(..3);
            }
            // No BOM (see above) and one bad byte: read as damaged UTF-8, only its row refused.
            "records.csv" => {
                let at = f.bytes.len() / 2;
                f.bytes[at] = 0xFF;
            }
            _ => {}
        }
    }
    let whole = load_with(&files, 1, WHOLE);
    let enc = |name: &str| whole.report.files.iter().find(|f| f.file == name).unwrap_or_else(|| panic!("{name} in {:?}", whole.report.files)).encoding;
    assert_eq!(
        (enc("records.csv"), enc("培训记录.csv"), enc("cadres.csv"), enc("ratings.csv")),
        (Some("UTF-8（含无效字节）"), Some("UTF-8"), Some("UTF-8 (BOM)"), Some("UTF-8"))
    );
    assert_eq!(whole.report.errors.len(), 1, "{:?}", whole.report.errors);
    assert_eq!(whole.dataset.records.len(), ds.records.len() - 1);
    // All read whole; blocks the size of the bigger records half: the files of up to a block come to
    // more than two blocks, so some are read whole and the rest streamed; all streamed.
    let size = |name: &str| files.iter().find(|f| f.name == name).unwrap().bytes.len();
    let block = size("records.csv").max(size("培训记录.csv"));
    let fitting: usize = files.iter().map(|f| f.bytes.len()).filter(|&n| n <= block).sum();
    assert!(fitting > 2 * block, "{fitting} bytes in files of up to {block}");
    for block in [32 << 20, block, 2000] {
        let l = load_from_disk(&files, 2, Tuning { block_bytes: block, chunk_bytes: block / 2 + 1 }, &format!("bom-{block}"));
        assert_same(&whole, &l, &format!("from disk, blocks of {block}"));
    }
}
