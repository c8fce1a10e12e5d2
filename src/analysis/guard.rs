//! What a query may do, decided on the parsed statement (never by scanning
//! its text), and the rewrites that make polars answer as SQL does.
//!
//! A query is one `SELECT` (or `WITH … SELECT`) whose every relation is an
//! analysis table or a name its own `WITH` defines: no table functions
//! (polars' `read_parquet(…)` reads files), no other statement kinds. Its
//! size is bounded before it is parsed: at most [`MAX_OPERATORS`] operators
//! and [`MAX_NESTING`] levels of parentheses, so that no expression is deep
//! enough to overflow the stack of the parser, of polars or of a phone's
//! WebAssembly. A pivot's `where` condition is held to the same rules and
//! must be one whole expression.
//!
//! Rewrites, so that a number is right or NULL, never wrong:
//! - `COUNT(1)` (any non-null constant) is `COUNT(*)`; a query whose only
//!   aggregates are `COUNT(*)` and that names no column counts its rows once
//!   (polars 0.46 gave one row per input row: pola-rs/polars#21084);
//! - other aggregates of a constant (`SUM(1)`) are refused (polars gives the
//!   constant, SQL the sum over the rows);
//! - `a / b` and `a % b` are `NULL` where `b` is 0 (polars gave 0);
//! - `+ − ×` of integer operands are computed in double precision (exact to
//!   2^53), so they never wrap; integer constants beyond ±2^53 are refused.

use crate::error::{Error, Result};
use sqlparser::ast::*;
use sqlparser::dialect::GenericDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserOptions};
use sqlparser::tokenizer::{Token, Tokenizer};
use std::collections::HashSet;
use std::ops::ControlFlow;

/// The longest query text, in characters.
pub const MAX_SQL_CHARS: usize = 20_000;
/// The most operators (`+ − × ÷ %`, comparisons, `AND`/`OR`/`NOT`, `WHEN` …) in one query or condition.
pub const MAX_OPERATORS: usize = 200;
/// The deepest nesting of parentheses (and so of subqueries).
pub const MAX_NESTING: usize = 16;
/// Integer constants are exact in double precision up to this magnitude.
const MAX_EXACT_INT: u64 = 1 << 53;

/// The name of the column the COUNT(*) rewrite counts.
const ROW_MARK: &str = "__zhichu_row";

/// The aggregate functions of polars SQL (lower case).
const AGGREGATES: &[&str] = &[
    "avg",
    "count",
    "first",
    "last",
    "max",
    "median",
    "min",
    "stddev",
    "stdev",
    "stddev_samp",
    "sum",
    "variance",
    "var",
    "var_samp",
    "array_agg",
    "string_agg",
    "quantile_cont",
    "quantile_disc",
    "corr",
    "covar",
    "covar_samp",
    "covar_pop",
    "bool_and",
    "bool_or",
];

fn bad(msg: impl Into<String>) -> Error {
    Error::bad_argument(msg.into())
}

/// Bounds the size of `text` (a query or a condition) from its tokens,
/// before anything recursive reads it.
fn check_size(text: &str, what: &str) -> Result<()> {
    let chars = text.chars().count();
    if chars > MAX_SQL_CHARS {
        return Err(bad(format!("{what}过长（{chars} 字），最多 {MAX_SQL_CHARS} 字")));
    }
    let tokens = Tokenizer::new(&GenericDialect, text).tokenize().map_err(|e| bad(format!("{what}有误：{e}")))?;
    let (mut ops, mut depth, mut deepest) = (0usize, 0usize, 0usize);
    for t in &tokens {
        match t {
            Token::LParen => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Plus | Token::Minus | Token::Mul | Token::Div | Token::Mod | Token::DuckIntDiv | Token::StringConcat => ops += 1,
            Token::Eq | Token::DoubleEq | Token::Neq | Token::Lt | Token::Gt | Token::LtEq | Token::GtEq | Token::Spaceship => ops += 1,
            Token::Ampersand | Token::Pipe | Token::Caret | Token::ShiftLeft | Token::ShiftRight | Token::Tilde | Token::ExclamationMark => ops += 1,
            Token::Word(w)
                if matches!(
                    w.keyword,
                    Keyword::AND | Keyword::OR | Keyword::NOT | Keyword::WHEN | Keyword::BETWEEN | Keyword::LIKE | Keyword::ILIKE | Keyword::IS | Keyword::IN
                ) =>
            {
                ops += 1
            }
            _ => {}
        }
    }
    if ops > MAX_OPERATORS {
        return Err(bad(format!("{what}过于复杂：有 {ops} 个运算符，最多 {MAX_OPERATORS} 个（含 AND、OR、比较、加减乘除和 CASE 的 WHEN）；请拆成几次查询")));
    }
    if deepest > MAX_NESTING {
        return Err(bad(format!("{what}的括号或子查询嵌套 {deepest} 层，最多 {MAX_NESTING} 层")));
    }
    Ok(())
}

