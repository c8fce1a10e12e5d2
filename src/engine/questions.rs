//! The engine's questions, listed once. Each line of [`questions!`] below is
//! one question: its name (what the faces send), its request, its answer,
//! the engine method that answers it, which build has it, and how it is
//! exported. From that one list come [`Question`] (a name and a request
//! parsed together), [`Answer`], [`Engine::ask`], [`Engine::export`] and
//! [`QUESTIONS`]. The wasm bindings, the Python package and the CLI ask
//! through them; the JavaScript hosts forward a name and a request and hold
//! no list. Adding a question is one line here (and its method).

use super::requests::*;
use super::{Engine, Summary, UnitInfo};
use crate::analytics::archive::ArchiveEntry;
use crate::analytics::compliance::GroupCompliance;
use crate::analytics::compliance::Hours;
use crate::analytics::fairness::Fairness;
use crate::analytics::layout::{Layout, UnitRank};
use crate::analytics::profile::{CadreInfo, Profile};
use crate::analytics::ratings::RatingTable;
use crate::analytics::recommend::{Recommendations, Simulation};
use crate::error::{Code, Error, Result};
#[cfg(feature = "xlsx-write")]
use crate::export::Format;
use crate::export::{Sheet, Tabular};
use crate::ingest::Report;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The request of a question that takes none (`summary`, `report`, …): `{}`,
/// `null` or nothing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoRequest {}

/// Which builds answer a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Module {
    /// Every build: the CLI, Python, the web page's modules, the mini-program.
    Engine,
    /// Not the mini-program's lean module (the planner).
    Web,
    /// Only builds with polars: the CLI, the web page's analysis module.
    Analysis,
}

impl Module {
    pub fn name(self) -> &'static str {
        match self {
            Module::Engine => "engine",
            Module::Web => "web",
            Module::Analysis => "analysis",
        }
    }
}

/// How an answer is written as a file.
#[cfg_attr(not(feature = "xlsx-write"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Export {
    /// Not a table (the summary, the unit list).
    No,
    /// Sheets of text ([`Tabular`]): xlsx; CSV when there is one sheet.
    Sheets,
    /// An analysis result: xlsx with typed cells, CSV or Parquet.
    #[cfg_attr(not(feature = "analysis"), allow(dead_code))]
    Frame,
}

