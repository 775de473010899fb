//! Linear attention, equation (5) of the homework:
//!
//! `V'_i = φ(Q_i)ᵀ (Σ_j φ(K_j) V_jᵀ) / φ(Q_i)ᵀ (Σ_j φ(K_j))`
//!
//! By associativity the sums over keys do not depend on the query: the
//! `C x M` matrix `S = φ(K)ᵀ V` and the length-`C` normaliser `z = Σ_j φ(K_j)`
//! are computed once, and no `N x L` matrix is ever formed. What that saves
//! is part 3(c) ii; `hw6 attention` and the notebook measure it.

use crate::error::{AttentionError, Result};
use crate::feature_map::FeatureMap;
use crate::shapes::{check_causal, check_qkv, to_rows};
use candle_core::Tensor;

/// The normaliser of query row `row`, which must be positive and finite.
fn check_denominator(row: usize, den: f32) -> Result<()> {
    if den > 0.0 && den.is_finite() {
        Ok(())
    } else {
        Err(AttentionError::ZeroDenominator {
            row,
            value: den as f64,
        })
    }
}

/// Linear (kernelised) attention with feature map `phi`, equation (5), with
/// matrix products. It is the notebook's exercise (`my_linear_attention`),
/// so a student release has a `todo!()` here.
///
/// # Shapes
/// `q: (N, D)`, `k: (L, D)`, `v: (L, M)` -> `(N, M)`; `φ(Q): (N, C)`,
/// `φ(K): (L, C)` with `C = phi.dim(D)`.
///
/// # Errors
/// Bad shapes; a non-positive denominator `φ(Q_i)ᵀ z` names the row (cannot
/// happen with elu+1; with the quadratic map only if every similarity of
/// that query is zero). In `f32` such an exact zero can round to a tiny
/// positive number instead, which gives a large but finite output row, as
/// the formula itself would.
pub fn linear_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    phi: &(impl FeatureMap + ?Sized),
) -> Result<Tensor> {
    check_qkv(q, k, v)?;
    // BEGIN SOLUTION: equation (5) with matrix products, no N x L matrix
    let phi_q = phi.apply(q)?; // (N, C)
    let phi_k = phi.apply(k)?; // (L, C)
    let s = phi_k.t()?.matmul(v)?; // (C, M) = Σ_j φ(K_j) V_jᵀ
    let z = phi_k.sum_keepdim(0)?.t()?; // (C, 1) = Σ_j φ(K_j)
    let numerator = phi_q.matmul(&s)?; // (N, M)
    let denominator = phi_q.matmul(&z)?; // (N, 1)
    for (row, den) in to_rows(&denominator)?.into_iter().enumerate() {
        check_denominator(row, den)?;
    }
    Ok(numerator.broadcast_div(&denominator)?)
    // END SOLUTION
}

/// Causal linear attention: query `i` sees keys `0..=i`. The sums of
/// equation (5) become running sums `S_i = S_{i-1} + φ(K_i) V_iᵀ` and
/// `z_i = z_{i-1} + φ(K_i)`, updated once per position, row by row (this is
/// how linear attention runs as an RNN).
///
/// # Shapes
/// `q: (N, D)`, `k: (N, D)`, `v: (N, M)` -> `(N, M)`; only the current
/// `S_i: (C, M)` and `z_i: (C,)` are kept.
pub fn causal_linear_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    phi: &(impl FeatureMap + ?Sized),
) -> Result<Tensor> {
    let dims = check_causal(q, k, v)?;
    let c = phi.dim(dims.d);
    let m = dims.m;
    let phi_q = to_rows(&phi.apply(q)?)?; // (N, C) row-major
    let phi_k = to_rows(&phi.apply(k)?)?; // (N, C)
    let vs = to_rows(v)?; // (N, M)
    let mut s = vec![0f32; c * m]; // running Σ_{j<=i} φ(K_j) V_jᵀ, (C, M)
    let mut z = vec![0f32; c]; // running Σ_{j<=i} φ(K_j), (C,)
    let mut out = vec![0f32; dims.n * m];
    for i in 0..dims.n {
        let (pk, vi) = (&phi_k[i * c..(i + 1) * c], &vs[i * m..(i + 1) * m]);
        for (a, &pka) in pk.iter().enumerate() {
            z[a] += pka;
            for (sab, &vib) in s[a * m..(a + 1) * m].iter_mut().zip(vi) {
                *sab += pka * vib;
            }
        }
        let pq = &phi_q[i * c..(i + 1) * c];
        let den: f32 = pq.iter().zip(&z).map(|(x, y)| x * y).sum();
        check_denominator(i, den)?;
        let oi = &mut out[i * m..(i + 1) * m];
        for (a, &pqa) in pq.iter().enumerate() {
            for (o, &sab) in oi.iter_mut().zip(&s[a * m..(a + 1) * m]) {
                *o += pqa * sab;
            }
        }
        oi.iter_mut().for_each(|o| *o /= den);
    }
    Ok(Tensor::from_vec(out, (dims.n, m), q.device())?)
}
