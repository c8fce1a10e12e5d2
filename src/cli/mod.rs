//! Command-line arguments, data loading with a progress bar, and the commands.

mod text;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use zhichu::analytics::{self, Model, RecommendParams, Snapshot};
use zhichu::demo::export::{self, Encoding, Headers};
use zhichu::demo::Scale;
use zhichu::ingest::{self, LoadOptions, SourceFile};
use zhichu::model::{date, Dataset, Day};

pub const EXIT_INVALID: i32 = 1;
pub const EXIT_NOT_FOUND: i32 = 3;
pub const EXIT_IO: i32 = 4;

#[derive(Parser)]
#[command(name = "zhichu", version, about = "知储 Zhichu: cadre-training analytics, offline.\n\nWithout --data every command works on the built-in demo city (synthetic data).")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check data files and report every problem with its file, row and column.
    Validate {
        #[command(flatten)]
        data: DataArgs,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// One cadre's knowledge-reserve profile: reserve, target, gap and percentile per dimension.
    Profile {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        model: ModelArgs,
        /// Cadre id (干部编号) or exact name.
        #[arg(long)]
        cadre: String,
        /// Print JSON (with the records behind every number and the trend).
        #[arg(long)]
        json: bool,
    },
    /// Courses that would close most of a cadre's gaps.
    Recommend {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        model: ModelArgs,
        #[arg(long)]
        cadre: String,
        /// How many courses.
        #[arg(long, default_value_t = 5)]
        top: usize,
        /// Never propose a course completed within this many years.
        #[arg(long, default_value_t = 3.0)]
        repeat_window_years: f64,
        #[arg(long)]
        json: bool,
    },
    /// Find cadres by id or part of a name.
    Cadres {
        #[command(flatten)]
        data: DataArgs,
        /// Part of a name or id; empty lists the first ones.
        #[arg(long, default_value = "")]
        search: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Write the demo city (synthetic) as files.
    Demo {
        /// s (~1k cadres), m (~20k cadres, ~600k records), l (~200k cadres, ~6M records).
        #[arg(long, default_value = "m")]
        scale: String,
        /// Output folder (created if missing).
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Column headers and CSV file names: zh (干部编号, 干部.csv) or en (cadre_id, cadres.csv).
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        headers: Lang,
        /// CSV text encoding: utf8 (with BOM, for Excel) or gbk.
        #[arg(long, value_enum, default_value_t = Enc::Utf8)]
        encoding: Enc,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Xlsx,
    Json,
}
#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    Zh,
    En,
}
#[derive(Clone, Copy, ValueEnum)]
enum Enc {
    Utf8,
    Gbk,
}

#[derive(Args)]
struct DataArgs {
    /// A folder of CSV files, an .xlsx workbook, a JSON file or xAPI statements; repeat to combine.
    #[arg(long)]
    data: Vec<PathBuf>,
    /// Demo city size used when no --data is given: s, m or l.
    #[arg(long, default_value = "m")]
    scale: String,
    /// Minutes per 学时 when only minutes are given.
    #[arg(long, default_value_t = 45.0)]
    minutes_per_hour: f64,
    /// Saturation 学时 S_d for dimensions that give none.
    #[arg(long, default_value_t = 20.0)]
    saturation: f64,
}

#[derive(Args)]
struct ModelArgs {
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[arg(long)]
    as_of: Option<String>,
    /// Half-life H of training evidence, in years (0 = no decay).
    #[arg(long, default_value_t = 3.0)]
    half_life: f64,
    /// Credit m of a completed record without a score.
    #[arg(long, default_value_t = 0.8)]
    completion_credit: f64,
}

/// A failure that ends the command with an exit code.
pub struct Fail(i32, String);

pub fn run() -> i32 {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(Fail(code, msg)) => {
            eprintln!("zhichu: {msg}");
            code
        }
    }
}

fn read_inputs(paths: &[PathBuf]) -> Result<Vec<SourceFile>, Fail> {
    let mut files = Vec::new();
    for p in paths {
        let io = |e: std::io::Error| Fail(EXIT_IO, format!("cannot read {}: {e}", p.display()));
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p).map_err(io)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
            entries.sort();
            for e in entries {
                let bytes = std::fs::read(&e).map_err(|err| Fail(EXIT_IO, format!("cannot read {}: {err}", e.display())))?;
                files.push(SourceFile { name: e.file_name().unwrap().to_string_lossy().into(), bytes });
            }
        } else {
            let bytes = std::fs::read(p).map_err(io)?;
            files.push(SourceFile { name: p.file_name().map(|n| n.to_string_lossy().into()).unwrap_or_default(), bytes });
        }
    }
    Ok(files)
}

