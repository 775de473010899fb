//! The per-feature affine map `z' = (z - mu) / sigma` a linear probe puts in
//! front of its layer (MAE's linear probe does the same with a BatchNorm
//! without affine parameters).
//!
//! Adam moves each weight by about `lr` per step whatever the gradient's
//! size, so the steps a probe needs grow with the weights it must reach,
//! `~ 1 / sigma`. Standardising is a fixed affine change of the features: it
//! does not change what a converged linear probe can do, only how fast Adam
//! gets there. (Measured effect: `docs/findings.md`, "The linear probe".)

use hw6_linalg::{MatView, Matrix};

/// The per-feature map `z' = (z - mean) * inv_std` (the identity when not
/// standardising).
#[derive(Clone, Debug, PartialEq)]
pub struct Standardiser {
    /// Training features' mean, `k` values.
    pub mean: Vec<f32>,
    /// One over the training features' standard deviation (1 for a
    /// constant feature), `k` values.
    pub inv_std: Vec<f32>,
}

impl Standardiser {
    /// The identity map on `k` features.
    pub fn identity(k: usize) -> Self {
        Self {
            mean: vec![0.0; k],
            inv_std: vec![1.0; k],
        }
    }

    /// Mean and (population) standard deviation of each column of
    /// `features`, accumulated in `f64`.
    ///
    /// # Shapes
    /// `features`: `(n, k)`.
    pub fn fit(features: &Matrix) -> Self {
        let (n, k) = features.shape();
        let mean = features.column_means();
        let mut var = vec![0f64; k];
        for row in features.as_slice().chunks_exact(k.max(1)) {
            for ((s, m), v) in var.iter_mut().zip(&mean).zip(row) {
                *s += (*v as f64 - m).powi(2);
            }
        }
        let inv_std = var
            .iter()
            .map(|s| {
                let sd = (s / n.max(1) as f64).sqrt();
                // A (numerically) constant feature carries no information:
                // leave it unscaled instead of blowing up rounding noise.
                if sd > 1e-12 { (1.0 / sd) as f32 } else { 1.0 }
            })
            .collect();
        Self {
            mean: mean.iter().map(|m| *m as f32).collect(),
            inv_std,
        }
    }

    /// `(z - mean) * inv_std`, row by row.
    ///
    /// # Shapes
    /// `z`: `(batch, k)` -> `(batch, k)`.
    pub fn apply(&self, z: MatView<'_>) -> Matrix {
        let mut out = z.to_matrix();
        for row in out.as_mut_slice().chunks_exact_mut(z.cols().max(1)) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.inv_std) {
                *v = (*v - m) * s;
            }
        }
        out
    }
}
