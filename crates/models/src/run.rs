//! One run of a notebook section: build the model for `(arch, k, model,
//! repeat)`, train it, probe it, time it. Shared by the CLI, the benchmark
//! and the notebook so all three measure the same thing.

use crate::check::Architecture;
use crate::config::{Activation, AutoencoderConfig, ModelKind};
use crate::error::{Result, invalid};
use crate::experiment::{Experiment, ExperimentConfig};
use crate::stats::EpochStats;
use crate::variants::{AutoencoderModel, build_model};
use hw6_datasets::Dataset;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

/// The kind of autoencoder a section trains: linear (sections 1.1, 1.3) or
/// nonlinear (1.2, 1.4). Which layers that means is each section's
/// architecture TODO; the CLI uses the crate's answer ([`Arch::layers`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Arch {
    /// An autoencoder that is an affine map of its input.
    Linear,
    /// An autoencoder that is not (see [`crate::AutoencoderConfig`] for
    /// where the activation acts).
    Nonlinear {
        /// Width of the first hidden layer (256 in our runs).
        hidden: usize,
    },
}

impl Arch {
    /// `linear` or `nonlinear`.
    pub fn name(&self) -> &'static str {
        match self {
            Arch::Linear => "linear",
            Arch::Nonlinear { .. } => "nonlinear",
        }
    }

    /// The crate's hidden sizes (ending in `k`) and activation for
    /// bottleneck `k` (the sections' architecture TODOs).
    pub fn layers(&self, k: usize) -> (Vec<usize>, Activation) {
        let config = match *self {
            Arch::Linear => AutoencoderConfig::linear(0, k),
            Arch::Nonlinear { hidden } => AutoencoderConfig::nonlinear(0, hidden, k),
        };
        (config.hidden_sizes, config.activation)
    }

    /// The crate's autoencoder config for input size `m` and bottleneck `k`
    /// (seed 0).
    pub fn config(&self, m: usize, k: usize) -> AutoencoderConfig {
        let (hidden_sizes, activation) = self.layers(k);
        AutoencoderConfig::new(m, hidden_sizes, activation)
    }
}

/// Everything that identifies a run.
#[derive(Clone, Debug, Serialize)]
pub struct RunSpec {
    /// Architecture.
    pub arch: Arch,
    /// Bottleneck size.
    pub k: usize,
    /// Which autoencoder.
    pub model: ModelKind,
    /// Repeat number (0-based); changes the seed.
    pub repeat: usize,
    /// Epochs of the autoencoder and of the probe (`NUM_EPOCHS`).
    pub epochs: usize,
    /// `BATCH_SIZE`.
    pub batch_size: usize,
    /// Base seed of the sweep.
    pub seed: u64,
    /// The hidden sizes and activation for `k` (a notebook's architecture
    /// function); `None` for the crate's ([`Arch::layers`]).
    #[serde(skip)]
    pub architecture: Option<Architecture>,
}

impl RunSpec {
    /// The autoencoder config of this run for input size `m`, before its seed.
    pub fn config(&self, m: usize) -> AutoencoderConfig {
        match self.architecture {
            Some(architecture) => AutoencoderConfig::from_architecture(m, self.k, architecture),
            None => self.arch.config(m, self.k),
        }
    }

    /// The seed of this run, derived from the base seed, `k`, the model and
    /// the repeat (so a run's numbers do not depend on which others ran).
    pub fn run_seed(&self) -> u64 {
        let model_id = match self.model {
            ModelKind::Vanilla => 1u64,
            ModelKind::Denoising { .. } => 2,
            ModelKind::Masked { .. } => 3,
        };
        // A splitmix64-style mix of the four numbers.
        let mut h = self.seed ^ 0x9E37_79B9_7F4A_7C15;
        for v in [self.k as u64, model_id, self.repeat as u64] {
            h = (h ^ v).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            h ^= h >> 31;
        }
        h
    }
}

