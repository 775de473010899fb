//! The one error type of `hw6-attention`.

use hw6_exercise::{CheckFailure, ParamError, ShapeError};

/// Everything that can go wrong in this crate. Each message says what was
/// wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum AttentionError {
    /// A matrix had the wrong rank, size or dtype.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// A setting outside its allowed range.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// A notebook implementation disagreed with the reference.
    #[error(transparent)]
    Check(#[from] CheckFailure),
    /// A similarity function returned a negative (or non-finite) score, so
    /// equation (3) is no longer a weighted average.
    #[error(
        "similarity of query row {row} and key row {col} is {value}, but equation (3) needs sim(q, k) >= 0 and finite; \
         use a non-negative similarity (a kernel such as exp(q.k / sqrt(D)), or the inner product of positive features such as elu(x)+1)"
    )]
    NegativeSimilarity { row: usize, col: usize, value: f64 },
    /// The denominator of equation (3) / (5) was zero (or not finite) for a row.
    #[error(
        "the normaliser (sum of similarities) of query row {row} is {value}; equation (3) divides by it, \
         so it must be positive and finite: check that some key has a positive similarity to this query"
    )]
    ZeroDenominator { row: usize, value: f64 },
    /// An error raised inside candle.
    #[error("tensor operation failed: {0}")]
    Candle(#[from] candle_core::Error),
}

/// Shorthand for this crate's results.
pub type Result<T> = std::result::Result<T, AttentionError>;
