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
