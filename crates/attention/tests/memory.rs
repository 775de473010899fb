//! With the counting allocator installed, linear attention never allocates an
//! N x N buffer, and softmax attention does.
//!
//! The property is tested in two ways that do not depend on the processor:
//! the largest single block, and how much the peak grows when N doubles (an
//! N x N buffer adds 3 N^2 floats from N to 2N). The peak itself is not
//! compared with a fixed limit: it includes gemm's per-thread packing
//! buffers, which are sized from the processor's caches.
//!
//! One test function only: the allocator counts every thread of the process,
//! so no other test may run beside it.

use candle_core::Tensor;
use hw6_attention::prelude::*;
use hw6_attention::{CountingAllocator, HeapUse, counting_allocator_installed, measure_heap};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

const D: usize = 8;
const M: usize = 8;

/// Bytes of an `n x n` matrix of `f32`.
fn square_bytes(n: usize) -> u64 {
    (n * n * 4) as u64
}

/// Heap use of one call of `attention` at sequence length `n`, measured after
/// two calls at the same size, so that buffers allocated once per thread
/// (gemm's) already exist.
fn heap_use(
    n: usize,
    attention: impl Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor, AttentionError>,
) -> HeapUse {
    let (q, k, v) = random_qkv(n, D, M, 0).unwrap();
    for _ in 0..2 {
        attention(&q, &k, &v).unwrap();
    }
    let (out, used) = measure_heap(|| attention(&q, &k, &v));
    out.unwrap();
    used.expect("the counting allocator is installed")
}

fn linear(q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor, AttentionError> {
    linear_attention(q, k, v, &QuadraticFeatures)
}

fn softmax(q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor, AttentionError> {
    softmax_attention(q, k, v)
}

#[test]
fn linear_attention_allocates_no_n_by_n_matrix() {
    let n = 4096;
    // An N x N matrix of f32 is 64 MiB at N = 4096, far above any per-thread
    // cache-sized buffer.
    let linear_n = heap_use(n, linear);
    let linear_2n = heap_use(2 * n, linear);
    eprintln!(
        "linear attention, N = {n}: {linear_n:?}; N = {}: {linear_2n:?}",
        2 * n
    );
    assert!(
        linear_n.largest_block_bytes < square_bytes(n) / 4,
        "linear attention allocated a block of {} bytes at N = {n}; an N x N matrix is {}",
        linear_n.largest_block_bytes,
        square_bytes(n)
    );
    let growth = linear_2n.peak_bytes.saturating_sub(linear_n.peak_bytes);
    assert!(
        growth < 3 * square_bytes(n) / 8,
        "linear attention's peak grew by {growth} bytes from N = {n} to {}; \
         an N x N buffer would add {}",
        2 * n,
        3 * square_bytes(n)
    );

    // The same measurements see softmax attention's N x N scores, so they
    // would catch a linear attention that built them.
    let softmax_n = heap_use(n, softmax);
    assert!(
        softmax_n.largest_block_bytes >= square_bytes(n),
        "softmax attention must hold the N x N scores in one block: {softmax_n:?}"
    );
    let half = heap_use(n / 2, softmax);
    let growth = softmax_n.peak_bytes.saturating_sub(half.peak_bytes);
    assert!(
        growth >= 3 * square_bytes(n / 2),
        "softmax attention's peak must grow by at least 3 (N/2)^2 floats from N/2 to N: {growth}"
    );
    assert!(counting_allocator_installed());
}
