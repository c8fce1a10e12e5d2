//! 数据透视 and SQL over the analysis tables, and the one result shape every
//! face shows (the CLI's `--format json`, the 分析 tab, the exports).

use super::tables::{Tables, dtype_name};
use crate::error::{Error, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "cli")]
use clap::Args;

/// Rows shown by default; the whole result goes to exports.
pub const DEFAULT_LIMIT: usize = 1000;
/// The most columns a pivot may spread its column field over.
pub const MAX_PIVOT_COLUMNS: usize = 1_000;
/// The most cells (rows × columns) of a pivot's grid.
pub const MAX_PIVOT_CELLS: usize = 2_000_000;
/// The label of the totals row and column.
pub const TOTAL: &str = "合计";

/// A pivot: rows × one column field, one measure and its aggregation, filters.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct PivotRequest {
    /// Table: records, record_dims, reserves, cadres, units, courses, teachers, classes, ratings.
    #[cfg_attr(feature = "cli", arg(long, default_value = "records"))]
    pub table: String,
    /// Row fields (comma-separated), e.g. unit or unit,rank.
    #[cfg_attr(feature = "cli", arg(long, value_delimiter = ',', num_args = 1..))]
    pub rows: Vec<String>,
    /// Column field (one), e.g. year or dimension.
    #[cfg_attr(feature = "cli", arg(long))]
    pub cols: Option<String>,
    /// Measure column (numeric for sum/mean/median/min/max); none: count rows.
    #[cfg_attr(feature = "cli", arg(long))]
    pub measure: Option<String>,
    /// sum, mean, count, n_unique, median, min, max.
    #[cfg_attr(feature = "cli", arg(long, default_value = "sum"))]
    pub agg: String,
    /// Only this unit and the units below it (unit id).
    #[cfg_attr(feature = "cli", arg(long))]
    pub unit: Option<String>,
    /// Only this rank (职级).
    #[cfg_attr(feature = "cli", arg(long))]
    pub rank: Option<String>,
    /// Only these years, e.g. 2021-2025; one end may be open (2022-, -2023).
    #[cfg_attr(feature = "cli", arg(long))]
    pub years: Option<String>,
    /// Only this dimension (name or id).
    #[cfg_attr(feature = "cli", arg(long))]
    pub dimension: Option<String>,
    /// Only completed (true) or not completed (false) records.
    #[cfg_attr(feature = "cli", arg(long))]
    pub completed: Option<bool>,
    /// Any further condition as an SQL expression, e.g. "hours >= 8 AND mode = '网络'".
    #[cfg_attr(feature = "cli", arg(long = "where"))]
    #[serde(rename = "where")]
    pub filter: Option<String>,
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[cfg_attr(feature = "cli", arg(long))]
    pub as_of: Option<String>,
    /// Rows to show (1–100000); exports take all.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULT_LIMIT))]
    pub limit: usize,
}

impl Default for PivotRequest {
    fn default() -> Self {
        PivotRequest {
            table: "records".into(),
            rows: Vec::new(),
            cols: None,
            measure: None,
            agg: "sum".into(),
            unit: None,
            rank: None,
            years: None,
            dimension: None,
            completed: None,
            filter: None,
            as_of: None,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// A read-only SQL query over the analysis tables.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "cli", derive(Args))]
#[serde(default, deny_unknown_fields)]
pub struct SqlRequest {
    /// The query, e.g. "SELECT unit, SUM(hours) FROM records GROUP BY unit".
    #[cfg_attr(feature = "cli", arg(long = "sql", default_value = ""))]
    pub query: String,
    /// Date of the view (YYYY-MM-DD); default: the latest record's date.
    #[cfg_attr(feature = "cli", arg(long))]
    pub as_of: Option<String>,
    /// Rows to show (1–100000); exports take all.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = DEFAULT_LIMIT))]
    pub limit: usize,
}

impl Default for SqlRequest {
    fn default() -> Self {
        SqlRequest { query: String::new(), as_of: None, limit: DEFAULT_LIMIT }
    }
}

/// One cell of a result.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Text(String),
}

impl Cell {
    /// As text for CSV and xlsx (numbers in full precision, dates as YYYY-MM-DD).
    pub fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Bool(b) => if *b { "是" } else { "否" }.into(),
            Cell::Int(i) => i.to_string(),
            Cell::Num(x) => x.to_string(),
            Cell::Text(s) => s.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResultColumn {
    pub name: String,
    pub dtype: &'static str,
}

/// How a pivot's columns are laid out.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PivotShape {
    /// The first `row_keys` columns are the row fields.
    pub row_keys: usize,
    pub col_field: Option<String>,
    /// The column field's values, one column each, after the row keys.
    pub values: Vec<String>,
    /// The last column: the row's total over every column value.
    pub total_column: Option<String>,
    pub measure: Option<String>,
    pub agg: String,
}

/// A result: the first `limit` rows, and how many there are in all.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Analysis {
    pub columns: Vec<ResultColumn>,
    pub rows: Vec<Vec<Cell>>,
    pub total_rows: usize,
    pub truncated: bool,
    pub pivot: Option<PivotShape>,
    /// The totals row of a pivot, aligned with `columns` (first cell 合计).
    pub totals: Option<Vec<Cell>>,
}

impl Analysis {
    /// Keeps the first `limit` rows.
    pub fn truncate(&mut self, limit: usize) {
        if self.rows.len() > limit {
            self.rows.truncate(limit);
            self.truncated = true;
        }
    }

