//! Softmax attention, equation (2) of the homework:
//!
//! `V' = softmax(Q Kᵀ / sqrt(D)) V`, the softmax taken along each row.
//!
//! The `N x L` scores `Q Kᵀ` and their softmax are materialised (a backward
//! pass would keep them). What that costs as `N` grows is part 3(c) i;
//! `hw6 attention` and the notebook measure it.

use crate::error::Result;
use crate::shapes::{check_causal, check_qkv};
use candle_core::Tensor;

/// The `N x L` attention weights `softmax(Q Kᵀ / sqrt(D))`: each row is
/// non-negative and sums to 1.
///
/// # Shapes
/// `q: (N, D)`, `k: (L, D)` -> `(N, L)`.
pub fn softmax_weights(q: &Tensor, k: &Tensor) -> Result<Tensor> {
    let dims = check_qkv(q, k, k)?;
    // Scale Q (N x D) rather than the scores (N x L): same numbers, one
    // fewer N x L buffer.
    let scores = (q / (dims.d as f64).sqrt())?.matmul(&k.t()?)?;
    Ok(candle_nn::ops::softmax_last_dim(&scores)?)
}

/// Softmax attention, equation (2).
///
/// # Shapes
/// `q: (N, D)`, `k: (L, D)`, `v: (L, M)` -> `(N, M)`, through two `(N, L)`
/// buffers (the scores and their softmax).
pub fn softmax_attention(q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
    check_qkv(q, k, v)?;
    let weights = softmax_weights(q, k)?;
    Ok(weights.matmul(v)?)
}

/// Causal softmax attention: query `i` attends to keys `0..=i` only (the
/// scores above the diagonal are set to minus infinity before the softmax).
///
/// # Shapes
/// `q: (N, D)`, `k: (N, D)`, `v: (N, M)` -> `(N, M)`.
///
/// The masked half of the scores is still computed and stored.
pub fn causal_softmax_attention(q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
    let dims = check_causal(q, k, v)?;
    let n = dims.n;
    let bias: Vec<f32> = (0..n * n)
        .map(|ij| {
            if ij % n <= ij / n {
                0.0
            } else {
                f32::NEG_INFINITY
            }
        })
        .collect();
    let bias = Tensor::from_vec(bias, (n, n), q.device())?;
    let scores = (q / (dims.d as f64).sqrt())?.matmul(&k.t()?)?;
    let weights = candle_nn::ops::softmax_last_dim(&(scores + bias)?)?;
    Ok(weights.matmul(v)?)
}
