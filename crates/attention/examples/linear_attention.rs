//! Linear attention in a few lines: equation (5) with the elu+1 feature map
//! gives the same output as kernel attention (equation (3)) with the kernel
//! `φ(q)·φ(k)`, and the cost model says when it is the cheaper one.
//!
//! `cargo run -p hw6-attention --example linear_attention`

use hw6_attention::prelude::*;
use hw6_attention::{Result, dot};

fn main() -> Result<()> {
    // Seeded inputs: N = 200 queries and keys of width D = 8, values of width M = 4.
    let (n, d, m) = (200, 8, 4);
    let (q, k, v) = random_qkv(n, d, m, 0)?;

    // Equation (5): φ(Q) (φ(K)ᵀ V) / φ(Q) (φ(K)ᵀ 1), no N x N matrix.
    let fast = linear_attention(&q, &k, &v, &EluPlusOne)?;
    // Equation (3) with the same kernel: every one of the N x N similarities.
    let slow = kernel_attention(&q, &k, &v, elu_similarity, Masking::Full)?;
    let diff = (&fast - &slow)?.abs()?.max_all()?.to_scalar::<f32>()?;
    println!("linear vs kernel attention, N = {n}: max |difference| = {diff:.2e}");

    // A feature map is one function per row; any closure can be one.
    let shifted = FeatureFn::new("x + 3", |x: &[f32]| x.iter().map(|v| v + 3.0).collect());
    let (q0, k0) = ([0.5f32, -1.0], [2.0f32, 0.25]);
    println!(
        "shifted features: phi(q).phi(k) = {:.4}",
        feature_similarity(&shifted)(&q0, &k0)
    );

    // Softmax attention is kernel attention with exp(q.k / sqrt(D)), and a
    // plain dot product is no kernel: equation (3) rejects it by name.
    let softmax = softmax_attention(&q, &k, &v)?;
    println!("softmax output shape {:?}", softmax.dims());
    if let Err(e) = kernel_attention(&q, &k, &v, dot, Masking::Full) {
        println!("plain q.k as similarity: {e}");
    }

    // Predicted multiply-adds as N grows.
    for n in [64, 256, 1024, 4096] {
        let flops = |method: AttentionMethod| method.predicted_flops(n, d, m);
        println!(
            "N = {n:>5}: softmax {:>12.0}, linear (elu+1) {:>12.0} multiply-adds",
            flops(AttentionMethod::Softmax),
            flops(AttentionMethod::LinearElu)
        );
    }
    Ok(())
}
