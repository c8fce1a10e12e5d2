//! Tables of strings → a validated `Dataset`. Every row is checked; a bad row
//! is reported with its file, sheet, row, column and value and left out, and
//! everything else is loaded.

use super::report::{Issue, Report};
use super::schema::{self, Table};
use super::split::{LineCounter, split_plain};
use super::table::{Body, TableData};
use super::values::{self, WeightError};
use super::{LoadOptions, Progress};
use crate::model::{self, Class, ClassType, Course, Dataset, Dimension, Keyed, Mode, Rating, Record, Requirement, Teacher, Unit, date};
use rustc_hash::FxHashMap;

/// The most characters a cell may hold: Excel's own limit. Longer cells are
/// refused (the row is not loaded) before anything else reads them.
pub const MAX_FIELD_CHARS: usize = 32_767;

/// A quote opened and never closed makes the CSV parser take the following
/// lines as part of one field: a field holding line breaks where a later line
/// is a whole row of the table (as many delimiters as the header has). A
/// quoted cell that merely spans lines (a note with a comma) is not that.
/// Returns how many lines were absorbed.
fn unclosed_quote(fetch: &Fetch, delimiter: u8, width: usize) -> Option<usize> {
    let Cells::Csv(r) = fetch.cells else { return None };
    let row_like = |line: &[u8]| line.iter().filter(|&&b| b == delimiter).count() >= width.saturating_sub(1).max(1);
    r.iter().find_map(|f| {
        let f = f.trim_ascii_end();
        let nl = f.iter().position(|&b| b == b'\n')?;
        f[nl + 1..].split(|&b| b == b'\n').any(row_like).then(|| super::chunks::line_feeds(f))
    })
}

/// What no cell may hold, found in one pass over the row's bytes (this runs
/// for every row of the largest table): more than [`MAX_FIELD_CHARS`]
/// characters, or bytes that were not valid UTF-8 (decoded as U+FFFD).
fn cell_problem(fetch: &Fetch) -> Option<Problem> {
    for (c, i) in fetch.map.iter().enumerate() {
        let Some(i) = *i else { continue };
        let bytes = fetch.cells.bytes(i);
        if bytes.len() > MAX_FIELD_CHARS {
            let n = String::from_utf8_lossy(bytes).chars().count();
            if n > MAX_FIELD_CHARS {
                return Some(Problem {
                    col: Some(c),
                    code: "too_long",
                    message: format!("单元格过长（{n} 字），每格最多 {MAX_FIELD_CHARS} 字（与 Excel 单元格的上限相同）"),
                });
            }
        }
        if bytes.contains(&0xEF) && bytes.windows(3).any(|w| w == "\u{FFFD}".as_bytes()) {
            return Some(Problem {
                col: Some(c), code: "bad_encoding", message: "此格含有无法识别的字节（文件其余部分按 UTF-8 读取）".into()
            });
        }
    }
    None
}

/// A problem in one cell (or, with `col: None`, the row as a whole).
struct Problem {
    col: Option<usize>,
    code: &'static str,
    message: String,
}

/// Where each id was first defined, and ids whose row was rejected, so that
/// later errors can point at the cause.
#[derive(Default)]
struct Places<'t> {
    defined: FxHashMap<(Table, String), Place<'t>>,
    rejected: FxHashMap<(Table, String), String>,
}

/// Where an id was defined: put into words only if it is ever defined again
/// (formatting it for every row cost more than the rest of an entity row).
enum Place<'t> {
    Row(&'t TableData<'t>, u32),
    Text(String),
}

impl Place<'_> {
    fn text(&self) -> String {
        match self {
            Place::Row(td, line) => location(td, *line),
            Place::Text(s) => s.clone(),
        }
    }
}

/// The cells of one row, by the table's column index.
struct Fetch<'a> {
    map: &'a [Option<usize>],
    cells: Cells<'a>,
    /// The plausible dates, read once per load (the clock is slow to ask in WebAssembly).
    dates: (date::Day, date::Day),
}

enum Cells<'a> {
    Csv(&'a csv::ByteRecord),
    /// A CSV row without quotes, split in place: the line and its cells
    /// (read as the csv parser reads them, see `Ctx::csv_rows`); `clean`
    /// when the whole text it came from holds no 0xEF byte (no U+FFFD).
    Strs {
        line: &'a str,
        cells: &'a [&'a str],
        clean: bool,
    },
    Vec(&'a [String]),
}

/// The one view of a row's cells whatever their source: the three kinds of
/// row are matched here and nowhere else (but in [`Fetch::suspect`] and
/// [`unclosed_quote`], which look at what only some kinds have).
impl<'a> Cells<'a> {
    fn len(&self) -> usize {
        match self {
            Cells::Csv(r) => r.len(),
            Cells::Strs { cells, .. } => cells.len(),
            Cells::Vec(v) => v.len(),
        }
    }
    /// Cell `i`'s bytes (none past the row's end).
    fn bytes(&self, i: usize) -> &'a [u8] {
        match self {
            Cells::Csv(r) => r.get(i).unwrap_or(&[]),
            Cells::Strs { cells, .. } => cells.get(i).map_or(&[], |s| s.as_bytes()),
            Cells::Vec(v) => v.get(i).map_or(&[], |s| s.as_bytes()),
        }
    }
    /// Cell `i` as text, untrimmed.
    #[inline(always)]
    fn text(&self, i: usize) -> &'a str {
        match self {
            Cells::Csv(r) => field(r, i),
            Cells::Strs { cells, .. } => cells.get(i).copied().unwrap_or(""),
            Cells::Vec(v) => v.get(i).map(String::as_str).unwrap_or(""),
        }
    }
    /// Cell `i` without the white space around it, as the emptiness checks
    /// see it: ASCII white space in CSV text, any white space in a sheet's cell.
    fn trimmed(&self, i: usize) -> &'a [u8] {
        match self {
            Cells::Csv(r) => r.get(i).unwrap_or(&[]).trim_ascii(),
            Cells::Strs { cells, .. } => cells.get(i).map_or(&[], |c| c.as_bytes().trim_ascii()),
            Cells::Vec(v) => v.get(i).map_or(&[], |c| c.trim().as_bytes()),
        }
    }
    /// Every cell, trimmed as [`Cells::trimmed`] trims it.
    fn all_trimmed(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(|i| self.trimmed(i))
    }
}

/// `str::trim`, with no work for an empty cell or one whose first and last
/// characters are not white space, told from their lead bytes: visible
/// ASCII, or a multi-byte character whose lead byte starts no Unicode white
/// space (those are U+0085, U+00A0, U+1680, U+2000–U+205F and U+3000, led by
/// C2, E1, E2 and E3). A CJK character (E4–E9) settles it, as in 是.
#[inline(always)]
fn trim(s: &str) -> &str {
    #[inline(always)]
    fn plain(lead: u8) -> bool {
        (0x21..0x7F).contains(&lead) || (lead >= 0xC3 && !matches!(lead, 0xE1..=0xE3))
    }
    let b = s.as_bytes();
    let Some(&first) = b.first() else { return s };
    // The lead byte of the last character: at most three continuation bytes back.
    let mut k = b.len() - 1;
    while k > 0 && b.len() - k < 4 && b[k] & 0xC0 == 0x80 {
        k -= 1;
    }
    if plain(first) && plain(b[k]) { s } else { s.trim() }
}

