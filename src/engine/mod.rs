//! The engine API: a loaded dataset with its caches, and one method per
//! question. Every face — the CLI, the web page's worker, the mini-program —
//! calls these methods with the typed requests of [`requests`] and shows the
//! result structs as they are; none of them computes a number or holds a rule.
//!
//! | question | method | result |
//! | --- | --- | --- |
//! | what is loaded, and the policy in force | [`Engine::summary`] | [`Summary`] |
//! | how the files were read | [`Engine::report`] | [`Report`] |
//! | find a cadre | [`Engine::cadres`] | [`CadreInfo`]s |
//! | a cadre's profile (radar, gaps, trend) | [`Engine::profile`] | [`Profile`] |
//! | courses that close the gaps | [`Engine::recommend`] | [`Recommendations`] |
//! | the radar after one course | [`Engine::simulate`] | [`Simulation`] |
//! | the e-archive | [`Engine::archive`] | [`ArchiveEntry`]s |
//! | 学时 against each rule | [`Engine::hours`] | [`Hours`] |
//! | a unit's training layout | [`Engine::layout`] | [`Layout`] |
//! | units ranked per dimension | [`Engine::city_ranking`] | |
//! | course or teacher ratings | [`Engine::ratings`] | [`RatingTable`] |
//! | repeats, 培训专业户, spread | [`Engine::fairness`] | [`Fairness`] |
//! | 学时 compliance of a group | [`Engine::compliance`] | [`GroupCompliance`] |
//! | plan a class | [`Engine::plan`] | [`Plan`] |
//! | who to send (调训名单) | [`Engine::assign`] | [`Assignment`] |

#[cfg(feature = "analysis")]
mod analysis;
pub mod batch;
pub mod personal;
pub mod questions;
pub mod requests;
mod warm;

use crate::analytics::archive::{self, ArchiveEntry};
use crate::analytics::compliance::{self, GroupCompliance, Hours, Rule};
use crate::analytics::fairness::{self, Fairness};
use crate::analytics::layout::{self, Layout, LayoutParams, UnitRank};
use crate::analytics::profile::{self, CadreInfo, Profile};
use crate::analytics::ratings::{RatingSummary, RatingTable, course_ratings, rating_table};
use crate::analytics::recommend::{self, RecommendParams, Recommendations, Simulation};
use crate::analytics::{Model, Snapshot};
use crate::demo::Scale;
use crate::error::{Code, Error, Result};
use crate::ingest::{self, LoadOptions, Progress, Report, SourceFile};
use crate::model::{Dataset, Day, date};
use crate::planning::{self, assign::Assignment, plan::Plan};
use crate::policy::{self, Policy, RuleInfo};
use requests::*;
use serde::Serialize;

/// Years a question may ask about.
const FIRST_YEAR: i32 = 1949;
const LAST_YEAR: i32 = 2200;

/// What is loaded, and the policy the engine applies.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// The synthetic demo city, not imported data.
    pub demo: bool,
    pub units: usize,
    pub cadres: usize,
    pub courses: usize,
    pub teachers: usize,
    pub classes: usize,
    pub records: usize,
    pub ratings: usize,
    pub dimensions: Vec<String>,
    /// The ranks present, in order of first appearance.
    pub ranks: Vec<String>,
    pub latest_date: Option<String>,
    /// The default as-of date of every view.
    pub as_of: String,
    pub files: Vec<String>,
    /// The years a view's year picker offers, newest first: the as-of date's
    /// year and the [`policy::YEARS_SHOWN`]` - 1` before it.
    pub years: Vec<i32>,
    pub policy: Policy,
    /// Opened from a 个人档案包: its issuer, dates, cadre and signer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<personal::PackageInfo>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitInfo {
    pub unit_id: String,
    pub name: String,
    pub parent_id: Option<String>,
    /// Cadres of this unit itself (not of units below it).
    pub cadres: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassInfo {
    pub class_id: String,
    pub name: String,
    pub kind: &'static str,
    pub start: String,
    pub capacity: u32,
}

