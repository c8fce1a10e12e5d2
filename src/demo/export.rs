//! Writing a dataset out as files the loader reads back: a CSV per table
//! (UTF-8 with BOM so Excel opens it, or GBK), one xlsx workbook, or one JSON.

use crate::ingest::schema::{LOAD_ORDER, Table};
use crate::model::{Dataset, date};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headers {
    /// `cadre_id`, `name` …
    English,
    /// 干部编号, 姓名 …
    Chinese,
}

/// The exported columns of a table (every column but `minutes`: 学时 are written).
fn exported(table: Table) -> impl Iterator<Item = &'static crate::ingest::schema::Col> {
    table.columns().iter().filter(|c| c.key != "minutes")
}

pub fn header(table: Table, h: Headers) -> Vec<&'static str> {
    exported(table).map(|c| if h == Headers::Chinese { c.aliases[0] } else { c.key }).collect()
}

fn num(x: f64) -> String {
    format!("{}", x)
}

fn weights(ds: &Dataset, course: u32) -> String {
    ds.weights(course)
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0.0)
        .map(|(d, w)| format!("{}:{}", ds.dimensions.get(d as u32).name, w))
        .collect::<Vec<_>>()
        .join(";")
}

/// Calls `f` with each row of `table`, cells in `header` order.
pub fn for_each_row(ds: &Dataset, table: Table, f: &mut dyn FnMut(&[String])) {
    let opt = |o: Option<&str>| o.unwrap_or("").to_string();
    match table {
        Table::Units => {
            for (_, id, u) in ds.units.iter() {
                f(&[id.into(), u.name.clone(), opt(u.parent.map(|p| ds.units.id(p)))]);
            }
        }
        Table::Dimensions => {
            for (_, _, d) in ds.dimensions.iter() {
                f(&[d.name.clone(), num(d.saturation_hours)]);
            }
        }
        Table::Teachers => {
            for (_, id, t) in ds.teachers.iter() {
                let spec = t.specialty.iter().map(|&d| ds.dimensions.get(d).name.as_str()).collect::<Vec<_>>().join(";");
                f(&[id.into(), t.name.clone(), spec]);
            }
        }
        Table::Courses => {
            for (i, id, c) in ds.courses.iter() {
                f(&[id.into(), c.title.clone(), num(c.hours), weights(ds, i), c.mode.label().into(), opt(c.teacher.map(|t| ds.teachers.id(t)))]);
            }
        }
        Table::Cadres => {
            for (i, _, _) in ds.cadres.iter() {
                f(&cadre_row(ds, i));
            }
        }
        Table::Classes => {
            for (_, id, c) in ds.classes.iter() {
                f(&[id.into(), c.name.clone(), c.kind.label().into(), date::format(c.start), date::format(c.end), c.capacity.to_string()]);
            }
        }
        Table::Records => {
            let mut row: Vec<String> = vec![String::new(); 7];
            for i in 0..ds.records.len() {
                record_row(ds, &ds.records.get(i), &mut row);
                f(&row);
            }
        }
        Table::Ratings => {
            for r in &ds.ratings {
                f(&[
                    ds.cadres.id(r.cadre).into(),
                    ds.courses.id(r.course).into(),
                    opt(r.teacher.map(|t| ds.teachers.id(t))),
                    format!("{}", r.score),
                    r.date.map(date::format).unwrap_or_default(),
                ]);
            }
        }
        Table::Requirements => {
            for r in &ds.requirements {
                f(&[opt(r.rank.as_deref()), opt(r.post.as_deref()), ds.dimensions.get(r.dimension).name.clone(), num(r.target)]);
            }
        }
    }
}

/// A cadre's cells, in `header` order.
pub fn cadre_row(ds: &Dataset, cadre: u32) -> Vec<String> {
    let c = ds.cadres.get(cadre);
    vec![ds.cadres.id(cadre).into(), c.name.clone(), ds.units.id(c.unit).into(), c.rank.clone(), c.post.clone(), c.party_role.clone()]
}

/// A record's cells, in `header` order, into `row` (7 cells).
pub fn record_row(ds: &Dataset, r: &crate::model::Record, row: &mut [String]) {
    row[0] = ds.cadres.id(r.cadre).into();
    row[1] = ds.courses.id(r.course).into();
    row[2] = r.class.map(|c| ds.classes.id(c)).unwrap_or("").to_string();
    row[3] = date::format(r.date);
    row[4] = format!("{}", r.hours);
    row[5] = if r.completed { "是" } else { "否" }.into();
    row[6] = r.score.map(|s| format!("{s}")).unwrap_or_default();
}

/// Which text encoding CSV files are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 with a BOM (Excel needs the BOM to read UTF-8).
    Utf8Bom,
    /// GBK, as Excel on Chinese Windows writes it.
    Gbk,
}

/// One table as CSV bytes.
pub fn csv_bytes(ds: &Dataset, table: Table, h: Headers, enc: Encoding) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    w.write_record(header(table, h)).expect("write to memory");
    for_each_row(ds, table, &mut |row| w.write_record(row).expect("write to memory"));
    let body = w.into_inner().expect("flush to memory");
    match enc {
        Encoding::Utf8Bom => {
            let mut out = vec![0xEF, 0xBB, 0xBF];
            out.extend_from_slice(&body);
            out
        }
        Encoding::Gbk => {
            let text = String::from_utf8(body).expect("csv of strings is UTF-8");
            encoding_rs::GBK.encode(&text).0.into_owned()
        }
    }
}

/// Every table as `(file name, CSV bytes)`; Chinese file names with Chinese headers.
pub fn csv_files(ds: &Dataset, h: Headers, enc: Encoding) -> Vec<(String, Vec<u8>)> {
    LOAD_ORDER
        .iter()
        .map(|&t| {
            let name = if h == Headers::Chinese { t.chinese() } else { t.name() };
            (format!("{name}.csv"), csv_bytes(ds, t, h, enc))
        })
        .collect()
}

