//! Decoding an autoregressive model (homework 6, part 5).
//!
//! A model is only its [`step`] function: prefix -> next-token
//! log-probabilities. A [`hypothesis`] is a prefix and its summed
//! log-probability. Searches: [`beam`] search (and greedy, its width-1 case)
//! and [`exhaustive`] search, each counting its work in [`stats`]. The
//! homework's [`figure2`] tree is a [`tree`] model; [`complexity`] measures
//! part 5(e).
//!
//! ```
//! use hw6_decoding::prelude::*;
//! let answers = figure2_answers()?;
//! assert_eq!(answers.returned.0, "neural network network");
//! assert_eq!(answers.most_likely.0, "neural neural neural");
//! # Ok::<(), DecodeError>(())
//! ```

pub mod beam;
pub mod check;
pub mod complexity;
pub mod drawing;
pub mod error;
pub mod exhaustive;
pub mod figure2;
pub mod hypothesis;
pub mod stats;
pub mod step;
pub mod tree;

/// What notebooks need, with names unique across the hw6 crates.
pub mod prelude {
    pub use crate::beam::{BeamConfig, BeamStep, SearchResult, beam_search, greedy_search};
    pub use crate::check::check_beam_search;
    pub use crate::complexity::{
        ComplexityPoint, ComplexitySweep, HashedModel, beam_work, measure_beam_complexity,
    };
    pub use crate::drawing::{DrawNode, TreeDrawing, tree_drawing};
    pub use crate::error::DecodeError;
    pub use crate::exhaustive::{all_sequences, exhaustive_search};
    pub use crate::figure2::{
        Figure2Answers, NETWORK, NEURAL, complement_log_prob, figure2_answers, figure2_tree,
        figure2_tree_with,
    };
    pub use crate::hypothesis::{Hypothesis, rank};
    pub use crate::stats::SearchStats;
    pub use crate::step::{StepFn, StepModel, Token};
    pub use crate::tree::{EdgeSource, LogProbTree};
    pub use hw6_exercise::{CheckReport, Implementation, implementation_to_use};
}
