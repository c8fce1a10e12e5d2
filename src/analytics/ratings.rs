//! Course ratings with shrinkage: a course's mean is pulled towards the
//! overall mean by `prior_weight` pseudo-votes, so three 5-star votes do not
//! outrank two hundred 4.7s.

use crate::model::Dataset;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq)]
pub struct RatingSummary {
    pub n: u32,
    /// Raw mean (absent without ratings).
    pub mean: Option<f64>,
    /// `(C·m + Σx) / (C + n)`, m the mean over all ratings, C the prior weight.
    pub shrunk: f64,
}

/// `(C·m + Σx) / (C + n)`: a mean pulled towards the overall mean `m` by `C` pseudo-votes.
pub fn shrink(sum: f64, n: u32, prior_weight: f64, overall: f64) -> f64 {
    (prior_weight * overall + sum) / (prior_weight + n as f64)
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
    sum.iter().zip(&n).map(|(&s, &k)| RatingSummary { n: k, mean: (k > 0).then(|| s / k as f64), shrunk: shrink(s, k, prior_weight, global) }).collect()
}

/// A rating table row: a course or a teacher, with a shrunk mean, its interval, trend and distribution.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RatingDetail {
    pub id: String,
    pub name: String,
    pub n: u32,
    pub mean: Option<f64>,
    pub shrunk: f64,
    /// An approximate 95% interval of the shrunk mean: ± 1.96 · sd / √(C + n).
    pub low: f64,
    pub high: f64,
    /// Mean per year, `(year, mean, n)`.
    pub by_year: Vec<(i32, f64, u32)>,
    /// Counts of ratings rounded to 1, 2, 3, 4, 5.
    pub distribution: [u32; 5],
    /// Courses: records of the course (how often it was chosen). Teachers: records of their courses.
    pub records: usize,
    /// Teachers only: mean rating per dimension taught (weighted by the courses' weights).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_dimension: Vec<(String, f64)>,
}

/// Courses or teachers ranked by the lower end of their interval, best first,
/// plus the lists the rating page shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RatingTable {
    pub by: &'static str,
    pub prior_weight: f64,
    pub overall_mean: f64,
    pub rows: Vec<RatingDetail>,
    /// 优质受欢迎: interval's lower end in the top quarter and chosen at least as often as the median.
    pub excellent_and_popular: Vec<String>,
    /// Rated poorly (shrunk mean in the bottom tenth) or rarely chosen (under a quarter of the median).
    pub poor_or_rare: Vec<String>,
}

struct Acc {
    sum: f64,
    n: u32,
    years: std::collections::BTreeMap<i32, (f64, u32)>,
    dist: [u32; 5],
}

pub fn rating_table(ds: &Dataset, by_teacher: bool, prior_weight: f64) -> RatingTable {
    let n_items = if by_teacher { ds.teachers.len() } else { ds.courses.len() };
    let mut acc: Vec<Acc> = (0..n_items).map(|_| Acc { sum: 0.0, n: 0, years: Default::default(), dist: [0; 5] }).collect();
    let mut dim_acc = vec![vec![(0.0f64, 0.0f64); ds.n_dims()]; if by_teacher { n_items } else { 0 }];
    let (mut total, mut total_sq, mut count) = (0.0, 0.0, 0u32);
    for r in &ds.ratings {
        let s = r.score as f64;
        total += s;
        total_sq += s * s;
        count += 1;
        let item = if by_teacher {
            match r.teacher.or(ds.courses.get(r.course).teacher) {
                Some(t) => t,
                None => continue,
            }
        } else {
            r.course
        };
        let a = &mut acc[item as usize];
        a.sum += s;
        a.n += 1;
        if let Some(d) = r.date {
            let e = a.years.entry(crate::model::date::year(d)).or_insert((0.0, 0));
            e.0 += s;
            e.1 += 1;
        }
        a.dist[(s.round().clamp(1.0, 5.0) as usize) - 1] += 1;
        if by_teacher {
            for (d, &w) in ds.weights(r.course).iter().enumerate() {
                dim_acc[item as usize][d].0 += s * w as f64;
                dim_acc[item as usize][d].1 += w as f64;
            }
        }
    }
    let overall = if count > 0 { total / count as f64 } else { 4.0 };
    let sd = if count > 1 { ((total_sq - total * total / count as f64) / (count - 1) as f64).max(0.0).sqrt() } else { 1.0 };
    let mut chosen = vec![0usize; n_items];
    for i in 0..ds.records.len() {
        let c = ds.records.course[i];
        let item = if by_teacher { ds.courses.get(c).teacher } else { Some(c) };
        if let Some(it) = item {
            chosen[it as usize] += 1;
        }
    }
    let mut rows: Vec<RatingDetail> = acc
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let shrunk = shrink(a.sum, a.n, prior_weight, overall);
            let half = 1.96 * sd / (prior_weight + a.n as f64).sqrt();
            let (id, name) = if by_teacher {
                (ds.teachers.id(i as u32).to_string(), ds.teachers.get(i as u32).name.clone())
            } else {
                (ds.courses.id(i as u32).to_string(), ds.courses.get(i as u32).title.clone())
            };
            RatingDetail {
                id,
                name,
                n: a.n,
                mean: (a.n > 0).then(|| a.sum / a.n as f64),
                shrunk,
                low: (shrunk - half).max(1.0),
                high: (shrunk + half).min(5.0),
                by_year: a.years.iter().map(|(y, (s, k))| (*y, s / *k as f64, *k)).collect(),
                distribution: a.dist,
                records: chosen[i],
                by_dimension: if by_teacher {
                    dim_acc[i].iter().enumerate().filter(|(_, x)| x.1 > 0.0).map(|(d, x)| (ds.dimensions.get(d as u32).name.clone(), x.0 / x.1)).collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    // Ranked by the interval's lower bound: a few perfect votes carry a wide
    // interval and cannot outrank many slightly lower ones.
    rows.sort_by(|a, b| b.low.total_cmp(&a.low).then(b.shrunk.total_cmp(&a.shrunk)).then_with(|| a.id.cmp(&b.id)));
    let quantile = |mut v: Vec<f64>, q: f64| -> f64 {
        if v.is_empty() {
            return 0.0;
        }
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * q).round() as usize]
    };
    let top = quantile(rows.iter().map(|r| r.low).collect(), 0.75);
    let bottom = quantile(rows.iter().map(|r| r.shrunk).collect(), 0.10);
    let median_chosen = quantile(rows.iter().map(|r| r.records as f64).collect(), 0.5);
    RatingTable {
        by: if by_teacher { "teacher" } else { "course" },
        prior_weight,
        overall_mean: overall,
        excellent_and_popular: rows.iter().filter(|r| r.low >= top && r.records as f64 >= median_chosen).map(|r| r.id.clone()).collect(),
        poor_or_rare: rows.iter().filter(|r| r.shrunk <= bottom || (r.records as f64) < 0.25 * median_chosen).map(|r| r.id.clone()).collect(),
        rows,
    }
}
