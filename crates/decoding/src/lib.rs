//! Decoding an autoregressive model (homework 6, part 5).
//!
//! A model is only its step function ([`StepModel`]): prefix -> next-token
//! log-probabilities. A [`Hypothesis`] is a prefix and its summed
//! log-probability. Searches: [`beam_search`] (and [`greedy_search`], its
//! width-1 case) and [`exhaustive_search`], each counting its work in
//! [`SearchStats`]. The homework's Figure 2 is a [`LogProbTree`]
//! ([`figure2_tree`]); [`measure_beam_complexity`] measures part 5(e).
//!
//! ```
//! use hw6_decoding::prelude::*;
//! let answers = figure2_answers()?;
//! assert_eq!(answers.returned.0, "neural network network");
//! assert_eq!(answers.most_likely.0, "neural neural neural");
//! # Ok::<(), DecodeError>(())
//! ```

mod beam;
mod check;
mod complexity;
mod drawing;
mod error;
mod exhaustive;
mod figure2;
mod hypothesis;
mod stats;
mod step;
mod tree;

pub use beam::{BeamConfig, BeamStep, SearchResult, beam_search, greedy_search};
pub use check::check_beam_search;
pub use complexity::{
    ComplexityPoint, ComplexitySweep, HashedModel, beam_work, measure_beam_complexity,
};
pub use drawing::{DrawNode, TreeDrawing, tree_drawing};
pub use error::{DecodeError, Result};
pub use exhaustive::{EXHAUSTIVE_LIMIT, all_sequences, exhaustive_search};
pub use figure2::{
    Figure2Answers, NETWORK, NEURAL, complement_log_prob, figure2_answers, figure2_tree,
    figure2_tree_with,
};
pub use hypothesis::{Hypothesis, rank};
pub use stats::SearchStats;
pub use step::{StepFn, StepModel, Token};
pub use tree::{EdgeSource, LogProbTree};

/// What notebooks need, with names unique across the hw6 crates.
pub mod prelude {
    pub use crate::{
        BeamConfig, BeamStep, ComplexityPoint, ComplexitySweep, DecodeError, DrawNode, EdgeSource,
        Figure2Answers, HashedModel, Hypothesis, LogProbTree, NETWORK, NEURAL, SearchResult,
        SearchStats, StepFn, StepModel, Token, TreeDrawing, all_sequences, beam_search, beam_work,
        check_beam_search, complement_log_prob, exhaustive_search, figure2_answers, figure2_tree,
        figure2_tree_with, greedy_search, measure_beam_complexity, rank, tree_drawing,
    };
    pub use hw6_exercise::{CheckReport, Implementation, implementation_to_use};
}
