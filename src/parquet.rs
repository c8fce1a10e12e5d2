//! Parquet in and out: the interchange format with data warehouses
//! (feature `analysis`, on polars). Below both `ingest` (which reads tables
//! from it) and `analysis` (which writes results): it depends on neither.
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

/// A Parquet file's pages may declare at most this many times the file's
/// size once decompressed (the same allowance as a zipped workbook) …
pub const EXPANSION: u64 = 100;
/// … or this much, whichever is more.
pub const FLOOR: u64 = 64 << 20;
/// The most cells (rows × columns) a file may hold: a workbook sheet's limit.
pub const MAX_CELLS: u64 = 20_000_000;

/// Checks a file's footer against the file before anything is decompressed:
/// every column chunk lies inside the file, rows × columns are within
/// [`MAX_CELLS`], and the pages' declared uncompressed sizes (read from
/// each page header, not trusted from the footer) add up to at most
/// [`EXPANSION`] × the file or [`FLOOR`]. polars allocates what a page
/// header declares before it decompresses, so a 32 KB file could ask for
/// gigabytes.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    use polars_parquet::parquet::read::read_metadata;
    let md = read_metadata(&mut Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let len = bytes.len() as u64;
    let columns = md.schema_descr.columns().len().max(1) as u64;
    let mut rows = 0u64;
    for rg in &md.row_groups {
        rows = rows.saturating_add(rg.num_rows() as u64);
        if rg.byte_ranges_iter().any(|r| r.start > r.end || r.end > len) {
            return Err("文件尾部的目录指向文件之外的位置".into());
        }
    }
    if rows.saturating_mul(columns) > MAX_CELLS {
        return Err(format!("文件声称有 {rows} 行 × {columns} 列，超过 {MAX_CELLS} 格的上限"));
    }
    let limit = len.saturating_mul(EXPANSION).max(FLOOR);
    let mut total = 0u64;
    for rg in &md.row_groups {
        for field in md.schema_descr.fields() {
            for chunk in rg.columns_under_root_iter(field.name()).into_iter().flatten() {
                let r = chunk.byte_range();
                total = total.saturating_add(declared_sizes(&bytes[r.start as usize..r.end as usize], chunk.num_values(), limit)?);
                if total > limit {
                    return Err(format!("解压后超过 {} MB（文件大小的 {EXPANSION} 倍，至少 {} MB），文件可能已损坏或被构造", limit >> 20, FLOOR >> 20));
                }
            }
        }
    }
    Ok(())
}

/// The uncompressed sizes a column chunk's page headers declare, added up
/// (each header read as polars reads it, the pages themselves skipped), up
/// to the page that completes the chunk's values.
fn declared_sizes(chunk: &[u8], values: i64, limit: u64) -> Result<u64, String> {
    use polars_parquet_format::PageHeader;
    use polars_parquet_format::thrift::protocol::TCompactInputProtocol;
    let (mut at, mut seen, mut total) = (0usize, 0i64, 0u64);
    while seen < values && at < chunk.len() {
        let mut cur = Cursor::new(&chunk[at..]);
        let h = PageHeader::read_from_in_protocol(&mut TCompactInputProtocol::new(&mut cur, chunk.len() - at)).map_err(|e| format!("页头有误：{e}"))?;
        let (Ok(size), Ok(packed)) = (u64::try_from(h.uncompressed_page_size), usize::try_from(h.compressed_page_size)) else {
            return Err("页头的大小为负数".into());
        };
        total = total.saturating_add(size);
        if total > limit {
            return Ok(total);
        }
        seen += h.data_page_header.map(|d| d.num_values as i64).or(h.data_page_header_v2.map(|d| d.num_values as i64)).unwrap_or(0);
        at = at.saturating_add(cur.position() as usize).saturating_add(packed);
    }
    Ok(total)
}

