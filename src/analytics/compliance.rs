//! 学时 rules (学时达标): how many hours of which kind a cadre must earn in a
//! period, and how far they are. Defaults from DOMAIN.md:
//!
//! - every cadre: 50 online 学时 a year (全国干部教育培训规划 2023-2027);
//! - 乡科级 and below: 90 学时 or 12 days of concentrated training a year;
//! - 县处级 and above: 550 学时 or 3 months (90 days) of full-time training in a rolling 5 years.
//!
//! Only completed records count. A record's kind comes from its class type
//! (网络 → online; 集中, 脱产, 混合 → concentrated; 脱产 → full-time); a
//! record outside any class counts as online when its course is 网络 or 混合.

use crate::model::{date, ClassType, Dataset, Day, Mode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Online,
    Concentrated,
    FullTime,
    Any,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub name: String,
    /// Ranks it applies to; empty = every cadre.
    #[serde(default)]
    pub ranks: Vec<String>,
    pub kind: Kind,
    pub hours: f64,
    /// Alternative: this many days of class attendance also meet the rule (0 = none).
    #[serde(default)]
    pub days: f64,
    /// Length of the period in years, ending on 31 December of the year asked for.
    pub period_years: i32,
}

pub fn default_rules() -> Vec<Rule> {
    let r = |id: &str, name: &str, ranks: &[&str], kind, hours, days, period_years| Rule {
        id: id.into(),
        name: name.into(),
        ranks: ranks.iter().map(|s| s.to_string()).collect(),
        kind,
        hours,
        days,
        period_years,
    };
    vec![
        r("online_50", "网络学习每年不少于 50 学时", &[], Kind::Online, 50.0, 0.0, 1),
        r("concentrated_90", "乡科级及以下每年集中培训不少于 90 学时或 12 天", &["乡科级", "一般干部"], Kind::Concentrated, 90.0, 12.0, 1),
        r("fulltime_550", "县处级以上每 5 年脱产培训不少于 550 学时或 3 个月", &["县处级", "厅局级", "省部级"], Kind::FullTime, 550.0, 90.0, 5),
    ]
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleProgress {
    pub rule_id: String,
    pub name: String,
    pub period_start: String,
    /// The deadline: the period's last day.
    pub period_end: String,
    pub earned_hours: f64,
    pub required_hours: f64,
    pub remaining_hours: f64,
    /// Days of class attendance of this kind in the period (for rules with a days alternative).
    pub earned_days: f64,
    pub required_days: f64,
    pub met: bool,
}

/// Whether a record counts for a kind of training.
pub fn counts_as(ds: &Dataset, i: usize, kind: Kind) -> bool {
    let r = &ds.records;
    let class = r.class[i];
    let class_type = (class != crate::model::NO_CLASS).then(|| ds.classes.get(class).kind);
    match kind {
        Kind::Any => true,
        Kind::Online => match class_type {
            Some(t) => t == ClassType::Online,
            None => ds.courses.get(r.course[i]).mode != Mode::Offline,
        },
        Kind::Concentrated => matches!(class_type, Some(ClassType::Concentrated | ClassType::FullTime | ClassType::Blended)),
        Kind::FullTime => class_type == Some(ClassType::FullTime),
    }
}

/// Progress of a cadre on every rule that applies to their rank, for the period ending in `year`.
pub fn progress(ds: &Dataset, rules: &[Rule], cadre: u32, year: i32) -> Vec<RuleProgress> {
    let rank = &ds.cadres.get(cadre).rank;
    rules
        .iter()
        .filter(|rule| rule.ranks.is_empty() || rule.ranks.iter().any(|r| r == rank))
        .map(|rule| {
            let start = date::from_ymd(year - rule.period_years + 1, 1, 1).expect("valid year");
            let end = date::year_end(year);
            let in_period = |d: Day| d >= start && d <= end;
            let r = &ds.records;
            let mut hours = 0.0;
            let mut classes: Vec<u32> = Vec::new();
            for i in r.cadre_range(cadre) {
                if r.completed[i] && in_period(r.date[i]) && counts_as(ds, i, rule.kind) {
                    hours += r.hours[i] as f64;
                    if r.class[i] != crate::model::NO_CLASS && !classes.contains(&r.class[i]) {
                        classes.push(r.class[i]);
                    }
                }
            }
            let days: f64 = classes
                .iter()
                .map(|&c| {
                    let c = ds.classes.get(c);
                    (c.end.min(end) - c.start.max(start) + 1).max(0) as f64
                })
                .sum();
            let met = hours >= rule.hours || (rule.days > 0.0 && days >= rule.days);
            RuleProgress {
                rule_id: rule.id.clone(),
                name: rule.name.clone(),
                period_start: date::format(start),
                period_end: date::format(end),
                earned_hours: hours,
                required_hours: rule.hours,
                remaining_hours: if met { 0.0 } else { (rule.hours - hours).max(0.0) },
                earned_days: days,
                required_days: rule.days,
                met,
            }
        })
        .collect()
}