    /// The whole table as text rows (totals last), for CSV and xlsx.
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = self.rows.iter().map(|r| r.iter().map(Cell::text).collect()).collect();
        if let Some(t) = &self.totals {
            out.push(t.iter().map(Cell::text).collect());
        }
        out
    }

    pub fn header(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }
}

fn polars_err(what: &str, e: PolarsError) -> Error {
    // polars' messages carry their own context; keep the first lines, readable.
    let msg = e.to_string();
    let msg: String = msg.lines().filter(|l| !l.trim().is_empty()).take(6).collect::<Vec<_>>().join("；");
    Error::bad_argument(format!("{what}：{msg}"))
}

pub fn check_limit(limit: usize) -> Result<()> {
    if (1..=100_000).contains(&limit) { Ok(()) } else { Err(Error::bad_argument(format!("limit：应为 1 到 100000 之间的整数，实为 {limit}"))) }
}

fn table(t: &Tables, name: &str) -> Result<(LazyFrame, Schema)> {
    let lf = t.get(name.trim()).ok_or_else(|| {
        let names: Vec<&str> = super::tables::TABLES.iter().map(|(n, _)| *n).collect();
        Error::bad_argument(format!("没有名为「{name}」的分析表；可用的表：{}", names.join("、")))
    })?;
    let schema = lf.clone().collect_schema().map_err(|e| polars_err("分析表", e))?;
    Ok((lf, (*schema).clone()))
}

fn need<'a>(schema: &Schema, table: &str, column: &'a str, role: &str) -> Result<&'a str> {
    if schema.contains(column) {
        Ok(column)
    } else {
        let cols: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
        Err(Error::bad_argument(format!("{role}：表 {table} 没有「{column}」列；它的列有：{}", cols.join("、"))))
    }
}

/// The aggregation of `measure` (or of the rows) as one expression named `value`.
fn agg_expr(agg: &str, measure: Option<&str>, schema: &Schema) -> Result<Expr> {
    let numeric = |m: &str| -> Result<Expr> {
        let t = schema.get(m).expect("checked");
        if t.is_primitive_numeric() || t == &DataType::Boolean {
            Ok(col(m).cast(DataType::Float64))
        } else {
            Err(Error::bad_argument(format!("measure：「{m}」不是数值列，不能求 {agg}；可改用 count 或 n_unique")))
        }
    };
    let e = match (agg, measure) {
        ("count", None) => len().cast(DataType::Float64),
        ("count", Some(m)) => col(m).count().cast(DataType::Float64),
        ("n_unique", Some(m)) => col(m).drop_nulls().n_unique().cast(DataType::Float64),
        ("sum", Some(m)) => numeric(m)?.sum(),
        ("mean", Some(m)) => numeric(m)?.mean(),
        ("median", Some(m)) => numeric(m)?.median(),
        ("min", Some(m)) => numeric(m)?.min(),
        ("max", Some(m)) => numeric(m)?.max(),
        ("sum" | "mean" | "median" | "min" | "max" | "n_unique", None) => {
            return Err(Error::bad_argument(format!("agg：{agg} 需要指定度量列（measure）；只计行数请用 count")));
        }
        _ => return Err(Error::bad_argument(format!("agg：应为 sum、mean、count、n_unique、median、min、max 之一，实为「{agg}」"))),
    };
    Ok(e.alias("value"))
}

