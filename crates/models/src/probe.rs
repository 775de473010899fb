//! The linear probe: a `Linear(k, classes)` layer trained with cross-entropy
//! and Adam (lr 1e-3) on frozen encoder features.
//!
//! For logits `S = Z W^T + b` and labels `y`, the loss is
//! `mean_i( logsumexp(S_i) - S_{i, y_i} )`, whose gradient with respect to `S`
//! is `(softmax(S) - onehot(y)) / batch`.
//!
//! # Standardised features
//!
//! By default [`LinearProbe::fit`] first standardises every feature with the
//! mean and standard deviation of the *training* features,
//! `z' = (z - mu) / sigma`, and applies the same `mu`, `sigma` to every
//! feature it scores later (MAE's linear probe does the same with a
//! BatchNorm without affine parameters in front of the linear layer). The
//! reason: Adam moves each weight by about `lr` per step whatever the
//! gradient's size, so the number of steps a probe needs grows with the
//! weight size it must reach, `~ 1 / sigma`. Small-`k` MNIST autoencoders
//! after 10 epochs give features with `sigma ~ 0.12` around offsets `~ 0.5`;
//! 160 steps of lr 1e-3 then leave the probe at chance (loss `ln 10`) even
//! where the features separate the classes, and the accuracy measured the
//! optimiser's budget instead of the features. Standardising is a fixed
//! affine change of the features, so it does not change what a *converged*
//! linear probe can do, only how fast Adam gets there.
//!
//! # A step budget that does not shrink with the sample
//!
//! Even on standardised features, 10 classes need weights of order 1, i.e.
//! on the order of a thousand Adam steps of lr 1e-3. The original's probe
//! takes `NUM_EPOCHS x num_valid / 100` steps: 2,400 on full MNIST, but one
//! epoch over the bundled sample's 3,200 labelled images in batches of 200
//! is 16 steps, so 10 epochs are 160. [`ProbeConfig::min_steps`] (default
//! 2,400, the original's full-MNIST count) makes the probe train for more
//! epochs when `epochs` would give fewer steps, so its accuracy measures
//! the features at every sample size. Measured on the bundled sample
//! (linear autoencoders after 10 epochs, k = 5 / 10 / 100 / 1000):
//! 0.08 / 0.10 / 0.79 / 0.88 before (raw features, 160 steps),
//! 0.32 / 0.50 / 0.89 / 0.87 with both changes (`examples/probe_scale`);
//! the probe's loss at k = 5 went from ln 10 (chance) to 1.9. Nonlinear
//! (`[256, k]`): 0.28 / 0.34 / 0.82 / 0.88 before, 0.72 / 0.79 / 0.89 / 0.88
//! after. The PyTorch original on the same bundled images gives 0.07 / 0.335
//! / 0.885 (linear, k = 5 / 10 / 100): the near-chance small-k numbers come
//! from the recipe's step budget on a small sample, not from a bug. At
//! k = 1000 the longer training overfits the 3,200 labelled rows slightly.

use crate::adam::Adam;
use crate::error::{ModelError, Result, invalid};
use crate::matrix::{MatView, Matrix, Op, add_row_vector, column_sums};
use crate::product::gemm_into;
use hw6_datasets::batching::{Order, epoch_batches};
use rand::{Rng, SeedableRng};
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
    /// deviation before the linear layer (see the module docs). Default true.
    pub standardise: bool,
    /// Train for more than `epochs` epochs if needed to take at least this
    /// many Adam steps (see the module docs). Default 2,400; 0 turns it off.
    pub min_steps: usize,
}

/// The original probe's step count on full MNIST: 24,000 validation images
/// / 100 per step x 10 epochs.
pub const DEFAULT_MIN_PROBE_STEPS: usize = 2400;

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

/// The per-feature affine map `z' = (z - mean) * inv_std` a probe applies
/// to its input (identity when not standardising).
#[derive(Clone, Debug, PartialEq)]
pub struct Standardiser {
    /// Training features' mean, length `k`.
    pub mean: Vec<f32>,
    /// One over the training features' standard deviation (1 for a
    /// constant feature), length `k`.
    pub inv_std: Vec<f32>,
}

