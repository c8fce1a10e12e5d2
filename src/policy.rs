//! Policy values: the defaults of the rules and windows that the analytics
//! apply and the faces show. This is their one home; the CLI's defaults, the
//! engine's request defaults and the texts of the web page and the
//! mini-program (which receive them through `Engine::policy`) all come from here.

use serde::{Deserialize, Serialize};

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
        let (lo, hi) = (self.min, self.max);
        if v.is_finite() && v >= lo && v <= hi {
            Ok(())
        } else {
            Err(crate::error::Error::bad_argument(format!("{field}：应为 {lo} 到 {hi} 之间的数，实为 {v}")))
        }
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
/// [`RATING_PRIOR_WEIGHT`]'s range (pseudo-votes).
pub const PRIOR_WEIGHT_RANGE: Range = Range { min: 0.0, max: 1000.0 };
/// [`THEORY_SHARE`]'s range.
pub const THEORY_SHARE_RANGE: Range = Range { min: 0.0, max: 1.0 };
/// A class plan's 学时 budget.
pub const BUDGET_HOURS_RANGE: Range = Range { min: 0.0, max: 10_000.0 };
/// A 学时 rule's hours, and its days.
pub const RULE_HOURS_RANGE: Range = Range { min: 0.0, max: 100_000.0 };
pub const RULE_DAYS_RANGE: Range = Range { min: 0.0, max: 10_000.0 };
/// At most this many courses in a recommendation.
pub const MAX_RECOMMEND_TOP: usize = 100;

/// The default as-of date when the data has no record at all (year, month, day).
pub const FALLBACK_AS_OF: (i32, u32, u32) = (2025, 12, 31);

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

/// What kind of training a 学时 rule counts (a record's kind: see `analytics::compliance`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Online,
    Concentrated,
    FullTime,
    Any,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counting {
    #[default]
    Hours,
    YunnanCredits,
}

/// A 学时 rule: who it applies to, what it counts, how much in what period
/// (`analytics::compliance` measures cadres against it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub name: String,
    /// Ranks it applies to; empty = every cadre.
    #[serde(default)]
    pub ranks: Vec<String>,
    /// Party roles (党员, 支部书记 …) it applies to; empty = regardless of role.
    #[serde(default)]
    pub party_roles: Vec<String>,
    /// What is summed: 学时, or Yunnan-style online credits.
    #[serde(default)]
    pub counting: Counting,
    pub kind: Kind,
    pub hours: f64,
    /// Alternative: this many days of class attendance also meet the rule (0 = none).
    #[serde(default)]
    pub days: f64,
    /// Length of the period in years, ending on 31 December of the year asked for.
    pub period_years: i32,
}

/// The default rules (the README lists them; seed 004 and DOMAIN.md).
pub fn default_rules() -> Vec<Rule> {
    let r = |id: &str, name: &str, ranks: &[&str], kind, hours, days, period_years| Rule {
        id: id.into(),
        name: name.into(),
        ranks: ranks.iter().map(|s| s.to_string()).collect(),
        party_roles: Vec::new(),
        counting: Counting::Hours,
        kind,
        hours,
        days,
        period_years,
    };
    vec![
        r("online_50", "网络学习每年不少于 50 学时", &[], Kind::Online, 50.0, 0.0, 1),
        r("concentrated_90", "乡科级及以下每年集中培训不少于 90 学时或 12 天", &["乡科级", "一般干部"], Kind::Concentrated, 90.0, 12.0, 1),
        r("fulltime_550", "县处级以上每 5 年脱产培训不少于 550 学时或 3 个月", &["县处级", "厅局级", "省部级"], Kind::FullTime, 550.0, 90.0, 5),
        Rule {
            party_roles: vec!["党员".into(), "支部书记".into(), "支委委员".into()],
            ..r("party_32", "党员每年学习培训不少于 32 学时", &[], Kind::Any, 32.0, 0.0, 1)
        },
        Rule {
            party_roles: vec!["支部书记".into(), "支委委员".into()],
            ..r("party_56", "支部书记、支委委员每年学习培训不少于 56 学时", &[], Kind::Any, 56.0, 0.0, 1)
        },
    ]
}
