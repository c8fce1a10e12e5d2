//! `zhichu layout`: a unit's training layout (培训布局) — 学时 per dimension
//! per year, reserve against the parent unit or the city, coverage, weak
//! points. Without `--unit`: the top-level units ranked per dimension.

use super::Fail;
use super::term::{out, out_part};
use super::term::{pad, width};
use zhichu::analytics::layout::{Layout, UnitRank};
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::{AsOfRequest, LayoutRequest};

pub type Args = super::Ask<LayoutRequest>;

pub fn run(a: Args) -> Result<i32, Fail> {
    if a.req.unit.trim().is_empty() {
        a.answer(|r| Question::CityRanking(AsOfRequest { as_of: r.as_of }), Answer::city_ranking, |r| city_ranking(r))
    } else {
        a.answer(Question::Layout, Answer::layout, view)
    }
}

fn view(l: &Layout) {
    out!(
        "{}（{}）培训布局 · {} 名干部{} · 截至 {} · 对比：{}",
        l.unit_name,
        l.unit_id,
        l.cadres,
        if l.include_subunits { "（含下级单位）" } else { "" },
        l.as_of,
        if l.compared_with == "city" { "全市" } else { &l.compared_with }
    );
    let w = l.dimensions.iter().map(|d| width(&d.dimension)).max().unwrap_or(8);
    out_part!("  {}", pad("维度", w));
    for y in &l.years {
        out_part!(" {y:>6}");
    }
    out!("   储备度 对比   覆盖率  短板人数");
    for d in &l.dimensions {
        out_part!("  {}", pad(&d.dimension, w));
        for h in &d.hours_by_year {
            out_part!(" {h:>6.0}");
        }
        out!("   {:>5.1} {:>5.1}  {:>5.0}%  {:>6}", d.mean_reserve, d.compare_mean_reserve, d.coverage * 100.0, d.cadres_short);
    }
    out!("薄弱点（按平均缺口）：{}", if l.weak_points.is_empty() { "无".to_string() } else { l.weak_points.join(" > ") });
}

fn city_ranking(r: &[(String, Vec<UnitRank>)]) {
    for (dim, units) in r {
        let top: Vec<String> = units.iter().take(3).map(|u| format!("{} {:.1}", u.unit_name, u.mean_reserve)).collect();
        let bottom: Vec<String> = units.iter().rev().take(3).map(|u| format!("{} {:.1}", u.unit_name, u.mean_reserve)).collect();
        out!("{}：前 {} … 后 {}", dim, top.join("、"), bottom.join("、"));
    }
}
