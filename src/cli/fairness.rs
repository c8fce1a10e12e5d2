//! `zhichu fairness`: repeated training, 培训专业户, how evenly training is
//! spread over a unit's cadres, and who had none.

use super::Fail;
use super::term::out;
use zhichu::analytics::fairness::Fairness;
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::FairnessRequest;

pub type Args = super::Ask<FairnessRequest>;

pub fn run(a: Args) -> Result<i32, Fail> {
    a.answer(Question::Fairness, Answer::fairness, view)
}

fn view(f: &Fairness) {
    out!("截至 {}，近 {} 年", f.as_of, f.window_years);
    out!(
        "重复培训 {} 次（同一课程 {}，相近课程 {}）",
        f.repeats.len(),
        f.repeats.iter().filter(|r| r.kind == "same").count(),
        f.repeats.iter().filter(|r| r.kind == "near").count()
    );
    for r in f.repeats.iter().take(10) {
        out!(
            "  {} {} {}：{} → {}{}",
            r.cadre_id,
            r.name,
            r.title,
            r.first_date,
            r.repeat_date,
            if r.kind == "near" { format!("（与 {} 相近）", r.first_course_id) } else { String::new() }
        );
    }
    out!("培训专业户（班次学时高于同职级 P95 且超过中位数 3 倍）{} 人", f.frequent_trainees.len());
    for t in f.frequent_trainees.iter().take(10) {
        out!(
            "  {} {} {} · {} 学时 / {} 个班次（同职级中位数 {:.0}，{:.1} 倍）",
            t.cadre.cadre_id,
            t.cadre.name,
            t.cadre.rank,
            t.class_hours,
            t.classes,
            t.peer_median,
            t.ratio
        );
    }
    out!("从未参训 {} 人", f.never_trained.len());
    let mut units = f.units.clone();
    units.sort_by(|a, b| b.gini.total_cmp(&a.gini));
    for u in units.iter().filter(|u| u.cadres > 0).take(5) {
        out!("  {} 基尼系数 {:.2}，未参训 {} / {}", u.unit_name, u.gini, u.never_trained, u.cadres);
    }
}
