//! Writing a dataset out as files the loader reads back: a CSV per table
//! (UTF-8 with BOM so Excel opens it, or GBK), one xlsx workbook, or one JSON.

use crate::ingest::schema::{Table, LOAD_ORDER};
use crate::model::{date, Dataset};

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
            for (_, id, c) in ds.cadres.iter() {
                f(&[id.into(), c.name.clone(), ds.units.id(c.unit).into(), c.rank.clone(), c.post.clone(), c.party_role.clone()]);
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
                let r = ds.records.get(i);
                row[0] = ds.cadres.id(r.cadre).into();
                row[1] = ds.courses.id(r.course).into();
                row[2] = opt(r.class.map(|c| ds.classes.id(c)));
                row[3] = date::format(r.date);
                row[4] = format!("{}", r.hours);
                row[5] = if r.completed { "是" } else { "否" }.into();
                row[6] = r.score.map(|s| format!("{s}")).unwrap_or_default();
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
