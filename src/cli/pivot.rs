//! `zhichu pivot`: 数据透视 over the analysis tables — rows × a column
//! field, one measure and its aggregation, filters, with totals.

use super::analysis::Out;
use super::{DataArgs, Fail, engine};
use zhichu::analysis::PivotRequest;
use zhichu::analytics::Model;
use zhichu::engine::questions::Question;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    model: Model,
    #[command(flatten)]
    req: PivotRequest,
    #[command(flatten)]
    out: Out,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    let mut e = engine(&a.data, &a.model)?;
    a.out.emit(&mut e, Question::Pivot(a.req))
}
