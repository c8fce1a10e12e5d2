//! `zhichu query`: read-only SQL (polars SQL) over the analysis tables.

use super::analysis::Out;
use super::term::out;
use super::{DataArgs, Fail, engine};
use zhichu::analysis::SqlRequest;
use zhichu::analytics::Model;
use zhichu::engine::questions::Question;
use zhichu::engine::requests::AsOfRequest;

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
    /// List the tables and their columns instead (with --format json: as JSON).
    #[arg(long)]
    tables: bool,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    let mut e = engine(&a.data, &a.model)?;
    if a.tables {
        let answer = e.ask(Question::AnalysisTables(AsOfRequest { as_of: a.req.as_of.clone() }))?;
        let t = answer.analysis_tables().expect("the tables asked for");
        if a.out.json() {
            println!("{}", serde_json::to_string_pretty(&t).expect("serialisable"));
        } else {
            for t in t {
                out!("{}（{} 行）：{}", t.name, t.rows, t.doc);
                for c in &t.columns {
                    out!("  {:<16} {:<5} {}", c.name, c.dtype, c.doc);
                }
            }
        }
        return Ok(0);
    }
    a.out.emit(&mut e, Question::Sql(a.req))
}