fn parser(text: &str) -> Result<Parser<'static>> {
    Parser::new(&GenericDialect)
        .with_options(ParserOptions { trailing_commas: true, ..Default::default() })
        .try_with_sql(text)
        .map_err(|e| bad(format!("SQL 有误：{e}")))
}

/// A checked and rewritten query: the SQL text to hand to polars and the
/// analysis tables it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub sql: String,
    pub tables: Vec<String>,
    /// Every FROM clause with joins, for the size check before running.
    pub joins: Vec<FromChain>,
}

/// One side of a join: an analysis table (its name, and the name the query
/// calls it by), or something whose size is not known before running.
#[derive(Debug, Clone, PartialEq)]
pub enum Side {
    Table { table: String, alias: String },
    Unknown,
}

/// A column named in a join condition: (qualifier, column).
pub type KeyColumn = (Option<String>, String);

/// How a join matches rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Match {
    /// Every pair (CROSS JOIN, a comma, a condition that is not equality of columns).
    All,
    /// At most the left side's rows (SEMI and ANTI joins).
    Filter,
    /// Equal columns: (qualifier, column) on each side of each `=`.
    Keys(Vec<(KeyColumn, KeyColumn)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FromChain {
    pub first: Side,
    pub steps: Vec<(Side, Match)>,
}

/// Checks a query against `tables` (the registered names) and rewrites it
/// (see the module docs). `is_int(column)`: whether a column is integer in
/// the tables that have it.
pub fn query(text: &str, tables: &[&str], is_int: &dyn Fn(&str) -> bool) -> Result<Checked> {
    check_size(text, "SQL ")?;
    let mut statements = parser(text)?.parse_statements().map_err(|e| bad(format!("SQL 有误：{e}")))?;
    if statements.len() != 1 {
        return Err(bad(format!("SQL 应为一条查询语句，实为 {} 条", statements.len())));
    }
    let mut stmt = statements.pop().expect("one");
    if !matches!(stmt, Statement::Query(_)) {
        return Err(bad("SQL 只能是查询（SELECT 或 WITH … SELECT），不能修改、创建或删除表，也不能执行其他语句"));
    }
    let mut rel = Relations { tables, ctes: HashSet::new(), used: Vec::new() };
    if let ControlFlow::Break(msg) = stmt.visit(&mut rel) {
        return Err(bad(msg));
    }
    let used = rel.used;
    let mut joins = Joins { tables, chains: Vec::new() };
    let _ = stmt.visit(&mut joins);
    let joins = joins.chains;
    let mut rw = Rewrite::new(is_int);
    if let ControlFlow::Break(msg) = VisitMut::visit(&mut stmt, &mut rw) {
        return Err(bad(msg));
    }
    rw.dates_stay_in_range().map_err(bad)?;
    Ok(Checked { sql: stmt.to_string(), tables: used, joins })
}

/// Checks a pivot's `where` condition: one whole expression over the
/// table's columns, with no subquery; returns it rewritten.
pub fn condition(text: &str, is_int: &dyn Fn(&str) -> bool) -> Result<String> {
    check_size(text, "where 条件")?;
    let mut p = parser(text)?;
    let mut e = p.parse_expr().map_err(|e| bad(format!("where 条件有误：{e}")))?;
    let next = p.peek_token();
    if next.token != Token::EOF {
        let at = next.span.start;
        return Err(bad(format!(
            "where 条件有误：第 {} 行第 {} 列的「{}」之前已是一个完整的条件，之后的内容无法理解；多个条件请用 AND 或 OR 连接",
            at.line, at.column, next.token
        )));
    }
    if let ControlFlow::Break(()) = Visit::visit(&e, &mut Subqueries) {
        return Err(bad("where 条件不能含子查询；需要时请用 SQL 查询"));
    }
    let mut rw = Rewrite::new(is_int);
    if let ControlFlow::Break(msg) = VisitMut::visit(&mut e, &mut rw) {
        return Err(bad(msg));
    }
    rw.dates_stay_in_range().map_err(bad)?;
    Ok(e.to_string())
}

/// Every relation must be an analysis table or a name a `WITH` defines.
struct Relations<'a> {
    tables: &'a [&'a str],
    ctes: HashSet<String>,
    used: Vec<String>,
}

