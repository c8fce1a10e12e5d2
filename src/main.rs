//! `zhichu`: the native command line over the same library the browser uses.
//!
//! Exit codes: 0 success; 1 `validate` found errors; 2 bad arguments;
//! 3 the cadre (or unit) asked for is not in the data; 4 an input or output
//! path could not be read or written.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
