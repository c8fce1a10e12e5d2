//! Workbooks as offices make them: `.xlsx`/`.xlsm`, `.xls` (Excel 97–2003,
//! also what WPS's `.et` usually is), `.xlsb` and `.ods`, told apart by their
//! bytes, not their names; read cell by cell so that a sheet's declared size
//! costs nothing; merged cells read as a person reads them; a title above the
//! header, a two-row header and a 合计 row or footer below the data are
//! recognised (the footer in `build`, for CSV too).

use super::report::{FileInfo, Report};
use super::schema::{self, Table};
use super::table::{Body, TableData, file_issue};
use calamine::{Data, Dimensions, Reader};
use std::collections::BTreeMap;
use std::io::Cursor;

/// The most non-empty cells one sheet may have (a city's records are a few
/// hundred thousand rows of ~8 cells; a province belongs in CSV or Parquet).
pub const MAX_SHEET_CELLS: usize = 20_000_000;
/// Excel's own sheet size.
const EXCEL_ROWS: u32 = 1_048_576;
const EXCEL_COLUMNS: u32 = 16_384;
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
    } else if contains(bytes, b"xl/") {
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

/// Checks an Excel 97–2003 file's compound-file structure before calamine
/// reads it: sector size, and that every chain of the allocation tables ends
/// inside the file. calamine follows chains without looking for cycles, so a
/// damaged table (a sector pointing back to itself) would make it grow a
/// buffer until memory runs out; such a file is refused here instead.
fn check_compound_file(bytes: &[u8]) -> Result<(), String> {
    let file = CompoundFile::open(bytes)?;
    // calamine lays every sheet out as a dense grid when it opens the file, as
    // large as the sheet's cells span (rows × columns). Read the cell records'
    // positions first and refuse a sheet whose span would be absurd.
    match file.workbook_stream() {
        Some(stream) => check_sheet_spans(&stream),
        None => Ok(()),
    }
}

/// MAXREGSECT + 1: DIFSECT, FATSECT, ENDOFCHAIN, FREESECT and reserved.
const SPECIAL: u32 = 0xFFFF_FFFA;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

fn damaged(what: &str) -> String {
    format!("文件结构已损坏（{what}）")
}

/// Little-endian u32s, four bytes each.
fn words(s: &[u8]) -> impl Iterator<Item = u32> + '_ {
    s.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// A compound file whose allocation tables were checked: every chain ends.
struct CompoundFile<'b> {
    bytes: &'b [u8],
    /// The sector size in bytes, and how many sectors follow the header.
    size: usize,
    sectors: usize,
    fat: Vec<u32>,
    minifat: Vec<u32>,
}

impl<'b> CompoundFile<'b> {
    fn open(bytes: &'b [u8]) -> Result<Self, String> {
        if bytes.len() < 512 {
            return Err(damaged("文件头不完整"));
        }
        let shift = u16::from_le_bytes([bytes[0x1E], bytes[0x1F]]);
        if shift != 9 && shift != 12 {
            return Err(damaged("扇区大小"));
        }
        let size = 1usize << shift;
        let sectors = bytes.len().div_ceil(size).saturating_sub(1);
        let mut file = CompoundFile { bytes, size, sectors, fat: Vec::new(), minifat: Vec::new() };
        let fat_sectors = file.fat_sectors()?;
        // Each table sector once (the order is the table's), and no more of them than the file has.
        let mut unique = fat_sectors.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != fat_sectors.len() || fat_sectors.len() > sectors {
            return Err(damaged("FAT"));
        }
        for &id in &fat_sectors {
            let Some(s) = file.sector(id) else { return Err(damaged("FAT")) };
            file.fat.extend(words(s));
        }
        if !acyclic(&file.fat, SPECIAL) {
            return Err(damaged("FAT 链"));
        }
        // The mini FAT is itself a chain of sectors; its entries must end too.
        let mut next = file.u32_at(0x3C).unwrap_or(ENDOFCHAIN);
        while next < SPECIAL {
            let Some(s) = file.sector(next) else { return Err(damaged("mini FAT")) };
            file.minifat.extend(words(s));
            next = file.fat.get(next as usize).copied().unwrap_or(ENDOFCHAIN);
        }
        if !acyclic(&file.minifat, SPECIAL) {
            return Err(damaged("mini FAT 链"));
        }
        Ok(file)
    }

