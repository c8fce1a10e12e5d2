#![cfg(not(target_arch = "wasm32"))]
//! Workbooks as offices make them: a 台账 with a title row, 序号, a two-row
//! header, merged cells, a 合计 row and a footer, numbers and dates as text —
//! as .xlsx, as Excel 97–2003 .xls and as WPS's .et — read to the same
//! dataset as the plain workbook; formats told by their bytes; a sheet's
//! declared size costs nothing.
mod common;
use common::files;
use zhichu::engine::requests::ProfileRequest;
use zhichu::ingest::{LoadOptions, SourceFile};
use zhichu::Engine;

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
