//! Peak heap memory, measured by a counting global allocator.
//!
//! A program that wants measured peaks installs [`CountingAllocator`] as its
//! global allocator (the `hw6` binary does):
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: hw6_attention::memory::CountingAllocator = hw6_attention::memory::CountingAllocator;
//! ```
//!
//! It forwards every call to the system allocator and keeps the number of live
//! bytes and their high-water mark. [`measure_peak`] reports how far the live
//! bytes rose above their level at the start of a closure: every allocation
//! made while it runs, on any thread (candle's worker threads included), is
//! counted. Without the allocator installed it reports `None`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The system allocator plus counters of live and peak bytes.
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingAllocator;

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the same arguments and only
// adds atomic bookkeeping, so `System`'s guarantees carry over.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            INSTALLED.store(true, Ordering::Relaxed);
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            INSTALLED.store(true, Ordering::Relaxed);
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// Whether [`CountingAllocator`] is this process's global allocator.
pub fn counting_allocator_installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Runs `f` and returns its result with the peak heap growth, in bytes, above
/// the live bytes at the start (`None` if the counting allocator is not
/// installed). Other threads allocating at the same time are counted too, so
/// measure with nothing else running in the process.
pub fn measure_peak<T>(f: impl FnOnce() -> T) -> (T, Option<u64>) {
    let start = LIVE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed);
    let grown = counting_allocator_installed().then(|| peak.saturating_sub(start) as u64);
    (out, grown)
}
