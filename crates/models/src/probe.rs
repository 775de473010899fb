//! The linear probe: a `Linear(k, classes)` layer trained with cross-entropy
//! and Adam (lr 1e-3) on frozen, standardised encoder features.
//!
//! For logits `S = Z W^T + b` and labels `y`, the loss is
//! `mean_i( logsumexp(S_i) - S_{i, y_i} )`, whose gradient with respect to `S`
//! is `(softmax(S) - onehot(y)) / batch`; then `dW = G^T Z`, `db` = column
//! sums of `G`.

use crate::adam::Adam;
use crate::error::{ModelError, Result, invalid};
use crate::layer::Dense;
use crate::standardise::Standardiser;
use hw6_datasets::{Order, epoch_batches};
use hw6_exercise::ShapeError;
use hw6_linalg::{MatView, Matrix, Op, gemm_into, softmax_in_place};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Settings of the probe's training (the original's: lr 1e-3, 10 epochs).
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeConfig {
    /// Adam learning rate.
    pub lr: f64,
    /// Passes over the labelled features.
    pub epochs: usize,
    /// Rows per step.
    pub batch_size: usize,
    /// Seed of the initialisation and of the batch order.
    pub seed: u64,
    /// Standardise features with the training features' mean and standard
    /// deviation before the linear layer ([`Standardiser`]). Default true.
    pub standardise: bool,
    /// Train for more than `epochs` epochs if needed to take at least this
    /// many Adam steps, so that a small labelled sample still gets the
    /// original's full-MNIST budget. Default 2,400; 0 turns it off.
    pub min_steps: usize,
}

/// The original probe's step count on full MNIST: 24,000 validation images
/// / 100 per step x 10 epochs.
pub const DEFAULT_MIN_PROBE_STEPS: usize = 2400;

/// Seed of the probe's batch order, derived from [`ProbeConfig::seed`].
const ORDER_STREAM: u64 = 0x9e37;

impl Default for ProbeConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            epochs: 10,
            batch_size: 100,
            seed: 0,
            standardise: true,
            min_steps: DEFAULT_MIN_PROBE_STEPS,
        }
    }
}

/// What [`LinearProbe::fit`] returns.
#[derive(Clone, Debug)]
pub struct FittedProbe {
    /// The trained probe.
    pub probe: LinearProbe,
    /// Mean cross-entropy of its last epoch.
    pub final_loss: f32,
    /// Epochs trained.
    pub epochs: usize,
    /// Adam steps taken.
    pub steps: usize,
}

/// A linear classifier on `k`-dimensional features.
#[derive(Clone, Debug)]
pub struct LinearProbe {
    /// The layer, `k -> classes`, acting on standardised features.
    pub layer: Dense,
    /// Applied to every input before the layer: the identity for a probe
    /// made by [`LinearProbe::new`], the training features' statistics after
    /// [`LinearProbe::fit`] with `standardise`.
    pub standardiser: Standardiser,
}

impl LinearProbe {
    /// PyTorch-style uniform initialisation in `+-1/sqrt(k)`, seeded.
    pub fn new(k: usize, classes: usize, seed: u64) -> Result<Self> {
        if k == 0 {
            return Err(invalid(
                "k",
                k,
                "the probe needs at least one feature; use k >= 1",
            ));
        }
        if classes < 2 {
            return Err(invalid(
                "num_classes",
                classes,
                "a classifier needs at least 2 classes",
            ));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let layer = Dense::uniform(k, classes, &mut rng)?;
        Ok(Self {
            layer,
            standardiser: Standardiser::identity(k),
        })
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.layer.fan_out()
    }

    /// Logits `standardise(Z) W^T + b`.
    ///
    /// # Shapes
    /// `z`: `(batch, k)` -> `(batch, classes)`.
    pub fn logits<'a>(&self, z: impl Into<MatView<'a>>) -> Result<Matrix> {
        let z = z.into();
        self.check_cols(z)?;
        let mut out = Matrix::default();
        self.layer
            .forward_into(self.standardiser.apply(z).view(), &mut out)?;
        Ok(out)
    }

    fn check_cols(&self, z: MatView<'_>) -> Result<()> {
        let k = self.layer.fan_in();
        if z.cols() != k {
            let (want, got) = (format!("(batch, {k})"), format!("(batch, {})", z.cols()));
            return Err(ShapeError::new("LinearProbe::logits", want, got).into());
        }
        Ok(())
    }

    fn check_labels(&self, labels: &[u32], rows: usize) -> Result<()> {
        if labels.len() != rows {
            let got = format!("{}", labels.len());
            return Err(
                ShapeError::new("LinearProbe (labels)", format!("{rows} labels"), got).into(),
            );
        }
        if let Some(&bad) = labels.iter().find(|&&y| y as usize >= self.num_classes()) {
            let allowed = format!("labels must be below num_classes = {}", self.num_classes());
            return Err(invalid("labels", bad, allowed));
        }
        Ok(())
    }