impl Fetch<'_> {
    #[inline(always)]
    fn get(&self, col: usize) -> &str {
        match self.map[col] {
            Some(i) => self.raw(i),
            None => "",
        }
    }
    #[inline(always)]
    fn raw(&self, i: usize) -> &str {
        trim(self.cells.text(i))
    }
    /// Whether the row may hold a cell that is too long, a line break (an
    /// unclosed quote) or an undecodable byte: one pass over its bytes.
    fn suspect(&self) -> bool {
        let odd = |b: &[u8]| b.len() > MAX_FIELD_CHARS || b.iter().any(|&x| x == b'\n' || x == 0xEF);
        match &self.cells {
            Cells::Csv(r) => odd(r.as_slice()),
            // The whole line (delimiters too): a gate, so erring on the side of
            // looking is fine. A plain line holds no line break.
            Cells::Strs { line, clean, .. } => line.len() > MAX_FIELD_CHARS || (!clean && memchr::memchr(0xEF, line.as_bytes()).is_some()),
            Cells::Vec(v) => v.iter().any(|c| odd(c.as_bytes())),
        }
    }
    /// Whether the row is a 合计 row or a footer: its first non-empty cell
    /// says so. Every such word starts with a CJK character or a bracket, so
    /// a cell starting with an ASCII letter or digit (an id) settles it at once.
    fn is_total_or_footer(&self) -> bool {
        let first = self.cells.all_trimmed().find(|c| !c.is_empty());
        let Some(first) = first.filter(|b| !b[0].is_ascii_alphanumeric()).and_then(|b| std::str::from_utf8(b).ok()) else { return false };
        // A note (填报人、说明 …) stands nearly alone on its row; a record that merely starts with such a word does not.
        let filled = self.cells.all_trimmed().filter(|c| !c.is_empty()).count();
        schema::is_total(first) || (schema::is_footer(first) && filled <= 3)
    }
    fn has(&self, col: usize) -> bool {
        self.map[col].is_some()
    }
    fn all_empty(&self) -> bool {
        self.cells.all_trimmed().all(<[u8]>::is_empty)
    }
    /// A required, non-empty cell.
    fn required(&self, col: usize, errs: &mut Vec<Problem>) -> Option<&str> {
        let v = self.get(col);
        if v.is_empty() {
            errs.push(Problem { col: Some(col), code: "empty_required", message: "必填项为空".into() });
            return None;
        }
        Some(v)
    }
    /// An optional number within `lo..=hi`; `Err(())` when present but bad.
    fn number(&self, col: usize, lo: f64, hi: f64, what: &str, errs: &mut Vec<Problem>) -> Result<Option<f64>, ()> {
        let v = self.get(col);
        if v.is_empty() {
            return Ok(None);
        }
        match values::parse_f64(v) {
            Some(x) if x >= lo && x <= hi => Ok(Some(x)),
            Some(_) => {
                errs.push(Problem { col: Some(col), code: "out_of_range", message: format!("{what}超出范围，应在 {lo} 到 {hi} 之间") });
                Err(())
            }
            None => {
                errs.push(Problem { col: Some(col), code: "bad_number", message: format!("无法识别为数字，应为{what}（{lo} 到 {hi} 的数）") });
                Err(())
            }
        }
    }
    fn date(&self, col: usize, required: bool, errs: &mut Vec<Problem>) -> Result<Option<date::Day>, ()> {
        let v = self.get(col);
        if v.is_empty() {
            if required {
                errs.push(Problem { col: Some(col), code: "empty_required", message: "必填项为空，应为日期，如 2024-03-05".into() });
                return Err(());
            }
            return Ok(None);
        }
        // An Excel date serial kept as text (a number cell formatted as text) counts as that date.
        let serial = || values::parse_f64(v).filter(|x| x.fract() == 0.0).and_then(date::from_excel_serial);
        match date::parse(v).or_else(serial) {
            Some(d) if d < self.dates.0 || d > self.dates.1 => {
                errs.push(Problem {
                    col: Some(col),
                    code: "date_out_of_range",
                    message: format!("日期不在合理范围内，应在 {} 至 {} 之间", date::format(self.dates.0), date::format(self.dates.1)),
                });
                Err(())
            }
            Some(d) => Ok(Some(d)),
            None => {
                errs.push(Problem {
                    col: Some(col), code: "bad_date", message: "无法识别的日期，应为 2024-03-05、2024/3/5 或 2024年3月5日 这样的日期".into()
                });
                Err(())
            }
        }
    }
}

/// A CSV field as text. The file was decoded to UTF-8 before parsing and the
/// parser splits only at ASCII bytes, so every field is valid UTF-8.
fn field(r: &csv::ByteRecord, i: usize) -> &str {
    r.get(i).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("")
}

/// Looks up a referenced id, or records why it cannot be found.
fn reference<T>(keyed: &Keyed<T>, target: Table, id: &str, col: usize, places: &Places, errs: &mut Vec<Problem>) -> Option<u32> {
    if let Some(i) = keyed.lookup(id) {
        return Some(i);
    }
    let message = match places.rejected.get(&(target, id.to_string())) {
        Some(at) => format!("引用的{}编号「{id}」在 {at} 有错误未载入", target.chinese()),
        None => format!("未知的{}编号：{}表中没有「{id}」", target.chinese(), target.chinese()),
    };
    errs.push(Problem { col: Some(col), code: "unknown_reference", message });
    None
}

fn col(t: Table, key: &str) -> usize {
    t.columns().iter().position(|c| c.key == key).expect("column key in schema")
}

/// How big tables are read: the size of the blocks read from disk and of
/// the chunks parsed on separate threads. Results never depend on either.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    pub block_bytes: usize,
    pub chunk_bytes: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        // One chunk (no split) where there is one thread to run them.
        Tuning { block_bytes: 32 << 20, chunk_bytes: if cfg!(feature = "parallel") { 1 << 20 } else { usize::MAX } }
    }
}

/// Runs `row_fn` over each data row of a table, turning problems into issues.
/// `row_fn` returns the row's id (for entity tables) when the row was loaded.
struct Runner<'a> {
    report: &'a mut Report,
    progress: &'a mut dyn FnMut(Progress),
    done: u64,
    total: u64,
    dates: (date::Day, date::Day),
    tuning: Tuning,
}

/// What every row of one table needs: the file, the header and how its
/// columns map to the table's.
struct Ctx<'t> {
    td: &'t TableData<'t>,
    table: Table,
    header: Vec<String>,
    map: Vec<Option<usize>>,
    delimiter: u8,
    dates: (date::Day, date::Day),
    /// The row's line is computed only when an issue needs it (the row
    /// function does not use it): the records and ratings.
    lazy_line: bool,
}

/// What the rows of one piece of a table gave.
#[derive(Default)]
struct Out {
    issues: Vec<Issue>,
    skipped: Vec<u32>,
    loaded: usize,
    /// A CSV syntax error: nothing after it is read.
    stop: Option<Issue>,
}

type RowFn<'r> = dyn FnMut(u32, &Fetch, &mut Vec<Problem>) -> bool + 'r;

