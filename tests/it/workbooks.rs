#![cfg(not(target_arch = "wasm32"))]
//! Workbooks as offices make them: a 台账 with a title row, 序号, a two-row
//! header, merged cells, a 合计 row and a footer, numbers and dates as text —
//! as .xlsx, as Excel 97–2003 .xls and as WPS's .et — read to the same
//! dataset as the plain workbook; formats told by their bytes; a sheet's
//! declared size costs nothing.
use crate::common;
use common::files;
use zhichu::Engine;
use zhichu::engine::requests::ProfileRequest;
use zhichu::ingest::{LoadOptions, SourceFile};

fn engine(name: &str) -> Engine {
    Engine::load(&files(name), &LoadOptions::default(), &mut |_| {}).unwrap()
}

fn profile(e: &mut Engine, cadre: &str) -> zhichu::analytics::Profile {
    e.profile(&ProfileRequest { cadre: cadre.into(), as_of: Some("2025-07-02".into()) }).unwrap()
}

#[test]
fn an_office_ledger_reads_like_the_plain_workbook() {
    let mut plain = engine("basic.xlsx");
    for name in ["office.xlsx", "office.xls", "office.et"] {
        let mut e = engine(name);
        let r = e.report().clone();
        assert!(r.errors.is_empty(), "{name}: {:?}", r.errors);
        assert_eq!(r.loaded, plain.report().loaded, "{name}");
        // The title and the footer are noted, the 序号 column is not mentioned at all.
        let codes: Vec<(&str, Option<&str>, Option<u32>)> = r.warnings.iter().map(|w| (w.code, w.sheet.as_deref(), w.row)).collect();
        assert!(codes.contains(&("title_rows_skipped", Some("培训记录"), Some(1))), "{name}: {codes:?}");
        assert!(codes.contains(&("footer_skipped", Some("培训记录"), Some(11))), "{name}: {codes:?}");
        assert!(codes.contains(&("footer_skipped", Some("干部"), Some(6))), "{name}: {codes:?}");
        assert!(!r.warnings.iter().any(|w| w.code == "unknown_column"), "{name}: {:?}", r.warnings);
        let title = r.warnings.iter().find(|w| w.code == "title_rows_skipped" && w.sheet.as_deref() == Some("培训记录")).unwrap();
        assert_eq!(title.message.matches("2025年度培训记录台账").count(), 1, "{}", title.message);
        // Same numbers: 学时 = 线上 + 线下, text dates, merged cadre ids, an Excel serial in a text cell.
        for c in ["C1", "C2", "C3"] {
            assert_eq!(profile(&mut e, c).dimensions, profile(&mut plain, c).dimensions, "{name} {c}");
        }
        let format = &r.files[0].format;
        assert_eq!(*format, if name.ends_with(".xlsx") { "xlsx" } else { "xls" }, "{name}");
    }
}

#[test]
fn the_format_comes_from_the_bytes_not_the_name() {
    let bytes = std::fs::read(common::fixture("basic.xlsx")).unwrap();
    let e = Engine::load(&[SourceFile { name: "导出.xls".into(), bytes }], &LoadOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(e.report().files[0].format, "xlsx");
    assert!(e.report().errors.is_empty());
    // Bytes that are no workbook, named .et: say how to fix it.
    let e = Engine::load(&[SourceFile { name: "台账.et".into(), bytes: b"not a workbook at all".to_vec() }], &LoadOptions::default(), &mut |_| {}).unwrap();
    let err = &e.report().errors[0];
    assert_eq!(err.code, "bad_workbook");
    assert!(err.message.contains("请在 WPS 中另存为 .xlsx 后导入"), "{}", err.message);
    assert_eq!(e.report().rejected, ["台账.et"]);
}

#[test]
fn a_sheet_claiming_every_cell_costs_only_the_cells_it_has() {
    // One cell at XFD1048576 in a 5 KB file: reading it must not allocate the declared range.
    let e = engine("huge_range.xlsx");
    let r = e.report();
    let errs: Vec<(Option<u32>, Option<&str>)> = r.errors.iter().map(|i| (i.row, i.cell.as_deref())).collect();
    assert_eq!(errs, [(Some(1048576), Some("A1048576")), (Some(1048576), Some("B1048576")), (Some(1048576), Some("C1048576"))]);
    assert_eq!(r.loaded["cadres"], 0);
}

#[test]
fn an_old_format_sheet_spanning_everything_is_refused_before_it_is_laid_out() {
    // Excel 97-2003 with a cell at row 65,536, column 256: the reader would lay
    // out 16.7 million cells. Refused, with the file named; nothing else lost.
    let mut all = files("basic_gbk");
    all.extend(files("far_cell.xls"));
    let e = Engine::load(&all, &LoadOptions::default(), &mut |_| {}).unwrap();
    let err = e.report().errors.iter().find(|i| i.file == "far_cell.xls").unwrap();
    assert_eq!(err.code, "bad_workbook");
    assert!(err.message.contains("文件可能已损坏"), "{}", err.message);
    assert_eq!(e.report().rejected, ["far_cell.xls"]);
    assert_eq!(e.report().loaded["cadres"], 3);
}

use common::zipped;

#[test]
fn an_ods_that_repeats_one_cell_over_the_whole_sheet_is_refused() {
    // A few hundred bytes that would spread one cell over 16,384 columns × 6,000 rows.
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="干部"><table:table-row table:number-rows-repeated="6000"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let bytes = zipped(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content.as_bytes())]);
    let e = Engine::load(&[SourceFile { name: "台账.ods".into(), bytes }], &LoadOptions::default(), &mut |_| {}).unwrap();
    let err = &e.report().errors[0];
    assert_eq!(err.code, "bad_workbook");
    assert!(err.message.contains("重复单元格"), "{}", err.message);
}