    fn u32_at(&self, o: usize) -> Option<u32> {
        self.bytes.get(o..o + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A sector's bytes; a table sector must be whole (calamine asserts it).
    fn sector(&self, id: u32) -> Option<&'b [u8]> {
        let start = (id as usize + 1).checked_mul(self.size)?;
        self.bytes.get(start..start.checked_add(self.size)?)
    }

    /// The sectors of the FAT, from the DIFAT: 109 entries in the header,
    /// then a chain of DIFAT sectors.
    fn fat_sectors(&self) -> Result<Vec<u32>, String> {
        let mut fat_sectors: Vec<u32> = (0..109).filter_map(|i| self.u32_at(0x4C + 4 * i)).filter(|&id| id < SPECIAL).collect();
        let (mut next, mut hops) = (self.u32_at(0x44).unwrap_or(ENDOFCHAIN), 0usize);
        while next < SPECIAL {
            hops += 1;
            let Some(s) = self.sector(next).filter(|_| hops <= self.sectors) else { return Err(damaged("DIFAT")) };
            let ids: Vec<u32> = words(s).collect();
            let (last, rest) = ids.split_last().ok_or("DIFAT")?;
            fat_sectors.extend(rest.iter().filter(|&&id| id < SPECIAL));
            next = *last;
        }
        Ok(fat_sectors)
    }

    /// The sectors of a chain in `table` (the FAT or the mini FAT), at most `limit`.
    fn chain(&self, start: u32, table: &[u32], limit: usize) -> Vec<u32> {
        let mut out = Vec::new();
        let mut id = start;
        while id < SPECIAL && out.len() < limit {
            out.push(id);
            id = table.get(id as usize).copied().unwrap_or(ENDOFCHAIN);
        }
        out
    }

    fn read(&self, ids: &[u32]) -> Vec<u8> {
        ids.iter().filter_map(|&id| self.sector(id)).flatten().copied().collect()
    }

    /// The workbook stream ("Workbook", or "Book" in older files), if the directory has one.
    fn workbook_stream(&self) -> Option<Vec<u8>> {
        let dirs = self.read(&self.chain(self.u32_at(0x30).unwrap_or(ENDOFCHAIN), &self.fat, self.sectors));
        let entry = |name: &str| -> Option<(u32, usize)> {
            dirs.chunks_exact(128).find_map(|d| {
                let n = (u16::from_le_bytes([d[64], d[65]]) as usize).min(64);
                let units: Vec<u16> = d[..n].chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]])).take_while(|&u| u != 0).collect();
                (String::from_utf16_lossy(&units).eq_ignore_ascii_case(name))
                    .then(|| (u32::from_le_bytes([d[116], d[117], d[118], d[119]]), u32::from_le_bytes([d[120], d[121], d[122], d[123]]) as usize))
            })
        };
        let (start, len) = entry("Workbook").or_else(|| entry("Book"))?;
        let mut stream: Vec<u8> = if len >= 4096 {
            self.read(&self.chain(start, &self.fat, self.sectors))
        } else {
            // Small streams live in the mini stream: 64-byte sectors inside the root entry's chain.
            let root = dirs.get(..128).map(|d| u32::from_le_bytes([d[116], d[117], d[118], d[119]]))?;
            let mini = self.read(&self.chain(root, &self.fat, self.sectors));
            let ids = self.chain(start, &self.minifat, self.minifat.len());
            ids.iter().filter_map(|&id| mini.get(id as usize * 64..id as usize * 64 + 64)).flatten().copied().collect()
        };
        stream.truncate(len);
        Some(stream)
    }
}

/// Every chain ends: no pointer past the table, no cycle (colouring of the pointer graph).
fn acyclic(table: &[u32], special: u32) -> bool {
    let mut state = vec![0u8; table.len()]; // 0 unseen, 1 on the current path, 2 done
    for start in 0..table.len() {
        let mut path = Vec::new();
        let mut i = start;
        loop {
            match state[i] {
                2 => break,
                1 => return false,
                _ => {}
            }
            state[i] = 1;
            path.push(i);
            let next = table[i];
            if next >= special {
                break;
            }
            if next as usize >= table.len() {
                return false;
            }
            i = next as usize;
        }
        for p in path {
            state[p] = 2;
        }
    }
    true
}

/// The cells a sheet spans: (first row, last row, first column, last column).
type Span = (u16, u16, u16, u16);