/// The pivot's filters as one predicate (checked against the table's columns).
fn filters(p: &PivotRequest, schema: &Schema, subtree: Option<Vec<String>>, years: Option<(i32, i32)>) -> Result<Option<Expr>> {
    let t = p.table.as_str();
    let mut conds: Vec<Expr> = Vec::new();
    if let Some(ids) = subtree {
        need(schema, t, "unit_id", "unit")?;
        conds.push(col("unit_id").is_in(lit(Series::new("units".into(), ids))));
    }
    if let Some(rank) = p.rank.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        need(schema, t, "rank", "rank")?;
        conds.push(col("rank").eq(lit(rank.to_string())));
    }
    if let Some((a, b)) = years {
        need(schema, t, "year", "years")?;
        conds.push(col("year").gt_eq(lit(a)).and(col("year").lt_eq(lit(b))));
    }
    if let Some(d) = p.dimension.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        need(schema, t, "dimension", "dimension")?;
        conds.push(col("dimension").eq(lit(d.to_string())).or(col("dimension_id").eq(lit(d.to_string()))));
    }
    if let Some(done) = p.completed {
        need(schema, t, "completed", "completed")?;
        conds.push(col("completed").eq(lit(done)));
    }
    if let Some(w) = p.filter.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let w = super::guard::condition(w, &|c| schema.get(c).is_some_and(|t| t.is_integer()))?;
        conds.push(polars::sql::sql_expr(&w).map_err(|e| polars_err("where 条件有误", e))?);
    }
    Ok(conds.into_iter().reduce(|a, b| a.and(b)))
}

/// Runs a pivot (all rows; the engine applies the limit). `subtree`: the
/// unit filter's unit ids, `years` the parsed range (resolved by the engine).
pub fn pivot(t: &Tables, p: &PivotRequest, subtree: Option<Vec<String>>, years: Option<(i32, i32)>) -> Result<Analysis> {
    let (lf, schema) = table(t, &p.table)?;
    let f = PivotFields::checked(p, &schema)?;
    let value = agg_expr(f.agg, f.measure, &schema)?;
    let lf = match filters(p, &schema, subtree, years)? {
        Some(filter) => lf.filter(filter),
        None => lf,
    };
    // Join, filter and project once; the four groupings read the result.
    let g = Groups { lf: project(lf, &f, &schema)?.lazy(), value };
    let mut columns: Vec<ResultColumn> = f.rows.iter().map(|r| ResultColumn { name: r.clone(), dtype: dtype_name(schema.get(r).expect("checked")) }).collect();
    let grand = values(&g.group(&[])?).into_iter().next().unwrap_or(Cell::Null);
    let (out_rows, totals, shape_values) = match f.cols {
        None => {
            columns.push(ResultColumn { name: value_name(f.agg, f.measure), dtype: "f64" });
            by_rows(&g, &f.rows, grand)?
        }
        Some(cf) => by_rows_and_column(&g, &f, cf, grand, &mut columns)?,
    };
    let total_rows = out_rows.len();
    Ok(Analysis {
        columns,
        rows: out_rows,
        total_rows,
        truncated: false,
        pivot: Some(PivotShape {
            // Without row fields a column pivot has one labelled row.
            row_keys: if f.rows.is_empty() && f.cols.is_some() { 1 } else { f.rows.len() },
            col_field: f.cols.map(str::to_string),
            values: shape_values,
            total_column: f.cols.map(|_| TOTAL.to_string()),
            measure: f.measure.map(str::to_string),
            agg: f.agg.to_string(),
        }),
        totals,
    })
}

/// A pivot's fields, trimmed and checked against the table's columns.
struct PivotFields<'p> {
    rows: Vec<String>,
    cols: Option<&'p str>,
    measure: Option<&'p str>,
    agg: &'p str,
}

impl<'p> PivotFields<'p> {
    fn checked(p: &'p PivotRequest, schema: &Schema) -> Result<Self> {
        let tn = p.table.trim();
        let rows: Vec<String> = p.rows.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
        for (i, r) in rows.iter().enumerate() {
            need(schema, tn, r, "rows")?;
            // (polars would group by the column twice and name two result columns alike)
            if rows[..i].contains(r) {
                return Err(Error::bad_argument(format!("rows：「{r}」出现了两次，每个行字段只能用一次")));
            }
        }
        let cols = p.cols.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if let Some(cf) = cols {
            need(schema, tn, cf, "cols")?;
            if rows.iter().any(|r| r == cf) {
                return Err(Error::bad_argument(format!("cols：「{cf}」已是行字段，列字段应换一个")));
            }
        }
        let measure = p.measure.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if let Some(m) = measure {
            need(schema, tn, m, "measure")?;
        }
        Ok(PivotFields { rows, cols, measure, agg: p.agg.trim() })
    }
}

