//! The analysis tables: the loaded dataset as polars frames with documented
//! columns, built from the engine's own data (never by re-reading files).
//!
//! The wide tables (`records`, `record_dims`) are lazy joins of a narrow
//! numeric core with the small entity tables, so a pivot over 650k records
//! only materialises the columns it uses.

use crate::analytics::reserve::Model;
use crate::analytics::snapshot::Snapshot;
use crate::analytics::targets::targets;
use crate::model::{Dataset, Day, NO_CLASS, date};
use polars::prelude::*;
use serde::Serialize;

/// Days from 0001-01-01 (the engine's `Day`) to 1970-01-01 (polars' `Date`).
const UNIX_EPOCH_DAY: i32 = 719_163;

/// One column of an analysis table, as the README and the 分析 tab show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ColumnInfo {
    pub name: String,
    pub dtype: String,
    pub doc: &'static str,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TableInfo {
    pub name: &'static str,
    pub doc: &'static str,
    pub rows: usize,
    pub columns: Vec<ColumnInfo>,
}

/// The tables, in the order the README documents them.
pub const TABLES: &[(&str, &str)] = &[
    ("records", "培训记录：每条记录一行，连同干部、单位、课程、班次"),
    ("record_dims", "记录 × 维度：每条记录在每个相关维度上的权重及其对截至日证据的贡献"),
    ("reserves", "储备度：每名干部 × 维度在截至日的储备度、目标、缺口和百分位"),
    ("cadres", "干部"),
    ("units", "单位"),
    ("courses", "课程"),
    ("teachers", "教师"),
    ("classes", "班次"),
    ("ratings", "评课"),
];

/// What each column means (one home for the docs: the 分析 tab and the README read these).
pub fn column_doc(table: &str, column: &str) -> &'static str {
    match (table, column) {
        (_, "cadre_id") => "干部编号",
        (_, "cadre_name") => "干部姓名",
        (_, "unit_id") => "单位编号",
        (_, "unit") => "单位名称",
        (_, "parent_unit_id") => "上级单位编号",
        (_, "parent_unit") => "上级单位名称",
        (_, "rank") => "职级",
        (_, "post") => "岗位",
        (_, "party_role") => "党内身份",
        (_, "course_id") => "课程编号",
        (_, "course") => "课程名称",
        (_, "mode") => "课程形式（线下、网络、混合）",
        (_, "course_hours") => "课程学时",
        (_, "class_id") => "班次编号",
        (_, "class") => "班次名称",
        (_, "class_type") => "班次类型（脱产、集中、网络、混合）",
        (_, "class_start") => "班次开始日期",
        (_, "class_end") => "班次结束日期",
        (_, "capacity") => "班次容量",
        ("records" | "record_dims", "record") => "记录序号（从 1 起，按干部、日期排序）",
        (_, "date") => "日期",
        (_, "year") => "年份",
        ("record_dims", "hours") => "该记录的学时",
        (_, "hours") => "学时",
        (_, "completed") => "是否结业",
        ("ratings", "score") => "评分（0–100）",
        (_, "score") => "考核成绩（0–100，无则为空）",
        (_, "dimension_id") => "维度编号",
        (_, "dimension") => "维度名称",
        (_, "weight") => "课程在该维度上的权重（每门课合计为 1）",
        (_, "dim_hours") => "学时 × 权重（单位培训布局的“学时”按结业记录对此求和）",
        (_, "credit") => "记录的计分系数 m（成绩/100，无成绩而结业为结业系数）",
        (_, "decay") => "截至日的时间衰减 2^(−年龄/半衰期)",
        (_, "contribution") => "对截至日证据的贡献（截至日之后的记录为空），即画像中的 contribution",
        (_, "evidence") => "截至日的证据 E（学时当量）",
        (_, "reserve") => "储备度（0–100）",
        (_, "target") => "岗位目标（无则为空）",
        (_, "gap") => "缺口 max(0, 目标 − 储备度)（无目标为空）",
        (_, "percentile") => "同职级百分位（0–100）",
        (_, "peer_median") => "同职级中位数",
        (_, "cadres") => "本单位干部数（不含下级）",
        (_, "teacher_id") => "教师编号",
        (_, "teacher") => "教师姓名",
        (_, "specialty") => "擅长维度（以；分隔）",
        (_, "dimensions") => "课程所属维度及权重（维度:权重，以；分隔）",
        (_, "saturation_hours") => "维度的饱和学时 S",
        _ => "",
    }
}

