//! Autoencoders for hw6, the linear probe that scores their features, and
//! PCA to compare them with.
//!
//! The data flow, top to bottom:
//!
//! - [`config`]: settings checked before anything is built
//!   ([`AutoencoderConfig`], [`ModelKind`]);
//! - [`autoencoder`]: the network, its forward pass and its hand-written
//!   backward pass over [`matrix`] products (`product.rs`, threads in
//!   `threads.rs`), optimised by [`adam`];
//! - [`corruption`] and [`variants`]: the denoising and masked autoencoders;
//! - [`exercise`]: the traits the notebook's solution cells implement, and
//!   their checkers;
//! - [`experiment`] and [`probe`]: training epochs, per-epoch losses, the
//!   linear probe; [`run`]: one run of a notebook section, timed;
//! - [`pca`] and [`subspace`]: the top-k principal subspace, principal
//!   angles, and the first-order conditions of the homework's part 4(b).
//!
//! ```
//! use hw6_models::prelude::*;
//! let cfg = AutoencoderConfig::linear(20, 3).with_seed(0);
//! let mut ae = Autoencoder::new(&cfg)?;
//! let mut opt = ae.optimizer(5e-4)?;
//! let x = Tensor::randn(0f32, 1.0, (8, 20), &Device::Cpu)?;
//! let loss = ae.train_step(&x, &mut opt)?;
//! assert!(loss > 0.0);
//! assert_eq!(ae.encode(&x)?.dims(), &[8, 3]);
//! # Ok::<(), ModelError>(())
//! ```

pub mod adam;
pub mod autoencoder;
pub mod config;
pub mod corruption;
pub mod error;
pub mod exercise;
pub mod experiment;
pub mod matrix;
pub mod moments;
pub mod pca;
pub mod probe;
mod product;
pub mod run;
pub mod subspace;
mod threads;
pub mod variants;

pub use adam::Adam;
pub use autoencoder::Autoencoder;
pub use config::{Activation, AutoencoderConfig, ModelKind};
pub use error::ModelError;
pub use experiment::{Experiment, ExperimentConfig};
pub use nalgebra;
pub use probe::LinearProbe;
pub use threads::num_threads;
pub use variants::{AutoencoderModel, DenoisingAutoencoder, MaskedAutoencoder, build_model};

/// What notebooks need (`hw6::prelude` re-exports it).
pub mod prelude {
    pub use crate::adam::Adam;
    pub use crate::autoencoder::Autoencoder;
    pub use crate::config::{
        Activation, AutoencoderConfig, DEFAULT_MASK_PROB, DEFAULT_NOISE_STD, ModelKind,
    };
    pub use crate::corruption::{rand_like, randn_like};
    pub use crate::error::ModelError;
    pub use crate::exercise::{
        ForwardPass, TrainStep, check_denoising_step, check_forward, check_masking_step,
    };
    pub use crate::experiment::{EpochStats, Experiment, ExperimentConfig, ProbeStats, TrainStats};
    pub use crate::matrix::{MatView, Matrix};
    pub use crate::pca::Pca;
    pub use crate::probe::{LinearProbe, ProbeConfig};
    pub use crate::run::{Arch, RunResult, RunSpec, Sweep, SweepResults, run_once, run_once_with};
    pub use crate::subspace::{
        OptimalityResiduals, largest_principal_angle_degrees, optimality_residuals,
        principal_angles,
    };
    pub use crate::variants::{
        AutoencoderModel, CustomAutoencoder, DenoisingAutoencoder, MaskedAutoencoder, build_model,
    };
    pub use candle_core::{DType, Device, Tensor};
    pub use hw6_exercise::{CheckReport, Implementation, implementation_to_use};
    pub use rand::SeedableRng;
    pub use rand_chacha::ChaCha8Rng;
}
