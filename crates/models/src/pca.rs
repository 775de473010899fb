//! PCA of the training data: the top-k principal subspace `U_k`, the
//! eigenvalues of the covariance, and the smallest reconstruction error any
//! rank-k linear map can reach (the bound a linear autoencoder approaches).

use crate::error::{ModelError, Result, invalid};
use hw6_linalg::{MatView, Matrix, Op, gemm_into};
use nalgebra::{DMatrix, SymmetricEigen};

/// Principal components of a data matrix.
#[derive(Clone, Debug)]
pub struct Pca {
    /// Feature means, length `m`.
    pub mean: Vec<f64>,
    /// Covariance `(1/n) Xc^T Xc` of the centred data, `m x m`.
    pub covariance: DMatrix<f64>,
    /// Eigenvalues of the covariance, largest first (length `m`).
    pub eigenvalues: Vec<f64>,
    /// Matching unit eigenvectors as columns, `m x m`.
    pub eigenvectors: DMatrix<f64>,
}

impl Pca {
    /// Fits to `x`, one sample per row.
    ///
    /// # Shapes
    /// `x`: `(n, m)` with `n >= 2`, `m >= 1`.
    pub fn fit<'a>(x: impl Into<MatView<'a>>) -> Result<Self> {
        let x = x.into();
        let (n, m) = x.shape();
        if n < 2 || m == 0 {
            return Err(invalid(
                "rows",
                n,
                "PCA needs at least 2 samples with at least 1 feature",
            ));
        }
        let mean = x.column_means();
        let mean32: Vec<f32> = mean.iter().map(|&v| v as f32).collect();
        let mut centred = x.to_matrix();
        for row in centred.as_mut_slice().chunks_exact_mut(m) {
            for (v, mu) in row.iter_mut().zip(&mean32) {
                *v -= *mu;
            }
        }
        let mut gram = Matrix::default();
        gemm_into(
            &mut gram,
            centred.view(),
            Op::T,
            centred.view(),
            Op::N,
            false,
        )?;
        // Symmetrise (f32 rounding) and scale in f64.
        let g = gram.as_slice();
        let covariance = DMatrix::from_fn(m, m, |i, j| {
            0.5 * (g[i * m + j] as f64 + g[j * m + i] as f64) / n as f64
        });
        Self::from_covariance(mean, covariance)
    }

    /// PCA of a given covariance matrix (`m x m`, symmetric).
    pub fn from_covariance(mean: Vec<f64>, covariance: DMatrix<f64>) -> Result<Self> {
        if !covariance.is_square() || covariance.nrows() != mean.len() {
            return Err(hw6_exercise::ShapeError::new(
                "Pca::from_covariance",
                format!("a {0} x {0} covariance", mean.len()),
                format!("{} x {}", covariance.nrows(), covariance.ncols()),
            )
            .into());
        }
        if covariance.iter().any(|v| !v.is_finite()) {
            return Err(ModelError::Numeric(
                "the covariance has NaN or infinite entries: check the data".into(),
            ));
        }
        let eig = SymmetricEigen::new(covariance.clone());
        let mut order: Vec<usize> = (0..mean.len()).collect();
        order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
        let eigenvalues = order.iter().map(|&i| eig.eigenvalues[i]).collect();
        let eigenvectors = DMatrix::from_fn(mean.len(), mean.len(), |r, c| {
            eig.eigenvectors[(r, order[c])]
        });
        Ok(Self {
            mean,
            covariance,
            eigenvalues,
            eigenvectors,
        })
    }

    /// Input dimension `m`.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// `U_k`: the top-`k` principal directions as columns, `m x k`.
    pub fn components(&self, k: usize) -> Result<DMatrix<f64>> {
        if k == 0 || k > self.dim() {
            return Err(invalid(
                "k",
                k,
                format!("use 1..={} (the data's dimension)", self.dim()),
            ));
        }
        Ok(self.eigenvectors.columns(0, k).into_owned())
    }

    /// The least mean squared error per entry of any rank-`k` affine
    /// reconstruction of the fitted data: `sum_{i > k} lambda_i / m`
    /// (0 when `k >= m`). A linear autoencoder's training loss cannot go below it.
    pub fn reconstruction_bound(&self, k: usize) -> f64 {
        self.eigenvalues
            .iter()
            .skip(k)
            .map(|v| v.max(0.0))
            .sum::<f64>()
            / self.dim() as f64
    }

    /// Fraction of the variance in the top `k` directions.
    pub fn explained_variance_ratio(&self, k: usize) -> f64 {
        let total: f64 = self.eigenvalues.iter().map(|v| v.max(0.0)).sum();
        let top: f64 = self.eigenvalues.iter().take(k).map(|v| v.max(0.0)).sum();
        if total > 0.0 { top / total } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

    #[test]
    fn finds_the_stretched_axes_and_the_bound() {
        // Axis 2 has variance 25, axis 0 variance 4, the rest 1.
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let (n, m) = (20_000, 5);
        let scale = [2.0f32, 1.0, 5.0, 1.0, 1.0];
        let data: Vec<f32> = (0..n * m)
            .map(|i| rng.sample::<f32, _>(StandardNormal) * scale[i % m] + 3.0)
            .collect();
        let pca = Pca::fit(MatView::new(n, m, &data).unwrap()).unwrap();
        assert!((pca.eigenvalues[0] - 25.0).abs() < 1.0 && (pca.eigenvalues[1] - 4.0).abs() < 0.2);
        assert!(pca.mean.iter().all(|mu| (mu - 3.0).abs() < 0.1));
        let u = pca.components(2).unwrap();
        assert!(u[(2, 0)].abs() > 0.99 && u[(0, 1)].abs() > 0.99);
        assert!((pca.reconstruction_bound(2) - 3.0 / 5.0).abs() < 0.05);
        assert!(pca.components(0).is_err() && pca.components(6).is_err());
    }
}