/// `col` as a `Column` named `name`.
fn c<T, P>(name: &str, values: T) -> Column
where
    Series: NamedFrom<T, P>,
    P: ?Sized,
{
    Column::new(name.into(), values)
}

fn dates(name: &str, days: impl Iterator<Item = Day>) -> PolarsResult<Column> {
    let v: Vec<i32> = days.map(|d| d - UNIX_EPOCH_DAY).collect();
    c(name, v).cast(&DataType::Date)
}

fn opt_dates(name: &str, days: impl Iterator<Item = Option<Day>>) -> PolarsResult<Column> {
    let v: Vec<Option<i32>> = days.map(|d| d.map(|d| d - UNIX_EPOCH_DAY)).collect();
    c(name, v).cast(&DataType::Date)
}

/// The small entity tables, each with its hidden integer key (`_cadre`,
/// `_course`, …) for the joins; what users see drops the key.
struct Entities {
    units: DataFrame,
    cadres: DataFrame,
    courses: DataFrame,
    classes: DataFrame,
    dims: DataFrame,
    teachers: DataFrame,
    ratings: DataFrame,
}

const CADRE_COLS: [&str; 8] = ["cadre_id", "cadre_name", "unit_id", "unit", "parent_unit", "rank", "post", "party_role"];

fn join(lf: LazyFrame, other: &DataFrame, key: &str) -> LazyFrame {
    let args = JoinArgs { maintain_order: MaintainOrderJoin::Left, ..JoinArgs::new(JoinType::Left) }.with_suffix(Some(format!("_{key}").into()));
    lf.join(other.clone().lazy(), [col(key)], [col(key)], args)
}

fn public(df: &DataFrame) -> LazyFrame {
    let keep: Vec<Expr> = df.get_column_names().into_iter().filter(|n| !n.starts_with('_')).map(|n| col(n.clone())).collect();
    df.clone().lazy().select(keep)
}

/// Every table at one as-of date. The entity tables are built at once (a
/// city has thousands of rows); the three wide tables (`records`,
/// `record_dims`, `reserves`: up to millions of rows) only when a question
/// names them, so listing the tables or a pivot over `records` never pays
/// for `record_dims`.
pub struct Tables {
    pub as_of: Day,
    pub model: Model,
    entities: Entities,
    wide: [Option<LazyFrame>; 3],
    rows: Vec<usize>,
}

const WIDE: [&str; 3] = ["records", "record_dims", "reserves"];

impl Tables {
    pub fn build(ds: &Dataset, snap: &Snapshot) -> PolarsResult<Tables> {
        let entities = Entities {
            units: units(ds)?,
            cadres: cadres(ds)?,
            courses: courses(ds)?,
            classes: classes(ds)?,
            dims: dimensions(ds)?,
            teachers: teachers(ds)?,
            ratings: ratings(ds)?,
        };
        let e = &entities;
        let rows = vec![
            ds.records.len(),
            record_dims_rows(ds),
            ds.cadres.len() * ds.n_dims(),
            e.cadres.height(),
            e.units.height(),
            e.courses.height(),
            e.teachers.height(),
            e.classes.height(),
            e.ratings.height(),
        ];
        Ok(Tables { as_of: snap.as_of, model: snap.model, entities, wide: [None, None, None], rows })
    }

    /// Builds the wide tables among `names` that are not built yet.
    pub fn ensure(&mut self, ds: &Dataset, snap: &Snapshot, names: &[&str]) -> PolarsResult<()> {
        for (i, w) in WIDE.iter().enumerate() {
            if self.wide[i].is_none() && names.contains(w) {
                self.wide[i] = Some(self.wide_table(i, ds, snap, false)?);
            }
        }
        Ok(())
    }

