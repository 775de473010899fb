//! With the counting allocator installed, linear attention never allocates an
//! N x N buffer, and softmax attention does.

use hw6_attention::memory::CountingAllocator;
use hw6_attention::prelude::*;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

#[test]
fn linear_attention_allocates_no_n_by_n_matrix() {
    let (n, d, m) = (2048, 8, 8);
    let (q, k, v) = random_qkv(n, d, m, 0).unwrap();
    let nn_bytes = (n * n * 4) as u64;
    let (out, peak) = measure_peak(|| linear_attention(&q, &k, &v, &QuadraticFeatures));
    out.unwrap();
    let peak = peak.expect("allocator installed");
    assert!(
        peak < nn_bytes / 4,
        "linear peak {peak} bytes vs N^2 floats {nn_bytes}"
    );
    let (out, peak) = measure_peak(|| softmax_attention(&q, &k, &v));
    out.unwrap();
    assert!(
        peak.unwrap() >= nn_bytes,
        "softmax must hold the N x N scores"
    );
    assert!(counting_allocator_installed());
}