impl Ctx<'_> {
    fn header_issue(&self, code: &'static str, message: String) -> Issue {
        let header_row = match &self.td.body {
            Body::Rows { header_row, .. } => *header_row,
            _ => 1,
        };
        Issue {
            code,
            table: Some(self.table.name()),
            file: self.td.file.clone(),
            sheet: self.td.sheet.clone(),
            row: if self.td.json { None } else { Some(header_row) },
            column: None,
            cell: None,
            value: None,
            message,
        }
    }

    /// One row: skipped, loaded, or its problems as issues.
    fn handle(&self, out: &mut Out, errs: &mut Vec<Problem>, line_of: &mut dyn FnMut() -> u32, fetch: &Fetch, row_fn: &mut RowFn) {
        if fetch.all_empty() {
            return;
        }
        errs.clear();
        let mut line = if self.lazy_line { 0 } else { line_of() };
        // The checks below look at every row: gate them on one scan of its bytes.
        let suspect = fetch.suspect();
        if let Some(absorbed) = if suspect { unclosed_quote(fetch, self.delimiter, self.header.len()) } else { None } {
            errs.push(Problem {
                col: None,
                code: "unclosed_quote",
                message: format!("本行有未闭合的英文双引号，其后 {absorbed} 行被并入本行（也未载入），请检查本行的引号"),
            });
        } else if let Some(p) = if suspect { cell_problem(fetch) } else { None } {
            errs.push(p);
        } else if row_fn(line, fetch, errs) {
            out.loaded += 1;
        }
        if line == 0 && !errs.is_empty() {
            line = line_of();
        }
        // A row that is valid data is data (a cadre named 合计, a unit called
        // 制表厂); one that is not and reads as a 合计 row or a footer
        // (填报人、审核人、注：…) is the sheet's own, skipped without an error.
        if !errs.is_empty() && fetch.is_total_or_footer() {
            errs.clear();
            out.skipped.push(line);
            return;
        }
        let (table, td, map, header) = (self.table, self.td, &self.map, &self.header);
        for p in errs.drain(..) {
            let value = p.col.and_then(|c| map[c]).map(|i| super::report::echo(fetch.raw(i))).filter(|v| !v.is_empty());
            out.issues.push(Issue {
                code: p.code,
                table: Some(table.name()),
                file: td.file.clone(),
                sheet: td.sheet.clone(),
                row: Some(line),
                column: p.col.map(|c| match map[c] {
                    Some(i) => header[i].trim().to_string(),
                    None => table.columns()[c].key.to_string(),
                }),
                cell: if td.json { None } else { p.col.and_then(|c| map[c]).map(|i| format!("{}{line}", values::column_letter(i))) },
                value,
                message: p.message + "；本行未载入",
            });
        }
    }

    /// The rows of a piece of CSV text that starts at a record's start on
    /// line `first_line` (skipping the header record when `has_header`).
    /// `tick` is told the byte reached every 32768 rows.
    fn csv_rows(&self, text: &str, first_line: u32, has_header: bool, row_fn: &mut RowFn, out: &mut Out, tick: &mut dyn FnMut(u64)) {
        if !text.as_bytes().contains(&b'"') {
            return self.plain_rows(text, first_line, has_header, row_fn, out, tick);
        }
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(self.delimiter).from_reader(text.as_bytes());
        let mut record = csv::ByteRecord::new();
        if has_header {
            let _ = rdr.read_byte_record(&mut record);
        }
        let mut lines = LineCounter::new(text.as_bytes(), first_line);
        let mut errs: Vec<Problem> = Vec::new();
        let mut n = 0u64;
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map(|p| first_line - 1 + p.line() as u32);
                    out.stop = Some(Issue { row: line, ..self.header_issue("bad_csv", format!("CSV 格式错误，其后内容未载入：{e}")) });
                    break;
                }
            }
            let byte = record.position().map(|p| p.byte() as usize).unwrap_or(0);
            let fetch = Fetch { map: &self.map, cells: Cells::Csv(&record), dates: self.dates };
            self.handle(out, &mut errs, &mut || lines.line_at(byte), &fetch, row_fn);
            n += 1;
            if n.is_multiple_of(32768) {
                tick(record.position().map(|p| p.byte()).unwrap_or(0));
            }
        }
    }
}

impl Ctx<'_> {
    /// [`Ctx::csv_rows`] for text without a quote: rows split in place, as the
    /// csv parser splits them then (with CR, LF or CRLF ends): line breaks
    /// before a row are skipped (blank lines are no rows), a row ends at the
    /// next CR or LF, its cells are between delimiters.
    fn plain_rows(&self, text: &str, first_line: u32, has_header: bool, row_fn: &mut RowFn, out: &mut Out, tick: &mut dyn FnMut(u64)) {
        let mut lines = LineCounter::new(text.as_bytes(), first_line);
        let mut errs: Vec<Problem> = Vec::new();
        let mut header = has_header;
        let mut n = 0u64;
        let clean = memchr::memchr(0xEF, text.as_bytes()).is_none();
        split_plain(text, self.delimiter, |start, line, cells| {
            if header {
                header = false;
                return;
            }
            let fetch = Fetch { map: &self.map, cells: Cells::Strs { line, cells, clean }, dates: self.dates };
            self.handle(out, &mut errs, &mut || lines.line_at(start), &fetch, row_fn);
            n += 1;
            if n.is_multiple_of(32768) {
                tick(start as u64);
            }
        });
    }
}

/// Reads a CSV file block by block, each block ending at a record's end.
#[cfg(not(target_arch = "wasm32"))]
struct BlockReader {
    file: std::io::Take<std::fs::File>,
    buf: Vec<u8>,
    delimiter: u8,
    block: usize,
    line: u32,
    at_end: bool,
}

#[cfg(not(target_arch = "wasm32"))]
impl BlockReader {
    fn open(path: &std::path::Path, start: u64, len: u64, delimiter: u8, block: usize) -> std::io::Result<BlockReader> {
        use std::io::{Read, Seek};
        let mut f = std::fs::File::open(path)?;
        f.seek(std::io::SeekFrom::Start(start))?;
        // The buffer is sized once for a block (or the whole file if smaller): no regrowing and copying while it fills.
        let buf = Vec::with_capacity(block.max(1).min((len - start) as usize) + 1);
        Ok(BlockReader { file: f.take(len - start), buf, delimiter, block: block.max(1), line: 1, at_end: false })
    }

    /// The next block's text and first line.
    fn next_block(&mut self) -> std::io::Result<Option<(String, u32)>> {
        use std::io::Read;
        let mut want = self.block;
        loop {
            let cut = if self.at_end { (!self.buf.is_empty()).then_some(self.buf.len()) } else { super::chunks::last_boundary(&self.buf, self.delimiter) };
            if let Some(cut) = cut.filter(|_| self.at_end || self.buf.len() >= want) {
                let mut rest = Vec::with_capacity(if self.at_end { 0 } else { self.block + 1 });
                rest.extend_from_slice(&self.buf[cut..]);
                self.buf.truncate(cut);
                let bytes = std::mem::replace(&mut self.buf, rest);
                let first = self.line;
                self.line += super::chunks::line_feeds(&bytes) as u32;
                // The file was checked to be UTF-8 and blocks end at line breaks.
                let text = if super::decode::is_utf8(&bytes) {
                    // SAFETY: is_utf8 accepts exactly what std::str::from_utf8 accepts.
                    unsafe { String::from_utf8_unchecked(bytes) }
                } else {
                    String::from_utf8_lossy(&bytes).into_owned()
                };
                return Ok(Some((text, first)));
            }
            if self.at_end {
                return Ok(None);
            }
            // Fill up to the block size (more when no record ends within it).
            if self.buf.len() >= want {
                want = self.buf.len() * 2;
            }
            let need = want - self.buf.len();
            let got = (&mut self.file).take(need as u64).read_to_end(&mut self.buf)?;
            if got < need {
                self.at_end = true;
            }
        }
    }
}

/// Calls `f(text, first line, whether the header is in it)` with the CSV
/// text of a table: whole when in memory, block by block from a file.
/// `f` returns false to stop.
fn csv_blocks(td: &TableData, block: usize, f: &mut dyn FnMut(&str, u32, bool) -> bool) -> std::io::Result<()> {
    let _ = block; // (no files to read in WebAssembly)
    match &td.body {
        Body::Csv { text, .. } => {
            f(text, 1, true);
        }
        #[cfg(not(target_arch = "wasm32"))]
        Body::CsvFile { path, start, len, delimiter } => {
            let mut r = BlockReader::open(path, *start, *len, *delimiter, block)?;
            let mut first = true;
            while let Some((text, line)) = r.next_block()? {
                if !f(&text, line, first) {
                    break;
                }
                first = false;
            }
        }
        Body::Rows { .. } => {}
    }
    Ok(())
}