    fn wide_table(&self, i: usize, ds: &Dataset, snap: &Snapshot, empty: bool) -> PolarsResult<LazyFrame> {
        match i {
            0 => records(ds, &self.entities, empty),
            1 => record_dims(ds, snap, &self.entities, empty),
            _ => reserves(ds, snap, &self.entities, empty),
        }
    }

    /// A table by name, or `None` (a wide table must have been `ensure`d).
    pub fn get(&self, name: &str) -> Option<LazyFrame> {
        if let Some(i) = WIDE.iter().position(|w| *w == name) {
            return self.wide[i].clone();
        }
        let e = &self.entities;
        Some(public(match name {
            "cadres" => &e.cadres,
            "units" => &e.units,
            "courses" => &e.courses,
            "teachers" => &e.teachers,
            "classes" => &e.classes,
            "ratings" => &e.ratings,
            _ => return None,
        }))
    }

    /// Every table that is built, by name.
    pub fn frames(&self) -> impl Iterator<Item = (&'static str, LazyFrame)> + '_ {
        TABLES.iter().filter_map(|(n, _)| self.get(n).map(|lf| (*n, lf)))
    }

    /// The tables with their columns, types and docs (a wide table's columns
    /// come from an empty copy: listing builds nothing big).
    pub fn info(&self, ds: &Dataset, snap: &Snapshot) -> PolarsResult<Vec<TableInfo>> {
        let mut out = Vec::new();
        for ((name, doc), rows) in TABLES.iter().zip(&self.rows) {
            let mut lf = match WIDE.iter().position(|w| w == name) {
                Some(i) => self.wide_table(i, ds, snap, true)?,
                None => self.get(name).expect("an entity table"),
            };
            let schema = lf.collect_schema()?;
            let columns = schema.iter().map(|(n, t)| ColumnInfo { name: n.to_string(), dtype: dtype_name(t).into(), doc: column_doc(name, n) }).collect();
            out.push(TableInfo { name, doc, rows: *rows, columns });
        }
        Ok(out)
    }
}

/// `records`: one row per record (none when `empty`).
fn records(ds: &Dataset, e: &Entities, empty: bool) -> PolarsResult<LazyFrame> {
    let r = &ds.records;
    let n = if empty { 0 } else { r.len() };
    let core = DataFrame::new(vec![
        c("record", (1..=n as u32).collect::<Vec<u32>>()),
        c("_cadre", r.cadre[..n].to_vec()),
        c("_course", r.course[..n].to_vec()),
        c("_class", r.class[..n].iter().map(|&k| (k != NO_CLASS).then_some(k)).collect::<Vec<Option<u32>>>()),
        dates("date", r.date[..n].iter().copied())?,
        c("year", r.date[..n].iter().map(|&d| date::year(d)).collect::<Vec<i32>>()),
        c("hours", r.hours[..n].iter().map(|&h| h as f64).collect::<Vec<f64>>()),
        c("completed", r.completed[..n].to_vec()),
        c("score", r.score[..n].iter().map(|&s| (!s.is_nan()).then_some(s as f64)).collect::<Vec<Option<f64>>>()),
    ])?;
    let mut cols: Vec<Expr> = vec![col("record")];
    cols.extend(CADRE_COLS.iter().map(|s| col(*s)));
    cols.extend(["course_id", "course", "mode", "course_hours", "class_id", "class", "class_type", "date", "year", "hours", "completed", "score"].map(col));
    Ok(join(join(join(core.lazy(), &e.cadres, "_cadre"), &e.courses, "_course"), &e.classes, "_class").select(cols))
}

/// `record_dims`: one row per record × dimension with weight > 0.
fn record_dims(ds: &Dataset, snap: &Snapshot, e: &Entities, empty: bool) -> PolarsResult<LazyFrame> {
    let r = &ds.records;
    let n = if empty { 0 } else { r.len() };
    let cap = if empty { 0 } else { record_dims_rows(ds) };
    let mut rec = Vec::with_capacity(cap);
    let mut cad = Vec::with_capacity(cap);
    let mut cou = Vec::with_capacity(cap);
    let mut dim = Vec::with_capacity(cap);
    let mut day = Vec::with_capacity(cap);
    let mut wt = Vec::with_capacity(cap);
    let mut hrs = Vec::with_capacity(cap);
    let mut done = Vec::with_capacity(cap);
    let mut credit = Vec::with_capacity(cap);
    let mut decay = Vec::with_capacity(cap);
    let mut contrib = Vec::with_capacity(cap);
    for i in 0..n {
        let w = ds.weights(r.course[i]);
        let f = snap.model.factors(ds, i, snap.as_of);
        for (d, &x) in w.iter().enumerate() {
            if x == 0.0 {
                continue;
            }
            rec.push(i as u32 + 1);
            cad.push(r.cadre[i]);
            cou.push(r.course[i]);
            dim.push(d as u32);
            day.push(r.date[i]);
            wt.push(x as f64);
            hrs.push(r.hours[i] as f64);
            done.push(r.completed[i]);
            credit.push(f.map(|f| f.credit));
            decay.push(f.map(|f| f.decay));
            // The profile's contribution: the same product in the same order.
            contrib.push(f.map(|f| r.hours[i] as f64 * f.credit * f.decay * x as f64));
        }
    }
    let dim_hours: Vec<f64> = hrs.iter().zip(&wt).map(|(h, w)| h * w).collect();
    let years: Vec<i32> = day.iter().map(|&d| date::year(d)).collect();
    let core = DataFrame::new(vec![
        c("record", rec),
        c("_cadre", cad),
        c("_course", cou),
        c("_dim", dim),
        dates("date", day.into_iter())?,
        c("year", years),
        c("hours", hrs),
        c("completed", done),
        c("weight", wt),
        c("dim_hours", dim_hours),
        c("credit", credit),
        c("decay", decay),
        c("contribution", contrib),
    ])?;
    let mut cols: Vec<Expr> = vec![col("record")];
    cols.extend(["cadre_id", "unit_id", "unit", "rank", "post"].map(col));
    cols.extend(
        ["course_id", "course", "dimension_id", "dimension", "date", "year", "hours", "completed", "weight", "dim_hours", "credit", "decay", "contribution"]
            .map(col),
    );
    Ok(join(join(join(core.lazy(), &e.cadres, "_cadre"), &e.courses, "_course"), &e.dims, "_dim").select(cols))
}

/// `reserves`: every cadre × dimension, as the profile computes them.
fn reserves(ds: &Dataset, snap: &Snapshot, e: &Entities, empty: bool) -> PolarsResult<LazyFrame> {
    let nd = ds.n_dims();
    let nc = if empty { 0 } else { ds.cadres.len() };
    let cap = nc * nd;
    let (mut cad, mut dim, mut ev, mut res) = (Vec::with_capacity(cap), Vec::with_capacity(cap), Vec::with_capacity(cap), Vec::with_capacity(cap));
    let (mut tgt, mut gap, mut pct, mut med) = (Vec::with_capacity(cap), Vec::with_capacity(cap), Vec::with_capacity(cap), Vec::with_capacity(cap));
    let mut ev_row = vec![0f64; nd];
    for k in 0..nc as u32 {
        ev_row.iter_mut().for_each(|x| *x = 0.0);
        snap.model.add_evidence(ds, k, snap.as_of, &mut ev_row);
        let tg = targets(ds, k);
        let rank = &ds.cadres.get(k).rank;
        for d in 0..nd {
            let reserve = Model::reserve(ev_row[d], ds.dimensions.get(d as u32).saturation_hours);
            cad.push(k);
            dim.push(d as u32);
            ev.push(ev_row[d]);
            res.push(reserve);
            tgt.push(tg[d]);
            gap.push(tg[d].map(|t| (t - reserve).max(0.0)));
            pct.push(snap.percentile(ds, k, d));
            med.push(snap.peer_median(rank, d));
        }
    }
    let core = DataFrame::new(vec![
        c("_cadre", cad),
        c("_dim", dim),
        c("evidence", ev),
        c("reserve", res),
        c("target", tgt),
        c("gap", gap),
        c("percentile", pct),
        c("peer_median", med),
    ])?;
    let mut cols: Vec<Expr> = CADRE_COLS.iter().map(|s| col(*s)).collect();
    cols.extend(["dimension_id", "dimension", "evidence", "reserve", "target", "gap", "percentile", "peer_median"].map(col));
    Ok(join(join(core.lazy(), &e.cadres, "_cadre"), &e.dims, "_dim").select(cols))
}

fn record_dims_rows(ds: &Dataset) -> usize {
    let per_course: Vec<usize> = (0..ds.courses.len() as u32).map(|k| ds.weights(k).iter().filter(|&&w| w != 0.0).count()).collect();
    ds.records.course.iter().map(|&k| per_course[k as usize]).sum()
}

/// The short type names the 分析 tab shows.
pub fn dtype_name(t: &DataType) -> &'static str {
    match t {
        DataType::String => "str",
        DataType::Boolean => "bool",
        DataType::Date => "date",
        DataType::Float32 | DataType::Float64 => "f64",
        t if t.is_integer() => "int",
        DataType::Null => "null",
        _ => "other",
    }
}

