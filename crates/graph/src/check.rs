//! Checkers for the notebook's exercises: each compares a notebook's own
//! implementation with the crate's reference and returns the figures it
//! compared, or an error that says what differs (a `todo!()` in the
//! notebook's code fails the check instead of panicking; see
//! [`hw6_exercise::checked`]).
//!
//! | exercise | the notebook writes | checker |
//! |---|---|---|
//! | Q1 | a function for A~ = A + I | [`check_a_tilde`] |
//! | Q2 | a function for D~^-1/2 A~ D~^-1/2 | [`check_sym_norm`] |
//! | Q3 | a function for X = I | [`check_features`] |
//! | Q4 | a type implementing [`GraphConvolution`](crate::GraphConvolution) | [`check_gcn_layer`] |
//! | Q6, Q7 | a type implementing [`NodeClassifier`](crate::NodeClassifier) | [`check_network`] |
//! | Q8 | a training loop with [`train_gcn`](crate::train_gcn)'s signature | [`check_training`] |
//!
//! Q5 (the forward passes of the gradient test) is checked by
//! [`check_gradients`](crate::check_gradients) itself.

mod layers;
mod training;

use hw6_exercise::{CheckReport, checked};
use nalgebra::DMatrix;

use crate::error::{GraphError, Result, dims};
use crate::normalize::{add_self_loops, sym_normalize};

pub use layers::{check_gcn_layer, check_network};
pub use training::check_training;

/// Largest difference allowed between a notebook's result and the reference
/// (both compute the same formulas in f64; only the order of operations may
/// differ).
const AGREEMENT: f64 = 1e-9;

/// Records `|got - want|_max` under `what`, or fails if it exceeds `AGREEMENT`.
fn agree(
    report: &mut CheckReport,
    what: &str,
    got: &DMatrix<f64>,
    want: &DMatrix<f64>,
) -> Result<()> {
    if got.shape() != want.shape() {
        return Err(GraphError::check(
            &report.exercise,
            format!("{what} has shape {}, expected {}", dims(got), dims(want)),
        ));
    }
    let diff = (got - want).abs().max();
    if diff.is_nan() || diff > AGREEMENT {
        return Err(GraphError::check(
            &report.exercise,
            format!(
                "{what} differs from the reference by up to {diff:.3e} (allowed {AGREEMENT:.0e})"
            ),
        ));
    }
    report.figure(format!("{what}: max |difference|"), diff);
    Ok(())
}

/// Q1: `a_tilde(a)` must equal `a + I`.
///
/// # Shapes
/// `a`: (n, n) -> (n, n).
pub fn check_a_tilde(
    a: &DMatrix<f64>,
    a_tilde: impl Fn(&DMatrix<f64>) -> DMatrix<f64>,
) -> Result<CheckReport> {
    checked("Q1 (A~ = A + I)", |report| {
        agree(report, "A~", &a_tilde(a), &add_self_loops(a)?)
    })
}

/// Q2: `sym_norm(A~)` must equal D~^-1/2 A~ D~^-1/2, for the given `a_tilde`
/// and for a small weighted graph.
///
/// # Shapes
/// `a_tilde`: (n, n); `sym_norm`: (n, n) -> (n, n).
pub fn check_sym_norm(
    a_tilde: &DMatrix<f64>,
    sym_norm: impl Fn(&DMatrix<f64>) -> DMatrix<f64>,
) -> Result<CheckReport> {
    checked("Q2 (symmetric normalisation)", |report| {
        agree(
            report,
            "Â of the given A~",
            &sym_norm(a_tilde),
            &sym_normalize(a_tilde)?,
        )?;
        let weighted =
            DMatrix::from_row_slice(3, 3, &[1.0, 2.0, 0.0, 2.0, 1.0, 5.0, 0.0, 5.0, 1.0]);
        agree(
            report,
            "Â of a weighted 3-node graph",
            &sym_norm(&weighted),
            &sym_normalize(&weighted)?,
        )
    })
}

/// Q3: `features(n)` must be the (n, n) identity.
pub fn check_features(features: impl Fn(usize) -> DMatrix<f64>, n: usize) -> Result<CheckReport> {
    checked("Q3 (X = I)", |report| {
        agree(report, "X", &features(n), &DMatrix::identity(n, n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_todo_fails_the_check_with_a_message() {
        let a = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
        let e = check_a_tilde(&a, |_| todo!()).unwrap_err().to_string();
        assert!(e.contains("Q1") && e.contains("todo!()"), "{e}");
        let r = check_a_tilde(&a, |a| a + DMatrix::identity(2, 2)).unwrap();
        assert_eq!(r.value("A~: max |difference|"), Some(0.0));
    }
}
