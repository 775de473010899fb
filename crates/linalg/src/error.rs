//! The one error type of `hw6-linalg`.

use hw6_exercise::ShapeError;

/// What can go wrong with a matrix.
#[derive(Debug, thiserror::Error)]
pub enum LinalgError {
    /// Shapes that do not fit the operation.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// A tensor conversion failed inside candle.
    #[error("tensor operation failed: {0}")]
    Candle(#[from] candle_core::Error),
}

/// `Result` with [`LinalgError`].
pub type Result<T> = std::result::Result<T, LinalgError>;