fn units(ds: &Dataset) -> PolarsResult<DataFrame> {
    let mut counts = vec![0u32; ds.units.len()];
    for k in ds.cadres.items() {
        counts[k.unit as usize] += 1;
    }
    let it = || ds.units.iter();
    DataFrame::new(vec![
        c("_unit", it().map(|(i, _, _)| i).collect::<Vec<u32>>()),
        c("unit_id", it().map(|(_, id, _)| id).collect::<Vec<&str>>()),
        c("unit", it().map(|(_, _, u)| u.name.as_str()).collect::<Vec<&str>>()),
        c("parent_unit_id", it().map(|(_, _, u)| u.parent.map(|p| ds.units.id(p))).collect::<Vec<Option<&str>>>()),
        c("parent_unit", it().map(|(_, _, u)| u.parent.map(|p| ds.units.get(p).name.as_str())).collect::<Vec<Option<&str>>>()),
        c("cadres", counts),
    ])
}

fn cadres(ds: &Dataset) -> PolarsResult<DataFrame> {
    let it = || ds.cadres.iter();
    let unit = |k: &crate::model::Cadre| ds.units.get(k.unit);
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    DataFrame::new(vec![
        c("_cadre", it().map(|(i, _, _)| i).collect::<Vec<u32>>()),
        c("cadre_id", it().map(|(_, id, _)| id).collect::<Vec<&str>>()),
        c("cadre_name", it().map(|(_, _, k)| k.name.as_str()).collect::<Vec<&str>>()),
        c("unit_id", it().map(|(_, _, k)| ds.units.id(k.unit)).collect::<Vec<&str>>()),
        c("unit", it().map(|(_, _, k)| unit(k).name.as_str()).collect::<Vec<&str>>()),
        c("parent_unit", it().map(|(_, _, k)| unit(k).parent.map(|p| ds.units.get(p).name.as_str())).collect::<Vec<Option<&str>>>()),
        c("rank", it().map(|(_, _, k)| opt(&k.rank)).collect::<Vec<Option<String>>>()),
        c("post", it().map(|(_, _, k)| opt(&k.post)).collect::<Vec<Option<String>>>()),
        c("party_role", it().map(|(_, _, k)| opt(&k.party_role)).collect::<Vec<Option<String>>>()),
    ])
}

