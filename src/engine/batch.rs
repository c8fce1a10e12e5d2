//! The batch question: every loaded cadre's evidence and reserve per
//! dimension at one date, in columns, for hosts that split a large dataset
//! into groups of whole cadres (the Spark job calls it once per group through
//! the Python package) and do the cross-cadre parts themselves.
//!
//! It computes nothing new: evidence is [`Model::add_evidence`], the reserve
//! [`Model::reserve`], the target [`targets`] and the gap as in the profile;
//! it also gives the per-cadre parts of the unit layout (学时 per dimension
//! and year over completed records, and coverage) defined in
//! [`crate::analytics::layout`], so that sums over units can be made elsewhere.

use super::Engine;
use crate::analytics::reserve::{DAYS_PER_YEAR, Model};
use crate::analytics::targets::targets;
use crate::analytics::{compliance, layout, snapshot};
use crate::error::Result;
use crate::model::date;
use crate::policy;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchRequest {
    /// Date of the view (YYYY-MM-DD); default: the latest record's date in
    /// *this* dataset (a host splitting data must pass the overall date).
    pub as_of: Option<String>,
    /// Coverage counts completed training in this many years before the as-of date (0–50).
    pub coverage_years: f64,
    /// Also give every record's contribution per dimension (as in the profile).
    pub contributions: bool,
    /// Also give each cadre's percentile and peer median within the rank
    /// (only meaningful when every cadre is loaded, not for one group of them).
    pub percentiles: bool,
    /// With a year: every cadre's progress on each 学时 rule that applies,
    /// for the periods ending in that year (what compliance counts).
    pub compliance_year: Option<i32>,
}

impl Default for BatchRequest {
    fn default() -> Self {
        BatchRequest { as_of: None, coverage_years: policy::COVERAGE_YEARS, contributions: false, percentiles: false, compliance_year: None }
    }
}

/// A loaded cadre, as the rows below refer to it (by position in [`Batch::cadres`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchCadre {
    pub cadre_id: String,
    pub unit_id: String,
    pub rank: String,
}

/// Per cadre × dimension, in cadre order then taxonomy order (column-wise).
/// Cadres and dimensions are positions (in [`Batch::cadres`] and
/// [`Batch::dimensions`]), so that millions of rows hold no string each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CadreDims {
    pub cadre: Vec<u32>,
    /// The dimension's position in the taxonomy.
    pub dim_index: Vec<u32>,
    pub evidence: Vec<f64>,
    /// As in the profile (f64); percentiles and peer medians use it rounded to f32, as the snapshot does.
    pub reserve: Vec<f64>,
    pub target: Vec<Option<f64>>,
    /// `max(0, target − reserve)`, as in the profile.
    pub gap: Vec<Option<f64>>,
    /// A completed record touching the dimension within the coverage window (the layout's coverage).
    pub covered: Vec<bool>,
    /// The reserve as the snapshot keeps it ([`snapshot::kept`]): what
    /// percentiles, peer medians ([`snapshot::peer_stats`]) and the layout's means are made of.
    pub snapshot_reserve: Vec<f64>,
    /// The layout's [`layout::shortfall`] (target − snapshot reserve, when positive).
    pub shortfall: Vec<Option<f64>>,
    /// With `percentiles`: as in the profile (the snapshot's).
    pub percentile: Vec<f64>,
    pub peer_median: Vec<Option<f64>>,
}

/// 学时 per cadre × dimension × year: Σ hours × weight over completed records
/// dated in that year (the layout's 学时), only where non-zero.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CadreHours {
    pub cadre: Vec<u32>,
    pub dim_index: Vec<u32>,
    pub year: Vec<i32>,
    pub hours: Vec<f64>,
}

/// Every record's share of a dimension's evidence (records dated on or
/// before the as-of date, weight > 0), as the profile lists them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contributions {
    pub cadre: Vec<u32>,
    pub course_id: Vec<String>,
    pub date: Vec<String>,
    pub dim_index: Vec<u32>,
    pub hours: Vec<f64>,
    pub credit: Vec<f64>,
    pub decay: Vec<f64>,
    pub weight: Vec<f64>,
    pub contribution: Vec<f64>,
}

/// Per cadre × rule that applies: met or not (as `zhichu hours` shows it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CadreRules {
    pub cadre: Vec<u32>,
    pub rule_id: Vec<String>,
    pub met: Vec<bool>,
    pub earned_hours: Vec<f64>,
    pub required_hours: Vec<f64>,
    /// Per cadre (in [`Batch::cadres`] order): meets every rule that applies ([`compliance::all_met`]).
    pub compliant: Vec<bool>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    pub as_of: String,
    /// The latest record date of this dataset (what the default as-of would be).
    pub latest_date: Option<String>,
    /// Every loaded cadre, in the dataset's order.
    pub cadres: Vec<BatchCadre>,
    /// The dimensions, in taxonomy order.
    pub dimensions: Vec<String>,
    pub reserves: CadreDims,
    pub hours: CadreHours,
    pub contributions: Option<Contributions>,
    pub rules: Option<CadreRules>,
}