impl Standardiser {
    /// The identity map on `k` features.
    pub fn identity(k: usize) -> Self {
        Self {
            mean: vec![0.0; k],
            inv_std: vec![1.0; k],
        }
    }

    /// Mean and (population) standard deviation of each column of
    /// `features` (`(n, k)`), accumulated in `f64`.
    pub fn fit(features: &Matrix) -> Self {
        let (n, k) = (features.rows, features.cols);
        let mut mean = vec![0f64; k];
        for row in features.data.chunks_exact(k.max(1)) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += *v as f64;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
        let mut var = vec![0f64; k];
        for row in features.data.chunks_exact(k.max(1)) {
            for ((s, m), v) in var.iter_mut().zip(&mean).zip(row) {
                *s += (*v as f64 - m).powi(2);
            }
        }
        let inv_std = var
            .iter()
            .map(|s| {
                let sd = (s / n.max(1) as f64).sqrt();
                // A (numerically) constant feature carries no information:
                // leave it unscaled instead of blowing up rounding noise.
                if sd > 1e-12 { (1.0 / sd) as f32 } else { 1.0 }
            })
            .collect();
        Self {
            mean: mean.iter().map(|m| *m as f32).collect(),
            inv_std,
        }
    }

    /// `(z - mean) * inv_std`, row by row.
    ///
    /// # Shapes
    /// `z`: `(batch, k)` -> `(batch, k)`.
    pub fn apply(&self, z: MatView<'_>) -> Matrix {
        let mut out = Matrix {
            rows: z.rows,
            cols: z.cols,
            data: z.data.to_vec(),
        };
        for row in out.data.chunks_exact_mut(z.cols.max(1)) {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.inv_std) {
                *v = (*v - m) * s;
            }
        }
        out
    }
}

