//! `Experiment`: train an autoencoder for some epochs (per-epoch train and
//! validation loss, evaluated without gradients) and evaluate its features
//! with a linear probe, as the original's `Experiment` class does, minus its
//! quirks:
//!
//! - an epoch is one pass over the training split in a seeded shuffled
//!   order (`n / batch_size` full batches);
//! - the per-epoch losses are the mean squared error over every row of the
//!   split;
//! - the probe trains on frozen features of a labelled subset of the
//!   training split (its first `n_valid` rows, as many as the validation
//!   split holds) and is scored on the whole test split; its features are
//!   standardised with the labelled subset's mean and standard deviation
//!   (see [`crate::LinearProbe`]).

use crate::adam::Adam;
use crate::autoencoder::Autoencoder;
use crate::check::ForwardPass;
use crate::error::{ModelError, Result, invalid};
use crate::probe::{LinearProbe, ProbeConfig};
use crate::speed::overlap::{Losses, Pipeline, overlap_evaluation};
use crate::speed::{encode_rows, flops, split_loss};
use crate::stats::{EpochStats, ProbeStats, TrainStats};
use crate::variants::AutoencoderModel;
use hw6_datasets::{Dataset, Order, Split, SplitKind, epoch_batches};
use hw6_linalg::Matrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;
use std::time::Instant;

/// The original's `Experiment` constants.
#[derive(Clone, Debug, PartialEq)]
pub struct ExperimentConfig {
    /// Rows per train step (`BATCH_SIZE`: 100 synthetic, 200 MNIST).
    pub batch_size: usize,
    /// Adam learning rate of the autoencoder (5e-4).
    pub lr: f64,
    /// Adam learning rate of the probe (1e-3).
    pub probe_lr: f64,
    /// Standardise the probe's features (default true; see [`ProbeConfig`]).
    pub probe_standardise: bool,
    /// The probe trains for at least this many Adam steps (default 2,400,
    /// the original's count on full MNIST; see [`ProbeConfig`]).
    pub probe_min_steps: usize,
    /// Seed of the batch order, the corruption noise and the probe.
    pub seed: u64,
    /// Print one line per epoch.
    pub verbose: bool,
    /// Evaluate each epoch's losses on a second thread while the next epoch
    /// trains: `None` (default) decides by [`overlap_evaluation`]. The
    /// numbers are the same either way.
    pub overlap_eval: Option<bool>,
}

impl Default for ExperimentConfig {
    fn default() -> Self {
        Self {
            batch_size: 100,
            lr: 5e-4,
            probe_lr: 1e-3,
            probe_standardise: true,
            probe_min_steps: crate::probe::DEFAULT_MIN_PROBE_STEPS,
            seed: 0,
            verbose: false,
            overlap_eval: None,
        }
    }
}

/// Seeds derived from [`ExperimentConfig::seed`], one per use, so that the
/// corruption noise, the batch order and the probe draw independent streams.
const NOISE_STREAM: u64 = 0x005e_ed0f_c044;
const PROBE_STREAM: u64 = 0x0b0e;

/// An autoencoder, its optimiser and the data it trains on.
pub struct Experiment {
    dataset: Arc<Dataset>,
    model: Box<dyn AutoencoderModel>,
    opt: Adam,
    config: ExperimentConfig,
    rng: ChaCha8Rng,
    epochs_done: usize,
}

/// Which epoch an evaluation belongs to.
struct EpochTag {
    /// Counted over all calls to `train` (for error messages).
    epoch: usize,
    /// Within this call, from 1.
    index: usize,
    started: Instant,
    step_seconds: f64,
}

impl Experiment {
    /// Sets up training of `model` on `dataset`. Errors when the model's
    /// input size differs from the data's, when a split is empty, or when
    /// `batch_size` is 0 or larger than the training split or the labelled
    /// subset.
    pub fn new(
        dataset: Arc<Dataset>,
        model: impl AutoencoderModel + 'static,
        config: ExperimentConfig,
    ) -> Result<Self> {
        Self::new_boxed(dataset, Box::new(model), config)
    }

