//! The crate's layers point one way: no top-level module of `src/` reaches
//! back to itself through the `crate::…` paths the others use (the CLI, the
//! wasm bindings and `lib.rs` sit on top and are left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Each top-level module and the top-level modules its code names as `crate::x`.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        if ["main", "lib", "cli", "wasm"].contains(&top.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let entry = deps.entry(top.clone()).or_default();
        for line in text.lines() {
            let code = line.split("//").next().unwrap();
            for (at, _) in code.match_indices("crate::") {
                let name: String = code[at + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                if !name.is_empty() && name != top {
                    entry.insert(name);
                }
            }
        }
    }
    deps
}

#[test]
fn no_module_reaches_back_to_itself() {
    let deps = dependencies();
    assert!(deps.contains_key("engine") && deps["engine"].contains("analytics"), "the scan sees the crate: {deps:?}");
    for start in deps.keys() {
        // Depth-first from each module's dependencies, keeping the path that leads back.
        let mut stack: Vec<Vec<String>> = deps[start].iter().map(|d| vec![start.clone(), d.clone()]).collect();
        let mut seen = BTreeSet::new();
        while let Some(path) = stack.pop() {
            let last = path.last().unwrap();
            assert!(last != start, "a cycle: {}", path.join(" → "));
            if !seen.insert(last.clone()) {
                continue;
            }
            for d in deps.get(last).into_iter().flatten() {
                let mut p = path.clone();
                p.push(d.clone());
                stack.push(p);
            }
        }
    }
}
