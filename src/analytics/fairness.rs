//! How training is spread: repeated training (重复培训), near-duplicate
//! courses, 培训专业户, the Gini coefficient of hours per unit, and cadres
//! with no training at all. All over a window of `window_years` ending on the
//! as-of date, on completed records.
//!
//! Rules (also in the README):
//! - repeated training: the same course completed twice within the window;
//!   near-duplicate: a course whose weight vector has cosine ≥ 0.95 with, and
//!   whose title (bracketed qualifiers removed) shares ≥ 50% of character
//!   bigrams with, a course the cadre completed before within the window;
//! - 培训专业户: class-based 学时 over the window above the 95th percentile of
//!   the same rank **and** over 3 × that rank's median;
//! - Gini over the unit's cadres' total 学时 in the window (0 = even, 1 = all on one).

use super::profile::CadreInfo;
use super::reserve::DAYS_PER_YEAR;
use crate::model::{Dataset, Day, NO_CLASS, date};
use rustc_hash::FxHashMap;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Repeat {
    pub cadre_id: String,
    pub name: String,
    pub course_id: String,
    pub title: String,
    pub first_date: String,
    pub repeat_date: String,
    /// `same` or `near` (a near-duplicate course: `first_course_id` differs).
    pub kind: &'static str,
    pub first_course_id: String,
    pub class_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NearDuplicate {
    pub course_a: String,
    pub course_b: String,
    pub cosine: f64,
    pub title_overlap: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FrequentTrainee {
    pub cadre: CadreInfo,
    pub class_hours: f64,
    pub classes: usize,
    pub peer_p95: f64,
    pub peer_median: f64,
    /// class_hours / peer_median.
    pub ratio: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitSpread {
    pub unit_id: String,
    pub unit_name: String,
    pub cadres: usize,
    pub gini: f64,
    pub never_trained: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Fairness {
    pub as_of: String,
    pub window_years: f64,
    pub repeats: Vec<Repeat>,
    /// Per class: how many of its records repeat a course the cadre had already completed.
    pub repeats_by_class: Vec<(String, usize)>,
    pub near_duplicates: Vec<NearDuplicate>,
    pub frequent_trainees: Vec<FrequentTrainee>,
    pub units: Vec<UnitSpread>,
    pub never_trained: Vec<CadreInfo>,
}

/// Character bigrams of a title without its bracketed qualifiers (`（专题讲座）`,
/// `(网络)`) — a format note does not make a different course.
fn bigrams(s: &str) -> Vec<(char, char)> {
    let mut depth = 0;
    let mut c: Vec<char> = Vec::new();
    for ch in s.chars() {
        match ch {
            '（' | '(' | '【' | '[' => depth += 1,
            '）' | ')' | '】' | ']' => depth = (depth - 1).max(0),
            _ if depth == 0 && !ch.is_whitespace() && !"「」:：,，、".contains(ch) => c.push(ch),
            _ => {}
        }
    }
    let mut v: Vec<(char, char)> = c.windows(2).map(|w| (w[0], w[1])).collect();
    v.sort();
    v.dedup();
    v
}

/// Share of character bigrams two titles have in common (Jaccard).
pub fn title_overlap(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let common = x.iter().filter(|p| y.binary_search(p).is_ok()).count();
    common as f64 / (x.len() + y.len() - common) as f64
}

pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let na: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na * nb) }
}

/// Pairs of distinct courses that are near-duplicates of each other.
pub fn near_duplicates(ds: &Dataset) -> Vec<NearDuplicate> {
    let n = ds.courses.len() as u32;
    let mut out = Vec::new();
    for a in 0..n {
        for b in a + 1..n {
            let cos = cosine(ds.weights(a), ds.weights(b));
            if cos < 0.95 {
                continue;
            }
            let t = title_overlap(&ds.courses.get(a).title, &ds.courses.get(b).title);
            if t >= 0.5 {
                out.push(NearDuplicate { course_a: ds.courses.id(a).into(), course_b: ds.courses.id(b).into(), cosine: cos, title_overlap: t });
            }
        }
    }
    out
}

/// Gini coefficient of non-negative values (0 when all are equal or all zero).
pub fn gini(values: &[f64]) -> f64 {
    let n = values.len();
    let total: f64 = values.iter().sum();
    if n == 0 || total <= 0.0 {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let weighted: f64 = v.iter().enumerate().map(|(i, x)| (i as f64 + 1.0) * x).sum();
    (2.0 * weighted) / (n as f64 * total) - (n as f64 + 1.0) / n as f64
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn member_mask(ds: &Dataset, cadres: &[u32]) -> Vec<bool> {
    let mut m = vec![false; ds.cadres.len()];
    for &c in cadres {
        m[c as usize] = true;
    }
    m
}

/// 培训专业户 among `cadres`: class-based 学时 in the window above the 95th
/// percentile of the same rank (city-wide) and over 3 × its median; most first.
pub fn frequent_trainees(ds: &Dataset, as_of: Day, window_years: f64, cadres: &[u32]) -> Vec<FrequentTrainee> {
    let window = (window_years * DAYS_PER_YEAR).round() as i32;
    let r = &ds.records;
    let mut class_hours = vec![0.0f64; ds.cadres.len()];
    let mut classes = vec![0usize; ds.cadres.len()];
    for c in 0..ds.cadres.len() as u32 {
        let mut seen: Vec<u32> = Vec::new();
        for i in r.cadre_range(c) {
            if r.completed[i] && r.class[i] != NO_CLASS && r.date[i] > as_of - window && r.date[i] <= as_of {
                class_hours[c as usize] += r.hours[i] as f64;
                if !seen.contains(&r.class[i]) {
                    seen.push(r.class[i]);
                }
            }
        }
        classes[c as usize] = seen.len();
    }
    let mut by_rank: FxHashMap<&str, Vec<f64>> = FxHashMap::default();
    for (c, _, cadre) in ds.cadres.iter() {
        by_rank.entry(cadre.rank.as_str()).or_default().push(class_hours[c as usize]);
    }
    for v in by_rank.values_mut() {
        v.sort_by(f64::total_cmp);
    }
    let mut frequent: Vec<FrequentTrainee> = cadres
        .iter()
        .filter_map(|&c| {
            let peers = &by_rank[ds.cadres.get(c).rank.as_str()];
            let (p95, median) = (quantile(peers, 0.95), quantile(peers, 0.5));
            let h = class_hours[c as usize];
            (h > p95 && h > 3.0 * median && h > 0.0).then(|| FrequentTrainee {
                cadre: CadreInfo::of(ds, c),
                class_hours: h,
                classes: classes[c as usize],
                peer_p95: p95,
                peer_median: median,
                ratio: if median > 0.0 { h / median } else { f64::INFINITY },
            })
        })
        .collect();
    frequent.sort_by(|a, b| b.class_hours.total_cmp(&a.class_hours).then_with(|| a.cadre.cadre_id.cmp(&b.cadre.cadre_id)));
    frequent
}

/// Fairness over the cadres of `cadres` (a unit, or everyone), with units listed for `units`.
pub fn fairness(ds: &Dataset, as_of: Day, window_years: f64, cadres: &[u32], units: &[u32]) -> Fairness {
    let window = (window_years * DAYS_PER_YEAR).round() as i32;
    let start = as_of - window;
    let in_window = |d: Day| d > start && d <= as_of;
    let r = &ds.records;
    let near = near_duplicates(ds);
    let mut near_of: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for p in &near {
        let (a, b) = (ds.courses.lookup(&p.course_a).unwrap(), ds.courses.lookup(&p.course_b).unwrap());
        near_of.entry(a).or_default().push(b);
        near_of.entry(b).or_default().push(a);
    }
    let member = member_mask(ds, cadres);

    // Repeats of the given cadres; total hours of everyone (for the units' spread).
    let mut repeats = Vec::new();
    let mut by_class: FxHashMap<u32, usize> = FxHashMap::default();
    let mut total_hours = vec![0.0f64; ds.cadres.len()];
    for c in 0..ds.cadres.len() as u32 {
        let mut seen: Vec<(u32, Day)> = Vec::new();
        for i in r.cadre_range(c) {
            if !r.completed[i] || !in_window(r.date[i]) {
                continue;
            }
            total_hours[c as usize] += r.hours[i] as f64;
            if !member[c as usize] {
                continue;
            }
            let (course, day) = (r.course[i], r.date[i]);
            let earlier = seen.iter().find(|(k, _)| *k == course).map(|x| (x.0, x.1, "same")).or_else(|| {
                let nears = near_of.get(&course)?;
                seen.iter().find(|(k, _)| nears.contains(k)).map(|x| (x.0, x.1, "near"))
            });
            if let Some((first_course, first_day, kind)) = earlier {
                repeats.push(Repeat {
                    cadre_id: ds.cadres.id(c).into(),
                    name: ds.cadres.get(c).name.clone(),
                    course_id: ds.courses.id(course).into(),
                    title: ds.courses.get(course).title.clone(),
                    first_date: date::format(first_day),
                    repeat_date: date::format(day),
                    kind,
                    first_course_id: ds.courses.id(first_course).into(),
                    class_id: (r.class[i] != NO_CLASS).then(|| ds.classes.id(r.class[i]).to_string()),
                });
                if r.class[i] != NO_CLASS {
                    *by_class.entry(r.class[i]).or_default() += 1;
                }
            }
            seen.push((course, day));
        }
    }
    let frequent = frequent_trainees(ds, as_of, window_years, cadres);

    let units_out: Vec<UnitSpread> = units
        .iter()
        .map(|&u| {
            let cs = super::layout::unit_cadres(ds, u, true);
            let hours: Vec<f64> = cs.iter().map(|&c| total_hours[c as usize]).collect();
            UnitSpread {
                unit_id: ds.units.id(u).into(),
                unit_name: ds.units.get(u).name.clone(),
                cadres: cs.len(),
                gini: gini(&hours),
                never_trained: hours.iter().filter(|&&h| h == 0.0).count(),
            }
        })
        .collect();
    let mut rbc: Vec<(String, usize)> = by_class.into_iter().map(|(k, v)| (ds.classes.id(k).to_string(), v)).collect();
    rbc.sort();
    Fairness {
        as_of: date::format(as_of),
        window_years,
        repeats,
        repeats_by_class: rbc,
        near_duplicates: near,
        frequent_trainees: frequent,
        units: units_out,
        never_trained: cadres.iter().filter(|&&c| total_hours[c as usize] == 0.0).map(|&c| CadreInfo::of(ds, c)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn gini_and_overlap() {
        assert_eq!(gini(&[5.0, 5.0, 5.0]), 0.0);
        assert!((gini(&[0.0, 0.0, 0.0, 12.0]) - 0.75).abs() < 1e-12);
        assert!((gini(&[1.0, 2.0, 3.0, 4.0]) - 0.25).abs() < 1e-12);
        assert_eq!(gini(&[]), 0.0);
        assert_eq!(title_overlap("廉政警示教育", "廉政警示教育"), 1.0);
        assert!(title_overlap("廉政警示教育（专题讲座）", "廉政警示教育（网络课程）") >= 0.5);
        assert!(title_overlap("宪法学习专题", "心理健康与幸福感") < 0.1);
        assert!((cosine(&[1.0, 0.0], &[0.6, 0.0]) - 1.0).abs() < 1e-12);
    }
}
