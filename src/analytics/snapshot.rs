//! Every cadre's reserves at one date: the basis of percentiles and peer
//! medians. Built once per as-of date (tens of ms for a city), then each
//! profile is a lookup.

use super::reserve::Model;
use crate::model::{Dataset, Day};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

pub struct Snapshot {
    pub as_of: Day,
    pub model: Model,
    n_dims: usize,
    /// `cadres × dimensions`.
    reserves: Vec<f32>,
    /// Per rank, per dimension: the reserves of that rank's cadres, sorted.
    peers: FxHashMap<String, Vec<Vec<f32>>>,
    /// A 个人档案包's peer statistics, used in place of `peers` (its engine holds one cadre).
    fixed: Option<Peers>,
}

impl Snapshot {
    pub fn compute(ds: &Dataset, model: Model, as_of: Day) -> Snapshot {
        let n_dims = ds.n_dims();
        let mut reserves = vec![0f32; ds.cadres.len() * n_dims];
        let sat: Vec<f64> = ds.dimensions.items().iter().map(|d| d.saturation_hours).collect();
        // Each cadre's row on its own (in parallel natively): the same sums in the same order.
        let decays = super::reserve::Decays::new(&model, ds, as_of);
        crate::model::par::rows_mut(
            &mut reserves,
            n_dims,
            || vec![0f64; n_dims],
            |c, row, e| {
                e.iter_mut().for_each(|x| *x = 0.0);
                model.add_evidence_with(ds, c as u32, &decays, e);
                for d in 0..n_dims {
                    row[d] = kept(Model::reserve(e[d], sat[d]));
                }
            },
        );
        let mut peers: FxHashMap<String, Vec<Vec<f32>>> = FxHashMap::default();
        for (c, _, cadre) in ds.cadres.iter() {
            let p = peers.entry(cadre.rank.clone()).or_insert_with(|| vec![Vec::new(); n_dims]);
            for (d, v) in p.iter_mut().enumerate() {
                v.push(reserves[c as usize * n_dims + d]);
            }
        }
        let mut lists: Vec<&mut Vec<f32>> = peers.values_mut().flatten().collect();
        // Values equal in this order are the same bits: an unstable sort gives the same lists.
        crate::model::par::each_mut(&mut lists, |v| sort_peers(v));
        Snapshot { as_of, model, n_dims, reserves, peers, fixed: None }
    }

    pub fn reserve(&self, cadre: u32, dim: usize) -> f64 {
        self.reserves[cadre as usize * self.n_dims + dim] as f64
    }

    /// All of a cadre's reserves.
    pub fn row(&self, cadre: u32) -> &[f32] {
        &self.reserves[cadre as usize * self.n_dims..(cadre as usize + 1) * self.n_dims]
    }

    /// Percentile (0–100) of `cadre`'s reserve among cadres of the same rank ([`percentile`]).
    pub fn percentile(&self, ds: &Dataset, cadre: u32, dim: usize) -> f64 {
        let (below, equal, n) = self.position(ds, cadre, dim);
        percentile(below, equal, n)
    }

    /// Where a cadre's reserve stands among the cadres of the same rank:
    /// how many are below it, how many level with it (itself included), of how many.
    pub fn position(&self, ds: &Dataset, cadre: u32, dim: usize) -> (u32, u32, u32) {
        if let Some(f) = &self.fixed {
            return (f.dimensions[dim].below, f.dimensions[dim].equal, f.n);
        }
        let v = self.reserves[cadre as usize * self.n_dims + dim];
        position(&self.peers[&ds.cadres.get(cadre).rank][dim], v)
    }

    /// Takes a package's peer statistics in place of the engine's own cadres.
    pub fn fix_peers(&mut self, peers: &Peers) {
        self.fixed = Some(peers.clone());
    }

    /// Median reserve of the cadres of `rank` in a dimension.
    pub fn peer_median(&self, rank: &str, dim: usize) -> Option<f64> {
        if let Some(f) = self.fixed.as_ref().filter(|f| f.rank == rank) {
            return f.dimensions[dim].median;
        }
        median(&self.peers.get(rank)?[dim])
    }
}

/// A reserve as the snapshot keeps it (f32): what percentiles, peer medians
/// and the unit layout's means are computed from.
pub fn kept(reserve: f64) -> f32 {
    reserve as f32
}

/// Percentile (0–100) from a position among peers, mid-rank for ties:
/// (below + ½·equal) / n × 100.
pub fn percentile(below: u32, equal: u32, n: u32) -> f64 {
    (below as f64 + 0.5 * equal as f64) / n as f64 * 100.0
}

/// Where `v` stands among `sorted` (ascending): how many are below it, how
/// many level with it, of how many.
pub fn position(sorted: &[f32], v: f32) -> (u32, u32, u32) {
    let below = sorted.partition_point(|&x| x < v);
    let upto = sorted.partition_point(|&x| x <= v);
    (below as u32, (upto - below) as u32, sorted.len() as u32)
}

/// The median of sorted values (the mean of the middle two for an even count), or `None` if there are none.
pub fn median(sorted: &[f32]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    Some(if n % 2 == 1 { sorted[n / 2] as f64 } else { (sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0 })
}

/// Sorts peers' values as the snapshot does (values equal in this order are the same bits).
pub fn sort_peers(v: &mut [f32]) {
    v.sort_unstable_by(f32::total_cmp);
}

/// The percentile of each of a group of peers' reserves (one rank, one
/// dimension: every cadre of it) and the group's median, as the snapshot gives
/// them: for hosts that gather a rank's reserves themselves (the Spark job).
pub fn peer_stats(reserves: &[f64]) -> (Vec<f64>, Option<f64>) {
    let mut sorted: Vec<f32> = reserves.iter().map(|&r| kept(r)).collect();
    sort_peers(&mut sorted);
    let percentiles = reserves
        .iter()
        .map(|&r| {
            let (below, equal, n) = position(&sorted, kept(r));
            percentile(below, equal, n)
        })
        .collect();
    (percentiles, median(&sorted))
}

/// A rank's standing in one dimension, seen from one cadre: what a
/// 个人档案包 carries in place of the other cadres (`Snapshot::fix_peers`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PeerDim {
    pub dimension: String,
    /// Peers of the rank (the cadre included) with a lower reserve …
    pub below: u32,
    /// … and with the same reserve.
    pub equal: u32,
    pub median: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Peers {
    pub rank: String,
    /// Cadres of the rank.
    pub n: u32,
    pub dimensions: Vec<PeerDim>,
}
