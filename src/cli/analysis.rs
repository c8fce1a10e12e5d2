//! What `zhichu pivot` and `zhichu query` share: how a result is shown or
//! written (`--format table|csv|json|parquet|xlsx`, `--out FILE`).

use super::term::{out, out_part, pad, width};
use super::{EXIT_USAGE, Fail, write};
use std::path::PathBuf;
use zhichu::Engine;
use zhichu::analysis::{Analysis, Cell};
use zhichu::engine::questions::{Answer, Question};
use zhichu::export::Format;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    Table,
    Csv,
    Json,
    Parquet,
    Xlsx,
}

#[derive(clap::Args)]
pub struct Out {
    /// table (terminal), csv, json, parquet or xlsx; parquet and xlsx need --out.
    #[arg(long, value_enum, default_value_t = Shape::Table)]
    format: Shape,
    /// Write the whole result to this file instead of printing it.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl Out {
    pub fn json(&self) -> bool {
        self.format == Shape::Json
    }

    /// Shows the first rows, or computes the whole result once and writes it.
    pub fn emit(&self, e: &mut Engine, req: Question) -> Result<i32, Fail> {
        let format = match (self.format, &self.out) {
            (Shape::Parquet | Shape::Xlsx, None) => return Err(Fail(EXIT_USAGE, "--format parquet and xlsx write a file: add --out FILE".into())),
            (Shape::Table, Some(_)) => return Err(Fail(EXIT_USAGE, "--out needs --format csv, json, parquet or xlsx".into())),
            (Shape::Table | Shape::Json, None) => {
                let shown = frame(e.ask(req)?);
                match self.format {
                    Shape::Json => println!("{}", serde_json::to_string_pretty(&shown).expect("serialisable")),
                    _ => table(&shown),
                }
                return Ok(0);
            }
            (Shape::Json, Some(p)) => return write(p, serde_json::to_string_pretty(&e.whole(req)?).expect("serialisable").as_bytes()).map(|_| 0),
            (Shape::Csv, _) => Format::Csv,
            (Shape::Parquet, _) => Format::Parquet,
            (Shape::Xlsx, _) => Format::Xlsx,
        };
        let bytes = e.export(req, format)?;
        match &self.out {
            Some(p) => write(p, &bytes).map(|_| 0),
            None => {
                print!("{}", String::from_utf8_lossy(&bytes).trim_start_matches('\u{feff}'));
                Ok(0)
            }
        }
    }
}

/// A pivot's or a query's result.
fn frame(a: Answer) -> Analysis {
    match a {
        Answer::Pivot(a) | Answer::Sql(a) => a,
        _ => unreachable!("pivot and query are asked as such"),
    }
}

fn show(c: &Cell) -> String {
    match c {
        Cell::Num(x) if x.fract() != 0.0 => format!("{x:.2}"),
        other => other.text(),
    }
}

fn table(a: &Analysis) {
    let mut rows: Vec<Vec<String>> = a.rows.iter().map(|r| r.iter().map(show).collect()).collect();
    if let Some(t) = &a.totals {
        rows.push(t.iter().map(show).collect());
    }
    let w: Vec<usize> =
        a.columns.iter().enumerate().map(|(j, c)| rows.iter().map(|r| width(&r[j])).chain([width(&c.name)]).max().unwrap_or(1).min(40)).collect();
    for (j, c) in a.columns.iter().enumerate() {
        out_part!("{}  ", pad(&c.name, w[j]));
    }
    out!("");
    for r in &rows {
        for (j, v) in r.iter().enumerate() {
            let numeric = matches!(a.columns[j].dtype, "f64" | "int");
            if numeric {
                out_part!("{}{}  ", " ".repeat(w[j].saturating_sub(width(v))), v);
            } else {
                out_part!("{}  ", pad(v, w[j]));
            }
        }
        out!("");
    }
    if a.truncated {
        out!("（共 {} 行，仅显示前 {} 行；--out 导出全部）", a.total_rows, a.rows.len());
    }
}