/// The outcome of a run (one JSON line of `hw6 ae`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunResult {
    /// Data set name.
    pub dataset: String,
    /// `linear` / `nonlinear`.
    pub arch: &'static str,
    /// Hidden sizes used.
    pub hidden_sizes: Vec<usize>,
    /// `vanilla` / `denoise` / `masking`.
    pub model: &'static str,
    /// Bottleneck size.
    pub k: usize,
    /// Repeat number.
    pub repeat: usize,
    /// Seed of this run.
    pub run_seed: u64,
    /// Epochs.
    pub epochs: usize,
    /// Batch size.
    pub batch_size: usize,
    /// Wall seconds of the whole run (build, train, probe).
    pub seconds: f64,
    /// Wall seconds of training (steps and per-epoch losses).
    pub seconds_train: f64,
    /// Wall seconds of the probe.
    pub seconds_probe: f64,
    /// Training seconds per epoch.
    pub seconds_per_epoch: f64,
    /// Training samples per second (train steps only).
    pub samples_per_second: f64,
    /// GFLOP/s of training (steps and loss evaluation, operations actually done).
    pub gflops: f64,
    /// GFLOP/s of the train steps alone.
    pub step_gflops: f64,
    /// GFLOP/s of the train steps of the fastest epoch.
    pub best_epoch_step_gflops: f64,
    /// Training-split loss per epoch.
    pub train_losses: Vec<f32>,
    /// Validation-split loss per epoch.
    pub valid_losses: Vec<f32>,
    /// Final training loss.
    pub train_loss: f32,
    /// Final validation loss.
    pub valid_loss: f32,
    /// Probe accuracy on the test split.
    pub accuracy: f64,
}

/// Builds a model for a kind and a config (the notebook passes one that
/// uses its own train steps and forward pass).
pub type ModelFactory<'a> =
    &'a dyn Fn(ModelKind, &AutoencoderConfig) -> Result<Box<dyn AutoencoderModel>>;

/// Build (with the crate's reference models), train and probe one model on `dataset`.
pub fn run_once(
    dataset: &Arc<Dataset>,
    spec: &RunSpec,
    on_epoch: &mut dyn FnMut(&EpochStats),
) -> Result<RunResult> {
    run_once_with(dataset, spec, &build_model, on_epoch)
}

/// [`run_once`] with the models built by `factory`.
pub fn run_once_with(
    dataset: &Arc<Dataset>,
    spec: &RunSpec,
    factory: ModelFactory<'_>,
    on_epoch: &mut dyn FnMut(&EpochStats),
) -> Result<RunResult> {
    if spec.epochs == 0 {
        return Err(invalid(
            "epochs",
            0,
            "train for at least 1 epoch (the original uses 10)",
        ));
    }
    let start = Instant::now();
    let seed = spec.run_seed();
    let config = spec.config(dataset.input_size()).with_seed(seed);
    let model = factory(spec.model, &config)?;
    let ecfg = ExperimentConfig {
        batch_size: spec.batch_size,
        seed,
        ..ExperimentConfig::default()
    };
    let mut exp = Experiment::new_boxed(dataset.clone(), model, ecfg)?;
    let train = exp.train_with(spec.epochs, on_epoch)?;
    let probe = exp.evaluate_with_linear_probe(spec.epochs)?;
    let samples = (train.steps * spec.batch_size) as f64;
    Ok(RunResult {
        dataset: dataset.name.clone(),
        arch: spec.arch.name(),
        hidden_sizes: config.hidden_sizes.clone(),
        model: spec.model.name(),
        k: spec.k,
        repeat: spec.repeat,
        run_seed: seed,
        epochs: spec.epochs,
        batch_size: spec.batch_size,
        seconds: start.elapsed().as_secs_f64(),
        seconds_train: train.seconds,
        seconds_probe: probe.seconds,
        seconds_per_epoch: train.seconds / spec.epochs as f64,
        samples_per_second: samples / train.step_seconds.max(1e-12),
        gflops: train.flops / train.seconds.max(1e-12) / 1e9,
        step_gflops: train.step_flops / train.step_seconds.max(1e-12) / 1e9,
        best_epoch_step_gflops: train.epoch_step_gflops.iter().copied().fold(0.0, f64::max),
        train_loss: *train.train_losses.last().unwrap_or(&f32::NAN),
        valid_loss: *train.valid_losses.last().unwrap_or(&f32::NAN),
        train_losses: train.train_losses,
        valid_losses: train.valid_losses,
        accuracy: probe.accuracy,
    })
}
