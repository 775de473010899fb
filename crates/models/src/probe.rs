//! The linear probe: a `Linear(k, classes)` layer trained with cross-entropy
//! and Adam (lr 1e-3) on frozen encoder features.
//!
//! For logits `S = Z W^T + b` and labels `y`, the loss is
//! `mean_i( logsumexp(S_i) - S_{i, y_i} )`, whose gradient with respect to `S`
//! is `(softmax(S) - onehot(y)) / batch`.

use crate::adam::Adam;
use crate::error::{ModelError, Result, invalid};
use crate::matrix::{MatView, Matrix, Op, add_row_vector, column_sums, gemm_into};
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
}

impl Default for ProbeConfig {
    fn default() -> Self {
        Self {
            lr: 1e-3,
            epochs: 10,
            batch_size: 100,
            seed: 0,
        }
    }
}

/// A linear classifier on `k`-dimensional features.
#[derive(Clone, Debug)]
pub struct LinearProbe {
    /// Weight, `classes x k`.
    pub weight: Matrix,
    /// Bias, length `classes`.
    pub bias: Vec<f32>,
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
        })
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.weight.rows
    }

    /// Logits `Z W^T + b`.
    ///
    /// # Shapes
    /// `z`: `(batch, k)` -> `(batch, classes)`.
    pub fn logits(&self, z: MatView<'_>) -> Result<Matrix> {
        if z.cols != self.weight.cols {
            return Err(ModelError::Shape {
                context: "LinearProbe::logits",
                expected: format!("(batch, {})", self.weight.cols),
                got: format!("(batch, {})", z.cols),
            });
        }
        let mut out = Matrix::zeros(0, 0);
        gemm_into(&mut out, z, Op::N, self.weight.view(), Op::T, false);
        add_row_vector(&mut out, &self.bias);
        Ok(out)
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

    /// One Adam step on the cross-entropy of a batch; returns the loss before the update.
    ///
    /// # Shapes
    /// `z`: `(batch, k)`, `labels`: `batch` class indices.
    pub fn train_step(&mut self, z: MatView<'_>, labels: &[u32], opt: &mut Adam) -> Result<f32> {
        self.check_labels(labels, z.rows)?;
        let mut g = self.logits(z)?;
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
    /// with the mean loss of its last epoch. Errors on a non-finite loss.
    pub fn fit(
        features: &Matrix,
        labels: &[u32],
        num_classes: usize,
        cfg: &ProbeConfig,
    ) -> Result<(Self, f32)> {
        if cfg.epochs == 0 {
            return Err(invalid(
                "epochs",
                0,
                "train the probe for at least 1 epoch (the original uses 10)",
            ));
        }
        let mut probe = Self::new(features.cols, num_classes, cfg.seed)?;
        probe.check_labels(labels, features.rows)?;
        let mut opt = Adam::new(cfg.lr, &[probe.weight.data.len(), probe.bias.len()])?;
        let mut last = 0.0;
        let mut xb = Matrix::zeros(0, 0);
        let mut yb = Vec::new();
        for epoch in 0..cfg.epochs {
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
                    xb.data[i * features.cols..(i + 1) * features.cols]
                        .copy_from_slice(features.row(r));
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
            last = (sum / batches.len() as f64) as f32;
        }
        Ok((probe, last))
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
        };
        let (probe, loss) = LinearProbe::fit(&z, &labels, 2, &cfg).unwrap();
        assert!(probe.accuracy(z.view(), &labels).unwrap() > 0.97);
        assert!(loss < 0.3, "{loss}");
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
