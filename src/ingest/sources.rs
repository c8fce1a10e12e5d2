//! File readers: each turns one input file into the tables it holds, without
//! interpreting values. CSV text is kept whole and streamed later; xlsx,
//! JSON and xAPI arrive as rows of strings.

use super::decode;
use super::report::{FileInfo, Report};
use super::schema::Table;
use super::table::SourceFile;
pub(crate) use super::table::{Body, TableData, base_name, file_issue, unknown_table};
use serde_json::Value;

fn split_ext(name: &str) -> (&str, String) {
    match name.rfind('.') {
        Some(i) => (&name[..i], name[i + 1..].to_lowercase()),
        None => (name, String::new()),
    }
}

/// Reads one file into tables; problems with the file as a whole go to `report`.
pub(crate) fn read<'a>(file: &'a SourceFile, report: &mut Report) -> Vec<TableData<'a>> {
    let name = base_name(&file.name).to_string();
    let (stem, ext) = split_ext(&name);
    if super::parquet::looks_like(&ext, &file.bytes) {
        return super::parquet::read(&name, stem, &file.bytes, report);
    }
    // A workbook is known by its bytes, whatever its name says (an .xls that
    // is really .xlsx, WPS's .et, a workbook saved as "x.csv").
    if let Some(kind) = super::workbook::sniff(&file.bytes) {
        // The workbook readers (calamine) can panic on some damaged files; natively
        // that becomes an error on the file (in WebAssembly a panic stops the
        // engine, and the page and the mini-program start it again).
        let mut local = Report::default();
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| super::workbook::read(&name, kind, &file.bytes, &mut local)));
        return match read {
            Ok(tables) => {
                report.errors.append(&mut local.errors);
                report.warnings.append(&mut local.warnings);
                report.files.append(&mut local.files);
                tables
            }
            Err(_) => {
                report.errors.push(file_issue(
                    "bad_workbook",
                    &name,
                    "读取该工作簿时出错，文件可能已损坏，整个文件未载入；请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入".into(),
                ));
                Vec::new()
            }
        };
    }
    match ext.as_str() {
        "csv" | "tsv" | "txt" => read_csv(&name, stem, &file.bytes, report),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" | "et" | "ett" | "xlt" | "xltx" => {
            let hint = if ext.starts_with("et") { "请在 WPS 中另存为 .xlsx 后导入" } else { "文件可能已损坏，或不是 Excel 工作簿" };
            report.errors.push(file_issue("bad_workbook", &name, format!("无法识别为任何工作簿格式（xlsx、xls、xlsb、ods），整个文件未载入；{hint}")));
            Vec::new()
        }
        "json" => read_json(&name, &file.bytes, report),
        _ => {
            report.warnings.push(file_issue("unsupported_file", &name, "不支持的文件类型，已跳过（支持 .csv、.xlsx、.json、xAPI 语句 .json）".into()));
            Vec::new()
        }
    }
}

fn read_csv<'a>(name: &str, stem: &str, bytes: &'a [u8], report: &mut Report) -> Vec<TableData<'a>> {
    let Some(table) = Table::from_name(stem) else {
        unknown_table(report, name, None, stem);
        return Vec::new();
    };
    match decode::decode(bytes) {
        Ok(d) => {
            report.files.push(FileInfo { file: name.into(), format: "csv", encoding: Some(d.encoding), tables: vec![table.name()] });
            let delimiter = decode::sniff_delimiter(&d.text);
            vec![TableData { table, file: name.into(), sheet: None, body: Body::Csv { text: d.text, delimiter }, xapi: false, json: false }]
        }
        Err(e) => {
            let mut i = file_issue(
                "bad_encoding",
                name,
                format!("第 {} 行起的内容既不是 UTF-8 也不是 GBK/GB18030 编码，整个文件未载入；请在 Excel 中另存为「CSV UTF-8」或「CSV（逗号分隔）」", e.line),
            );
            i.table = Some(table.name());
            i.row = Some(e.line);
            report.errors.push(i);
            Vec::new()
        }
    }
}