/// A dataset and its caches: every cadre's reserves at the last as-of date
/// asked for, and the course ratings.
pub struct Engine {
    ds: Dataset,
    report: Report,
    files: Vec<String>,
    demo: bool,
    model: Model,
    rules: Vec<Rule>,
    snapshot: Option<Snapshot>,
    ratings: Option<Vec<RatingSummary>>,
    /// Opened from a 个人档案包: one cadre, the package's as-of date and peer statistics.
    personal: Option<personal::Personal>,
    /// The analysis session: its tables at the last as-of date asked for (see [`crate::analysis`]).
    #[cfg(feature = "analysis")]
    analysis: crate::analysis::Session,
}

impl Engine {
    /// An engine over a dataset built elsewhere (no report, no files).
    pub fn new(ds: Dataset) -> Engine {
        Engine {
            ds,
            report: Report::default(),
            files: Vec::new(),
            demo: false,
            model: Model::default(),
            rules: policy::default_rules(),
            snapshot: None,
            ratings: None,
            personal: None,
            #[cfg(feature = "analysis")]
            analysis: Default::default(),
        }
    }

    /// Makes this engine a 个人档案包's: its as-of date is the package's, its
    /// percentiles and peer medians the package's statistics, its course
    /// ratings the package's (aligned with the courses); views of the whole
    /// city are refused.
    pub(crate) fn become_personal(&mut self, personal: personal::Personal, ratings: Vec<RatingSummary>) {
        self.personal = Some(personal);
        self.ratings = Some(ratings);
        self.snapshot = None;
    }

    /// Every cadre's reserves at the last as-of date asked for, if computed.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }

    /// What the engine knows of the package it was opened from, if it was.
    pub fn package(&self) -> Option<&personal::PackageInfo> {
        self.personal.as_ref().map(|p| &p.info)
    }

    /// Refuses a view of the whole city in a package's engine (it holds one cadre).
    fn whole_city(&self) -> Result<()> {
        match self.personal {
            Some(_) => Err(Error::new(Code::PersonalMode, "个人档案包只含本人的数据：单位、评价、规划与分析视图不可用")),
            None => Ok(()),
        }
    }

    /// The 学时 rules in force.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every course's rating (the recommendations' weighting), computed once.
    pub fn course_ratings(&mut self) -> &[RatingSummary] {
        if self.ratings.is_none() {
            self.ratings = Some(course_ratings(&self.ds, policy::RATING_PRIOR_WEIGHT));
        }
        self.ratings.as_deref().unwrap_or_default()
    }

    /// The built-in demo city (synthetic): `s`, `m` or `l`.
    pub fn demo(scale: &str) -> Result<Engine> {
        let scale = Scale::parse(scale).ok_or_else(|| Error::bad_argument(format!("未知的演示规模「{scale}」，应为 s、m 或 l")))?;
        // A province (1M cadres, ~2 GB) is for the native CLI, not a browser or a phone.
        if cfg!(target_arch = "wasm32") && scale == Scale::XL {
            return Err(Error::bad_argument("演示规模 xl（100 万名干部）只能在命令行中使用；网页和小程序请用 s、m 或 l"));
        }
        let mut e = Engine::new(crate::demo::generate(scale));
        e.demo = true;
        Ok(e)
    }

    /// Reads and validates `files` into one dataset. Loading never fails as
    /// a whole: what could not be read is in the report.
    pub fn load(files: &[SourceFile], opts: &LoadOptions, progress: &mut dyn FnMut(Progress)) -> Result<Engine> {
        opts.check()?;
        if files.is_empty() {
            return Err(Error::new(Code::NoData, "没有数据文件可读取"));
        }
        let loaded = ingest::load_with_progress(files, opts, progress);
        let mut e = Engine::new(loaded.dataset);
        e.report = loaded.report;
        e.files = files.iter().map(|f| f.name.clone()).collect();
        Ok(e)
    }

