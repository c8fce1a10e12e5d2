//! `zhichu hours`: a cadre's 学时 against each rule that applies, with the
//! deadline of each period.

use super::term::out;
use super::{load, DataArgs, Fail, RulesArg};
use zhichu::engine::requests::HoursRequest;
use zhichu::engine::Hours;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    rules: RulesArg,
    #[command(flatten)]
    req: HoursRequest,
    #[command(flatten)]
    out: super::Output,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    let mut e = super::quiet(load(&a.data)?);
    a.rules.apply(&mut e)?;
    let h = e.hours(&a.req)?;
    a.out.emit(&h, view)?;
    Ok(0)
}

fn view(h: &Hours) {
    out!("{} 年学时", h.year);
    if h.rules.is_empty() {
        out!("  没有适用的学时规定。");
    }
    for r in &h.rules {
        let days = if r.required_days > 0.0 { format!("，参训 {:.0} / {} 天", r.earned_days, r.required_days) } else { String::new() };
        let state = if r.met { "已达标".to_string() } else { format!("还差 {:.1} 学时（截止 {}）", r.remaining_hours, r.period_end) };
        out!("  {}：{:.1} / {} 学时{days}，{state}", r.name, r.earned_hours, r.required_hours);
    }
}