/// The first record's text of a CSV table (for its header).
fn csv_head<'t>(td: &'t TableData) -> std::borrow::Cow<'t, str> {
    match &td.body {
        Body::Csv { text, .. } => std::borrow::Cow::Borrowed(&text[..]),
        #[cfg(not(target_arch = "wasm32"))]
        Body::CsvFile { path, start, len, delimiter } => {
            let head = BlockReader::open(path, *start, *len, *delimiter, 64 << 10).and_then(|mut r| r.next_block());
            std::borrow::Cow::Owned(head.ok().flatten().map(|(t, _)| t).unwrap_or_default())
        }
        Body::Rows { .. } => std::borrow::Cow::Borrowed(""),
    }
}

impl Runner<'_> {
    /// Reads the header and maps its columns; reports a table that lacks a
    /// required column (and then returns `None`).
    fn begin<'t>(&mut self, td: &'t TableData<'t>, lazy_line: bool) -> Option<Ctx<'t>> {
        let table = td.table;
        let specs = table.columns();
        let delimiter = match &td.body {
            Body::Csv { delimiter, .. } => *delimiter,
            #[cfg(not(target_arch = "wasm32"))]
            Body::CsvFile { delimiter, .. } => *delimiter,
            Body::Rows { .. } => b',',
        };
        let header: Vec<String> = match &td.body {
            Body::Rows { header, .. } => header.clone(),
            _ => {
                let head = csv_head(td);
                let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(head.as_bytes());
                let mut record = csv::ByteRecord::new();
                match rdr.read_byte_record(&mut record) {
                    Ok(true) => record.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect(),
                    _ => Vec::new(),
                }
            }
        };
        let mut ctx = Ctx { td, table, header, map: vec![None; specs.len()], delimiter, dates: self.dates, lazy_line };
        for (i, h) in ctx.header.iter().enumerate() {
            if h.trim().is_empty() {
                continue;
            }
            match schema::match_column(table, h) {
                // A running number (序号) is the sheet's own, not data: ignored without a word.
                None if schema::is_running_number(h) => {}
                Some(c) if ctx.map[c].is_none() => ctx.map[c] = Some(i),
                Some(c) => {
                    self.report.warnings.push(ctx.header_issue(
                        "duplicate_column",
                        format!("列「{h}」与「{}」表示同一列（{}），只用第一列", ctx.header[ctx.map[c].unwrap()], specs[c].key),
                    ))
                }
                None => self
                    .report
                    .warnings
                    .push(ctx.header_issue("unknown_column", format!("不认识的列「{h}」，已忽略；{}表可用的列：{}", table.chinese(), column_list(table)))),
            }
        }
        let missing: Vec<&str> = specs.iter().zip(&ctx.map).filter(|(c, m)| c.required && m.is_none()).map(|(c, _)| c.key).collect();
        if !missing.is_empty() || ctx.header.is_empty() {
            let n_rows = match &td.body {
                Body::Rows { rows, .. } => rows.len(),
                _ => {
                    let mut lines = 0usize;
                    let _ = csv_blocks(td, self.tuning.block_bytes, &mut |text, _, _| {
                        lines += text.lines().filter(|l| !l.trim().is_empty()).count();
                        true
                    });
                    lines.saturating_sub(1)
                }
            };
            let names: Vec<String> = missing.iter().map(|k| format!("{k}（{}）", alias_of(table, k))).collect();
            self.report.errors.push(ctx.header_issue("missing_column", format!("缺少必需的列：{}；整张表（{n_rows} 行）未载入", names.join("、"))));
            self.done += td.size() as u64;
            return None;
        }
        Some(ctx)
    }

    /// After the rows: the skipped rows' note, progress, rows per file.
    fn finish(&mut self, ctx: &Ctx, loaded: usize, skipped: Vec<u32>) {
        if !skipped.is_empty() {
            let rows: Vec<String> = skipped.iter().take(20).map(u32::to_string).collect();
            let more = if skipped.len() > 20 { format!(" 等 {} 行", skipped.len()) } else { String::new() };
            self.report.warnings.push(Issue {
                row: skipped.first().copied(),
                ..ctx.header_issue("footer_skipped", format!("已跳过合计行或表尾说明（第 {}{more} 行），它们不是数据", rows.join("、")))
            });
        }
        self.done += ctx.td.size() as u64;
        (self.progress)(Progress { phase: "build", done: self.done, total: self.total });
        *self.report.rows_by_file.entry(ctx.td.file.clone()).or_default() += loaded;
    }

    fn read_error(&mut self, ctx: &Ctx, e: std::io::Error) {
        self.report.errors.push(Issue { row: None, ..ctx.header_issue("bad_file", format!("读取文件时出错，其后内容未载入：{e}")) });
    }

    /// Row by row, in order (the entity tables: each row may depend on the ones before).
    fn run(&mut self, td: &TableData, mut row_fn: impl FnMut(u32, &Fetch, &mut Vec<Problem>) -> bool) -> usize {
        let Some(ctx) = self.begin(td, td.table == Table::Records) else { return 0 };
        let mut out = Out::default();
        match &td.body {
            Body::Rows { rows, .. } => {
                let mut errs = Vec::new();
                for (line, cells) in rows {
                    let fetch = Fetch { map: &ctx.map, cells: Cells::Vec(cells), dates: ctx.dates };
                    ctx.handle(&mut out, &mut errs, &mut || *line, &fetch, &mut row_fn);
                }
            }
            _ => {
                let (done, total) = (self.done, self.total);
                let mut offset = 0u64;
                let report = &mut *self.report;
                let progress = &mut *self.progress;
                let read = csv_blocks(td, self.tuning.block_bytes, &mut |text, first_line, has_header| {
                    ctx.csv_rows(text, first_line, has_header, &mut row_fn, &mut out, &mut |pos| {
                        progress(Progress { phase: "build", done: done + offset + pos, total })
                    });
                    offset += text.len() as u64;
                    report.errors.append(&mut out.issues);
                    match out.stop.take() {
                        Some(i) => {
                            report.errors.push(i);
                            false
                        }
                        None => true,
                    }
                });
                if let Err(e) = read {
                    self.read_error(&ctx, e);
                }
            }
        }
        self.report.errors.append(&mut out.issues);
        self.finish(&ctx, out.loaded, std::mem::take(&mut out.skipped));
        out.loaded
    }

    /// Rows that do not depend on each other (records, ratings): a big CSV is
    /// parsed in chunks, on every core natively; `row_fn` fills each chunk's
    /// own state, and `merge` takes the states of each block at once (so that it
    /// can make room once), in the rows' order. Each chunk's state starts with
    /// room for the rows it is likely to hold ([`Chunk`]). The
    /// outcome is that of [`Runner::run`] row by row.
    fn run_chunked<S: Chunk>(
        &mut self,
        td: &TableData,
        row_fn: impl Fn(&mut S, &Fetch, &mut Vec<Problem>) -> bool + Sync + Send,
        mut merge: impl FnMut(Vec<S>),
    ) -> usize {
        let Some(ctx) = self.begin(td, true) else { return 0 };
        let mut loaded = 0usize;
        let mut skipped = Vec::new();
        match &td.body {
            Body::Rows { rows, .. } => {
                let mut out = Out::default();
                let mut errs = Vec::new();
                let mut s = S::with_rows(rows.len());
                for (line, cells) in rows {
                    let fetch = Fetch { map: &ctx.map, cells: Cells::Vec(cells), dates: ctx.dates };
                    ctx.handle(&mut out, &mut errs, &mut || *line, &fetch, &mut |_, f, e| row_fn(&mut s, f, e));
                }
                merge(vec![s]);
                self.report.errors.append(&mut out.issues);
                loaded = out.loaded;
                skipped = out.skipped;
            }
            _ => {
                let (chunk_bytes, delimiter) = (self.tuning.chunk_bytes, ctx.delimiter);
                let mut offset = 0u64;
                let (done, total) = (self.done, self.total);
                let report = &mut *self.report;
                let progress = &mut *self.progress;
                let read = csv_blocks(td, self.tuning.block_bytes, &mut |text, first_line, has_header| {
                    let starts = super::chunks::split(text.as_bytes(), delimiter, chunk_bytes);
                    let pieces: Vec<(usize, &str)> =
                        starts.iter().enumerate().map(|(k, &s)| (k, &text[s..starts.get(k + 1).copied().unwrap_or(text.len())])).collect();
                    // Each piece's first line: the line breaks before it.
                    let mut firsts = vec![first_line];
                    if pieces.len() > 1 {
                        let breaks = crate::model::par::map(&pieces, |(_, p)| super::chunks::line_feeds(p.as_bytes()) as u32);
                        for b in &breaks[..breaks.len() - 1] {
                            firsts.push(firsts.last().unwrap() + b);
                        }
                    }
                    let results = crate::model::par::map(&pieces, |&(k, piece)| {
                        let mut out = Out::default();
                        let mut s = S::with_rows(super::chunks::rows_estimate(piece.as_bytes()));
                        ctx.csv_rows(piece, firsts[k], has_header && k == 0, &mut |_, f, e| row_fn(&mut s, f, e), &mut out, &mut |_| {});
                        (out, s)
                    });
                    // The chunks' states up to the first that stopped, merged at once (so that room is made once).
                    let mut states = Vec::with_capacity(results.len());
                    let mut stop = None;
                    for (mut out, s) in results {
                        report.errors.append(&mut out.issues);
                        skipped.append(&mut out.skipped);
                        loaded += out.loaded;
                        states.push(s);
                        if let Some(i) = out.stop {
                            stop = Some(i);
                            break;
                        }
                    }
                    merge(states);
                    if let Some(i) = stop {
                        report.errors.push(i);
                        return false;
                    }
                    offset += text.len() as u64;
                    progress(Progress { phase: "build", done: done + offset, total });
                    true
                });
                if let Err(e) = read {
                    self.read_error(&ctx, e);
                }
            }
        }
        self.finish(&ctx, loaded, skipped);
        loaded
    }
}

