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
use crate::analytics::Snapshot;
use crate::analytics::reserve::{DAYS_PER_YEAR, Model};
use crate::analytics::targets::targets;
use crate::analytics::{compliance, layout, snapshot};
use crate::error::Result;
use crate::model::{Dataset, Day, date};
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
        out.reserves.cadre.reserve(ds.cadres.len() * ds.n_dims());
        let mut contributions = req.contributions.then(Contributions::default);
        let window = (req.coverage_years * DAYS_PER_YEAR).round() as i32;
        let mut acc = CadreSums::new(ds.n_dims());
        for (c, _, cadre) in ds.cadres.iter() {
            acc.clear();
            model.add_evidence(ds, c, as_of, &mut acc.evidence);
            for i in ds.records.cadre_range(c) {
                if let Some(k) = contributions.as_mut() {
                    k.push_record(ds, &model, c, i, as_of);
                }
                acc.add_record(ds, i, as_of, window);
            }
            out.reserves.push_cadre(ds, c, &cadre.rank, &acc.evidence, &acc.covered, snap);
            out.hours.push_cadre(c, &mut acc.by_year);
        }
        out.contributions = contributions;
        if let Some(year) = req.compliance_year {
            let year = self.year(Some(year))?;
            out.rules = Some(CadreRules::of(ds, &self.rules, year));
        }
        Ok(out)
    }
}

/// One cadre's sums while their records are read: evidence per dimension,
/// the dimensions trained within the coverage window, completed 学时 per year.
struct CadreSums {
    evidence: Vec<f64>,
    covered: Vec<bool>,
    by_year: Vec<(i32, Vec<f64>)>,
}

impl CadreSums {
    fn new(n: usize) -> CadreSums {
        CadreSums { evidence: vec![0.0; n], covered: vec![false; n], by_year: Vec::new() }
    }

    fn clear(&mut self) {
        self.evidence.iter_mut().for_each(|x| *x = 0.0);
        self.covered.iter_mut().for_each(|t| *t = false);
        self.by_year.clear();
    }

    /// A completed record's 学时 in its year, and the dimensions it covers within `window` days before `as_of`.
    fn add_record(&mut self, ds: &Dataset, i: usize, as_of: Day, window: i32) {
        let r = &ds.records;
        if !r.completed[i] {
            return;
        }
        let w = ds.weights(r.course[i]);
        let y = date::year(r.date[i]);
        let slot = match self.by_year.iter().position(|(x, _)| *x == y) {
            Some(p) => p,
            None => {
                self.by_year.push((y, vec![0.0; w.len()]));
                self.by_year.len() - 1
            }
        };
        for d in 0..w.len() {
            self.by_year[slot].1[d] += r.hours[i] as f64 * w[d] as f64;
        }
        if r.date[i] <= as_of && as_of - r.date[i] < window {
            for d in 0..w.len() {
                if w[d] > 0.0 {
                    self.covered[d] = true;
                }
            }
        }
    }
}

impl Contributions {
    /// What record `i` of cadre `c` adds to each dimension it counts in.
    fn push_record(&mut self, ds: &Dataset, model: &Model, c: u32, i: usize, as_of: Day) {
        let r = &ds.records;
        let Some(f) = model.factors(ds, i, as_of) else { return };
        let w = ds.weights(r.course[i]);
        for d in 0..w.len() {
            if w[d] == 0.0 {
                continue;
            }
            self.cadre.push(c);
            self.course_id.push(ds.courses.id(r.course[i]).to_string());
            self.date.push(date::format(r.date[i]));
            self.dim_index.push(d as u32);
            self.hours.push(r.hours[i] as f64);
            self.credit.push(f.credit);
            self.decay.push(f.decay);
            self.weight.push(w[d] as f64);
            self.contribution.push(r.hours[i] as f64 * f.credit * f.decay * w[d] as f64);
        }
    }
}

impl CadreDims {
    /// Cadre `c`'s row per dimension: reserve, target, gap, coverage, and with a snapshot the percentile and peer median.
    fn push_cadre(&mut self, ds: &Dataset, c: u32, rank: &str, evidence: &[f64], covered: &[bool], snap: Option<&Snapshot>) {
        let tg = targets(ds, c);
        for (d, dim) in ds.dimensions.items().iter().enumerate() {
            let reserve = Model::reserve(evidence[d], dim.saturation_hours);
            self.cadre.push(c);
            self.dim_index.push(d as u32);
            self.evidence.push(evidence[d]);
            self.reserve.push(reserve);
            self.target.push(tg[d]);
            self.gap.push(tg[d].map(|t| (t - reserve).max(0.0)));
            self.covered.push(covered[d]);
            let kept = snapshot::kept(reserve) as f64;
            self.snapshot_reserve.push(kept);
            self.shortfall.push(layout::shortfall(tg[d], kept));
            if let Some(s) = snap {
                self.percentile.push(s.percentile(ds, c, d));
                self.peer_median.push(s.peer_median(rank, d));
            }
        }
    }
}

impl CadreHours {
    /// Cadre `c`'s completed 学时 per dimension and year (years in order; zeros left out).
    fn push_cadre(&mut self, c: u32, by_year: &mut [(i32, Vec<f64>)]) {
        by_year.sort_by_key(|(y, _)| *y);
        for (y, hs) in by_year.iter() {
            for (d, &h) in hs.iter().enumerate() {
                if h != 0.0 {
                    self.cadre.push(c);
                    self.dim_index.push(d as u32);
                    self.year.push(*y);
                    self.hours.push(h);
                }
            }
        }
    }
}

impl CadreRules {
    /// Every cadre's progress on each 学时 rule that applies, for the periods ending in `year`.
    fn of(ds: &Dataset, rules: &[crate::policy::Rule], year: i32) -> CadreRules {
        let mut k = CadreRules::default();
        for c in 0..ds.cadres.len() as u32 {
            let progress = compliance::progress(ds, rules, c, year);
            k.compliant.push(compliance::all_met(&progress));
            for p in progress {
                k.cadre.push(c);
                k.rule_id.push(p.rule_id);
                k.met.push(p.met);
                k.earned_hours.push(p.earned_hours);
                k.required_hours.push(p.required_hours);
            }
        }
        k
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