impl Visitor for Relations<'_> {
    type Break = String;

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<String> {
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                self.ctes.insert(cte.alias.name.value.to_lowercase());
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<String> {
        match t {
            TableFactor::Table { name, args, .. } => {
                let shown = name.to_string();
                if args.is_some() {
                    return ControlFlow::Break(format!("SQL 只能查询已载入的分析表，不能调用表函数或读取文件（{shown}）"));
                }
                let known = match name.0.as_slice() {
                    [one] => {
                        let n = one.value.to_lowercase();
                        if let Some(t) = self.tables.iter().find(|t| **t == n) {
                            if !self.used.iter().any(|u| u == t) {
                                self.used.push(t.to_string());
                            }
                            true
                        } else {
                            self.ctes.contains(&n)
                        }
                    }
                    _ => false,
                };
                if known {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(format!("没有名为「{shown}」的分析表；可用的表：{}", self.tables.join("、")))
                }
            }
            TableFactor::Derived { .. } | TableFactor::NestedJoin { .. } => ControlFlow::Continue(()),
            other => ControlFlow::Break(format!("FROM 中只能是分析表、WITH 定义的名字或子查询，不支持「{other}」")),
        }
    }
}

/// Collects the FROM clauses that join (each SELECT's, subqueries' too).
struct Joins<'a> {
    tables: &'a [&'a str],
    chains: Vec<FromChain>,
}

impl Joins<'_> {
    fn side(&self, t: &TableFactor) -> Side {
        match t {
            TableFactor::Table { name, alias, args: None, .. } if name.0.len() == 1 => {
                let n = name.0[0].value.to_lowercase();
                match self.tables.iter().find(|t| **t == n) {
                    Some(t) => Side::Table { table: t.to_string(), alias: alias.as_ref().map_or(n, |a| a.name.value.to_lowercase()) },
                    None => Side::Unknown,
                }
            }
            _ => Side::Unknown,
        }
    }

    fn select(&mut self, s: &Select) {
        let mut chain: Option<FromChain> = None;
        for twj in &s.from {
            let first = self.side(&twj.relation);
            match &mut chain {
                None => chain = Some(FromChain { first, steps: Vec::new() }),
                // FROM a, b: every pair.
                Some(c) => c.steps.push((first, Match::All)),
            }
            let c = chain.as_mut().expect("set above");
            for j in &twj.joins {
                let how = match &j.join_operator {
                    JoinOperator::Inner(k) | JoinOperator::LeftOuter(k) | JoinOperator::RightOuter(k) | JoinOperator::FullOuter(k) => keys(k),
                    JoinOperator::Semi(_)
                    | JoinOperator::LeftSemi(_)
                    | JoinOperator::RightSemi(_)
                    | JoinOperator::Anti(_)
                    | JoinOperator::LeftAnti(_)
                    | JoinOperator::RightAnti(_) => Match::Filter,
                    _ => Match::All,
                };
                c.steps.push((self.side(&j.relation), how));
            }
        }
        if let Some(c) = chain.filter(|c| !c.steps.is_empty()) {
            self.chains.push(c);
        }
    }
}

