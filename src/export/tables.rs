//! Every result a face shows as a table, as sheets for people: the one place
//! that decides what an exported view holds. The CLI's `--xlsx FILE` and the
//! page's export buttons both write these.

use super::Sheet;
use crate::analytics::archive::ArchiveEntry;
use crate::analytics::compliance::GroupCompliance;
use crate::analytics::compliance::Hours;
use crate::analytics::fairness::Fairness;
use crate::analytics::layout::{Layout, UnitRank};
use crate::analytics::profile::{CadreInfo, Profile};
use crate::analytics::ratings::RatingTable;
use crate::analytics::recommend::{Recommendations, Simulation};
use crate::ingest::Report;
use crate::planning::assign::Assignment;
use crate::planning::plan::Plan;

/// A result as one or more sheets.
pub trait Tabular {
    fn sheets(&self) -> Vec<Sheet>;
}

fn sheet(name: &str, header: &[&str], rows: Vec<Vec<String>>) -> Sheet {
    Sheet { name: name.into(), header: header.iter().map(|h| h.to_string()).collect(), rows }
}

fn f1(x: f64) -> String {
    format!("{x:.1}")
}

fn f2(x: f64) -> String {
    format!("{x:.2}")
}

fn opt(x: Option<f64>, f: fn(f64) -> String) -> String {
    x.map(f).unwrap_or_default()
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn yes(b: bool) -> String {
    if b { "是" } else { "否" }.into()
}

fn cadre_cells(c: &CadreInfo) -> Vec<String> {
    vec![c.cadre_id.clone(), c.name.clone(), c.unit_name.clone(), c.rank.clone(), c.post.clone()]
}

const CADRE_HEADER: [&str; 5] = ["干部编号", "姓名", "单位", "职级", "岗位"];

impl Tabular for Report {
    fn sheets(&self) -> Vec<Sheet> {
        let level = |l: &str, i: &crate::ingest::Issue| {
            vec![
                l.into(),
                i.file.clone(),
                i.sheet.clone().unwrap_or_default(),
                i.row.map(|r| r.to_string()).unwrap_or_default(),
                i.column.clone().unwrap_or_default(),
                i.cell.clone().unwrap_or_default(),
                i.value.clone().unwrap_or_default(),
                i.message.clone(),
                i.code.into(),
            ]
        };
        let rows = self.errors.iter().map(|i| level("错误", i)).chain(self.warnings.iter().map(|i| level("提示", i))).collect();
        vec![sheet("校验结果", &["级别", "文件", "工作表", "行", "列", "单元格", "值", "问题", "代码"], rows)]
    }
}

impl Tabular for Profile {
    fn sheets(&self) -> Vec<Sheet> {
        let rows = self
            .dimensions
            .iter()
            .map(|d| {
                vec![
                    d.dimension.clone(),
                    f1(d.reserve),
                    opt(d.target, |t| format!("{t:.0}")),
                    opt(d.gap, f1),
                    format!("{:.0}", d.percentile),
                    opt(d.peer_median, f1),
                    f2(d.evidence),
                ]
            })
            .collect();
        let records = self
            .dimensions
            .iter()
            .flat_map(|d| {
                d.contributions.iter().map(move |c| {
                    vec![
                        d.dimension.clone(),
                        c.date.clone(),
                        c.course_id.clone(),
                        c.title.clone(),
                        c.hours.to_string(),
                        f2(c.weight),
                        f2(c.credit),
                        format!("{:.3}", c.decay),
                        f2(c.contribution),
                    ]
                })
            })
            .collect();
        vec![
            sheet(
                &format!("{} 画像 截至{}", self.cadre.name, self.as_of),
                &["维度", "储备度", "目标", "缺口", "同职级百分位", "同职级中位数", "证据（学时当量）"],
                rows,
            ),
            sheet("构成", &["维度", "日期", "课程编号", "课程", "学时", "权重", "成绩系数", "衰减", "贡献"], records),
        ]
    }
}

impl Tabular for Recommendations {
    fn sheets(&self) -> Vec<Sheet> {
        let rows = self
            .recommendations
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    (i + 1).to_string(),
                    r.course_id.clone(),
                    r.title.clone(),
                    r.hours.to_string(),
                    r.mode.into(),
                    opt(r.rating.mean, f2),
                    f1(r.total_gain),
                    r.reason.clone(),
                ]
            })
            .collect();
        vec![sheet("推荐课程", &["序号", "课程编号", "课程", "学时", "形式", "平均评分", "预计提升", "理由"], rows)]
    }
}