    /// One Adam step on the cross-entropy of a batch of *standardised*
    /// features (the probe's [`Standardiser`] already applied); returns the
    /// loss before the update.
    ///
    /// # Shapes
    /// `z`: `(batch, k)`, `labels`: `batch` class indices.
    pub fn train_step<'a>(
        &mut self,
        z: impl Into<MatView<'a>>,
        labels: &[u32],
        opt: &mut Adam,
    ) -> Result<f32> {
        let z = z.into();
        self.check_labels(labels, z.rows())?;
        self.check_cols(z)?;
        let lengths = [self.layer.weight.as_slice().len(), self.layer.bias.len()];
        opt.check_fits("LinearProbe::train_step (optimizer)", lengths)?;
        // G = (softmax(S) - onehot(y)) / batch, in place of the logits S.
        let mut g = Matrix::default();
        self.layer.forward_into(z, &mut g)?;
        let n = z.rows() as f32;
        let mut loss = 0.0f64;
        for (row, &y) in g
            .as_mut_slice()
            .chunks_exact_mut(self.num_classes())
            .zip(labels)
        {
            let s_y = row[y as usize];
            let log_z = softmax_in_place(row);
            loss += (log_z - s_y) as f64;
            row[y as usize] -= 1.0;
            row.iter_mut().for_each(|v| *v /= n);
        }
        let mut grad_w = Matrix::default();
        gemm_into(&mut grad_w, g.view(), Op::T, z, Op::N, false)?; // G^T Z
        let mut grad_b = vec![0.0; self.layer.bias.len()];
        g.column_sums_into(&mut grad_b);
        opt.begin_step();
        opt.update(0, self.layer.weight.as_mut_slice(), grad_w.as_slice());
        opt.update(1, &mut self.layer.bias, &grad_b);
        Ok((loss / z.rows() as f64) as f32)
    }

    /// Predicted classes (argmax of the logits; the first on ties).
    pub fn predict<'a>(&self, z: impl Into<MatView<'a>>) -> Result<Vec<u32>> {
        let s = self.logits(z)?;
        let argmax = |row: &[f32]| {
            let best = (0..row.len()).fold(0, |best, c| if row[c] > row[best] { c } else { best });
            best as u32
        };
        Ok(s.as_slice()
            .chunks_exact(self.num_classes())
            .map(argmax)
            .collect())
    }

    /// Fraction of rows classified correctly.
    pub fn accuracy<'a>(&self, z: impl Into<MatView<'a>>, labels: &[u32]) -> Result<f64> {
        let z = z.into();
        self.check_labels(labels, z.rows())?;
        let pred = self.predict(z)?;
        let correct = pred.iter().zip(labels).filter(|(p, y)| p == y).count();
        Ok(correct as f64 / labels.len().max(1) as f64)
    }

    /// Trains a fresh probe on `features` and `labels`: with
    /// `cfg.standardise` the features' mean and standard deviation become its
    /// [`Standardiser`]; it trains for `cfg.epochs` epochs, or more to reach
    /// `cfg.min_steps` steps. Errors on a non-finite loss.
    ///
    /// # Shapes
    /// `features`: `(n, k)`, `labels`: `n` values below `num_classes`.
    pub fn fit(
        features: &Matrix,
        labels: &[u32],
        num_classes: usize,
        cfg: &ProbeConfig,
    ) -> Result<FittedProbe> {
        if cfg.epochs == 0 {
            let allowed = "train the probe for at least 1 epoch (the original uses 10)";
            return Err(invalid("epochs", 0, allowed));
        }
        let mut probe = Self::new(features.cols(), num_classes, cfg.seed)?;
        probe.check_labels(labels, features.rows())?;
        if cfg.standardise {
            probe.standardiser = Standardiser::fit(features);
        }
        let z = probe.standardiser.apply(features.view());
        let lengths = [probe.layer.weight.as_slice().len(), probe.layer.bias.len()];
        let mut opt = Adam::new(cfg.lr, &lengths)?;
        // Full batches per epoch (the batching drops a last partial one).
        let per_epoch = (z.rows() / cfg.batch_size.max(1)).max(1);
        let epochs = cfg.epochs.max(cfg.min_steps.div_ceil(per_epoch));
        let (mut xb, mut yb) = (Matrix::default(), Vec::new());
        let (mut steps, mut last) = (0, 0.0);
        for epoch in 0..epochs {
            let order = Order::Shuffled {
                seed: cfg.seed ^ ORDER_STREAM,
            };
            let batches = epoch_batches(z.rows(), cfg.batch_size, order, epoch)?;
            let mut sum = 0.0f64;
            for rows in &batches {
                xb.gather(z.view(), rows)?;
                yb.clear();
                yb.extend(rows.iter().map(|&r| labels[r]));
                let loss = probe.train_step(&xb, &yb, &mut opt)?;
                if !loss.is_finite() {
                    let lr = cfg.lr;
                    let epoch = epoch + 1;
                    let what = "probe";
                    return Err(ModelError::NonFiniteLoss {
                        what,
                        epoch,
                        value: loss,
                        lr,
                        suggested: lr / 10.0,
                    });
                }
                sum += loss as f64;
            }
            steps += batches.len();
            last = (sum / batches.len() as f64) as f32;
        }
        Ok(FittedProbe {
            probe,
            final_loss: last,
            epochs,
            steps,
        })
    }
}