/// A Parquet file as a header and rows of text, the way ingest reads every
/// table. A cell of any type becomes the text the CSV reader would see
/// (dates as YYYY-MM-DD, booleans as true/false, nulls empty; a dictionary
/// column, as pandas writes a Categorical, as its values). The file is
/// [`check`]ed first, and its text may not exceed what the pages declared.
pub fn read_rows(bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    check(bytes)?;
    // Columns of one name (pandas and pyarrow write them) would leave polars
    // only the last: they are told apart for reading and named as written,
    // so that ingest warns and uses the first, as for CSV.
    let renamed = distinct_names(bytes)?;
    let df = ParquetReader::new(Cursor::new(renamed.as_deref().unwrap_or(bytes))).finish().map_err(|e| e.to_string())?;
    let header: Vec<String> = df.get_column_names().iter().map(|n| n.split(DUPLICATE_MARK).next().unwrap_or("").to_string()).collect();
    let mut cols: Vec<Vec<String>> = Vec::with_capacity(df.width());
    // Dictionary columns repeat one value's bytes per row: the text is
    // bounded as a whole before any of it is copied.
    let limit = (bytes.len() as u64).saturating_mul(EXPANSION).max(FLOOR);
    let mut text_bytes = 0u64;
    for c in df.get_columns() {
        let mut s = c.as_materialized_series().clone();
        if matches!(s.dtype(), DataType::Categorical(..) | DataType::Enum(..)) {
            s = s.cast(&DataType::String).map_err(|e| e.to_string())?;
        }
        if let Ok(ca) = s.str() {
            for v in ca.into_iter().flatten() {
                text_bytes = text_bytes.saturating_add(v.len() as u64);
                // polars takes a damaged page's bytes as text unchecked.
                if std::str::from_utf8(v.as_bytes()).is_err() {
                    return Err(format!("列「{}」有不是 UTF-8 的文本，文件可能已损坏", s.name()));
                }
            }
            if text_bytes > limit {
                return Err(format!("文本展开后超过 {} MB，文件可能已损坏或被构造", limit >> 20));
            }
        }
        let text: Vec<String> = match s.dtype() {
            DataType::String => s.str().map_err(|e| e.to_string())?.into_iter().map(|v| v.unwrap_or("").to_string()).collect(),
            DataType::Date => s
                .date()
                .map_err(|e| e.to_string())?
                .physical()
                .into_iter()
                .map(|v| v.map(|d| crate::model::date::format(d + 719_163)).unwrap_or_default())
                .collect(),
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

/// Separates a repeated column's name from its number while it is read.
const DUPLICATE_MARK: char = '\u{1}';

/// The file with its repeated top-level column names made distinct
/// (`name`, `name␁2` …), or `None` if every name is distinct. Only the
/// footer changes; the Arrow schema polars would prefer (it names the
/// columns too) is dropped, so the Parquet schema's names are read.
fn distinct_names(bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    use polars_parquet_format::thrift::protocol::{TCompactInputProtocol, TCompactOutputProtocol};
    let n = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().expect("4 bytes")) as usize;
    let start = bytes.len().checked_sub(8 + n).ok_or("文件尾部的长度有误")?;
    let mut md =
        polars_parquet_format::FileMetaData::read_from_in_protocol(&mut TCompactInputProtocol::new(&bytes[start..bytes.len() - 8], n.saturating_mul(16)))
            .map_err(|e| e.to_string())?;
    // A flat file: the root, then one element per column.
    let flat =
        md.schema.first().is_some_and(|root| root.num_children == Some(md.schema.len() as i32 - 1)) && md.schema[1..].iter().all(|e| e.num_children.is_none());
    if !flat {
        return Ok(None);
    }
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut renames: Vec<(usize, String)> = Vec::new();
    for (i, e) in md.schema[1..].iter().enumerate() {
        let k = seen.entry(e.name.clone()).or_insert(0);
        *k += 1;
        if *k > 1 {
            renames.push((i, format!("{}{DUPLICATE_MARK}{k}", e.name)));
        }
    }
    if renames.is_empty() {
        return Ok(None);
    }
    for (i, name) in renames {
        md.schema[i + 1].name = name.clone();
        for rg in &mut md.row_groups {
            if let Some(m) = rg.columns.get_mut(i).and_then(|c| c.meta_data.as_mut()) {
                m.path_in_schema = vec![name.clone()];
            }
        }
    }
    if let Some(kv) = &mut md.key_value_metadata {
        kv.retain(|k| k.key != "ARROW:schema");
    }
    let mut footer = Vec::new();
    md.write_to_out_protocol(&mut TCompactOutputProtocol::new(&mut footer)).map_err(|e| e.to_string())?;
    let mut out = bytes[..start].to_vec();
    out.extend_from_slice(&footer);
    out.extend_from_slice(&(footer.len() as u32).to_le_bytes());
    out.extend_from_slice(b"PAR1");
    Ok(Some(out))
}

/// Shortest text that reads back as the same number (no `12.0` for 12).
fn fmt_f64(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
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