    /// [`Engine::load`] of new `files` over files `kept` before (the page's
    /// and the mini-program's import): a new file replaces the kept one of
    /// its name, the other kept files stay. A new file the load rejects
    /// (`report.rejected`: not one row used) is left out and never replaces a
    /// kept one: the load is made again without it (with the kept version of
    /// its name, if any), and the report keeps its problems first and lists
    /// the new files left out as rejected. Kept files are never left out. If
    /// nothing is left to load, the first load stands.
    pub fn load_over(kept: Vec<SourceFile>, files: Vec<SourceFile>, opts: &LoadOptions, progress: &mut dyn FnMut(Progress)) -> Result<Engine> {
        // Kept files first (in their order), then the new ones; a kept file
        // that a new one replaces waits as the fallback. Each keeps its place.
        let n_kept = kept.len();
        let mut fallback = Vec::new();
        let mut order = Vec::new();
        let mut loaded = Vec::new();
        for (i, f) in kept.into_iter().enumerate() {
            if files.iter().any(|n| n.name == f.name) {
                fallback.push((i, f));
            } else {
                order.push(i);
                loaded.push(f);
            }
        }
        let n_staying = loaded.len();
        order.extend(n_kept..n_kept + files.len());
        loaded.extend(files);
        let first = Engine::load(&loaded, opts, progress)?;
        let rejected: Vec<String> =
            loaded[n_staying..].iter().map(|f| ingest::base_name(&f.name).to_string()).filter(|name| first.report.rejected.contains(name)).collect();
        if rejected.is_empty() {
            return Ok(first);
        }
        let left_out = |f: &SourceFile| rejected.iter().any(|r| r == ingest::base_name(&f.name));
        let mut again: Vec<(usize, SourceFile)> =
            order.into_iter().zip(loaded.drain(..)).enumerate().filter(|(k, (_, f))| *k < n_staying || !left_out(f)).map(|(_, x)| x).collect();
        again.extend(fallback.into_iter().filter(|(_, f)| left_out(f)));
        again.sort_by_key(|(i, _)| *i);
        let again: Vec<SourceFile> = again.into_iter().map(|(_, f)| f).collect();
        if again.is_empty() {
            return Ok(first);
        }
        let mut e = Engine::load(&again, opts, progress)?;
        let about = |i: &&ingest::Issue| rejected.contains(&i.file);
        let r = &mut e.report;
        r.errors = first.report.errors.iter().filter(about).cloned().chain(r.errors.drain(..)).collect();
        r.warnings = first.report.warnings.iter().filter(about).cloned().chain(r.warnings.drain(..)).collect();
        r.rejected = rejected;
        Ok(e)
    }

