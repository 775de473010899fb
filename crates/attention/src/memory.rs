//! Peak heap memory, measured by a counting global allocator.
//!
//! A program that wants measured peaks installs [`CountingAllocator`] as its
//! global allocator (the `hw6` binary does):
//!
//! ```
//! #[global_allocator]
//! static ALLOC: hw6_attention::CountingAllocator = hw6_attention::CountingAllocator;
//!
//! fn main() {
//!     let (buffer, heap) = hw6_attention::measure_heap(|| vec![1u8; 1 << 20]);
//!     assert_eq!(buffer.len(), 1 << 20);
//!     assert!(heap.expect("installed").largest_block_bytes >= 1 << 20);
//! }
//! ```
//!
//! It forwards every call to the system allocator and keeps the number of live
//! bytes, their high-water mark and the largest single block. [`measure_heap`]
//! reports how far the live bytes rose above their level at the start of a
//! closure, and the largest block allocated meanwhile: every allocation made
//! while it runs, on any thread (candle's worker threads included), is
//! counted. Without the allocator installed it reports `None`.
//!
//! The peak includes the matrix-product kernels' per-thread buffers, so it
//! differs between machines; the largest block and the peak's growth with `N`
//! show whether a buffer grows with `N²`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The system allocator plus counters of live and peak bytes.
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingAllocator;

fn grew(bytes: usize, block: usize) {
    LARGEST.fetch_max(block, Ordering::Relaxed);
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
            grew(layout.size(), layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            INSTALLED.store(true, Ordering::Relaxed);
            grew(layout.size(), layout.size());
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
                grew(new_size - layout.size(), new_size);
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

/// Heap use of one measured closure, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapUse {
    /// How far the live bytes rose above their level at the start.
    pub peak_bytes: u64,
    /// The largest single block allocated (or grown to by `realloc`).
    pub largest_block_bytes: u64,
}

/// Runs `f` and returns its result with its [`HeapUse`] (`None` if the
/// counting allocator is not installed). Other threads allocating at the
/// same time are counted too, so measure with nothing else running in the
/// process.
pub fn measure_heap<T>(f: impl FnOnce() -> T) -> (T, Option<HeapUse>) {
    let start = LIVE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    LARGEST.store(0, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed);
    let largest = LARGEST.load(Ordering::Relaxed);
    let used = counting_allocator_installed().then(|| HeapUse {
        peak_bytes: peak.saturating_sub(start) as u64,
        largest_block_bytes: largest as u64,
    });
    (out, used)
}
