#![allow(dead_code)]
use std::path::{Path, PathBuf};
use zhichu::ingest::{self, LoadOptions, Loaded, SourceFile};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Reads a fixture file, or every file of a fixture folder.
pub fn files(name: &str) -> Vec<SourceFile> {
    let p = fixture(name);
    let paths: Vec<PathBuf> = if p.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()).collect();
        v.sort();
        v
    } else {
        vec![p]
    };
    paths
        .into_iter()
        .map(|p| SourceFile { name: p.file_name().unwrap().to_string_lossy().into(), bytes: std::fs::read(&p).unwrap() })
        .collect()
}

pub fn load(names: &[&str]) -> Loaded {
    let all: Vec<SourceFile> = names.iter().flat_map(|n| files(n)).collect();
    ingest::load(&all, &LoadOptions::default())
}

pub fn day(s: &str) -> zhichu::model::Day {
    zhichu::model::date::parse(s).unwrap()
}

/// A zip of the given parts, deflated (an .ods keeps its mimetype first and
/// uncompressed, as the format requires).
pub fn zipped(parts: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        let method = if *name == "mimetype" { zip::CompressionMethod::Stored } else { zip::CompressionMethod::Deflated };
        z.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(method)).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}
