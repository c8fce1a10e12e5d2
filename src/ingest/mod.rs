//! Ingest: files in (CSV folders in UTF-8 or GBK, xlsx workbooks, JSON, xAPI
//! statements), a validated `Dataset` and a `Report` out. Loading never fails
//! as a whole and never drops a row without saying which and why.

mod build;
mod chunks;
pub mod decode;
mod parquet;
pub mod report;
pub mod schema;
mod sources;
mod split;
mod table;
pub mod values;
pub mod workbook;
pub mod xapi;

pub use build::Tuning;
pub use report::{FileInfo, Issue, Report};
pub use schema::Table;
pub use table::SourceFile;
pub(crate) use table::base_name;

use crate::model::Dataset;
use serde::{Deserialize, Serialize};

/// How values are read.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// Minutes per 学时 when only minutes are given (a class hour is 45 minutes; 1–600: `policy::MINUTES_PER_HOUR`).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = LoadOptions::default().minutes_per_hour, allow_negative_numbers = true))]
    pub minutes_per_hour: f64,
    /// Saturation 学时 S_d for dimensions that give none, and for the default taxonomy (0.1–10000: `policy::SATURATION_HOURS`).
    #[cfg_attr(feature = "cli", arg(long = "saturation", default_value_t = LoadOptions::default().default_saturation_hours, allow_negative_numbers = true))]
    pub default_saturation_hours: f64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { minutes_per_hour: crate::policy::MINUTES_PER_HOUR, default_saturation_hours: crate::policy::SATURATION_HOURS }
    }
}

impl LoadOptions {
    /// Each value within its range ([`crate::policy`]), or a `bad_argument` naming it.
    pub fn check(&self) -> crate::error::Result<()> {
        crate::policy::MINUTES_PER_HOUR_RANGE.check("minutes_per_hour", self.minutes_per_hour)?;
        crate::policy::SATURATION_HOURS_RANGE.check("default_saturation_hours", self.default_saturation_hours)
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

/// The files a list of data paths names (native; the CLI's `--data`, the
/// Python package's `load`): a file, or the regular files directly inside a
/// folder, sorted by name, as `(name, path)`. What a folder holds besides
/// (subfolders, pipes, devices) is handed to `skipped`, folder by folder. A
/// folder with no data file is an error (`no_data`); so are a path that is
/// neither a folder nor a regular file (a pipe or a device would block or
/// never end) and a file that cannot be opened (`io`). Files are only opened
/// here; [`load_paths`] reads them.
#[cfg(not(target_arch = "wasm32"))]
pub fn data_files(paths: &[std::path::PathBuf], skipped: &mut dyn FnMut(&[std::path::PathBuf])) -> crate::error::Result<Vec<(String, std::path::PathBuf)>> {
    use crate::error::Error;
    let io = |p: &std::path::Path, e: std::io::Error| Error::new(crate::error::Code::Io, format!("cannot read {}: {e}", p.display()));
    let name = |p: &std::path::Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let (mut entries, mut other): (Vec<_>, Vec<_>) =
                std::fs::read_dir(p).map_err(|e| io(p, e))?.filter_map(|e| e.ok().map(|e| e.path())).partition(|p| p.is_file());
            entries.sort();
            other.sort();
            if !other.is_empty() {
                skipped(&other);
            }
            if entries.is_empty() {
                return Err(Error::new(crate::error::Code::NoData, format!("no data files found in {}", p.display())));
            }
            for e in entries {
                std::fs::File::open(&e).map_err(|err| io(&e, err))?;
                files.push((name(&e), e));
            }
        } else if p.is_file() {
            std::fs::File::open(p).map_err(|e| io(p, e))?;
            files.push((name(p), p.clone()));
        } else {
            return Err(Error::new(crate::error::Code::Io, format!("{} is neither a folder nor a regular file", p.display())));
        }
    }
    Ok(files)
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
                report.errors.push(table::file_issue("bad_file", table::base_name(name), format!("无法读取该文件：{e}")));
                Vec::new()
            }
        };
        (tables, report)
    });
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    finish(read, &names, opts, progress, tuning)
}

fn finish(read: Vec<(Vec<table::TableData<'_>>, Report)>, names: &[&str], opts: &LoadOptions, progress: &mut dyn FnMut(Progress), tuning: Tuning) -> Loaded {
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
        .map(|f| table::base_name(f).to_string())
        .filter(|name| {
            let rows = report.rows_by_file.get(name).copied().unwrap_or(0);
            rows == 0 && report.errors.iter().chain(&report.warnings).any(|i| &i.file == name)
        })
        .collect();
    Loaded { dataset, report }
}
