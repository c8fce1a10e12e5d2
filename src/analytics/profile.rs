//! One cadre's knowledge-reserve profile: reserve, target, gap and percentile
//! per dimension, the records that make up each number, and the trend.

use super::reserve::Model;
use super::snapshot::Snapshot;
use super::targets::targets;
use crate::model::{Dataset, Day, date};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CadreInfo {
    pub cadre_id: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub rank: String,
    pub post: String,
}

impl CadreInfo {
    pub fn of(ds: &Dataset, cadre: u32) -> CadreInfo {
        let c = ds.cadres.get(cadre);
        CadreInfo {
            cadre_id: ds.cadres.id(cadre).into(),
            name: c.name.clone(),
            unit_id: ds.units.id(c.unit).into(),
            unit_name: ds.units.get(c.unit).name.clone(),
            rank: c.rank.clone(),
            post: c.post.clone(),
        }
    }
}

/// One record's share of a dimension's evidence.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Contribution {
    pub course_id: String,
    pub title: String,
    pub date: String,
    pub hours: f64,
    /// `m_r`: score/100, the completion credit, or 0.
    pub credit: f64,
    /// `2^(−age/H)`.
    pub decay: f64,
    /// The course's weight in this dimension.
    pub weight: f64,
    pub contribution: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DimProfile {
    pub dimension: String,
    pub reserve: f64,
    pub target: Option<f64>,
    pub gap: Option<f64>,
    /// Among cadres of the same rank, mid-rank for ties.
    pub percentile: f64,
    pub peer_median: Option<f64>,
    pub evidence: f64,
    /// Sorted by contribution, largest first; they sum to `evidence`.
    pub contributions: Vec<Contribution>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrendPoint {
    pub date: String,
    pub reserves: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Profile {
    pub cadre: CadreInfo,
    pub as_of: String,
    pub dimensions: Vec<DimProfile>,
    /// The open gaps (短板), largest first: dimension names. Every face lists gaps in this order.
    pub gaps_ranked: Vec<String>,
    pub trend: Vec<TrendPoint>,
}

/// The dates of the trend: each year-end from the first record's year up to
/// the as-of date, and the as-of date itself.
fn trend_dates(ds: &Dataset, cadre: u32, as_of: Day) -> Vec<Day> {
    let range = ds.records.cadre_range(cadre);
    let Some(&first) = ds.records.date[range].first() else { return vec![as_of] };
    let mut out: Vec<Day> = (date::year(first)..=date::year(as_of)).map(date::year_end).filter(|&d| d < as_of).collect();
    out.push(as_of);
    out
}

pub fn profile(ds: &Dataset, snap: &Snapshot, cadre: u32) -> Profile {
    let model: &Model = &snap.model;
    let as_of = snap.as_of;
    let n = ds.n_dims();
    let mut evidence = vec![0.0; n];
    let mut contributions: Vec<Vec<Contribution>> = vec![Vec::new(); n];
    let r = &ds.records;
    for i in r.cadre_range(cadre) {
        let Some(f) = model.factors(ds, i, as_of) else { break };
        let w = ds.weights(r.course[i]);
        for d in 0..n {
            if w[d] == 0.0 {
                continue;
            }
            let amount = r.hours[i] as f64 * f.credit * f.decay * w[d] as f64;
            evidence[d] += amount;
            contributions[d].push(Contribution {
                course_id: ds.courses.id(r.course[i]).into(),
                title: ds.courses.get(r.course[i]).title.clone(),
                date: date::format(r.date[i]),
                hours: r.hours[i] as f64,
                credit: f.credit,
                decay: f.decay,
                weight: w[d] as f64,
                contribution: amount,
            });
        }
    }
    let rank = &ds.cadres.get(cadre).rank;
    let tg = targets(ds, cadre);
    let dimensions: Vec<DimProfile> = (0..n)
        .map(|d| {
            let dim = ds.dimensions.get(d as u32);
            let reserve = Model::reserve(evidence[d], dim.saturation_hours);
            let mut c = std::mem::take(&mut contributions[d]);
            c.sort_by(|a, b| b.contribution.total_cmp(&a.contribution).then_with(|| a.date.cmp(&b.date)));
            DimProfile {
                dimension: dim.name.clone(),
                reserve,
                target: tg[d],
                gap: tg[d].map(|t| (t - reserve).max(0.0)),
                percentile: snap.percentile(ds, cadre, d),
                peer_median: snap.peer_median(rank, d),
                evidence: evidence[d],
                contributions: c,
            }
        })
        .collect();
    let trend = trend_dates(ds, cadre, as_of)
        .into_iter()
        .map(|day| {
            let rs = model.reserves(ds, cadre, day);
            TrendPoint { date: date::format(day), reserves: ds.dimensions.items().iter().zip(rs).map(|(d, v)| (d.name.clone(), v)).collect() }
        })
        .collect();
    let gaps_ranked = rank_gaps(&dimensions);
    Profile { cadre: CadreInfo::of(ds, cadre), as_of: date::format(as_of), dimensions, gaps_ranked, trend }
}

/// Dimensions with an open gap, largest gap first (ties in taxonomy order).
fn rank_gaps(dims: &[DimProfile]) -> Vec<String> {
    let mut open: Vec<&DimProfile> = dims.iter().filter(|d| d.gap.is_some_and(|g| g > 0.0)).collect();
    open.sort_by(|a, b| b.gap.unwrap_or(0.0).total_cmp(&a.gap.unwrap_or(0.0)));
    open.into_iter().map(|d| d.dimension.clone()).collect()
}