impl Engine {
    /// Every cadre × dimension: evidence, reserve, target, gap, coverage; 学时
    /// per year; and on request every record's contribution.
    pub fn batch(&mut self, req: &BatchRequest) -> Result<Batch> {
        policy::WINDOW_YEARS_RANGE.check("coverage_years", req.coverage_years)?;
        let as_of = self.as_of_day(req.as_of.as_deref())?;
        if req.percentiles {
            self.at(req.as_of.as_deref())?;
        }
        let snap = self.snapshot.as_ref().filter(|_| req.percentiles);
        let ds = &self.ds;
        let model: Model = self.model;
        let n = ds.n_dims();
        let sat: Vec<f64> = ds.dimensions.items().iter().map(|d| d.saturation_hours).collect();
        let window = (req.coverage_years * DAYS_PER_YEAR).round() as i32;
        let r = &ds.records;
        let mut out = Batch {
            as_of: date::format(as_of),
            latest_date: ds.latest_date().map(date::format),
            cadres: ds
                .cadres
                .iter()
                .map(|(_, id, c)| BatchCadre { cadre_id: id.to_string(), unit_id: ds.units.id(c.unit).to_string(), rank: c.rank.clone() })
                .collect(),
            dimensions: ds.dimensions.items().iter().map(|d| d.name.clone()).collect(),
            ..Default::default()
        };
        let rows = ds.cadres.len() * n;
        let rs = &mut out.reserves;
        rs.cadre.reserve(rows);
        let mut contributions = req.contributions.then(Contributions::default);
        let mut e = vec![0f64; n];
        let mut touched = vec![false; n];
        let mut by_year: Vec<(i32, Vec<f64>)> = Vec::new();
        for (c, _, cadre) in ds.cadres.iter() {
            e.iter_mut().for_each(|x| *x = 0.0);
            model.add_evidence(ds, c, as_of, &mut e);
            touched.iter_mut().for_each(|t| *t = false);
            by_year.clear();
            for i in r.cadre_range(c) {
                let w = ds.weights(r.course[i]);
                if let (Some(k), Some(f)) = (contributions.as_mut(), model.factors(ds, i, as_of)) {
                    for d in 0..n {
                        if w[d] == 0.0 {
                            continue;
                        }
                        k.cadre.push(c);
                        k.course_id.push(ds.courses.id(r.course[i]).to_string());
                        k.date.push(date::format(r.date[i]));
                        k.dim_index.push(d as u32);
                        k.hours.push(r.hours[i] as f64);
                        k.credit.push(f.credit);
                        k.decay.push(f.decay);
                        k.weight.push(w[d] as f64);
                        k.contribution.push(r.hours[i] as f64 * f.credit * f.decay * w[d] as f64);
                    }
                }
                if !r.completed[i] {
                    continue;
                }
                let y = date::year(r.date[i]);
                let slot = match by_year.iter().position(|(x, _)| *x == y) {
                    Some(p) => p,
                    None => {
                        by_year.push((y, vec![0.0; n]));
                        by_year.len() - 1
                    }
                };
                for d in 0..n {
                    by_year[slot].1[d] += r.hours[i] as f64 * w[d] as f64;
                }
                if r.date[i] <= as_of && as_of - r.date[i] < window {
                    for d in 0..n {
                        if w[d] > 0.0 {
                            touched[d] = true;
                        }
                    }
                }
            }
            let tg = targets(ds, c);
            for d in 0..n {
                let reserve = Model::reserve(e[d], sat[d]);
                rs.cadre.push(c);
                rs.dim_index.push(d as u32);
                rs.evidence.push(e[d]);
                rs.reserve.push(reserve);
                rs.target.push(tg[d]);
                rs.gap.push(tg[d].map(|t| (t - reserve).max(0.0)));
                rs.covered.push(touched[d]);
                let kept = snapshot::kept(reserve) as f64;
                rs.snapshot_reserve.push(kept);
                rs.shortfall.push(layout::shortfall(tg[d], kept));
                if let Some(s) = snap {
                    rs.percentile.push(s.percentile(ds, c, d));
                    rs.peer_median.push(s.peer_median(&cadre.rank, d));
                }
            }
            by_year.sort_by_key(|(y, _)| *y);
            for (y, hs) in &by_year {
                for d in 0..n {
                    if hs[d] != 0.0 {
                        out.hours.cadre.push(c);
                        out.hours.dim_index.push(d as u32);
                        out.hours.year.push(*y);
                        out.hours.hours.push(hs[d]);
                    }
                }
            }
        }
        out.contributions = contributions;
        if let Some(year) = req.compliance_year {
            let year = self.year(Some(year))?;
            let mut k = CadreRules::default();
            for c in 0..ds.cadres.len() as u32 {
                let progress = compliance::progress(ds, &self.rules, c, year);
                k.compliant.push(compliance::all_met(&progress));
                for p in progress {
                    k.cadre.push(c);
                    k.rule_id.push(p.rule_id);
                    k.met.push(p.met);
                    k.earned_hours.push(p.earned_hours);
                    k.required_hours.push(p.required_hours);
                }
            }
            out.rules = Some(k);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::requests::ProfileRequest;

    #[test]
    fn batch_matches_profiles() {
        let mut e = Engine::demo("s").expect("demo");
        let b = e.batch(&BatchRequest { contributions: true, percentiles: true, ..Default::default() }).expect("batch");
        let n = e.dataset().n_dims();
        assert_eq!(b.reserves.cadre.len(), e.dataset().cadres.len() * n);
        assert_eq!(b.dimensions.len(), n);
        for k in (0..b.reserves.cadre.len()).step_by(97) {
            let id = &b.cadres[b.reserves.cadre[k] as usize].cadre_id;
            let p = e.profile(&ProfileRequest { cadre: id.clone(), as_of: None }).expect("profile");
            assert_eq!(&p.cadre.cadre_id, id);
            let d = &p.dimensions[b.reserves.dim_index[k] as usize];
            assert_eq!(d.reserve, b.reserves.reserve[k]);
            assert_eq!(d.evidence, b.reserves.evidence[k]);
            assert_eq!(d.target, b.reserves.target[k]);
            assert_eq!(d.gap, b.reserves.gap[k]);
            assert_eq!(d.percentile, b.reserves.percentile[k]);
            assert_eq!(d.peer_median, b.reserves.peer_median[k]);
        }
    }
}