fn courses(ds: &Dataset) -> PolarsResult<DataFrame> {
    let it = || ds.courses.iter();
    let dims = |k: u32| -> String {
        let w = ds.weights(k);
        let mut parts: Vec<String> = Vec::new();
        for (d, &x) in w.iter().enumerate() {
            if x != 0.0 {
                parts.push(format!("{}:{}", ds.dimensions.get(d as u32).name, x));
            }
        }
        parts.join("；")
    };
    DataFrame::new(vec![
        c("_course", it().map(|(i, _, _)| i).collect::<Vec<u32>>()),
        c("course_id", it().map(|(_, id, _)| id).collect::<Vec<&str>>()),
        c("course", it().map(|(_, _, k)| k.title.as_str()).collect::<Vec<&str>>()),
        c("mode", it().map(|(_, _, k)| k.mode.label()).collect::<Vec<&str>>()),
        c("course_hours", it().map(|(_, _, k)| k.hours).collect::<Vec<f64>>()),
        c("teacher_id", it().map(|(_, _, k)| k.teacher.map(|t| ds.teachers.id(t))).collect::<Vec<Option<&str>>>()),
        c("teacher", it().map(|(_, _, k)| k.teacher.map(|t| ds.teachers.get(t).name.as_str())).collect::<Vec<Option<&str>>>()),
        c("dimensions", it().map(|(i, _, _)| dims(i)).collect::<Vec<String>>()),
    ])
}