/// The equal columns of a join condition (`a.x = b.y AND …`, `USING (x)`).
fn keys(k: &JoinConstraint) -> Match {
    fn column(e: &Expr) -> Option<(Option<String>, String)> {
        match e {
            Expr::Identifier(i) => Some((None, i.value.clone())),
            Expr::CompoundIdentifier(p) if p.len() == 2 => Some((Some(p[0].value.to_lowercase()), p[1].value.clone())),
            Expr::Nested(e) => column(e),
            _ => None,
        }
    }
    fn equalities(e: &Expr, out: &mut Vec<(KeyColumn, KeyColumn)>) -> bool {
        match e {
            Expr::BinaryOp { left, op: BinaryOperator::And, right } => equalities(left, out) | equalities(right, out),
            Expr::BinaryOp { left, op: BinaryOperator::Eq, right } => match (column(left), column(right)) {
                (Some(a), Some(b)) => {
                    out.push((a, b));
                    true
                }
                _ => false,
            },
            Expr::Nested(e) => equalities(e, out),
            _ => false,
        }
    }
    let mut out = Vec::new();
    match k {
        JoinConstraint::On(e) => {
            equalities(e, &mut out);
        }
        JoinConstraint::Using(cols) => out.extend(cols.iter().map(|c| ((None, c.value.clone()), (None, c.value.clone())))),
        _ => {}
    }
    if out.is_empty() { Match::All } else { Match::Keys(out) }
}

impl Visitor for Joins<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        fn each(body: &SetExpr, j: &mut Joins) {
            match body {
                SetExpr::Select(s) => j.select(s),
                SetExpr::SetOperation { left, right, .. } => {
                    each(left, j);
                    each(right, j);
                }
                _ => {}
            }
        }
        each(&q.body, self);
        ControlFlow::Continue(())
    }
}

/// The years all INTERVAL literals of one query may add up to (see
/// `Rewrite::dates_stay_in_range`).
pub const MAX_INTERVAL_YEARS: f64 = 60.0;

/// The years an interval literal spans (`INTERVAL '3 years 2 months'`,
/// `INTERVAL '5' YEAR`); an interval that is not a literal is refused.
fn interval_years(iv: &Interval) -> ControlFlow<String, f64> {
    let Expr::Value(Value::SingleQuotedString(text)) = iv.value.as_ref() else {
        return ControlFlow::Break("时间间隔（INTERVAL）应写成常量，如 INTERVAL '3 years'".into());
    };
    let unit_years = |u: &str| -> f64 {
        let u = u.to_lowercase();
        match u.trim_end_matches('s') {
            "y" | "yr" | "year" => 1.0,
            "mo" | "mon" | "month" => 1.0 / 12.0,
            "w" | "week" => 7.0 / 365.25,
            "d" | "day" => 1.0 / 365.25,
            "h" | "hour" => 1.0 / 8766.0,
            "m" | "min" | "minute" => 1.0 / 525_960.0,
            _ => 1.0 / 31_557_600.0,
        }
    };
    let default_unit = iv.leading_field.as_ref().map(|f| f.to_string()).unwrap_or_else(|| "second".into());
    let mut years = 0.0f64;
    let mut rest = text.as_str();
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let tail = &rest[start..];
        let end = tail.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(tail.len());
        let n: f64 = tail[..end].parse().unwrap_or(f64::INFINITY);
        let after = tail[end..].trim_start();
        let unit_end = after.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(after.len());
        let unit = if unit_end == 0 { default_unit.as_str() } else { &after[..unit_end] };
        years += n * unit_years(unit);
        rest = &after[unit_end..];
    }
    if years.is_finite() && years <= MAX_INTERVAL_YEARS {
        ControlFlow::Continue(years)
    } else {
        ControlFlow::Break(format!("时间间隔 INTERVAL '{text}' 过大：最多 {MAX_INTERVAL_YEARS} 年"))
    }
}

/// Finds a subquery in an expression.
struct Subqueries;

impl Visitor for Subqueries {
    type Break = ();

    fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        ControlFlow::Break(())
    }
}

/// Whether an expression names a column (or holds a subquery, which may).
fn names_column(e: &Expr) -> bool {
    struct Columns;
    impl Visitor for Columns {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            match e {
                Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Subquery(_) | Expr::InSubquery { .. } | Expr::Exists { .. } => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    Visit::visit(e, &mut Columns).is_break()
}

fn function_name(f: &Function) -> String {
    f.name.0.last().map(|i| i.value.to_lowercase()).unwrap_or_default()
}

fn is_aggregate(f: &Function) -> bool {
    f.over.is_none() && AGGREGATES.contains(&function_name(f).as_str())
}

/// The plain arguments of a call (`f(a, b)`), if it has a plain list.
fn list_args(f: &Function) -> Option<&FunctionArgumentList> {
    match &f.args {
        FunctionArguments::List(l) => Some(l),
        _ => None,
    }
}

fn is_count_star(f: &Function) -> bool {
    function_name(f) == "count"
        && f.over.is_none()
        && f.filter.is_none()
        && list_args(f).is_some_and(|l| {
            l.duplicate_treatment != Some(DuplicateTreatment::Distinct) && matches!(l.args.as_slice(), [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)])
        })
}

fn parse_expr(text: &str) -> Expr {
    parser(text).and_then(|mut p| p.parse_expr().map_err(|e| bad(e.to_string()))).expect("the rewrite's own SQL parses")
}

struct Rewrite<'a> {
    is_int: &'a dyn Fn(&str) -> bool,
    /// Years of every INTERVAL literal seen, added up.
    interval_years: f64,
    /// Date and timestamp literals outside 1800–2200.
    far_dates: Vec<String>,
}