fn alias_of(t: Table, key: &str) -> &'static str {
    t.columns().iter().find(|c| c.key == key).and_then(|c| c.aliases.first().copied()).unwrap_or("")
}

fn column_list(t: Table) -> String {
    t.columns().iter().map(|c| format!("{}/{}", c.key, c.aliases.first().unwrap_or(&""))).collect::<Vec<_>>().join("、")
}

fn location(td: &TableData, line: u32) -> String {
    match &td.sheet {
        Some(s) => format!("{} [{s}] 第{line}行", td.file),
        None => format!("{} 第{line}行", td.file),
    }
}

fn duplicate(t: Table, id: &str, places: &Places) -> Problem {
    let first = places.defined.get(&(t, id.to_string())).map(Place::text).unwrap_or_default();
    Problem { col: Some(0), code: "duplicate_id", message: format!("编号「{id}」重复，已在 {first} 定义") }
}

/// Adds an entity row, or reports its id as a duplicate; remembers where it was defined.
fn register<'t, T>(keyed: &mut Keyed<T>, places: &mut Places<'t>, t: Table, id: &str, item: T, at: Place<'t>, errs: &mut Vec<Problem>) -> bool {
    if keyed.insert(id, item).is_err() {
        errs.push(duplicate(t, id, places));
        return false;
    }
    places.defined.insert((t, id.into()), at);
    true
}

fn dims_of(ds: &Dataset, s: &str, col: usize, errs: &mut Vec<Problem>) -> Option<Vec<(u32, f64)>> {
    match values::parse_weights(s) {
        Ok(items) => {
            let mut out = Vec::new();
            for (name, w) in items {
                match ds.dimensions.lookup(&name) {
                    Some(d) => out.push((d, w)),
                    None => {
                        let known: Vec<&str> = ds.dimensions.items().iter().map(|d| d.name.as_str()).collect();
                        errs.push(Problem {
                            col: Some(col),
                            code: "unknown_dimension",
                            message: format!("未知的知识维度「{name}」，应为：{}", known.join("、")),
                        });
                        return None;
                    }
                }
            }
            Some(out)
        }
        Err(WeightError::Empty) => {
            errs.push(Problem {
                col: Some(col), code: "empty_required", message: "必填项为空，应为 理想信念:0.6;党史国史:0.4 这样的维度与权重".into()
            });
            None
        }
        Err(WeightError::Overflow) => {
            errs.push(Problem { col: Some(col), code: "bad_weights", message: "权重过大，无法相加；应为 0.6、40% 这样的权重".into() });
            None
        }
        Err(WeightError::BadItem(item)) => {
            errs.push(Problem {
                col: Some(col),
                code: "bad_weights",
                message: format!("无法识别「{item}」，应为 维度:权重（正数），如 理想信念:0.6;党史国史:0.4"),
            });
            None
        }
    }
}

fn parse_mode(s: &str) -> Option<Mode> {
    Some(match s.to_lowercase().as_str() {
        "" | "线下" | "面授" | "offline" | "现场" | "脱产" | "集中" => Mode::Offline,
        "网络" | "线上" | "在线" | "online" => Mode::Online,
        "混合" | "混合式" | "blended" | "线上线下" => Mode::Blended,
        _ => return None,
    })
}

fn parse_class_type(s: &str) -> Option<ClassType> {
    Some(match s.to_lowercase().as_str() {
        "脱产" | "全脱产" | "脱产培训" | "full-time" | "fulltime" => ClassType::FullTime,
        "集中" | "集中培训" | "concentrated" => ClassType::Concentrated,
        "网络" | "网络培训" | "线上" | "online" => ClassType::Online,
        "混合" | "混合式" | "blended" => ClassType::Blended,
        _ => return None,
    })
}

/// Builds the dataset from every table found in the input, in dependency order.
pub(crate) fn build(mut tables: Vec<TableData<'_>>, opts: &LoadOptions, report: &mut Report, progress: &mut dyn FnMut(Progress), tuning: Tuning) -> Dataset {
    tables.sort_by_key(|t| t.table);
    let total: u64 = tables.iter().map(|t| t.size() as u64).sum();
    let run = Runner { report, progress, done: 0, total, dates: (date::earliest_plausible(), date::latest_plausible()), tuning };
    let mut b = Builder { tables: &tables, opts, run, ds: Dataset::default(), places: Places::default() };
    b.units();
    b.dimensions();
    b.teachers();
    b.courses();
    b.cadres();
    b.classes();
    b.records();
    b.ratings();
    b.requirements();
    b.ds
}

/// The dataset as it is built, one table after another (a table's rows may
/// refer to those of the tables before it), and where each id came from.
struct Builder<'t, 'r> {
    tables: &'t [TableData<'t>],
    opts: &'t LoadOptions,
    run: Runner<'r>,
    ds: Dataset,
    places: Places<'t>,
}

/// The files that hold table `t`.
fn of<'t>(tables: &'t [TableData<'t>], t: Table) -> impl Iterator<Item = &'t TableData<'t>> {
    tables.iter().filter(move |x| x.table == t)
}

/// Notes an entity row that was not loaded, so that rows referring to its id say why.
fn reject(places: &mut Places, t: Table, id: Option<&str>, td: &TableData, line: u32) {
    if let Some(id) = id {
        places.rejected.entry((t, id.into())).or_insert_with(|| location(td, line));
    }
}

