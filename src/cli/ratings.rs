//! `zhichu ratings`: course or teacher ratings — shrunk means with intervals,
//! trend, distribution, the best and the weakest.

use super::term::out;
use super::{DataArgs, Fail, load};
use zhichu::analytics::ratings::RatingTable;
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::RatingsRequest;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    req: RatingsRequest,
    /// Rows to print (text view).
    #[arg(long, default_value_t = 20)]
    top: usize,
    #[command(flatten)]
    out: super::Output,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    a.out.ask(&mut super::quiet(load(&a.data)?), Question::Ratings(a.req), Answer::ratings, |t| view(t, a.top))?;
    Ok(0)
}

fn view(t: &RatingTable, top: usize) {
    out!("{}评分（修正均值 = 向总体均值 {:.2} 收缩 {} 票；区间约 95%）", if t.by == "teacher" { "教师" } else { "课程" }, t.overall_mean, t.prior_weight);
    for (i, r) in t.rows.iter().take(top).enumerate() {
        let mean = r.mean.map(|m| format!("{m:.2}")).unwrap_or_else(|| "—".into());
        out!("{:>3}. {} {}  修正 {:.2} [{:.2}, {:.2}]  原始 {} ({} 票)  选课 {}", i + 1, r.id, r.name, r.shrunk, r.low, r.high, mean, r.n, r.records);
    }
    out!("优质受欢迎：{}", t.excellent_and_popular.join("、"));
    out!("评分低或少人选：{}", t.poor_or_rare.join("、"));
}
