//! The validation report: what was loaded, and every problem with where it is.

use serde::Serialize;
use std::collections::BTreeMap;

/// How many characters of a value a report repeats back.
pub const ECHO_CHARS: usize = 80;
/// How many characters a message may have (it may quote values).
const MESSAGE_CHARS: usize = 400;

/// A value as a report repeats it: at most [`ECHO_CHARS`] characters, then
/// "…（共 N 字）". Reading stops there, so a huge cell costs nothing to echo.
pub fn echo(v: &str) -> String {
    cut(v, ECHO_CHARS)
}

/// Whether `v` was already cut by [`echo`].
fn is_cut(v: &str) -> bool {
    v.ends_with("字）") && v.contains("…（共 ")
}

fn cut(v: &str, keep: usize) -> String {
    match v.char_indices().nth(keep) {
        None => v.to_string(),
        Some((at, _)) => format!("{}…（共 {} 字）", &v[..at], v.chars().count()),
    }
}

/// One problem in the input, located as a person would look for it in Excel.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Issue {
    /// Machine-readable kind, e.g. `unknown_reference`, `bad_date`.
    pub code: &'static str,
    /// `records`, `cadres` … (absent for problems with a whole file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<&'static str>,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// Row as Excel numbers it (the header is row 1); for JSON, the item's
    /// 1-based position in its array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// The column's header as written in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Excel cell reference such as `F7` (CSV and xlsx only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What was expected, in plain Chinese.
    pub message: String,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", if self.file.is_empty() { "（全部数据）" } else { &self.file })?;
        if let Some(s) = &self.sheet {
            write!(f, " [{s}]")?;
        }
        if let Some(r) = self.row {
            write!(f, " 第{r}行")?;
        }
        if let Some(c) = &self.column {
            write!(f, " 「{c}」列")?;
        }
        if let Some(c) = &self.cell {
            write!(f, " ({c})")?;
        }
        if let Some(v) = &self.value {
            write!(f, " 值「{v}」")?;
        }
        write!(f, ": {} [{}]", self.message, self.code)
    }
}

/// Where a file came from and how it was read.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileInfo {
    pub file: String,
    /// `csv`, `xlsx`, `json`, `xapi`.
    pub format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    /// The tables found in it.
    pub tables: Vec<&'static str>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Report {
    /// Rows loaded per table.
    pub loaded: BTreeMap<&'static str, usize>,
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
    pub files: Vec<FileInfo>,
    /// Files that could not be used at all: not one row loaded from them, and
    /// a problem reported for them (unreadable, not recognised as a table,
    /// every row refused). A face must not let such a file replace a good one.
    pub rejected: Vec<String>,
    /// Rows loaded from each file.
    #[serde(skip)]
    pub(crate) rows_by_file: BTreeMap<String, usize>,
}

impl Report {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Bounds what every issue repeats back (values and messages that quote
    /// them), whichever reader made it.
    pub(crate) fn bound_echoes(&mut self) {
        for i in self.errors.iter_mut().chain(self.warnings.iter_mut()) {
            if let Some(v) = &mut i.value
                && v.chars().nth(ECHO_CHARS).is_some()
                && !is_cut(v)
            {
                *v = echo(v);
            }
            if i.message.chars().nth(MESSAGE_CHARS).is_some() {
                i.message = cut(&i.message, MESSAGE_CHARS);
            }
        }
    }
}
