//! `zhichu query`: read-only SQL (polars SQL) over the analysis tables.

use super::analysis::Out;
use super::{engine, DataArgs, Fail};
use zhichu::analysis::{AnalysisRequest, SqlRequest};
use zhichu::analytics::Model;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    model: Model,
    #[command(flatten)]
    req: SqlRequest,
    #[command(flatten)]
    out: Out,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    let mut e = engine(&a.data, &a.model)?;
    let shown = e.sql(&a.req)?;
    a.out.emit(&mut e, AnalysisRequest::Sql(a.req), &shown)
}
