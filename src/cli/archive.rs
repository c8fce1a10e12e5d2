//! `zhichu archive`: a cadre's e-archive (电子档案), every record in full, newest first.

use super::term::out;
use super::{DataArgs, Fail, load};
use zhichu::analytics::archive::ArchiveEntry;
use zhichu::engine::questions::Question;
use zhichu::engine::requests::CadreRequest;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    req: CadreRequest,
    #[command(flatten)]
    out: super::Output,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    a.out.ask(&mut super::quiet(load(&a.data)?), Question::Archive(a.req), |a| a.archive().map(Vec::as_slice), view)?;
    Ok(0)
}

fn view(v: &[ArchiveEntry]) {
    out!("共 {} 条记录", v.len());
    for r in v {
        let score = r.score.map(|s| format!("{s:.0} 分")).unwrap_or_else(|| "—".into());
        out!(
            "{}  {} {}  {} 学时  {}  {}  {}",
            r.date,
            r.course_id,
            r.title,
            r.hours,
            r.class_name.as_deref().unwrap_or("自主选学"),
            if r.completed { "已完成" } else { "未完成" },
            score
        );
    }
}
