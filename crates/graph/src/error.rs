//! The one error type of `hw6-graph`.

use hw6_datasets::DataError;

/// Everything that can go wrong in this crate. Each message says what was
/// wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// A graph was described with a node id out of range, a self loop, a
    /// duplicate edge or a bad weight.
    #[error("invalid graph: {0}")]
    InvalidGraph(String),
    /// A matrix had the wrong shape for the operation.
    #[error(
        "{what}: expected {expected}, got {got}; pass matrices with the shapes in the function's `# Shapes` doc"
    )]
    Shape {
        what: &'static str,
        expected: String,
        got: String,
    },
    /// A hyperparameter outside its allowed range.
    #[error("{name} = {value} is not allowed: {allowed}")]
    InvalidParameter {
        name: &'static str,
        value: String,
        allowed: &'static str,
    },
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
    #[error("check of {exercise} failed: {reason}")]
    CheckFailed { exercise: String, reason: String },
    /// Loading the karate club failed.
    #[error(transparent)]
    Data(#[from] DataError),
}

impl GraphError {
    pub(crate) fn shape(
        what: &'static str,
        expected: impl Into<String>,
        got: impl Into<String>,
    ) -> Self {
        GraphError::Shape {
            what,
            expected: expected.into(),
            got: got.into(),
        }
    }

    pub(crate) fn param(name: &'static str, value: impl ToString, allowed: &'static str) -> Self {
        GraphError::InvalidParameter {
            name,
            value: value.to_string(),
            allowed,
        }
    }

    pub(crate) fn check(exercise: impl Into<String>, reason: impl Into<String>) -> Self {
        GraphError::CheckFailed {
            exercise: exercise.into(),
            reason: reason.into(),
        }
    }
}

/// Shorthand for this crate's results.
pub type Result<T> = std::result::Result<T, GraphError>;

/// `"(rows, cols)"`, for shape messages.
pub(crate) fn dims(m: &nalgebra::DMatrix<f64>) -> String {
    format!("({}, {})", m.nrows(), m.ncols())
}