impl<'t> Builder<'t, '_> {
    /// Units: read all rows first, since a parent may come after its children.
    fn units(&mut self) {
        let (c_id, c_name, c_parent) = (col(Table::Units, "unit_id"), col(Table::Units, "name"), col(Table::Units, "parent_id"));
        let mut pending: Vec<PendingUnit> = Vec::new();
        for td in of(self.tables, Table::Units) {
            let parent_col = header_cell(td, Table::Units, c_parent);
            self.run.run(td, |line, f, errs| {
                let id = f.required(c_id, errs);
                let name = f.required(c_name, errs);
                let (Some(id), Some(name)) = (id, name) else { return false };
                if let Some(first) = pending.iter().find(|p| p.id == id) {
                    errs.push(Problem { col: Some(c_id), code: "duplicate_id", message: format!("编号「{id}」重复，已在 {} 定义", first.location) });
                    return false;
                }
                pending.push(PendingUnit {
                    id: id.into(),
                    name: name.into(),
                    parent: f.get(c_parent).into(),
                    location: location(td, line),
                    file: td.file.clone(),
                    sheet: td.sheet.clone(),
                    line,
                    parent_col: parent_col.clone(),
                    json: td.json,
                });
                true
            });
        }
        resolve_units(&mut self.ds, &mut self.places, pending, self.run.report);
        self.run.report.loaded.insert("units", self.ds.units.len());
    }

    /// Dimensions, or the default ones when no table gives them.
    fn dimensions(&mut self) {
        let (c_dim, c_sat) = (col(Table::Dimensions, "dimension"), col(Table::Dimensions, "saturation_hours"));
        let default_saturation = self.opts.default_saturation_hours;
        let mut any_dim_table = false;
        for td in of(self.tables, Table::Dimensions) {
            any_dim_table = true;
            self.run.run(td, |line, f, errs| {
                let name = f.required(c_dim, errs);
                let sat = f.number(c_sat, 0.01, 1e6, "饱和学时", errs);
                let (Some(name), Ok(sat)) = (name, sat) else { return false };
                let dim = Dimension { name: name.into(), saturation_hours: sat.unwrap_or(default_saturation) };
                register(&mut self.ds.dimensions, &mut self.places, Table::Dimensions, name, dim, Place::Row(td, line), errs)
            });
        }
        if !any_dim_table {
            for d in model::taxonomy::DEFAULT_DIMENSIONS {
                let _ = self.ds.dimensions.insert(d, Dimension { name: d.into(), saturation_hours: default_saturation });
            }
            self.run.report.warnings.push(super::table::file_issue(
                "default_dimensions",
                "",
                format!("未提供知识维度表（dimensions/知识维度），使用默认的 12 个维度：{}", model::taxonomy::DEFAULT_DIMENSIONS.join("、")),
            ));
        }
        self.run.report.loaded.insert("dimensions", self.ds.dimensions.len());
    }

    fn teachers(&mut self) {
        let (c_id, c_name, c_spec) = (col(Table::Teachers, "teacher_id"), col(Table::Teachers, "name"), col(Table::Teachers, "specialty"));
        let (ds, places) = (&mut self.ds, &mut self.places);
        for td in of(self.tables, Table::Teachers) {
            self.run.run(td, |line, f, errs| {
                let id = f.required(c_id, errs);
                let name = f.required(c_name, errs);
                let spec = f.get(c_spec);
                let specialty = if spec.is_empty() { Some(Vec::new()) } else { dims_of(ds, spec, c_spec, errs) };
                let (Some(id), Some(name), Some(specialty)) = (id, name, specialty) else {
                    reject(places, Table::Teachers, id, td, line);
                    return false;
                };
                let t = Teacher { name: name.into(), specialty: specialty.into_iter().map(|(d, _)| d).collect() };
                register(&mut ds.teachers, places, Table::Teachers, id, t, Place::Row(td, line), errs)
            });
        }
        self.run.report.loaded.insert("teachers", self.ds.teachers.len());
    }

    /// Courses, and each course's weights over the dimensions (a row of `course_weights`).
    fn courses(&mut self) {
        let t = Table::Courses;
        let (c_id, c_title, c_hours, c_min, c_dims, c_mode, c_teacher) =
            (col(t, "course_id"), col(t, "title"), col(t, "hours"), col(t, "minutes"), col(t, "dimensions"), col(t, "mode"), col(t, "teacher_id"));
        let n_dims = self.ds.dimensions.len();
        let minutes_per_hour = self.opts.minutes_per_hour;
        let (ds, places) = (&mut self.ds, &mut self.places);
        let mut weights: Vec<f32> = Vec::new();
        for td in of(self.tables, t) {
            self.run.run(td, |line, f, errs| {
                let id = f.required(c_id, errs);
                let title = f.required(c_title, errs);
                let hours = course_hours(f, c_hours, c_min, minutes_per_hour, errs);
                let dims = dims_of(ds, f.get(c_dims), c_dims, errs);
                let mode = parse_mode(f.get(c_mode));
                if mode.is_none() {
                    errs.push(Problem { col: Some(c_mode), code: "bad_value", message: "无法识别的形式，应为 线下、网络 或 混合".into() });
                }
                let teacher_id = f.get(c_teacher);
                let teacher =
                    if teacher_id.is_empty() { Some(None) } else { reference(&ds.teachers, Table::Teachers, teacher_id, c_teacher, places, errs).map(Some) };
                let (Some(id), Some(title), Some(hours), Some(dims), Some(mode), Some(teacher)) = (id, title, hours, dims, mode, teacher) else {
                    reject(places, t, id, td, line);
                    return false;
                };
                if !register(&mut ds.courses, places, t, id, Course { title: title.into(), hours, mode, teacher }, Place::Row(td, line), errs) {
                    return false;
                }
                let sum: f64 = dims.iter().map(|(_, w)| w).sum();
                let mut row = vec![0f32; n_dims];
                for (d, w) in dims {
                    row[d as usize] += (w / sum) as f32;
                }
                weights.extend(row);
                true
            });
        }
        self.ds.course_weights = weights;
        self.run.report.loaded.insert("courses", self.ds.courses.len());
    }

    fn cadres(&mut self) {
        let t = Table::Cadres;
        let (c_id, c_name, c_unit, c_rank, c_post, c_party) =
            (col(t, "cadre_id"), col(t, "name"), col(t, "unit_id"), col(t, "rank"), col(t, "post"), col(t, "party_role"));
        let (ds, places) = (&mut self.ds, &mut self.places);
        for td in of(self.tables, t) {
            self.run.run(td, |line, f, errs| {
                let id = f.required(c_id, errs);
                let name = f.required(c_name, errs);
                let unit = f.required(c_unit, errs).and_then(|u| reference(&ds.units, Table::Units, u, c_unit, places, errs));
                let (Some(id), Some(name), Some(unit)) = (id, name, unit) else {
                    reject(places, t, id, td, line);
                    return false;
                };
                let c = model::Cadre { name: name.into(), unit, rank: f.get(c_rank).into(), post: f.get(c_post).into(), party_role: f.get(c_party).into() };
                register(&mut ds.cadres, places, t, id, c, Place::Row(td, line), errs)
            });
        }
        self.run.report.loaded.insert("cadres", self.ds.cadres.len());
    }

    fn classes(&mut self) {
        let t = Table::Classes;
        let (c_id, c_name, c_type, c_start, c_end, c_cap) =
            (col(t, "class_id"), col(t, "name"), col(t, "type"), col(t, "start_date"), col(t, "end_date"), col(t, "capacity"));
        let (ds, places) = (&mut self.ds, &mut self.places);
        for td in of(self.tables, t) {
            self.run.run(td, |line, f, errs| {
                let id = f.required(c_id, errs);
                let name = f.required(c_name, errs);
                let kind = f.required(c_type, errs).and_then(|v| {
                    let k = parse_class_type(v);
                    if k.is_none() {
                        errs.push(Problem {
                            col: Some(c_type), code: "bad_value", message: "无法识别的班次类型，应为 脱产、集中、网络 或 混合".into()
                        });
                    }
                    k
                });
                let start = f.date(c_start, false, errs);
                let end = f.date(c_end, false, errs);
                let cap = f.number(c_cap, 0.0, 1e6, "人数", errs);
                if let (Ok(Some(s)), Ok(Some(e))) = (start, end)
                    && e < s
                {
                    errs.push(Problem { col: Some(c_end), code: "bad_date", message: "结束日期早于开始日期".into() });
                }
                if !errs.is_empty() {
                    reject(places, t, id, td, line);
                    return false;
                }
                let (Some(id), Some(name), Some(kind), Ok(start), Ok(end), Ok(cap)) = (id, name, kind, start, end, cap) else { return false };
                let start = start.or(end).unwrap_or(0);
                let c = Class { name: name.into(), kind, start, end: end.unwrap_or(start), capacity: cap.unwrap_or(0.0) as u32 };
                register(&mut ds.classes, places, t, id, c, Place::Row(td, line), errs)
            });
        }
        self.run.report.loaded.insert("classes", self.ds.classes.len());
    }

    /// Records, in chunks (a record refers to earlier tables only).
    fn records(&mut self) {
        let mut records = model::Records::default();
        for td in of(self.tables, Table::Records) {
            let mut from_course = 0usize;
            let rows = RecordRows { ds: &self.ds, places: &self.places, xapi: td.xapi, minutes_per_hour: self.opts.minutes_per_hour, c: RecordCols::new() };
            self.run.run_chunked(
                td,
                |chunk: &mut RecordChunk, f, errs| rows.row(chunk, f, errs),
                |mut chunks| {
                    // One chunk first (a load on one thread): its records move in whole, without a copy.
                    if let ([only], true) = (&mut chunks[..], records.is_empty()) {
                        from_course += only.from_course;
                        records = std::mem::take(&mut only.records);
                        return;
                    }
                    records.reserve(chunks.iter().map(|c| c.records.len()).sum());
                    for chunk in &mut chunks {
                        from_course += chunk.from_course;
                        records.append(&mut chunk.records);
                    }
                },
            );
            if from_course > 0 {
                self.run.report.warnings.push(Issue {
                    table: Some("records"),
                    sheet: td.sheet.clone(),
                    ..super::table::file_issue("hours_from_course", &td.file, format!("{from_course} 条记录未填学时或时长，按课程学时计"))
                });
            }
        }
        records.finalize(self.ds.cadres.len());
        self.ds.records = records;
        self.run.report.loaded.insert("records", self.ds.records.len());
    }

    /// Ratings, in chunks.
    fn ratings(&mut self) {
        let t = Table::Ratings;
        let (c_cadre, c_course, c_teacher, c_score, c_date) = (col(t, "cadre_id"), col(t, "course_id"), col(t, "teacher_id"), col(t, "score"), col(t, "date"));
        let mut ratings = Vec::new();
        let (ds, places) = (&self.ds, &self.places);
        for td in of(self.tables, t) {
            self.run.run_chunked(
                td,
                |chunk: &mut Vec<Rating>, f, errs| {
                    let cadre = f.required(c_cadre, errs).and_then(|id| reference(&ds.cadres, Table::Cadres, id, c_cadre, places, errs));
                    let course = f.required(c_course, errs).and_then(|id| reference(&ds.courses, Table::Courses, id, c_course, places, errs));
                    let tid = f.get(c_teacher);
                    let teacher = if tid.is_empty() { Some(None) } else { reference(&ds.teachers, Table::Teachers, tid, c_teacher, places, errs).map(Some) };
                    let score = match f.get(c_score) {
                        "" => {
                            errs.push(Problem { col: Some(c_score), code: "empty_required", message: "必填项为空，应为 1 到 5 的评分".into() });
                            Err(())
                        }
                        _ => f.number(c_score, 1.0, 5.0, "评分", errs),
                    };
                    let day = f.date(c_date, false, errs);
                    let (Some(cadre), Some(course), Some(teacher), Ok(Some(score)), Ok(day)) = (cadre, course, teacher, score, day) else { return false };
                    chunk.push(Rating { cadre, course, teacher, score: score as f32, date: day });
                    true
                },
                |chunks| {
                    ratings.reserve(chunks.iter().map(Vec::len).sum());
                    chunks.into_iter().for_each(|mut chunk| ratings.append(&mut chunk));
                },
            );
        }
        self.ds.ratings.append(&mut ratings);
        self.run.report.loaded.insert("ratings", self.ds.ratings.len());
    }

    fn requirements(&mut self) {
        let t = Table::Requirements;
        let (c_rank, c_post, c_dim, c_target) = (col(t, "rank"), col(t, "post"), col(t, "dimension"), col(t, "target"));
        let ds = &mut self.ds;
        for td in of(self.tables, t) {
            self.run.run(td, |_, f, errs| {
                let dim = f.required(c_dim, errs).and_then(|d| {
                    let i = ds.dimensions.lookup(d);
                    if i.is_none() {
                        let known: Vec<&str> = ds.dimensions.items().iter().map(|d| d.name.as_str()).collect();
                        errs.push(Problem {
                            col: Some(c_dim), code: "unknown_dimension", message: format!("未知的知识维度，应为：{}", known.join("、"))
                        });
                    }
                    i
                });
                let target = match f.get(c_target) {
                    "" => {
                        errs.push(Problem { col: Some(c_target), code: "empty_required", message: "必填项为空，应为 0 到 100 的目标值".into() });
                        Err(())
                    }
                    _ => f.number(c_target, 0.0, 100.0, "目标值", errs),
                };
                let (Some(dimension), Ok(Some(target))) = (dim, target) else { return false };
                let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
                ds.requirements.push(Requirement { rank: opt(f.get(c_rank)), post: opt(f.get(c_post)), dimension, target });
                true
            });
        }
        self.run.report.loaded.insert("requirements", self.ds.requirements.len());
    }
}