/// Loads the data (or generates the demo city), with a progress bar on large inputs.
fn load(args: &DataArgs) -> Result<(Dataset, ingest::Report), Fail> {
    if args.data.is_empty() {
        let scale = parse_scale(&args.scale)?;
        return Ok((zhichu::demo::generate(scale), ingest::Report::default()));
    }
    let files = read_inputs(&args.data)?;
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    let opts = LoadOptions { minutes_per_hour: args.minutes_per_hour, default_saturation_hours: args.saturation };
    let bar = (total > 4 << 20).then(|| {
        let b = indicatif::ProgressBar::new(100);
        b.set_style(indicatif::ProgressStyle::with_template("载入数据 {bar:40} {percent}%").expect("template"));
        b
    });
    let loaded = ingest::load_with_progress(&files, &opts, &mut |p| {
        if let Some(b) = &bar {
            b.set_position(p.done * 100 / p.total.max(1));
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok((loaded.dataset, loaded.report))
}

fn parse_scale(s: &str) -> Result<Scale, Fail> {
    Scale::parse(s).ok_or_else(|| Fail(2, format!("unknown scale '{s}': use s, m or l")))
}

/// Says on stderr that some rows were left out, for commands other than `validate`.
fn note_errors(report: &ingest::Report) {
    if !report.errors.is_empty() {
        eprintln!("注意：数据中有 {} 处错误，相关行未载入；运行 `zhichu validate --data …` 查看详情。", report.errors.len());
    }
}

fn find_cadre(ds: &Dataset, key: &str) -> Result<u32, Fail> {
    if let Some(i) = ds.cadres.lookup(key) {
        return Ok(i);
    }
    let by_name: Vec<u32> = ds.cadres.iter().filter(|(_, _, c)| c.name == key).map(|(i, _, _)| i).collect();
    match by_name.as_slice() {
        [one] => Ok(*one),
        [] => Err(Fail(EXIT_NOT_FOUND, format!("no cadre with id or name '{key}' (try `zhichu cadres --search …`)"))),
        many => Err(Fail(
            EXIT_NOT_FOUND,
            format!("{} cadres are named '{key}': {}; give the id", many.len(), many.iter().map(|&i| ds.cadres.id(i)).collect::<Vec<_>>().join(", ")),
        )),
    }
}

fn as_of(ds: &Dataset, m: &ModelArgs) -> Result<Day, Fail> {
    match &m.as_of {
        Some(s) => date::parse(s).ok_or_else(|| Fail(2, format!("--as-of '{s}' is not a date like 2025-12-31"))),
        None => Ok(ds.latest_date().unwrap_or_else(|| date::from_ymd(2025, 12, 31).unwrap())),
    }
}

fn model(m: &ModelArgs) -> Model {
    Model { half_life_years: m.half_life, completion_credit: m.completion_credit }
}

fn print_json<T: serde::Serialize>(v: &T) {
    println!("{}", serde_json::to_string_pretty(v).expect("serialisable"));
}

fn dispatch(cmd: Command) -> Result<i32, Fail> {
    match cmd {
        Command::Validate { data, json } => {
            if data.data.is_empty() {
                return Err(Fail(2, "validate needs --data PATH".into()));
            }
            let (_, report) = load(&data)?;
            if json {
                print_json(&report);
            } else {
                text::report(&report);
            }
            Ok(if report.is_ok() { 0 } else { EXIT_INVALID })
        }
        Command::Profile { data, model: m, cadre, json } => {
            let (ds, report) = load(&data)?;
            note_errors(&report);
            let c = find_cadre(&ds, &cadre)?;
            let snap = Snapshot::compute(&ds, model(&m), as_of(&ds, &m)?);
            let p = analytics::profile(&ds, &snap, c);
            if json {
                print_json(&p);
            } else {
                text::profile(&p);
            }
            Ok(0)
        }
        Command::Recommend { data, model: m, cadre, top, repeat_window_years, json } => {
            let (ds, report) = load(&data)?;
            note_errors(&report);
            let c = find_cadre(&ds, &cadre)?;
            let snap = Snapshot::compute(&ds, model(&m), as_of(&ds, &m)?);
            let params = RecommendParams { top, repeat_window_years, ..Default::default() };
            let r = analytics::recommend(&ds, &snap, c, &params);
            if json {
                print_json(&r);
            } else {
                text::recommendations(&r);
            }
            Ok(0)
        }
        Command::Cadres { data, search, limit, json } => {
            let (ds, report) = load(&data)?;
            note_errors(&report);
            let hits: Vec<analytics::profile::CadreInfo> = ds
                .cadres
                .iter()
                .filter(|(_, id, c)| search.is_empty() || id.contains(&search) || c.name.contains(&search))
                .take(limit)
                .map(|(i, _, _)| analytics::profile::CadreInfo::of(&ds, i))
                .collect();
            if json {
                print_json(&hits);
            } else {
                for h in &hits {
                    println!("{}\t{}\t{}\t{}\t{}", h.cadre_id, h.name, h.unit_name, h.rank, h.post);
                }
            }
            Ok(if hits.is_empty() { EXIT_NOT_FOUND } else { 0 })
        }
        Command::Demo { scale, out, format, headers, encoding } => {
            let ds = zhichu::demo::generate(parse_scale(&scale)?);
            let h = match headers {
                Lang::Zh => Headers::Chinese,
                Lang::En => Headers::English,
            };
            let enc = match encoding {
                Enc::Utf8 => Encoding::Utf8Bom,
                Enc::Gbk => Encoding::Gbk,
            };
            std::fs::create_dir_all(&out).map_err(|e| Fail(EXIT_IO, format!("cannot create {}: {e}", out.display())))?;
            let files: Vec<(String, Vec<u8>)> = match format {
                Format::Csv => export::csv_files(&ds, h, enc),
                Format::Json => vec![("demo.json".into(), export::json_bytes(&ds, h))],
                Format::Xlsx => vec![("demo.xlsx".into(), export::xlsx_bytes(&ds, h).map_err(|e| Fail(EXIT_IO, format!("xlsx: {e}")))?)],
            };
            for (name, bytes) in files {
                write(&out.join(name), &bytes)?;
            }
            eprintln!(
                "wrote the demo city (synthetic) to {}: {} units, {} cadres, {} courses, {} records, {} ratings",
                out.display(),
                ds.units.len(),
                ds.cadres.len(),
                ds.courses.len(),
                ds.records.len(),
                ds.ratings.len()
            );
            Ok(0)
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Fail> {
    std::fs::write(path, bytes).map_err(|e| Fail(EXIT_IO, format!("cannot write {}: {e}", path.display())))
}
