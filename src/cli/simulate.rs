//! `zhichu simulate`: a cadre's reserves now and after taking one course on
//! the as-of date — the predicted radar the pages draw when a recommended
//! course is tapped.

use super::Fail;
use super::term::out;
use super::term::{pad, width};
use zhichu::analytics::recommend::Simulation;
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::SimulateRequest;

pub type Args = super::Ask<SimulateRequest>;

pub fn run(a: Args) -> Result<i32, Fail> {
    a.answer(Question::Simulate, Answer::simulate, view)
}

fn view(s: &Simulation) {
    out!("学完「{}」（{}）后的预测储备度，截至 {}", s.title, s.course_id, s.as_of);
    let w = s.dimensions.iter().map(|d| width(d)).max().unwrap_or(8);
    for (d, name) in s.dimensions.iter().enumerate() {
        let up = s.after[d] - s.before[d];
        out!("  {} {:>5.1} → {:>5.1}{}", pad(name, w), s.before[d], s.after[d], if up > 0.05 { format!("  +{up:.1}") } else { String::new() });
    }
}