    /// [`Experiment::new`] for a boxed model (see [`crate::build_model`]).
    pub fn new_boxed(
        dataset: Arc<Dataset>,
        model: Box<dyn AutoencoderModel>,
        config: ExperimentConfig,
    ) -> Result<Self> {
        check_fits(&dataset, model.network(), &config)?;
        let opt = model.network().optimizer(config.lr)?;
        let rng = ChaCha8Rng::seed_from_u64(config.seed ^ NOISE_STREAM);
        Ok(Self {
            dataset,
            model,
            opt,
            config,
            rng,
            epochs_done: 0,
        })
    }

    /// The model being trained.
    pub fn model(&self) -> &dyn AutoencoderModel {
        self.model.as_ref()
    }

    /// The network being trained.
    pub fn network(&self) -> &Autoencoder {
        self.model.network()
    }

    /// The data.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// Epochs trained so far.
    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// Trains for `epochs` more epochs; returns the losses after each.
    pub fn train(&mut self, epochs: usize) -> Result<TrainStats> {
        self.train_with(epochs, &mut |_| {})
    }

    /// [`Experiment::train`], calling `on_epoch` as each epoch's losses
    /// arrive (for progress lines).
    pub fn train_with(
        &mut self,
        epochs: usize,
        on_epoch: &mut dyn FnMut(&EpochStats),
    ) -> Result<TrainStats> {
        if epochs == 0 {
            let allowed = "train for at least 1 epoch (the original uses NUM_EPOCHS = 10)";
            return Err(invalid("epochs", 0, allowed));
        }
        let start = Instant::now();
        let mut stats = TrainStats::default();
        let dataset = self.dataset.clone();
        let overlap = (self.config.overlap_eval)
            .unwrap_or_else(|| overlap_evaluation(self.network(), self.config.batch_size));
        std::thread::scope(|scope| -> Result<()> {
            let mut pipeline = Pipeline::new(scope, overlap);
            for index in 1..=epochs {
                let started = Instant::now();
                let steps = pipeline.train(|| self.train_epoch())?;
                let step_seconds = started.elapsed().as_secs_f64();
                let samples = (steps * self.config.batch_size) as f64;
                let per_sample = flops::train_per_sample(self.network());
                stats.add_steps(steps, samples, per_sample, step_seconds);
                self.epochs_done += 1;
                let tag = EpochTag {
                    epoch: self.epochs_done,
                    index,
                    started,
                    step_seconds,
                };
                let (snapshot, ds) = (self.network().clone(), dataset.clone());
                let forward = self.model.forward_pass();
                let job = move || epoch_losses(&ds, &snapshot, forward.as_deref());
                for (tag, losses) in pipeline.evaluate(tag, job)? {
                    self.record(tag, losses, epochs, &mut stats, on_epoch)?;
                }
            }
            if let Some((tag, losses)) = pipeline.finish()? {
                self.record(tag, losses, epochs, &mut stats, on_epoch)?;
            }
            Ok(())
        })?;
        stats.seconds = start.elapsed().as_secs_f64();
        Ok(stats)
    }

    /// One pass over the training split in this epoch's shuffled order;
    /// returns the number of train steps.
    fn train_epoch(&mut self) -> Result<usize> {
        let train = &self.dataset.train;
        let order = Order::Shuffled {
            seed: self.config.seed,
        };
        let batches = epoch_batches(train.len(), self.config.batch_size, order, self.epochs_done)?;
        let mut x = Matrix::default();
        for rows in &batches {
            x.gather(train.features().view(), rows)?;
            let loss = self.model.train_step(&x, &mut self.opt, &mut self.rng)?;
            if !loss.is_finite() {
                return Err(self.diverged(self.epochs_done + 1, loss));
            }
        }
        Ok(batches.len())
    }

    /// Checks an epoch's losses, reports and records them.
    fn record(
        &self,
        tag: EpochTag,
        losses: Losses,
        of: usize,
        stats: &mut TrainStats,
        on_epoch: &mut dyn FnMut(&EpochStats),
    ) -> Result<()> {
        stats.flops += losses.flops;
        for loss in [losses.train, losses.valid] {
            if !loss.is_finite() {
                return Err(self.diverged(tag.epoch, loss));
            }
        }
        let epoch = EpochStats {
            epoch: tag.index,
            of,
            train_loss: losses.train,
            valid_loss: losses.valid,
            seconds: losses.done.duration_since(tag.started).as_secs_f64(),
            step_seconds: tag.step_seconds,
        };
        if self.config.verbose {
            println!(
                "epoch {}/{}: train loss {:.4}, valid loss {:.4} ({:.3} s)",
                epoch.epoch, epoch.of, epoch.train_loss, epoch.valid_loss, epoch.seconds
            );
        }
        on_epoch(&epoch);
        stats.train_losses.push(losses.train);
        stats.valid_losses.push(losses.valid);
        Ok(())
    }