/// The workbook stream's BIFF records (type, length, data), sheet by sheet:
/// no sheet may span or declare an absurd grid.
fn check_sheet_spans(stream: &[u8]) -> Result<(), String> {
    let mut span: Option<Span> = None;
    let mut records = 0usize;
    // The sheet's declared size (DIMENSIONS): calamine reserves room for it.
    let mut declared = 0usize;
    let mut at = 0usize;
    while at + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let n = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        let data = stream.get(at + 4..at + 4 + n).unwrap_or(&[]);
        match kind {
            // BOF starts a sheet (or the workbook globals): a new span.
            0x0809 => {
                check_span(span.take(), records, declared)?;
                records = 0;
                declared = 0;
            }
            0x0200 => {
                if let Some(cells) = declared_cells(data) {
                    declared = declared.max(cells);
                }
            }
            // NUMBER, LABEL, LABELSST, RK, MULRK, BLANK, MULBLANK, FORMULA, BOOLERR, RSTRING.
            0x0203 | 0x0204 | 0x00FD | 0x027E | 0x00BD | 0x0201 | 0x00BE | 0x0006 | 0x0205 | 0x00D6 if data.len() >= 4 => {
                // Cell records start with row and column (u16 each).
                let (r, c) = (u16::from_le_bytes([data[0], data[1]]), u16::from_le_bytes([data[2], data[3]]));
                // MULRK / MULBLANK run to a last column stored at the end.
                let c_last = if matches!(kind, 0x00BD | 0x00BE) && data.len() >= 6 {
                    u16::from_le_bytes([data[data.len() - 2], data[data.len() - 1]]).max(c)
                } else {
                    c
                };
                records += 1;
                span = Some(match span {
                    None => (r, r, c, c_last),
                    Some((r0, r1, c0, c1)) => (r0.min(r), r1.max(r), c0.min(c), c1.max(c_last)),
                });
            }
            _ => {}
        }
        at += 4 + n;
    }
    check_span(span, records, declared)
}

/// The cells a DIMENSIONS record declares, read as calamine reads it (u32 arithmetic as it does).
fn declared_cells(data: &[u8]) -> Option<usize> {
    let u16_of = |o: usize| u16::from_le_bytes([data[o], data[o + 1]]) as u32;
    let u32_of = |o: usize| u32::from_le_bytes([data[o], data[o + 1], data[o + 2], data[o + 3]]);
    let (rf, rl, mut cf, cl) = match data.len() {
        10 => (u16_of(0), u16_of(2), u16_of(4), u16_of(6)),
        14 | 16 => (u32_of(0), u32_of(4), u16_of(8), u16_of(10)),
        _ => return None,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    if rl < 1 || cl < 1 {
        return None;
    }
    let rows = (rl - 1).wrapping_sub(rf).wrapping_add(1) as usize;
    let cols = (cl - 1).wrapping_sub(cf).wrapping_add(1) as usize;
    Some(rows.saturating_mul(cols))
}

/// One sheet's grid may be sparse, but not absurdly: at most 16 places per
/// cell record, or 2^18 in all.
fn check_span(span: Option<Span>, records: usize, declared: usize) -> Result<(), String> {
    let limit = (16 * records).max(1 << 18);
    if declared > limit {
        return Err(format!("有工作表声明的范围（{declared} 格）远大于其中的内容，文件可能已损坏"));
    }
    if let Some((r0, r1, c0, c1)) = span {
        // In usize: a span of all 65,536 rows has one row more than u16 holds.
        let (rows, cols) = (r1 as usize - r0 as usize + 1, c1 as usize - c0 as usize + 1);
        if rows * cols > limit {
            return Err(format!("有工作表的单元格铺满 {rows} 行 × {cols} 列，超出上限，文件可能已损坏"));
        }
    }
    Ok(())
}

/// A zipped workbook (xlsx, xlsb, ods) may expand to at most this many times its size …
const ZIP_EXPANSION: u64 = 100;
/// … or this much, whichever is more.
const ZIP_FLOOR: u64 = 64 << 20;

/// Checks a zipped workbook before calamine opens it: calamine reads the
/// shared-strings table whole, and spreads an .ods file's repeated cells out
/// into a grid, both before any limit of ours can apply. So: the parts may not
/// expand beyond [`ZIP_EXPANSION`] × the file (a 1 GB string packs into a few
/// MB), and an .ods sheet may not repeat cells beyond a sane grid.
fn check_zip(bytes: &[u8], kind: Kind) -> Result<(), String> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let limit = (bytes.len() as u64).saturating_mul(ZIP_EXPANSION).max(ZIP_FLOOR);
    let mut total = 0u64;
    for i in 0..z.len() {
        total = total.saturating_add(z.by_index_raw(i).map_err(|e| e.to_string())?.size());
    }
    if total > limit {
        return Err(format!("解压后有 {} MB，超出上限（文件大小的 {ZIP_EXPANSION} 倍），文件可能已损坏或有超长的单元格", total >> 20));
    }
    if kind == Kind::Ods {
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut z.by_name("content.xml").map_err(|e| e.to_string())?, &mut xml).map_err(|e| e.to_string())?;
        check_ods_repeats(&xml)?;
    }
    Ok(())
}

