//! Generic kernel attention, equation (3) of the homework:
//!
//! `V'_i = Σ_j sim(Q_i, K_j) V_j / Σ_j sim(Q_i, K_j)`
//!
//! for any similarity `sim`. This is the quadratic form: every one of the
//! `N x L` similarities is evaluated. It is the reference the fast forms are
//! checked against, so it accumulates in `f64`. [`kernel_weights`] stores
//! the `N x L` weights; [`kernel_attention`] works one query row at a time.
//!
//! # Errors
//! A negative or non-finite similarity and a zero denominator are errors
//! that name the row, never NaNs (why they must be, is part 3(a)).

use crate::error::{AttentionError, Result};
use crate::shapes::{Dims, check_causal, check_qkv, to_rows};
use candle_core::Tensor;

/// Which keys a query may attend to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Masking {
    /// Every query sees every key.
    #[default]
    Full,
    /// Query `i` sees keys `0..=i` (needs as many keys as queries).
    Causal,
}

/// Normalised weights of row `i` into `w` (length `L`), checking the signs.
fn row_weights(
    i: usize,
    qi: &[f32],
    keys: &[f32],
    dims: Dims,
    sim: &impl Fn(&[f32], &[f32]) -> f64,
    masking: Masking,
    w: &mut [f64],
) -> Result<()> {
    let visible = match masking {
        Masking::Full => dims.l,
        Masking::Causal => i + 1,
    };
    let mut denom = 0.0;
    for (j, wj) in w.iter_mut().enumerate() {
        if j >= visible {
            *wj = 0.0;
            continue;
        }
        let s = sim(qi, &keys[j * dims.d..(j + 1) * dims.d]);
        if !(s >= 0.0 && s.is_finite()) {
            return Err(AttentionError::NegativeSimilarity {
                row: i,
                col: j,
                value: s,
            });
        }
        *wj = s;
        denom += s;
    }
    if !(denom > 0.0 && denom.is_finite()) {
        return Err(AttentionError::ZeroDenominator {
            row: i,
            value: denom,
        });
    }
    w.iter_mut().for_each(|wj| *wj /= denom);
    Ok(())
}

fn dims_for(q: &Tensor, k: &Tensor, v: &Tensor, masking: Masking) -> Result<Dims> {
    match masking {
        Masking::Full => check_qkv(q, k, v),
        Masking::Causal => check_causal(q, k, v),
    }
}

/// The `N x L` matrix of normalised weights `sim(Q_i, K_j) / Σ_j' sim(Q_i, K_j')`
/// (zero where masked). Rows are non-negative and sum to 1.
///
/// # Shapes
/// `q: (N, D)`, `k: (L, D)` -> `(N, L)` (`L = N` when causal).
pub fn kernel_weights(
    q: &Tensor,
    k: &Tensor,
    sim: impl Fn(&[f32], &[f32]) -> f64,
    masking: Masking,
) -> Result<Tensor> {
    let dims = dims_for(q, k, k, masking)?;
    let (qs, ks) = (to_rows(q)?, to_rows(k)?);
    let mut out = vec![0f32; dims.n * dims.l];
    let mut w = vec![0f64; dims.l];
    for i in 0..dims.n {
        row_weights(
            i,
            &qs[i * dims.d..(i + 1) * dims.d],
            &ks,
            dims,
            &sim,
            masking,
            &mut w,
        )?;
        for (o, &wj) in out[i * dims.l..(i + 1) * dims.l].iter_mut().zip(&w) {
            *o = wj as f32;
        }
    }
    Ok(Tensor::from_vec(out, (dims.n, dims.l), q.device())?)
}

/// Kernel attention, equation (3), for any non-negative similarity.
///
/// # Shapes
/// `q: (N, D)`, `k: (L, D)`, `v: (L, M)` -> `(N, M)` (`L = N` when causal);
/// scratch of `L + M` numbers.
pub fn kernel_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    sim: impl Fn(&[f32], &[f32]) -> f64,
    masking: Masking,
) -> Result<Tensor> {
    let dims = dims_for(q, k, v, masking)?;
    let (qs, ks, vs) = (to_rows(q)?, to_rows(k)?, to_rows(v)?);
    let mut out = vec![0f32; dims.n * dims.m];
    let mut w = vec![0f64; dims.l];
    let mut acc = vec![0f64; dims.m];
    for i in 0..dims.n {
        row_weights(
            i,
            &qs[i * dims.d..(i + 1) * dims.d],
            &ks,
            dims,
            &sim,
            masking,
            &mut w,
        )?;
        acc.iter_mut().for_each(|a| *a = 0.0);
        for (j, &wj) in w.iter().enumerate() {
            if wj == 0.0 {
                continue;
            }
            for (a, &vjc) in acc.iter_mut().zip(&vs[j * dims.m..(j + 1) * dims.m]) {
                *a += wj * vjc as f64;
            }
        }
        for (o, &a) in out[i * dims.m..(i + 1) * dims.m].iter_mut().zip(&acc) {
            *o = a as f32;
        }
    }
    Ok(Tensor::from_vec(out, (dims.n, dims.m), q.device())?)
}
