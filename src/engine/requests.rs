//! The questions the engine answers, one typed request each. Defaults are
//! defined here once (from [`crate::policy`]); unknown fields are rejected.
//! The same structs are the CLI's arguments (with the `cli` feature, through
//! clap) and what the wasm bindings deserialise from JavaScript objects.

use crate::planning::CohortFilter;
use crate::planning::plan::PlanParams;
use crate::policy;
use serde::Deserialize;

#[cfg(feature = "cli")]
use clap::Args;

/// A dimension-free question about one cadre.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct CadreRequest {
    /// Cadre id (干部编号) or exact name.
    #[cfg_attr(feature = "cli", arg(long))]
    pub cadre: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct CadreSearch {
    /// Part of a name or id; empty lists the first ones.
    #[cfg_attr(feature = "cli", arg(long = "search", default_value = ""))]
    #[serde(alias = "search")]
    pub query: String,
    /// At most this many (1–1000).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = CadreSearch::default().limit))]
    pub limit: usize,
}

impl Default for CadreSearch {
    fn default() -> Self {
        CadreSearch { query: String::new(), limit: 20 }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct ProfileRequest {
    /// Cadre id (干部编号) or exact name.
    #[cfg_attr(feature = "cli", arg(long))]
    pub cadre: String,
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[cfg_attr(feature = "cli", arg(long))]
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct RecommendRequest {
    /// Cadre id (干部编号) or exact name.
    #[cfg_attr(feature = "cli", arg(long))]
    pub cadre: String,
    /// How many courses (1–100).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = policy::RECOMMEND_TOP))]
    pub top: usize,
    /// Never propose a course completed within this many years (0–50).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = policy::REPEAT_WINDOW_YEARS, allow_negative_numbers = true))]
    pub repeat_window_years: f64,
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[cfg_attr(feature = "cli", arg(long))]
    pub as_of: Option<String>,
}

impl Default for RecommendRequest {
    fn default() -> Self {
        RecommendRequest { cadre: String::new(), top: policy::RECOMMEND_TOP, repeat_window_years: policy::REPEAT_WINDOW_YEARS, as_of: None }
    }
}

/// The predicted radar after one course.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct SimulateRequest {
    /// Cadre id (干部编号) or exact name.
    #[cfg_attr(feature = "cli", arg(long))]
    pub cadre: String,
    /// Course id (课程编号) taken on the as-of date.
    #[cfg_attr(feature = "cli", arg(long))]
    pub course: String,
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[cfg_attr(feature = "cli", arg(long))]
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct HoursRequest {
    /// Cadre id (干部编号) or exact name.
    #[cfg_attr(feature = "cli", arg(long))]
    pub cadre: String,
    /// The year whose periods are checked (default: the latest record's year).
    #[cfg_attr(feature = "cli", arg(long))]
    pub year: Option<i32>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct LayoutRequest {
    /// Unit id (单位编号) or name (on the command line: omit it for the city ranking).
    #[cfg_attr(feature = "cli", arg(long, default_value = ""))]
    pub unit: String,
    /// Years as FIRST-LAST, e.g. 2021-2025 (default: the five years up to the as-of date).
    #[cfg_attr(feature = "cli", arg(long))]
    pub years: Option<String>,
    /// With `--no-subunits`: only the unit's own cadres, not those of units below it.
    #[cfg_attr(feature = "cli", arg(long = "no-subunits", action = clap::ArgAction::SetFalse))]
    pub include_subunits: bool,
    /// Coverage counts training in this many years before the as-of date (0–50).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = policy::COVERAGE_YEARS, allow_negative_numbers = true))]
    pub coverage_years: f64,
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[cfg_attr(feature = "cli", arg(long))]
    pub as_of: Option<String>,
}

impl Default for LayoutRequest {
    fn default() -> Self {
        LayoutRequest { unit: String::new(), years: None, include_subunits: true, coverage_years: policy::COVERAGE_YEARS, as_of: None }
    }
}

/// A question asked at one date only.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct AsOfRequest {
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[cfg_attr(feature = "cli", arg(long))]
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum RatingsBy {
    #[default]
    Course,
    Teacher,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct RatingsRequest {
    #[cfg_attr(feature = "cli", arg(long, value_enum, default_value_t = RatingsBy::Course))]
    pub by: RatingsBy,
    /// Pseudo-votes pulling each mean towards the overall mean (0–1000).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = policy::RATING_PRIOR_WEIGHT, allow_negative_numbers = true))]
    pub prior_weight: f64,
}

impl Default for RatingsRequest {
    fn default() -> Self {
        RatingsRequest { by: RatingsBy::Course, prior_weight: policy::RATING_PRIOR_WEIGHT }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct FairnessRequest {
    /// Unit id or name; empty = the whole city.
    #[cfg_attr(feature = "cli", arg(long, default_value = ""))]
    pub unit: String,
    /// Repeats and 培训专业户 count within this many years (0–50).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = policy::REPEAT_WINDOW_YEARS, allow_negative_numbers = true))]
    pub window_years: f64,
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[cfg_attr(feature = "cli", arg(long))]
    pub as_of: Option<String>,
}

impl Default for FairnessRequest {
    fn default() -> Self {
        FairnessRequest { unit: String::new(), window_years: policy::REPEAT_WINDOW_YEARS, as_of: None }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct ComplianceRequest {
    /// Unit id or name; empty = the whole city.
    #[cfg_attr(feature = "cli", arg(long, default_value = ""))]
    pub unit: String,
    /// The year whose periods are checked (default: the latest record's year).
    #[cfg_attr(feature = "cli", arg(long))]
    pub year: Option<i32>,
}

/// The class planner: a cohort (filters combined with AND) and the plan's parameters.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanRequest {
    pub cohort: Vec<CohortFilter>,
    pub params: PlanParams,
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct AssignRequest {
    /// Class id (班次编号).
    #[cfg_attr(feature = "cli", arg(long))]
    pub class: String,
    /// The class's courses (default: those recorded for it).
    #[cfg_attr(feature = "cli", arg(long, value_delimiter = ','))]
    pub courses: Vec<String>,
    /// At most this many places per unit.
    #[cfg_attr(feature = "cli", arg(long))]
    pub quota_per_unit: Option<usize>,
    /// Places (default: the class's capacity).
    #[cfg_attr(feature = "cli", arg(long))]
    pub capacity: Option<usize>,
    /// Leave out cadres who completed one of the courses within this many years.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = policy::REPEAT_WINDOW_YEARS, allow_negative_numbers = true))]
    pub window_years: f64,
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[cfg_attr(feature = "cli", arg(long))]
    pub as_of: Option<String>,
}

impl Default for AssignRequest {
    fn default() -> Self {
        AssignRequest {
            class: String::new(),
            courses: Vec::new(),
            quota_per_unit: None,
            capacity: None,
            window_years: policy::REPEAT_WINDOW_YEARS,
            as_of: None,
        }
    }
}