/// The cells an .ods sheet spreads out to: Σ over rows of (rows repeated ×
/// the non-empty cells of the row, each with its columns repeated). Refused
/// past 16 per cell element written, or 2^20. Attributes are read by the XML
/// reader (as calamine reads them: any quoting, spaces around `=`), never by
/// matching text.
fn check_ods_repeats(xml: &str) -> Result<(), String> {
    use quick_xml::events::{BytesStart, Event};
    let repeats = |e: &BytesStart, name: &str| -> u64 {
        match e.try_get_attribute(name) {
            Ok(Some(a)) => {
                let v = a.value.trim().to_string();
                // A number too big for u64 is as bad as the largest one.
                v.parse().unwrap_or(if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) { u64::MAX } else { 1 })
            }
            _ => 1,
        }
    };
    let has_value = |e: &BytesStart| e.attributes().flatten().any(|a| a.key.as_ref().starts_with("office:value") || a.key.as_ref() == "office:string-value");
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut spread, mut written) = (0u64, 0u64);
    let (mut rows, mut cells) = (1u64, 0u64);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "table:table-row" => {
                rows = repeats(&e, "table:number-rows-repeated");
                cells = 0;
            }
            Ok(Event::End(e)) if e.name().as_ref() == "table:table-row" => {
                spread = spread.saturating_add(rows.saturating_mul(cells));
                cells = 0;
            }
            Ok(Event::Start(e)) if matches!(e.name().as_ref(), "table:table-cell" | "table:covered-table-cell") => {
                written += 1;
                cells = cells.saturating_add(repeats(&e, "table:number-columns-repeated"));
            }
            // A self-closing cell with no value is empty: calamine does not spread it.
            Ok(Event::Empty(e)) if matches!(e.name().as_ref(), "table:table-cell" | "table:covered-table-cell") => {
                written += 1;
                if has_value(&e) {
                    cells = cells.saturating_add(repeats(&e, "table:number-columns-repeated"));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("content.xml 不是有效的 XML：{e}")),
        }
    }
    if spread > written.saturating_mul(16).max(1 << 20) {
        return Err(format!("有工作表以重复单元格铺开 {spread} 格，远大于其中的内容，文件可能已损坏"));
    }
    Ok(())
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
        if kind != Kind::Xls {
            check_zip(bytes, kind)?;
        }
        let c = Cursor::new(bytes.to_vec());
        Ok(match kind {
            Kind::Xlsx => Book::Xlsx(calamine::Xlsx::new(c).map_err(|e| e.to_string())?),
            Kind::Xlsb => Book::Xlsb(calamine::Xlsb::new(c).map_err(|e| e.to_string())?),
            Kind::Xls => {
                check_compound_file(bytes)?;
                Book::Xls(calamine::Xls::new(c).map_err(|e| e.to_string())?)
            }
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
            // A damaged cell reference can name a place no sheet has.
            if pos.0 >= EXCEL_ROWS || pos.1 >= EXCEL_COLUMNS {
                return Err(format!("单元格位置（第 {} 行第 {} 列）超出 Excel 的范围，文件可能已损坏", pos.0 as u64 + 1, pos.1 as u64 + 1));
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
                each_cell(&range, |pos, d| add(&mut grid, pos, d))?;
                b.merge_cells_by_sheet_name(name).unwrap_or_default()
            }
            Book::Ods(b) => {
                let range = b.worksheet_range(name).map_err(|e| e.to_string())?;
                each_cell(&range, |pos, d| add(&mut grid, pos, d))?;
                Vec::new()
            }
        };
        Ok(Sheet { grid, merged })
    }
}

