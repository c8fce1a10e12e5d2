//! Unit training layout (培训布局, Chengdu's Fig. 4): for a unit (and the
//! units below it) over a span of years, 学时 per dimension per year, mean
//! reserve per dimension against the city (or parent) mean, coverage, and
//! weak points ranked.
//!
//! - 学时 per dimension per year: Σ hours × weight over completed records of
//!   the unit's cadres dated in that year;
//! - coverage: share of the unit's cadres with a completed record touching the
//!   dimension (weight > 0) in the last `coverage_years` before the as-of date;
//! - weak point score: the mean shortfall Σ max(0, target − reserve) / cadres,
//!   which grows both with how far cadres are short and with how many are.

use super::snapshot::Snapshot;
use super::targets::targets;
use crate::model::{Dataset, date};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DimLayout {
    pub dimension: String,
    /// 学时 per year, aligned with `Layout::years`.
    pub hours_by_year: Vec<f64>,
    pub mean_reserve: f64,
    /// Mean reserve of the comparison group (the parent unit's subtree, or the city).
    pub compare_mean_reserve: f64,
    pub coverage: f64,
    /// Cadres with a target in this dimension who are below it.
    pub cadres_short: usize,
    pub mean_shortfall: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Layout {
    pub unit_id: String,
    pub unit_name: String,
    pub include_subunits: bool,
    pub cadres: usize,
    pub as_of: String,
    pub years: Vec<i32>,
    /// `city` or the parent unit's id.
    pub compared_with: String,
    pub coverage_years: f64,
    pub dimensions: Vec<DimLayout>,
    /// Dimension names, weakest first (by mean shortfall); only those with a shortfall.
    pub weak_points: Vec<String>,
}

pub struct LayoutParams {
    pub years: (i32, i32),
    pub include_subunits: bool,
    pub coverage_years: f64,
}

/// What a group's layout numbers in one dimension are made of: counts and
/// sums over its cadres (a host that splits the cadres adds these up itself).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DimSums {
    pub cadres: usize,
    /// Σ reserve, as the snapshot keeps it ([`super::snapshot::kept`]).
    pub reserve: f64,
    /// Cadres covered (a completed record touching the dimension in the coverage window).
    pub covered: usize,
    /// Cadres below their target.
    pub short: usize,
    /// Σ [`shortfall`] over them.
    pub shortfall: f64,
}

/// A cadre's shortfall in a dimension: how far the reserve (as the snapshot
/// keeps it) is below the target, when it is.
pub fn shortfall(target: Option<f64>, reserve: f64) -> Option<f64> {
    target.map(|t| t - reserve).filter(|&gap| gap > 0.0)
}

/// A mean from a sum and a count (0 for none).
pub fn mean(sum: f64, n: usize) -> f64 {
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// The layout's numbers of one dimension, from its sums and the comparison group's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DimNumbers {
    pub mean_reserve: f64,
    pub compare_mean_reserve: f64,
    pub coverage: f64,
    pub cadres_short: usize,
    pub mean_shortfall: f64,
}

pub fn dim_numbers(s: &DimSums, compare: &DimSums) -> DimNumbers {
    let k = s.cadres.max(1) as f64;
    DimNumbers {
        mean_reserve: mean(s.reserve, s.cadres),
        compare_mean_reserve: mean(compare.reserve, compare.cadres),
        coverage: s.covered as f64 / k,
        cadres_short: s.short,
        mean_shortfall: s.shortfall / k,
    }
}

/// The weak points: the dimensions with a shortfall, weakest first (by mean
/// shortfall, then taxonomy order), as positions.
pub fn weak_order(mean_shortfall: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..mean_shortfall.len()).filter(|&d| mean_shortfall[d] > 0.0).collect();
    order.sort_by(|&a, &b| mean_shortfall[b].total_cmp(&mean_shortfall[a]).then(a.cmp(&b)));
    order
}

/// The layout's years when none are asked for: the [`crate::policy::LAYOUT_YEARS`] years up to the as-of year.
pub fn default_years(as_of_year: i32) -> (i32, i32) {
    (as_of_year - crate::policy::LAYOUT_YEARS + 1, as_of_year)
}

/// What a group of cadres is compared with: its parent unit's id, or `city`.
pub fn compared_with(parent: Option<&str>) -> String {
    parent.unwrap_or("city").to_string()
}

/// The reserve sums of a group of cadres per dimension (cadres and Σ reserve only).
fn reserve_sums(snap: &Snapshot, cadres: &[u32], n_dims: usize) -> Vec<DimSums> {
    let mut m = vec![DimSums { cadres: cadres.len(), ..Default::default() }; n_dims];
    for &c in cadres {
        for (d, x) in m.iter_mut().enumerate() {
            x.reserve += snap.reserve(c, d);
        }
    }
    m
}

fn mean_reserves(snap: &Snapshot, cadres: &[u32], n_dims: usize) -> Vec<f64> {
    reserve_sums(snap, cadres, n_dims).iter().map(|s| mean(s.reserve, s.cadres)).collect()
}

