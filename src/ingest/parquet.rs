//! Parquet files named by table (`records.parquet` …): read into rows of
//! text and validated like every other table; a row's number is its Parquet
//! row index, 1-based. Reading needs polars (feature `analysis`); the lean
//! builds say so instead of guessing.

use super::report::Report;
use super::table::{TableData, file_issue};
#[cfg(feature = "analysis")]
use super::{
    report::FileInfo,
    schema::Table,
    table::{Body, unknown_table},
};

/// A Parquet file: magic `PAR1` at both ends (or the name says so).
pub(crate) fn looks_like(name_ext: &str, bytes: &[u8]) -> bool {
    name_ext == "parquet" || (bytes.len() >= 8 && bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"))
}

#[cfg(feature = "analysis")]
pub(crate) fn read(name: &str, stem: &str, bytes: &[u8], report: &mut Report) -> Vec<TableData<'static>> {
    let Some(table) = Table::from_name(stem) else {
        unknown_table(report, name, None, stem);
        return Vec::new();
    };
    if !crate::parquet::is_parquet(bytes) {
        report.errors.push(file_issue("bad_parquet", name, "不是有效的 Parquet 文件（文件首尾应为 PAR1），可能已损坏或未写完，整个文件未载入".into()));
        return Vec::new();
    }
    // polars can panic on a damaged file: natively that becomes an error on
    // the file (in WebAssembly a panic stops the engine, and the page and the
    // mini-program start it again on the kept files).
    let read = std::panic::catch_unwind(|| crate::parquet::read_rows(bytes)).unwrap_or_else(|_| Err("读取时出错".into()));
    match read {
        Ok((header, rows)) => {
            report.files.push(FileInfo { file: name.into(), format: "parquet", encoding: None, tables: vec![table.name()] });
            let rows = rows.into_iter().enumerate().map(|(i, r)| (i as u32 + 1, r)).collect();
            vec![TableData { table, file: name.into(), sheet: None, body: Body::Rows { header, header_row: 1, rows }, xapi: false, json: true }]
        }
        Err(e) => {
            let mut i = file_issue("bad_parquet", name, format!("无法读取该 Parquet 文件（{}），可能已损坏，整个文件未载入", e.lines().next().unwrap_or("")));
            i.table = Some(table.name());
            report.errors.push(i);
            Vec::new()
        }
    }
}

#[cfg(not(feature = "analysis"))]
pub(crate) fn read(name: &str, _stem: &str, _bytes: &[u8], report: &mut Report) -> Vec<TableData<'static>> {
    report.errors.push(file_issue(
        "parquet_needs_analysis",
        name,
        "Parquet 文件需要分析模块：请在网页的「分析」页导入，或用命令行 zhichu；整个文件未载入".into(),
    ));
    Vec::new()
}
