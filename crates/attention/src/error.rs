//! The one error type of `hw6-attention`.

/// Everything that can go wrong in this crate. Each message says what was
/// wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum AttentionError {
    /// A matrix had the wrong rank, size or dtype.
    #[error(
        "{what}: expected {expected}, got {got}; pass tensors with the shapes in the function's `# Shapes` doc"
    )]
    Shape {
        what: &'static str,
        expected: String,
        got: String,
    },
    /// A similarity function returned a negative (or non-finite) score, so
    /// equation (3) is no longer a weighted average.
    #[error(
        "similarity of query row {row} and key row {col} is {value}, but equation (3) needs sim(q, k) >= 0 and finite; \
         use a non-negative similarity (a kernel such as (q.k + 1)^2, exp(q.k / sqrt(D)), or elu(x)+1 features)"
    )]
    NegativeSimilarity { row: usize, col: usize, value: f64 },
    /// The denominator of equation (3) / (5) was zero (or not finite) for a row.
    #[error(
        "the normaliser (sum of similarities) of query row {row} is {value}; equation (3) divides by it, \
         so it must be positive and finite: check that some key has a positive similarity to this query"
    )]
    ZeroDenominator { row: usize, value: f64 },
    /// A hyperparameter outside its allowed range.
    #[error("{name} = {value} is not allowed: {allowed}")]
    InvalidParameter {
        name: &'static str,
        value: String,
        allowed: &'static str,
    },
    /// A notebook implementation disagreed with the reference.
    #[error("check failed for {what}: {detail}")]
    CheckFailed { what: &'static str, detail: String },
    /// An error raised inside candle.
    #[error("tensor operation failed: {0}")]
    Candle(#[from] candle_core::Error),
}

/// Shorthand for this crate's results.
pub type Result<T> = std::result::Result<T, AttentionError>;
