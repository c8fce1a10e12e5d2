//! Named assignment (调训名单): for a class, rank the cadres who would gain
//! most from its courses, leave out those who already sat it (or completed its
//! courses within the window), honour per-unit quotas, and put 培训专业户 last.

use super::CohortState;
use crate::analytics::fairness::frequent_trainees;
use crate::analytics::profile::CadreInfo;
use crate::analytics::reserve::{DAYS_PER_YEAR, Model};
use crate::error::Code;
use crate::model::{Dataset, Day, date};
use serde::Serialize;

pub struct AssignParams {
    /// Course ids of the class; default: the courses recorded for it.
    pub courses: Option<Vec<String>>,
    pub quota_per_unit: Option<usize>,
    pub window_years: f64,
    /// Default: the class's capacity (or 50 if it has none).
    pub capacity: Option<usize>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pick {
    pub rank: usize,
    pub cadre: CadreInfo,
    pub expected_gain: f64,
    pub frequent_trainee: bool,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assignment {
    pub class_id: String,
    pub class_name: String,
    pub as_of: String,
    pub capacity: usize,
    pub courses: Vec<String>,
    pub picks: Vec<Pick>,
    /// Left out: sat this class, or completed one of its courses within the window.
    pub excluded_recent: usize,
    /// Passed over because their unit's quota was full.
    pub held_by_quota: usize,
}

pub use crate::error::Error as AssignError;

pub fn assign(ds: &Dataset, model: &Model, as_of: Day, class_id: &str, p: &AssignParams) -> Result<Assignment, AssignError> {
    let class =
        ds.classes.lookup(class_id).ok_or_else(|| AssignError { code: Code::NotFound, message: format!("没有编号为「{class_id}」的班次") })?;
    let courses = class_courses(ds, class, class_id, p)?;
    let window = (p.window_years * DAYS_PER_YEAR).round() as i32;
    let all: Vec<u32> = (0..ds.cadres.len() as u32).collect();
    let r = &ds.records;
    // In the class already, or completed one of its courses within the window.
    let excluded: Vec<bool> = all
        .iter()
        .map(|&c| {
            r.cadre_range(c)
                .any(|i| r.class[i] == class || (r.completed[i] && courses.contains(&r.course[i]) && r.date[i] <= as_of && as_of - r.date[i] < window))
        })
        .collect();
    let eligible: Vec<u32> = all.iter().copied().filter(|&c| !excluded[c as usize]).collect();
    let state = CohortState::new(ds, model, as_of, eligible);
    let mut frequent = vec![false; ds.cadres.len()];
    for t in frequent_trainees(ds, as_of, p.window_years, &all) {
        frequent[ds.cadres.lookup(&t.cadre.cadre_id).expect("listed cadre") as usize] = true;
    }
    let scored = score(ds, model, &state, &courses, &frequent);
    let capacity = p.capacity.unwrap_or(match ds.classes.get(class).capacity {
        0 => 50,
        c => c as usize,
    });
    let (picks, held) = pick(ds, &state, scored, capacity, p.quota_per_unit);
    Ok(Assignment {
        class_id: class_id.into(),
        class_name: ds.classes.get(class).name.clone(),
        as_of: date::format(as_of),
        capacity,
        courses: courses.iter().map(|&k| ds.courses.id(k).to_string()).collect(),
        picks,
        excluded_recent: excluded.iter().filter(|&&x| x).count(),
        held_by_quota: held,
    })
}

/// The class's courses: those asked for, else those recorded for it.
fn class_courses(ds: &Dataset, class: u32, class_id: &str, p: &AssignParams) -> Result<Vec<u32>, AssignError> {
    let r = &ds.records;
    let courses: Vec<u32> = match &p.courses {
        Some(ids) => ids
            .iter()
            .map(|id| ds.courses.lookup(id).ok_or_else(|| AssignError { code: Code::NotFound, message: format!("没有编号为「{id}」的课程") }))
            .collect::<Result<_, _>>()?,
        None => {
            let mut v: Vec<u32> = (0..r.len()).filter(|&i| r.class[i] == class).map(|i| r.course[i]).collect();
            v.sort();
            v.dedup();
            v
        }
    };
    if courses.is_empty() {
        return Err(AssignError { code: Code::NoCourses, message: format!("班次「{class_id}」没有课程记录；请用 --courses 指定课程") });
    }
    Ok(courses)
}

/// A cadre who would gain: (培训专业户, gain, cadre, the dimension gaining most).
type Scored = (bool, f64, u32, usize);

/// Each eligible cadre who would gain, non-frequent first, then by gain, then id.
fn score(ds: &Dataset, model: &Model, state: &CohortState, courses: &[u32], frequent: &[bool]) -> Vec<Scored> {
    let n = ds.n_dims();
    let mut extra = vec![0.0; n];
    for &k in courses {
        for (d, &w) in ds.weights(k).iter().enumerate() {
            extra[d] += ds.courses.get(k).hours * model.completion_credit * w as f64;
        }
    }
    let mut scored: Vec<Scored> = state
        .cadres
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            // The dimension where this cadre gains most, for the reason.
            let by_dim: Vec<f64> = (0..n)
                .map(|d| {
                    let mut e = vec![0.0; n];
                    e[d] = extra[d];
                    state.gain(i, &e)
                })
                .collect();
            let best = (0..n).max_by(|&a, &b| by_dim[a].total_cmp(&by_dim[b]).then(b.cmp(&a))).unwrap_or(0);
            (frequent[c as usize], state.gain(i, &extra), c, best)
        })
        .filter(|x| x.1 > 1e-9)
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
    scored
}

/// The places filled in order, at most `quota` a unit; how many were held back by the quota.
fn pick(ds: &Dataset, state: &CohortState, scored: Vec<Scored>, capacity: usize, quota: Option<usize>) -> (Vec<Pick>, usize) {
    let n = ds.n_dims();
    let mut per_unit = vec![0usize; ds.units.len()];
    let mut picks = Vec::new();
    let mut held = 0;
    for (freq, gain, c, best) in scored {
        if picks.len() >= capacity {
            break;
        }
        let u = ds.cadres.get(c).unit as usize;
        if quota.is_some_and(|q| per_unit[u] >= q) {
            held += 1;
            continue;
        }
        per_unit[u] += 1;
        let i = state.cadres.iter().position(|&x| x == c).unwrap();
        let gap = state.gaps[i * n + best];
        let mut reason = format!("「{}」缺口 {:.1}，参训后预计共 +{:.1}", ds.dimensions.get(best as u32).name, gap, gain);
        if freq {
            reason.push_str("；近年参训较多（培训专业户），排在后面");
        }
        picks.push(Pick { rank: picks.len() + 1, cadre: CadreInfo::of(ds, c), expected_gain: gain, frequent_trainee: freq, reason });
    }
    (picks, held)
}

/// The list as a table: header and rows, for CSV and xlsx export.
pub fn table(a: &Assignment) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec!["序号", "干部编号", "姓名", "单位", "职级", "岗位", "预计提升", "培训专业户", "理由"];
    let rows = a
        .picks
        .iter()
        .map(|p| {
            vec![
                p.rank.to_string(),
                p.cadre.cadre_id.clone(),
                p.cadre.name.clone(),
                p.cadre.unit_name.clone(),
                p.cadre.rank.clone(),
                p.cadre.post.clone(),
                format!("{:.1}", p.expected_gain),
                if p.frequent_trainee { "是" } else { "" }.into(),
                p.reason.clone(),
            ]
        })
        .collect();
    (header, rows)
}
