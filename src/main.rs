//! `zhichu`: the native command line over the same library the browser uses.
//!
//! Exit codes: 0 success; 1 `validate` found errors; 2 bad arguments;
//! 3 the cadre (or unit) asked for is not in the data; 4 an input or output
//! path could not be read or written.

mod cli;

/// mimalloc rather than the system's malloc: see Cargo.toml (fewer page
/// faults on big loads; ~40% faster load of the m city on this machine).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Piped into `head` or `less`: stop quietly when the reader goes away,
    // as command-line tools do, instead of panicking on a broken pipe.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(cli::run());
}