/// The filtered table with only the columns the pivot reads (one, when it reads none).
fn project(lf: LazyFrame, f: &PivotFields, schema: &Schema) -> Result<DataFrame> {
    let mut needed: Vec<&str> = Vec::new();
    for n in f.rows.iter().map(String::as_str).chain(f.cols).chain(f.measure) {
        if !needed.contains(&n) {
            needed.push(n);
        }
    }
    if needed.is_empty() {
        needed.push(schema.iter_names().next().map(|n| n.as_str()).unwrap_or("record"));
    }
    lf.select(needed.iter().map(|n| col(*n)).collect::<Vec<_>>()).collect().map_err(|e| polars_err("数据透视", e))
}

/// The groupings of a pivot, one pass each: cells, row totals, column totals, the grand total.
struct Groups {
    lf: LazyFrame,
    value: Expr,
}

impl Groups {
    /// The value per group of `keys` (sorted by them, empty keys last); one row when there are no keys.
    fn group(&self, keys: &[String]) -> Result<DataFrame> {
        let q = if keys.is_empty() {
            self.lf.clone().select([self.value.clone()])
        } else {
            let by: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
            self.lf.clone().group_by(by.clone()).agg([self.value.clone()]).sort_by_exprs(by, SortMultipleOptions::default().with_nulls_last(true))
        };
        q.collect().map_err(|e| polars_err("数据透视", e))
    }
}

/// Each group's keys, as cells.
fn key_cells(df: &DataFrame, keys: &[String]) -> Result<Vec<Vec<Cell>>> {
    let cols: Vec<&Column> = keys.iter().map(|k| df.column(k).expect("grouped by it")).collect();
    Ok((0..df.height()).map(|i| cols.iter().map(|c| cell(c.get(i).unwrap_or(AnyValue::Null))).collect()).collect())
}

/// Each group's value, as a cell.
fn values(df: &DataFrame) -> Vec<Cell> {
    let v = df.column("value").expect("aggregated");
    (0..df.height()).map(|i| cell(v.get(i).unwrap_or(AnyValue::Null))).collect()
}

/// The totals row's label cells: 合计 and blanks, `n` in all.
fn total_label(n: usize) -> Vec<Cell> {
    let mut v = vec![Cell::Text(TOTAL.into())];
    v.extend(std::iter::repeat_n(Cell::Null, n.saturating_sub(1)));
    v
}

/// A pivot's rows, its totals row and the column field's values (none here).
type PivotBody = (Vec<Vec<Cell>>, Option<Vec<Cell>>, Vec<String>);

/// A pivot without a column field: one value per row key, and the grand total.
fn by_rows(g: &Groups, rows: &[String], grand: Cell) -> Result<PivotBody> {
    if rows.is_empty() {
        return Ok((vec![vec![grand]], None, Vec::new()));
    }
    let df = g.group(rows)?;
    let mut out = key_cells(&df, rows)?;
    for (r, v) in out.iter_mut().zip(values(&df)) {
        r.push(v);
    }
    let mut t = total_label(rows.len());
    t.push(grand);
    Ok((out, Some(t), Vec::new()))
}