impl Tabular for Simulation {
    fn sheets(&self) -> Vec<Sheet> {
        let rows = self.dimensions.iter().enumerate().map(|(d, name)| vec![name.clone(), f1(self.before[d]), f1(self.after[d])]).collect();
        vec![sheet("学习后预测", &["维度", "当前储备度", "学完后（预测）"], rows)]
    }
}

impl Tabular for Vec<CadreInfo> {
    fn sheets(&self) -> Vec<Sheet> {
        vec![sheet("干部", &CADRE_HEADER, self.iter().map(cadre_cells).collect())]
    }
}

impl Tabular for Vec<ArchiveEntry> {
    fn sheets(&self) -> Vec<Sheet> {
        let rows = self
            .iter()
            .map(|r| {
                vec![
                    r.date.clone(),
                    r.course_id.clone(),
                    r.title.clone(),
                    r.mode.into(),
                    r.class_name.clone().unwrap_or_else(|| "自主选学".into()),
                    r.hours.to_string(),
                    yes(r.completed),
                    opt(r.score, |s| format!("{s:.0}")),
                ]
            })
            .collect();
        vec![sheet("电子档案", &["日期", "课程编号", "课程", "形式", "班次", "学时", "是否完成", "成绩"], rows)]
    }
}

impl Tabular for Hours {
    fn sheets(&self) -> Vec<Sheet> {
        let rows = self
            .rules
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.period_start.clone(),
                    r.period_end.clone(),
                    f1(r.earned_hours),
                    r.required_hours.to_string(),
                    f1(r.remaining_hours),
                    r.earned_days.to_string(),
                    r.required_days.to_string(),
                    yes(r.met),
                ]
            })
            .collect();
        vec![sheet(&format!("{} 年学时", self.year), &["规定", "周期开始", "截止", "已得学时", "应得学时", "还差", "参训天数", "应参训天数", "是否达标"], rows)]
    }
}

impl Tabular for Layout {
    fn sheets(&self) -> Vec<Sheet> {
        let mut header: Vec<String> = vec!["维度".into()];
        header.extend(self.years.iter().map(|y| format!("{y} 年学时")));
        header.extend(["平均储备度", "对比", "覆盖率", "低于目标人数", "平均缺口"].map(String::from));
        let rows = self
            .dimensions
            .iter()
            .map(|d| {
                let mut r = vec![d.dimension.clone()];
                r.extend(d.hours_by_year.iter().map(|h| format!("{h:.0}")));
                r.extend([f1(d.mean_reserve), f1(d.compare_mean_reserve), pct(d.coverage), d.cadres_short.to_string(), f1(d.mean_shortfall)]);
                r
            })
            .collect();
        vec![Sheet { name: format!("{} 培训布局", self.unit_name), header, rows }]
    }
}

impl Tabular for Vec<(String, Vec<UnitRank>)> {
    fn sheets(&self) -> Vec<Sheet> {
        let rows =
            self.iter()
                .flat_map(|(dim, units)| {
                    units.iter().enumerate().map(move |(i, u)| {
                        vec![dim.clone(), (i + 1).to_string(), u.unit_id.clone(), u.unit_name.clone(), u.cadres.to_string(), f1(u.mean_reserve)]
                    })
                })
                .collect();
        vec![sheet("各单位储备度排名", &["维度", "排名", "单位编号", "单位", "干部人数", "平均储备度"], rows)]
    }
}

impl Tabular for RatingTable {
    fn sheets(&self) -> Vec<Sheet> {
        let rows = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    (i + 1).to_string(),
                    r.id.clone(),
                    r.name.clone(),
                    f2(r.shrunk),
                    f2(r.low),
                    f2(r.high),
                    opt(r.mean, f2),
                    r.n.to_string(),
                    r.records.to_string(),
                ]
            })
            .collect();
        let name = if self.by == "teacher" { "教师评分" } else { "课程评分" };
        vec![sheet(name, &["排名", "编号", "名称", "修正均分", "区间下限", "区间上限", "原始均分", "票数", "选学人次"], rows)]
    }
}

