//! Parquet in and out: the interchange format with data warehouses.
//!
//! In: a Parquet file named by its table (`records.parquet` …) is read into
//! rows of text and validated exactly like CSV (row numbers are the Parquet
//! row index, 1-based). Out: results and the demo city, with typed columns.

use polars::prelude::*;
use std::io::Cursor;

/// Parquet files start and end with `PAR1`.
pub fn is_parquet(bytes: &[u8]) -> bool {
    bytes.len() >= 12 && bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1")
}

/// A Parquet file as a header and rows of text, the way ingest reads every
/// table. A cell of any type becomes the text the CSV reader would see
/// (dates as YYYY-MM-DD, booleans as true/false, nulls empty).
pub fn read_rows(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let df = ParquetReader::new(Cursor::new(bytes)).finish().map_err(|e| e.to_string())?;
    let header: Vec<String> = df.get_column_names().iter().map(|n| n.to_string()).collect();
    let mut cols: Vec<Vec<String>> = Vec::with_capacity(df.width());
    for c in df.get_columns() {
        let s = c.as_materialized_series();
        let text: Vec<String> = match s.dtype() {
            DataType::String => s.str().map_err(|e| e.to_string())?.into_iter().map(|v| v.unwrap_or("").to_string()).collect(),
            DataType::Date => s.date().map_err(|e| e.to_string())?.physical().into_iter().map(|v| v.map(|d| crate::model::date::format(d + 719_163)).unwrap_or_default()).collect(),
            _ => (0..s.len())
                .map(|i| match s.get(i) {
                    Ok(AnyValue::Null) | Err(_) => String::new(),
                    Ok(AnyValue::Float64(x)) => fmt_f64(x),
                    Ok(AnyValue::Float32(x)) => fmt_f64(x as f64),
                    Ok(AnyValue::Boolean(b)) => b.to_string(),
                    Ok(v) => v.to_string().trim_matches('"').to_string(),
                })
                .collect(),
        };
        cols.push(text);
    }
    let n = df.height();
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        rows.push(cols.iter_mut().map(|c| std::mem::take(&mut c[i])).collect());
    }
    Ok((header, rows))
}

/// Shortest text that reads back as the same number (no `12.0` for 12).
fn fmt_f64(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A frame as Parquet bytes (zstd).
pub fn write(df: &mut DataFrame) -> PolarsResult<Vec<u8>> {
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf).finish(df)?;
    Ok(buf)
}

/// CSV text (a header and rows, as the demo writes it) as Parquet with typed
/// columns: a column whose every value is an integer, a number, a date or
/// true/false gets that type; anything else stays text; empty cells are null.
pub fn csv_to_parquet(text: &str) -> PolarsResult<Vec<u8>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = rd.headers().map_err(|e| polars_err!(ComputeError: "{e}"))?.iter().map(str::to_string).collect();
    let mut cols: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for rec in rd.records() {
        let rec = rec.map_err(|e| polars_err!(ComputeError: "{e}"))?;
        for (j, c) in cols.iter_mut().enumerate() {
            c.push(rec.get(j).unwrap_or("").to_string());
        }
    }
    let columns: Vec<Column> = header.iter().zip(cols).map(|(h, v)| typed(h, v)).collect::<PolarsResult<_>>()?;
    write(&mut DataFrame::new(columns)?)
}

fn typed(name: &str, v: Vec<String>) -> PolarsResult<Column> {
    let filled = || v.iter().filter(|s| !s.is_empty());
    let all = |f: &dyn Fn(&str) -> bool| filled().count() > 0 && filled().all(|s| f(s));
    let name: PlSmallStr = name.into();
    fn opt(s: &str) -> Option<&str> {
        (!s.is_empty()).then_some(s)
    }
    if all(&|s| s.parse::<i64>().is_ok() && !s.starts_with('0') || s == "0") && !name.ends_with("_id") && name != "id" {
        return Ok(Column::new(name, v.iter().map(|s| opt(s).map(|s| s.parse::<i64>().expect("checked"))).collect::<Vec<Option<i64>>>()));
    }
    if all(&|s| s.parse::<f64>().is_ok()) && !name.ends_with("_id") {
        return Ok(Column::new(name, v.iter().map(|s| opt(s).map(|s| s.parse::<f64>().expect("checked"))).collect::<Vec<Option<f64>>>()));
    }
    if all(&|s| s.len() == 10 && crate::model::date::parse(s).is_some()) {
        let days: Vec<Option<i32>> = v.iter().map(|s| opt(s).and_then(crate::model::date::parse).map(|d| d - 719_163)).collect();
        return Column::new(name, days).cast(&DataType::Date);
    }
    if all(&|s| s == "true" || s == "false") {
        return Ok(Column::new(name, v.iter().map(|s| opt(s).map(|s| s == "true")).collect::<Vec<Option<bool>>>()));
    }
    Ok(Column::new(name, v.iter().map(|s| opt(s)).collect::<Vec<Option<&str>>>()))
}