/// A pivot with column field `cf`: a row per row key (one labelled row
/// without row fields), a column per value of `cf`, and totals both ways.
fn by_rows_and_column(g: &Groups, f: &PivotFields, cf: &str, grand: Cell, columns: &mut Vec<ResultColumn>) -> Result<PivotBody> {
    let (rows, agg, measure) = (&f.rows, f.agg, f.measure);
    let cf = cf.to_string();
    let by_col = g.group(std::slice::from_ref(&cf))?;
    let col_keys: Vec<Cell> = key_cells(&by_col, std::slice::from_ref(&cf))?.into_iter().map(|mut v| v.remove(0)).collect();
    let col_names: Vec<String> = col_keys.iter().map(|k| if *k == Cell::Null { "（空）".into() } else { k.text() }).collect();
    if col_keys.len() > MAX_PIVOT_COLUMNS {
        return Err(Error::bad_argument(format!(
            "数据透视过宽：列字段「{cf}」有 {} 个取值，最多 {MAX_PIVOT_COLUMNS} 列；请换用取值较少的列字段，或加筛选条件",
            col_keys.len()
        )));
    }
    let col_totals = values(&by_col);
    for n in &col_names {
        columns.push(ResultColumn { name: n.clone(), dtype: "f64" });
    }
    columns.push(ResultColumn { name: TOTAL.into(), dtype: "f64" });
    let by_row = if rows.is_empty() { None } else { Some(g.group(rows)?) };
    // The grid is rows × columns: checked before it is laid out.
    let n_rows = by_row.as_ref().map_or(1, DataFrame::height);
    if n_rows.saturating_mul(col_keys.len()) > MAX_PIVOT_CELLS {
        return Err(Error::bad_argument(format!(
            "数据透视过大：行字段「{}」有 {n_rows} 种取值，列字段「{cf}」有 {} 个取值，共 {} 格，最多 {MAX_PIVOT_CELLS} 格；请换用取值较少的字段，或加筛选条件",
            rows.join("、"),
            col_keys.len(),
            n_rows.saturating_mul(col_keys.len())
        )));
    }
    let row_keys: Vec<Vec<Cell>> = match &by_row {
        Some(df) => key_cells(df, rows)?,
        None => vec![Vec::new()],
    };
    let row_totals = match &by_row {
        Some(df) => values(df),
        None => vec![grand.clone()],
    };
    let grid = spread(g, rows, &cf, &row_keys, &col_keys)?;
    let out: Vec<Vec<Cell>> = row_keys
        .into_iter()
        .zip(grid)
        .zip(row_totals)
        .map(|((mut k, g), t)| {
            if k.is_empty() {
                k.push(Cell::Text(value_name(agg, measure)));
            }
            k.extend(g);
            k.push(t);
            k
        })
        .collect();
    if rows.is_empty() {
        columns.insert(0, ResultColumn { name: String::new(), dtype: "str" });
    }
    let mut t = total_label(rows.len().max(1));
    t.extend(col_totals);
    t.push(grand);
    Ok((out, if rows.is_empty() { None } else { Some(t) }, col_names))
}

/// The cells of a row × column pivot, spread into a grid: row key → position, column value → position.
fn spread(g: &Groups, rows: &[String], cf: &str, row_keys: &[Vec<Cell>], col_keys: &[Cell]) -> Result<Vec<Vec<Cell>>> {
    let mut keys = rows.to_vec();
    keys.push(cf.to_string());
    let cells = g.group(&keys)?;
    let index: std::collections::HashMap<String, usize> = row_keys.iter().enumerate().map(|(i, k)| (key_string(k), i)).collect();
    let col_index: std::collections::HashMap<String, usize> = col_keys.iter().enumerate().map(|(i, k)| (key_string(std::slice::from_ref(k)), i)).collect();
    let mut grid = vec![vec![Cell::Null; col_keys.len()]; row_keys.len()];
    let all = key_cells(&cells, &keys)?;
    for (k, v) in all.into_iter().zip(values(&cells)) {
        let (rk, ck) = k.split_at(rows.len());
        if let (Some(&i), Some(&j)) = (index.get(&key_string(rk)), col_index.get(&key_string(ck))) {
            grid[i][j] = v;
        }
    }
    Ok(grid)
}

fn key_string(k: &[Cell]) -> String {
    serde_json::to_string(k).expect("cells serialise")
}

/// `sum(hours)`, `count`: the header of a pivot's single value column.
fn value_name(agg: &str, measure: Option<&str>) -> String {
    match measure {
        Some(m) => format!("{agg}({m})"),
        None => "count".into(),
    }
}

/// The analysis tables a query reads (from its parsed statement), so that
/// only those are built; none if it does not parse (its error comes when it runs).
pub fn mentioned(q: &str) -> Vec<&'static str> {
    let names = table_names();
    match super::guard::query(q, &names, &|_| false) {
        Ok(c) => names.into_iter().filter(|n| c.tables.iter().any(|t| t == n)).collect(),
        Err(_) => Vec::new(),
    }
}

fn table_names() -> Vec<&'static str> {
    super::tables::TABLES.iter().map(|(n, _)| *n).collect()
}

