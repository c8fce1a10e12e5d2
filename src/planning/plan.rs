//! The class planner (训前需求分析 → 课程设计): given a cohort and an 学时
//! budget, choose courses that maximise the cohort's expected gain.
//!
//! - The gain of a plan is Σ over cadres and dimensions of the rise in reserve
//!   its courses bring together (the same saturating model as the profile, so a
//!   second course on a dimension gains less than the first), each capped by
//!   the cadre's gap. Courses count at the completion credit.
//! - Constraints: the budget; at least `theory_share` of the hours on the
//!   theory and Party-spirit dimensions (held as "at most (1 − share) × budget
//!   outside them"); required (pinned) and removed courses; at most
//!   `max_hours_per_dim` in any dimension; courses that more than
//!   `common_share` of the cohort completed within the window are left out;
//!   no two near-duplicates (the same topic in another format) in one plan.
//! - Search: with at most 16 courses that help on their own, every
//!   combination; otherwise the better of greedy by gain per 学时 and greedy
//!   by gain, then swaps of one course for another while the gain improves.
//! - Teachers: each course gets the best-rated available teacher in its main
//!   dimension (specialty or the course's own teacher), each teacher at most
//!   `courses_per_teacher` courses.

use super::CohortState;
use crate::analytics::ratings::rating_table;
use crate::analytics::reserve::{DAYS_PER_YEAR, Model};
use crate::error::Code;
use crate::model::{Dataset, Day, date};
use serde::{Deserialize, Serialize};

/// Up to this many useful candidates, every combination is tried.
const EXACT_LIMIT: usize = 16;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanParams {
    pub budget_hours: f64,
    pub theory_share: Option<f64>,
    pub theory_dimensions: Vec<String>,
    pub required: Vec<String>,
    pub removed: Vec<String>,
    pub max_hours_per_dim: Option<f64>,
    pub common_share: f64,
    pub window_years: f64,
    pub courses_per_teacher: usize,
}

