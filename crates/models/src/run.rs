//! One run of a notebook section: build the model for `(arch, k, model,
//! repeat)`, train it, probe it, time it. Shared by the CLI, the benchmark
//! and the notebook so all three measure the same thing.

use crate::config::{AutoencoderConfig, ModelKind};
use crate::error::{Result, invalid};
use crate::experiment::{EpochStats, Experiment, ExperimentConfig};
use crate::variants::AutoencoderModel;
use crate::variants::build_model;
use hw6_datasets::split::Dataset;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

/// Linear (`[k]`, identity) or nonlinear (`[hidden, k]`, ReLU).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Arch {
    /// One hidden layer of size `k`, no activation.
    Linear,
    /// Two hidden layers `[hidden, k]` with ReLU between them (a single
    /// layer with ReLU would still be linear in the original's layout).
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

    /// The autoencoder config for input size `m` and bottleneck `k`.
    pub fn config(&self, m: usize, k: usize) -> AutoencoderConfig {
        match *self {
            Arch::Linear => AutoencoderConfig::linear(m, k),
            Arch::Nonlinear { hidden } => AutoencoderConfig::nonlinear(m, hidden, k),
        }
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
}

impl RunSpec {
    /// The seed of this run, derived from the base seed, `k`, the model and
    /// the repeat (so a run's numbers do not depend on which others ran).
    pub fn run_seed(&self) -> u64 {
        let model_id = match self.model {
            ModelKind::Vanilla => 1u64,
            ModelKind::Denoising { .. } => 2,
            ModelKind::Masked { .. } => 3,
        };
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
/// uses its own train steps).
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
    let config = spec
        .arch
        .config(dataset.input_size(), spec.k)
        .with_seed(seed);
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

/// A notebook section: every `k` x model x repeat, like the original's cell.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Architecture.
    pub arch: Arch,
    /// Bottleneck sizes.
    pub ks: Vec<usize>,
    /// Models, in order (colours follow it).
    pub models: Vec<ModelKind>,
    /// `NUM_REPEATS`.
    pub repeats: usize,
    /// `NUM_EPOCHS` (autoencoder and probe).
    pub epochs: usize,
    /// `BATCH_SIZE`.
    pub batch_size: usize,
    /// Base seed.
    pub seed: u64,
    /// Print one line per model and `k` (means over the repeats).
    pub verbose: bool,
}

impl Sweep {
    /// The original's section settings: all four `k`, the three models,
    /// 3 repeats, 10 epochs, batch 100, seed 0, one line per model and `k`.
    pub fn new(arch: Arch) -> Self {
        Self {
            arch,
            ks: vec![5, 10, 100, 1000],
            models: ModelKind::ALL.to_vec(),
            repeats: 3,
            epochs: 10,
            batch_size: 100,
            seed: 0,
            verbose: true,
        }
    }