/// Calls `f` with each used cell of a range and its absolute position.
fn each_cell(range: &calamine::Range<Data>, mut f: impl FnMut((u32, u32), Data) -> Result<(), String>) -> Result<(), String> {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, c, d) in range.used_cells() {
        f((r0 + r as u32, c0 + c as u32), d.clone())?;
    }
    Ok(())
}

/// The most merged regions one sheet may have.
pub const MAX_MERGES: usize = 20_000;

/// Spreads each merged region's value over the region's cells, in rows that
/// hold data (a unit merged down over its cadres; a header merged over two
/// rows). The cells a merge fills count against [`MAX_SHEET_CELLS`] with the
/// sheet's own, checked before any is filled; regions that overlap (which
/// Excel never writes) are an error.
fn spread_merges(grid: &mut Grid, merged: &[Dimensions]) -> Result<(), String> {
    if merged.len() > MAX_MERGES {
        return Err(format!("有 {} 个合并单元格区域，最多 {MAX_MERGES} 个", merged.len()));
    }
    let usable: Vec<&Dimensions> = merged
        .iter()
        .filter(|m| {
            let ((r0, c0), (r1, c1)) = (m.start, m.end);
            !(r1 < r0 || c1 < c0 || r1 - r0 > MAX_MERGE_SPAN || c1 - c0 > MAX_MERGE_SPAN)
        })
        .collect();
    // Overlaps: regions in order of their first row, each against those still open.
    let mut by_row = usable.clone();
    by_row.sort_by_key(|m| (m.start.0, m.start.1));
    let mut open: Vec<&Dimensions> = Vec::new();
    for m in by_row {
        open.retain(|o| o.end.0 >= m.start.0);
        if let Some(o) = open.iter().find(|o| o.start.1 <= m.end.1 && m.start.1 <= o.end.1) {
            let at = |d: &Dimensions| format!("{}:{}", a1(d.start), a1(d.end));
            return Err(format!("合并单元格 {} 与 {} 重叠，文件可能已损坏", at(o), at(m)));
        }
        open.push(m);
    }
    let existing: usize = grid.values().map(|r| r.iter().filter(|v| !v.is_empty()).count()).sum();
    let mut total = existing as u64;
    for m in &usable {
        let rows = grid.range(m.start.0..=m.end.0).count() as u64;
        total = total.saturating_add(rows.saturating_mul((m.end.1 - m.start.1 + 1) as u64));
        if total > MAX_SHEET_CELLS as u64 {
            return Err(format!("合并单元格铺开后超过 {MAX_SHEET_CELLS} 格"));
        }
    }
    for m in usable {
        let ((r0, c0), (r1, c1)) = (m.start, m.end);
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
    Ok(())
}

/// `(row, column)` (0-based) as an A1 reference.
fn a1((r, c): (u32, u32)) -> String {
    let mut col = String::new();
    let mut n = c as u64 + 1;
    while n > 0 {
        col.insert(0, (b'A' + ((n - 1) % 26) as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{col}{}", r as u64 + 1)
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
    /// Groups with their own total column (学时 over 线上 / 线下 / 小计):
    /// `(total, parts)`; the parts are added up only where the total is empty.
    totals: Vec<(usize, Vec<usize>)>,
}

/// Finds the header among the first rows: the row naming most of the table's
/// columns. A header cell merged down over the next row makes a two-row header
/// (a group cell such as 学时 over 线上 / 线下); each column is then named by
/// its lower cell if that names a column, else by its group.
///
/// Two rows naming equally many columns (a legend above the header) are
/// reported, not guessed between. The header is two rows deep only under a
/// group cell (a merge across columns in the header row); a cell merged
/// down alone does not make the rows below it header rows.
fn find_header(table: Table, grid: &Grid, merged: &[Dimensions]) -> Result<Option<Header>, String> {
    let Some((&row, cells)) = grid.iter().take(HEADER_SEARCH_ROWS).max_by(|a, b| header_score(table, a.1).cmp(&header_score(table, b.1)).then(b.0.cmp(a.0)))
    else {
        return Ok(None);
    };
    let best = header_score(table, cells);
    if best == 0 {
        // Nothing names a column: the first row is the header, and the usual error says what is missing.
        let Some((&row, cells)) = grid.iter().next() else { return Ok(None) };
        return Ok(Some(Header { row, depth: 1, names: cells.clone(), sums: Vec::new(), totals: Vec::new() }));
    }
    // Rows under a cell merged down from the header row repeat its names: not rivals.
    let under = |r: u32| merged.iter().any(|m| m.start.0 == row && m.end.0 >= r);
    let rivals: Vec<u32> =
        grid.iter().take(HEADER_SEARCH_ROWS).filter(|(r, c)| **r != row && !under(**r) && header_score(table, c) == best).map(|(r, _)| *r).collect();
    if let Some(&other) = rivals.first() {
        let (a, b) = (row.min(other) + 1, row.max(other) + 1);
        return Err(format!(
            "第 {a} 行和第 {b} 行都像表头（各含 {best} 个列名），无法确定哪一行是表头；请删去不是表头的那一行（如图例或说明），或把它移到表格下方"
        ));
    }
    let grouped = merged.iter().any(|m| m.start.0 == row && m.end.1 > m.start.1);
    let depth = if grouped { merged.iter().filter(|m| m.start.0 == row && m.end.0 > row).map(|_| 2).max().unwrap_or(1) } else { 1 };
    if depth == 1 {
        return Ok(Some(Header { row, depth, names: cells.clone(), sums: Vec::new(), totals: Vec::new() }));
    }
    let lower = grid.get(&(row + depth - 1)).cloned().unwrap_or_default();
    let width = cells.len().max(lower.len());
    let at = |v: &Vec<String>, c: usize| v.get(c).cloned().unwrap_or_default();
    let mut names = Vec::with_capacity(width);
    // Per group: its sub-columns, and the one that is already the total (小计/合计), if any.
    let mut groups: BTreeMap<String, (Vec<usize>, Option<usize>)> = BTreeMap::new();
    for c in 0..width {
        let (upper, low) = (at(cells, c), at(&lower, c));
        if schema::match_column(table, &low).is_some() || upper.is_empty() {
            names.push(low);
        } else {
            if upper != low && schema::match_column(table, &upper).is_some() {
                let g = groups.entry(upper.clone()).or_default();
                g.0.push(c);
                if matches!(low.trim(), "合计" | "小计" | "总计" | "共计") {
                    g.1 = Some(c);
                }
            }
            names.push(upper);
        }
    }
    let (mut sums, mut totals) = (Vec::new(), Vec::new());
    for (cols, total) in groups.into_values().filter(|g| g.0.len() > 1) {
        // A total among the parts is the value itself: the parts are not added to it.
        let keep = total.unwrap_or(cols[0]);
        let others: Vec<usize> = cols.iter().copied().filter(|&c| c != keep).collect();
        for &c in &others {
            names[c] = String::new();
        }
        match total {
            Some(t) => totals.push((t, others)),
            None => sums.push((keep, others)),
        }
    }
    Ok(Some(Header { row, depth, names, sums, totals }))
}

/// A header cell merged down past the header spread its name into the rows
/// below (which are data): those copies are taken out again.
fn unspread_header(grid: &mut Grid, header: &Header, merged: &[Dimensions]) {
    let first_data = header.row + header.depth;
    let Some(names) = grid.get(&header.row).cloned() else { return };
    for m in merged.iter().filter(|m| m.start.0 == header.row && m.end.0 >= first_data) {
        for (_, cells) in grid.range_mut(first_data..=m.end.0) {
            for c in m.start.1..=m.end.1 {
                let c = c as usize;
                if c < cells.len() && names.get(c).is_some_and(|n| !n.is_empty() && *n == cells[c]) {
                    cells[c].clear();
                }
            }
        }
    }
}

/// Adds up the parts of a grouped column (学时 = 线上 + 线下) into `first`
/// (itself one of them, or an empty total column):
/// numbers are summed; a part that is no number is put there as written, so
/// that the row is reported with that value rather than loaded without it.
fn sum_parts(cells: &mut Vec<String>, first: usize, others: &[usize]) {
    let parts: Vec<String> =
        std::iter::once(first).chain(others.iter().copied()).filter_map(|c| cells.get(c).filter(|v| !v.trim().is_empty()).cloned()).collect();
    for &c in others {
        if c < cells.len() {
            cells[c] = String::new();
        }
    }
    if first >= cells.len() && !parts.is_empty() {
        cells.resize(first + 1, String::new());
    }
    match parts.iter().find(|p| super::values::parse_f64(p).is_none()) {
        Some(bad) => cells[first] = bad.clone(),
        None if !parts.is_empty() => cells[first] = parts.iter().filter_map(|p| super::values::parse_f64(p)).sum::<f64>().to_string(),
        None => {}
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
                super::table::unknown_table(report, name, Some(&sheet), &sheet);
            }
            continue;
        };
        if let Some(td) = read_sheet(&mut book, name, sheet, table, report) {
            tables.push(table.name());
            out.push(td);
        }
    }
    report.files.push(FileInfo { file: name.into(), format: kind.name(), encoding: None, tables });
    out
}

/// One sheet of table `table` as rows below its header, or `None` (with the
/// reason in `report`) when it cannot be read.
fn read_sheet(book: &mut Book, name: &str, sheet: String, table: Table, report: &mut Report) -> Option<TableData<'static>> {
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
            return None;
        }
    };
    if let Err(e) = spread_merges(&mut grid, &merged) {
        report.errors.push(sheet_issue("bad_workbook", format!("工作表未载入：{e}")));
        return None;
    }
    let header = match find_header(table, &grid, &merged) {
        Ok(h) => h,
        Err(e) => {
            report.errors.push(sheet_issue("ambiguous_header", format!("工作表未载入：{e}")));
            return None;
        }
    };
    let Some(header) = header else {
        let body = Body::Rows { header: Vec::new(), header_row: 1, rows: Vec::new() };
        return Some(TableData { table, file: name.into(), sheet: Some(sheet), body, xapi: false, json: false });
    };
    unspread_header(&mut grid, &header, &merged);
    let above = title_rows(&grid, &header);
    if !above.is_empty() {
        let mut i =
            sheet_issue("title_rows_skipped", format!("表头在第 {} 行；其上的 {} 行是标题，已跳过：{}", header.row + 1, above.len(), above.join(" / ")));
        i.row = Some(header.row);
        report.warnings.push(i);
    }
    let rows = data_rows(&mut grid, &header);
    let body = Body::Rows { header: header.names, header_row: header.row + 1, rows };
    Some(TableData { table, file: name.into(), sheet: Some(sheet), body, xapi: false, json: false })
}

