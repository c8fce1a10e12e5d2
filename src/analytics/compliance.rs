//! 学时 rules (学时达标): how many hours of which kind a cadre must earn in a
//! period, and how far they are. Defaults from DOMAIN.md:
//!
//! - every cadre: 50 online 学时 a year (全国干部教育培训规划 2023-2027);
//! - 乡科级 and below: 90 学时 or 12 days of concentrated training a year;
//! - 县处级 and above: 550 学时 or 3 months (90 days) of full-time training in a rolling 5 years;
//! - Party members: 32 学时 a year; branch secretaries and committee members: 56 (seed 004, case 4).
//!
//! A rule may count Yunnan-style online credits instead of 学时 (`"counting":
//! "yunnan_credits"`): a course of 30 minutes or more earns 1, 15–30 minutes
//! 0.5, 15 minutes or less 0.25, and a passed test (score ≥ 60) 0.5 more.
//!
//! Only completed records count. A record's kind comes from its class type
//! (网络 → online; 集中, 脱产, 混合 → concentrated; 脱产 → full-time); a
//! record outside any class counts as online when its course is 网络 or 混合.

use crate::model::{ClassType, Dataset, Day, Mode, date};
pub use crate::policy::{Counting, Kind, Rule, default_rules};
use serde::Serialize;

/// 学时 against each rule that applies to a cadre, for the periods ending in `year`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hours {
    pub year: i32,
    pub rules: Vec<RuleProgress>,
}

/// A record's Yunnan-style credit: by length, plus 0.5 for a passed test.
pub fn yunnan_credit(hours: f64, score: Option<f32>) -> f64 {
    let minutes = hours * crate::policy::MINUTES_PER_HOUR;
    let base = if minutes >= 30.0 - 1e-9 {
        1.0
    } else if minutes > 15.0 {
        0.5
    } else {
        0.25
    };
    base + if score.is_some_and(|s| s >= 60.0) { 0.5 } else { 0.0 }
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
    /// How far along, 0–1 (1 when met, by hours or by days): what a progress bar shows.
    pub progress: f64,
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
    let c = ds.cadres.get(cadre);
    rules
        .iter()
        .filter(|rule| rule.ranks.is_empty() || rule.ranks.contains(&c.rank))
        .filter(|rule| rule.party_roles.is_empty() || rule.party_roles.contains(&c.party_role))
        .map(|rule| {
            let start = date::from_ymd(year - rule.period_years + 1, 1, 1).expect("valid year");
            let end = date::year_end(year);
            let in_period = |d: Day| d >= start && d <= end;
            let r = &ds.records;
            let mut hours = 0.0;
            let mut classes: Vec<u32> = Vec::new();
            for i in r.cadre_range(cadre) {
                if r.completed[i] && in_period(r.date[i]) && counts_as(ds, i, rule.kind) {
                    hours += match rule.counting {
                        Counting::Hours => r.hours[i] as f64,
                        Counting::YunnanCredits => yunnan_credit(r.hours[i] as f64, (!r.score[i].is_nan()).then_some(r.score[i])),
                    };
                    if r.class[i] != crate::model::NO_CLASS && !classes.contains(&r.class[i]) {
                        classes.push(r.class[i]);
                    }
                }
            }
            // Whole days summed as integers (an empty f64 sum would be -0.0, shown as "-0").
            let days = classes
                .iter()
                .map(|&c| {
                    let c = ds.classes.get(c);
                    (c.end.min(end) - c.start.max(start) + 1).max(0)
                })
                .sum::<i32>() as f64;
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
                progress: if met || rule.hours <= 0.0 { 1.0 } else { (hours / rule.hours).clamp(0.0, 1.0) },
            }
        })
        .collect()
}

/// Whether a cadre meets every rule that applies (from [`progress`]; none applying: yes).
pub fn all_met(progress: &[RuleProgress]) -> bool {
    progress.iter().all(|x| x.met)
}

/// A compliance rate: `met` of `of` (1 when there are none).
pub fn rate(met: usize, of: usize) -> f64 {
    if of == 0 { 1.0 } else { met as f64 / of as f64 }
}

/// A full-time (脱产, Party-school) class and the share of its hours on theory and Party spirit.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassShare {
    pub class_id: String,
    pub name: String,
    pub start: String,
    /// Hours of the class's distinct courses (as recorded for it).
    pub hours: f64,
    pub theory_hours: f64,
    pub share: f64,
    pub met: bool,
}

