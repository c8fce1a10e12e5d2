//! `zhichu recommend`: the courses that would close most of a cadre's gaps,
//! each with its reason and expected gain.

use super::Fail;
use super::term::out;
use zhichu::analytics::Recommendations;
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::RecommendRequest;

pub type Args = super::Ask<RecommendRequest>;

pub fn run(a: Args) -> Result<i32, Fail> {
    a.answer(Question::Recommend, Answer::recommend, view)
}

fn view(r: &Recommendations) {
    let c = &r.cadre;
    out!("为 {}（{}）推荐课程，截至 {}", c.name, c.cadre_id, r.as_of);
    if r.recommendations.is_empty() {
        out!("  没有能提高储备度的可选课程（近 {} 年已学过的课程不再推荐）。", r.repeat_window_years);
    }
    for (i, x) in r.recommendations.iter().enumerate() {
        let rating = match x.rating.mean {
            Some(m) => format!("★{m:.1}（{}人评，修正后 {:.2}）", x.rating.n, x.rating.shrunk),
            None => "暂无评分".into(),
        };
        out!("{:>2}. {} {}  {}学时 {}  {}", i + 1, x.course_id, x.title, x.hours, x.mode, rating);
        out!("    {}", x.reason);
    }
}
