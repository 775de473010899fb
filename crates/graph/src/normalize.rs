//! Self loops and the symmetric normalisation of the GCN propagation rule
//! (Kipf and Welling 2017):
//!
//! ```text
//! A~ = A + I                      every node also listens to itself
//! D~_ii = sum_j A~_ij             degrees of A~ (>= 1 thanks to the loop)
//! Â = D~^-1/2 A~ D~^-1/2          Â_ij = A~_ij / sqrt(D~_ii D~_jj)
//! ```
//!
//! [`sym_normalize`] uses the closed form on the right; [`sym_normalize_by_matrix_functions`]
//! takes the original notebook's route (the matrix square root of D~, then its
//! inverse) and exists to check the first.
//!
//! ```
//! use hw6_graph::{add_self_loops, sym_normalize};
//! use nalgebra::DMatrix;
//! let a = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
//! let a_hat = sym_normalize(&add_self_loops(&a).unwrap()).unwrap();
//! assert!((a_hat[(0, 1)] - 0.5).abs() < 1e-12);
//! ```

use nalgebra::{DMatrix, SymmetricEigen};

use crate::error::{GraphError, Result, dims};

fn require_square(what: &'static str, m: &DMatrix<f64>) -> Result<()> {
    if m.nrows() != m.ncols() || m.nrows() == 0 {
        return Err(GraphError::shape(
            what,
            "a non-empty square (n, n) matrix",
            dims(m),
        ));
    }
    Ok(())
}

/// A~ = A + I.
///
/// # Shapes
/// (n, n) -> (n, n).
pub fn add_self_loops(a: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    require_square("adjacency A", a)?;
    // BEGIN SOLUTION: the reference answer to Q1 is left out of the student release
    Ok(a + DMatrix::identity(a.nrows(), a.ncols()))
    // END SOLUTION
}

/// Row sums of A~ (the diagonal of D~), checked to be positive.
fn degrees(a_tilde: &DMatrix<f64>) -> Result<Vec<f64>> {
    require_square("A~", a_tilde)?;
    let d: Vec<f64> = a_tilde.row_iter().map(|r| r.sum()).collect();
    if let Some((node, &degree)) = d
        .iter()
        .enumerate()
        .find(|(_, x)| !(**x > 0.0 && x.is_finite()))
    {
        return Err(GraphError::ZeroDegree { node, degree });
    }
    Ok(d)
}

/// Â = D~^-1/2 A~ D~^-1/2, computed entry by entry as
/// `A~_ij / sqrt(d_i d_j)`.
///
/// # Shapes
/// (n, n) -> (n, n).
///
/// # Errors
/// A non-square matrix, or a node whose degree (row sum) is not positive.
pub fn sym_normalize(a_tilde: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let d = degrees(a_tilde)?;
    // BEGIN SOLUTION: the reference answer to Q2 is left out of the student release
    let inv_sqrt: Vec<f64> = d.iter().map(|x| 1.0 / x.sqrt()).collect();
    Ok(DMatrix::from_fn(
        a_tilde.nrows(),
        a_tilde.ncols(),
        |i, j| a_tilde[(i, j)] * inv_sqrt[i] * inv_sqrt[j],
    ))
    // END SOLUTION
}

/// The same Â by the matrix-function route: D~^1/2 as the square root of a
/// symmetric matrix (eigendecomposition, `V diag(sqrt(lambda)) Vᵀ`), then its
/// inverse, then the two products. Slower; used to check [`sym_normalize`].
///
/// # Shapes
/// (n, n) -> (n, n).
pub fn sym_normalize_by_matrix_functions(a_tilde: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let d = degrees(a_tilde)?;
    // BEGIN SOLUTION: the reference answer to Q2 is left out of the student release
    let n = d.len();
    let d_matrix = DMatrix::from_diagonal(&nalgebra::DVector::from_vec(d));
    let eigen = SymmetricEigen::new(d_matrix);
    let sqrt_lambda = eigen.eigenvalues.map(f64::sqrt);
    let v = &eigen.eigenvectors;
    let d_sqrt = v * DMatrix::from_diagonal(&sqrt_lambda) * v.transpose();
    let d_inv_sqrt = d_sqrt.try_inverse().ok_or_else(|| {
        GraphError::shape(
            "D~^1/2",
            "an invertible matrix",
            format!("a singular ({n}, {n}) matrix"),
        )
    })?;
    Ok(&d_inv_sqrt * a_tilde * &d_inv_sqrt)
    // END SOLUTION
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{EdgeWeights, UndirectedGraph};

    fn karate_like() -> DMatrix<f64> {
        // A small irregular graph: a triangle with a tail and a leaf.
        let g = UndirectedGraph::new(
            5,
            vec![
                (0, 1, 1.0),
                (1, 2, 2.0),
                (0, 2, 1.0),
                (2, 3, 3.0),
                (3, 4, 1.0),
            ],
        )
        .unwrap();
        g.adjacency(EdgeWeights::Weighted)
    }

    #[test]
    fn closed_form_equals_matrix_function_route() {
        let a_tilde = add_self_loops(&karate_like()).unwrap();
        let closed = sym_normalize(&a_tilde).unwrap();
        let routed = sym_normalize_by_matrix_functions(&a_tilde).unwrap();
        assert!((closed - routed).abs().max() < 1e-12);
    }

    #[test]
    fn largest_eigenvalue_is_one() {
        let a_tilde = add_self_loops(&karate_like()).unwrap();
        let a_hat = sym_normalize(&a_tilde).unwrap();
        let eig = SymmetricEigen::new(a_hat).eigenvalues;
        assert!((eig.max() - 1.0).abs() < 1e-12, "{eig}");
        assert!(eig.min() > -1.0);
    }

    #[test]
    fn zero_degree_and_bad_shapes_are_errors() {
        let a = DMatrix::zeros(3, 3);
        assert!(matches!(
            sym_normalize(&a),
            Err(GraphError::ZeroDegree { node: 0, .. })
        ));
        assert!(add_self_loops(&DMatrix::zeros(2, 3)).is_err());
    }
}