impl<'a> Rewrite<'a> {
    fn new(is_int: &'a dyn Fn(&str) -> bool) -> Self {
        Rewrite { is_int, interval_years: 0.0, far_dates: Vec::new() }
    }

    /// polars adds an interval to a date in nanoseconds, which hold only the
    /// years 1678–2262: past them a date wraps round to a wrong one. So the
    /// intervals of one query add up to at most [`MAX_INTERVAL_YEARS`], and a
    /// query with intervals takes date literals within 1800–2200 only.
    fn dates_stay_in_range(&self) -> std::result::Result<(), String> {
        if self.interval_years > MAX_INTERVAL_YEARS {
            return Err(format!("查询中的时间间隔（INTERVAL）合计约 {:.0} 年，最多 {MAX_INTERVAL_YEARS} 年：更远的日期在计算中会溢出", self.interval_years));
        }
        if self.interval_years > 0.0
            && let Some(d) = self.far_dates.first()
        {
            return Err(format!("含时间间隔（INTERVAL）的查询中，日期常量应在 1800 至 2200 年之间，实为 {d}"));
        }
        Ok(())
    }
}

impl Rewrite<'_> {
    /// Whether an expression is of an integer type (as far as can be told
    /// without running it).
    fn integer(&self, e: &Expr) -> bool {
        match e {
            Expr::Value(Value::Number(n, _)) => n.bytes().all(|b| b.is_ascii_digit()),
            Expr::Identifier(i) => (self.is_int)(&i.value),
            Expr::CompoundIdentifier(parts) => parts.last().is_some_and(|i| (self.is_int)(&i.value)),
            Expr::Nested(inner) => self.integer(inner),
            Expr::UnaryOp { op: UnaryOperator::Minus | UnaryOperator::Plus, expr } => self.integer(expr),
            Expr::Cast { data_type, .. } => matches!(
                data_type,
                DataType::Int(_)
                    | DataType::Integer(_)
                    | DataType::BigInt(_)
                    | DataType::SmallInt(_)
                    | DataType::TinyInt(_)
                    | DataType::Int8(_)
                    | DataType::Int16
                    | DataType::Int32
                    | DataType::Int64
            ),
            Expr::Function(f) => {
                let n = function_name(f);
                n == "count"
                    || (matches!(n.as_str(), "sum" | "min" | "max")
                        && list_args(f).is_some_and(|l| matches!(l.args.as_slice(), [FunctionArg::Unnamed(FunctionArgExpr::Expr(a))] if self.integer(a))))
            }
            _ => false,
        }
    }

    fn function(&self, f: &mut Function) -> ControlFlow<String> {
        let name = function_name(f);
        if !is_aggregate(f) {
            return ControlFlow::Continue(());
        }
        let Some(list) = (match &mut f.args {
            FunctionArguments::List(l) => Some(l),
            _ => None,
        }) else {
            return ControlFlow::Continue(());
        };
        let distinct = list.duplicate_treatment == Some(DuplicateTreatment::Distinct);
        if name == "count"
            && !distinct
            && let [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))] = list.args.as_slice()
            && *v != Value::Null
        {
            // COUNT(1) counts the rows, as COUNT(*) does.
            list.args = vec![FunctionArg::Unnamed(FunctionArgExpr::Wildcard)];
            return ControlFlow::Continue(());
        }
        for a in &list.args {
            if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a
                && !names_column(e)
            {
                return ControlFlow::Break(format!(
                    "聚合函数 {}({e}) 的参数没有引用任何列：它不会逐行计算；计数请用 COUNT(*)，求和等请写列名",
                    name.to_uppercase()
                ));
            }
        }
        ControlFlow::Continue(())
    }

    /// COUNT(*) in a query that names no column: counted over a column
    /// made for it, so that polars aggregates once (see the module docs).
    fn count_rows_once(&self, select: &mut Select) {
        let plain_group = matches!(&select.group_by, GroupByExpr::Expressions(e, m) if e.is_empty() && m.is_empty());
        if select.from.is_empty() || !plain_group || select.having.is_some() {
            return;
        }
        let mut counts = false;
        for item in &select.projection {
            let e = match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
                _ => return,
            };
            if names_column(e) {
                return;
            }
            counts |= Visit::visit(e, &mut CountStars).is_break();
        }
        if !counts {
            return;
        }
        let from: Vec<String> = select.from.iter().map(|f| f.to_string()).collect();
        let filter = select.selection.take().map(|w| format!(" WHERE {w}")).unwrap_or_default();
        let rows = format!("(SELECT 1 AS {ROW_MARK} FROM {}{filter}) AS {ROW_MARK}s", from.join(", "));
        let mut p = parser(&format!("SELECT 1 FROM {rows}")).expect("the rewrite's own SQL parses");
        let sel = p.parse_select().expect("the rewrite's own SQL parses");
        select.from = sel.from;
        let mut marks = MarkCounts;
        for item in &mut select.projection {
            let _ = VisitMut::visit(item, &mut marks);
        }
    }
}

