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
//!   training split (its first `n_valid` rows, as many as the validation split
//!   holds) and is scored on the whole test split; its features are
//!   standardised with the labelled subset's mean and standard deviation
//!   (see [`crate::probe`] for why).

use crate::adam::Adam;
use crate::autoencoder::Autoencoder;
use crate::error::{ModelError, Result, invalid};
use crate::matrix::{MatView, Matrix};
use crate::moments::{is_linear, linear_loss, linear_loss_flops, moments_of};
use crate::probe::{LinearProbe, ProbeConfig};
use crate::variants::AutoencoderModel;
use hw6_datasets::batching::{Order, epoch_batches};
use hw6_datasets::split::{Dataset, Split, SplitKind};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
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
    /// Standardise the probe's features with the training features' mean
    /// and standard deviation (default true; see [`crate::probe`]).
    pub probe_standardise: bool,
    /// The probe trains for at least this many Adam steps (default 2,400,
    /// the original's count on full MNIST; see [`crate::probe`]).
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

/// Losses and time of one epoch.
#[derive(Clone, Debug, Serialize)]
pub struct EpochStats {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Of how many in this call to `train`.
    pub of: usize,
    /// Mean squared error over the training split after the epoch.
    pub train_loss: f32,
    /// Mean squared error over the validation split after the epoch.
    pub valid_loss: f32,
    /// Wall seconds of the epoch, train steps and loss evaluation.
    pub seconds: f64,
    /// Wall seconds of the train steps alone.
    pub step_seconds: f64,
}

/// What `train` returns (the original's `train_losses` / `valid_losses`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct TrainStats {
    /// Training-split loss after each epoch.
    pub train_losses: Vec<f32>,
    /// Validation-split loss after each epoch.
    pub valid_losses: Vec<f32>,
    /// Wall seconds in all.
    pub seconds: f64,
    /// Wall seconds of train steps only.
    pub step_seconds: f64,
    /// Train steps taken.
    pub steps: usize,
    /// Floating-point operations of the train steps and the loss evaluations.
    pub flops: f64,
    /// Floating-point operations of the train steps alone.
    pub step_flops: f64,
    /// GFLOP/s of each epoch's train steps (for benchmarks: the fastest
    /// epoch is the least disturbed by other work on the machine).
    pub epoch_step_gflops: Vec<f64>,
}

/// What the probe evaluation returns.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeStats {
    /// Fraction of the test split classified correctly.
    pub accuracy: f64,
    /// Mean cross-entropy of the probe's last epoch.
    pub final_loss: f32,
    /// Epochs the probe trained (more than asked when the labelled subset
    /// is small; see [`crate::probe`]).
    pub epochs: usize,
    /// Adam steps the probe took.
    pub steps: usize,
    /// Wall seconds (feature extraction, probe training, test accuracy).
    pub seconds: f64,
}

/// An autoencoder, its optimiser and the data it trains on.
pub struct Experiment {
    dataset: Arc<Dataset>,
    model: Box<dyn AutoencoderModel>,
    opt: Adam,
    config: ExperimentConfig,
    rng: ChaCha8Rng,
    epochs_done: usize,
}

const EVAL_CHUNK: usize = 2048;

/// An epoch's loss evaluation running on another thread.
struct PendingEval<'scope> {
    handle: std::thread::ScopedJoinHandle<'scope, Result<(f32, f32, f64, Instant)>>,
    /// Epoch number counted over all calls to `train` (for error messages).
    epoch: usize,
    /// Epoch number within this call, from 1.
    index: usize,
    of: usize,
    started: Instant,
    step_seconds: f64,
}

