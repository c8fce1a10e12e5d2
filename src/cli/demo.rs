//! `zhichu demo`: write the demo city (synthetic) as files — CSV (UTF-8 or
//! GBK, Chinese or English headers), one xlsx workbook, one JSON file, or
//! Parquet (one file per table).

use super::{EXIT_IO, Fail, parse_scale, write};
use std::path::PathBuf;
use zhichu::demo::export::{self, Encoding, Headers};

#[derive(clap::Args)]
pub struct Args {
    /// s (~1k cadres), m (~20k cadres, ~600k records), l (~200k cadres, ~6M records), xl (~1M cadres, ~32M records; CSV is written as generated, never held whole).
    #[arg(long, default_value = "m")]
    scale: String,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Column headers and CSV file names: zh (干部编号, 干部.csv) or en (cadre_id, cadres.csv).
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    headers: Lang,
    /// CSV text encoding: utf8 (with BOM, for Excel) or gbk.
    #[arg(long, value_enum, default_value_t = Enc::Utf8)]
    encoding: Enc,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Csv,
    Xlsx,
    Json,
    /// One Parquet file per table, English column names, typed columns.
    #[cfg(feature = "analysis")]
    Parquet,
}
#[derive(Clone, Copy, clap::ValueEnum)]
enum Lang {
    Zh,
    En,
}
#[derive(Clone, Copy, clap::ValueEnum)]
enum Enc {
    Utf8,
    Gbk,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    let scale = parse_scale(&a.scale)?;
    let h = match a.headers {
        Lang::Zh => Headers::Chinese,
        Lang::En => Headers::English,
    };
    let enc = match a.encoding {
        Enc::Utf8 => Encoding::Utf8Bom,
        Enc::Gbk => Encoding::Gbk,
    };
    std::fs::create_dir_all(&a.out).map_err(|e| Fail(EXIT_IO, format!("cannot create {}: {e}", a.out.display())))?;
    if let Format::Csv = a.format {
        // The records are written as they are generated, a cadre at a time (the same bytes).
        let w = export::write_demo_csv(scale, zhichu::demo::generate::DEFAULT_SEED, &a.out, h, enc)
            .map_err(|e| Fail(EXIT_IO, format!("cannot write {}: {e}", a.out.display())))?;
        wrote(&a, &w.dataset, w.records);
        return Ok(0);
    }
    let ds = zhichu::demo::generate(scale);
    let files: Vec<(String, Vec<u8>)> = match a.format {
        Format::Csv => unreachable!("written above"),
        Format::Json => vec![("demo.json".into(), export::json_bytes(&ds, h))],
        Format::Xlsx => vec![("demo.xlsx".into(), export::xlsx_bytes(&ds, h).map_err(|e| Fail(EXIT_IO, format!("xlsx: {e}")))?)],
        #[cfg(feature = "analysis")]
        Format::Parquet => export::csv_files(&ds, Headers::English, Encoding::Utf8Bom)
            .into_iter()
            .map(|(name, csv)| {
                let stem = name.trim_end_matches(".csv");
                let bytes = zhichu::parquet::csv_to_parquet(&String::from_utf8_lossy(&csv)).map_err(|e| Fail(EXIT_IO, format!("parquet: {e}")))?;
                Ok((format!("{stem}.parquet"), bytes))
            })
            .collect::<Result<_, Fail>>()?,
    };
    for (name, bytes) in files {
        write(&a.out.join(name), &bytes)?;
    }
    wrote(&a, &ds, ds.records.len());
    Ok(0)
}

fn wrote(a: &Args, ds: &zhichu::Dataset, records: usize) {
    eprintln!(
        "wrote the demo city (synthetic) to {}: {} units, {} cadres, {} courses, {} records, {} ratings",
        a.out.display(),
        ds.units.len(),
        ds.cadres.len(),
        ds.courses.len(),
        records,
        ds.ratings.len()
    );
}
