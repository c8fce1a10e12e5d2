//! Policy values: the defaults of the rules and windows that the analytics
//! apply and the faces show. This is their one home; the CLI's defaults, the
//! engine's request defaults and the texts of the web page and the
//! mini-program (which receive them through `Engine::policy`) all come from here.

use crate::analytics::compliance::{self, Rule};
use serde::Serialize;

/// Courses completed within this many years are not proposed again (避免重复培训),
/// and repeats are counted within it.
pub const REPEAT_WINDOW_YEARS: f64 = 3.0;
/// Minimum share of a 脱产 class's hours on theory and Party-spirit dimensions (seed 004, case 1).
pub const THEORY_SHARE: f64 = 0.7;
/// Coverage of a unit counts cadres trained within this many years.
pub const COVERAGE_YEARS: f64 = 3.0;
/// Pseudo-votes that pull each course or teacher rating towards the overall mean.
pub const RATING_PRIOR_WEIGHT: f64 = 10.0;
/// How many courses a recommendation lists.
pub const RECOMMEND_TOP: usize = 5;
/// Unit layout shows this many years up to the as-of date.
pub const LAYOUT_YEARS: i32 = 5;
/// How many years a view's year picker offers (`summary().years`).
pub const YEARS_SHOWN: i32 = 5;

/// Half-life H of training evidence, in years (0 = no decay): the reserve model's default.
pub const HALF_LIFE_YEARS: f64 = 3.0;
/// Credit m of a completed record without a score: the reserve model's default.
pub const COMPLETION_CREDIT: f64 = 0.8;
/// Minutes per 学时 (a class hour is 45 minutes): how minutes are read when only
/// minutes are given (default), and how a record's length is recovered for credit rules.
pub const MINUTES_PER_HOUR: f64 = 45.0;
/// Saturation 学时 `S_d` of a dimension that gives none, and of the default taxonomy.
pub const SATURATION_HOURS: f64 = 20.0;

/// The range a setting must lie in (inclusive; finite).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    /// `v` within the range, or a `bad_argument` naming the field.
    pub fn check(&self, field: &str, v: f64) -> crate::error::Result<()> {
        crate::engine::check_range(field, v, self.min, self.max)
    }
}

/// [`HALF_LIFE_YEARS`]'s range.
pub const HALF_LIFE_YEARS_RANGE: Range = Range { min: 0.0, max: 100.0 };
/// [`COMPLETION_CREDIT`]'s range.
pub const COMPLETION_CREDIT_RANGE: Range = Range { min: 0.0, max: 1.0 };
/// [`MINUTES_PER_HOUR`]'s range.
pub const MINUTES_PER_HOUR_RANGE: Range = Range { min: 1.0, max: 600.0 };
/// [`SATURATION_HOURS`]'s range.
pub const SATURATION_HOURS_RANGE: Range = Range { min: 0.1, max: 10_000.0 };
/// The range of the windows in years (coverage, repeats, fairness, plans).
pub const WINDOW_YEARS_RANGE: Range = Range { min: 0.0, max: 50.0 };

/// What the faces show of the policy, as the engine applies it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Policy {
    pub repeat_window_years: f64,
    pub theory_share: f64,
    pub coverage_years: f64,
    pub rating_prior_weight: f64,
    pub half_life_years: f64,
    pub completion_credit: f64,
    /// The 学时 rules in force.
    pub rules: Vec<RuleInfo>,
}

/// A 学时 rule as shown to people.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub hours: f64,
    pub days: f64,
    pub period_years: i32,
    pub ranks: Vec<String>,
    pub party_roles: Vec<String>,
}

impl RuleInfo {
    pub fn of(r: &Rule) -> RuleInfo {
        RuleInfo {
            id: r.id.clone(),
            name: r.name.clone(),
            hours: r.hours,
            days: r.days,
            period_years: r.period_years,
            ranks: r.ranks.clone(),
            party_roles: r.party_roles.clone(),
        }
    }
}

/// The default rules (the README lists them).
pub fn default_rules() -> Vec<Rule> {
    compliance::default_rules()
}
