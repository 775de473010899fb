//! The autoencoder's train step: forward pass, loss, the backward pass
//! written out by hand, and the Adam update.
//!
//! The loss is the mean squared error over all `batch x m` entries,
//! `L = mean((X_hat - T)^2)`, so `dL/dX_hat = 2 (X_hat - T) / (batch m)`.
//! Going back through layer `l` with `D = dL/dA_{l+1}`:
//!
//! ```text
//! D   <- D * f_l'(.)              (ReLU: zero where A_{l+1} = 0)
//! dW_l = D^T A_l      db_l = column sums of D      dL/dA_l = D W_l
//! ```
//!
//! The tests check the result against candle's autograd and candle-nn's AdamW.

use crate::adam::Adam;
use crate::autoencoder::Autoencoder;
use crate::error::Result;
use hw6_exercise::ShapeError;
use hw6_linalg::{MatView, Matrix, Op, gemm_into};

/// Buffers every train step reuses (no allocation in the training loop).
/// They hold no state between steps, so a clone starts with empty ones.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// `acts[l]`: the output of layer `l`.
    acts: Vec<Matrix>,
    grad_w: Vec<Matrix>,
    grad_b: Vec<Vec<f32>>,
    delta: Matrix,
    delta_prev: Matrix,
}

impl Clone for Scratch {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl Autoencoder {
    /// One Adam step on `mean((forward(input) - target)^2)`: forward on
    /// `input`, loss against `target`, backward, update. The vanilla
    /// autoencoder passes `x` twice; the denoising and masked ones a
    /// corrupted `input` and the clean `target`.
    ///
    /// # Shapes
    /// `input`, `target`: `(batch, m)`, `batch >= 1`. Returns the batch loss
    /// before the update.
    pub fn step<'a, 'b>(
        &mut self,
        input: impl Into<MatView<'a>>,
        target: impl Into<MatView<'b>>,
        opt: &mut Adam,
    ) -> Result<f32> {
        let (input, target) = (input.into(), target.into());
        self.check_cols("Autoencoder::step", input.cols(), self.input_size())?;
        if input.shape() != target.shape() || input.rows() == 0 {
            let want = format!("a non-empty target of shape {:?}", input.shape());
            let got = format!("{:?}", target.shape());
            return Err(ShapeError::new("Autoencoder::step (input vs target)", want, got).into());
        }
        opt.check_fits("Autoencoder::step (optimizer)", self.parameter_lengths())?;
        if let Some(record) = &mut self.recorded {
            record.push((input.to_matrix(), target.to_matrix()));
        }
        let mut s = std::mem::take(&mut self.scratch);
        let result = self.step_with(&mut s, input, target, opt);
        self.scratch = s;
        result
    }

    fn step_with(
        &mut self,
        s: &mut Scratch,
        input: MatView<'_>,
        target: MatView<'_>,
        opt: &mut Adam,
    ) -> Result<f32> {
        let n_layers = self.layers.len();
        s.acts.resize_with(n_layers, Default::default);
        s.grad_w.resize_with(n_layers, Default::default);
        s.grad_b.resize_with(n_layers, Default::default);

        // Forward, keeping every layer's output.
        for l in 0..n_layers {
            let (done, rest) = s.acts.split_at_mut(l);
            let a_l = if l == 0 { input } else { done[l - 1].view() };
            self.layer_into(l, a_l, &mut rest[0])?;
        }

        // The loss, and D = dL/dX_hat = 2 (X_hat - T) / (batch m).
        let x_hat = &s.acts[n_layers - 1];
        let count = x_hat.as_slice().len();
        let scale = 2.0 / count as f32;
        s.delta.resize(x_hat.rows(), x_hat.cols());
        let mut sse = 0.0f64;
        let pairs = x_hat.as_slice().iter().zip(target.as_slice());
        for (d, (&xh, &t)) in s.delta.as_mut_slice().iter_mut().zip(pairs) {
            let diff = xh - t;
            sse += (diff as f64) * (diff as f64);
            *d = scale * diff;
        }
        let loss = (sse / count as f64) as f32;

        // Backward, layer by layer.
        for l in (0..n_layers).rev() {
            if self.relu_after(l) {
                // D <- D * relu'(A_{l+1}), written as a select so it vectorises.
                let acts = s.acts[l].as_slice();
                for (d, &a) in s.delta.as_mut_slice().iter_mut().zip(acts) {
                    *d = if a > 0.0 { *d } else { 0.0 };
                }
            }
            let a_l = if l == 0 { input } else { s.acts[l - 1].view() };
            gemm_into(&mut s.grad_w[l], s.delta.view(), Op::T, a_l, Op::N, false)?; // dW_l = D^T A_l
            s.grad_b[l].resize(self.layers[l].bias.len(), 0.0);
            s.delta.column_sums_into(&mut s.grad_b[l]); // db_l
            if l > 0 {
                let w = self.layers[l].weight.view();
                gemm_into(&mut s.delta_prev, s.delta.view(), Op::N, w, Op::N, false)?; // D W_l
                std::mem::swap(&mut s.delta, &mut s.delta_prev);
            }
        }

        // Adam update.
        opt.begin_step();
        for (l, d) in self.layers.iter_mut().enumerate() {
            opt.update(2 * l, d.weight.as_mut_slice(), s.grad_w[l].as_slice());
            opt.update(2 * l + 1, &mut d.bias, &s.grad_b[l]);
        }
        Ok(loss)
    }
}

#[cfg(test)]
mod tests {
    use crate::autoencoder::Autoencoder;
    use crate::config::AutoencoderConfig;
    use candle_core::{Device, Tensor, Var};
    use candle_nn::{AdamW, Optimizer, ParamsAdamW};
    use hw6_linalg::Matrix;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn batch(rows: usize, cols: usize, seed: u64) -> Matrix {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Matrix::from_fn(rows, cols, |_, _| rng.random_range(-2.0..2.0))
    }

