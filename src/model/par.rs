//! Data parallelism behind the `parallel` feature (rayon, native builds). The
//! WebAssembly builds run the same code on one thread. Results never depend on
//! the number of threads: work is split the same way and gathered in order.

/// `f` over each item, results in the items' order.
pub fn map<'a, T: Sync, R: Send>(items: &'a [T], f: impl Fn(&'a T) -> R + Sync + Send) -> Vec<R> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter().map(f).collect()
    }
}

/// `f(row index, row, scratch)` over each `width`-long row of `buf`, with one
/// scratch value per worker made by `init`.
pub fn rows_mut<T: Send, S>(buf: &mut [T], width: usize, init: impl Fn() -> S + Sync + Send, f: impl Fn(usize, &mut [T], &mut S) + Sync + Send) {
    if width == 0 {
        return;
    }
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        // Rows in groups, so that a task is worth its scheduling.
        let group = 256;
        buf.par_chunks_mut(width * group).enumerate().for_each_init(init, |s, (g, rows)| {
            for (i, row) in rows.chunks_mut(width).enumerate() {
                f(g * group + i, row, s);
            }
        });
    }
    #[cfg(not(feature = "parallel"))]
    {
        let mut s = init();
        for (i, row) in buf.chunks_mut(width).enumerate() {
            one_row(&f, i, row, &mut s);
        }
    }
}

/// One row of [`rows_mut`] on one thread, a call of its own (never inlined
/// into the loop over rows). WebAssembly engines replace a function's
/// baseline code with optimised code only for calls made after it is ready:
/// a loop over every cadre inside one call would run baseline code to the
/// end, as the first reserves after a load did (2.5× their warm time under
/// Node); a call per row picks up the optimised code after a few hundred rows.
#[cfg(not(feature = "parallel"))]
#[inline(never)]
fn one_row<T, S>(f: &impl Fn(usize, &mut [T], &mut S), i: usize, row: &mut [T], s: &mut S) {
    f(i, row, s)
}

/// Runs `f` on each item in place.
pub fn each_mut<T: Send>(items: &mut [T], f: impl Fn(&mut T) + Sync + Send) {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_iter_mut().for_each(f);
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter_mut().for_each(f);
    }
}
