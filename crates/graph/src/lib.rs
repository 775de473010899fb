//! A graph convolutional network on Zachary's karate club, with the forward
//! and backward passes written by hand (EECS 182 homework 6, q_zkc).
//!
//! The data flow, module by module:
//! [`graph`] (the club as a graph, adjacency A) -> [`normalize`] (A~ = A + I,
//! Â = D~^-1/2 A~ D~^-1/2) -> [`modularity`] (the two classes) ->
//! [`gcn`] and [`softmax`] (layers), [`optim`] (gradient descent),
//! [`network`] -> [`gradcheck`] (numerical gradients) -> [`train`] -> [`zkc`]
//! (the homework's run). [`layout`] places nodes for drawings; [`exercise`]
//! checks a notebook's own implementations against the reference.
//!
//! Matrices are `nalgebra::DMatrix<f64>`; there is no autograd.

pub mod error;
pub mod exercise;
pub mod gcn;
pub mod gradcheck;
pub mod graph;
pub mod init;
pub mod layout;
pub mod loss;
pub mod modularity;
pub mod network;
pub mod normalize;
pub mod optim;
pub mod softmax;
pub mod train;
pub mod zkc;

/// What the q_zkc notebook needs.
pub mod prelude {
    pub use crate::error::GraphError;
    pub use crate::exercise::{
        check_a_tilde, check_features, check_gcn_layer, check_network, check_sym_norm,
        check_training,
    };
    pub use crate::gcn::{GcnLayer, GraphConvolution};
    pub use crate::gradcheck::{
        GRAD_CHECK_EPS, GRAD_CHECK_TOLERANCE, GradientCheck, GradientReport, check_gradients,
        implementation_check, numerical_gradient,
    };
    pub use crate::graph::{EdgeWeights, UndirectedGraph};
    pub use crate::init::glorot_init;
    pub use crate::layout::{SpringLayout, spring_layout};
    pub use crate::loss::{
        cross_entropy_rows, mean_over, node_accuracy, normalized_difference, threshold_half,
    };
    pub use crate::modularity::{NodeClasses, greedy_modularity_communities, modularity};
    pub use crate::network::{GcnNetwork, NodeClassifier};
    pub use crate::normalize::{add_self_loops, sym_normalize, sym_normalize_by_matrix_functions};
    pub use crate::optim::GradientDescent;
    pub use crate::softmax::{SoftmaxGrads, SoftmaxLayer, softmax_forward};
    pub use crate::train::{DEFAULT_WARMUP, GcnHistory, GcnTrainConfig, NodeTask, train_gcn};
    pub use crate::zkc::{
        KARATE_TEST_NODES, KARATE_WEIGHTS, KarateData, ZKC_DEFAULT_SEED, ZkcConfig, ZkcRun,
    };
    pub use hw6_datasets::{Club, KarateClub, Member, load_karate};
    pub use hw6_exercise::{CheckReport, Implementation, implementation_to_use};
    pub use nalgebra::DMatrix;
    pub use rand::SeedableRng;
    pub use rand_chacha::ChaCha8Rng;
}