#[test]
fn a_workbook_that_unpacks_to_far_more_than_its_size_is_refused() {
    // 80 MB of one string packs into well under 1 MB: the reader would hold it whole.
    let huge = vec![b'x'; 80 << 20];
    let bytes = zipped(&[("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>"), ("xl/sharedStrings.xml", &huge)]);
    assert!(bytes.len() < 1 << 20);
    let e = Engine::load(&[SourceFile { name: "book.xlsx".into(), bytes }], &LoadOptions::default(), &mut |_| {}).unwrap();
    let err = &e.report().errors[0];
    assert_eq!(err.code, "bad_workbook");
    assert!(err.message.contains("解压后有 80 MB"), "{}", err.message);
}

#[test]
fn a_two_row_header_with_a_subtotal_or_a_bad_part_reads_as_a_person_would() {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let plain = Format::new();
    for (name, header, rows) in [
        ("units", vec!["unit_id", "name"], vec![vec!["U1", "市委组织部"]]),
        ("dimensions", vec!["dimension"], vec![vec!["理想信念"]]),
        ("courses", vec!["course_id", "title", "hours", "dimensions"], vec![vec!["K1", "专题", "10", "理想信念:1"]]),
        ("cadres", vec!["cadre_id", "name", "unit_id"], vec![vec!["C1", "张三", "U1"]]),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
    }
    // 学时 over 线上 / 线下 / 小计: the subtotal is the value; a part that is no number is reported.
    let ws = wb.add_worksheet();
    ws.set_name("培训记录").unwrap();
    for (c, h) in ["干部编号", "课程编号", "日期"].iter().enumerate() {
        ws.merge_range(0, c as u16, 1, c as u16, h, &plain).unwrap();
    }
    ws.merge_range(0, 3, 0, 5, "学时", &plain).unwrap();
    for (c, h) in ["线上", "线下", "小计"].iter().enumerate() {
        ws.write_string(1, 3 + c as u16, *h).unwrap();
    }
    for (r, row) in [["C1", "K1", "2024-05-01", "2", "3", "5"], ["C1", "K1", "2024-05-02", "2", "三", ""]].iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(2 + r as u32, c as u16, *v).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let e = Engine::load(&[SourceFile { name: "台账.xlsx".into(), bytes }], &LoadOptions::default(), &mut |_| {}).unwrap();
    let r = e.report();
    assert_eq!(r.loaded["records"], 1, "{:?}", r.errors);
    assert_eq!(e.dataset().records.hours[0], 5.0, "the subtotal, not 2 + 3 + 5");
    let err = r.errors.iter().find(|i| i.file == "台账.xlsx").unwrap();
    assert_eq!((err.row, err.value.as_deref()), (Some(4), None::<&str>.or(Some("三"))));
}

