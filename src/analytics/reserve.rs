//! The knowledge-reserve model (参训知识储备度).
//!
//! - evidence `E(c,d) = Σ_r hours_r × w(course_r, d) × m_r × 2^(−age_r / H)` over
//!   the cadre's records dated on or before the as-of date;
//! - `m_r` = score/100 if the record has a score, else `completion_credit` if
//!   completed, else 0; `age_r` in years (days / 365.25); `H` the half-life (0 = no decay);
//! - reserve `R(c,d) = 100 × (1 − exp(−E / S_d))`.

use crate::model::{Dataset, Day};
use serde::{Deserialize, Serialize};

pub const DAYS_PER_YEAR: f64 = 365.25;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[serde(default, deny_unknown_fields)]
pub struct Model {
    /// Half-life H of training evidence, in years (0 = no decay; 0–100).
    #[cfg_attr(feature = "cli", arg(long = "half-life", default_value_t = Model::default().half_life_years, allow_negative_numbers = true))]
    pub half_life_years: f64,
    /// Credit m of a completed record without a score (0–1).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = Model::default().completion_credit, allow_negative_numbers = true))]
    pub completion_credit: f64,
}

impl Default for Model {
    fn default() -> Self {
        Model { half_life_years: crate::policy::HALF_LIFE_YEARS, completion_credit: crate::policy::COMPLETION_CREDIT }
    }
}

impl Model {
    /// Each parameter within its range ([`crate::policy`]), or a `bad_argument` naming it.
    pub fn check(&self) -> crate::error::Result<()> {
        crate::policy::HALF_LIFE_YEARS_RANGE.check("half_life_years", self.half_life_years)?;
        crate::policy::COMPLETION_CREDIT_RANGE.check("completion_credit", self.completion_credit)
    }
}

/// [`Model::decay`] for every age (in days) the records of a dataset have at
/// one as-of date, computed once.
pub struct Decays {
    as_of: Day,
    table: Vec<f64>,
}

impl Decays {
    pub fn new(model: &Model, ds: &Dataset, as_of: Day) -> Decays {
        // Ages 0 up to the oldest record's (a century at most; older ones are computed when met).
        let oldest = ds.records.date.iter().copied().min().unwrap_or(as_of);
        let n = (as_of.saturating_sub(oldest).clamp(0, 36_525) + 1) as usize;
        Decays { as_of, table: (0..n as i32).map(|age| model.decay(age)).collect() }
    }
    #[inline(always)]
    fn get(&self, model: &Model, age: i32) -> f64 {
        match self.table.get(age.max(0) as usize) {
            Some(&d) => d,
            None => model.decay(age),
        }
    }
}

/// How one record counts: the factors of its contribution.
#[derive(Debug, Clone, Copy)]
pub struct Factors {
    /// `m_r`.
    pub credit: f64,
    /// `2^(−age/H)`.
    pub decay: f64,
}

impl Model {
    pub fn credit(&self, score: Option<f32>, completed: bool) -> f64 {
        match score {
            Some(s) => s as f64 / 100.0,
            None if completed => self.completion_credit,
            None => 0.0,
        }
    }

    pub fn decay(&self, age_days: i32) -> f64 {
        if self.half_life_years <= 0.0 {
            return 1.0;
        }
        (-(age_days.max(0) as f64 / DAYS_PER_YEAR) / self.half_life_years).exp2()
    }

    /// The factors of record `i` at `as_of`, or `None` if it is dated after it.
    pub fn factors(&self, ds: &Dataset, i: usize, as_of: Day) -> Option<Factors> {
        self.factors_by(ds, i, as_of, &|age| self.decay(age))
    }

    /// [`Model::factors`] with the decay of an age (in days) given.
    #[inline(always)]
    fn factors_by(&self, ds: &Dataset, i: usize, as_of: Day, decay: &dyn Fn(i32) -> f64) -> Option<Factors> {
        let r = &ds.records;
        let date = r.date[i];
        if date > as_of {
            return None;
        }
        let score = r.score[i];
        Some(Factors { credit: self.credit((!score.is_nan()).then_some(score), r.completed[i]), decay: decay(as_of - date) })
    }

    /// Adds a cadre's evidence per dimension at `as_of` into `out` (length = dimensions).
    pub fn add_evidence(&self, ds: &Dataset, cadre: u32, as_of: Day, out: &mut [f64]) {
        self.add_evidence_by(ds, cadre, as_of, &|age| self.decay(age), out)
    }

    /// [`Model::add_evidence`] with the decays read from a table made once for
    /// every cadre (see [`Decays`]): the same numbers, without a power of two per record.
    pub fn add_evidence_with(&self, ds: &Dataset, cadre: u32, decays: &Decays, out: &mut [f64]) {
        self.add_evidence_by(ds, cadre, decays.as_of, &|age| decays.get(self, age), out)
    }

    #[inline(always)]
    fn add_evidence_by(&self, ds: &Dataset, cadre: u32, as_of: Day, decay: &dyn Fn(i32) -> f64, out: &mut [f64]) {
        let r = &ds.records;
        for i in ds.records.cadre_range(cadre) {
            let Some(f) = self.factors_by(ds, i, as_of, decay) else { break }; // sorted by date
            let amount = r.hours[i] as f64 * f.credit * f.decay;
            if amount == 0.0 {
                continue;
            }
            for (o, &w) in out.iter_mut().zip(ds.weights(r.course[i])) {
                *o += amount * w as f64;
            }
        }
    }

    /// `R = 100 (1 − e^(−E/S))`.
    pub fn reserve(evidence: f64, saturation_hours: f64) -> f64 {
        100.0 * (1.0 - (-evidence / saturation_hours).exp())
    }

    /// The rise in reserve that `extra` evidence brings on top of `evidence`,
    /// capped by the gap: the gain that recommendations and plans count.
    pub fn capped_gain(evidence: f64, extra: f64, saturation_hours: f64, gap: f64) -> f64 {
        (Self::reserve(evidence + extra, saturation_hours) - Self::reserve(evidence, saturation_hours)).min(gap)
    }

    /// A cadre's reserve per dimension at `as_of`.
    pub fn reserves(&self, ds: &Dataset, cadre: u32, as_of: Day) -> Vec<f64> {
        let mut e = vec![0.0; ds.n_dims()];
        self.add_evidence(ds, cadre, as_of, &mut e);
        e.iter().zip(ds.dimensions.items()).map(|(&e, d)| Self::reserve(e, d.saturation_hours)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn worked_check() {
        // 10 学时 wholly in one dimension, score 90, 1.5 years before as-of.
        let m = Model::default();
        let e = 10.0 * 1.0 * m.credit(Some(90.0), true) * (-(1.5f64) / 3.0).exp2();
        assert!((e - 6.364).abs() < 0.001, "{e}");
        assert!((Model::reserve(e, 20.0) - 27.25).abs() < 0.01);
        assert_eq!(m.credit(None, true), 0.8);
        assert_eq!(m.credit(None, false), 0.0);
        assert_eq!(Model { half_life_years: 0.0, ..m }.decay(10_000), 1.0);
        assert!((m.decay((3.0 * DAYS_PER_YEAR) as i32 + 1) - 0.5).abs() < 0.001);
    }
}
