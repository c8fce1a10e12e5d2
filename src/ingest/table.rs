//! What every reader hands to the build: one input file, the tables read
//! from it (a CSV text or rows of strings, not yet interpreted), and the
//! issues about a file as a whole. A leaf: the readers (`sources`,
//! `workbook`, `parquet`, `xapi`) and the build depend on it, it on none of them.

use super::report::{Issue, Report};
use super::schema::Table;

/// One input file: its name (a path is fine; only the last part is used) and bytes.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub(crate) enum Body<'a> {
    Csv {
        text: std::borrow::Cow<'a, str>,
        delimiter: u8,
    },
    /// A UTF-8 CSV file read block by block when the table is built (native
    /// only): the text from byte `start` (after a BOM) to `len` is never held whole.
    #[cfg(not(target_arch = "wasm32"))]
    CsvFile {
        path: std::path::PathBuf,
        start: u64,
        len: u64,
        delimiter: u8,
    },
    /// `header_row`: the header's row as Excel numbers it (1 unless a title sits above it).
    Rows {
        header: Vec<String>,
        header_row: u32,
        rows: Vec<(u32, Vec<String>)>,
    },
}

pub(crate) struct TableData<'a> {
    pub table: Table,
    pub file: String,
    pub sheet: Option<String>,
    pub body: Body<'a>,
    /// Rows are xAPI statements: course ids may be IRIs.
    pub xapi: bool,
    /// Rows are JSON array items (no Excel cell references).
    pub json: bool,
}

impl TableData<'_> {
    pub fn size(&self) -> usize {
        match &self.body {
            Body::Csv { text, .. } => text.len(),
            #[cfg(not(target_arch = "wasm32"))]
            Body::CsvFile { start, len, .. } => (len - start) as usize,
            Body::Rows { rows, .. } => rows.len() * 64,
        }
    }
}

pub(crate) fn file_issue(code: &'static str, file: &str, message: String) -> Issue {
    Issue { code, table: None, file: file.to_string(), sheet: None, row: None, column: None, cell: None, value: None, message }
}

pub(crate) fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

pub(crate) fn unknown_table(report: &mut Report, file: &str, sheet: Option<&str>, what: &str) {
    let mut i = file_issue(
        "unknown_table",
        file,
        format!(
            "无法识别「{what}」对应哪张表，已跳过；表名应为 units/单位、cadres/干部、dimensions/知识维度、courses/课程、teachers/教师、classes/班次、records/培训记录、ratings/评分、requirements/岗位要求 之一"
        ),
    );
    i.sheet = sheet.map(str::to_string);
    report.warnings.push(i);
}

#[cfg(not(target_arch = "wasm32"))]
impl TableData<'_> {
    /// The same table owning its text.
    pub(crate) fn into_owned(self) -> TableData<'static> {
        let body = match self.body {
            Body::Csv { text, delimiter } => Body::Csv { text: std::borrow::Cow::Owned(text.into_owned()), delimiter },
            #[cfg(not(target_arch = "wasm32"))]
            Body::CsvFile { path, start, len, delimiter } => Body::CsvFile { path, start, len, delimiter },
            Body::Rows { header, header_row, rows } => Body::Rows { header, header_row, rows },
        };
        TableData { table: self.table, file: self.file, sheet: self.sheet, body, xapi: self.xapi, json: self.json }
    }
}