/// The cadres of a unit, or of it and every unit below it.
pub fn unit_cadres(ds: &Dataset, unit: u32, include_subunits: bool) -> Vec<u32> {
    let units = if include_subunits { ds.unit_subtree(unit) } else { vec![unit] };
    let mut member = vec![false; ds.units.len()];
    for u in units {
        member[u as usize] = true;
    }
    (0..ds.cadres.len() as u32).filter(|&c| member[ds.cadres.get(c).unit as usize]).collect()
}

/// The cadres and units of a unit's subtree, or of the whole city.
pub fn scope(ds: &Dataset, unit: Option<u32>) -> (Vec<u32>, Vec<u32>) {
    match unit {
        Some(u) => (unit_cadres(ds, u, true), ds.unit_subtree(u)),
        None => ((0..ds.cadres.len() as u32).collect(), (0..ds.units.len() as u32).collect()),
    }
}

pub fn layout(ds: &Dataset, snap: &Snapshot, unit: u32, p: &LayoutParams) -> Layout {
    let n = ds.n_dims();
    let cadres = unit_cadres(ds, unit, p.include_subunits);
    let years: Vec<i32> = (p.years.0..=p.years.1).collect();
    let mut hours = vec![vec![0.0; years.len()]; n];
    let mut covered = vec![0usize; n];
    let window = (p.coverage_years * super::reserve::DAYS_PER_YEAR).round() as i32;
    let r = &ds.records;
    let mut touched = vec![false; n];
    for &c in &cadres {
        touched.iter_mut().for_each(|t| *t = false);
        for i in r.cadre_range(c) {
            if !r.completed[i] {
                continue;
            }
            let w = ds.weights(r.course[i]);
            let y = date::year(r.date[i]);
            if let Some(yi) = years.iter().position(|&x| x == y) {
                for d in 0..n {
                    hours[d][yi] += r.hours[i] as f64 * w[d] as f64;
                }
            }
            if r.date[i] <= snap.as_of && snap.as_of - r.date[i] < window {
                for d in 0..n {
                    if w[d] > 0.0 {
                        touched[d] = true;
                    }
                }
            }
        }
        for d in 0..n {
            covered[d] += touched[d] as usize;
        }
    }
    let mut sums = reserve_sums(snap, &cadres, n);
    let parent = ds.units.get(unit).parent;
    let compare = match parent {
        Some(pu) => reserve_sums(snap, &unit_cadres(ds, pu, true), n),
        None => reserve_sums(snap, &(0..ds.cadres.len() as u32).collect::<Vec<_>>(), n),
    };
    for &c in &cadres {
        for (d, t) in targets(ds, c).into_iter().enumerate() {
            if let Some(gap) = shortfall(t, snap.reserve(c, d)) {
                sums[d].short += 1;
                sums[d].shortfall += gap;
            }
        }
    }
    for d in 0..n {
        sums[d].covered = covered[d];
    }
    let dimensions: Vec<DimLayout> = (0..n)
        .map(|d| {
            let x = dim_numbers(&sums[d], &compare[d]);
            DimLayout {
                dimension: ds.dimensions.get(d as u32).name.clone(),
                hours_by_year: hours[d].clone(),
                mean_reserve: x.mean_reserve,
                compare_mean_reserve: x.compare_mean_reserve,
                coverage: x.coverage,
                cadres_short: x.cadres_short,
                mean_shortfall: x.mean_shortfall,
            }
        })
        .collect();
    let order = weak_order(&dimensions.iter().map(|d| d.mean_shortfall).collect::<Vec<_>>());
    Layout {
        unit_id: ds.units.id(unit).into(),
        unit_name: ds.units.get(unit).name.clone(),
        include_subunits: p.include_subunits,
        cadres: cadres.len(),
        as_of: date::format(snap.as_of),
        years,
        compared_with: compared_with(parent.map(|pu| ds.units.id(pu))),
        coverage_years: p.coverage_years,
        weak_points: order.iter().map(|&d| dimensions[d].dimension.clone()).collect(),
        dimensions,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitRank {
    pub unit_id: String,
    pub unit_name: String,
    pub cadres: usize,
    pub mean_reserve: f64,
}

/// City view: for each dimension, top-level units ranked by their cadres' mean reserve (highest first).
pub fn city_ranking(ds: &Dataset, snap: &Snapshot) -> Vec<(String, Vec<UnitRank>)> {
    let n = ds.n_dims();
    let tops: Vec<(u32, Vec<u32>)> =
        ds.units.iter().filter(|(_, _, u)| u.parent.is_none()).map(|(i, _, _)| (i, unit_cadres(ds, i, true))).filter(|(_, c)| !c.is_empty()).collect();
    let means: Vec<Vec<f64>> = tops.iter().map(|(_, c)| mean_reserves(snap, c, n)).collect();
    (0..n)
        .map(|d| {
            let mut v: Vec<UnitRank> = tops
                .iter()
                .zip(&means)
                .map(|((u, c), m)| UnitRank { unit_id: ds.units.id(*u).into(), unit_name: ds.units.get(*u).name.clone(), cadres: c.len(), mean_reserve: m[d] })
                .collect();
            v.sort_by(|a, b| b.mean_reserve.total_cmp(&a.mean_reserve).then_with(|| a.unit_id.cmp(&b.unit_id)));
            (ds.dimensions.get(d as u32).name.clone(), v)
        })
        .collect()
}
