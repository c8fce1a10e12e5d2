//! The command line: one module per subcommand, each holding its arguments,
//! its `run` and its terminal view (the xsv layout). Every number comes from
//! [`zhichu::Engine`]; this module only reads files, parses arguments and
//! maps engine errors to exit codes.

#[cfg(feature = "analysis")]
mod analysis;
mod archive;
mod assign;
mod cadres;
mod compliance;
mod demo;
mod fairness;
mod hours;
mod layout;
mod personal;
#[cfg(feature = "analysis")]
mod pivot;
mod plan;
mod profile;
#[cfg(feature = "analysis")]
mod query;
mod ratings;
mod recommend;
mod simulate;
mod template;
mod term;
mod validate;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use zhichu::Engine;
use zhichu::analytics::Model;
use zhichu::demo::Scale;
use zhichu::engine::questions::{Answer, Question};
use zhichu::error::Code;
use zhichu::export::Format;
use zhichu::ingest::LoadOptions;

/// Exit codes, from the engine's error codes (`zhichu::error::Code::exit_code`).
pub const EXIT_INVALID: i32 = Code::BadData.exit_code();
pub const EXIT_USAGE: i32 = Code::BadArgument.exit_code();
pub const EXIT_NOT_FOUND: i32 = Code::NotFound.exit_code();
pub const EXIT_IO: i32 = Code::Io.exit_code();

#[derive(Parser)]
#[command(
    name = "zhichu",
    version,
    about = "知储 Zhichu: cadre-training analytics, offline.\n\nWithout --data every command works on the built-in demo city (synthetic data)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check data files and report every problem with its file, row and column.
    Validate(validate::Args),
    /// One cadre's knowledge-reserve profile: reserve, target, gap and percentile per dimension.
    Profile(profile::Args),
    /// Courses that would close most of a cadre's gaps.
    Recommend(recommend::Args),
    /// A cadre's reserves now and after taking one course (the predicted radar).
    Simulate(simulate::Args),
    /// Find cadres by id or part of a name.
    Cadres(cadres::Args),
    /// A cadre's e-archive (电子档案): every record, newest first.
    Archive(archive::Args),
    /// A cadre's 学时 against each rule that applies, with deadlines.
    Hours(hours::Args),
    /// Unit training layout (培训布局): 学时 per dimension per year, reserve vs the parent or city, coverage, weak points. Without --unit: units ranked per dimension.
    Layout(layout::Args),
    /// Course or teacher ratings: shrunk means with intervals, trend, distribution, best and weakest.
    Ratings(ratings::Args),
    /// Repeated training, 培训专业户, how evenly training is spread, and who had none.
    Fairness(fairness::Args),
    /// 学时 compliance: per rule and in all, with everyone short and what they still owe.
    Compliance(compliance::Args),
    /// Plan a class for a cohort within an 学时 budget: courses, teachers, the radar before and after.
    Plan(plan::Args),
    /// Named assignment (调训名单) for a class: who would gain most, with quotas; export to xlsx / CSV.
    Assign(assign::Args),
    /// 数据透视: rows × a column field of an analysis table, one measure aggregated, with filters and totals.
    #[cfg(feature = "analysis")]
    Pivot(pivot::Args),
    /// Read-only SQL over the analysis tables (records, record_dims, reserves, cadres, units, courses, teachers, classes, ratings).
    #[cfg(feature = "analysis")]
    Query(query::Args),
    /// Write the demo city (synthetic) as files.
    Demo(demo::Args),
    /// Write the import template (导入模板): every table as a sheet, required columns marked, an example row.
    Template(template::Args),
    /// Make the department's SM2 key for 个人档案包: the private key sealed under a passphrase, the public key beside it, and its fingerprint.
    Keygen(personal::KeygenArgs),
    /// 个人档案包: one signed, sealed file per cadre holding only their data, and a 发放清单 of files and 提取码. `personal inspect FILE` prints one.
    Personal(personal::Args),
}

/// Where the data comes from, and how values are read.
#[derive(clap::Args)]
pub struct DataArgs {
    /// A folder of CSV files, an .xlsx workbook, a JSON file or xAPI statements; repeat to combine.
    #[arg(long)]
    data: Vec<PathBuf>,
    /// Demo city size used when no --data is given: s, m or l.
    #[arg(long, default_value = "m")]
    scale: String,
    #[command(flatten)]
    read: LoadOptions,
    /// The 提取码 of a 个人档案包 given as --data (profile, recommend, simulate, hours, archive answer for its cadre).
    #[arg(long)]
    code: Option<String>,
    /// Accept a 个人档案包 only if this public key (PEM or hex) signed it.
    #[arg(long, value_name = "KEY.pub")]
    trust: Option<PathBuf>,
}

