#![cfg(not(target_arch = "wasm32"))]
//! Fuzzing with a budget: mutated workbooks (xlsx, xls), random merged
//! regions and .ods repeats, mutated Parquet files, random SQL and pivots,
//! xAPI statements and absurd parameters never panic, and a load never allocates more than
//! `ALLOC_PER_INPUT_BYTE` × the input plus `ALLOC_BASE` at its peak (the
//! README states this bound). One test function: the allocator's peak is
//! shared by the whole process, so the cases run one after another.
use crate::common;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use zhichu::Engine;
use zhichu::analytics::Model;
use zhichu::engine::requests::*;
use zhichu::ingest::{LoadOptions, SourceFile};

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
            let file = SourceFile { name: name.into(), bytes: common::mutate(&mut rng, &bytes) };
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
        if let Err(err) =
            e.layout(&LayoutRequest { unit: "U1".into(), years: Some(years), coverage_years: wild[rng.gen_range(0..wild.len())], ..Default::default() })
        {
            assert_eq!(err.code, "bad_argument");
        }
    }
}

/// A sheet of cadres with `merges` (A1 ranges) as its merged regions, and
/// an .ods whose one cell is repeated as `rows`/`cols` say (attributes
/// quoted and spaced at random).
fn merged_sheet(rng: &mut ChaCha8Rng) -> SourceFile {
    let col = |mut n: u32| {
        let mut s = String::new();
        n += 1;
        while n > 0 {
            s.insert(0, (b'A' + ((n - 1) % 26) as u8) as char);
            n = (n - 1) / 26;
        }
        s
    };
    let big = |rng: &mut ChaCha8Rng| if rng.gen_bool(0.2) { rng.gen_range(0..1_048_576u32) } else { rng.gen_range(0..60u32) };
    let merges: String = (0..rng.gen_range(0..40))
        .map(|_| {
            let (r0, c0) = (big(rng), big(rng) % 16_384);
            let (r1, c1) = (r0.saturating_add(big(rng)).min(1_048_575), c0.saturating_add(big(rng)).min(16_383));
            format!("<mergeCell ref=\"{}{}:{}{}\"/>", col(c0), r0 + 1, col(c1), r1 + 1)
        })
        .collect();
    let rows: String = (1..=rng.gen_range(1..200u32))
        .map(|r| format!("<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>C{r}</t></is></c><c r=\"B{r}\" t=\"inlineStr\"><is><t>名{r}</t></is></c></row>"))
        .collect();
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>cadre_id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>{rows}</sheetData><mergeCells>{merges}</mergeCells></worksheet>"#
    );
    let parts: [(&str, String); 4] = [
        ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.into()),
        ("_rels/.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
        ("xl/workbook.xml", r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="干部" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into()),
    ];
    let mut all: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, t)| (*n, t.clone().into_bytes())).collect();
    all.push(("xl/worksheets/sheet1.xml", sheet.into_bytes()));
    if rng.gen_bool(0.5) {
        let q = |rng: &mut ChaCha8Rng, name: &str, n: u64| {
            let sp = [" ", "", "\t", "  "];
            let (a, b) = (sp[rng.gen_range(0..4)], sp[rng.gen_range(0..4)]);
            if rng.gen_bool(0.5) { format!("{name}{a}={b}'{n}'") } else { format!("{name}{a}={b}\"{n}\"") }
        };
        let (r, c) = (rng.gen_range(1..2_000_000u64), rng.gen_range(1..20_000u64));
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="干部"><table:table-row {}><table:table-cell {} office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#,
            q(rng, "table:number-rows-repeated", r),
            q(rng, "table:number-columns-repeated", c)
        );
        return SourceFile {
            name: "台账.ods".into(),
            bytes: common::zipped(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content.as_bytes())]),
        };
    }
    let refs: Vec<(&str, &[u8])> = all.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    SourceFile { name: "干部.xlsx".into(), bytes: common::zipped(&refs) }
}

fn random_merges_and_repeats_never_panic_and_stay_within_budget() {
    let (n, seed) = cases();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6d65);
    for i in 0..n {
        let f = merged_sheet(&mut rng);
        let name = f.name.clone();
        load_within_budget(&[f], &format!("{name} merges case {i}"));
    }
}

/// Peak heap of one question on the `s` city.
#[cfg(feature = "analysis")]
const QUERY_BUDGET: usize = 256 << 20;

