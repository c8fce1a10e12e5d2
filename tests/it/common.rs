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
    paths.into_iter().map(|p| SourceFile { name: p.file_name().unwrap().to_string_lossy().into(), bytes: std::fs::read(&p).unwrap() }).collect()
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

/// A damaged copy of `bytes`: a few bytes flipped, cut short, a run set to
/// 0xFF (huge sizes and counts), or a slice duplicated.
pub fn mutate(rng: &mut rand_chacha::ChaCha8Rng, bytes: &[u8]) -> Vec<u8> {
    use rand::Rng;
    let mut b = bytes.to_vec();
    match rng.gen_range(0..4) {
        // Flip a few bytes anywhere (headers, sizes, compressed data).
        0 => {
            for _ in 0..rng.gen_range(1..8) {
                let i = rng.gen_range(0..b.len());
                b[i] = rng.r#gen();
            }
        }
        // Cut the file short.
        1 => b.truncate(rng.gen_range(0..b.len())),
        // Overwrite a run with 0xFF (huge sizes and counts).
        2 => {
            let i = rng.gen_range(0..b.len());
            let n = rng.gen_range(1..16).min(b.len() - i);
            b[i..i + n].fill(0xFF);
        }
        // Duplicate a slice in the middle.
        _ => {
            let i = rng.gen_range(0..b.len());
            let j = rng.gen_range(i..b.len().min(i + 512));
            let slice = b[i..j].to_vec();
            b.splice(i..i, slice);
        }
    }
    b
}
