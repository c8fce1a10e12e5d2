//! Planning for trainers and organisation departments: a class curriculum for
//! a cohort ([`plan`]) and who to send to a class ([`assign`]).

pub mod assign;
pub mod plan;

use crate::analytics::reserve::Model;
use crate::analytics::targets::targets;
use crate::model::{Dataset, Day};

/// A cohort's evidence and gaps at a date: the state both planners work from.
pub struct CohortState {
    pub cadres: Vec<u32>,
    /// `cadres × dimensions`.
    pub evidence: Vec<f64>,
    pub gaps: Vec<f64>,
    pub saturation: Vec<f64>,
    pub n_dims: usize,
}

impl CohortState {
    pub fn new(ds: &Dataset, model: &Model, as_of: Day, cadres: Vec<u32>) -> CohortState {
        let n = ds.n_dims();
        let saturation: Vec<f64> = ds.dimensions.items().iter().map(|d| d.saturation_hours).collect();
        let mut evidence = vec![0.0; cadres.len() * n];
        let mut gaps = vec![0.0; cadres.len() * n];
        for (i, &c) in cadres.iter().enumerate() {
            model.add_evidence(ds, c, as_of, &mut evidence[i * n..(i + 1) * n]);
            for (d, t) in targets(ds, c).into_iter().enumerate() {
                if let Some(t) = t {
                    gaps[i * n + d] = (t - Model::reserve(evidence[i * n + d], saturation[d])).max(0.0);
                }
            }
        }
        CohortState { cadres, evidence, gaps, saturation, n_dims: n }
    }

    /// Expected gain of cadre `i` (index into `cadres`) from extra evidence `extra` per dimension, capped by the gaps.
    pub fn gain(&self, i: usize, extra: &[f64]) -> f64 {
        let n = self.n_dims;
        (0..n)
            .filter(|&d| extra[d] > 0.0 && self.gaps[i * n + d] > 0.0)
            .map(|d| Model::capped_gain(self.evidence[i * n + d], extra[d], self.saturation[d], self.gaps[i * n + d]))
            .sum()
    }

    /// Mean reserve per dimension with `extra` evidence added to everyone.
    pub fn mean_reserves(&self, extra: &[f64]) -> Vec<f64> {
        let n = self.n_dims;
        let k = self.cadres.len().max(1) as f64;
        (0..n).map(|d| (0..self.cadres.len()).map(|i| Model::reserve(self.evidence[i * n + d] + extra[d], self.saturation[d])).sum::<f64>() / k).collect()
    }
}

/// One condition on a cohort; conditions combine with AND, the values of one with OR.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(tag = "kind", content = "values", rename_all = "lowercase")]
pub enum CohortFilter {
    /// These units and every unit below them.
    Unit(Vec<String>),
    Rank(Vec<String>),
    Post(Vec<String>),
    /// Cadre ids (an uploaded list).
    Ids(Vec<String>),
}

impl CohortFilter {
    /// Parses `unit:U1,U2`, `rank:乡科级`, `post:纪检监察`, `ids:C1,C2`.
    pub fn parse(s: &str) -> Result<CohortFilter, String> {
        let (kind, values) = s.split_once([':', '：']).ok_or_else(|| format!("「{s}」应写成 unit:…、rank:…、post:… 或 ids:…"))?;
        let values: Vec<String> = values.split([',', '，', ';', '；']).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
        match kind.trim() {
            "unit" => Ok(CohortFilter::Unit(values)),
            "rank" => Ok(CohortFilter::Rank(values)),
            "post" => Ok(CohortFilter::Post(values)),
            "ids" => Ok(CohortFilter::Ids(values)),
            k => Err(format!("未知的条件「{k}」，应为 unit、rank、post 或 ids")),
        }
    }
}

/// The cadres matching every filter (everyone when there is none). Unknown
/// unit or cadre ids are an error naming them.
pub fn select_cohort(ds: &Dataset, filters: &[CohortFilter]) -> Result<Vec<u32>, String> {
    let mut keep = vec![true; ds.cadres.len()];
    for f in filters {
        let ok: Vec<bool> = match f {
            CohortFilter::Unit(ids) => {
                let mut member = vec![false; ds.units.len()];
                for id in ids {
                    let u = ds.units.lookup(id).ok_or_else(|| format!("没有编号为「{id}」的单位"))?;
                    for s in ds.unit_subtree(u) {
                        member[s as usize] = true;
                    }
                }
                ds.cadres.items().iter().map(|c| member[c.unit as usize]).collect()
            }
            CohortFilter::Rank(v) => ds.cadres.items().iter().map(|c| v.contains(&c.rank)).collect(),
            CohortFilter::Post(v) => ds.cadres.items().iter().map(|c| v.contains(&c.post)).collect(),
            CohortFilter::Ids(ids) => {
                let mut m = vec![false; ds.cadres.len()];
                let unknown: Vec<&str> = ids.iter().filter(|id| ds.cadres.lookup(id).is_none()).map(String::as_str).collect();
                if !unknown.is_empty() {
                    return Err(format!("名单中有 {} 个未知的干部编号：{}", unknown.len(), unknown.iter().take(10).copied().collect::<Vec<_>>().join("、")));
                }
                for id in ids {
                    m[ds.cadres.lookup(id).unwrap() as usize] = true;
                }
                m
            }
        };
        for (k, o) in keep.iter_mut().zip(ok) {
            *k &= o;
        }
    }
    Ok((0..ds.cadres.len() as u32).filter(|&c| keep[c as usize]).collect())
}
