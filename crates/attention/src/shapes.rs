//! Shape checks shared by every attention function: queries `(N, D)`, keys
//! `(L, D)`, values `(L, M)`, all `f32`.

use crate::error::Result;
use candle_core::{DType, Tensor};
use hw6_exercise::ShapeError;

/// Sizes of one attention problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dims {
    /// Number of queries (output rows).
    pub n: usize,
    /// Number of keys and values.
    pub l: usize,
    /// Query/key width.
    pub d: usize,
    /// Value width.
    pub m: usize,
}

fn rank2(t: &Tensor, what: &'static str) -> Result<(usize, usize)> {
    if t.dtype() != DType::F32 {
        return Err(ShapeError::new(
            what,
            "dtype f32",
            format!("{:?} (convert with .to_dtype(DType::F32))", t.dtype()),
        )
        .into());
    }
    t.dims2().map_err(|_| {
        ShapeError::new(what, "a matrix (rank 2)", format!("shape {:?}", t.dims())).into()
    })
}

/// Checks `q: (N, D)`, `k: (L, D)`, `v: (L, M)` with `N, L, D, M >= 1`.
pub(crate) fn check_qkv(q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Dims> {
    let (n, d) = rank2(q, "queries Q")?;
    let (l, dk) = rank2(k, "keys K")?;
    let (lv, m) = rank2(v, "values V")?;
    if dk != d {
        return Err(ShapeError::new(
            "keys K",
            format!("{d} columns, like Q"),
            format!("{dk} columns"),
        )
        .into());
    }
    if lv != l {
        return Err(ShapeError::new(
            "values V",
            format!("{l} rows, one per key"),
            format!("{lv} rows"),
        )
        .into());
    }
    if n == 0 || l == 0 || d == 0 || m == 0 {
        return Err(ShapeError::new(
            "attention inputs",
            "non-empty matrices",
            format!("N={n}, L={l}, D={d}, M={m}"),
        )
        .into());
    }
    Ok(Dims { n, l, d, m })
}

/// Like [`check_qkv`] and also `N == L`, as causal attention needs (query `i`
/// sees keys `0..=i`).
pub(crate) fn check_causal(q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Dims> {
    let dims = check_qkv(q, k, v)?;
    if dims.n != dims.l {
        return Err(ShapeError::new(
            "causal attention",
            format!("as many keys as queries ({})", dims.n),
            format!("{} keys", dims.l),
        )
        .into());
    }
    Ok(dims)
}

/// Row-major copy of an `f32` matrix.
pub(crate) fn to_rows(t: &Tensor) -> Result<Vec<f32>> {
    Ok(t.flatten_all()?.to_vec1::<f32>()?)
}