/// What a command sets on the engine before asking: the reserve model, or the 学时 rules.
pub trait Setup: clap::Args {
    fn apply(&self, e: &mut Engine) -> Result<(), Fail>;
}

impl Setup for Model {
    fn apply(&self, e: &mut Engine) -> Result<(), Fail> {
        Ok(e.set_model(*self)?)
    }
}

/// The arguments of one question to the engine: where the data come from,
/// what is set on the engine first (`S`), the engine's request (`R`), and how
/// to show the answer.
#[derive(clap::Args)]
pub struct Ask<R: clap::Args, S: Setup = Model> {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    setup: S,
    #[command(flatten)]
    req: R,
    #[command(flatten)]
    out: Output,
}

impl<R: clap::Args + Clone, S: Setup> Ask<R, S> {
    /// Loads the data, sets the engine up, asks the question made of the
    /// request (`Question::Profile`, …), and shows the answer (`pick` takes
    /// it out: `Answer::profile`, …) with `view`.
    fn answer<T: ?Sized>(&self, question: impl FnOnce(R) -> Question, pick: impl Fn(&Answer) -> Option<&T>, view: impl FnOnce(&T)) -> Result<i32, Fail> {
        let mut e = quiet(load(&self.data)?);
        // A package's numbers are computed with its own model and rules.
        if e.package().is_none() {
            self.setup.apply(&mut e)?;
        }
        self.out.ask(&mut e, question(self.req.clone()), pick, view)?;
        Ok(0)
    }
}

/// `--rules FILE`: the 学时 rules as JSON (default: those in the README).
#[derive(clap::Args)]
pub struct RulesArg {
    /// Rules as JSON (a list of {id, name, ranks, kind, hours, days, period_years}); default: the rules in the README.
    #[arg(long)]
    rules: Option<PathBuf>,
}

impl Setup for RulesArg {
    fn apply(&self, e: &mut Engine) -> Result<(), Fail> {
        if let Some(p) = &self.rules {
            let text = std::fs::read_to_string(p).map_err(|err| Fail(EXIT_IO, format!("cannot read {}: {err}", p.display())))?;
            let rules = serde_json::from_str(&text).map_err(|err| Fail(EXIT_USAGE, format!("{}: not a list of rules: {err}", p.display())))?;
            e.set_rules(rules)?;
        }
        Ok(())
    }
}

/// A failure that ends the command with an exit code.
pub struct Fail(i32, String);

impl From<zhichu::Error> for Fail {
    fn from(e: zhichu::Error) -> Fail {
        Fail(e.exit_code(), e.message)
    }
}

pub fn run() -> i32 {
    let result = match Cli::parse().command {
        Command::Validate(a) => validate::run(a),
        Command::Profile(a) => profile::run(a),
        Command::Recommend(a) => recommend::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Cadres(a) => cadres::run(a),
        Command::Archive(a) => archive::run(a),
        Command::Hours(a) => hours::run(a),
        Command::Layout(a) => layout::run(a),
        Command::Ratings(a) => ratings::run(a),
        Command::Fairness(a) => fairness::run(a),
        Command::Compliance(a) => compliance::run(a),
        Command::Plan(a) => plan::run(a),
        Command::Assign(a) => assign::run(a),
        #[cfg(feature = "analysis")]
        Command::Pivot(a) => pivot::run(a),
        #[cfg(feature = "analysis")]
        Command::Query(a) => query::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Template(a) => template::run(a),
        Command::Keygen(a) => personal::keygen(a),
        Command::Personal(a) => personal::run(a),
    };
    match result {
        Ok(code) => code,
        Err(Fail(code, msg)) => {
            // Messages quote the data, a query's own text and values polars
            // echoes: escaped like every terminal view.
            eprintln!("zhichu: {}", term::clean(&msg));
            code
        }
    }
}

/// Every `--data` path's files (`ingest::data_files`); what a folder holds
/// besides regular files is listed on stderr.
fn read_inputs(paths: &[PathBuf]) -> Result<Vec<(String, PathBuf)>, Fail> {
    let what = |s: &Path| if s.is_dir() { "文件夹，不读取其中内容" } else { "不是普通文件" };
    Ok(zhichu::ingest::data_files(paths, &mut |skipped| {
        let list: Vec<String> = skipped.iter().map(|s| format!("{}（{}）", term::clean(&s.display().to_string()), what(s))).collect();
        eprintln!("注意：已跳过 {}", list.join("、"));
    })?)
}

