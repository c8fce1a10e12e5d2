//! Which requirement (目标值) applies to a cadre in each dimension.
//!
//! A requirement row applies when its rank is empty or equals the cadre's rank,
//! and its post is empty or equals the cadre's post. Among the rows that apply
//! to a dimension, the most specific wins (rank and post > post only > rank
//! only > neither); ties take the highest target.

use crate::model::Dataset;

pub fn targets(ds: &Dataset, cadre: u32) -> Vec<Option<f64>> {
    let c = ds.cadres.get(cadre);
    let mut best: Vec<Option<(u8, f64)>> = vec![None; ds.n_dims()];
    for r in &ds.requirements {
        let rank_ok = r.rank.as_deref().is_none_or(|x| x == c.rank);
        let post_ok = r.post.as_deref().is_none_or(|x| x == c.post);
        if !(rank_ok && post_ok) {
            continue;
        }
        let spec = (r.post.is_some() as u8) * 2 + r.rank.is_some() as u8;
        let slot = &mut best[r.dimension as usize];
        match slot {
            Some((s, t)) if *s > spec || (*s == spec && *t >= r.target) => {}
            _ => *slot = Some((spec, r.target)),
        }
    }
    best.into_iter().map(|b| b.map(|(_, t)| t)).collect()
}
