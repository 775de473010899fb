//! The one error type of `hw6-graph`.

use hw6_datasets::DataError;
use hw6_exercise::{CheckFailure, ParamError, ShapeError};
use nalgebra::DMatrix;

/// Everything that can go wrong in this crate. Each message says what was
/// wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// A graph was described with a node id out of range, a self loop, a
    /// duplicate edge or a bad weight.
    #[error("invalid graph: {0}")]
    InvalidGraph(String),
    /// A matrix had the wrong shape for the operation.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// A hyperparameter outside its allowed range.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// A backward pass was asked for before the forward pass that caches its inputs.
    #[error(
        "{layer}: backward called before forward; run forward (and set the optimiser's targets) first"
    )]
    NoForwardPass { layer: &'static str },
    /// A node degree was zero, so D^-1/2 does not exist.
    #[error(
        "node {node} has degree {degree}; the symmetric normalisation needs every degree > 0: add self loops (A + I) first"
    )]
    ZeroDegree { node: usize, degree: f64 },
    /// The loss stopped being a finite number.
    #[error(
        "the {which} loss is {value} at epoch {epoch}; lower the learning rate or check the gradients"
    )]
    NonFinite {
        which: &'static str,
        value: f64,
        epoch: usize,
    },
    /// A notebook exercise's answer differs from the reference.
    #[error(transparent)]
    Check(#[from] CheckFailure),
    /// Loading the karate club failed.
    #[error(transparent)]
    Data(#[from] DataError),
}

impl GraphError {
    /// `what` needed a matrix of shape `expected` and got `got`.
    pub(crate) fn shape(
        what: &'static str,
        expected: impl Into<String>,
        got: impl Into<String>,
    ) -> Self {
        ShapeError::new(what, expected, got).into()
    }

    /// `name = value` is not allowed; `allowed` says what is.
    pub(crate) fn param(
        name: &'static str,
        value: impl std::fmt::Debug,
        allowed: &'static str,
    ) -> Self {
        ParamError::new(name, value, allowed).into()
    }

    /// The check of `exercise` failed because of `reason`.
    pub(crate) fn check(exercise: impl Into<String>, reason: impl Into<String>) -> Self {
        CheckFailure::new(exercise, reason).into()
    }
}

/// Shorthand for this crate's results.
pub type Result<T> = std::result::Result<T, GraphError>;

/// `"(rows, cols)"`, for shape messages.
pub(crate) fn dims(m: &DMatrix<f64>) -> String {
    format!("({}, {})", m.nrows(), m.ncols())
}

/// Fails unless every id in `nodes` is below `n` (`what` names the list).
pub(crate) fn check_nodes(what: &'static str, nodes: &[usize], n: usize) -> Result<()> {
    match nodes.iter().find(|&&i| i >= n) {
        Some(&bad) => Err(ParamError::new(
            what,
            bad,
            format!("node ids must be below the number of nodes, {n}"),
        )
        .into()),
        None => Ok(()),
    }
}
