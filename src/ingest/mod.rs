//! Ingest: files in (CSV folders in UTF-8 or GBK, xlsx workbooks, JSON, xAPI
//! statements), a validated `Dataset` and a `Report` out. Loading never fails
//! as a whole and never drops a row without saying which and why.

mod build;
pub mod decode;
pub mod report;
pub mod schema;
mod sources;
pub mod values;
pub mod xapi;

pub use report::{FileInfo, Issue, Report};
pub use schema::Table;
pub use sources::SourceFile;

use crate::model::Dataset;
use serde::{Deserialize, Serialize};

/// How values are read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadOptions {
    /// Minutes per 学时 when only minutes are given (a class hour is 45 minutes).
    pub minutes_per_hour: f64,
    /// `S_d` for a dimension whose row gives none, and for the default taxonomy.
    pub default_saturation_hours: f64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { minutes_per_hour: 45.0, default_saturation_hours: crate::model::taxonomy::DEFAULT_SATURATION_HOURS }
    }
}

/// Load progress: `done` of `total` bytes of table text processed.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub phase: &'static str,
    pub done: u64,
    pub total: u64,
}

/// A dataset and the report of how it was read.
pub struct Loaded {
    pub dataset: Dataset,
    pub report: Report,
}

/// Reads every file and builds one dataset from all of them (a table may be
/// split over several files; rows are checked against everything loaded).
pub fn load(files: &[SourceFile], opts: &LoadOptions) -> Loaded {
    load_with_progress(files, opts, &mut |_| {})
}

pub fn load_with_progress(files: &[SourceFile], opts: &LoadOptions, progress: &mut dyn FnMut(Progress)) -> Loaded {
    let mut report = Report::default();
    let mut tables = Vec::new();
    for f in files {
        tables.extend(sources::read(f, &mut report));
    }
    let dataset = build::build(tables, opts, &mut report, progress);
    Loaded { dataset, report }
}