/// Runs a read-only SQL query over the tables (a fresh context each time, so
/// a query cannot change what the next one sees); all rows.
pub fn sql(t: &Tables, query: &str) -> Result<Analysis> {
    let q = query.trim();
    if q.is_empty() {
        return Err(Error::bad_argument("sql：查询为空；例如 SELECT unit, SUM(hours) FROM records GROUP BY unit"));
    }
    let mut ctx = polars::sql::SQLContext::new();
    let mut schemas = Vec::new();
    for (name, lf) in t.frames() {
        schemas.push(lf.clone().collect_schema().map_err(|e| polars_err("分析表", e))?);
        ctx.register(name, lf);
    }
    // A column is integer if it is in every table that has it.
    let is_int = |c: &str| {
        let mut types = schemas.iter().filter_map(|s| s.get(c));
        types.next().is_some_and(|t| t.is_integer()) && types.all(|t| t.is_integer())
    };
    let checked = super::guard::query(q, &table_names(), &is_int)?;
    check_joins(t, &checked.joins)?;
    let lf = ctx.execute(&checked.sql).map_err(|e| polars_err("SQL 有误", e))?;
    let df = lf.collect().map_err(|e| polars_err("SQL 执行出错", e))?;
    Ok(frame_result(&df))
}

/// A query's joins may give at most this many rows …
pub const MAX_JOIN_ROWS: usize = 5_000_000;
/// … or this many times the largest table, whichever is more.
pub const JOIN_GROWTH: usize = 2;

/// Bounds every join's output before the query runs: from the tables'
/// sizes and, for equal columns, the most rows one key value has on a side
/// (each row of the other side matches at most that many). A side that is
/// a subquery counts as the largest table, every row with one key.
fn check_joins(t: &Tables, joins: &[super::guard::FromChain]) -> Result<()> {
    use super::guard::{Match, Side};
    if joins.is_empty() {
        return Ok(());
    }
    let scalar = |lf: LazyFrame| -> Result<usize> {
        let df = lf.collect().map_err(|e| polars_err("SQL 执行出错", e))?;
        let v = df.get_columns().first().and_then(|c| c.get(0).ok()).and_then(|v| v.extract::<u64>());
        Ok(v.unwrap_or(0) as usize)
    };
    let height = |name: &str| -> Result<usize> { scalar(t.get(name).expect("a registered table").select([len()])) };
    let mut largest = 0;
    for (name, _) in t.frames() {
        largest = largest.max(height(name)?);
    }
    let limit = MAX_JOIN_ROWS.max(JOIN_GROWTH.saturating_mul(largest));
    let has = |table: &str, column: &str| t.get(table).and_then(|lf| lf.clone().collect_schema().ok()).is_some_and(|s| s.contains(column));
    // The most rows that share one value of `column` in `table`.
    let most_per_key = |table: &str, column: &str| -> Result<usize> {
        if !has(table, column) {
            return Ok(largest);
        }
        let lf = t.get(table).expect("a registered table");
        scalar(lf.group_by([col(column)]).agg([len().alias("n")]).select([col("n").max()]))
    };
    let belongs = |c: &(Option<String>, String), side: &(String, String)| match &c.0 {
        Some(q) => *q == side.0,
        None => has(&side.1, &c.1),
    };
    for chain in joins {
        let (mut size, mut left): (usize, Vec<(String, String)>) = match &chain.first {
            Side::Table { table, alias } => (height(table)?, vec![(alias.clone(), table.clone())]),
            Side::Unknown => (largest, Vec::new()),
        };
        for (side, how) in &chain.steps {
            let (rsize, right) = match side {
                Side::Table { table, alias } => (height(table)?, Some((alias.clone(), table.clone()))),
                Side::Unknown => (largest, None),
            };
            let mut next = match how {
                Match::Filter => size,
                _ => size.saturating_mul(rsize),
            };
            if let (Match::Keys(pairs), Some(r)) = (how, &right) {
                for (a, b) in pairs {
                    let (lk, rk) = if belongs(b, r) {
                        (a, b)
                    } else if belongs(a, r) {
                        (b, a)
                    } else {
                        continue;
                    };
                    next = next.min(size.saturating_mul(most_per_key(&r.1, &rk.1)?));
                    if let [l] = left.as_slice()
                        && belongs(lk, l)
                    {
                        next = next.min(rsize.saturating_mul(most_per_key(&l.1, &lk.1)?));
                    }
                }
            }
            if next > limit {
                return Err(Error::bad_argument(format!(
                    "查询的连接（JOIN）过大：按各表的行数和连接列的取值，可能产生约 {next} 行，上限 {limit} 行（{MAX_JOIN_ROWS} 行与最大表行数的 {JOIN_GROWTH} 倍取大者），查询未执行；请用等值条件连接（如 ON r.cadre_id = c.cadre_id），或先筛选、聚合再连接"
                )));
            }
            size = next;
            left.extend(right);
        }
    }
    Ok(())
}