    fn var(m: &Matrix) -> Var {
        Var::from_tensor(&Tensor::try_from(m).unwrap()).unwrap()
    }

    /// The hand-written backward pass and Adam give the same parameters as
    /// candle's autograd and candle-nn's AdamW after several steps.
    #[test]
    fn hand_backward_matches_candle_autograd() {
        let cfg = AutoencoderConfig::nonlinear(10, 7, 3).with_seed(3);
        let mut ae = Autoencoder::new(&cfg).unwrap();
        let mut opt = ae.optimizer(1e-2).unwrap();
        let vars: Vec<(Var, Var)> = (ae.layers().iter())
            .map(|d| {
                (
                    var(&d.weight),
                    Var::new(d.bias.as_slice(), &Device::Cpu).unwrap(),
                )
            })
            .collect();
        let all = vars
            .iter()
            .flat_map(|(w, b)| [w.clone(), b.clone()])
            .collect();
        let params = ParamsAdamW {
            lr: 1e-2,
            weight_decay: 0.0,
            ..Default::default()
        };
        let mut reference = AdamW::new(all, params).unwrap();
        for step in 0..4 {
            let (input, target) = (batch(6, 10, 100 + step), batch(6, 10, 200 + step));
            let ours = ae.step(&input, &target, &mut opt).unwrap();
            // candle autograd: the same network written with tensor ops.
            let mut a = Tensor::try_from(&input).unwrap();
            for (l, (w, b)) in vars.iter().enumerate() {
                a = a
                    .matmul(&w.as_tensor().t().unwrap())
                    .unwrap()
                    .broadcast_add(b.as_tensor())
                    .unwrap();
                if l == 0 || l == 2 {
                    a = a.relu().unwrap();
                }
            }
            let t = Tensor::try_from(&target).unwrap();
            let loss = (a - t).unwrap().sqr().unwrap().mean_all().unwrap();
            let want = loss.to_scalar::<f32>().unwrap();
            assert!(
                (ours - want).abs() < 1e-5 * want.abs().max(1.0),
                "loss {ours} vs {want}"
            );
            reference.backward_step(&loss).unwrap();
        }
        for (d, (w, b)) in ae.layers().iter().zip(&vars) {
            let wv = w
                .as_tensor()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            let bv = b.as_tensor().to_vec1::<f32>().unwrap();
            let ours = d.weight.as_slice().iter().chain(&d.bias);
            for (x, y) in ours.zip(wv.iter().chain(&bv)) {
                assert!((x - y).abs() < 2e-5, "{x} vs {y}");
            }
        }
    }

    #[test]
    fn mismatched_targets_and_optimisers_are_errors() {
        let mut ae = Autoencoder::new(&AutoencoderConfig::linear(10, 3)).unwrap();
        let mut opt = ae.optimizer(1e-3).unwrap();
        let e = ae
            .step(&batch(2, 10, 0), &batch(3, 10, 0), &mut opt)
            .unwrap_err();
        assert!(e.to_string().contains("input vs target"), "{e}");
        let other = Autoencoder::new(&AutoencoderConfig::linear(10, 4)).unwrap();
        let mut wrong = other.optimizer(1e-3).unwrap();
        assert!(
            ae.step(&batch(2, 10, 0), &batch(2, 10, 0), &mut wrong)
                .is_err()
        );
    }
}