fn json_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(a) => a.iter().map(json_text).collect::<Vec<_>>().join(";"),
        Value::Object(o) => o.iter().map(|(k, v)| format!("{k}:{}", json_text(v))).collect::<Vec<_>>().join(";"),
    }
}

fn read_json(name: &str, bytes: &[u8], report: &mut Report) -> Vec<TableData<'static>> {
    let text = match decode::decode(bytes) {
        Ok(d) => d.text,
        Err(e) => {
            let mut i = file_issue("bad_encoding", name, "文件既不是 UTF-8 也不是 GBK 编码，未载入".into());
            i.row = Some(e.line);
            report.errors.push(i);
            return Vec::new();
        }
    };
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let mut i = file_issue("bad_json", name, format!("不是有效的 JSON（第 {} 行第 {} 列：{e}），整个文件未载入", e.line(), e.column()));
            i.row = Some(e.line() as u32);
            report.errors.push(i);
            return Vec::new();
        }
    };
    let statements = match &value {
        Value::Array(a) => Some(a),
        Value::Object(o) => match o.get("statements") {
            Some(Value::Array(a)) => Some(a),
            _ => None,
        },
        _ => None,
    };
    if let Some(st) = statements {
        report.files.push(FileInfo { file: name.into(), format: "xapi", encoding: None, tables: vec!["records"] });
        return vec![super::xapi::to_records(name, st)];
    }
    let Value::Object(obj) = value else {
        report.errors.push(file_issue("bad_json", name, "JSON 顶层应为对象 {\"cadres\": [...], ...} 或 xAPI 语句数组".into()));
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut tables = Vec::new();
    for (key, v) in &obj {
        let Some(table) = Table::from_name(key) else {
            unknown_table(report, name, None, key);
            continue;
        };
        let Value::Array(items) = v else {
            let mut i = file_issue("bad_json", name, format!("「{key}」应为对象数组，未载入"));
            i.table = Some(table.name());
            report.errors.push(i);
            continue;
        };
        let mut header: Vec<String> = Vec::new();
        for it in items {
            if let Value::Object(o) = it {
                for k in o.keys() {
                    if !header.contains(k) {
                        header.push(k.clone());
                    }
                }
            }
        }
        let mut rows = Vec::with_capacity(items.len());
        for (n, it) in items.iter().enumerate() {
            let row_no = n as u32 + 1;
            match it {
                Value::Object(o) => rows.push((row_no, header.iter().map(|h| o.get(h).map(json_text).unwrap_or_default()).collect())),
                other => {
                    let mut i = file_issue("bad_json", name, "应为一个对象 {…}，该条未载入".into());
                    i.table = Some(table.name());
                    i.row = Some(row_no);
                    i.value = Some(other.to_string().chars().take(80).collect());
                    report.errors.push(i);
                }
            }
        }
        tables.push(table.name());
        out.push(TableData { table, file: name.into(), sheet: None, body: Body::Rows { header, header_row: 1, rows }, xapi: false, json: true });
    }
    report.files.push(FileInfo { file: name.into(), format: "json", encoding: None, tables });
    out
}

/// How much text [`read_path`] may hold whole until the build: files of up
/// to `file` bytes each, while `left` bytes remain (the others are streamed).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) struct Whole {
    pub file: u64,
    pub left: std::sync::atomic::AtomicU64,
}

#[cfg(not(target_arch = "wasm32"))]
impl Whole {
    fn take(&self, n: u64) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        n <= self.file && self.left.fetch_update(Relaxed, Relaxed, |left| left.checked_sub(n)).is_ok()
    }
}

/// First bytes that make a file no plain text, as [`read`] decides:
/// workbooks, Parquet and UTF-16.
#[cfg(not(target_arch = "wasm32"))]
fn not_plain_text(head: &[u8]) -> bool {
    head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
        || head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"PAR1")
        || head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
}