/// The theory share of every 脱产 class with recorded courses: Σ course 学时 ×
/// weight on the theory dimensions / Σ course 学时, against `min_share` (0.7).
pub fn class_theory_shares(ds: &Dataset, min_share: f64) -> Vec<ClassShare> {
    let theory: Vec<bool> = ds.dimensions.items().iter().map(|d| crate::model::taxonomy::THEORY_DIMENSIONS.contains(&d.name.as_str())).collect();
    let mut courses: Vec<Vec<u32>> = vec![Vec::new(); ds.classes.len()];
    let r = &ds.records;
    for i in 0..r.len() {
        let c = r.class[i];
        if c != crate::model::NO_CLASS && ds.classes.get(c).kind == ClassType::FullTime && !courses[c as usize].contains(&r.course[i]) {
            courses[c as usize].push(r.course[i]);
        }
    }
    ds.classes
        .iter()
        .filter(|(i, _, _)| !courses[*i as usize].is_empty())
        .map(|(i, id, c)| {
            let ks = &courses[i as usize];
            let hours: f64 = ks.iter().map(|&k| ds.courses.get(k).hours).sum();
            let theory_hours: f64 =
                ks.iter().map(|&k| ds.courses.get(k).hours * ds.weights(k).iter().zip(&theory).filter(|(_, t)| **t).map(|(w, _)| *w as f64).sum::<f64>()).sum();
            let share = if hours > 0.0 { theory_hours / hours } else { 0.0 };
            ClassShare { class_id: id.into(), name: c.name.clone(), start: date::format(c.start), hours, theory_hours, share, met: share + 1e-9 >= min_share }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Shortfall {
    pub cadre: crate::analytics::profile::CadreInfo,
    pub rule_id: String,
    pub rule: String,
    pub earned_hours: f64,
    pub required_hours: f64,
    pub remaining_hours: f64,
    pub deadline: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleRate {
    pub rule_id: String,
    pub name: String,
    pub applicable: usize,
    pub met: usize,
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupCompliance {
    pub year: i32,
    pub cadres: usize,
    /// Cadres meeting every rule that applies to them.
    pub compliant: usize,
    pub rate: f64,
    pub by_rule: Vec<RuleRate>,
    /// Every cadre short of a rule, largest shortfall first.
    pub short: Vec<Shortfall>,
    /// The minimum theory and Party-spirit share of a 脱产 class's hours.
    pub theory_share_min: f64,
    /// 脱产 classes of the year below that share.
    pub classes_below_theory_share: Vec<ClassShare>,
    /// 脱产 classes of the year checked for the 70% share.
    pub classes_checked: usize,
}

/// Compliance of a group of cadres (a unit, or everyone) for the periods ending in `year`.
pub fn group_compliance(ds: &Dataset, rules: &[Rule], cadres: &[u32], year: i32) -> GroupCompliance {
    let mut by_rule: Vec<RuleRate> = rules.iter().map(|r| RuleRate { rule_id: r.id.clone(), name: r.name.clone(), applicable: 0, met: 0, rate: 0.0 }).collect();
    let mut compliant = 0;
    let mut short = Vec::new();
    for &c in cadres {
        let p = progress(ds, rules, c, year);
        if all_met(&p) {
            compliant += 1;
        }
        for x in p {
            let rr = by_rule.iter_mut().find(|r| r.rule_id == x.rule_id).expect("rule listed");
            rr.applicable += 1;
            rr.met += x.met as usize;
            if !x.met {
                short.push(Shortfall {
                    cadre: crate::analytics::profile::CadreInfo::of(ds, c),
                    rule_id: x.rule_id,
                    rule: x.name,
                    earned_hours: x.earned_hours,
                    required_hours: x.required_hours,
                    remaining_hours: x.remaining_hours,
                    deadline: x.period_end,
                });
            }
        }
    }
    for r in &mut by_rule {
        r.rate = rate(r.met, r.applicable);
    }
    short.sort_by(|a, b| b.remaining_hours.total_cmp(&a.remaining_hours).then_with(|| a.cadre.cadre_id.cmp(&b.cadre.cadre_id)));
    let classes: Vec<ClassShare> =
        class_theory_shares(ds, crate::policy::THEORY_SHARE).into_iter().filter(|c| c.start.starts_with(&year.to_string())).collect();
    GroupCompliance {
        year,
        cadres: cadres.len(),
        compliant,
        rate: rate(compliant, cadres.len()),
        by_rule,
        short,
        theory_share_min: crate::policy::THEORY_SHARE,
        classes_checked: classes.len(),
        classes_below_theory_share: classes.into_iter().filter(|c| !c.met).collect(),
    }
}