#[cfg(not(target_arch = "wasm32"))]
/// A CSV file written as it is made, in its encoding, so that no table is
/// held whole. GBK is encoded piece by piece up to a line break (it has no
/// state across characters, and a line break is never inside one).
struct Encoded {
    file: std::io::BufWriter<std::fs::File>,
    enc: Encoding,
    pending: Vec<u8>,
}

#[cfg(not(target_arch = "wasm32"))]
impl Encoded {
    fn gbk(&mut self, upto: usize) -> std::io::Result<()> {
        use std::io::Write;
        let rest = self.pending.split_off(upto);
        let text = String::from_utf8(std::mem::replace(&mut self.pending, rest)).expect("csv of strings is UTF-8");
        self.file.write_all(&encoding_rs::GBK.encode(&text).0)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl std::io::Write for Encoded {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        match self.enc {
            Encoding::Utf8Bom => self.file.write_all(b)?,
            Encoding::Gbk => {
                self.pending.extend_from_slice(b);
                if let Some(i) = self.pending.iter().rposition(|&c| c == b'\n') {
                    self.gbk(i + 1)?;
                }
            }
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.gbk(self.pending.len())?;
        self.file.flush()
    }
}

#[cfg(not(target_arch = "wasm32"))]
struct CsvOut(csv::Writer<Encoded>);

#[cfg(not(target_arch = "wasm32"))]
impl CsvOut {
    fn create(path: &std::path::Path, header: &[&str], enc: Encoding) -> std::io::Result<CsvOut> {
        use std::io::Write;
        let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
        if enc == Encoding::Utf8Bom {
            file.write_all(&[0xEF, 0xBB, 0xBF])?;
        }
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Encoded { file, enc, pending: Vec::new() });
        w.write_record(header)?;
        Ok(CsvOut(w))
    }
    fn row(&mut self, row: &[String]) -> std::io::Result<()> {
        Ok(self.0.write_record(row)?)
    }
    fn finish(self) -> std::io::Result<()> {
        use std::io::Write;
        let mut inner = self.0.into_inner().map_err(|e| e.into_error())?;
        inner.flush()
    }
}

#[cfg(not(target_arch = "wasm32"))]
/// What [`write_demo_csv`] wrote.
pub struct Written {
    /// Every table but the records.
    pub dataset: Dataset,
    pub records: usize,
}

#[cfg(not(target_arch = "wasm32"))]
/// Generates the demo city at `scale` and writes it as CSV files into `dir`,
/// the records as they are generated (a cadre at a time), so that even the
/// `xl` city (1M cadres, ~32M records) is never held whole. The files are
/// byte for byte those of [`csv_files`] on [`generate`](super::generate()).
pub fn write_demo_csv(scale: super::Scale, seed: u64, dir: &std::path::Path, h: Headers, enc: Encoding) -> std::io::Result<Written> {
    let file_name = |t: Table| format!("{}.csv", if h == Headers::Chinese { t.chinese() } else { t.name() });
    let mut out = CsvOut::create(&dir.join(file_name(Table::Records)), &header(Table::Records, h), enc)?;
    let mut row: Vec<String> = vec![String::new(); 7];
    let mut n = 0usize;
    let mut failed: Option<std::io::Error> = None;
    let ds = super::generate::generate_streaming(scale, seed, &mut |ds, records| {
        for r in records {
            if failed.is_some() {
                return;
            }
            record_row(ds, r, &mut row);
            if let Err(e) = out.row(&row) {
                failed = Some(e);
            }
            n += 1;
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    out.finish()?;
    for t in LOAD_ORDER.iter().copied().filter(|&t| t != Table::Records) {
        let mut out = CsvOut::create(&dir.join(file_name(t)), &header(t, h), enc)?;
        let mut failed = None;
        for_each_row(&ds, t, &mut |row| {
            if failed.is_none() {
                failed = out.row(row).err();
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        out.finish()?;
    }
    Ok(Written { dataset: ds, records: n })
}

/// The whole dataset as one JSON object `{ "units": [...], ... }`.
pub fn json_bytes(ds: &Dataset, h: Headers) -> Vec<u8> {
    let mut root = serde_json::Map::new();
    for t in LOAD_ORDER {
        let hdr = header(t, h);
        let mut items = Vec::new();
        for_each_row(ds, t, &mut |row| {
            let obj: serde_json::Map<String, serde_json::Value> =
                hdr.iter().zip(row).filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone()))).collect();
            items.push(serde_json::Value::Object(obj));
        });
        root.insert(t.name().into(), serde_json::Value::Array(items));
    }
    serde_json::to_vec_pretty(&serde_json::Value::Object(root)).expect("json of strings")
}

/// The whole dataset as one xlsx workbook, a sheet per table.
#[cfg(feature = "xlsx-write")]
pub fn xlsx_bytes(ds: &Dataset, h: Headers) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for t in LOAD_ORDER {
        let sheet = wb.add_worksheet();
        sheet.set_name(if h == Headers::Chinese { t.chinese() } else { t.name() })?;
        for (c, name) in header(t, h).iter().enumerate() {
            sheet.write_string(0, c as u16, *name)?;
        }
        let mut r = 1u32;
        let mut err = None;
        for_each_row(ds, t, &mut |row| {
            for (c, v) in row.iter().enumerate() {
                if let Err(e) = sheet.write_string(r, c as u16, v) {
                    err.get_or_insert(e);
                }
            }
            r += 1;
        });
        if let Some(e) = err {
            return Err(e);
        }
    }
    wb.save_to_buffer()
}