#[test]
fn an_ods_repeat_attribute_is_read_as_xml_however_it_is_quoted() {
    // The check once matched `attr="…"` as text: single quotes or spaces around `=` bypassed it.
    for attrs in [
        ("table:number-rows-repeated='6000'", "table:number-columns-repeated='16384'"),
        ("table:number-rows-repeated = \"6000\"", "table:number-columns-repeated =\t\"16384\""),
        ("table:number-rows-repeated=\"6000\"", "table:number-columns-repeated=\" 16384 \""),
    ] {
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="干部"><table:table-row {}><table:table-cell {} office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#,
            attrs.0, attrs.1
        );
        let bytes = zipped(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", content.as_bytes())]);
        assert!(bytes.len() < 1000);
        let e = Engine::load(&[SourceFile { name: "台账.ods".into(), bytes }], &LoadOptions::default(), &mut |_| {}).unwrap();
        let err = &e.report().errors[0];
        assert_eq!(err.code, "bad_workbook", "{attrs:?}");
        assert!(err.message.contains("重复单元格"), "{attrs:?}: {}", err.message);
    }
}

/// A cadres sheet of `rows` data rows, its merged regions replaced by `merges` (A1 ranges).
fn sheet_with_merges(rows: u32, merges: &[String]) -> Vec<u8> {
    use std::io::Read;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("干部").unwrap();
    for (c, h) in ["cadre_id", "name", "unit_id"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=rows {
        for (c, v) in [format!("C{r}"), format!("干部{r}"), "U1".to_string()].iter().enumerate() {
            ws.write_string(r, c as u16, v).unwrap();
        }
    }
    ws.merge_range(rows + 2, 0, rows + 2, 1, "x", &rust_xlsxwriter::Format::new()).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let xml = String::from_utf8(b).unwrap();
            let (a, rest) = xml.split_once("<mergeCells").unwrap();
            let (_, tail) = rest.split_once("</mergeCells>").unwrap();
            let cells: String = merges.iter().map(|m| format!("<mergeCell ref=\"{m}\"/>")).collect();
            b = format!("{a}<mergeCells count=\"{}\">{cells}</mergeCells>{tail}", merges.len()).into_bytes();
        }
        parts.push((name, b));
    }
    let refs: Vec<(&str, &[u8])> = parts.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    zipped(&refs)
}

#[test]
fn merged_cells_count_against_the_cell_budget_and_may_not_overlap() {
    let load = |bytes: Vec<u8>| Engine::load(&[SourceFile { name: "干部.xlsx".into(), bytes }], &LoadOptions::default(), &mut |_| {}).unwrap();
    // Sound merges still read as a person reads them (the unit merged down over its cadres).
    let e = load(sheet_with_merges(4, &["C2:C5".into()]));
    assert!(!e.report().errors.iter().any(|i| i.code == "bad_workbook"), "{:?}", e.report().errors);
    let rows: Vec<u32> = e.report().errors.iter().filter(|i| i.code == "unknown_reference").filter_map(|i| i.row).collect();
    assert_eq!(rows, [2, 3, 4, 5], "every row read, each with the merged unit (no units table here)");
    // One merge 10,000 columns wide over 3,000 rows of data: 30 million cells, refused before any is filled.
    let e = load(sheet_with_merges(3000, &["A2:NTP3001".into()]));
    let err = e.report().errors.iter().find(|i| i.code == "bad_workbook").unwrap_or_else(|| panic!("{:?}", e.report().errors));
    assert!(err.message.contains("合并单元格铺开后超过 20000000 格"), "{}", err.message);
    // Overlapping merges (which Excel never writes) are an error that names them.
    let e = load(sheet_with_merges(4, &["A2:B3".into(), "B3:C4".into()]));
    let err = e.report().errors.iter().find(|i| i.code == "bad_workbook").unwrap();
    assert!(err.message.contains("A2:B3") && err.message.contains("B3:C4") && err.message.contains("重叠"), "{}", err.message);
    // 50,000 merges: refused by count at once (they were spread one by one for minutes).
    let many: Vec<String> = (0..50_000).map(|i| format!("D{}:E{}", i + 2, i + 2)).collect();
    let e = load(sheet_with_merges(4, &many));
    let err = e.report().errors.iter().find(|i| i.code == "bad_workbook").unwrap();
    assert!(err.message.contains("最多 20000 个"), "{}", err.message);
}

