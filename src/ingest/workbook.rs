//! Workbooks as offices make them: `.xlsx`/`.xlsm`, `.xls` (Excel 97–2003,
//! also what WPS's `.et` usually is), `.xlsb` and `.ods`, told apart by their
//! bytes, not their names; read cell by cell so that a sheet's declared size
//! costs nothing; merged cells read as a person reads them; a title above the
//! header, a two-row header and a 合计 row or footer below the data are
//! recognised (the footer in `build`, for CSV too).

use super::report::{FileInfo, Report};
use super::schema::{self, Table};
use super::sources::{file_issue, Body, TableData};
use calamine::{Data, Dimensions, Reader};
use std::collections::BTreeMap;
use std::io::Cursor;

/// The most non-empty cells one sheet may have (a city's records are a few
/// hundred thousand rows of ~8 cells; a province belongs in CSV or Parquet).
pub const MAX_SHEET_CELLS: usize = 20_000_000;
/// The header is looked for in this many first rows.
const HEADER_SEARCH_ROWS: usize = 10;
/// Merged regions wider or taller than this are not spread over their cells.
const MAX_MERGE_SPAN: u32 = 10_000;

#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Kind {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Xlsx => "xlsx",
            Kind::Xlsb => "xlsb",
            Kind::Xls => "xls",
            Kind::Ods => "ods",
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The kind of workbook the bytes are, if any.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(Kind::Xls);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    if contains(bytes, b"application/vnd.oasis.opendocument.spreadsheet") {
        Some(Kind::Ods)
    } else if contains(bytes, b"xl/workbook.bin") {
        Some(Kind::Xlsb)
    } else if contains(bytes, b"xl/workbook.xml") || contains(bytes, b"xl/") {
        Some(Kind::Xlsx)
    } else {
        None
    }
}

/// One sheet's non-empty cells by row: `row → cells up to the last non-empty one`
/// (0-based rows and columns, as calamine gives them).
type Grid = BTreeMap<u32, Vec<String>>;

fn put(grid: &mut Grid, (r, c): (u32, u32), text: String) {
    let row = grid.entry(r).or_default();
    if row.len() <= c as usize {
        row.resize(c as usize + 1, String::new());
    }
    row[c as usize] = text;
}

pub(super) fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match crate::model::date::from_excel_serial(dt.as_f64()) {
            Some(d) => crate::model::date::format(d),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e}"),
    }
}

/// A sheet's cells and merged regions, or why it could not be read.
struct Sheet {
    grid: Grid,
    merged: Vec<Dimensions>,
}

enum Book {
    Xlsx(calamine::Xlsx<Cursor<Vec<u8>>>),
    Xlsb(calamine::Xlsb<Cursor<Vec<u8>>>),
    Xls(calamine::Xls<Cursor<Vec<u8>>>),
    Ods(calamine::Ods<Cursor<Vec<u8>>>),
}

fn too_many() -> String {
    format!("工作表有超过 {MAX_SHEET_CELLS} 个非空单元格，未载入；请拆分成几个文件，或另存为 CSV 后导入")
}

impl Book {
    fn open(kind: Kind, bytes: &[u8]) -> Result<Book, String> {
        let c = Cursor::new(bytes.to_vec());
        Ok(match kind {
            Kind::Xlsx => Book::Xlsx(calamine::Xlsx::new(c).map_err(|e| e.to_string())?),
            Kind::Xlsb => Book::Xlsb(calamine::Xlsb::new(c).map_err(|e| e.to_string())?),
            Kind::Xls => Book::Xls(calamine::Xls::new(c).map_err(|e| e.to_string())?),
            Kind::Ods => Book::Ods(calamine::Ods::new(c).map_err(|e| e.to_string())?),
        })
    }

    fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::Xlsx(b) => b.sheet_names(),
            Book::Xlsb(b) => b.sheet_names(),
            Book::Xls(b) => b.sheet_names(),
            Book::Ods(b) => b.sheet_names(),
        }
    }

    /// Reads one sheet. xlsx and xlsb stream their cells (a sheet claiming
    /// `A1:XFD1048576` with one cell costs one cell); xls is bounded by its
    /// format (65,536 × 256); ods gives a range.
    fn sheet(&mut self, name: &str) -> Result<Sheet, String> {
        let mut grid = Grid::new();
        let mut n = 0usize;
        let mut add = |grid: &mut Grid, pos: (u32, u32), d: Data| -> Result<(), String> {
            let text = cell_text(&d);
            if text.trim().is_empty() {
                return Ok(());
            }
            n += 1;
            if n > MAX_SHEET_CELLS {
                return Err(too_many());
            }
            put(grid, pos, text);
            Ok(())
        };
        let merged = match self {
            Book::Xlsx(b) => {
                {
                    let mut cells = b.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
                    while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
                        add(&mut grid, cell.get_position(), cell.get_value().clone().into())?;
                    }
                }
                b.merge_cells_by_sheet_name(name).unwrap_or_default()
            }
            Book::Xlsb(b) => {
                let mut cells = b.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
                while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
                    add(&mut grid, cell.get_position(), cell.get_value().clone().into())?;
                }
                Vec::new()
            }
            Book::Xls(b) => {
                let range = b.worksheet_range(name).map_err(|e| e.to_string())?;
                for (r, c, d) in range.used_cells() {
                    let (r0, c0) = range.start().unwrap_or((0, 0));
                    add(&mut grid, (r0 + r as u32, c0 + c as u32), d.clone())?;
                }
                b.merge_cells_by_sheet_name(name).unwrap_or_default()
            }
            Book::Ods(b) => {
                let range = b.worksheet_range(name).map_err(|e| e.to_string())?;
                for (r, c, d) in range.used_cells() {
                    let (r0, c0) = range.start().unwrap_or((0, 0));
                    add(&mut grid, (r0 + r as u32, c0 + c as u32), d.clone())?;
                }
                Vec::new()
            }
        };
        Ok(Sheet { grid, merged })
    }
}

/// Spreads each merged region's value over the region's cells, in rows that
/// hold data (a unit merged down over its cadres; a header merged over two rows).
fn spread_merges(grid: &mut Grid, merged: &[Dimensions]) {
    for m in merged {
        let ((r0, c0), (r1, c1)) = (m.start, m.end);
        if r1 < r0 || c1 < c0 || r1 - r0 > MAX_MERGE_SPAN || c1 - c0 > MAX_MERGE_SPAN {
            continue;
        }
        let Some(value) = grid.get(&r0).and_then(|row| row.get(c0 as usize)).filter(|v| !v.is_empty()).cloned() else { continue };
        let rows: Vec<u32> = grid.range(r0..=r1).map(|(&r, _)| r).collect();
        for r in rows {
            for c in c0..=c1 {
                let row = grid.get_mut(&r).expect("listed");
                if row.get(c as usize).is_none_or(|v| v.is_empty()) {
                    put(grid, (r, c), value.clone());
                }
            }
        }
    }
}

