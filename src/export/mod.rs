//! Tables for people to open in Excel: CSV (UTF-8 with BOM) and xlsx. Cells
//! that a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
//! `@`, tab or carriage return) are escaped with a leading `'`.

mod tables;
pub use tables::Tabular;

/// The file formats an answer is exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    Xlsx,
    Csv,
    /// Typed columns, for tools (a pivot's or a query's result only).
    Parquet,
}

impl Format {
    pub fn parse(s: &str) -> crate::error::Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "xlsx" => Ok(Format::Xlsx),
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            _ => Err(crate::error::Error::bad_argument(format!("format：应为 xlsx、csv 或 parquet，实为「{s}」"))),
        }
    }
}

/// One sheet of an export: a name, a header and rows of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A cell made safe against formula injection.
pub fn escape_cell(s: &str) -> String {
    // Characters a spreadsheet may not show, before the first visible one:
    // zero-width spaces and joiners, the word joiner, a BOM.
    let invisible = |c: char| matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}');
    match s.chars().find(|c| !invisible(*c)) {
        // The full-width forms too (＝＋－＠): an input method may type them,
        // and whether Excel or WPS evaluates them was not verifiable here.
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => format!("'{s}"),
        _ => s.to_string(),
    }
}

pub fn csv_table(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(header.iter().map(|h| escape_cell(h))).expect("write to memory");
    for r in rows {
        w.write_record(r.iter().map(|c| escape_cell(c))).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

#[cfg(feature = "xlsx-write")]
pub fn xlsx_table(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    xlsx_sheets(&[Sheet { name: sheet.into(), header: header.iter().map(|h| h.to_string()).collect(), rows: rows.to_vec() }])
}

/// A workbook of several sheets (a view with several lists, e.g. fairness).
#[cfg(feature = "xlsx-write")]
pub fn xlsx_sheets(sheets: &[Sheet]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for s in sheets {
        let ws = wb.add_worksheet();
        // Sheet names: at most 31 characters, none of []:*?/\.
        let name: String = s.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        ws.set_name(if name.is_empty() { "Sheet" } else { &name })?;
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, escape_cell(h), &bold)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                // write_string never creates a formula; the escape keeps the text safe if re-saved as CSV.
                ws.write_string(r as u32 + 1, c as u16, escape_cell(v))?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn formulas_are_escaped() {
        assert_eq!(escape_cell("=1+1"), "'=1+1");
        assert_eq!(escape_cell("+86 123"), "'+86 123");
        assert_eq!(escape_cell("-5"), "'-5");
        assert_eq!(escape_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(escape_cell("张三"), "张三");
        let csv = String::from_utf8(csv_table(&["a"], &[vec!["=HYPERLINK(\"x\")".into()]])).unwrap();
        assert!(csv.contains("'=HYPERLINK"));
    }
}
