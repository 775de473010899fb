//! The one error type of `hw6-decoding`.

use hw6_exercise::{CheckFailure, ParamError};

/// Everything that can go wrong while decoding. Each message says what was
/// wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// A search setting outside its allowed range.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// A notebook implementation disagreed with the reference.
    #[error(transparent)]
    Check(#[from] CheckFailure),
    /// The step function returned something that is not a log-probability
    /// vector over the vocabulary.
    #[error(
        "the step function's output for prefix {prefix:?} is unusable: {reason}; it must return one log-probability (<= 0, not NaN) per vocabulary token"
    )]
    BadStep { prefix: Vec<usize>, reason: String },
    /// A tree model was asked about a prefix it has no entry for.
    #[error(
        "the tree has no log-probabilities after prefix {prefix:?}; add them with LogProbTree::set, or decode at most {depth} tokens"
    )]
    MissingPrefix { prefix: Vec<usize>, depth: usize },
    /// Exhaustive search over too many sequences.
    #[error(
        "exhaustive search would visit {sequences} sequences (M^T), more than the limit {limit}; shorten T, shrink the vocabulary, or use beam search"
    )]
    TooLarge { sequences: f64, limit: u64 },
}

/// Shorthand for this crate's results.
pub type Result<T> = std::result::Result<T, DecodeError>;