    fn diverged(&self, epoch: usize, value: f32) -> ModelError {
        let lr = self.config.lr;
        ModelError::NonFiniteLoss {
            what: "autoencoder",
            epoch,
            value,
            lr,
            suggested: lr / 10.0,
        }
    }

    /// Mean squared reconstruction error over every row of a split (no
    /// gradients; the original's `get_loss`).
    pub fn get_loss(&self, split: SplitKind) -> Result<f32> {
        let forward = self.model.forward_pass();
        Ok(split_loss(
            self.dataset.split(split),
            self.network(),
            forward.as_deref(),
        )?
        .0)
    }

    /// Encoder features of the first `rows` rows of a split.
    ///
    /// # Shapes
    /// Returns `(min(rows, split.len()), k)`.
    pub fn features(&self, split: &Split, rows: usize) -> Result<Matrix> {
        encode_rows(self.network(), split, rows)
    }

    /// Trains a [`LinearProbe`] for `epochs` epochs (or more, to take
    /// `probe_min_steps` steps) on standardised frozen features of the
    /// labelled subset and returns its accuracy over the whole test split.
    pub fn evaluate_with_linear_probe(&mut self, epochs: usize) -> Result<ProbeStats> {
        let start = Instant::now();
        let ds = &self.dataset;
        let n_sub = ds.valid.len().min(ds.train.len());
        let z = self.features(&ds.train, n_sub)?;
        let cfg = ProbeConfig {
            lr: self.config.probe_lr,
            epochs,
            batch_size: self.config.batch_size,
            seed: self.config.seed ^ PROBE_STREAM,
            standardise: self.config.probe_standardise,
            min_steps: self.config.probe_min_steps,
        };
        let fitted = LinearProbe::fit(&z, &ds.train.labels()[..n_sub], ds.num_classes, &cfg)?;
        let zt = self.features(&ds.test, ds.test.len())?;
        let accuracy = fitted.probe.accuracy(&zt, ds.test.labels())?;
        Ok(ProbeStats {
            accuracy,
            final_loss: fitted.final_loss,
            epochs: fitted.epochs,
            steps: fitted.steps,
            seconds: start.elapsed().as_secs_f64(),
        })
    }
}

/// The train and validation losses of a network (a copy of the weights
/// after an epoch), computed by `forward` if given.
fn epoch_losses(
    dataset: &Dataset,
    net: &Autoencoder,
    forward: Option<&dyn ForwardPass>,
) -> Result<Losses> {
    let (train, f_train) = split_loss(&dataset.train, net, forward)?;
    let (valid, f_valid) = split_loss(&dataset.valid, net, forward)?;
    Ok(Losses {
        train,
        valid,
        flops: f_train + f_valid,
        done: Instant::now(),
    })
}

/// Checks that `net` and `config` fit `dataset` before anything trains.
fn check_fits(dataset: &Dataset, net: &Autoencoder, config: &ExperimentConfig) -> Result<()> {
    let (m, width) = (net.input_size(), dataset.input_size());
    if m != width {
        let name = &dataset.name;
        let allowed = format!(
            "the model takes {m} features but the {name} data has {width}; build the model with input_size {width}"
        );
        return Err(invalid("input_size", m, allowed));
    }
    for kind in SplitKind::ALL {
        if dataset.split(kind).is_empty() {
            let allowed = format!("the {kind} split is empty; give it a positive fraction");
            return Err(invalid("splits", kind.as_str(), allowed));
        }
    }
    let train = dataset.train.len();
    let probe_rows = dataset.valid.len().min(train);
    if config.batch_size == 0 || config.batch_size > train || config.batch_size > probe_rows {
        let allowed = format!(
            "use 1..={probe_rows}: the training split has {train} rows and the probe's labelled subset {probe_rows}"
        );
        return Err(invalid("batch_size", config.batch_size, allowed));
    }
    if !(config.probe_lr.is_finite() && config.probe_lr > 0.0) {
        let allowed = "use a positive learning rate such as 1e-3";
        return Err(invalid("probe_lr", config.probe_lr, allowed));
    }
    Ok(())
}
