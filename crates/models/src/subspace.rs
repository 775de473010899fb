//! Comparing subspaces, and the homework's part 4(b) made numeric.
//!
//! Principal angles: for orthonormal bases `Q_A`, `Q_B`, the singular values
//! of `Q_A^T Q_B` are the cosines of the principal angles between the spans.
//!
//! First-order optimality of `L(W1, W2) = (1/n) ||X - W2 W1 X||_F^2` (with
//! `X` the `m x n` centred data, `Sigma = (1/n) X X^T`, `H = I - W2 W1`):
//!
//! ```text
//! dL/dW2 = -2 H Sigma W1^T      (m x k)
//! dL/dW1 = -2 W2^T H Sigma      (k x m)
//! ```
//!
//! Both vanish at `W2 = W1^T = U_k` because `H Sigma U_k = (I - U_k U_k^T) U_k S^2 = 0`.

use crate::error::{ModelError, Result};
use nalgebra::DMatrix;

/// Principal angles (radians, smallest first) between the column spans of
/// `a` (`m x p`) and `b` (`m x q`); there are `min(p, q)` of them.
pub fn principal_angles(a: &DMatrix<f64>, b: &DMatrix<f64>) -> Result<Vec<f64>> {
    if a.nrows() != b.nrows() {
        return Err(hw6_exercise::ShapeError::new(
            "principal_angles",
            format!("bases with {} rows", a.nrows()),
            format!("{} rows", b.nrows()),
        )
        .into());
    }
    let qa = orthonormal_basis(a)?;
    let qb = orthonormal_basis(b)?;
    let s = (qa.transpose() * qb).singular_values();
    let mut cos: Vec<f64> = s.iter().map(|v| v.clamp(-1.0, 1.0)).collect();
    cos.sort_by(|x, y| y.total_cmp(x));
    Ok(cos.into_iter().map(f64::acos).collect())
}

/// The largest principal angle, in degrees (0 = one span contains the other).
pub fn largest_principal_angle_degrees(a: &DMatrix<f64>, b: &DMatrix<f64>) -> Result<f64> {
    Ok(principal_angles(a, b)?
        .into_iter()
        .fold(0.0, f64::max)
        .to_degrees())
}

/// An orthonormal basis of the column span (thin QR); errors if the columns
/// are (numerically) dependent.
pub fn orthonormal_basis(a: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    if a.ncols() == 0 || a.ncols() > a.nrows() {
        return Err(hw6_exercise::ShapeError::new(
            "orthonormal_basis",
            format!("1 to {} columns", a.nrows()),
            format!("{} columns", a.ncols()),
        )
        .into());
    }
    let qr = a.clone().qr();
    let r = qr.r();
    let scale = a.norm().max(f64::MIN_POSITIVE);
    if (0..r.ncols()).any(|i| r[(i, i)].abs() <= 1e-12 * scale) {
        return Err(ModelError::Numeric(
            "the columns are linearly dependent, so they do not span a subspace of full dimension"
                .into(),
        ));
    }
    Ok(qr.q())
}

/// The two first-order conditions at `(W1, W2)`.
#[derive(Clone, Debug)]
pub struct OptimalityResiduals {
    /// `dL/dW1 = -2 W2^T H Sigma`, `k x m`.
    pub grad_w1: DMatrix<f64>,
    /// `dL/dW2 = -2 H Sigma W1^T`, `m x k`.
    pub grad_w2: DMatrix<f64>,
    /// `||dL/dW1||_F / (2 ||Sigma||_F ||W2||_F)`: 0 at a stationary point,
    /// order 1 far from one; scale-free.
    pub relative_w1: f64,
    /// `||dL/dW2||_F / (2 ||Sigma||_F ||W1||_F)`.
    pub relative_w2: f64,
}

impl OptimalityResiduals {
    /// The larger relative residual.
    pub fn max_relative(&self) -> f64 {
        self.relative_w1.max(self.relative_w2)
    }
}

/// Evaluate part 4(b)'s first-order conditions at any `(W1: k x m, W2: m x k)`
/// for the covariance `Sigma` (`m x m`).
pub fn optimality_residuals(
    covariance: &DMatrix<f64>,
    w1: &DMatrix<f64>,
    w2: &DMatrix<f64>,
) -> Result<OptimalityResiduals> {
    let m = covariance.nrows();
    let k = w1.nrows();
    if !covariance.is_square() || w1.ncols() != m || w2.nrows() != m || w2.ncols() != k {
        return Err(hw6_exercise::ShapeError::new(
            "optimality_residuals",
            format!("Sigma {m} x {m}, W1 k x {m}, W2 {m} x k"),
            format!(
                "Sigma {} x {}, W1 {} x {}, W2 {} x {}",
                covariance.nrows(),
                covariance.ncols(),
                w1.nrows(),
                w1.ncols(),
                w2.nrows(),
                w2.ncols()
            ),
        )
        .into());
    }
    let h = DMatrix::<f64>::identity(m, m) - w2 * w1;
    let h_sigma = &h * covariance;
    let grad_w2 = -2.0 * &h_sigma * w1.transpose();
    let grad_w1 = -2.0 * w2.transpose() * &h_sigma;
    let tiny = f64::MIN_POSITIVE;
    let cn = covariance.norm();
    Ok(OptimalityResiduals {
        relative_w1: grad_w1.norm() / (2.0 * cn * w2.norm()).max(tiny),
        relative_w2: grad_w2.norm() / (2.0 * cn * w1.norm()).max(tiny),
        grad_w1,
        grad_w2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angles_of_known_subspaces() {
        let e = |i: usize| DMatrix::from_fn(3, 1, |r, _| if r == i { 1.0 } else { 0.0 });
        let a = e(0);
        assert!(principal_angles(&a, &e(0)).unwrap()[0].abs() < 1e-12);
        assert!(
            (principal_angles(&a, &e(1)).unwrap()[0] - std::f64::consts::FRAC_PI_2).abs() < 1e-12
        );
        let diag = DMatrix::from_column_slice(3, 1, &[1.0, 1.0, 0.0]);
        assert!((largest_principal_angle_degrees(&a, &diag).unwrap() - 45.0).abs() < 1e-9);
        // A plane contains its own lines: angle 0, whatever the basis scaling.
        let plane = DMatrix::from_column_slice(3, 2, &[2.0, 0.0, 0.0, 0.0, 3.0, 0.0]);
        assert!(largest_principal_angle_degrees(&plane, &diag).unwrap() < 1e-6);
        assert!(
            orthonormal_basis(&DMatrix::from_column_slice(
                3,
                2,
                &[1.0, 1.0, 0.0, 2.0, 2.0, 0.0]
            ))
            .is_err()
        );
    }
}
