//! `zhichu plan`: plan a class for a cohort within an 学时 budget — courses,
//! teachers, the cohort's mean radar before and after.

use super::term::out;
use super::term::{pad, width};
use super::{DataArgs, EXIT_IO, EXIT_USAGE, Fail, engine};
use zhichu::analytics::Model;
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::PlanRequest;
use zhichu::planning::CohortFilter;
use zhichu::planning::plan::{Plan, PlanParams};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    model: Model,
    /// unit:U1,U2 · rank:乡科级 · post:纪检监察 · ids:C1,C2 · file:ids.txt (one id a line); repeat to combine (AND).
    #[arg(long)]
    cohort: Vec<String>,
    /// The class's 学时 budget.
    #[arg(long, default_value_t = PlanParams::default().budget_hours, allow_negative_numbers = true)]
    hours: f64,
    /// Minimum share of hours on theory and Party-spirit dimensions, e.g. 0.7.
    #[arg(long, allow_negative_numbers = true)]
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
    #[arg(long, default_value_t = PlanParams::default().courses_per_teacher)]
    courses_per_teacher: usize,
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[arg(long)]
    as_of: Option<String>,
    #[command(flatten)]
    out: super::Output,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    let mut e = engine(&a.data, &a.model)?;
    let mut cohort = Vec::new();
    for c in &a.cohort {
        if let Some(path) = c.strip_prefix("file:") {
            let bytes = std::fs::read(path).map_err(|err| Fail(EXIT_IO, format!("cannot read {path}: {err}")))?;
            let text = zhichu::ingest::decode::decode(&bytes).map_err(|_| Fail(EXIT_USAGE, format!("{path}: unknown text encoding")))?.text.into_owned();
            let ds = e.dataset();
            let ids = text
                .lines()
                .filter_map(|l| l.split([',', '\t']).next())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty() && ds.cadres.lookup(s).is_some());
            cohort.push(CohortFilter::Ids(ids.collect()));
        } else {
            cohort.push(CohortFilter::parse(c).map_err(|m| Fail(EXIT_USAGE, m))?);
        }
    }
    let params = PlanParams {
        budget_hours: a.hours,
        theory_share: a.theory_share,
        required: a.require,
        removed: a.remove,
        max_hours_per_dim: a.max_hours_per_dim,
        courses_per_teacher: a.courses_per_teacher,
        ..Default::default()
    };
    a.out.ask(&mut e, Question::Plan(PlanRequest { cohort, params, as_of: a.as_of }), Answer::plan, view)?;
    Ok(0)
}

fn view(p: &Plan) {
    out!(
        "班次方案：{} 名学员，预算 {} 学时，已用 {} 学时，理论与党性教育占 {:.0}%，截至 {}",
        p.cohort,
        p.budget_hours,
        p.hours_used,
        p.theory_share * 100.0,
        p.as_of
    );
    for (i, c) in p.courses.iter().enumerate() {
        let t = match (&c.teacher_name, c.teacher_rating) {
            (Some(n), Some(r)) => format!("{n}（★{r:.2}）"),
            _ => "待定".into(),
        };
        out!("{:>2}. {} {} {}学时{}  教师 {}", i + 1, c.course_id, c.title, c.hours, if c.pinned { " [必选]" } else { "" }, t);
        out!("    {}", c.reason);
    }
    out!("全班平均储备度（前 → 后）：");
    let w = p.dimensions.iter().map(|d| width(d)).max().unwrap_or(8);
    for (d, name) in p.dimensions.iter().enumerate() {
        out!("  {} {:>5.1} → {:>5.1}  （平均缺口 {:.1}）", pad(name, w), p.before[d], p.after[d], p.mean_gap[d]);
    }
    out!("人均预计提升（缺口内）{:.1}", p.mean_gain);
    if !p.skipped_common.is_empty() {
        out!("多数学员近年已学、未排入：{}", p.skipped_common.join("、"));
    }
    for w in &p.warnings {
        out!("注意：{w}");
    }
}
