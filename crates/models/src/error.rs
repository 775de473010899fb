//! The one error type of `hw6-models`. Every message says what was wrong and
//! what to change.

use thiserror::Error;

/// Errors from building, training and evaluating the models.
#[derive(Debug, Error)]
pub enum ModelError {
    /// A hyperparameter is out of its allowed range.
    #[error("invalid `{field}` = {value}: {hint}")]
    InvalidConfig {
        /// The config field, as spelled in the struct.
        field: &'static str,
        /// The offending value, printed.
        value: String,
        /// What to change.
        hint: String,
    },
    /// Tensors or matrices whose shapes do not fit together.
    #[error("shape mismatch in {context}: expected {expected}, got {got}")]
    Shape {
        /// Where the mismatch happened.
        context: &'static str,
        /// The shape that was needed.
        expected: String,
        /// The shape that was passed.
        got: String,
    },
    /// Training produced a loss that is NaN or infinite.
    #[error(
        "the {what} loss became {value} in epoch {epoch}: training diverged; \
         use a smaller learning rate (it is {lr:e}), e.g. {suggested:e}"
    )]
    NonFiniteLoss {
        /// "autoencoder" or "probe".
        what: &'static str,
        /// Epoch number, counted from 1.
        epoch: usize,
        /// The loss value (NaN or +-inf).
        value: f32,
        /// The learning rate in use.
        lr: f64,
        /// A suggestion (a tenth of `lr`).
        suggested: f64,
    },
    /// A student implementation differs from the reference.
    #[error("check failed: {0}")]
    Check(String),
    /// Linear algebra that has no answer for these inputs.
    #[error("{0}")]
    Numeric(String),
    /// An error from the datasets crate.
    #[error(transparent)]
    Data(#[from] hw6_datasets::error::DataError),
    /// An error from candle (tensor ops in notebook cells).
    #[error(transparent)]
    Candle(#[from] candle_core::Error),
}

/// Shorthand used across the crate.
pub type Result<T> = std::result::Result<T, ModelError>;

/// Build an [`ModelError::InvalidConfig`].
pub(crate) fn invalid(
    field: &'static str,
    value: impl std::fmt::Debug,
    hint: impl Into<String>,
) -> ModelError {
    ModelError::InvalidConfig {
        field,
        value: format!("{value:?}"),
        hint: hint.into(),
    }
}
