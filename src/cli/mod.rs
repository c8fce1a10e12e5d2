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
    /// Unit training layout (培训布局): 学时 per dimension per year, reserve vs the parent or city, coverage, weak points. Without --unit: units ranked per dimension.
    Layout {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        model: ModelArgs,
        /// Unit id (单位编号); omit for the city ranking.
        #[arg(long)]
        unit: Option<String>,
        /// Years as FIRST-LAST, e.g. 2021-2025 (default: the five years up to the as-of date).
        #[arg(long)]
        years: Option<String>,
        /// Only the unit's own cadres, not those of units below it.
        #[arg(long)]
        no_subunits: bool,
        /// Coverage counts training in this many years before the as-of date.
        #[arg(long, default_value_t = 3.0)]
        coverage_years: f64,
        #[arg(long)]
        json: bool,
    },
    /// Course or teacher ratings: shrunk means with intervals, trend, distribution, best and weakest.
    Ratings {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long, value_enum, default_value_t = By::Course)]
        by: By,
        /// Pseudo-votes pulling each mean towards the overall mean.
        #[arg(long, default_value_t = 10.0)]
        prior_weight: f64,
        /// Rows to print (text view).
        #[arg(long, default_value_t = 20)]
        top: usize,
        #[arg(long)]
        json: bool,
    },
    /// Repeated training, 培训专业户, how evenly training is spread, and who had none.
    Fairness {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        model: ModelArgs,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, default_value_t = 3.0)]
        window_years: f64,
        #[arg(long)]
        json: bool,
    },
    /// 学时 compliance: per rule and in all, with everyone short and what they still owe.
    Compliance {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        unit: Option<String>,
        /// The year whose periods are checked (default: the latest record's year).
        #[arg(long)]
        year: Option<i32>,
        /// Rules as JSON (a list of {id, name, ranks, kind, hours, days, period_years}); default: the rules in the README.
        #[arg(long)]
        rules: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Plan a class for a cohort within an 学时 budget: courses, teachers, the radar before and after.
    Plan {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        model: ModelArgs,
        /// unit:U1,U2 · rank:乡科级 · post:纪检监察 · ids:C1,C2 · file:ids.txt (one id a line); repeat to combine (AND).
        #[arg(long)]
        cohort: Vec<String>,
        #[arg(long, default_value_t = 40.0)]
        hours: f64,
        /// Minimum share of hours on theory and Party-spirit dimensions, e.g. 0.7.
        #[arg(long)]
        theory_share: Option<f64>,
        /// Courses that must be in the plan (comma-separated ids).
        #[arg(long, value_delimiter = ',')]
        require: Vec<String>,
        /// Courses to leave out.
        #[arg(long, value_delimiter = ',')]
        remove: Vec<String>,
        #[arg(long)]
        max_hours_per_dim: Option<f64>,
        /// Each teacher teaches at most this many of the plan's courses.
        #[arg(long, default_value_t = 1)]
        courses_per_teacher: usize,
        #[arg(long)]
        json: bool,
    },
    /// Named assignment (调训名单) for a class: who would gain most, with quotas; export to xlsx / CSV.
    Assign {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        model: ModelArgs,
        #[arg(long)]
        class: String,
        /// The class's courses (default: those recorded for it).
        #[arg(long, value_delimiter = ',')]
        courses: Vec<String>,
        #[arg(long)]
        quota_per_unit: Option<usize>,
        /// Places (default: the class's capacity).
        #[arg(long)]
        capacity: Option<usize>,
        #[arg(long, default_value_t = 3.0)]
        window_years: f64,
        /// Write the list as an Excel workbook.
        #[arg(long)]
        xlsx: Option<PathBuf>,
        /// Write the list as CSV (UTF-8 with BOM).
        #[arg(long)]
        csv: Option<PathBuf>,
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

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum By {
    Course,
    Teacher,
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

fn find_unit(ds: &Dataset, key: &str) -> Result<u32, Fail> {
    ds.units
        .lookup(key)
        .or_else(|| ds.units.iter().find(|(_, _, u)| u.name == key).map(|(i, _, _)| i))
        .ok_or_else(|| Fail(EXIT_NOT_FOUND, format!("no unit with id or name '{key}'")))
}

fn parse_years(s: &str) -> Result<(i32, i32), Fail> {
    let bad = || Fail(2, format!("--years '{s}' should look like 2021-2025"));
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (a, b): (i32, i32) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
    if a > b || b - a > 50 {
        return Err(bad());
    }
    Ok((a, b))
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

/// Prints a result as JSON or with its terminal view.
fn emit<T: serde::Serialize>(json: bool, v: &T, view: impl FnOnce(&T)) {
    if json {
        print_json(v);
    } else {
        view(v);
    }
}

/// Loads the data for a command that reads it (not `validate`): the report's errors are only mentioned.
fn load_data(args: &DataArgs) -> Result<Dataset, Fail> {
    let (ds, report) = load(args)?;
    note_errors(&report);
    Ok(ds)
}

fn dispatch(cmd: Command) -> Result<i32, Fail> {
    match cmd {
        Command::Validate { data, json } => {
            if data.data.is_empty() {
                return Err(Fail(2, "validate needs --data PATH".into()));
            }
            let (_, report) = load(&data)?;
            emit(json, &report, text::report);
            Ok(if report.is_ok() { 0 } else { EXIT_INVALID })
        }
        Command::Profile { data, model: m, cadre, json } => {
            let ds = load_data(&data)?;
            let c = find_cadre(&ds, &cadre)?;
            let snap = Snapshot::compute(&ds, model(&m), as_of(&ds, &m)?);
            let p = analytics::profile(&ds, &snap, c);
            emit(json, &p, text::profile);
            Ok(0)
        }
        Command::Recommend { data, model: m, cadre, top, repeat_window_years, json } => {
            let ds = load_data(&data)?;
            let c = find_cadre(&ds, &cadre)?;
            let snap = Snapshot::compute(&ds, model(&m), as_of(&ds, &m)?);
            let params = RecommendParams { top, repeat_window_years, ..Default::default() };
            let r = analytics::recommend(&ds, &snap, c, &params);
            emit(json, &r, text::recommendations);
            Ok(0)
        }
        Command::Cadres { data, search, limit, json } => {
            let ds = load_data(&data)?;
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
        Command::Layout { data, model: m, unit, years, no_subunits, coverage_years, json } => {
            let ds = load_data(&data)?;
            let snap = Snapshot::compute(&ds, model(&m), as_of(&ds, &m)?);
            match unit {
                Some(u) => {
                    let u = find_unit(&ds, &u)?;
                    let y = date::year(snap.as_of);
                    let years = match years {
                        Some(s) => parse_years(&s)?,
                        None => (y - 4, y),
                    };
                    let l = analytics::layout::layout(&ds, &snap, u, &analytics::layout::LayoutParams { years, include_subunits: !no_subunits, coverage_years });
                    emit(json, &l, text::layout);
                }
                None => {
                    let r = analytics::layout::city_ranking(&ds, &snap);
                    emit(json, &r, |r| text::city_ranking(r));
                }
            }
            Ok(0)
        }
        Command::Ratings { data, by, prior_weight, top, json } => {
            let ds = load_data(&data)?;
            let t = analytics::ratings::rating_table(&ds, by == By::Teacher, prior_weight);
            emit(json, &t, |x| text::ratings(x, top));
            Ok(0)
        }
        Command::Fairness { data, model: m, unit, window_years, json } => {
            let ds = load_data(&data)?;
            let day = as_of(&ds, &m)?;
            let unit = unit.map(|u| find_unit(&ds, &u)).transpose()?;
            let (cadres, units) = analytics::layout::scope(&ds, unit);
            let f = analytics::fairness::fairness(&ds, day, window_years, &cadres, &units);
            emit(json, &f, text::fairness);
            Ok(0)
        }
        Command::Compliance { data, unit, year, rules, json } => {
            let ds = load_data(&data)?;
            let rules = match rules {
                Some(p) => {
                    let text = std::fs::read_to_string(&p).map_err(|e| Fail(EXIT_IO, format!("cannot read {}: {e}", p.display())))?;
                    serde_json::from_str(&text).map_err(|e| Fail(2, format!("{}: not a list of rules: {e}", p.display())))?
                }
                None => analytics::compliance::default_rules(),
            };
            let year = year.unwrap_or_else(|| ds.latest_date().map(date::year).unwrap_or(2025));
            let unit = unit.map(|u| find_unit(&ds, &u)).transpose()?;
            let (cadres, _) = analytics::layout::scope(&ds, unit);
            let g = analytics::compliance::group_compliance(&ds, &rules, &cadres, year);
            emit(json, &g, text::compliance);
            Ok(0)
        }
        Command::Plan { data, model: m, cohort, hours, theory_share, require, remove, max_hours_per_dim, courses_per_teacher, json } => {
            let ds = load_data(&data)?;
            let mut filters = Vec::new();
            for c in &cohort {
                if let Some(path) = c.strip_prefix("file:") {
                    let text = std::fs::read(path).map_err(|e| Fail(EXIT_IO, format!("cannot read {path}: {e}")))?;
                    let text = zhichu::ingest::decode::decode(&text).map_err(|_| Fail(2, format!("{path}: unknown text encoding")))?.text.into_owned();
                    let ids: Vec<String> = text.lines().filter_map(|l| l.split([',', '\t']).next()).map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && ds.cadres.lookup(s).is_some()).collect();
                    filters.push(zhichu::planning::CohortFilter::Ids(ids));
                } else {
                    filters.push(zhichu::planning::CohortFilter::parse(c).map_err(|e| Fail(2, e))?);
                }
            }
            let cadres = zhichu::planning::select_cohort(&ds, &filters).map_err(|e| Fail(EXIT_NOT_FOUND, e))?;
            let params = zhichu::planning::plan::PlanParams {
                budget_hours: hours,
                theory_share,
                required: require,
                removed: remove,
                max_hours_per_dim,
                courses_per_teacher,
                ..Default::default()
            };
            let p = zhichu::planning::plan::plan(&ds, &model(&m), as_of(&ds, &m)?, cadres, &params).map_err(|e| Fail(if e.code == "not_found" { EXIT_NOT_FOUND } else { 2 }, e.message))?;
            emit(json, &p, text::plan);
            Ok(0)
        }
        Command::Assign { data, model: m, class, courses, quota_per_unit, capacity, window_years, xlsx, csv, json } => {
            let ds = load_data(&data)?;
            let params = zhichu::planning::assign::AssignParams { courses: (!courses.is_empty()).then_some(courses), quota_per_unit, window_years, capacity };
            let a = zhichu::planning::assign::assign(&ds, &model(&m), as_of(&ds, &m)?, &class, &params)
                .map_err(|e| Fail(if e.code == "not_found" { EXIT_NOT_FOUND } else { 2 }, e.message))?;
            let (header, rows) = zhichu::planning::assign::table(&a);
            if let Some(p) = xlsx {
                let bytes = zhichu::export::xlsx_table("调训名单", &header, &rows).map_err(|e| Fail(EXIT_IO, format!("xlsx: {e}")))?;
                write(&p, &bytes)?;
            }
            if let Some(p) = csv {
                write(&p, &zhichu::export::csv_table(&header, &rows))?;
            }
            emit(json, &a, text::assignment);
            Ok(0)
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