macro_rules! questions {
    ($(
        $(#[doc = $doc:literal])*
        $module:ident $(#[$cfg:meta])? $name:ident: $Variant:ident($Req:ty) -> $Ans:ty = |$e:ident, $r:ident| $call:expr, $export:ident;
    )*) => {
        /// A question with its request (see the module docs).
        #[derive(Debug, Clone)]
        pub enum Question {
            $( $(#[doc = $doc])* $(#[$cfg])? $Variant($Req), )*
        }

        /// The answer to a [`Question`], serialised as the answer itself.
        #[derive(Serialize)]
        #[serde(untagged)]
        pub enum Answer {
            $( $(#[$cfg])? $Variant($Ans), )*
        }

        /// Every question's name and the builds that answer it, in every build
        /// (so that a build can tell a question it lacks from an unknown one).
        pub const QUESTIONS: &[(&str, Module)] = &[$( (stringify!($name), Module::$module), )*];

        impl Question {
            /// A question from its name and its request as JSON (`null`: every default).
            /// Unknown or wrongly typed fields are a `bad_argument` naming the field.
            pub fn parse(name: &str, request: serde_json::Value) -> Result<Question> {
                match name {
                    $( $(#[$cfg])? stringify!($name) => Ok(Question::$Variant(request_of(request)?)), )*
                    _ => Err(unknown(name)),
                }
            }

            /// The question's name, as the faces send it.
            pub fn name(&self) -> &'static str {
                match self {
                    $( $(#[$cfg])? Question::$Variant(_) => stringify!($name), )*
                }
            }
        }

        impl Answer {
            /// The name of the question answered.
            pub fn name(&self) -> &'static str {
                match self {
                    $( $(#[$cfg])? Answer::$Variant(_) => stringify!($name), )*
                }
            }

            #[cfg_attr(not(feature = "xlsx-write"), allow(dead_code))]
            fn export_kind(&self) -> Export {
                match self {
                    $( $(#[$cfg])? Answer::$Variant(_) => Export::$export, )*
                }
            }

            $( $(#[$cfg])?
            #[doc = concat!("The answer to `", stringify!($name), "`, if this is one.")]
            pub fn $name(&self) -> Option<&$Ans> {
                #[allow(unreachable_patterns)]
                match self {
                    Answer::$Variant(a) => Some(a),
                    _ => None,
                }
            } )*

            /// The answer as sheets of text (the CLI's `--xlsx` and the page's
            /// Excel exports); `None` for an answer that is not a table.
            pub fn sheets(&self) -> Option<Vec<Sheet>> {
                match self {
                    $( $(#[$cfg])? Answer::$Variant(_a) => questions!(@sheets $export, _a), )*
                }
            }
        }

        impl Engine {
            /// Answers a question: the one entry every face goes through.
            pub fn ask(&mut self, question: Question) -> Result<Answer> {
                match question {
                    $( $(#[$cfg])? Question::$Variant($r) => {
                        let $e = &mut *self;
                        let $r = &$r;
                        $call.map(Answer::$Variant)
                    } )*
                }
            }
        }
    };
    (@sheets Sheets, $a:expr) => { Some($a.sheets()) };
    (@sheets $other:ident, $a:expr) => { None };
}

questions! {
    /// What is loaded, and the policy in force.
    Engine summary: Summary(NoRequest) -> Summary = |e, _r| Ok(e.summary()), No;
    /// How the files were read: every problem with its file, row and column.
    Engine report: Report(NoRequest) -> Report = |e, _r| Ok(e.report().clone()), Sheets;
    /// The units with their parents and own cadres.
    Engine units: Units(NoRequest) -> Vec<UnitInfo> = |e, _r| Ok(e.units()), No;
    /// Computes every cadre's reserves at the date ahead of the first profile; how many cadres.
    Engine prepare: Prepare(AsOfRequest) -> usize = |e, r| e.prepare(r), No;
    /// Cadres whose id or name contains the query.
    Engine cadres: Cadres(CadreSearch) -> Vec<CadreInfo> = |e, r| e.cadres(r), Sheets;
    /// A cadre's profile: radar numbers, gaps ranked, records behind each number, trend.
    Engine profile: Profile(ProfileRequest) -> Profile = |e, r| e.profile(r), Sheets;
    /// Courses that close the gaps, with reason and gain.
    Engine recommend: Recommend(RecommendRequest) -> Recommendations = |e, r| e.recommend(r), Sheets;
    /// The radar before and after one course.
    Engine simulate: Simulate(SimulateRequest) -> Simulation = |e, r| e.simulate(r), Sheets;
    /// The e-archive (电子档案): every record of the cadre, newest first.
    Engine archive: Archive(CadreRequest) -> Vec<ArchiveEntry> = |e, r| e.archive(r), Sheets;
    /// 学时 against each rule that applies, with deadlines.
    Engine hours: Hours(HoursRequest) -> Hours = |e, r| e.hours(r), Sheets;
    /// A unit's training layout.
    Engine layout: Layout(LayoutRequest) -> Layout = |e, r| e.layout(r), Sheets;
    /// Top-level units ranked per dimension.
    Engine city_ranking: CityRanking(AsOfRequest) -> Vec<(String, Vec<UnitRank>)> = |e, r| e.city_ranking(r), Sheets;
    /// Course or teacher ratings.
    Engine ratings: Ratings(RatingsRequest) -> RatingTable = |e, r| e.ratings(r), Sheets;
    /// Repeats, 培训专业户, how evenly training is spread, who had none.
    Engine fairness: Fairness(FairnessRequest) -> Fairness = |e, r| e.fairness(r), Sheets;
    /// 学时 compliance of a unit's subtree (or the city).
    Engine compliance: Compliance(ComplianceRequest) -> GroupCompliance = |e, r| e.compliance(r), Sheets;
    /// The classes (班次), for the planner.
    Web #[cfg(any(feature = "web", not(target_arch = "wasm32")))]
    classes: Classes(NoRequest) -> Vec<super::ClassInfo> = |e, _r| Ok(e.classes()), No;
    /// A class plan for a cohort within an 学时 budget.
    Web #[cfg(any(feature = "web", not(target_arch = "wasm32")))]
    plan: Plan(PlanRequest) -> crate::planning::plan::Plan = |e, r| e.plan(r), Sheets;
    /// Who to send (调训名单).
    Web #[cfg(any(feature = "web", not(target_arch = "wasm32")))]
    assign: Assign(AssignRequest) -> crate::planning::assign::Assignment = |e, r| e.assign(r), Sheets;
    /// The analysis tables with their columns and row counts.
    Analysis #[cfg(feature = "analysis")]
    analysis_tables: AnalysisTables(AsOfRequest) -> Vec<crate::analysis::TableInfo> = |e, r| e.analysis_tables(r), No;
    /// 数据透视: rows × a column field, one measure aggregated, with totals.
    Analysis #[cfg(feature = "analysis")]
    pivot: Pivot(crate::analysis::PivotRequest) -> crate::analysis::Analysis = |e, r| e.pivot(r), Frame;
    /// A read-only SQL query over the analysis tables.
    Analysis #[cfg(feature = "analysis")]
    sql: Sql(crate::analysis::SqlRequest) -> crate::analysis::Analysis = |e, r| e.sql(r), Frame;
}

/// The builds that answer the question `name`, if it is one.
pub fn module_of(name: &str) -> Option<Module> {
    QUESTIONS.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
}

fn unknown(name: &str) -> Error {
    match module_of(name) {
        Some(m) => Error::new(Code::NotInModule, format!("「{name}」不在这个引擎模块中（需要 {} 模块）", m.name())),
        None => Error::new(Code::UnknownQuestion, format!("未知的问题「{name}」")),
    }
}

/// A request from JSON: `null` means every default; a wrong or unknown field
/// is a `bad_argument` that names it.
fn request_of<T: DeserializeOwned + Default>(v: serde_json::Value) -> Result<T> {
    if v.is_null() {
        return Ok(T::default());
    }
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." { String::new() } else { format!("「{path}」") };
        Error::bad_argument(format!("请求参数{at}有误：{}", e.inner()))
    })
}

impl Engine {
    /// The whole answer: [`Engine::ask`]'s, except that a pivot or a query
    /// has all its rows (not the first `limit`). What exports write.
    pub fn whole(&mut self, question: Question) -> Result<Answer> {
        match question {
            #[cfg(feature = "analysis")]
            Question::Pivot(p) => self.pivot_all(&p).map(Answer::Pivot),
            #[cfg(feature = "analysis")]
            Question::Sql(s) => self.sql_all(&s).map(Answer::Sql),
            q => self.ask(q),
        }
    }

    /// A question's whole answer as a file (see [`Answer::file`]).
    #[cfg(feature = "xlsx-write")]
    pub fn export(&mut self, question: Question, format: Format) -> Result<Vec<u8>> {
        self.whole(question)?.file(format)
    }
}

impl Answer {
    /// The answer as a file: xlsx for every table answer, CSV for one with a
    /// single sheet, and xlsx, CSV or Parquet for a pivot or a query.
    #[cfg(feature = "xlsx-write")]
    pub fn file(&self, format: Format) -> Result<Vec<u8>> {
        let name = self.name();
        #[cfg(feature = "analysis")]
        if let Answer::Pivot(a) | Answer::Sql(a) = self {
            return crate::analysis::write(a, format);
        }
        let sheets = match self.export_kind() {
            Export::Sheets => self.sheets().unwrap_or_default(),
            Export::No | Export::Frame => return Err(Error::bad_argument(format!("「{name}」的结果不是表格，不能导出"))),
        };
        let failed = |e: String| Error::new(Code::Export, format!("导出失败：{e}"));
        match (format, sheets.as_slice()) {
            (Format::Xlsx, _) => crate::export::xlsx_sheets(&sheets).map_err(|e| failed(e.to_string())),
            (Format::Csv, [one]) => {
                let header: Vec<&str> = one.header.iter().map(String::as_str).collect();
                Ok(crate::export::csv_table(&header, &one.rows))
            }
            (Format::Csv, _) => Err(Error::bad_argument(format!("「{name}」的结果有 {} 张表，只能导出为 xlsx", sheets.len()))),
            (Format::Parquet, _) => Err(Error::bad_argument(format!("「{name}」的结果只能导出为 xlsx 或 csv"))),
        }
    }
}
