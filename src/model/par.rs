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
            f(i, row, &mut s);
        }
    }
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