/// Whether [`Experiment::train_with`] evaluates an epoch's losses on a
/// second thread while the next epoch trains on one thread: yes when there
/// is a second core and every product of a train step (`batch x in x out`)
/// is below [`OVERLAP_MAX_MACS`], so small that sharing it between threads
/// gains less than giving each thread its own work. Measured with
/// `hw6 ae --dataset synthetic --arch nonlinear --k 5,10,100 --repeats 1
/// --epochs 10 --seed 0`: 0.56-1.05 s per run this way, 0.94-1.49 s with
/// the products split and the losses computed after each epoch.
/// [`ExperimentConfig::overlap_eval`] overrides it.
pub fn overlap_evaluation(net: &Autoencoder, batch_size: usize) -> bool {
    let largest = net
        .layers()
        .iter()
        .map(|d| batch_size * d.weight.rows * d.weight.cols)
        .max()
        .unwrap_or(0);
    crate::threads::num_threads() > 1 && largest < OVERLAP_MAX_MACS
}

/// See [`overlap_evaluation`]: the nonlinear synthetic network's largest
/// product at batch 100 (`100 x 256 x 100`, 2.6 million multiply-adds) is
/// below it, a `100 x 256 x 1000` one is above.
pub const OVERLAP_MAX_MACS: usize = 1 << 22;

/// The loss over every row of a split and the floating-point operations
/// spent on it. A linear network is evaluated from the split's second
/// moments when that is cheaper (see [`crate::moments`]); otherwise the
/// network runs over every row.
fn loss_and_flops(
    dataset: &Arc<Dataset>,
    net: &Autoencoder,
    split: SplitKind,
) -> Result<(f32, f64)> {
    let s = dataset.split(split);
    let direct_flops = s.len() as f64 * net.forward_flops_per_sample();
    if is_linear(net) && linear_loss_flops(net) < 0.5 * direct_flops {
        let moments = moments_of(dataset, split)?;
        return Ok((linear_loss(net, &moments)?, linear_loss_flops(net)));
    }
    let mut sse = 0.0f64;
    for start in (0..s.len()).step_by(EVAL_CHUNK) {
        let end = (start + EVAL_CHUNK).min(s.len());
        let view = MatView::new(end - start, s.dim, &s.features[start * s.dim..end * s.dim])?;
        let x_hat = net.forward_view(view)?;
        sse += x_hat
            .data
            .iter()
            .zip(view.data)
            .map(|(a, b)| ((a - b) as f64).powi(2))
            .sum::<f64>();
    }
    Ok(((sse / (s.len() * s.dim).max(1) as f64) as f32, direct_flops))
}

