//! The import template (导入模板): one workbook with every table as a sheet,
//! Chinese headers (required columns in red), one example row per sheet,
//! dropdowns where a column takes a fixed set of values, and a 说明 sheet.
//! Importing it untouched gives zero errors (tests/template.rs).

use crate::analytics::compliance;
use crate::ingest::schema::{LOAD_ORDER, Table};
use crate::model::taxonomy;
use rust_xlsxwriter::{Color, DataValidation, Format, Workbook, XlsxError};

/// The name of the sheet that explains the others; the loader skips it.
pub const README_SHEET: &str = "说明";

/// Rows a dropdown covers below the header.
const DROPDOWN_ROWS: u32 = 10_000;

/// One example row per table, by column key (every reference resolves).
fn example(table: Table) -> &'static [(&'static str, &'static str)] {
    match table {
        Table::Units => &[("unit_id", "U001"), ("name", "市委组织部"), ("parent_id", "")],
        Table::Dimensions => &[("dimension", "理想信念"), ("saturation_hours", "20")],
        Table::Teachers => &[("teacher_id", "T001"), ("name", "王老师"), ("specialty", "理想信念")],
        Table::Courses => {
            &[("course_id", "K001"), ("title", "坚定理想信念专题"), ("hours", "8"), ("dimensions", "理想信念:1"), ("mode", "线下"), ("teacher_id", "T001")]
        }
        Table::Cadres => &[("cadre_id", "C001"), ("name", "张三"), ("unit_id", "U001"), ("rank", "乡科级"), ("post", "组织人事"), ("party_role", "党员")],
        Table::Classes => &[
            ("class_id", "B001"),
            ("name", "2025年春季乡科级干部培训班"),
            ("type", "集中"),
            ("start_date", "2025-03-03"),
            ("end_date", "2025-03-07"),
            ("capacity", "50"),
        ],
        Table::Records => {
            &[("cadre_id", "C001"), ("course_id", "K001"), ("class_id", "B001"), ("date", "2025-03-04"), ("hours", "8"), ("completed", "是"), ("score", "90")]
        }
        Table::Ratings => &[("cadre_id", "C001"), ("course_id", "K001"), ("teacher_id", "T001"), ("score", "5"), ("date", "2025-03-07")],
        Table::Requirements => &[("rank", "乡科级"), ("post", ""), ("dimension", "理想信念"), ("target", "60")],
    }
}

/// Columns that take one of a fixed set of values.
fn choices(table: Table, key: &str) -> Option<&'static [&'static str]> {
    match (table, key) {
        (Table::Classes, "type") => Some(&["脱产", "集中", "网络", "混合"]),
        (Table::Cadres | Table::Requirements, "rank") => Some(&["省部级", "厅局级", "县处级", "乡科级", "一般干部"]),
        (Table::Courses, "mode") => Some(&["线下", "网络", "混合"]),
        (Table::Records, "completed") => Some(&["是", "否"]),
        (Table::Cadres, "party_role") => Some(&["党员", "支部书记", "支委委员", "群众"]),
        _ => None,
    }
}

/// The template workbook's bytes.
pub fn template_xlsx() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let required = Format::new().set_bold().set_font_color(Color::RGB(0xC62828));
    let optional = Format::new().set_bold();
    let mut notes: Vec<String> = Vec::new();
    for t in LOAD_ORDER {
        let ws = wb.add_worksheet();
        ws.set_name(t.chinese())?;
        let cols: Vec<_> = t.columns().iter().filter(|c| c.key != "minutes").collect();
        let ex = example(t);
        for (i, c) in cols.iter().enumerate() {
            let i = i as u16;
            ws.write_string_with_format(0, i, c.aliases[0], if c.required { &required } else { &optional })?;
            ws.write_string(1, i, ex.iter().find(|(k, _)| *k == c.key).map_or("", |(_, v)| *v))?;
            ws.set_column_width(i, 16)?;
            if let Some(list) = choices(t, c.key) {
                let dv = DataValidation::new().allow_list_strings(list)?.set_input_message(format!("可选：{}", list.join("、")))?;
                ws.add_data_validation(1, i, DROPDOWN_ROWS, i, &dv)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
        let req: Vec<&str> = cols.iter().filter(|c| c.required).map(|c| c.aliases[0]).collect();
        let opt: Vec<&str> = cols.iter().filter(|c| !c.required).map(|c| c.aliases[0]).collect();
        notes.push(format!("「{}」表：必填 {}；选填 {}", t.chinese(), req.join("、"), if opt.is_empty() { "无".into() } else { opt.join("、") }));
    }
    let ws = wb.add_worksheet();
    ws.set_name(README_SHEET)?;
    ws.set_column_width(0, 110)?;
    let rules: Vec<String> = compliance::default_rules().iter().map(|r| r.name.clone()).collect();
    let lines: Vec<String> = [
        "知储 导入模板：每张工作表对应一张表，第 1 行为表头（红色为必填列），第 2 行为示例，可删除或覆盖。".to_string(),
        "同一张表也可以分成多个文件或工作表；工作表名或 CSV 文件名用表名（中文或英文均可）。".into(),
        "日期写成 2025-03-04、2025/3/4、2025.3.4 或 2025年3月4日；学时与时长（分钟）二者填一即可，未填则按课程学时计。".into(),
        "课程的知识维度写成 理想信念:0.6;党史国史:0.4（权重会自动归一）；维度名须与「知识维度」表一致。".into(),
        format!("不提供「知识维度」表时使用默认的 12 个维度：{}。", taxonomy::DEFAULT_DIMENSIONS.join("、")),
        format!("默认学时规定：{}。", rules.join("；")),
    ]
    .into_iter()
    .chain(notes)
    .collect();
    for (r, l) in lines.iter().enumerate() {
        ws.write_string(r as u32, 0, l)?;
    }
    wb.save_to_buffer()
}
