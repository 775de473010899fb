//! Feature maps `φ: R^D -> R^C` with `sim(q, k) = φ(q)·φ(k)`, applied row-wise.
//! They turn kernel attention into linear attention (equation (5)).

use crate::error::Result;
use crate::shapes::to_rows;
use candle_core::{DType, Tensor};
use hw6_exercise::ShapeError;

/// A feature map applied to each row of a matrix.
pub trait FeatureMap {
    /// Short name for tables and JSON (`"quadratic"`, `"elu+1"`).
    fn name(&self) -> &'static str;

    /// Output width `C` for input width `D`.
    fn dim(&self, d: usize) -> usize;

    /// Writes `φ(x)` into `out` (`x.len() == D`, `out.len() == C`).
    fn map_into(&self, x: &[f32], out: &mut [f32]);

    /// `φ(x)` of one row, length `C`.
    fn map_row(&self, x: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; self.dim(x.len())];
        self.map_into(x, &mut out);
        out
    }

    /// `φ` applied to every row.
    ///
    /// # Shapes
    /// `x: (N, D)` -> `(N, C)` with `C = self.dim(D)`.
    ///
    /// # Cost
    /// `O(N C)` time and memory.
    fn apply(&self, x: &Tensor) -> Result<Tensor> {
        let what = "feature map input";
        let (n, d) = x.dims2().map_err(|_| {
            ShapeError::new(what, "a matrix (N, D)", format!("shape {:?}", x.dims()))
        })?;
        if x.dtype() != DType::F32 || d == 0 {
            let got = format!("{:?} with {d} columns", x.dtype());
            return Err(ShapeError::new(what, "f32 with D >= 1 columns", got).into());
        }
        let c = self.dim(d);
        let rows = to_rows(x)?;
        let mut out = vec![0f32; n * c];
        for (xi, oi) in rows.chunks_exact(d).zip(out.chunks_exact_mut(c)) {
            self.map_into(xi, oi);
        }
        Ok(Tensor::from_vec(out, (n, c), x.device())?)
    }
}

/// The quadratic map of part 3(b)ii, with the linear terms scaled by
/// `sqrt(2)` like the cross terms:
///
/// `φ(x) = [1, sqrt(2) x_1..sqrt(2) x_D, x_1²..x_D², sqrt(2) x_i x_j (i < j)]`.
///
/// Then `φ(q)·φ(k) = 1 + 2 qᵀk + (qᵀk)² = (qᵀk + 1)²` exactly. With plain
/// `x_i` as linear terms (as the homework's solution lists them) the inner
/// product would be `1 + qᵀk + (qᵀk)²`, not the kernel of part 3(b)i.
///
/// `C = 1 + 2D + D(D-1)/2 = (D+1)(D+2)/2`, about `D²/2` (153 for `D = 16`).
#[derive(Debug, Clone, Copy, Default)]
pub struct QuadraticFeatures;

impl FeatureMap for QuadraticFeatures {
    fn name(&self) -> &'static str {
        "quadratic"
    }

    fn dim(&self, d: usize) -> usize {
        (d + 1) * (d + 2) / 2
    }

    fn map_into(&self, x: &[f32], out: &mut [f32]) {
        let d = x.len();
        let r2 = std::f32::consts::SQRT_2;
        out[0] = 1.0;
        for i in 0..d {
            out[1 + i] = r2 * x[i];
            out[1 + d + i] = x[i] * x[i];
        }
        let mut p = 1 + 2 * d;
        for i in 0..d {
            for j in i + 1..d {
                out[p] = r2 * x[i] * x[j];
                p += 1;
            }
        }
    }
}

/// `φ(x) = elu(x) + 1` element-wise (Katharopoulos et al., 2020): `x + 1` for
/// `x > 0`, `exp(x)` otherwise. Strictly positive, so every similarity and
/// every denominator is positive. `C = D`.
#[derive(Debug, Clone, Copy, Default)]
pub struct EluPlusOne;

impl FeatureMap for EluPlusOne {
    fn name(&self) -> &'static str {
        "elu+1"
    }

    fn dim(&self, d: usize) -> usize {
        d
    }

    fn map_into(&self, x: &[f32], out: &mut [f32]) {
        for (o, &xi) in out.iter_mut().zip(x) {
            *o = if xi > 0.0 { xi + 1.0 } else { xi.exp() };
        }
    }
}
