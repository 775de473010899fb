//! Shape checks shared by every attention function: queries `(N, D)`, keys
//! `(L, D)`, values `(L, M)`, all `f32`.

use crate::error::{AttentionError, Result};
use candle_core::{DType, Tensor};

/// Sizes of one attention problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
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
        return Err(AttentionError::Shape {
            what,
            expected: "dtype f32".into(),
            got: format!("{:?} (convert with .to_dtype(DType::F32))", t.dtype()),
        });
    }
    t.dims2().map_err(|_| AttentionError::Shape {
        what,
        expected: "a matrix (rank 2)".into(),
        got: format!("shape {:?}", t.dims()),
    })
}

/// Checks `q: (N, D)`, `k: (L, D)`, `v: (L, M)` with `N, L, D, M >= 1`.
pub fn check_qkv(q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Dims> {
    let (n, d) = rank2(q, "queries Q")?;
    let (l, dk) = rank2(k, "keys K")?;
    let (lv, m) = rank2(v, "values V")?;
    if dk != d {
        return Err(AttentionError::Shape {
            what: "keys K",
            expected: format!("{d} columns, like Q"),
            got: format!("{dk} columns"),
        });
    }
    if lv != l {
        return Err(AttentionError::Shape {
            what: "values V",
            expected: format!("{l} rows, one per key"),
            got: format!("{lv} rows"),
        });
    }
    if n == 0 || l == 0 || d == 0 || m == 0 {
        return Err(AttentionError::Shape {
            what: "attention inputs",
            expected: "non-empty matrices".into(),
            got: format!("N={n}, L={l}, D={d}, M={m}"),
        });
    }
    Ok(Dims { n, l, d, m })
}

/// Like [`check_qkv`] and also `N == L`, as causal attention needs (query `i`
/// sees keys `0..=i`).
pub fn check_causal(q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Dims> {
    let dims = check_qkv(q, k, v)?;
    if dims.n != dims.l {
        return Err(AttentionError::Shape {
            what: "causal attention",
            expected: format!("as many keys as queries ({})", dims.n),
            got: format!("{} keys", dims.l),
        });
    }
    Ok(dims)
}

/// Row-major copy of an `f32` matrix.
pub(crate) fn to_rows(t: &Tensor) -> Result<Vec<f32>> {
    Ok(t.flatten_all()?.to_vec1::<f32>()?)
}