/// What [`LinearProbe::fit_counted`] returns.
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
    /// Weight, `classes x k` (acting on standardised features).
    pub weight: Matrix,
    /// Bias, length `classes`.
    pub bias: Vec<f32>,
    /// Applied to every input before the linear layer; the identity for a
    /// probe made by [`LinearProbe::new`], the training features'
    /// statistics after [`LinearProbe::fit`] with `standardise`.
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
        let bound = 1.0 / (k as f32).sqrt();
        let weight = (0..k * classes)
            .map(|_| rng.random_range(-bound..bound))
            .collect();
        let bias = (0..classes)
            .map(|_| rng.random_range(-bound..bound))
            .collect();
        Ok(Self {
            weight: Matrix {
                rows: classes,
                cols: k,
                data: weight,
            },
            bias,
            standardiser: Standardiser::identity(k),
        })
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.weight.rows
    }

    /// Logits `standardise(Z) W^T + b`.
    ///
    /// # Shapes
    /// `z`: `(batch, k)` -> `(batch, classes)`.
    pub fn logits(&self, z: MatView<'_>) -> Result<Matrix> {
        self.check_cols(z)?;
        let zs = self.standardiser.apply(z);
        Ok(self.logits_standardised(zs.view()))
    }

    fn check_cols(&self, z: MatView<'_>) -> Result<()> {
        if z.cols != self.weight.cols {
            return Err(ModelError::Shape {
                context: "LinearProbe::logits",
                expected: format!("(batch, {})", self.weight.cols),
                got: format!("(batch, {})", z.cols),
            });
        }
        Ok(())
    }

    /// `Z W^T + b` for features already standardised.
    fn logits_standardised(&self, zs: MatView<'_>) -> Matrix {
        let mut out = Matrix::zeros(0, 0);
        gemm_into(&mut out, zs, Op::N, self.weight.view(), Op::T, false);
        add_row_vector(&mut out, &self.bias);
        out
    }

    fn check_labels(&self, labels: &[u32], rows: usize) -> Result<()> {
        if labels.len() != rows {
            return Err(ModelError::Shape {
                context: "LinearProbe (labels)",
                expected: format!("{rows} labels"),
                got: format!("{}", labels.len()),
            });
        }
        if let Some(&bad) = labels.iter().find(|&&y| y as usize >= self.num_classes()) {
            return Err(invalid(
                "labels",
                bad,
                format!("labels must be below num_classes = {}", self.num_classes()),
            ));
        }
        Ok(())
    }

    /// One Adam step on the cross-entropy of a batch of *standardised*
    /// features (the probe's [`Standardiser`] already applied); returns the
    /// loss before the update.
    ///
    /// # Shapes
    /// `z`: `(batch, k)`, `labels`: `batch` class indices.
    pub fn train_step(&mut self, z: MatView<'_>, labels: &[u32], opt: &mut Adam) -> Result<f32> {
        self.check_labels(labels, z.rows)?;
        self.check_cols(z)?;
        opt.check_fits(
            "LinearProbe::train_step (optimizer)",
            [self.weight.data.len(), self.bias.len()],
        )?;
        let mut g = self.logits_standardised(z);
        let n = z.rows as f32;
        let mut loss = 0.0f64;
        for (row, &y) in g.data.chunks_exact_mut(self.weight.rows).zip(labels) {
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = row.iter().map(|s| (s - max).exp()).sum();
            let log_z = max + sum.ln();
            loss += (log_z - row[y as usize]) as f64;
            for (c, s) in row.iter_mut().enumerate() {
                let p = (*s - log_z).exp();
                *s = (p - if c == y as usize { 1.0 } else { 0.0 }) / n;
            }
        }
        let mut gw = Matrix::zeros(0, 0);
        gemm_into(&mut gw, g.view(), Op::T, z, Op::N, false);
        let mut gb = vec![0.0; self.bias.len()];
        column_sums(&g, &mut gb);
        opt.begin_step();
        opt.update(0, &mut self.weight.data, &gw.data);
        opt.update(1, &mut self.bias, &gb);
        Ok((loss / z.rows as f64) as f32)
    }

    /// Predicted classes (argmax of the logits).
    pub fn predict(&self, z: MatView<'_>) -> Result<Vec<u32>> {
        let s = self.logits(z)?;
        Ok(s.data
            .chunks_exact(self.num_classes())
            .map(|row| {
                let mut best = 0;
                for (c, v) in row.iter().enumerate() {
                    if *v > row[best] {
                        best = c;
                    }
                }
                best as u32
            })
            .collect())
    }

    /// Fraction of rows classified correctly.
    pub fn accuracy(&self, z: MatView<'_>, labels: &[u32]) -> Result<f64> {
        self.check_labels(labels, z.rows)?;
        let pred = self.predict(z)?;
        let correct = pred.iter().zip(labels).filter(|(p, y)| p == y).count();
        Ok(correct as f64 / labels.len().max(1) as f64)
    }

    /// Train a fresh probe on `features` (`(n, k)`) and `labels`; returns it
    /// with the mean loss of its last epoch. With `cfg.standardise` the
    /// features' mean and standard deviation become the probe's
    /// [`Standardiser`]; it trains for `cfg.epochs` epochs, or more to reach
    /// `cfg.min_steps` steps (see the module docs). Errors on a non-finite loss.
    pub fn fit(
        features: &Matrix,
        labels: &[u32],
        num_classes: usize,
        cfg: &ProbeConfig,
    ) -> Result<(Self, f32)> {
        Self::fit_counted(features, labels, num_classes, cfg).map(|f| (f.probe, f.final_loss))
    }

    /// [`LinearProbe::fit`], also saying how many epochs and steps it took.
    pub fn fit_counted(
        features: &Matrix,
        labels: &[u32],
        num_classes: usize,
        cfg: &ProbeConfig,
    ) -> Result<FittedProbe> {
        if cfg.epochs == 0 {
            return Err(invalid(
                "epochs",
                0,
                "train the probe for at least 1 epoch (the original uses 10)",
            ));
        }
        let mut probe = Self::new(features.cols, num_classes, cfg.seed)?;
        probe.check_labels(labels, features.rows)?;
        if cfg.standardise {
            probe.standardiser = Standardiser::fit(features);
        }
        let standardised = probe.standardiser.apply(features.view());
        let features = &standardised;
        let mut opt = Adam::new(cfg.lr, &[probe.weight.data.len(), probe.bias.len()])?;
        let mut last = 0.0;
        let mut xb = Matrix::zeros(0, 0);
        let mut yb = Vec::new();
        // Full batches per epoch (the batching drops a last partial one).
        let per_epoch = (features.rows / cfg.batch_size.max(1)).max(1);
        let epochs = cfg.epochs.max(cfg.min_steps.div_ceil(per_epoch));
        let mut steps = 0;
        for epoch in 0..epochs {
            let batches = epoch_batches(
                features.rows,
                cfg.batch_size,
                Order::Shuffled {
                    seed: cfg.seed ^ 0x9e37,
                },
                epoch,
            )?;
            let mut sum = 0.0f64;
            for rows in &batches {
                xb.reshape_for(rows.len(), features.cols);
                yb.clear();
                for (i, &r) in rows.iter().enumerate() {
                    let row = r * features.cols..(r + 1) * features.cols;
                    xb.data[i * features.cols..(i + 1) * features.cols]
                        .copy_from_slice(&features.data[row]);
                    yb.push(labels[r]);
                }
                let loss = probe.train_step(xb.view(), &yb, &mut opt)?;
                if !loss.is_finite() {
                    return Err(ModelError::NonFiniteLoss {
                        what: "probe",
                        epoch: epoch + 1,
                        value: loss,
                        lr: cfg.lr,
                        suggested: cfg.lr / 10.0,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_linearly_separable_problem() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let n = 600;
        let mut data = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..n {
            let a: f32 = rng.random_range(-1.0..1.0);
            let b: f32 = rng.random_range(-1.0..1.0);
            data.extend([a, b]);
            labels.push(u32::from(a + 2.0 * b > 0.0));
        }
        let z = Matrix {
            rows: n,
            cols: 2,
            data,
        };
        let cfg = ProbeConfig {
            lr: 0.05,
            epochs: 30,
            batch_size: 50,
            seed: 1,
            ..Default::default()
        };
        let (probe, loss) = LinearProbe::fit(&z, &labels, 2, &cfg).unwrap();
        assert!(probe.accuracy(z.view(), &labels).unwrap() > 0.97);
        assert!(loss < 0.3, "{loss}");
    }

    /// Ten classes separated along five features of scale 0.1 on top of an
    /// offset of 0.5, like a small-k MNIST autoencoder's codes after 10
    /// epochs, 3,200 labelled rows like the bundled sample: the notebook's
    /// setting (Adam lr 1e-3, 10 epochs of 16 batches) must find the
    /// classes. The former recipe (raw features, 160 steps) stays near
    /// chance: Adam moves each weight by ~lr per step and the weights needed
    /// are ~1/0.1.
    #[test]
    fn default_probe_learns_small_scale_offset_features() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let (n, k, classes) = (3200, 5, 10);
        // Class c sits at corner c of the cube [-1, 1]^5 (corners are
        // linearly separable from each other); small noise.
        let centres: Vec<f32> = (0..classes * k)
            .map(|i| {
                if (i / k) >> (i % k) & 1 == 1 {
                    1.0
                } else {
                    -1.0
                }
            })
            .collect();
        let make = |rng: &mut ChaCha8Rng, n: usize| {
            let mut data = Vec::with_capacity(n * k);
            let mut labels = Vec::with_capacity(n);
            for i in 0..n {
                let c = i % classes;
                for j in 0..k {
                    let noise: f32 = rng.random_range(-0.25..0.25);
                    data.push(0.5 + 0.1 * (centres[c * k + j] + noise));
                }
                labels.push(c as u32);
            }
            (Matrix::from_vec(n, k, data).unwrap(), labels)
        };
        let (z, y) = make(&mut rng, n);
        let (zt, yt) = make(&mut rng, 1000);
        let cfg = ProbeConfig {
            batch_size: 200,
            ..Default::default()
        };
        let (probe, _) = LinearProbe::fit(&z, &y, classes, &cfg).unwrap();
        let acc = probe.accuracy(zt.view(), &yt).unwrap();
        assert!(acc > 0.8, "standardised probe accuracy {acc}");
        let raw = ProbeConfig {
            standardise: false,
            min_steps: 0,
            ..cfg
        };
        let (probe, loss) = LinearProbe::fit(&z, &y, classes, &raw).unwrap();
        let raw_acc = probe.accuracy(zt.view(), &yt).unwrap();
        assert!(
            raw_acc < acc - 0.2 && loss > 2.0,
            "raw features: accuracy {raw_acc}, loss {loss} (the test no longer shows the scale problem)"
        );
    }

    #[test]
    fn standardiser_uses_training_statistics_and_keeps_constant_features() {
        let z = Matrix::from_vec(4, 2, vec![1.0, 5.0, 3.0, 5.0, 5.0, 5.0, 7.0, 5.0]).unwrap();
        let s = Standardiser::fit(&z);
        assert_eq!(s.mean, vec![4.0, 5.0]);
        assert!((s.inv_std[0] - 1.0 / 5f32.sqrt()).abs() < 1e-6);
        assert_eq!(s.inv_std[1], 1.0, "constant feature left unscaled");
        let other = Matrix::from_vec(1, 2, vec![4.0, 6.0]).unwrap();
        assert_eq!(s.apply(other.view()).data, vec![0.0, 1.0]);
    }

    #[test]
    fn cross_entropy_gradient_matches_finite_differences() {
        let z = Matrix {
            rows: 3,
            cols: 2,
            data: vec![0.5, -1.0, 2.0, 0.3, -0.7, 0.1],
        };
        let labels = [0u32, 2, 1];
        let probe = LinearProbe::new(2, 3, 4).unwrap();
        let loss_of = |p: &LinearProbe| -> f64 {
            let s = p.logits(z.view()).unwrap();
            s.data
                .chunks_exact(3)
                .zip(&labels)
                .map(|(r, &y)| {
                    let lse = r.iter().map(|v| (*v as f64).exp()).sum::<f64>().ln();
                    lse - r[y as usize] as f64
                })
                .sum::<f64>()
                / 3.0
        };
        // With a tiny lr and beta1 = 0, beta2 = 0, the first Adam step is
        // -lr * g / (|g| + eps): its sign is the gradient's sign.
        let params = crate::adam::ParamsAdamW {
            lr: 1e-3,
            beta1: 0.0,
            beta2: 0.0,
            eps: 1e-12,
            weight_decay: 0.0,
        };
        let mut opt = Adam::with_params(params, &[6, 3]).unwrap();
        let mut stepped = probe.clone();
        stepped.train_step(z.view(), &labels, &mut opt).unwrap();
        for i in 0..6 {
            let mut p = probe.clone();
            p.weight.data[i] += 1e-3;
            let mut m = probe.clone();
            m.weight.data[i] -= 1e-3;
            let g = (loss_of(&p) - loss_of(&m)) / 2e-3;
            let moved = stepped.weight.data[i] - probe.weight.data[i];
            if g.abs() > 1e-3 {
                assert_eq!(
                    moved < 0.0,
                    g > 0.0,
                    "weight {i}: gradient {g}, moved {moved}"
                );
            }
        }
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(LinearProbe::new(0, 2, 0).is_err());
        assert!(LinearProbe::new(3, 1, 0).is_err());
        let z = Matrix::zeros(4, 3);
        let cfg = ProbeConfig {
            epochs: 0,
            ..Default::default()
        };
        assert!(LinearProbe::fit(&z, &[0, 1, 0, 1], 2, &cfg).is_err());
        let cfg = ProbeConfig {
            batch_size: 5,
            ..Default::default()
        };
        assert!(LinearProbe::fit(&z, &[0, 1, 0, 1], 2, &cfg).is_err());
        assert!(
            LinearProbe::fit(
                &z,
                &[0, 1, 0, 7],
                2,
                &ProbeConfig {
                    batch_size: 2,
                    ..Default::default()
                }
            )
            .is_err()
        );
    }
}