/// How many distinct columns of `table` a row's cells name.
fn header_score(table: Table, row: &[String]) -> usize {
    let mut seen: Vec<usize> = row.iter().filter_map(|h| schema::match_column(table, h)).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// The header as found: its first row, how many rows it spans, and the
/// column names as a person reads them.
struct Header {
    row: u32,
    depth: u32,
    names: Vec<String>,
    /// Columns whose values are added up into the first of their group
    /// (学时 over 线上 / 线下): `(first, others)`.
    sums: Vec<(usize, Vec<usize>)>,
}

/// Finds the header among the first rows: the row naming most of the table's
/// columns. A header cell merged down over the next row makes a two-row header
/// (a group cell such as 学时 over 线上 / 线下); each column is then named by
/// its lower cell if that names a column, else by its group.
fn find_header(table: Table, grid: &Grid, merged: &[Dimensions]) -> Option<Header> {
    let (&row, cells) = grid.iter().take(HEADER_SEARCH_ROWS).max_by(|a, b| header_score(table, a.1).cmp(&header_score(table, b.1)).then(b.0.cmp(a.0)))?;
    if header_score(table, cells) == 0 {
        // Nothing names a column: the first row is the header, and the usual error says what is missing.
        let (&row, cells) = grid.iter().next()?;
        return Some(Header { row, depth: 1, names: cells.clone(), sums: Vec::new() });
    }
    let depth = merged.iter().filter(|m| m.start.0 == row && m.end.0 > row).map(|m| (m.end.0 - row + 1).min(3)).max().unwrap_or(1);
    if depth == 1 {
        return Some(Header { row, depth, names: cells.clone(), sums: Vec::new() });
    }
    let lower = grid.get(&(row + depth - 1)).cloned().unwrap_or_default();
    let width = cells.len().max(lower.len());
    let at = |v: &Vec<String>, c: usize| v.get(c).cloned().unwrap_or_default();
    let mut names = Vec::with_capacity(width);
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for c in 0..width {
        let (upper, low) = (at(cells, c), at(&lower, c));
        if schema::match_column(table, &low).is_some() || upper.is_empty() {
            names.push(low);
        } else {
            if upper != low && schema::match_column(table, &upper).is_some() {
                groups.entry(upper.clone()).or_default().push(c);
            }
            names.push(upper);
        }
    }
    let mut sums = Vec::new();
    for cols in groups.into_values().filter(|v| v.len() > 1) {
        for &c in &cols[1..] {
            names[c] = String::new();
        }
        sums.push((cols[0], cols[1..].to_vec()));
    }
    Some(Header { row, depth, names, sums })
}

/// Adds up the parts of a grouped column (学时 = 线上 + 线下): numbers are
/// summed; a lone non-empty part is kept as written, so that a bad value is
/// still reported as it is.
fn sum_parts(cells: &mut [String], first: usize, others: &[usize]) {
    let parts: Vec<String> = std::iter::once(first).chain(others.iter().copied()).filter_map(|c| cells.get(c).filter(|v| !v.trim().is_empty()).cloned()).collect();
    if parts.len() > 1 {
        if let Some(nums) = parts.iter().map(|p| super::values::parse_f64(p)).collect::<Option<Vec<f64>>>() {
            if first < cells.len() {
                cells[first] = nums.iter().sum::<f64>().to_string();
            }
        }
    } else if let (Some(p), true) = (parts.first(), first < cells.len()) {
        cells[first] = p.clone();
    }
    for &c in others {
        if c < cells.len() {
            cells[c] = String::new();
        }
    }
}

/// Reads a workbook of any supported kind into its tables.
pub(crate) fn read(name: &str, kind: Kind, bytes: &[u8], report: &mut Report) -> Vec<TableData<'static>> {
    let mut book = match Book::open(kind, bytes) {
        Ok(b) => b,
        Err(e) => {
            report.errors.push(file_issue("bad_workbook", name, format!("无法作为 Excel 工作簿读取，整个文件未载入：{e}")));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let mut tables = Vec::new();
    for sheet in book.sheet_names() {
        let Some(table) = Table::from_name(&sheet) else {
            // The template's own explanations are not data.
            if !matches!(sheet.trim(), "说明" | "填表说明" | "使用说明") {
                super::sources::unknown_table(report, name, Some(&sheet), &sheet);
            }
            continue;
        };
        let sheet_issue = |code, message: String| {
            let mut i = file_issue(code, name, message);
            i.sheet = Some(sheet.clone());
            i.table = Some(table.name());
            i
        };
        let Sheet { mut grid, merged } = match book.sheet(&sheet) {
            Ok(s) => s,
            Err(e) => {
                report.errors.push(sheet_issue("bad_workbook", format!("无法读取工作表，未载入：{e}")));
                continue;
            }
        };
        spread_merges(&mut grid, &merged);
        let Some(header) = find_header(table, &grid, &merged) else {
            tables.push(table.name());
            out.push(TableData { table, file: name.into(), sheet: Some(sheet), body: Body::Rows { header: Vec::new(), header_row: 1, rows: Vec::new() }, xapi: false, json: false });
            continue;
        };
        // The title rows as read (a merged title once, not once per cell it spans).
        let above: Vec<String> = grid
            .range(..header.row)
            .map(|(_, r)| {
                let mut cells: Vec<&str> = r.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
                cells.dedup();
                cells.join(" ")
            })
            .collect();
        if !above.is_empty() {
            let mut i = sheet_issue("title_rows_skipped", format!("表头在第 {} 行；其上的 {} 行是标题，已跳过：{}", header.row + 1, above.len(), above.join(" / ")));
            i.row = Some(header.row);
            report.warnings.push(i);
        }
        let rows = grid
            .range(header.row + header.depth..)
            .map(|(&r, cells)| {
                let mut cells = cells.clone();
                for (first, others) in &header.sums {
                    sum_parts(&mut cells, *first, others);
                }
                (r + 1, cells)
            })
            .collect();
        tables.push(table.name());
        out.push(TableData { table, file: name.into(), sheet: Some(sheet), body: Body::Rows { header: header.names, header_row: header.row + 1, rows }, xapi: false, json: false });
    }
    report.files.push(FileInfo { file: name.into(), format: kind.name(), encoding: None, tables });
    out
}
