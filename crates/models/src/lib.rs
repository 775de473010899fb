//! Autoencoders for hw6, the linear probe that scores their features, and
//! PCA to compare them with.
//!
//! The data flow, top to bottom (every step computes on
//! [`hw6_linalg::Matrix`], the matrix a dataset split holds):
//!
//! - `config`: settings checked before anything is built
//!   ([`AutoencoderConfig`], [`ModelKind`]);
//! - `layer`, `autoencoder`, `backprop`: the network ([`Dense`] layers,
//!   [`Autoencoder`]), its forward pass, and its backward pass written out
//!   by hand, optimised by [`Adam`];
//! - `corruption`, `variants`: the denoising and masked autoencoders;
//! - `check`: the traits the notebook's exercise cells implement
//!   ([`ForwardPass`], [`TrainStep`]) and their checkers;
//! - `experiment`: training epochs and per-epoch losses ([`Experiment`]),
//!   then the [`LinearProbe`] (`probe`, `standardise`);
//! - `run`, `sweep`: one run of a notebook section, and a whole section;
//! - `pca`, `subspace`: the top-k principal subspace, principal angles, and
//!   the first-order conditions of the homework's part 4(b).
//!
//! What makes training fast without changing its numbers (overlapping an
//! epoch's evaluation with the next epoch, the linear loss from second
//! moments, FLOP counts) is in `speed`, apart from the teaching code.
//!
//! ```
//! use hw6_models::prelude::*;
//! let cfg = AutoencoderConfig::linear(20, 3).with_seed(0);
//! let mut ae = Autoencoder::new(&cfg)?;
//! let mut opt = ae.optimizer(5e-4)?;
//! let x = Matrix::from_fn(8, 20, |r, c| ((r * 20 + c) % 7) as f32 - 3.0);
//! let loss = ae.step(&x, &x, &mut opt)?;
//! assert!(loss > 0.0);
//! assert_eq!(ae.encode(&x)?.shape(), (8, 3));
//! # Ok::<(), ModelError>(())
//! ```

mod adam;
mod autoencoder;
mod backprop;
mod check;
mod config;
mod corruption;
mod error;
mod experiment;
mod layer;
mod pca;
mod probe;
mod run;
mod speed;
mod standardise;
mod stats;
mod subspace;
mod sweep;
mod variants;

pub use adam::{Adam, ParamsAdamW};
pub use autoencoder::Autoencoder;
pub use check::{
    Architecture, ForwardPass, TrainStep, architecture_is_written, check_architecture,
    check_denoising_step, check_forward, check_masking_step, check_reference, forward_is_written,
    is_written, with_architecture,
};
pub use config::{Activation, AutoencoderConfig, DEFAULT_MASK_PROB, DEFAULT_NOISE_STD, ModelKind};
pub use corruption::{add_noise, apply_mask, rand_like, randn_like};
pub use error::{ModelError, Result};
pub use experiment::{Experiment, ExperimentConfig};
pub use layer::Dense;
pub use nalgebra;
pub use pca::Pca;
pub use probe::{DEFAULT_MIN_PROBE_STEPS, FittedProbe, LinearProbe, ProbeConfig};
pub use run::{Arch, ModelFactory, RunResult, RunSpec, run_once, run_once_with};
pub use speed::flops;
pub use speed::overlap::{OVERLAP_MAX_MACS, overlap_evaluation};
pub use standardise::Standardiser;
pub use stats::{EpochStats, ProbeStats, TrainStats};
pub use subspace::{
    OptimalityResiduals, largest_principal_angle_degrees, optimality_residuals, principal_angles,
};
pub use sweep::{Sweep, SweepResults};
pub use variants::{
    AutoencoderModel, CorruptedInput, Corruption, CustomAutoencoder, DenoisingAutoencoder,
    GaussianNoise, MaskedAutoencoder, RandomMask, build_model, with_forward,
};

/// What notebooks need (`hw6::prelude` re-exports it).
pub mod prelude {
    pub use crate::{
        Activation, Adam, Arch, Architecture, Autoencoder, AutoencoderConfig, AutoencoderModel,
        CustomAutoencoder, DEFAULT_MASK_PROB, DEFAULT_NOISE_STD, DenoisingAutoencoder, EpochStats,
        Experiment, ExperimentConfig, ForwardPass, LinearProbe, MaskedAutoencoder, ModelError,
        ModelKind, OptimalityResiduals, Pca, ProbeConfig, ProbeStats, RunResult, RunSpec, Sweep,
        SweepResults, TrainStats, TrainStep, architecture_is_written, build_model,
        check_architecture, check_denoising_step, check_forward, check_masking_step,
        forward_is_written, is_written, largest_principal_angle_degrees, optimality_residuals,
        principal_angles, rand_like, randn_like, run_once, run_once_with, with_architecture,
        with_forward,
    };
    pub use hw6_exercise::{CheckReport, Implementation, implementation_to_use};
    pub use hw6_linalg::{MatView, Matrix};
    pub use rand::SeedableRng;
    pub use rand_chacha::ChaCha8Rng;
}