fn classes(ds: &Dataset) -> PolarsResult<DataFrame> {
    let it = || ds.classes.iter();
    DataFrame::new(vec![
        c("_class", it().map(|(i, _, _)| i).collect::<Vec<u32>>()),
        c("class_id", it().map(|(_, id, _)| id).collect::<Vec<&str>>()),
        c("class", it().map(|(_, _, k)| k.name.as_str()).collect::<Vec<&str>>()),
        c("class_type", it().map(|(_, _, k)| k.kind.label()).collect::<Vec<&str>>()),
        dates("class_start", it().map(|(_, _, k)| k.start))?,
        dates("class_end", it().map(|(_, _, k)| k.end))?,
        c("capacity", it().map(|(_, _, k)| k.capacity).collect::<Vec<u32>>()),
    ])
}

fn dimensions(ds: &Dataset) -> PolarsResult<DataFrame> {
    let it = || ds.dimensions.iter();
    DataFrame::new(vec![
        c("_dim", it().map(|(i, _, _)| i).collect::<Vec<u32>>()),
        c("dimension_id", it().map(|(_, id, _)| id).collect::<Vec<&str>>()),
        c("dimension", it().map(|(_, _, d)| d.name.as_str()).collect::<Vec<&str>>()),
        c("saturation_hours", it().map(|(_, _, d)| d.saturation_hours).collect::<Vec<f64>>()),
    ])
}

fn teachers(ds: &Dataset) -> PolarsResult<DataFrame> {
    let it = || ds.teachers.iter();
    DataFrame::new(vec![
        c("teacher_id", it().map(|(_, id, _)| id).collect::<Vec<&str>>()),
        c("teacher", it().map(|(_, _, t)| t.name.as_str()).collect::<Vec<&str>>()),
        c(
            "specialty",
            it().map(|(_, _, t)| t.specialty.iter().map(|&d| ds.dimensions.get(d).name.as_str()).collect::<Vec<_>>().join("；")).collect::<Vec<String>>(),
        ),
    ])
}

fn ratings(ds: &Dataset) -> PolarsResult<DataFrame> {
    let r = &ds.ratings;
    DataFrame::new(vec![
        c("cadre_id", r.iter().map(|x| ds.cadres.id(x.cadre)).collect::<Vec<&str>>()),
        c("course_id", r.iter().map(|x| ds.courses.id(x.course)).collect::<Vec<&str>>()),
        c("course", r.iter().map(|x| ds.courses.get(x.course).title.as_str()).collect::<Vec<&str>>()),
        c("teacher_id", r.iter().map(|x| x.teacher.map(|t| ds.teachers.id(t))).collect::<Vec<Option<&str>>>()),
        c("score", r.iter().map(|x| x.score as f64).collect::<Vec<f64>>()),
        opt_dates("date", r.iter().map(|x| x.date))?,
        c("year", r.iter().map(|x| x.date.map(date::year)).collect::<Vec<Option<i32>>>()),
    ])
}
