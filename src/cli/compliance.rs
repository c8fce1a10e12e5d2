//! `zhichu compliance`: 学时 compliance of a unit's subtree (or the city) —
//! per rule and in all, 脱产 classes below the theory share, and everyone
//! short with what they still owe.

use super::Fail;
use super::term::out;
use zhichu::analytics::compliance::GroupCompliance;
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::ComplianceRequest;

pub type Args = super::Ask<ComplianceRequest, super::RulesArg>;

pub fn run(a: Args) -> Result<i32, Fail> {
    a.answer(Question::Compliance, Answer::compliance, view)
}

fn view(g: &GroupCompliance) {
    out!("{} 年学时达标：{} / {} 人全部达标（{:.1}%）", g.year, g.compliant, g.cadres, g.rate * 100.0);
    for r in &g.by_rule {
        out!("  {}：{} / {}（{:.1}%）", r.name, r.met, r.applicable, r.rate * 100.0);
    }
    out!("{} 年脱产班次理论与党性教育占比不足 {:.0}%：{} / {} 个", g.year, g.theory_share_min * 100.0, g.classes_below_theory_share.len(), g.classes_checked);
    for c in g.classes_below_theory_share.iter().take(5) {
        out!("  {} {}：{:.0}%", c.class_id, c.name, c.share * 100.0);
    }
    out!("未达标 {} 人次，差距最大的：", g.short.len());
    for s in g.short.iter().take(15) {
        out!(
            "  {} {} {} · {}：{:.1} / {} 学时，还差 {:.1}（截止 {}）",
            s.cadre.cadre_id,
            s.cadre.name,
            s.cadre.unit_name,
            s.rule,
            s.earned_hours,
            s.required_hours,
            s.remaining_hours,
            s.deadline
        );
    }
}