/// The title rows above the header as read (a merged title once, not once per cell it spans).
fn title_rows(grid: &Grid, header: &Header) -> Vec<String> {
    grid.range(..header.row)
        .map(|(_, r)| {
            let mut cells: Vec<&str> = r.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
            cells.dedup();
            cells.join(" ")
        })
        .collect()
}

/// The rows below the header (taken from `grid`), numbered from 1, with the
/// header's column groups added up.
fn data_rows(grid: &mut Grid, header: &Header) -> Vec<(u32, Vec<String>)> {
    grid.split_off(&(header.row + header.depth))
        .into_iter()
        .map(|(r, mut cells)| {
            for (first, others) in &header.sums {
                sum_parts(&mut cells, *first, others);
            }
            for (total, parts) in &header.totals {
                if cells.get(*total).is_some_and(|v| !v.trim().is_empty()) {
                    for &c in parts {
                        if let Some(v) = cells.get_mut(c) {
                            v.clear();
                        }
                    }
                } else {
                    sum_parts(&mut cells, *total, parts);
                }
            }
            (r + 1, cells)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::check_sheet_spans;

    /// A BIFF record: type, length, data.
    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut r = kind.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }

    /// A NUMBER cell record at (row, col).
    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(1.0f64.to_le_bytes());
        record(0x0203, &d)
    }

    #[test]
    fn a_sheet_spanning_every_row_is_refused_with_its_size() {
        // Rows 0 and 65,535 (all 65,536 of BIFF8) by columns 0 to 10.
        let stream = [record(0x0809, &[0; 16]), number(0, 0), number(65535, 10)].concat();
        assert_eq!(check_sheet_spans(&stream).unwrap_err(), "有工作表的单元格铺满 65536 行 × 11 列，超出上限，文件可能已损坏");
        // The same two cells four columns apart span 65,536 × 4 = 2^18 places: the limit itself, allowed.
        let stream = [record(0x0809, &[0; 16]), number(0, 0), number(65535, 3)].concat();
        assert_eq!(check_sheet_spans(&stream), Ok(()));
    }
}
