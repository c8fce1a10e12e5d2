//! `zhichu profile`: one cadre's knowledge-reserve profile — reserve, target,
//! gap and percentile per dimension; with `--json` also the records behind
//! every number and the trend.

use super::Fail;
use super::term::out;
use super::term::{bar, pad, width};
use zhichu::analytics::Profile;
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::ProfileRequest;

pub type Args = super::Ask<ProfileRequest>;

pub fn run(a: Args) -> Result<i32, Fail> {
    a.answer(Question::Profile, Answer::profile, view)
}

fn view(p: &Profile) {
    let c = &p.cadre;
    out!("{}（{}）· {} · {} · {}    截至 {}", c.name, c.cadre_id, c.unit_name, c.rank, c.post, p.as_of);
    out!("参训知识储备度（0–100，│ 为岗位目标）");
    let w = p.dimensions.iter().map(|d| width(&d.dimension)).max().unwrap_or(8);
    for d in &p.dimensions {
        let target = match (d.target, d.gap) {
            (Some(t), Some(g)) if g > 0.0 => format!("目标 {t:.0}  缺口 {g:.1}"),
            (Some(t), _) => format!("目标 {t:.0}  已达标"),
            _ => "无目标".to_string(),
        };
        out!("  {} {} {:>5.1}  {}  同职级 P{:.0}", pad(&d.dimension, w), bar(d.reserve, d.target), d.reserve, target, d.percentile);
    }
    if !p.gaps_ranked.is_empty() {
        let gap = |name: &String| p.dimensions.iter().find(|d| &d.dimension == name).and_then(|d| d.gap).unwrap_or(0.0);
        out!("短板：{}", p.gaps_ranked.iter().take(3).map(|n| format!("{n}（缺口 {:.1}）", gap(n))).collect::<Vec<_>>().join("、"));
    }
}
