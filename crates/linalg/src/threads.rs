//! How many threads the numeric work may use: the matrix products of
//! `product.rs`, and work that runs beside them ([`single_threaded`]).

/// Number of threads the matrix products may use (2 on the course machine).
///
/// Taken from `HW6_THREADS`, else `RAYON_NUM_THREADS`, else the number of
/// available cores; products smaller than about two million multiply-adds
/// run on one thread because handing work to another costs more than it
/// saves.
pub fn num_threads() -> usize {
    use std::sync::OnceLock;
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| {
        for var in ["HW6_THREADS", "RAYON_NUM_THREADS"] {
            if let Some(n) = std::env::var(var)
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
                .filter(|&n| n > 0)
            {
                return n;
            }
        }
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

/// Products with fewer multiply-adds than this (2^21, about two million: a
/// `100 x 256 x 100` product is split, a `100 x 100 x 100` one is not) run on
/// one thread (`HW6_PARALLEL_MIN_MACS` overrides it, for measuring).
pub(crate) fn parallel_min_macs() -> usize {
    use std::sync::OnceLock;
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| {
        std::env::var("HW6_PARALLEL_MIN_MACS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1 << 21)
    })
}

thread_local! {
    static SINGLE_THREADED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `f` with every matrix product of this thread on this thread alone
/// (for work that runs beside another thread that has the other core).
pub fn single_threaded<R>(f: impl FnOnce() -> R) -> R {
    let before = SINGLE_THREADED.with(|c| c.replace(true));
    let out = f();
    SINGLE_THREADED.with(|c| c.set(before));
    out
}

/// How many threads a piece of work of `macs` multiply-adds should be
/// shared between: all of them ([`num_threads`]) from
/// [`parallel_min_macs`] on, except inside [`single_threaded`]; else 1.
pub fn threads_for(macs: usize) -> usize {
    let threads = num_threads();
    if threads > 1 && macs >= parallel_min_macs() && !SINGLE_THREADED.with(|c| c.get()) {
        threads
    } else {
        1
    }
}
