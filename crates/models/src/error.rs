//! The one error type of `hw6-models`. Every message says what was wrong and
//! what to change.

use hw6_exercise::{CheckFailure, ParamError, ShapeError};

/// What can go wrong building, training or checking a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// An impossible setting (`k = 0`, a negative learning rate, ...).
    #[error(transparent)]
    Param(#[from] ParamError),
    /// Inputs whose shapes do not fit the model.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// A notebook exercise's check did not pass.
    #[error(transparent)]
    Check(#[from] CheckFailure),
    /// Training produced a NaN or infinite loss.
    #[error(
        "the {what} loss became {value} in epoch {epoch}: training diverged; \
         use a smaller learning rate (it is {lr:e}), e.g. {suggested:e}"
    )]
    NonFiniteLoss {
        /// `"autoencoder"` or `"probe"`.
        what: &'static str,
        /// Epoch number, from 1.
        epoch: usize,
        /// The loss.
        value: f32,
        /// The learning rate used.
        lr: f64,
        /// A smaller one to try.
        suggested: f64,
    },
    /// A numerical routine could not finish (an eigen-decomposition that did
    /// not converge, a thread that panicked).
    #[error("{0}")]
    Numeric(String),
    /// A notebook's code that the crate runs (a forward pass computing the
    /// losses) panicked or returned something unusable.
    #[error("{0}")]
    Notebook(String),
    /// From the matrix crate.
    #[error(transparent)]
    Linalg(#[from] hw6_linalg::LinalgError),
    /// From the datasets crate.
    #[error(transparent)]
    Data(#[from] hw6_datasets::DataError),
}

/// `Result` with [`ModelError`].
pub type Result<T> = std::result::Result<T, ModelError>;

/// `name = value` is not allowed; `allowed` says what is.
pub(crate) fn invalid(
    name: &'static str,
    value: impl std::fmt::Debug,
    allowed: impl Into<String>,
) -> ModelError {
    ParamError::new(name, value, allowed).into()
}
