//! `zhichu assign`: named assignment (调训名单) for a class — who would gain
//! most, with per-unit quotas and 培训专业户 last; export to xlsx or CSV.

use super::term::out;
use super::{DataArgs, Fail, engine, write};
use std::path::PathBuf;
use zhichu::analytics::Model;
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::AssignRequest;
use zhichu::planning::assign::Assignment;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    model: Model,
    #[command(flatten)]
    req: AssignRequest,
    /// Write the list as CSV (UTF-8 with BOM).
    #[arg(long)]
    csv: Option<PathBuf>,
    #[command(flatten)]
    out: super::Output,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    let list = a.out.ask(&mut engine(&a.data, &a.model)?, Question::Assign(a.req), Answer::assign, view)?;
    if let Some(p) = &a.csv {
        write(p, &list.file(zhichu::export::Format::Csv)?)?;
    }
    Ok(0)
}

fn view(a: &Assignment) {
    out!(
        "{}（{}）调训名单：{} 个名额，课程 {}；已参加或近年学过而排除 {} 人，因单位名额已满跳过 {} 人",
        a.class_name,
        a.class_id,
        a.capacity,
        a.courses.join("、"),
        a.excluded_recent,
        a.held_by_quota
    );
    for p in &a.picks {
        out!("{:>3}. {} {} {} {}  +{:.1}  {}", p.rank, p.cadre.cadre_id, p.cadre.name, p.cadre.unit_name, p.cadre.rank, p.expected_gain, p.reason);
    }
}