impl Default for PlanParams {
    fn default() -> Self {
        PlanParams {
            budget_hours: 40.0,
            theory_share: None,
            theory_dimensions: crate::model::taxonomy::THEORY_DIMENSIONS.iter().map(|s| s.to_string()).collect(),
            required: Vec::new(),
            removed: Vec::new(),
            max_hours_per_dim: None,
            common_share: 0.5,
            window_years: crate::policy::REPEAT_WINDOW_YEARS,
            courses_per_teacher: 1,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlannedCourse {
    pub course_id: String,
    pub title: String,
    pub hours: f64,
    pub mode: &'static str,
    pub pinned: bool,
    pub main_dimension: String,
    /// Mean gain per cadre this course adds, in plan order.
    pub marginal_gain: f64,
    pub reason: String,
    pub teacher_id: Option<String>,
    pub teacher_name: Option<String>,
    pub teacher_rating: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Plan {
    pub cohort: usize,
    pub as_of: String,
    pub budget_hours: f64,
    pub hours_used: f64,
    /// Share of the plan's hours on the theory dimensions.
    pub theory_share: f64,
    pub courses: Vec<PlannedCourse>,
    pub dimensions: Vec<String>,
    /// Cohort mean reserve per dimension, before and after the plan.
    pub before: Vec<f64>,
    pub after: Vec<f64>,
    /// Cohort mean gap per dimension before the plan.
    pub mean_gap: Vec<f64>,
    /// Σ gains / cohort size.
    pub mean_gain: f64,
    /// Left out because most of the cohort completed them recently.
    pub skipped_common: Vec<String>,
    pub warnings: Vec<String>,
}

pub use crate::error::Error as PlanError;

struct Ctx<'a> {
    ds: &'a Dataset,
    state: &'a CohortState,
    credit: f64,
    theory: Vec<bool>,
    /// Pairs of near-duplicate courses (the same topic in another format): never both in one plan.
    near: Vec<(u32, u32)>,
}

impl Ctx<'_> {
    fn extra(&self, plan: &[u32]) -> Vec<f64> {
        let mut e = vec![0.0; self.state.n_dims];
        for &k in plan {
            let h = self.ds.courses.get(k).hours * self.credit;
            for (d, &w) in self.ds.weights(k).iter().enumerate() {
                e[d] += h * w as f64;
            }
        }
        e
    }
    fn total(&self, plan: &[u32]) -> f64 {
        let e = self.extra(plan);
        (0..self.state.cadres.len()).map(|i| self.state.gain(i, &e)).sum()
    }
    fn hours(&self, plan: &[u32]) -> f64 {
        plan.iter().map(|&k| self.ds.courses.get(k).hours).sum()
    }
    fn theory_hours(&self, k: u32) -> f64 {
        self.ds.courses.get(k).hours * self.ds.weights(k).iter().enumerate().filter(|(d, _)| self.theory[*d]).map(|(_, &w)| w as f64).sum::<f64>()
    }
    fn feasible(&self, plan: &[u32], p: &PlanParams) -> bool {
        if self.hours(plan) > p.budget_hours + 1e-9 {
            return false;
        }
        if self.near.iter().any(|(a, b)| plan.contains(a) && plan.contains(b)) {
            return false;
        }
        if let Some(share) = p.theory_share {
            let non: f64 = plan.iter().map(|&k| self.ds.courses.get(k).hours - self.theory_hours(k)).sum();
            if non > (1.0 - share) * p.budget_hours + 1e-9 {
                return false;
            }
        }
        if let Some(cap) = p.max_hours_per_dim {
            let mut per = vec![0.0; self.state.n_dims];
            for &k in plan {
                for (d, &w) in self.ds.weights(k).iter().enumerate() {
                    per[d] += self.ds.courses.get(k).hours * w as f64;
                }
            }
            if per.iter().any(|&h| h > cap + 1e-9) {
                return false;
            }
        }
        true
    }
}

fn main_dim(ds: &Dataset, k: u32) -> usize {
    let w = ds.weights(k);
    (0..w.len()).max_by(|&a, &b| w[a].total_cmp(&w[b]).then(b.cmp(&a))).unwrap_or(0)
}

pub fn plan(ds: &Dataset, model: &Model, as_of: Day, cohort: Vec<u32>, p: &PlanParams) -> Result<Plan, PlanError> {
    if cohort.is_empty() {
        return Err(PlanError { code: Code::EmptyCohort, message: "所选范围内没有干部".into() });
    }
    let state = CohortState::new(ds, model, as_of, cohort);
    let theory: Vec<bool> = ds.dimensions.items().iter().map(|d| p.theory_dimensions.contains(&d.name)).collect();
    let near = crate::analytics::fairness::near_duplicates(ds)
        .iter()
        .map(|n| (ds.courses.lookup(&n.course_a).unwrap(), ds.courses.lookup(&n.course_b).unwrap()))
        .collect();
    let ctx = Ctx { ds, state: &state, credit: model.completion_credit, theory, near };
    let required = course_ids(ds, &p.required)?;
    let removed = course_ids(ds, &p.removed)?;
    let common = common_courses(ds, &state, as_of, p, &required);

    if !ctx.feasible(&required, p) {
        return Err(PlanError { code: Code::Infeasible, message: "必选课程已超出学时预算或理论课比例、单维度学时上限".into() });
    }
    let candidates: Vec<u32> = (0..ds.courses.len() as u32).filter(|k| !removed.contains(k) && !common.contains(k) && !required.contains(k)).collect();
    let (mut total, mut chosen) = choose(&ctx, p, &required, &candidates);
    improve(&ctx, p, required.len(), &candidates, &mut chosen, &mut total);

    let mut warnings = Vec::new();
    let courses = planned_courses(&ctx, p, &chosen, &required, &mut warnings);
    let n = state.cadres.len() as f64;
    let hours_used = ctx.hours(&chosen);
    let theory_hours: f64 = chosen.iter().map(|&k| ctx.theory_hours(k)).sum();
    let theory_share = if hours_used > 0.0 { theory_hours / hours_used } else { 0.0 };
    if let Some(s) = p.theory_share
        && theory_share + 1e-9 < s
    {
        warnings.push(format!("理论与党性教育课程占 {:.0}%，低于要求的 {:.0}%（预算未用满）", theory_share * 100.0, s * 100.0));
    }
    let extra = ctx.extra(&chosen);
    let mean_gap = (0..state.n_dims).map(|d| (0..state.cadres.len()).map(|i| state.gaps[i * state.n_dims + d]).sum::<f64>() / n).collect();
    Ok(Plan {
        cohort: state.cadres.len(),
        as_of: date::format(as_of),
        budget_hours: p.budget_hours,
        hours_used,
        theory_share,
        courses,
        dimensions: ds.dimensions.items().iter().map(|d| d.name.clone()).collect(),
        before: state.mean_reserves(&vec![0.0; state.n_dims]),
        after: state.mean_reserves(&extra),
        mean_gap,
        mean_gain: total / n,
        skipped_common: common.iter().map(|&k| ds.courses.id(k).to_string()).collect(),
        warnings,
    })
}

/// The courses with these ids, or the first id that names none.
fn course_ids(ds: &Dataset, ids: &[String]) -> Result<Vec<u32>, PlanError> {
    ids.iter().map(|id| ds.courses.lookup(id).ok_or_else(|| PlanError { code: Code::NotFound, message: format!("没有编号为「{id}」的课程") })).collect()
}

/// Courses most of the cohort completed within the window (and not required).
fn common_courses(ds: &Dataset, state: &CohortState, as_of: Day, p: &PlanParams, required: &[u32]) -> Vec<u32> {
    let window = (p.window_years * DAYS_PER_YEAR).round() as i32;
    let mut had = vec![0usize; ds.courses.len()];
    let r = &ds.records;
    for &c in &state.cadres {
        let mut seen: Vec<u32> = Vec::new();
        for i in r.cadre_range(c) {
            if r.completed[i] && r.date[i] <= as_of && as_of - r.date[i] < window && !seen.contains(&r.course[i]) {
                seen.push(r.course[i]);
                had[r.course[i] as usize] += 1;
            }
        }
    }
    let n = state.cadres.len() as f64;
    (0..ds.courses.len() as u32).filter(|&k| had[k as usize] as f64 > p.common_share * n && !required.contains(&k)).collect()
}

/// The best plan found from the required courses: every combination of the
/// useful candidates when they are few, else the better of two greedy
/// passes. Returns (cohort gain, courses), the required ones first.
fn choose(ctx: &Ctx, p: &PlanParams, required: &[u32], candidates: &[u32]) -> (f64, Vec<u32>) {
    // Candidates that help on their own; the rest can only help in combination
    // with others on the same gaps, which the saturating model never rewards more.
    let base = ctx.total(required);
    let useful: Vec<u32> = candidates
        .iter()
        .copied()
        .filter(|&k| {
            let mut t = required.to_vec();
            t.push(k);
            ctx.feasible(&t, p) && ctx.total(&t) > base + 1e-9
        })
        .collect();
    if useful.len() <= EXACT_LIMIT {
        // Few enough to try every combination.
        let mut best = (base, Vec::new());
        for mask in 1u32..(1 << useful.len()) {
            let mut t = required.to_vec();
            t.extend((0..useful.len()).filter(|i| mask & (1 << i) != 0).map(|i| useful[i]));
            if ctx.feasible(&t, p) {
                let v = ctx.total(&t);
                if v > best.0 + 1e-9 {
                    best = (v, t[required.len()..].to_vec());
                }
            }
        }
        let mut chosen = required.to_vec();
        chosen.extend(best.1);
        (best.0, chosen)
    } else {
        // Greedy by gain per 学时 and by gain; keep the better.
        let (a, b) = (greedy(ctx, p, required, &useful, base, true), greedy(ctx, p, required, &useful, base, false));
        if b.0 > a.0 + 1e-9 { b } else { a }
    }
}

/// Adds the useful course of the best gain (per 学时 when `by_ratio`) while one helps.
fn greedy(ctx: &Ctx, p: &PlanParams, required: &[u32], useful: &[u32], base: f64, by_ratio: bool) -> (f64, Vec<u32>) {
    let mut plan = required.to_vec();
    let mut total = base;
    loop {
        let mut best: Option<(f64, u32, f64)> = None;
        for &k in useful {
            if plan.contains(&k) {
                continue;
            }
            plan.push(k);
            if ctx.feasible(&plan, p) {
                let t = ctx.total(&plan);
                let score = if by_ratio { (t - total) / ctx.ds.courses.get(k).hours.max(1e-9) } else { t - total };
                if t - total > 1e-9 && best.is_none_or(|b| score > b.0 + 1e-12) {
                    best = Some((score, k, t));
                }
            }
            plan.pop();
        }
        match best {
            Some((_, k, t)) => {
                plan.push(k);
                total = t;
            }
            None => return (total, plan),
        }
    }
}

/// Swaps: replace one unpinned course (after the first `pinned`) by one or
/// two others while the gain improves.
fn improve(ctx: &Ctx, p: &PlanParams, pinned: usize, candidates: &[u32], chosen: &mut Vec<u32>, total: &mut f64) {
    for _ in 0..4 {
        let mut improved = false;
        for slot in pinned..chosen.len() {
            for &k in candidates {
                if chosen.contains(&k) {
                    continue;
                }
                let old = chosen[slot];
                chosen[slot] = k;
                if ctx.feasible(chosen, p) {
                    let t = ctx.total(chosen);
                    if t > *total + 1e-9 {
                        *total = t;
                        improved = true;
                        continue;
                    }
                }
                chosen[slot] = old;
            }
        }
        // Room left after swaps: top up greedily.
        for &k in candidates {
            if chosen.contains(&k) {
                continue;
            }
            chosen.push(k);
            let t = if ctx.feasible(chosen, p) { ctx.total(chosen) } else { f64::NEG_INFINITY };
            if t > *total + 1e-9 {
                *total = t;
                improved = true;
            } else {
                chosen.pop();
            }
        }
        if !improved {
            break;
        }
    }
}

/// The chosen courses as the plan lists them, each with a teacher by rating
/// in the course's main dimension (and a warning for a course left without one).
fn planned_courses(ctx: &Ctx, p: &PlanParams, chosen: &[u32], required: &[u32], warnings: &mut Vec<String>) -> Vec<PlannedCourse> {
    let (ds, state) = (ctx.ds, ctx.state);
    let n = state.cadres.len() as f64;
    let teacher_table = rating_table(ds, true, crate::policy::RATING_PRIOR_WEIGHT);
    let rating_in = |t: u32, d: usize| -> f64 {
        let row = teacher_table.rows.iter().find(|r| r.id == ds.teachers.id(t));
        row.and_then(|r| r.by_dimension.iter().find(|x| x.0 == ds.dimensions.get(d as u32).name).map(|x| x.1)).or(row.map(|r| r.shrunk)).unwrap_or(0.0)
    };
    let mut load = vec![0usize; ds.teachers.len()];
    let mut courses = Vec::new();
    let mut so_far: Vec<u32> = Vec::new();
    let mut prev = 0.0;
    for &k in chosen {
        so_far.push(k);
        let t = ctx.total(&so_far);
        let md = main_dim(ds, k);
        let course = ds.courses.get(k);
        let teacher = teacher_for(ds, k, md, &load, p, &rating_in);
        if let Some(t) = teacher {
            load[t as usize] += 1;
        } else {
            warnings.push(format!("「{}」没有可安排的教师（专长相符的教师都已排满）", course.title));
        }
        let mean_gap: f64 = (0..state.cadres.len()).map(|i| state.gaps[i * state.n_dims + md]).sum::<f64>() / n;
        let gain = (t - prev) / n;
        let dim = ds.dimensions.get(md as u32).name.clone();
        courses.push(PlannedCourse {
            course_id: ds.courses.id(k).into(),
            title: course.title.clone(),
            hours: course.hours,
            mode: course.mode.label(),
            pinned: required.contains(&k),
            reason: if required.contains(&k) {
                format!("必选课程；人均预计 +{gain:.1}")
            } else {
                format!("全班「{dim}」平均缺口 {mean_gap:.1}，人均预计 +{gain:.1}")
            },
            main_dimension: dim,
            marginal_gain: gain,
            teacher_id: teacher.map(|t| ds.teachers.id(t).to_string()),
            teacher_name: teacher.map(|t| ds.teachers.get(t).name.clone()),
            teacher_rating: teacher.map(|t| rating_in(t, md)),
        });
        prev = t;
    }
    courses
}

/// The best-rated teacher in dimension `md` (the course's own teacher too)
/// who has not reached the most courses per teacher.
fn teacher_for(ds: &Dataset, k: u32, md: usize, load: &[usize], p: &PlanParams, rating_in: &dyn Fn(u32, usize) -> f64) -> Option<u32> {
    let mut options: Vec<u32> = ds.teachers.iter().filter(|(_, _, t)| t.specialty.contains(&(md as u32))).map(|(i, _, _)| i).collect();
    if let Some(own) = ds.courses.get(k).teacher
        && !options.contains(&own)
    {
        options.push(own);
    }
    options.retain(|&t| load[t as usize] < p.courses_per_teacher);
    options.sort_by(|&a, &b| rating_in(b, md).total_cmp(&rating_in(a, md)).then(a.cmp(&b)));
    options.first().copied()
}

/// The cohort gain of an explicit set of courses (for comparisons and tests).
pub fn cohort_gain(ds: &Dataset, model: &Model, as_of: Day, cohort: Vec<u32>, courses: &[u32]) -> f64 {
    let state = CohortState::new(ds, model, as_of, cohort);
    let ctx = Ctx { ds, state: &state, credit: model.completion_credit, theory: vec![false; ds.n_dims()], near: Vec::new() };
    ctx.total(courses)
}
