//! Course recommendations for one cadre.
//!
//! For every course in the catalogue, simulate taking it on the as-of date
//! (its 学时 × the completion credit, no decay) and compute each dimension's
//! gain in reserve, capped by that dimension's gap. Rank by
//! `utility = Σ_d capped gain_d × (gap_d / largest gap) × (shrunk rating / 5) / 学时^hours_exponent`:
//! closing more of the gaps ranks higher, the largest gap (the 短板) counts
//! most, better-rated courses rank higher, and for the same gain a shorter
//! course ranks higher. Courses the cadre completed
//! within `repeat_window_years` are never proposed (避免重复培训). When a
//! cadre has no open gap (or no requirement applies), the gaps are measured
//! against 100, and the reason says 提升 instead of 补短板.

use super::profile::CadreInfo;
use super::ratings::{RatingSummary, course_ratings};
use super::reserve::{DAYS_PER_YEAR, Model};
use super::snapshot::Snapshot;
use super::targets::targets;
use crate::model::{Dataset, date};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default)]
pub struct RecommendParams {
    pub top: usize,
    pub repeat_window_years: f64,
    /// `C` of the shrunk rating.
    pub rating_prior_weight: f64,
    /// How strongly hours count against a course (0 = not at all).
    pub hours_exponent: f64,
}

