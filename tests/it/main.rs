//! The integration tests, one binary: each test binary links the whole crate
//! (with polars), so one link instead of one per file (the wasm bindings'
//! tests stay in `tests/wasm.rs`, run by `wasm-pack test`). One module per
//! concern; `cargo test --test it <module>::` runs one of them.
#![cfg(not(target_arch = "wasm32"))]

mod common;

mod analysis;
mod analytics;
mod cli;
mod demo;
mod engine;
mod exports;
mod fuzz;
mod fuzz_bounds;
mod hardening;
mod ingest;
mod layout;
mod model;
mod modules;
mod package;
mod parallel;
mod planning;
mod workbooks;
