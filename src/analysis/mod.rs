//! 自助分析: self-service pivots and SQL over the training data, on polars,
//! with Parquet in and out (feature `analysis`; the lean web module and the
//! mini-program leave it off).
//!
//! - [`tables`]: the analysis tables (`records`, `record_dims`, `reserves`,
//!   the entity tables) built from the engine's dataset at an as-of date;
//! - [`query`]: the pivot (数据透视), SQL, and the one result shape;
//! - Parquet out through [`crate::parquet`] (below both this module and ingest).
//!
//! The profiles stay with the hand-built engine (faster there); the numbers
//! here come from the same model and snapshot, so `reserves` equals every
//! profile and `record_dims.contribution` sums to the evidence.

pub mod guard;
pub mod query;
pub mod tables;

use crate::analytics::{Model, Snapshot};
use crate::error::{Code, Error, Result};
use crate::export::Format;
use crate::model::Dataset;
pub use query::{Analysis, Cell, PivotRequest, SqlRequest};
pub use tables::{TableInfo, Tables};

/// The stack a query or pivot runs on natively. Expressions are bounded by
/// [`guard::MAX_OPERATORS`]; polars plans and evaluates them recursively,
/// and at that bound a debug build overflowed 1 MB and passed with 16 MB.
#[cfg(not(target_arch = "wasm32"))]
const DEEP_STACK: usize = 64 << 20;

/// Runs `f` on a stack deep enough for any expression the guard lets
/// through: natively a thread of its own with [`DEEP_STACK`]; in
/// WebAssembly the module's stack (the analysis module is linked with a
/// larger one, see `./dev`).
/// A panic inside polars ends the query with an error natively (in
/// WebAssembly it traps, and the page restarts its engine).
fn deep<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|s| {
            let t = std::thread::Builder::new().name("zhichu-analysis".into()).stack_size(DEEP_STACK).spawn_scoped(s, f).expect("a thread for the query");
            t.join().unwrap_or_else(|_| Err(Error::new(Code::AnalysisFailed, "查询执行时出错（polars 内部错误），查询未完成；请简化查询或换一种写法")))
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        f()
    }
}

fn polars_failure(e: polars::error::PolarsError) -> Error {
    Error::new(Code::AnalysisFailed, format!("分析表构建失败：{e}"))
}

/// The analysis session: the tables built at the last date and model asked
/// for, kept between questions. The engine holds one beside its dataset and
/// hands it the dataset and the snapshot; this module knows nothing of the
/// engine (the arrow points from the engine to here).
#[derive(Default)]
pub struct Session {
    tables: Option<Tables>,
}

impl Session {
    /// The tables at `snap`'s date and `model` (built once per date and
    /// model), with the wide tables among `names` built.
    fn tables(&mut self, ds: &Dataset, snap: &Snapshot, model: Model, names: &[&str]) -> Result<&Tables> {
        if self.tables.as_ref().is_none_or(|t| t.as_of != snap.as_of || t.model != model) {
            self.tables = None;
            self.tables = Some(Tables::build(ds, snap).map_err(polars_failure)?);
        }
        let t = self.tables.as_mut().expect("just built");
        t.ensure(ds, snap, names).map_err(polars_failure)?;
        Ok(t)
    }

    /// Every analysis table with its columns (name, type, meaning) and row count.
    pub fn table_info(&mut self, ds: &Dataset, snap: &Snapshot, model: Model) -> Result<Vec<TableInfo>> {
        self.tables(ds, snap, model, &[])?.info(ds, snap).map_err(polars_failure)
    }

    /// A pivot (数据透视), every row: within the units `subtree` and the
    /// years `years` when given (the engine resolves them from the request).
    pub fn pivot(
        &mut self,
        ds: &Dataset,
        snap: &Snapshot,
        model: Model,
        req: &PivotRequest,
        subtree: Option<Vec<String>>,
        years: Option<(i32, i32)>,
    ) -> Result<Analysis> {
        let t = self.tables(ds, snap, model, &[req.table.trim()])?;
        deep(|| query::pivot(t, req, subtree, years))
    }

    /// A read-only SQL query, every row.
    pub fn sql(&mut self, ds: &Dataset, snap: &Snapshot, model: Model, query: &str) -> Result<Analysis> {
        let names = deep(|| Ok(query::mentioned(query)))?;
        let t = self.tables(ds, snap, model, &names)?;
        deep(|| query::sql(t, query))
    }
}

/// A result as the bytes of a file.
pub fn write(a: &Analysis, format: Format) -> Result<Vec<u8>> {
    let io = |e: String| Error::new(Code::Export, format!("导出失败：{e}"));
    match format {
        Format::Csv => {
            let header = a.header();
            let h: Vec<&str> = header.iter().map(String::as_str).collect();
            Ok(crate::export::csv_table(&h, &a.text_rows()))
        }
        Format::Parquet => {
            let mut df = query::to_frame(a).map_err(|e| io(e.to_string()))?;
            crate::parquet::write(&mut df).map_err(|e| io(e.to_string()))
        }
        Format::Xlsx => xlsx(a).map_err(|e| io(e.to_string())),
    }
}

fn xlsx(a: &Analysis) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use crate::export::escape_cell;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("分析")?;
    for (j, c) in a.columns.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, escape_cell(&c.name), &bold)?;
    }
    let mut rows: Vec<(&Vec<Cell>, bool)> = a.rows.iter().map(|r| (r, false)).collect();
    if let Some(t) = &a.totals {
        rows.push((t, true));
    }
    for (i, (row, total)) in rows.into_iter().enumerate() {
        let r = i as u32 + 1;
        for (j, v) in row.iter().enumerate() {
            let j = j as u16;
            match v {
                Cell::Null => {}
                Cell::Num(x) => {
                    ws.write_number(r, j, *x)?;
                }
                Cell::Int(x) => {
                    ws.write_number(r, j, *x as f64)?;
                }
                Cell::Bool(_) | Cell::Text(_) if total => {
                    ws.write_string_with_format(r, j, escape_cell(&v.text()), &bold)?;
                }
                _ => {
                    ws.write_string(r, j, escape_cell(&v.text()))?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}
