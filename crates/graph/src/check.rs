//! Checkers for the notebook's exercises: each runs a notebook's own
//! implementation on seeded inputs and compares what it computes with the
//! reference's values, returning the figures it compared, or an error that
//! says what differs (a `todo!()` in the notebook's code fails the check
//! instead of panicking; see [`hw6_exercise::checked`]).
//!
//! | exercise | the notebook writes | checker |
//! |---|---|---|
//! | Q1 | a function for A~ = A + I | [`check_a_tilde`] |
//! | Q2 | a function for D~^-1/2 A~ D~^-1/2 | [`check_sym_norm`] |
//! | Q3 | a function for the node features X | [`check_features`] |
//! | Q4 | a type implementing [`GraphConvolution`](crate::GraphConvolution) | [`check_gcn_layer`] |
//! | Q6, Q7 | a type implementing [`NodeClassifier`](crate::NodeClassifier) | [`check_network`] |
//! | Q8 | a training loop | [`check_training`] |
//!
//! Q5 (the forward passes of the gradient test) is checked by
//! [`check_gradients`](crate::check_gradients) itself.
//!
//! The reference's values come through [`hw6_exercise::expected`]: computed
//! in the full crates, read from the fixtures of a student release, whose
//! reference bodies are `todo!()`. [`check_reference`] runs every check with
//! the reference as the notebook's code, on the notebook's inputs, and every
//! value the notebook's cells fall back on ([`reference_a_hat`], ...): the
//! release command records the fixtures with it.

mod fallback;
mod fixture;
mod layers;
mod reference;
mod training;
#[cfg(test)]
mod wrong;

use hw6_exercise::{CheckReport, checked};
use nalgebra::DMatrix;

use crate::error::{GraphError, Result, dims};
use crate::normalize::sym_normalize;

pub use fallback::{
    reference_a_hat, reference_a_tilde, reference_features, reference_history, run_your_code,
};
pub(crate) use fixture::{Grid, digest, rounded};
pub use layers::{check_gcn_layer, check_network};
pub use reference::check_reference;
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

/// Q1: `a_tilde(a)` must equal the reference's A~ of `a`.
///
/// # Shapes
/// `a`: (n, n) -> (n, n).
pub fn check_a_tilde(
    a: &DMatrix<f64>,
    a_tilde: impl Fn(&DMatrix<f64>) -> DMatrix<f64>,
) -> Result<CheckReport> {
    checked("Q1 (A~ = A + I)", |report| {
        let want = reference_a_tilde(a)?;
        agree(report, "A~", &a_tilde(a), &want)
    })
}

/// Q2: `sym_norm(A~)` must equal the reference's D~^-1/2 A~ D~^-1/2, for the
/// given `a_tilde` and for a small weighted graph.
///
/// # Shapes
/// `a_tilde`: (n, n); `sym_norm`: (n, n) -> (n, n).
pub fn check_sym_norm(
    a_tilde: &DMatrix<f64>,
    sym_norm: impl Fn(&DMatrix<f64>) -> DMatrix<f64>,
) -> Result<CheckReport> {
    checked("Q2 (symmetric normalisation)", |report| {
        let want = reference_a_hat(a_tilde)?;
        agree(report, "Â of the given A~", &sym_norm(a_tilde), &want)?;
        let weighted =
            DMatrix::from_row_slice(3, 3, &[1.0, 2.0, 0.0, 2.0, 1.0, 5.0, 0.0, 5.0, 1.0]);
        let want: Grid = hw6_exercise::expected("graph.q2.a_hat_weighted_3_nodes", || {
            sym_normalize(&weighted).map(|m| Grid::from(&m))
        })?;
        agree(
            report,
            "Â of a weighted 3-node graph",
            &sym_norm(&weighted),
            &want.matrix(),
        )
    })
}

/// Q3: `features(n)` must equal the reference's features of `n` nodes.
///
/// # Shapes
/// `features`: n -> (n, features).
pub fn check_features(features: impl Fn(usize) -> DMatrix<f64>, n: usize) -> Result<CheckReport> {
    checked("Q3 (node features)", |report| {
        let want = reference_features(n)?;
        agree(report, "X", &features(n), &want)
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

    #[test]
    fn wrong_answers_to_q1_to_q3_name_what_differs() {
        let a = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
        let e = check_a_tilde(&a, |a| a.clone()).unwrap_err().to_string();
        assert!(e.contains("A~ differs from the reference"), "{e}");
        let a_tilde = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        // Dividing by the degree on one side only.
        let e = check_sym_norm(&a_tilde, |m| {
            let d: Vec<f64> = m.row_iter().map(|r| r.sum()).collect();
            DMatrix::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)] / d[i])
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("Â of a weighted 3-node graph differs"), "{e}");
        let e = check_features(|n| DMatrix::zeros(n, 1), 3)
            .unwrap_err()
            .to_string();
        assert!(e.contains("X has shape (3, 1)"), "{e}");
    }
}