/// A course's 学时: given, or from its minutes; `None` (with the problem
/// noted) when both are empty or either is bad.
fn course_hours(f: &Fetch, c_hours: usize, c_min: usize, minutes_per_hour: f64, errs: &mut Vec<Problem>) -> Option<f64> {
    let hours = f.number(c_hours, 0.0, 10000.0, "学时", errs);
    let minutes = f.number(c_min, 0.0, 600000.0, "时长（分钟）", errs);
    match (hours, minutes) {
        (Ok(Some(h)), _) => Some(h),
        (Ok(None), Ok(Some(m))) => Some(m / minutes_per_hour),
        (Ok(None), Ok(None)) => {
            errs.push(Problem {
                col: Some(if f.has(c_hours) || !f.has(c_min) { c_hours } else { c_min }),
                code: "empty_required",
                message: "学时与时长（分钟）都为空，至少填一项".into(),
            });
            None
        }
        _ => None,
    }
}

/// The columns of the records table.
struct RecordCols {
    cadre: usize,
    course: usize,
    class: usize,
    date: usize,
    hours: usize,
    minutes: usize,
    completed: usize,
    score: usize,
}

impl RecordCols {
    fn new() -> Self {
        let t = Table::Records;
        RecordCols {
            cadre: col(t, "cadre_id"),
            course: col(t, "course_id"),
            class: col(t, "class_id"),
            date: col(t, "date"),
            hours: col(t, "hours"),
            minutes: col(t, "minutes"),
            completed: col(t, "completed"),
            score: col(t, "score"),
        }
    }
}

/// A chunk's state in [`Runner::run_chunked`], made with room for the rows
/// it is likely to hold: the columns grow once, not by doubling (each
/// doubling a copy, and in a first load fresh memory to fault in).
trait Chunk: Send {
    fn with_rows(rows: usize) -> Self;
}

impl<T: Send> Chunk for Vec<T> {
    fn with_rows(rows: usize) -> Self {
        Vec::with_capacity(rows)
    }
}

impl Chunk for RecordChunk {
    fn with_rows(rows: usize) -> Self {
        let mut records = model::Records::default();
        records.reserve(rows);
        RecordChunk { records, ..Default::default() }
    }
}