impl Tabular for Fairness {
    fn sheets(&self) -> Vec<Sheet> {
        let repeats = self
            .repeats
            .iter()
            .map(|r| {
                vec![
                    r.cadre_id.clone(),
                    r.name.clone(),
                    r.course_id.clone(),
                    r.title.clone(),
                    r.first_date.clone(),
                    r.repeat_date.clone(),
                    if r.kind == "near" { format!("相近（{}）", r.first_course_id) } else { "同一课程".into() },
                ]
            })
            .collect();
        let frequent = self
            .frequent_trainees
            .iter()
            .map(|t| {
                let mut r = cadre_cells(&t.cadre);
                r.extend([f1(t.class_hours), t.classes.to_string(), f1(t.peer_median), f1(t.ratio)]);
                r
            })
            .collect();
        let never = self.never_trained.iter().map(cadre_cells).collect();
        let units =
            self.units.iter().map(|u| vec![u.unit_id.clone(), u.unit_name.clone(), u.cadres.to_string(), f2(u.gini), u.never_trained.to_string()]).collect();
        let mut frequent_header = CADRE_HEADER.to_vec();
        frequent_header.extend(["班次学时", "班次数", "同职级中位数", "倍数"]);
        vec![
            sheet("重复培训", &["干部编号", "姓名", "课程编号", "课程", "首次", "重复", "类型"], repeats),
            sheet("培训专业户", &frequent_header, frequent),
            sheet("从未参训", &CADRE_HEADER, never),
            sheet("各单位分布", &["单位编号", "单位", "干部人数", "基尼系数", "未参训人数"], units),
        ]
    }
}

impl Tabular for GroupCompliance {
    fn sheets(&self) -> Vec<Sheet> {
        let rules = self.by_rule.iter().map(|r| vec![r.name.clone(), r.applicable.to_string(), r.met.to_string(), pct(r.rate)]).collect();
        let short = self
            .short
            .iter()
            .map(|s| {
                let mut r = cadre_cells(&s.cadre);
                r.extend([s.rule.clone(), f1(s.earned_hours), s.required_hours.to_string(), f1(s.remaining_hours), s.deadline.clone()]);
                r
            })
            .collect();
        let mut short_header = CADRE_HEADER.to_vec();
        short_header.extend(["规定", "已得学时", "应得学时", "还差", "截止"]);
        let classes = self
            .classes_below_theory_share
            .iter()
            .map(|c| vec![c.class_id.clone(), c.name.clone(), c.start.clone(), f1(c.hours), f1(c.theory_hours), pct(c.share)])
            .collect();
        vec![
            sheet(&format!("{} 年达标率", self.year), &["规定", "适用人数", "达标人数", "达标率"], rules),
            sheet("未达标名单", &short_header, short),
            sheet("理论占比不足的脱产班", &["班次编号", "班次", "开始", "学时", "理论与党性学时", "占比"], classes),
        ]
    }
}

impl Tabular for Plan {
    fn sheets(&self) -> Vec<Sheet> {
        let courses = self
            .courses
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    (i + 1).to_string(),
                    c.course_id.clone(),
                    c.title.clone(),
                    c.hours.to_string(),
                    yes(c.pinned),
                    c.teacher_name.clone().unwrap_or_else(|| "待定".into()),
                    opt(c.teacher_rating, f2),
                    c.reason.clone(),
                ]
            })
            .collect();
        let radar = self.dimensions.iter().enumerate().map(|(d, n)| vec![n.clone(), f1(self.before[d]), f1(self.after[d]), f1(self.mean_gap[d])]).collect();
        vec![
            sheet("班次方案", &["序号", "课程编号", "课程", "学时", "必选", "教师", "教师评分", "理由"], courses),
            sheet("全班储备度", &["维度", "方案前", "方案后（预测）", "平均缺口"], radar),
        ]
    }
}

impl Tabular for Assignment {
    fn sheets(&self) -> Vec<Sheet> {
        let (header, rows) = crate::planning::assign::table(self);
        vec![sheet("调训名单", &header, rows)]
    }
}