struct CountStars;

impl Visitor for CountStars {
    type Break = ();
    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        match e {
            Expr::Function(f) if is_count_star(f) => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    }
}

/// COUNT(*) → COUNT(the row mark).
struct MarkCounts;

impl VisitorMut for MarkCounts {
    type Break = ();
    fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        if let Expr::Function(f) = e
            && is_count_star(f)
        {
            *e = parse_expr(&format!("COUNT({ROW_MARK})"));
        }
        ControlFlow::Continue(())
    }
}

impl VisitorMut for Rewrite<'_> {
    type Break = String;

    fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<String> {
        match e {
            Expr::Value(Value::Number(n, _)) if n.bytes().all(|b| b.is_ascii_digit()) && n.parse::<u64>().map_or(true, |v| v > MAX_EXACT_INT) => {
                return ControlFlow::Break(format!("整数常量 {n} 超出范围（绝对值最大 2^53 = {MAX_EXACT_INT}）"));
            }
            Expr::Function(f) => self.function(f)?,
            Expr::Interval(iv) => self.interval_years += interval_years(iv)?,
            Expr::TypedString { data_type: DataType::Date | DataType::Timestamp(..) | DataType::Datetime(_), value } => {
                let y: Option<i32> = value.to_string().trim_matches('\'').get(..4).and_then(|y| y.parse().ok());
                if y.is_none_or(|y| !(1800..=2200).contains(&y)) {
                    self.far_dates.push(value.to_string());
                }
            }
            Expr::BinaryOp { left, op: BinaryOperator::Multiply | BinaryOperator::Divide, right }
                if matches!(left.as_ref(), Expr::Interval(_)) || matches!(right.as_ref(), Expr::Interval(_)) =>
            {
                return ControlFlow::Break("时间间隔（INTERVAL）不能乘除：请直接写出所需的间隔".into());
            }
            Expr::BinaryOp { left, op, right } => match op {
                BinaryOperator::Divide | BinaryOperator::Modulo | BinaryOperator::DuckIntegerDivide | BinaryOperator::MyIntegerDivide => {
                    // Division by zero is NULL, as in SQL (polars gave 0).
                    **right = parse_expr(&format!("NULLIF({right}, 0)"));
                }
                BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply if self.integer(left) && self.integer(right) => {
                    // Integers in double precision: exact to 2^53, never wrapping.
                    **left = parse_expr(&format!("CAST({left} AS DOUBLE)"));
                    **right = parse_expr(&format!("CAST({right} AS DOUBLE)"));
                }
                _ => {}
            },
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, q: &mut Query) -> ControlFlow<String> {
        fn each_select(body: &mut SetExpr, rw: &Rewrite) {
            match body {
                SetExpr::Select(s) => rw.count_rows_once(s),
                SetExpr::SetOperation { left, right, .. } => {
                    each_select(left, rw);
                    each_select(right, rw);
                }
                _ => {}
            }
        }
        each_select(&mut q.body, self);
        ControlFlow::Continue(())
    }
}
