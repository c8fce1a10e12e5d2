//! `zhichu hours`: a cadre's 学时 against each rule that applies, with the
//! deadline of each period.

use super::Fail;
use super::term::out;
use zhichu::analytics::compliance::Hours;
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::HoursRequest;

pub type Args = super::Ask<HoursRequest, super::RulesArg>;

pub fn run(a: Args) -> Result<i32, Fail> {
    a.answer(Question::Hours, Answer::hours, view)
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