/// Random SQL built from pieces that once got through the text guard or
/// blew a budget, mutated; and random pivots. Never a panic, never more than
/// [`QUERY_BUDGET`] at the peak, never a file read.
#[cfg(feature = "analysis")]
fn random_questions_never_panic_and_stay_within_budget() {
    use zhichu::analysis::{PivotRequest, SqlRequest};
    let (n, seed) = cases();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5351);
    let mut e = Engine::demo("s").unwrap();
    let pieces = [
        "SELECT",
        "*",
        "COUNT(*)",
        "COUNT(1)",
        "SUM(hours)",
        "unit",
        "year",
        "hours",
        "FROM",
        "records",
        "cadres",
        "units",
        "record_dims",
        "r",
        "c",
        "WHERE",
        "GROUP BY",
        "ORDER BY",
        "LIMIT 5",
        "JOIN",
        "CROSS JOIN",
        "LEFT JOIN",
        "ON",
        "r.cadre_id = c.cadre_id",
        "a.year = b.year",
        "USING (cadre_id)",
        ",",
        "(",
        ")",
        "+",
        "-",
        "*",
        "/",
        "%",
        "0",
        "1",
        "9223372036854775807",
        "AND",
        "OR",
        "NOT",
        "=",
        "<",
        "'",
        "\"",
        "`",
        "--",
        "/*",
        "*/",
        ";",
        "read_parquet",
        "read_csv('a.csv')",
        "('/etc/passwd')",
        "WITH x AS",
        "CASE WHEN hours > 1 THEN 1 ELSE 0 END",
        "DATE '9999-12-31'",
        "INTERVAL '1000 years'",
        "CAST(year AS INT)",
        "DROP TABLE records",
        "\n",
    ];
    let seeds = [
        "SELECT unit, SUM(hours) FROM records GROUP BY unit",
        "SELECT COUNT(*) FROM records r JOIN cadres c ON r.cadre_id = c.cadre_id",
        "WITH x AS (SELECT * FROM records) SELECT year, COUNT(1) FROM x GROUP BY year",
        "SELECT * FROM records WHERE hours / 0 IS NULL LIMIT 3",
    ];
    for i in 0..n {
        let q = if rng.gen_bool(0.5) {
            (0..rng.gen_range(1..30)).map(|_| pieces[rng.gen_range(0..pieces.len())]).collect::<Vec<_>>().join(" ")
        } else {
            let mut q: Vec<&str> = seeds[rng.gen_range(0..seeds.len())].split(' ').collect();
            for _ in 0..rng.gen_range(1..6) {
                let at = rng.gen_range(0..=q.len());
                match rng.gen_range(0..3) {
                    0 => q.insert(at, pieces[rng.gen_range(0..pieces.len())]),
                    1 if !q.is_empty() => {
                        q.remove(at.min(q.len() - 1));
                    }
                    _ => {
                        let dup: Vec<&str> = q[at.min(q.len())..].iter().take(rng.gen_range(1..8)).copied().collect();
                        for (k, p) in dup.into_iter().enumerate() {
                            q.insert(at + k, p);
                        }
                    }
                }
            }
            q.join(" ")
        };
        let before = NOW.load(Relaxed);
        PEAK.store(before, Relaxed);
        if let Err(err) = e.sql(&SqlRequest { query: q.clone(), as_of: None, limit: 50 }) {
            assert_eq!(err.code, "bad_argument", "sql case {i}: {q}");
        }
        let used = PEAK.load(Relaxed) - before;
        assert!(used <= QUERY_BUDGET, "sql case {i}: peak {used} bytes for {q}");
    }
    let tables = ["records", "record_dims", "reserves", "cadres", "units", "courses", "teachers", "classes", "ratings", "nope"];
    let fields = ["unit", "rank", "year", "dimension", "record", "date", "course", "cadre_id", "hours", "score", "reserve", "nope", ""];
    let aggs = ["sum", "mean", "count", "n_unique", "median", "min", "max", "avg"];
    for i in 0..n {
        let pick = |rng: &mut ChaCha8Rng| fields[rng.gen_range(0..fields.len())].to_string();
        let p = PivotRequest {
            table: tables[rng.gen_range(0..tables.len())].into(),
            rows: (0..rng.gen_range(0..3)).map(|_| pick(&mut rng)).collect(),
            cols: rng.gen_bool(0.7).then(|| pick(&mut rng)),
            measure: rng.gen_bool(0.6).then(|| pick(&mut rng)),
            agg: aggs[rng.gen_range(0..aggs.len())].into(),
            years: rng.gen_bool(0.2).then(|| format!("{}-{}", rng.gen_range(1900..2100), rng.gen_range(1900..2100))),
            filter: rng.gen_bool(0.3).then(|| (0..rng.gen_range(1..8)).map(|_| pieces[rng.gen_range(0..pieces.len())]).collect::<Vec<_>>().join(" ")),
            limit: rng.gen_range(0..3) * 50,
            ..Default::default()
        };
        let before = NOW.load(Relaxed);
        PEAK.store(before, Relaxed);
        if let Err(err) = e.pivot(&p) {
            assert!(matches!(err.code.as_str(), "bad_argument" | "not_found"), "pivot case {i}: {p:?}: {err:?}");
        }
        let used = PEAK.load(Relaxed) - before;
        assert!(used <= QUERY_BUDGET, "pivot case {i}: peak {used} bytes for {p:?}");
    }
}

/// Valid Parquet files of the demo city, mutated: refused or read, within the load budget.
#[cfg(feature = "analysis")]
fn mutated_parquet_never_panics_and_stays_within_budget() {
    use zhichu::demo::export::{Encoding, Headers, csv_files};
    let (n, seed) = cases();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5051);
    let ds = zhichu::demo::generate(zhichu::demo::Scale::parse("s").unwrap());
    let files: Vec<SourceFile> = csv_files(&ds, Headers::English, Encoding::Utf8Bom)
        .into_iter()
        .filter(|(name, _)| name == "units.csv" || name == "courses.csv")
        .map(|(name, bytes)| SourceFile {
            name: name.replace(".csv", ".parquet"),
            bytes: zhichu::parquet::csv_to_parquet(&String::from_utf8(bytes).unwrap()).unwrap(),
        })
        .collect();
    for f in &files {
        for i in 0..n {
            let m = SourceFile { name: f.name.clone(), bytes: common::mutate(&mut rng, &f.bytes) };
            load_within_budget(&[m], &format!("{} mutation {i}", f.name));
        }
    }
}

#[test]
fn fuzzing_within_a_budget() {
    mutated_workbooks_never_panic_and_stay_within_budget();
    random_xapi_statements_never_panic();
    absurd_parameters_are_refused_or_give_bounded_numbers();
    random_merges_and_repeats_never_panic_and_stay_within_budget();
    #[cfg(feature = "analysis")]
    random_questions_never_panic_and_stay_within_budget();
    #[cfg(feature = "analysis")]
    mutated_parquet_never_panics_and_stays_within_budget();
}