    /// [`Engine::load`] from files on disk (native; `(name, path)`): a UTF-8
    /// CSV file is read once, whole up to a block (32 MB), else block by
    /// block while its table is built; with every core when the `parallel`
    /// feature is on. The outcome is that of `load` on the files' bytes.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn load_paths(files: &[(String, std::path::PathBuf)], opts: &LoadOptions, progress: &mut dyn FnMut(Progress)) -> Result<Engine> {
        opts.check()?;
        if files.is_empty() {
            return Err(Error::new(Code::NoData, "没有数据文件可读取"));
        }
        let loaded = ingest::load_paths(files, opts, progress, ingest::Tuning::default());
        let mut e = Engine::new(loaded.dataset);
        e.report = loaded.report;
        e.files = files.iter().map(|f| f.0.clone()).collect();
        Ok(e)
    }

    /// Sets the reserve model's parameters (checked: half-life 0–100 years,
    /// completion credit 0–1).
    pub fn set_model(&mut self, model: Model) -> Result<()> {
        model.check()?;
        if self.personal.is_some() && model != self.model {
            return Err(Error::new(Code::PersonalMode, "个人档案包的数字按签发时的模型计算，不能更改半衰期或结业系数"));
        }
        if model != self.model {
            self.model = model;
            self.snapshot = None;
        }
        Ok(())
    }

    /// Replaces the 学时 rules (default: [`policy::default_rules`]).
    pub fn set_rules(&mut self, rules: Vec<Rule>) -> Result<()> {
        for r in &rules {
            policy::RULE_HOURS_RANGE.check(&format!("rules[{}].hours", r.id), r.hours)?;
            policy::RULE_DAYS_RANGE.check(&format!("rules[{}].days", r.id), r.days)?;
            if !(1..=50).contains(&r.period_years) {
                return Err(Error::bad_argument(format!("规则「{}」的 period_years 应在 1 到 50 之间，实为 {}", r.id, r.period_years)));
            }
        }
        self.rules = rules;
        Ok(())
    }

    /// The reserve model's parameters.
    pub fn model(&self) -> Model {
        self.model
    }

    pub fn dataset(&self) -> &Dataset {
        &self.ds
    }

    pub fn report(&self) -> &Report {
        &self.report
    }

    pub fn policy(&self) -> Policy {
        Policy {
            repeat_window_years: policy::REPEAT_WINDOW_YEARS,
            theory_share: policy::THEORY_SHARE,
            coverage_years: policy::COVERAGE_YEARS,
            rating_prior_weight: policy::RATING_PRIOR_WEIGHT,
            half_life_years: self.model.half_life_years,
            completion_credit: self.model.completion_credit,
            rules: self.rules.iter().map(RuleInfo::of).collect(),
        }
    }

    pub fn summary(&self) -> Summary {
        let ds = &self.ds;
        let mut ranks: Vec<String> = Vec::new();
        for c in ds.cadres.items() {
            if !c.rank.is_empty() && !ranks.contains(&c.rank) {
                ranks.push(c.rank.clone());
            }
        }
        Summary {
            demo: self.demo,
            units: ds.units.len(),
            cadres: ds.cadres.len(),
            courses: ds.courses.len(),
            teachers: ds.teachers.len(),
            classes: ds.classes.len(),
            records: ds.records.len(),
            ratings: ds.ratings.len(),
            dimensions: ds.dimensions.items().iter().map(|d| d.name.clone()).collect(),
            ranks,
            latest_date: ds.latest_date().map(date::format),
            as_of: date::format(self.default_as_of()),
            files: self.files.clone(),
            years: (0..policy::YEARS_SHOWN).map(|k| date::year(self.default_as_of()) - k).collect(),
            policy: self.policy(),
            package: self.package().cloned(),
        }
    }

    /// Computes every cadre's reserves at the as-of date ahead of the first
    /// profile (what percentiles and peer medians need); returns how many cadres.
    pub fn prepare(&mut self, req: &AsOfRequest) -> Result<usize> {
        self.at(req.as_of.as_deref())?;
        Ok(self.ds.cadres.len())
    }

    pub fn units(&self) -> Vec<UnitInfo> {
        let mut counts = vec![0usize; self.ds.units.len()];
        for c in self.ds.cadres.items() {
            counts[c.unit as usize] += 1;
        }
        self.ds
            .units
            .iter()
            .map(|(i, id, u)| UnitInfo {
                unit_id: id.into(),
                name: u.name.clone(),
                parent_id: u.parent.map(|p| self.ds.units.id(p).to_string()),
                cadres: counts[i as usize],
            })
            .collect()
    }

    /// Cadres whose id or name contains the query (all when it is empty), in data order.
    pub fn cadres(&self, req: &CadreSearch) -> Result<Vec<CadreInfo>> {
        check_count("limit", req.limit, 1000)?;
        let q = req.query.trim();
        Ok(self
            .ds
            .cadres
            .iter()
            .filter(|(_, id, c)| q.is_empty() || id.contains(q) || c.name.contains(q))
            .take(req.limit)
            .map(|(i, _, _)| CadreInfo::of(&self.ds, i))
            .collect())
    }

    pub fn profile(&mut self, req: &ProfileRequest) -> Result<Profile> {
        let c = self.find_cadre(&req.cadre)?;
        let (ds, snap) = self.at(req.as_of.as_deref())?;
        Ok(profile::profile(ds, snap, c))
    }

    pub fn recommend(&mut self, req: &RecommendRequest) -> Result<Recommendations> {
        let c = self.find_cadre(&req.cadre)?;
        check_count("top", req.top, policy::MAX_RECOMMEND_TOP)?;
        policy::WINDOW_YEARS_RANGE.check("repeat_window_years", req.repeat_window_years)?;
        let params = RecommendParams { top: req.top, repeat_window_years: req.repeat_window_years, ..Default::default() };
        self.course_ratings();
        self.at(req.as_of.as_deref())?;
        let (snap, ratings) = (self.snapshot.as_ref().expect("computed by at"), self.ratings.as_deref().unwrap_or_default());
        Ok(recommend::recommend_with(&self.ds, snap, c, &params, ratings))
    }

    pub fn simulate(&mut self, req: &SimulateRequest) -> Result<Simulation> {
        let c = self.find_cadre(&req.cadre)?;
        let k = self.ds.courses.lookup(req.course.trim()).ok_or_else(|| Error::not_found(format!("没有编号为「{}」的课程", req.course)))?;
        let (ds, snap) = self.at(req.as_of.as_deref())?;
        Ok(recommend::simulate(ds, snap, c, k))
    }

    pub fn archive(&self, req: &CadreRequest) -> Result<Vec<ArchiveEntry>> {
        Ok(archive::archive(&self.ds, self.find_cadre(&req.cadre)?))
    }

    pub fn hours(&self, req: &HoursRequest) -> Result<Hours> {
        let c = self.find_cadre(&req.cadre)?;
        let year = self.year(req.year)?;
        Ok(Hours { year, rules: compliance::progress(&self.ds, &self.rules, c, year) })
    }

    pub fn layout(&mut self, req: &LayoutRequest) -> Result<Layout> {
        self.whole_city()?;
        let u = self.find_unit(&req.unit)?;
        policy::WINDOW_YEARS_RANGE.check("coverage_years", req.coverage_years)?;
        let (ds, snap) = self.at(req.as_of.as_deref())?;
        let y = date::year(snap.as_of);
        let years = match req.years.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => parse_years(s)?,
            None => layout::default_years(y),
        };
        Ok(layout::layout(ds, snap, u, &LayoutParams { years, include_subunits: req.include_subunits, coverage_years: req.coverage_years }))
    }

    /// Top-level units ranked per dimension: `[(dimension, units best first)]`.
    pub fn city_ranking(&mut self, req: &AsOfRequest) -> Result<Vec<(String, Vec<UnitRank>)>> {
        self.whole_city()?;
        let (ds, snap) = self.at(req.as_of.as_deref())?;
        Ok(layout::city_ranking(ds, snap))
    }

    pub fn ratings(&self, req: &RatingsRequest) -> Result<RatingTable> {
        self.whole_city()?;
        policy::PRIOR_WEIGHT_RANGE.check("prior_weight", req.prior_weight)?;
        Ok(rating_table(&self.ds, req.by == RatingsBy::Teacher, req.prior_weight))
    }

    pub fn fairness(&mut self, req: &FairnessRequest) -> Result<Fairness> {
        self.whole_city()?;
        policy::WINDOW_YEARS_RANGE.check("window_years", req.window_years)?;
        let (cadres, units) = self.scope(&req.unit)?;
        let day = self.as_of_day(req.as_of.as_deref())?;
        Ok(fairness::fairness(&self.ds, day, req.window_years, &cadres, &units))
    }

    pub fn compliance(&self, req: &ComplianceRequest) -> Result<GroupCompliance> {
        self.whole_city()?;
        let (cadres, _) = self.scope(&req.unit)?;
        let year = self.year(req.year)?;
        Ok(compliance::group_compliance(&self.ds, &self.rules, &cadres, year))
    }

    pub fn classes(&self) -> Vec<ClassInfo> {
        self.ds
            .classes
            .iter()
            .map(|(_, id, c)| ClassInfo { class_id: id.into(), name: c.name.clone(), kind: c.kind.label(), start: date::format(c.start), capacity: c.capacity })
            .collect()
    }

    pub fn plan(&mut self, req: &PlanRequest) -> Result<Plan> {
        self.whole_city()?;
        let p = &req.params;
        policy::BUDGET_HOURS_RANGE.check("budget_hours", p.budget_hours)?;
        if let Some(s) = p.theory_share {
            policy::THEORY_SHARE_RANGE.check("theory_share", s)?;
        }
        policy::WINDOW_YEARS_RANGE.check("window_years", p.window_years)?;
        let cohort = planning::select_cohort(&self.ds, &req.cohort).map_err(Error::not_found)?;
        let day = self.as_of_day(req.as_of.as_deref())?;
        planning::plan::plan(&self.ds, &self.model, day, cohort, p)
    }

    pub fn assign(&mut self, req: &AssignRequest) -> Result<Assignment> {
        self.whole_city()?;
        policy::WINDOW_YEARS_RANGE.check("window_years", req.window_years)?;
        let day = self.as_of_day(req.as_of.as_deref())?;
        let p = planning::assign::AssignParams {
            courses: (!req.courses.is_empty()).then(|| req.courses.clone()),
            quota_per_unit: req.quota_per_unit,
            window_years: req.window_years,
            capacity: req.capacity,
        };
        planning::assign::assign(&self.ds, &self.model, day, &req.class, &p)
    }

    /// A cadre by id, or by exact name when exactly one cadre has it.
    pub fn find_cadre(&self, key: &str) -> Result<u32> {
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::bad_argument("请给出干部编号或姓名（cadre）"));
        }
        if let Some(i) = self.ds.cadres.lookup(key) {
            return Ok(i);
        }
        let by_name: Vec<u32> = self.ds.cadres.iter().filter(|(_, _, c)| c.name == key).map(|(i, _, _)| i).collect();
        match by_name.as_slice() {
            [one] => Ok(*one),
            [] => Err(Error::not_found(format!("没有编号或姓名为「{key}」的干部"))),
            many => Err(Error::not_found(format!(
                "有 {} 名干部叫「{key}」：{}；请给出干部编号",
                many.len(),
                many.iter().map(|&i| self.ds.cadres.id(i)).collect::<Vec<_>>().join("、")
            ))),
        }
    }

    /// A unit by id or name.
    pub fn find_unit(&self, key: &str) -> Result<u32> {
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::bad_argument("请给出单位编号或名称（unit）"));
        }
        self.ds
            .units
            .lookup(key)
            .or_else(|| self.ds.units.iter().find(|(_, _, u)| u.name == key).map(|(i, _, _)| i))
            .ok_or_else(|| Error::not_found(format!("没有编号或名称为「{key}」的单位")))
    }

    /// Cadres and units of a unit's subtree, or of the whole city for an empty key.
    fn scope(&self, unit: &str) -> Result<(Vec<u32>, Vec<u32>)> {
        let u = if unit.trim().is_empty() { None } else { Some(self.find_unit(unit)?) };
        Ok(layout::scope(&self.ds, u))
    }

    /// The default as-of date: the latest record's date.
    pub fn default_as_of(&self) -> Day {
        if let Some(p) = &self.personal {
            return p.as_of;
        }
        self.ds
            .latest_date()
            .unwrap_or_else(|| date::from_ymd(policy::FALLBACK_AS_OF.0, policy::FALLBACK_AS_OF.1, policy::FALLBACK_AS_OF.2).expect("a valid date"))
    }

    pub(crate) fn as_of_day(&self, as_of: Option<&str>) -> Result<Day> {
        match as_of.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => match date::parse(s) {
                Some(d) if (date::earliest_plausible()..=date::year_end(LAST_YEAR)).contains(&d) => Ok(d),
                Some(_) => Err(Error::bad_argument(format!("as_of：日期「{s}」不在 1949-10-01 至 {LAST_YEAR}-12-31 之间"))),
                None => Err(Error::bad_argument(format!("as_of：无法识别的日期「{s}」，应为 2025-12-31 这样的日期"))),
            },
            None => Ok(self.default_as_of()),
        }
    }

    fn year(&self, year: Option<i32>) -> Result<i32> {
        match year {
            Some(y) if (FIRST_YEAR..=LAST_YEAR).contains(&y) => Ok(y),
            Some(y) => Err(Error::bad_argument(format!("year：年份 {y} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间"))),
            None => Ok(date::year(self.default_as_of())),
        }
    }

    /// The dataset, the snapshot computed by the last [`Engine::at`] and the analysis session, borrowed together.
    #[cfg(feature = "analysis")]
    fn analysis_parts(&mut self) -> (&Dataset, &Snapshot, &mut crate::analysis::Session) {
        (&self.ds, self.snapshot.as_ref().expect("computed by at"), &mut self.analysis)
    }

    /// The dataset and every cadre's reserves at `as_of` (computed once per date).
    pub(crate) fn at(&mut self, as_of: Option<&str>) -> Result<(&Dataset, &Snapshot)> {
        let day = self.as_of_day(as_of)?;
        if let Some(p) = self.personal.as_ref().filter(|p| p.as_of != day) {
            return Err(Error::new(Code::PersonalMode, format!("个人档案包的数字截至 {}，不能查看其他日期", p.info.as_of)));
        }
        if self.snapshot.as_ref().is_none_or(|s| s.as_of != day) {
            let mut snap = Snapshot::compute(&self.ds, self.model, day);
            if let Some(p) = &self.personal {
                snap.fix_peers(&p.peers);
            }
            self.snapshot = Some(snap);
        }
        Ok((&self.ds, self.snapshot.as_ref().expect("just computed")))
    }
}