/// Reads one file from disk (native). A CSV file of a known table that is
/// UTF-8 throughout is read once: whole when `whole` allows (its bytes become
/// the text, no copy), else block by block when the dataset is built, so that
/// the whole text is never in memory. Any other file is read whole and goes
/// through [`read`]. The outcome is always that of [`read`] on its bytes.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn read_path(name: &str, path: &std::path::Path, report: &mut Report, whole: &Whole) -> std::io::Result<Vec<TableData<'static>>> {
    use std::io::Read;
    let base = base_name(name).to_string();
    let (stem, ext) = split_ext(&base);
    let table = Table::from_name(stem).filter(|_| matches!(ext.as_str(), "csv" | "tsv" | "txt"));
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if let Some(table) = table.filter(|_| whole.take(len)) {
        // The first bytes alone, so that a BOM is never in the text (no copy to take it out).
        let mut head = Vec::with_capacity(4);
        (&mut f).take(4).read_to_end(&mut head)?;
        let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
        let mut bytes = Vec::with_capacity(len as usize + 1);
        bytes.extend_from_slice(&head[if bom { 3 } else { 0 }..]);
        f.read_to_end(&mut bytes)?;
        if !not_plain_text(&head) && decode::is_utf8(&bytes) {
            // SAFETY: just checked.
            let text = unsafe { String::from_utf8_unchecked(bytes) };
            report.files.push(FileInfo {
                file: base.clone(),
                format: "csv",
                encoding: Some(if bom { "UTF-8 (BOM)" } else { "UTF-8" }),
                tables: vec![table.name()],
            });
            let delimiter = decode::sniff_delimiter(&text);
            let body = Body::Csv { text: std::borrow::Cow::Owned(text), delimiter };
            return Ok(vec![TableData { table, file: base, sheet: None, body, xapi: false, json: false }]);
        }
        if bom {
            bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
        }
        let file = SourceFile { name: name.to_string(), bytes };
        return Ok(read(&file, report).into_iter().map(TableData::into_owned).collect());
    }
    if let Some(table) = table
        && let Some((start, len, first_line)) = utf8_file(path)?
    {
        report.files.push(FileInfo {
            file: base.clone(),
            format: "csv",
            encoding: Some(if start == 3 { "UTF-8 (BOM)" } else { "UTF-8" }),
            tables: vec![table.name()],
        });
        let delimiter = decode::sniff_delimiter(&first_line);
        let body = Body::CsvFile { path: path.to_path_buf(), start, len, delimiter };
        return Ok(vec![TableData { table, file: base, sheet: None, body, xapi: false, json: false }]);
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    f.read_to_end(&mut bytes)?;
    let file = SourceFile { name: name.to_string(), bytes };
    Ok(read(&file, report).into_iter().map(TableData::into_owned).collect())
}

/// Whether a file is UTF-8 throughout (after an optional BOM) and not a
/// workbook or UTF-16 by its first bytes, checked block by block: then
/// `(start after the BOM, length, first line)`.
#[cfg(not(target_arch = "wasm32"))]
fn utf8_file(path: &std::path::Path) -> std::io::Result<Option<(u64, u64, String)>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = 0usize; // bytes of an incomplete character kept from the last block
    let mut total = 0u64;
    let mut start = 0u64;
    let mut first_line = String::new();
    let mut line_done = false;
    loop {
        let n = f.read(&mut buf[carry..])?;
        let at_end = n == 0;
        let filled = carry + n;
        if total == 0 && n > 0 {
            // Decided by the first bytes as `read` decides: workbooks, Parquet and UTF-16 are not streamed.
            let head = &buf[..filled];
            if not_plain_text(head) {
                return Ok(None);
            }
            if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
                start = 3;
            }
        }
        let from = if total == 0 { start as usize } else { 0 };
        let valid = match decode::str_from_utf8(&buf[from..filled]) {
            Ok(_) => filled,
            Err(e) if e.error_len().is_none() && !at_end => from + e.valid_up_to(),
            Err(_) => return Ok(None),
        };
        if !line_done {
            let text = std::str::from_utf8(&buf[from..valid]).expect("checked");
            match text.find('\n') {
                Some(i) => {
                    first_line.push_str(&text[..i]);
                    line_done = true;
                }
                None => first_line.push_str(text),
            }
        }
        total += (valid - from) as u64 + from as u64;
        if at_end {
            break;
        }
        buf.copy_within(valid..filled, 0);
        carry = filled - valid;
    }
    Ok(Some((start, total, first_line)))
}