/// A chunk's records, and its cache of the last cadre looked up.
#[derive(Default)]
struct RecordChunk {
    records: model::Records,
    from_course: usize,
    last_cadre: (String, u32),
}

/// What a record row is read against: the tables before it, and whether
/// its file holds xAPI statements (course ids that may be IRIs).
struct RecordRows<'a> {
    ds: &'a Dataset,
    places: &'a Places<'a>,
    xapi: bool,
    minutes_per_hour: f64,
    c: RecordCols,
}

impl RecordRows<'_> {
    /// One record row into `chunk`; false (with its problems) when it is not loaded.
    fn row(&self, chunk: &mut RecordChunk, f: &Fetch, errs: &mut Vec<Problem>) -> bool {
        let (ds, places, c) = (self.ds, self.places, &self.c);
        let cadre = self.cadre(&mut chunk.last_cadre, f, errs);
        let course = f.required(c.course, errs).and_then(|id| {
            if self.xapi {
                if let Some(i) = ds.courses.lookup(id) {
                    return Some(i);
                }
                return reference(&ds.courses, Table::Courses, super::xapi::course_candidate(id), c.course, places, errs);
            }
            reference(&ds.courses, Table::Courses, id, c.course, places, errs)
        });
        let class_id = f.get(c.class);
        let class = if class_id.is_empty() { Some(None) } else { reference(&ds.classes, Table::Classes, class_id, c.class, places, errs).map(Some) };
        let day = f.date(c.date, true, errs);
        let hours = f.number(c.hours, 0.0, 10000.0, "学时", errs);
        let minutes = f.number(c.minutes, 0.0, 600000.0, "时长（分钟）", errs);
        let score = f.number(c.score, 0.0, 100.0, "成绩", errs);
        let completed = self.completed(f, errs);
        let (Some(cadre), Some(course), Some(class), Ok(Some(day)), Ok(hours), Ok(minutes), Ok(score), Some(completed)) =
            (cadre, course, class, day, hours, minutes, score, completed)
        else {
            return false;
        };
        let hours = match (hours, minutes) {
            (Some(h), _) => h,
            (None, Some(m)) => m / self.minutes_per_hour,
            (None, None) => {
                chunk.from_course += 1;
                ds.courses.get(course).hours
            }
        };
        chunk.records.push(Record { cadre, course, class, date: day, hours: hours as f32, score: score.map(|s| s as f32), completed });
        true
    }

    /// The row's cadre. Records usually come grouped by cadre: the previous row's lookup is reused.
    fn cadre(&self, last_cadre: &mut (String, u32), f: &Fetch, errs: &mut Vec<Problem>) -> Option<u32> {
        let c_cadre = self.c.cadre;
        f.required(c_cadre, errs).and_then(|id| {
            if id == last_cadre.0 {
                return Some(last_cadre.1);
            }
            let i = reference(&self.ds.cadres, Table::Cadres, id, c_cadre, self.places, errs)?;
            *last_cadre = (id.to_string(), i);
            Some(i)
        })
    }

    /// Whether the course was completed: yes when the table has no such column.
    fn completed(&self, f: &Fetch, errs: &mut Vec<Problem>) -> Option<bool> {
        let c_done = self.c.completed;
        if !f.has(c_done) {
            return Some(true);
        }
        let v = f.get(c_done);
        match values::parse_bool(v) {
            Some(b) => Some(b),
            None => {
                errs.push(Problem {
                    col: Some(c_done),
                    code: if v.is_empty() { "empty_required" } else { "bad_value" },
                    message: "应为 是/否（或 true/false、1/0）".into(),
                });
                None
            }
        }
    }
}

/// A unit row, held until all units are read.
struct PendingUnit {
    id: String,
    name: String,
    parent: String,
    location: String,
    file: String,
    sheet: Option<String>,
    line: u32,
    /// (header text, index) of the parent column.
    parent_col: Option<(String, usize)>,
    json: bool,
}

/// The header text and position of a table column in a file, if present.
fn header_cell(td: &TableData, table: Table, col: usize) -> Option<(String, usize)> {
    let header: Vec<String> = match &td.body {
        Body::Rows { header, .. } => header.clone(),
        _ => {
            let delimiter = match &td.body {
                Body::Csv { delimiter, .. } => *delimiter,
                #[cfg(not(target_arch = "wasm32"))]
                Body::CsvFile { delimiter, .. } => *delimiter,
                Body::Rows { .. } => b',',
            };
            let head = csv_head(td);
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(head.as_bytes());
            let mut rec = csv::StringRecord::new();
            let _ = rdr.read_record(&mut rec);
            rec.iter().map(str::to_string).collect()
        }
    };
    let i = header.iter().position(|h| schema::match_column(table, h) == Some(col))?;
    Some((header[i].trim().to_string(), i))
}

/// Inserts the units whose parent exists (and forms no cycle); reports the others.
fn resolve_units(ds: &mut Dataset, places: &mut Places, pending: Vec<PendingUnit>, report: &mut Report) {
    let ids: FxHashMap<&str, usize> = pending.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let mut problem: Vec<Option<(&'static str, String)>> = vec![None; pending.len()];
    for (i, p) in pending.iter().enumerate() {
        if p.parent.is_empty() {
            continue;
        }
        if !ids.contains_key(p.parent.as_str()) {
            problem[i] = Some(("unknown_reference", format!("未知的上级单位编号：单位表中没有「{}」", p.parent)));
            continue;
        }
        let mut cur = p.parent.as_str();
        for _ in 0..pending.len() {
            if cur == p.id {
                problem[i] = Some(("cycle", "上级单位关系形成循环".into()));
                break;
            }
            match ids.get(cur).map(|&j| pending[j].parent.as_str()) {
                Some(next) if !next.is_empty() => cur = next,
                _ => break,
            }
        }
    }
    // A unit below a rejected unit is rejected too.
    loop {
        let mut changed = false;
        for (i, p) in pending.iter().enumerate() {
            if problem[i].is_none() && !p.parent.is_empty() && problem[ids[p.parent.as_str()]].is_some() {
                problem[i] = Some(("unknown_reference", format!("上级单位「{}」有错误未载入", p.parent)));
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (p, prob) in pending.iter().zip(problem) {
        match prob {
            None => {
                let _ = ds.units.insert(&p.id, Unit { name: p.name.clone(), parent: None });
                places.defined.insert((Table::Units, p.id.clone()), Place::Text(p.location.clone()));
            }
            Some((code, message)) => {
                places.rejected.insert((Table::Units, p.id.clone()), p.location.clone());
                report.errors.push(Issue {
                    code,
                    table: Some("units"),
                    file: p.file.clone(),
                    sheet: p.sheet.clone(),
                    row: Some(p.line),
                    column: Some(p.parent_col.as_ref().map(|c| c.0.clone()).unwrap_or_else(|| "parent_id".into())),
                    cell: if p.json { None } else { p.parent_col.as_ref().map(|c| format!("{}{}", values::column_letter(c.1), p.line)) },
                    value: Some(p.parent.clone()),
                    message: message + "；本行未载入",
                });
            }
        }
    }
    for p in &pending {
        if let (Some(u), Some(parent)) = (ds.units.lookup(&p.id), ds.units.lookup(&p.parent)) {
            ds.units.get_mut(u).parent = Some(parent);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trim_is_str_trim() {
        for s in ["", " ", "a", " a", "a ", "\u{3000}是", "是\u{3000}", "\u{a0}x", "x\u{85}", "\u{b}", "干部", "\t1\r", "\u{2029}"] {
            assert_eq!(super::trim(s), s.trim(), "{s:?}");
        }
        // Every character at either edge, alone and beside a letter.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("a{c}"), format!("{c}a"), format!("{c}是{c}")] {
                assert_eq!(super::trim(&s), s.trim(), "{s:?}");
            }
        }
    }
}