fn check_count(field: &str, v: usize, max: usize) -> Result<()> {
    if (1..=max).contains(&v) { Ok(()) } else { Err(Error::bad_argument(format!("{field}：应为 1 到 {max} 之间的整数，实为 {v}"))) }
}

/// A year filter (`2021-2025`, or with one end open: `2022-`, `-2023`):
/// any span, since it only selects rows.
pub fn parse_year_filter(s: &str) -> Result<(i32, i32)> {
    let bad = || Error::bad_argument(format!("years：年份范围「{s}」应写成 2021-2025、2022-（起）或 -2023（止）"));
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let end = |x: &str, open: i32| if x.trim().is_empty() { Ok(open) } else { x.trim().parse::<i32>().map_err(|_| bad()) };
    let (a, b) = (end(a, FIRST_YEAR)?, end(b, LAST_YEAR)?);
    if a > b || a < FIRST_YEAR || b > LAST_YEAR {
        return Err(bad());
    }
    Ok((a, b))
}

/// `2021-2025` → (2021, 2025), at most 50 years.
pub fn parse_years(s: &str) -> Result<(i32, i32)> {
    let bad = || Error::bad_argument(format!("years：年份范围「{s}」应写成 2021-2025"));
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (a, b): (i32, i32) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
    if a > b || b - a > 50 || a < FIRST_YEAR || b > LAST_YEAR {
        return Err(bad());
    }
    Ok((a, b))
}
