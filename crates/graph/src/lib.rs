//! A graph convolutional network on Zachary's karate club, with the forward
//! and backward passes written by hand (EECS 182 homework 6, q_zkc).
//!
//! The data flow:
//! the club as an [`UndirectedGraph`] with adjacency A -> self loops and the
//! symmetric normalisation ([`add_self_loops`]: A~ = A + I, [`sym_normalize`]:
//! Â = D~^-1/2 A~ D~^-1/2) -> the two classes by
//! [`greedy_modularity_communities`] -> the layers ([`GcnLayer`]:
//! H = tanh(Â X Wᵀ), [`SoftmaxLayer`]) and [`GradientDescent`] -> the
//! network ([`GcnNetwork`]) -> numerical gradients ([`check_gradients`]) ->
//! training ([`train_gcn`]) -> the homework's run ([`ZkcConfig::run`] on
//! [`KarateData`]). [`spring_layout`] places nodes for drawings; the
//! `check_*` functions check a notebook's own implementations against the
//! reference's values; [`HistorySummary`] is a run as the notebook draws it.
//!
//! Matrices are `nalgebra::DMatrix<f64>`; there is no autograd.
//!
//! The reference implementations of the notebook's exercises sit between
//! `// BEGIN SOLUTION` and `// END SOLUTION`: a student release has them as
//! `todo!()`, and its checks read the reference's values from fixtures
//! recorded by [`check_reference`] (see [`hw6_exercise::expected`]).
//!
//! ```no_run
//! use hw6_graph::{KarateData, ZkcConfig};
//! let data = KarateData::load(None)?;
//! let run = ZkcConfig::default().run(&data)?;
//! println!("test accuracy {} after {} epochs", run.test_accuracy, run.history.epochs());
//! # Ok::<(), hw6_graph::GraphError>(())
//! ```

mod check;
mod error;
mod gcn;
mod gradcheck;
mod graph;
mod init;
mod layout;
mod loss;
mod modularity;
mod network;
mod normalize;
mod optim;
mod softmax;
mod summary;
mod train;
mod zkc;

pub use check::{
    check_a_tilde, check_features, check_gcn_layer, check_network, check_reference, check_sym_norm,
    check_training, reference_a_hat, reference_a_tilde, reference_features, reference_history,
    run_your_code,
};
pub use error::{GraphError, Result};
pub use gcn::{GcnLayer, GraphConvolution};
pub use gradcheck::{
    GRAD_CHECK_EPS, GRAD_CHECK_TOLERANCE, GradientCheck, GradientReport, check_gradients,
    implementation_check, numerical_gradient,
};
pub use graph::{EdgeWeights, UndirectedGraph};
pub use init::glorot_init;
pub use layout::{SpringLayout, spring_layout};
pub use loss::{
    cross_entropy_rows, mean_over, node_accuracy, normalized_difference, threshold_half,
};
pub use modularity::{NodeClasses, greedy_modularity_communities, modularity};
pub use network::{GcnNetwork, NodeClassifier};
pub use normalize::{add_self_loops, sym_normalize, sym_normalize_by_matrix_functions};
pub use optim::GradientDescent;
pub use softmax::{SoftmaxGrads, SoftmaxLayer, softmax_forward};
pub use summary::{HistorySummary, SUMMARY_FRAMES};
pub use train::{DEFAULT_WARMUP, GcnHistory, GcnTrainConfig, NodeTask, train_gcn};
pub use zkc::{
    KARATE_TEST_NODES, KARATE_WEIGHTS, KarateData, ZKC_DEFAULT_SEED, ZkcConfig, ZkcRun,
    node_features,
};

/// What the q_zkc notebook needs: the crate's items but its `Result` alias,
/// [`check_reference`] and the reference answers to the exercises (those
/// stay at the crate root: a student release has them as `todo!()`, and the
/// notebook falls back on the `reference_*` values instead); plus the
/// karate club's loader, the exercise helpers, `DMatrix` and the seeded RNG.
pub mod prelude {
    pub use crate::{
        DEFAULT_WARMUP, EdgeWeights, GRAD_CHECK_EPS, GRAD_CHECK_TOLERANCE, GcnHistory, GcnNetwork,
        GcnTrainConfig, GradientCheck, GradientDescent, GradientReport, GraphConvolution,
        GraphError, HistorySummary, KARATE_TEST_NODES, KARATE_WEIGHTS, KarateData, NodeClasses,
        NodeClassifier, NodeTask, SUMMARY_FRAMES, SoftmaxGrads, SoftmaxLayer, SpringLayout,
        UndirectedGraph, ZKC_DEFAULT_SEED, ZkcConfig, ZkcRun, check_a_tilde, check_features,
        check_gcn_layer, check_gradients, check_network, check_sym_norm, check_training,
        cross_entropy_rows, glorot_init, greedy_modularity_communities, implementation_check,
        mean_over, modularity, node_accuracy, normalized_difference, numerical_gradient,
        reference_a_hat, reference_a_tilde, reference_features, reference_history, run_your_code,
        softmax_forward, spring_layout, threshold_half,
    };
    pub use hw6_datasets::{Club, KarateClub, Member, load_karate};
    pub use hw6_exercise::{CheckReport, Implementation, implementation_to_use};
    pub use nalgebra::DMatrix;
    pub use rand::SeedableRng;
    pub use rand_chacha::ChaCha8Rng;
}
