//! `zhichu validate`: check data files and report every problem with its
//! file, row and column. Exit 1 when there are errors.

use super::term::out;
use super::{DataArgs, EXIT_USAGE, Fail, load};
use zhichu::engine::questions::{Answer, Question};
use zhichu::ingest::Report;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    out: super::Output,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    if a.data.data.is_empty() {
        return Err(Fail(EXIT_USAGE, "validate needs --data PATH".into()));
    }
    let mut e = load(&a.data)?;
    a.out.ask(&mut e, Question::Report(Default::default()), Answer::report, view)?;
    Ok(if e.report().is_ok() { 0 } else { super::EXIT_INVALID })
}

fn view(r: &Report) {
    out!("已载入：{}", r.loaded.iter().map(|(t, n)| format!("{t} {n}")).collect::<Vec<_>>().join("，"));
    for f in &r.files {
        out!("  {} [{}{}] → {}", f.file, f.format, f.encoding.map(|e| format!(", {e}")).unwrap_or_default(), f.tables.join(", "));
    }
    if !r.warnings.is_empty() {
        out!("提示 {} 条：", r.warnings.len());
        for w in &r.warnings {
            out!("  {w}");
        }
    }
    if !r.rejected.is_empty() {
        out!("未能使用的文件：{}", r.rejected.join("、"));
    }
    if r.errors.is_empty() {
        out!("没有错误。");
    } else {
        out!("错误 {} 条（这些行未载入，其余数据已载入）：", r.errors.len());
        for e in &r.errors {
            out!("  {e}");
        }
    }
}