    /// Run everything with models from `factory`.
    pub fn run_with(
        &self,
        dataset: &Arc<Dataset>,
        factory: ModelFactory<'_>,
    ) -> Result<SweepResults> {
        if self.repeats == 0 {
            return Err(invalid(
                "repeats",
                0,
                "run each configuration at least once",
            ));
        }
        if self.ks.is_empty() || self.models.is_empty() {
            return Err(invalid(
                "ks / models",
                "empty",
                "give at least one k and one model",
            ));
        }
        let start = Instant::now();
        let mut runs = Vec::new();
        for &k in &self.ks {
            for &model in &self.models {
                let first = runs.len();
                for repeat in 0..self.repeats {
                    let spec = RunSpec {
                        arch: self.arch,
                        k,
                        model,
                        repeat,
                        epochs: self.epochs,
                        batch_size: self.batch_size,
                        seed: self.seed,
                    };
                    runs.push(run_once_with(dataset, &spec, factory, &mut |_| {})?);
                }
                if self.verbose {
                    println!("{}", summary_line(k, &runs[first..]));
                }
            }
        }
        Ok(SweepResults {
            ks: self.ks.clone(),
            models: self.models.iter().map(|m| m.name()).collect(),
            runs,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// Run everything with the crate's reference models.
    pub fn run(&self, dataset: &Arc<Dataset>) -> Result<SweepResults> {
        self.run_with(dataset, &build_model)
    }
}

/// One line for the repeats of one model and `k`: mean losses, mean accuracy
/// (with its range over repeats) and the seconds they took together.
fn summary_line(k: usize, repeats: &[RunResult]) -> String {
    let n = repeats.len().max(1) as f64;
    let mean = |f: &dyn Fn(&RunResult) -> f64| repeats.iter().map(f).sum::<f64>() / n;
    let accuracy = mean(&|r| r.accuracy);
    let range = if repeats.len() > 1 {
        let lo = repeats
            .iter()
            .map(|r| r.accuracy)
            .fold(f64::INFINITY, f64::min);
        let hi = repeats
            .iter()
            .map(|r| r.accuracy)
            .fold(f64::NEG_INFINITY, f64::max);
        format!(" (range {lo:.4}-{hi:.4})")
    } else {
        String::new()
    };
    format!(
        "k = {:<4} {:<8} {} run{}: train loss {:.4}, valid loss {:.4}, accuracy {:.4}{}, {:.2} s",
        k,
        repeats.first().map(|r| r.model).unwrap_or(""),
        repeats.len(),
        if repeats.len() == 1 { "" } else { "s" },
        mean(&|r| r.train_loss as f64),
        mean(&|r| r.valid_loss as f64),
        accuracy,
        range,
        repeats.iter().map(|r| r.seconds).sum::<f64>(),
    )
}

/// All runs of a sweep, with the averages the notebook shows.
#[derive(Clone, Debug, Serialize)]
pub struct SweepResults {
    /// Bottleneck sizes, in order.
    pub ks: Vec<usize>,
    /// Model names, in order.
    pub models: Vec<&'static str>,
    /// Every run.
    pub runs: Vec<RunResult>,
    /// Wall seconds of the whole sweep.
    pub seconds: f64,
}

impl SweepResults {
    fn select(&self, k: usize, model: &str) -> Vec<&RunResult> {
        self.runs
            .iter()
            .filter(|r| r.k == k && r.model == model)
            .collect()
    }

    /// Per model: `(name, mean train loss per epoch, mean validation loss per epoch)` at `k`
    /// (the original's `np.mean(_train_loss, axis=0)`).
    pub fn loss_curves(&self, k: usize) -> Vec<(&'static str, Vec<f64>, Vec<f64>)> {
        self.models
            .iter()
            .map(|&m| {
                let runs = self.select(k, m);
                let epochs = runs.iter().map(|r| r.train_losses.len()).min().unwrap_or(0);
                let mean = |f: fn(&RunResult) -> &Vec<f32>| -> Vec<f64> {
                    (0..epochs)
                        .map(|e| {
                            runs.iter().map(|r| f(r)[e] as f64).sum::<f64>() / runs.len() as f64
                        })
                        .collect()
                };
                (m, mean(|r| &r.train_losses), mean(|r| &r.valid_losses))
            })
            .collect()
    }

    /// Mean probe accuracy of `model` at `k` (NaN if it did not run).
    pub fn mean_accuracy(&self, k: usize, model: &str) -> f64 {
        let runs = self.select(k, model);
        runs.iter().map(|r| r.accuracy).sum::<f64>() / runs.len() as f64
    }

    /// Per model: `(name, ks, mean accuracies)` for an accuracy-against-k chart.
    pub fn accuracy_series(&self) -> Vec<(&'static str, Vec<f64>, Vec<f64>)> {
        self.models
            .iter()
            .map(|&m| {
                (
                    m,
                    self.ks.iter().map(|&k| k as f64).collect(),
                    self.ks.iter().map(|&k| self.mean_accuracy(k, m)).collect(),
                )
            })
            .collect()
    }

    /// Table columns: `k` and one column of mean accuracies per model.
    pub fn accuracy_columns(&self) -> (Vec<i64>, Vec<(&'static str, Vec<f64>)>) {
        let ks = self.ks.iter().map(|&k| k as i64).collect();
        let cols = self
            .models
            .iter()
            .map(|&m| {
                (
                    m,
                    self.ks.iter().map(|&k| self.mean_accuracy(k, m)).collect(),
                )
            })
            .collect();
        (ks, cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(model: &'static str, accuracy: f64, train_loss: f32, seconds: f64) -> RunResult {
        RunResult {
            model,
            accuracy,
            train_loss,
            valid_loss: 2.0 * train_loss,
            seconds,
            ..RunResult::default()
        }
    }

    #[test]
    fn summary_line_gives_means_range_and_total_time_of_the_repeats() {
        let repeats = [
            run("denoise", 0.5, 1.0, 1.0),
            run("denoise", 0.7, 2.0, 2.0),
            run("denoise", 0.9, 3.0, 0.5),
        ];
        assert_eq!(
            summary_line(10, &repeats),
            "k = 10   denoise  3 runs: train loss 2.0000, valid loss 4.0000, accuracy 0.7000 \
             (range 0.5000-0.9000), 3.50 s"
        );
        assert_eq!(
            summary_line(5, &repeats[..1]),
            "k = 5    denoise  1 run: train loss 1.0000, valid loss 2.0000, accuracy 0.5000, 1.00 s"
        );
    }
}