impl Default for RecommendParams {
    fn default() -> Self {
        RecommendParams {
            top: crate::policy::RECOMMEND_TOP,
            repeat_window_years: crate::policy::REPEAT_WINDOW_YEARS,
            rating_prior_weight: crate::policy::RATING_PRIOR_WEIGHT,
            hours_exponent: 0.25,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DimGain {
    pub dimension: String,
    pub gain: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Recommendation {
    pub course_id: String,
    pub title: String,
    pub hours: f64,
    pub mode: &'static str,
    pub rating: RatingSummary,
    /// Expected gain per dimension (capped by the gap), largest first; only non-zero gains.
    pub gains: Vec<DimGain>,
    pub total_gain: f64,
    pub utility: f64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Recommendations {
    pub cadre: CadreInfo,
    pub as_of: String,
    /// `gap` when gaps against targets were closed, `growth` when measured against 100.
    pub basis: &'static str,
    /// Courses completed within this many years were left out.
    pub repeat_window_years: f64,
    pub recommendations: Vec<Recommendation>,
}

/// A cadre's reserves now and after taking one course on the as-of date
/// (its 学时 × the completion credit, no decay): the predicted radar.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Simulation {
    pub course_id: String,
    pub title: String,
    pub as_of: String,
    pub dimensions: Vec<String>,
    pub before: Vec<f64>,
    pub after: Vec<f64>,
}

pub fn simulate(ds: &Dataset, snap: &Snapshot, cadre: u32, course: u32) -> Simulation {
    let model = snap.model;
    let mut e = vec![0.0; ds.n_dims()];
    model.add_evidence(ds, cadre, snap.as_of, &mut e);
    let k = ds.courses.get(course);
    let amount = k.hours * model.completion_credit;
    let w = ds.weights(course);
    let dims = ds.dimensions.items();
    Simulation {
        course_id: ds.courses.id(course).into(),
        title: k.title.clone(),
        as_of: date::format(snap.as_of),
        dimensions: dims.iter().map(|d| d.name.clone()).collect(),
        before: dims.iter().enumerate().map(|(d, dim)| Model::reserve(e[d], dim.saturation_hours)).collect(),
        after: dims.iter().enumerate().map(|(d, dim)| Model::reserve(e[d] + amount * w[d] as f64, dim.saturation_hours)).collect(),
    }
}

pub fn recommend(ds: &Dataset, snap: &Snapshot, cadre: u32, params: &RecommendParams) -> Recommendations {
    let ratings: Vec<RatingSummary> = course_ratings(ds, params.rating_prior_weight);
    recommend_with(ds, snap, cadre, params, &ratings)
}

/// As `recommend`, with course ratings computed once by the caller.
pub fn recommend_with(ds: &Dataset, snap: &Snapshot, cadre: u32, params: &RecommendParams, ratings: &[RatingSummary]) -> Recommendations {
    let model: Model = snap.model;
    let as_of = snap.as_of;
    let n = ds.n_dims();
    let mut evidence = vec![0.0; n];
    model.add_evidence(ds, cadre, as_of, &mut evidence);
    let sat: Vec<f64> = ds.dimensions.items().iter().map(|d| d.saturation_hours).collect();
    let reserve: Vec<f64> = (0..n).map(|d| Model::reserve(evidence[d], sat[d])).collect();
    let tg = targets(ds, cadre);
    let mut gaps: Vec<f64> = (0..n).map(|d| tg[d].map_or(0.0, |t| (t - reserve[d]).max(0.0))).collect();
    let basis = if gaps.iter().any(|&g| g > 0.0) {
        "gap"
    } else {
        gaps = reserve.iter().map(|r| 100.0 - r).collect();
        "growth"
    };

    let max_gap = gaps.iter().copied().fold(0.0, f64::max).max(1e-9);

    // Courses completed within the repeat window.
    let window_days = (params.repeat_window_years * DAYS_PER_YEAR).round() as i32;
    let mut recent = vec![false; ds.courses.len()];
    let r = &ds.records;
    for i in r.cadre_range(cadre) {
        if r.completed[i] && r.date[i] <= as_of && as_of - r.date[i] < window_days {
            recent[r.course[i] as usize] = true;
        }
    }

    let mut out: Vec<Recommendation> = Vec::new();
    for (c, id, course) in ds.courses.iter() {
        if recent[c as usize] || course.hours <= 0.0 {
            continue;
        }
        let amount = course.hours * model.completion_credit;
        let w = ds.weights(c);
        let mut gains: Vec<(usize, f64)> = (0..n)
            .filter(|&d| w[d] > 0.0 && gaps[d] > 0.0)
            .map(|d| (d, Model::capped_gain(evidence[d], amount * w[d] as f64, sat[d], gaps[d])))
            .filter(|&(_, g)| g > 1e-9)
            .collect();
        let total: f64 = gains.iter().map(|g| g.1).sum();
        if total < 0.05 {
            continue;
        }
        gains.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let rating = ratings[c as usize];
        let weighted: f64 = gains.iter().map(|&(d, g)| g * gaps[d] / max_gap).sum();
        let utility = weighted * (rating.shrunk / 5.0) / course.hours.powf(params.hours_exponent);
        let name = |d: usize| ds.dimensions.get(d as u32).name.as_str();
        let mut reason = if basis == "gap" {
            format!("补「{}」短板，预计 +{:.1}", name(gains[0].0), gains[0].1)
        } else {
            format!("提升「{}」，预计 +{:.1}", name(gains[0].0), gains[0].1)
        };
        let also: Vec<String> = gains.iter().skip(1).take(2).filter(|g| g.1 >= 1.0).map(|&(d, g)| format!("「{}」+{:.1}", name(d), g)).collect();
        if !also.is_empty() {
            reason.push_str(&format!("，兼顾{}", also.join("、")));
        }
        out.push(Recommendation {
            course_id: id.into(),
            title: course.title.clone(),
            hours: course.hours,
            mode: course.mode.label(),
            rating,
            gains: gains.iter().map(|&(d, g)| DimGain { dimension: name(d).into(), gain: g }).collect(),
            total_gain: total,
            utility,
            reason,
        });
    }
    out.sort_by(|a, b| b.utility.total_cmp(&a.utility).then_with(|| a.course_id.cmp(&b.course_id)));
    out.truncate(params.top);
    Recommendations {
        cadre: CadreInfo::of(ds, cadre),
        as_of: date::format(as_of),
        basis,
        repeat_window_years: params.repeat_window_years,
        recommendations: out,
    }
}