/// A frame as a result (all rows).
pub fn frame_result(df: &DataFrame) -> Analysis {
    let columns: Vec<ResultColumn> = df.get_columns().iter().map(|c| ResultColumn { name: c.name().to_string(), dtype: dtype_name(c.dtype()) }).collect();
    let cols = df.get_columns();
    let rows: Vec<Vec<Cell>> = (0..df.height()).map(|i| cols.iter().map(|c| cell(c.get(i).unwrap_or(AnyValue::Null))).collect()).collect();
    Analysis { columns, total_rows: rows.len(), rows, truncated: false, pivot: None, totals: None }
}

fn cell(v: AnyValue) -> Cell {
    match v {
        AnyValue::Null => Cell::Null,
        AnyValue::Boolean(b) => Cell::Bool(b),
        AnyValue::String(s) => Cell::Text(s.to_string()),
        AnyValue::StringOwned(s) => Cell::Text(s.to_string()),
        AnyValue::Float64(x) => num(x),
        AnyValue::Float32(x) => num(x as f64),
        AnyValue::Int8(x) => Cell::Int(x as i64),
        AnyValue::Int16(x) => Cell::Int(x as i64),
        AnyValue::Int32(x) => Cell::Int(x as i64),
        AnyValue::Int64(x) => Cell::Int(x),
        AnyValue::UInt8(x) => Cell::Int(x as i64),
        AnyValue::UInt16(x) => Cell::Int(x as i64),
        AnyValue::UInt32(x) => Cell::Int(x as i64),
        AnyValue::UInt64(x) => Cell::Int(x as i64),
        // Dates are shown for years 1–9999; one outside (date arithmetic gone
        // far) is NULL rather than a wrongly printed date.
        AnyValue::Date(d) => match d.checked_add(719_163) {
            Some(day @ 1..=LAST_DAY) => Cell::Text(crate::model::date::format(day)),
            _ => Cell::Null,
        },
        other => Cell::Text(other.to_string()),
    }
}

/// 9999-12-31 as the engine's day number (0001-01-01 is day 1).
const LAST_DAY: i32 = 3_652_059;

fn num(x: f64) -> Cell {
    if x.is_finite() { Cell::Num(x) } else { Cell::Null }
}

/// A result's rows as a polars frame with typed columns, for Parquet (the
/// totals row is left out: a warehouse derives it).
pub fn to_frame(a: &Analysis) -> PolarsResult<DataFrame> {
    let rows: Vec<&Vec<Cell>> = a.rows.iter().collect();
    let mut cols = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (j, rc) in a.columns.iter().enumerate() {
        let mut name = if rc.name.is_empty() { format!("column_{}", j + 1) } else { rc.name.clone() };
        while !seen.insert(name.clone()) {
            name.push('_');
        }
        let get = |r: &&Vec<Cell>| r.get(j).cloned().unwrap_or(Cell::Null);
        let column = match rc.dtype {
            "f64" => Column::new(
                name.into(),
                rows.iter()
                    .map(|r| match get(r) {
                        Cell::Num(x) => Some(x),
                        Cell::Int(i) => Some(i as f64),
                        _ => None,
                    })
                    .collect::<Vec<Option<f64>>>(),
            ),
            "int" => Column::new(
                name.into(),
                rows.iter()
                    .map(|r| match get(r) {
                        Cell::Int(i) => Some(i),
                        _ => None,
                    })
                    .collect::<Vec<Option<i64>>>(),
            ),
            "bool" => Column::new(
                name.into(),
                rows.iter()
                    .map(|r| match get(r) {
                        Cell::Bool(b) => Some(b),
                        _ => None,
                    })
                    .collect::<Vec<Option<bool>>>(),
            ),
            _ => Column::new(
                name.into(),
                rows.iter()
                    .map(|r| match get(r) {
                        Cell::Null => None,
                        c => Some(c.text()),
                    })
                    .collect::<Vec<Option<String>>>(),
            ),
        };
        cols.push(column);
    }
    DataFrame::new(cols)
}
