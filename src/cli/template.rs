//! `zhichu template`: write the import template (导入模板) — every table as a
//! sheet with Chinese headers (required ones in red), an example row,
//! dropdowns for fixed values, and a 说明 sheet.

use super::{EXIT_IO, Fail, write};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the workbook, e.g. 模板.xlsx.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    let bytes = zhichu::template::template_xlsx().map_err(|e| Fail(EXIT_IO, format!("xlsx: {e}")))?;
    write(&a.out, &bytes)?;
    eprintln!("wrote the import template to {}", a.out.display());
    Ok(0)
}
