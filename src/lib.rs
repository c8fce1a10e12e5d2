//! # 知储 Zhichu
//!
//! Offline cadre-training analytics. The crate is laid out by concern:
//!
//! - [`model`]: the data model (interned ids, column-wise records, weights matrix);
//! - [`ingest`]: files → validated dataset with a located error report;
//! - [`engine`]: **the API every face calls** — one object, one method per question, typed requests;
//! - `analysis` (feature `analysis`): self-service pivots and SQL, on polars;
//! - `parquet` (feature `analysis`): Parquet files checked and read (for ingest) and written (results, the demo), on polars;
//! - [`analytics`]: the knowledge-reserve model, profiles and recommendations;
//! - [`planning`]: the class planner and named assignment (调训名单);
//! - [`demo`]: the seeded synthetic demo city, and writing datasets out as files;
//! - [`export`]: tables for people (CSV, xlsx) with formula-injection escaping;
//! - [`policy`]: the rules' and windows' default values, and what the faces show of them;
//! - [`error`]: the one error type with stable codes;
//! - `wasm` (wasm32 only): the browser bindings.
//!
//! The native CLI lives in `src/main.rs` and `src/cli/`.

// Columns are parallel arrays indexed together (`w[d]`, `e[d]`, `sat[d]`):
// a loop over the index reads more plainly than zipped iterators.
#![allow(clippy::needless_range_loop)]

#[cfg(feature = "analysis")]
pub mod analysis;
pub mod analytics;
pub mod demo;
pub mod engine;
pub mod error;
pub mod export;
pub mod ingest;
pub mod model;
pub mod package;
#[cfg(feature = "analysis")]
pub mod parquet;
pub mod planning;
pub mod policy;
#[cfg(feature = "xlsx-write")]
pub mod template;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use engine::Engine;
pub use error::Error;
pub use ingest::{LoadOptions, Report, SourceFile, load};
pub use model::Dataset;
