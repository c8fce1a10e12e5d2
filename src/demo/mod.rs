//! The built-in demo city (synthetic, seeded) and writing a dataset out as files.

pub mod export;
pub mod generate;

pub use generate::{Scale, generate};