/// Loads the data (or generates the demo city), with a progress bar on large inputs.
fn load(args: &DataArgs) -> Result<Engine, Fail> {
    if args.data.is_empty() {
        return Ok(Engine::demo(&args.scale)?);
    }
    if let [one] = args.data.as_slice() {
        // Told by its first bytes: a big CSV file is not read twice to find out.
        let mut magic = [0u8; 4];
        let starts = std::fs::File::open(one).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)).is_ok();
        if one.is_file() && starts && zhichu::package::is_package(&magic) {
            let bytes = std::fs::read(one).map_err(|e| Fail(EXIT_IO, format!("cannot read {}: {e}", one.display())))?;
            return open_package(&bytes, args);
        }
    }
    let files = read_inputs(&args.data)?;
    let total: u64 = files.iter().map(|f| std::fs::metadata(&f.1).map_or(0, |m| m.len())).sum();
    let bar = (total > 4 << 20).then(|| {
        let b = indicatif::ProgressBar::new(100);
        b.set_style(indicatif::ProgressStyle::with_template("载入数据 {bar:40} {percent}%").expect("template"));
        b
    });
    let engine = Engine::load_paths(&files, &args.read, &mut |p| {
        if let Some(b) = &bar {
            b.set_position(p.done * 100 / p.total.max(1));
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(engine?)
}

/// A 个人档案包 as the data: its signature checked (against `--trust` when
/// given), opened with `--code`; its issuer and signer said on stderr.
fn open_package(bytes: &[u8], args: &DataArgs) -> Result<Engine, Fail> {
    let o = zhichu::package::open(bytes, args.code.as_deref())?;
    if let Some(t) = &args.trust {
        let text = std::fs::read_to_string(t).map_err(|e| Fail(EXIT_IO, format!("cannot read {}: {e}", t.display())))?;
        let trusted = zhichu::package::keys::read_public(&text)?;
        if trusted != o.issuer_key {
            return Err(Fail(
                EXIT_INVALID,
                format!("档案包不是由受信任的公钥签发的（签发者公钥指纹 {}，受信任的是 {}）", o.fingerprint, zhichu::package::seal::fingerprint(&trusted)),
            ));
        }
    }
    let c = &o.content;
    eprintln!(
        "个人档案包：由 {} 签发 · {} · 截至 {} · 公钥指纹 {}{}",
        c.issuer,
        c.issued,
        c.as_of,
        o.fingerprint,
        if o.sealed { "" } else { " · 仅签名，未加密" }
    );
    Ok(o.engine()?)
}

/// For commands other than `validate`: says on stderr that some rows were left out.
fn quiet(e: Engine) -> Engine {
    let n = e.report().errors.len();
    if n > 0 {
        eprintln!("注意：数据中有 {n} 处错误，相关行未载入；运行 `zhichu validate --data …` 查看详情。");
    }
    e
}

/// Loads the data for a command that computes reserves, with its model parameters.
fn engine(data: &DataArgs, model: &Model) -> Result<Engine, Fail> {
    let mut e = quiet(load(data)?);
    if e.package().is_none() {
        e.set_model(*model)?;
    }
    Ok(e)
}

fn parse_scale(s: &str) -> Result<Scale, Fail> {
    Scale::parse(s).ok_or_else(|| Fail(EXIT_USAGE, format!("unknown scale '{s}': use s, m, l or xl")))
}

/// How a command shows its result: the terminal view, JSON, and optionally
/// an Excel workbook of the same view (the sheets of `zhichu::export::Tabular`).
#[derive(clap::Args)]
pub struct Output {
    /// Print the result as JSON instead of the terminal view.
    #[arg(long)]
    json: bool,
    /// Also write the view as an Excel workbook (cells that could run as formulas are escaped).
    #[arg(long, value_name = "FILE")]
    xlsx: Option<PathBuf>,
}

impl Output {
    /// Asks `question` and shows its answer (`pick` takes it out:
    /// `Answer::profile`, …); returns it for what the command does next.
    fn ask<T: ?Sized>(&self, e: &mut Engine, question: Question, pick: impl Fn(&Answer) -> Option<&T>, view: impl FnOnce(&T)) -> Result<Answer, Fail> {
        let answer = e.ask(question)?;
        self.emit(&answer, |a| view(pick(a).expect("the answer to the question asked")))?;
        Ok(answer)
    }

    /// Writes the answer as a workbook (`--xlsx`), then prints it as JSON (`--json`) or with `view`.
    fn emit(&self, answer: &Answer, view: impl FnOnce(&Answer)) -> Result<(), Fail> {
        if let Some(p) = &self.xlsx {
            write(p, &answer.file(Format::Xlsx)?)?;
        }
        if self.json {
            println!("{}", serde_json::to_string_pretty(answer).expect("serialisable"));
        } else {
            view(answer);
        }
        Ok(())
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Fail> {
    std::fs::write(path, bytes).map_err(|e| Fail(EXIT_IO, format!("cannot write {}: {e}", path.display())))
}
