//! Course ratings with shrinkage: a course's mean is pulled towards the
//! overall mean by `prior_weight` pseudo-votes, so three 5-star votes do not
//! outrank two hundred 4.7s.

use crate::model::Dataset;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct RatingSummary {
    pub n: u32,
    /// Raw mean (absent without ratings).
    pub mean: Option<f64>,
    /// `(C·m + Σx) / (C + n)`, m the mean over all ratings, C the prior weight.
    pub shrunk: f64,
}

/// Per course, in course order.
pub fn course_ratings(ds: &Dataset, prior_weight: f64) -> Vec<RatingSummary> {
    let mut sum = vec![0.0f64; ds.courses.len()];
    let mut n = vec![0u32; ds.courses.len()];
    for r in &ds.ratings {
        sum[r.course as usize] += r.score as f64;
        n[r.course as usize] += 1;
    }
    let total_n: u32 = n.iter().sum();
    let global = if total_n > 0 { sum.iter().sum::<f64>() / total_n as f64 } else { 4.0 };
    sum.iter()
        .zip(&n)
        .map(|(&s, &k)| RatingSummary {
            n: k,
            mean: (k > 0).then(|| s / k as f64),
            shrunk: (prior_weight * global + s) / (prior_weight + k as f64),
        })
        .collect()
}