/// A workbook of sheets given as rows of text (first row first); `merges` as (sheet, r0, c0, r1, c1), 0-based.
fn book(sheets: &[(&str, Vec<Vec<&str>>)], merges: &[(&str, u32, u16, u32, u16)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
        for &(_, r0, c0, r1, c1) in merges.iter().filter(|m| m.0 == *name) {
            let v = rows[r0 as usize][c0 as usize];
            ws.merge_range(r0, c0, r1, c1, v, &rust_xlsxwriter::Format::new()).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn base_sheets() -> Vec<(&'static str, Vec<Vec<&'static str>>)> {
    vec![
        (
            "单位",
            vec![
                vec!["单位名称", "单位编号"],
                vec!["市委组织部", "U1"],
                vec!["总计算中心", "U2"],
                vec!["制表厂", "U3"],
                vec!["说明书编辑部", "U4"],
                vec!["合计", ""],
                vec!["制表：张三"],
            ],
        ),
        ("知识维度", vec![vec!["知识维度"], vec!["理想信念"]]),
        ("课程", vec![vec!["课程编号", "课程名称", "学时", "知识维度"], vec!["K1", "专题", "10", "理想信念:1"]]),
        ("干部", vec![vec!["姓名", "干部编号", "单位编号"], vec!["张三", "C1", "U1"], vec!["合计", "C2", "U2"], vec!["小计", "", ""], vec!["填报人：李四"]]),
    ]
}

#[test]
fn a_row_that_is_valid_data_is_data_whatever_its_first_word() {
    let bytes = book(&base_sheets(), &[]);
    let e = Engine::load(&[SourceFile { name: "台账.xlsx".into(), bytes }], &LoadOptions::default(), &mut |_| {}).unwrap();
    let r = e.report();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    // 总计算中心, 制表厂 and 说明书编辑部 are units; a cadre named 合计 is a cadre.
    assert_eq!(r.loaded["units"], 4);
    assert_eq!(r.loaded["cadres"], 2);
    assert!(e.units().iter().any(|u| u.unit_id == "U3" && u.name == "制表厂"));
    // The real total and footer rows are still skipped, and said to be.
    let skipped: Vec<&str> = r.warnings.iter().filter(|w| w.code == "footer_skipped").map(|w| w.message.as_str()).collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped.iter().any(|m| m.contains("第 6、7 行")) && skipped.iter().any(|m| m.contains("第 4、5 行")), "{skipped:?}");
}

#[test]
fn two_rows_that_both_read_as_the_header_are_reported_not_guessed() {
    let mut sheets = base_sheets();
    // A legend above the header naming the same columns in another order (学时 and 成绩 swapped).
    sheets.push((
        "培训记录",
        vec![
            vec!["干部编号", "课程编号", "日期", "成绩", "学时"],
            vec![],
            vec!["干部编号", "课程编号", "日期", "学时", "成绩"],
            vec!["C1", "K1", "2024-05-01", "4", "90"],
        ],
    ));
    let e = Engine::load(&[SourceFile { name: "台账.xlsx".into(), bytes: book(&sheets, &[]) }], &LoadOptions::default(), &mut |_| {}).unwrap();
    let err = e.report().errors.iter().find(|i| i.code == "ambiguous_header").unwrap_or_else(|| panic!("{:?}", e.report().errors));
    assert_eq!(err.sheet.as_deref(), Some("培训记录"));
    assert!(err.message.contains("第 1 行和第 3 行都像表头"), "{}", err.message);
    assert!(e.report().loaded.get("records").is_none_or(|n| *n == 0));
    // The other sheets still load.
    assert_eq!(e.report().loaded["cadres"], 2);
}

#[test]
fn a_header_cell_merged_down_does_not_swallow_the_rows_below() {
    let mut sheets = base_sheets();
    // 备注 merged down from the header over four rows; the rows beside it are records.
    sheets.push((
        "培训记录",
        vec![
            vec!["干部编号", "课程编号", "日期", "学时", "备注"],
            vec!["C1", "K1", "2024-05-01", "4", ""],
            vec!["C2", "K1", "2024-05-02", "6", ""],
            vec!["C1", "K1", "2024-05-03", "2", ""],
            vec!["C2", "K1", "2024-05-04", "1", "补"],
        ],
    ));
    let bytes = book(&sheets, &[("培训记录", 0, 4, 3, 4)]);
    let e = Engine::load(&[SourceFile { name: "台账.xlsx".into(), bytes }], &LoadOptions::default(), &mut |_| {}).unwrap();
    assert!(e.report().errors.is_empty(), "{:?}", e.report().errors);
    assert_eq!(e.report().loaded["records"], 4);
    assert_eq!(e.dataset().records.hours.iter().map(|h| *h as f64).sum::<f64>(), 13.0);
}
