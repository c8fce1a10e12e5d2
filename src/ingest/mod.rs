//! Ingest: files in (CSV folders in UTF-8 or GBK, xlsx workbooks, JSON, xAPI
//! statements), a validated `Dataset` and a `Report` out. Loading never fails
//! as a whole and never drops a row without saying which and why.

mod build;
mod chunks;
mod parquet;
pub mod decode;
pub mod report;
pub mod schema;
mod sources;
pub mod workbook;
pub mod values;
pub mod xapi;

pub use build::Tuning;
pub use report::{FileInfo, Issue, Report};
pub use schema::Table;
pub use sources::SourceFile;

use crate::model::Dataset;
use serde::{Deserialize, Serialize};

/// How values are read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// Minutes per 学时 when only minutes are given (a class hour is 45 minutes; 1–600).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = LoadOptions::default().minutes_per_hour, allow_negative_numbers = true))]
    pub minutes_per_hour: f64,
    /// Saturation 学时 S_d for dimensions that give none, and for the default taxonomy (0.1–10000).
    #[cfg_attr(feature = "cli", arg(long = "saturation", default_value_t = LoadOptions::default().default_saturation_hours, allow_negative_numbers = true))]
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
    load_tuned(files, opts, progress, Tuning::default())
}

/// [`load_with_progress`] with the block and chunk sizes given (tests use
/// small ones to show that the outcome does not depend on them).
pub fn load_tuned(files: &[SourceFile], opts: &LoadOptions, progress: &mut dyn FnMut(Progress), tuning: Tuning) -> Loaded {
    // Each file is read on its own (in parallel natively); reports are joined in the files' order.
    let read = crate::model::par::map(files, |f| {
        let mut report = Report::default();
        let tables = sources::read(f, &mut report);
        (tables, report)
    });
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    finish(read, &names, opts, progress, tuning)
}

/// Loads files from disk (native): a UTF-8 CSV file is read once, whole if
/// it is no bigger than a block (and the files held whole so far leave room
/// within two blocks), else block by block while its table is built; any
/// other file is read whole. The outcome is that of [`load`] on the files'
/// bytes. `files` are (name, path).
#[cfg(not(target_arch = "wasm32"))]
pub fn load_paths(files: &[(String, std::path::PathBuf)], opts: &LoadOptions, progress: &mut dyn FnMut(Progress), tuning: Tuning) -> Loaded {
    // Files of up to a block are read whole, up to two blocks' worth in all; the rest are streamed.
    let whole = sources::Whole { file: tuning.block_bytes as u64, left: (2 * tuning.block_bytes as u64).into() };
    let read = crate::model::par::map(files, |(name, path)| {
        let mut report = Report::default();
        let tables = match sources::read_path(name, path, &mut report, &whole) {
            Ok(t) => t,
            Err(e) => {
                report.errors.push(sources::file_issue("bad_file", sources::base_name(name), format!("无法读取该文件：{e}")));
                Vec::new()
            }
        };
        (tables, report)
    });
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    finish(read, &names, opts, progress, tuning)
}

fn finish(read: Vec<(Vec<sources::TableData<'_>>, Report)>, names: &[&str], opts: &LoadOptions, progress: &mut dyn FnMut(Progress), tuning: Tuning) -> Loaded {
    let mut report = Report::default();
    let mut tables = Vec::new();
    for (t, mut r) in read {
        tables.extend(t);
        report.errors.append(&mut r.errors);
        report.warnings.append(&mut r.warnings);
        report.files.append(&mut r.files);
    }
    let dataset = build::build(tables, opts, &mut report, progress, tuning);
    report.bound_echoes();
    report.rejected = names
        .iter()
        .map(|f| sources::base_name(f).to_string())
        .filter(|name| {
            let rows = report.rows_by_file.get(name).copied().unwrap_or(0);
            rows == 0 && report.errors.iter().chain(&report.warnings).any(|i| &i.file == name)
        })
        .collect();
    Loaded { dataset, report }
}
