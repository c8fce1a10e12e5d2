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