impl Experiment {
    /// Set up training of `model` on `dataset`. Errors when the model's input
    /// size differs from the data's, when a split the experiment needs is
    /// empty, or when `batch_size` is 0 or larger than the training split or
    /// the labelled subset.
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
        let m = model.network().input_size();
        if m != dataset.input_size() {
            return Err(invalid(
                "input_size",
                m,
                format!(
                    "the model takes {m} features but the {} data has {}; build the model with input_size {}",
                    dataset.name,
                    dataset.input_size(),
                    dataset.input_size()
                ),
            ));
        }
        for (kind, split) in [
            (SplitKind::Train, &dataset.train),
            (SplitKind::Valid, &dataset.valid),
            (SplitKind::Test, &dataset.test),
        ] {
            if split.is_empty() {
                return Err(invalid(
                    "splits",
                    kind.as_str(),
                    format!(
                        "the {} split is empty; give it a positive fraction",
                        kind.as_str()
                    ),
                ));
            }
        }
        let probe_rows = dataset.valid.len().min(dataset.train.len());
        if config.batch_size == 0
            || config.batch_size > dataset.train.len()
            || config.batch_size > probe_rows
        {
            let most = probe_rows.min(dataset.train.len());
            return Err(invalid(
                "batch_size",
                config.batch_size,
                format!(
                    "use 1..={most}: the training split has {} rows and the probe's labelled subset {probe_rows}",
                    dataset.train.len()
                ),
            ));
        }
        let opt = model.network().optimizer(config.lr)?;
        if !(config.probe_lr.is_finite() && config.probe_lr > 0.0) {
            return Err(invalid(
                "probe_lr",
                config.probe_lr,
                "use a positive learning rate such as 1e-3",
            ));
        }
        let rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x005e_ed0f_c044);
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

    /// Train for `epochs` more epochs; returns the losses after each.
    pub fn train(&mut self, epochs: usize) -> Result<TrainStats> {
        self.train_with(epochs, &mut |_| {})
    }

    /// [`Experiment::train`], calling `on_epoch` after every epoch (for progress bars).
    ///
    /// When the train step's matrix products are too small to share between
    /// threads (see [`overlap_evaluation`]), the per-epoch losses of epoch
    /// `e` are computed on a second thread, from a copy of the weights after
    /// epoch `e`, while epoch `e + 1` trains, so each core does one of the
    /// two; the numbers are the same as computing them in between, and
    /// `on_epoch` is called as each epoch's losses arrive. Otherwise both
    /// cores share every product, one stage after the other.
    pub fn train_with(
        &mut self,
        epochs: usize,
        on_epoch: &mut dyn FnMut(&EpochStats),
    ) -> Result<TrainStats> {
        if epochs == 0 {
            return Err(invalid(
                "epochs",
                0,
                "train for at least 1 epoch (the original uses NUM_EPOCHS = 10)",
            ));
        }
        let start = Instant::now();
        let mut stats = TrainStats::default();
        let dataset = self.dataset.clone();
        let train = &dataset.train;
        let dim = train.dim;
        let step_flops = self.model.network().train_flops_per_sample();
        let mut xb = Matrix::zeros(0, 0);
        let overlap = self
            .config
            .overlap_eval
            .unwrap_or_else(|| overlap_evaluation(self.model.network(), self.config.batch_size));
        std::thread::scope(|scope| -> Result<()> {
            let mut pending: Option<PendingEval<'_>> = None;
            for e in 0..epochs {
                let t0 = Instant::now();
                let epoch = self.epochs_done + 1;
                let order = Order::Shuffled {
                    seed: self.config.seed,
                };
                let batches =
                    epoch_batches(train.len(), self.config.batch_size, order, self.epochs_done)?;
                let mut run_epoch = || -> Result<()> {
                    for rows in &batches {
                        xb.reshape_for(rows.len(), dim);
                        for (i, &r) in rows.iter().enumerate() {
                            xb.data[i * dim..(i + 1) * dim].copy_from_slice(train.row(r));
                        }
                        let loss =
                            self.model
                                .train_step_view(xb.view(), &mut self.opt, &mut self.rng)?;
                        if !loss.is_finite() {
                            return Err(self.diverged(epoch, loss));
                        }
                    }
                    Ok(())
                };
                if overlap {
                    // One core trains while the other evaluates.
                    crate::threads::single_threaded(run_epoch)?;
                } else {
                    // On a worker of rayon's pool, so that the products it
                    // shares out hand half to the other worker directly.
                    rayon::scope(|_| run_epoch())?;
                }
                let step_seconds = t0.elapsed().as_secs_f64();
                stats.steps += batches.len();
                let samples = (batches.len() * self.config.batch_size) as f64;
                stats.step_flops += samples * step_flops;
                stats
                    .epoch_step_gflops
                    .push(samples * step_flops / step_seconds.max(1e-12) / 1e9);
                stats.flops += samples * step_flops;
                stats.step_seconds += step_seconds;
                self.epochs_done += 1;
                if let Some(p) = pending.take() {
                    self.finish_eval(p, &mut stats, on_epoch)?;
                }
                let snapshot = self.model.network().clone_weights();
                let ds = dataset.clone();
                let evaluate = move || {
                    let (train_loss, f_train) = loss_and_flops(&ds, &snapshot, SplitKind::Train)?;
                    let (valid_loss, f_valid) = loss_and_flops(&ds, &snapshot, SplitKind::Valid)?;
                    Ok((train_loss, valid_loss, f_train + f_valid, Instant::now()))
                };
                pending = Some(PendingEval {
                    handle: if overlap {
                        scope.spawn(move || crate::threads::single_threaded(evaluate))
                    } else {
                        scope.spawn(evaluate)
                    },
                    epoch,
                    index: e + 1,
                    of: epochs,
                    started: t0,
                    step_seconds,
                });
                if !overlap && let Some(p) = pending.take() {
                    self.finish_eval(p, &mut stats, on_epoch)?;
                }
            }
            if let Some(p) = pending.take() {
                self.finish_eval(p, &mut stats, on_epoch)?;
            }
            Ok(())
        })?;
        stats.seconds = start.elapsed().as_secs_f64();
        Ok(stats)
    }

    /// Wait for an epoch's losses, check them, record and report them.
    fn finish_eval(
        &self,
        p: PendingEval<'_>,
        stats: &mut TrainStats,
        on_epoch: &mut dyn FnMut(&EpochStats),
    ) -> Result<()> {
        let (train_loss, valid_loss, flops, done) = p
            .handle
            .join()
            .map_err(|_| ModelError::Numeric("the loss evaluation thread panicked".into()))??;
        stats.flops += flops;
        for l in [train_loss, valid_loss] {
            if !l.is_finite() {
                return Err(self.diverged(p.epoch, l));
            }
        }
        let es = EpochStats {
            epoch: p.index,
            of: p.of,
            train_loss,
            valid_loss,
            seconds: done.duration_since(p.started).as_secs_f64(),
            step_seconds: p.step_seconds,
        };
        if self.config.verbose {
            println!(
                "epoch {}/{}: train loss {:.4}, valid loss {:.4} ({:.3} s)",
                es.epoch, es.of, es.train_loss, es.valid_loss, es.seconds
            );
        }
        on_epoch(&es);
        stats.train_losses.push(train_loss);
        stats.valid_losses.push(valid_loss);
        Ok(())
    }

    fn diverged(&self, epoch: usize, value: f32) -> ModelError {
        ModelError::NonFiniteLoss {
            what: "autoencoder",
            epoch,
            value,
            lr: self.config.lr,
            suggested: self.config.lr / 10.0,
        }
    }

    /// Mean squared reconstruction error over every row of a split (no gradients).
    pub fn get_loss(&self, split: SplitKind) -> Result<f32> {
        Ok(loss_and_flops(&self.dataset, self.model.network(), split)?.0)
    }

    /// Encoder features of the first `rows` rows of a split, `(rows, k)`.
    pub fn features(&self, split: &Split, rows: usize) -> Result<Matrix> {
        let net = self.model.network();
        let rows = rows.min(split.len());
        let k = net.bottleneck();
        let mut out = Matrix {
            rows,
            cols: k,
            data: Vec::with_capacity(rows * k),
        };
        for start in (0..rows).step_by(EVAL_CHUNK) {
            let end = (start + EVAL_CHUNK).min(rows);
            let view = MatView::new(
                end - start,
                split.dim,
                &split.features[start * split.dim..end * split.dim],
            )?;
            out.data.extend(net.encode_view(view)?.data);
        }
        Ok(out)
    }

    /// Train a [`LinearProbe`] for `epochs` epochs (or more, to take
    /// `probe_min_steps` steps) on standardised frozen features of the
    /// labelled subset and return its accuracy over the whole test split.
    pub fn evaluate_with_linear_probe(&mut self, epochs: usize) -> Result<ProbeStats> {
        let start = Instant::now();
        let ds = &self.dataset;
        let n_sub = ds.valid.len().min(ds.train.len());
        let z = self.features(&ds.train, n_sub)?;
        let cfg = ProbeConfig {
            lr: self.config.probe_lr,
            epochs,
            batch_size: self.config.batch_size,
            seed: self.config.seed ^ 0x0b0e,
            standardise: self.config.probe_standardise,
            min_steps: self.config.probe_min_steps,
        };
        let fitted = LinearProbe::fit_counted(&z, &ds.train.labels[..n_sub], ds.num_classes, &cfg)?;
        let (probe, final_loss) = (fitted.probe, fitted.final_loss);
        let zt = self.features(&ds.test, ds.test.len())?;
        let accuracy = probe.accuracy(zt.view(), &ds.test.labels)?;
        Ok(ProbeStats {
            accuracy,
            final_loss,
            epochs: fitted.epochs,
            steps: fitted.steps,
            seconds: start.elapsed().as_secs_f64(),
        })
    }
}
