//! The nine tables, their columns and every accepted alias (English and Chinese).
//! The README's alias table is this file, written out.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    Units,
    Dimensions,
    Teachers,
    Courses,
    Cadres,
    Classes,
    Records,
    Ratings,
    Requirements,
}

/// In load order: every table comes after the tables it refers to.
pub const LOAD_ORDER: [Table; 9] =
    [Table::Units, Table::Dimensions, Table::Teachers, Table::Courses, Table::Cadres, Table::Classes, Table::Records, Table::Ratings, Table::Requirements];

pub struct Col {
    pub key: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// A column literal (a macro, so the tables can be promoted to `'static`).
macro_rules! col {
    ($key:expr, [$($alias:expr),*], $req:expr) => {
        Col { key: $key, aliases: &[$($alias),*], required: $req }
    };
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Units => "units",
            Table::Dimensions => "dimensions",
            Table::Teachers => "teachers",
            Table::Courses => "courses",
            Table::Cadres => "cadres",
            Table::Classes => "classes",
            Table::Records => "records",
            Table::Ratings => "ratings",
            Table::Requirements => "requirements",
        }
    }

    pub fn chinese(self) -> &'static str {
        self.names()[1]
    }

    /// File / sheet / JSON key names that mean this table (first: canonical,
    /// second: the Chinese name used when writing).
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Table::Units => &["units", "单位", "unit", "单位表", "单位信息"],
            Table::Dimensions => &["dimensions", "知识维度", "dimension", "维度", "维度表"],
            Table::Teachers => &["teachers", "教师", "teacher", "师资", "教师表", "师资库"],
            Table::Courses => &["courses", "课程", "course", "课程表", "课程信息"],
            Table::Cadres => &["cadres", "干部", "cadre", "干部表", "干部信息", "学员", "学员信息"],
            Table::Classes => &["classes", "班次", "class", "班次表", "培训班", "培训班次"],
            Table::Records => &["records", "培训记录", "record", "记录", "学习记录", "参训记录"],
            Table::Ratings => &["ratings", "评分", "rating", "课程评分", "课程评价", "评价"],
            Table::Requirements => &["requirements", "岗位要求", "requirement", "要求", "目标", "培训目标"],
        }
    }

    /// Which table a file stem, sheet name or JSON key names, if any.
    pub fn from_name(name: &str) -> Option<Table> {
        let n = name.trim().to_lowercase();
        LOAD_ORDER.into_iter().find(|t| t.names().contains(&n.as_str()))
    }

    pub fn columns(self) -> &'static [Col] {
        match self {
            Table::Units => &[
                col!("unit_id", ["单位编号", "单位代码", "单位id"], true),
                col!("name", ["单位名称", "名称", "单位"], true),
                col!("parent_id", ["上级单位编号", "上级单位", "上级单位代码"], false),
            ],
            Table::Dimensions => &[col!("dimension", ["知识维度", "维度", "name", "维度名称"], true), col!("saturation_hours", ["饱和学时"], false)],
            Table::Teachers => &[
                col!("teacher_id", ["教师编号", "教师id", "师资编号"], true),
                col!("name", ["姓名", "教师姓名"], true),
                col!("specialty", ["专长", "擅长维度", "专业领域"], false),
            ],
            Table::Courses => &[
                col!("course_id", ["课程编号", "课程id", "课程代码"], true),
                col!("title", ["课程名称", "名称", "name", "课程"], true),
                col!("hours", ["学时"], false),
                col!("minutes", ["时长(分钟)", "时长", "分钟"], false),
                col!("dimensions", ["知识维度", "维度", "dimension"], true),
                col!("mode", ["形式", "授课形式", "方式"], false),
                col!("teacher_id", ["教师编号", "主讲教师编号"], false),
            ],
            Table::Cadres => &[
                col!("cadre_id", ["干部编号", "干部id", "学员编号"], true),
                col!("name", ["姓名"], true),
                col!("unit_id", ["单位编号", "单位代码"], true),
                col!("rank", ["职级"], false),
                col!("post", ["岗位", "职务"], false),
                col!("party_role", ["党内身份", "党内职务", "政治面貌"], false),
            ],
            Table::Classes => &[
                col!("class_id", ["班次编号", "班次id", "培训班编号"], true),
                col!("name", ["班次名称", "培训班名称", "名称"], true),
                col!("type", ["类型", "班次类型", "培训类型"], true),
                col!("start_date", ["开始日期", "开班日期", "开始时间"], false),
                col!("end_date", ["结束日期", "结业日期", "结束时间"], false),
                col!("capacity", ["人数", "计划人数", "容量"], false),
            ],
            Table::Records => &[
                col!("cadre_id", ["干部编号", "学员编号", "actor"], true),
                col!("course_id", ["课程编号", "object.id"], true),
                col!("class_id", ["班次编号"], false),
                col!("date", ["日期", "培训日期", "学习日期", "完成日期", "timestamp"], true),
                col!("hours", ["学时"], false),
                col!("minutes", ["时长(分钟)", "时长", "分钟", "result.duration"], false),
                col!("completed", ["是否完成", "完成", "result.completion"], false),
                col!("score", ["成绩", "考试成绩", "分数", "result.score"], false),
            ],
            Table::Ratings => &[
                col!("cadre_id", ["干部编号", "学员编号"], true),
                col!("course_id", ["课程编号"], true),
                col!("teacher_id", ["教师编号"], false),
                col!("score", ["评分", "分数"], true),
                col!("date", ["日期", "评价日期"], false),
            ],
            Table::Requirements => &[
                col!("rank", ["职级"], false),
                col!("post", ["岗位", "职务"], false),
                col!("dimension", ["知识维度", "维度"], true),
                col!("target", ["目标值", "目标", "要求"], true),
            ],
        }
    }
}

/// Normalises a header cell for matching: trims, drops a BOM and spaces,
/// folds full-width brackets, lower-cases.
pub fn normalize_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// The column (index into `table.columns()`) a header cell names.
/// A running-number column (序号, 编号 alone, No.): the sheet's own, ignored.
pub fn is_running_number(header: &str) -> bool {
    matches!(normalize_header(header).as_str(), "序号" | "编号" | "行号" | "no" | "no." | "#" | "顺序号")
}

/// A total row: its first non-empty cell starts with 合计/小计/总计/共计.
pub fn is_total(first_cell: &str) -> bool {
    let c = first_cell.trim().trim_start_matches(['（', '(']);
    ["合计", "小计", "总计", "共计"].iter().any(|p| c.starts_with(p))
}

/// A footer note: its first non-empty cell starts with 填报人, 审核人, 制表,
/// 负责人, 说明 or 注：(the row must also be nearly empty: see `build`).
pub fn is_footer(first_cell: &str) -> bool {
    let c = first_cell.trim().trim_start_matches(['（', '(']);
    ["填报人", "填表人", "审核人", "制表", "负责人", "说明", "注：", "注:", "备注："].iter().any(|p| c.starts_with(p))
}

pub fn match_column(table: Table, header: &str) -> Option<usize> {
    let h = normalize_header(header);
    table.columns().iter().position(|c| c.key == h || c.aliases.contains(&h.as_str()))
}
