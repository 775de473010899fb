//! The autoencoder network: `Linear` layers with the original's activation
//! placement, its forward pass, and its backward pass written out by hand.
//!
//! For a layer `l` with weight `W_l` (`out x in`) and bias `b_l`, a batch
//! `A_l` (`batch x in`) goes to
//!
//! ```text
//! A_{l+1} = f_l(A_l W_l^T + b_l)      (f_l = activation or identity)
//! ```
//!
//! The loss is the mean squared error over all `batch x m` entries,
//! `L = mean((X_hat - T)^2)`, so `dL/dX_hat = 2 (X_hat - T) / (batch m)`.
//! Going back through layer `l` with `D = dL/dA_{l+1}`:
//!
//! ```text
//! D   <- D * f_l'(.)              (ReLU: zero where A_{l+1} = 0)
//! dW_l = D^T A_l      db_l = column sums of D      dL/dA_l = D W_l
//! ```

use crate::adam::Adam;
use crate::config::{Activation, AutoencoderConfig};
use crate::error::{ModelError, Result};
use crate::matrix::{MatView, Matrix, Op, add_row_vector, column_sums};
use crate::product::gemm_into;
use candle_core::{Device, Tensor};
use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One fully connected layer `y = x W^T + b`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    /// Weight, `out x in`.
    pub weight: Matrix,
    /// Bias, length `out`.
    pub bias: Vec<f32>,
}

/// A fully connected autoencoder (the original's `Autoencoder` class).
///
/// # Shapes
/// Inputs `x`: `(batch, input_size)`; codes `z`: `(batch, k)`; outputs
/// `x_hat`: `(batch, input_size)`.
#[derive(Clone, Debug)]
pub struct Autoencoder {
    config: AutoencoderConfig,
    /// Encoder layers followed by decoder layers.
    layers: Vec<Dense>,
    scratch: Scratch,
}

/// Buffers reused by every train step (no allocation in the hot loop).
#[derive(Clone, Debug, Default)]
struct Scratch {
    acts: Vec<Matrix>,
    grad_w: Vec<Matrix>,
    grad_b: Vec<Vec<f32>>,
    delta: Matrix,
    delta_prev: Matrix,
}

impl Autoencoder {
    /// Build with PyTorch's default `nn.Linear` initialisation (weights and
    /// biases uniform in `+-1/sqrt(fan_in)`), seeded by `config.seed`.
    /// Errors if the config is invalid (see [`AutoencoderConfig::check`]).
    pub fn new(config: &AutoencoderConfig) -> Result<Self> {
        config.check()?;
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut sizes = vec![config.input_size];
        sizes.extend(&config.hidden_sizes);
        let mut dims: Vec<(usize, usize)> = sizes.windows(2).map(|w| (w[0], w[1])).collect();
        // The decoder mirrors the encoder: k -> ... -> hidden[0] -> input.
        let enc = dims.clone();
        dims.extend(enc.iter().rev().map(|&(i, o)| (o, i)));
        let layers = dims
            .into_iter()
            .map(|(fan_in, fan_out)| {
                let bound = 1.0 / (fan_in as f32).sqrt();
                let weight: Vec<f32> = (0..fan_in * fan_out)
                    .map(|_| rng.random_range(-bound..bound))
                    .collect();
                let bias: Vec<f32> = (0..fan_out)
                    .map(|_| rng.random_range(-bound..bound))
                    .collect();
                Dense {
                    weight: Matrix {
                        rows: fan_out,
                        cols: fan_in,
                        data: weight,
                    },
                    bias,
                }
            })
            .collect();
        Ok(Self {
            config: config.clone(),
            layers,
            scratch: Scratch::default(),
        })
    }

    /// A copy of the settings and weights without the train step's buffers
    /// (for evaluating a snapshot on another thread).
    pub(crate) fn clone_weights(&self) -> Self {
        Self {
            config: self.config.clone(),
            layers: self.layers.clone(),
            scratch: Scratch::default(),
        }
    }

    /// The settings it was built from.
    pub fn config(&self) -> &AutoencoderConfig {
        &self.config
    }

    /// Input dimension `m`.
    pub fn input_size(&self) -> usize {
        self.config.input_size
    }

    /// Bottleneck size `k`.
    pub fn bottleneck(&self) -> usize {
        self.config.bottleneck()
    }

    /// All layers, encoder first.
    pub fn layers(&self) -> &[Dense] {
        &self.layers
    }

    fn num_encoder_layers(&self) -> usize {
        self.config.hidden_sizes.len()
    }

    /// Whether the activation follows layer `l` (between encoder layers, and
    /// after every decoder layer but the last).
    fn activation_after(&self, l: usize) -> bool {
        let h = self.num_encoder_layers();
        self.config.activation == Activation::ReLU && l + 1 != h && l + 1 != 2 * h
    }

    /// Number of trainable numbers.
    pub fn num_parameters(&self) -> usize {
        self.layers
            .iter()
            .map(|d| d.weight.data.len() + d.bias.len())
            .sum()
    }

    /// Lengths of the parameter buffers in optimiser order (`W_0, b_0, W_1, ...`).
    pub fn parameter_lengths(&self) -> Vec<usize> {
        self.layers
            .iter()
            .flat_map(|d| [d.weight.data.len(), d.bias.len()])
            .collect()
    }

    /// Adam (weight decay 0) sized for this model's parameters.
    pub fn optimizer(&self, lr: f64) -> Result<Adam> {
        Adam::new(lr, &self.parameter_lengths())
    }

    /// Floating-point operations of one train step per sample (forward,
    /// and backward without the input gradient of the first layer).
    pub fn train_flops_per_sample(&self) -> f64 {
        self.layers
            .iter()
            .enumerate()
            .map(|(l, d)| {
                let io = (d.weight.rows * d.weight.cols) as f64;
                if l == 0 { 4.0 * io } else { 6.0 * io }
            })
            .sum()
    }

    /// Floating-point operations of one forward pass per sample.
    pub fn forward_flops_per_sample(&self) -> f64 {
        self.layers
            .iter()
            .map(|d| 2.0 * (d.weight.rows * d.weight.cols) as f64)
            .sum()
    }

    fn apply_layers(&self, x: MatView<'_>, range: std::ops::Range<usize>) -> Matrix {
        let mut cur: Option<Matrix> = None;
        for l in range {
            let d = &self.layers[l];
            let mut out = Matrix::zeros(0, 0);
            let input = cur.as_ref().map(|m| m.view()).unwrap_or(x);
            gemm_into(&mut out, input, Op::N, d.weight.view(), Op::T, false);
            add_row_vector(&mut out, &d.bias);
            if self.activation_after(l) {
                out.data.iter_mut().for_each(|v| *v = v.max(0.0));
            }
            cur = Some(out);
        }
        cur.unwrap_or_else(|| Matrix {
            rows: x.rows,
            cols: x.cols,
            data: x.data.to_vec(),
        })
    }

    fn check_cols(&self, context: &'static str, cols: usize, want: usize) -> Result<()> {
        if cols != want {
            return Err(ModelError::Shape {
                context,
                expected: format!("(batch, {want})"),
                got: format!("(batch, {cols})"),
            });
        }
        Ok(())
    }

    /// Encoder on a matrix view: `(batch, m) -> (batch, k)`.
    pub fn encode_view(&self, x: MatView<'_>) -> Result<Matrix> {
        self.check_cols("Autoencoder::encode", x.cols, self.input_size())?;
        Ok(self.apply_layers(x, 0..self.num_encoder_layers()))
    }

    /// Decoder on a matrix view: `(batch, k) -> (batch, m)`.
    pub fn decode_view(&self, z: MatView<'_>) -> Result<Matrix> {
        self.check_cols("Autoencoder::decode", z.cols, self.bottleneck())?;
        Ok(self.apply_layers(z, self.num_encoder_layers()..self.layers.len()))
    }

    /// Reconstruction on a matrix view: `(batch, m) -> (batch, m)`.
    pub fn forward_view(&self, x: MatView<'_>) -> Result<Matrix> {
        self.check_cols("Autoencoder::forward", x.cols, self.input_size())?;
        Ok(self.apply_layers(x, 0..self.layers.len()))
    }

    /// `z = encoder(x)`.
    ///
    /// # Shapes
    /// `x`: `(batch, m)` -> `(batch, k)`.
    pub fn encode(&self, x: &Tensor) -> Result<Tensor> {
        let xm = Matrix::from_tensor(x)?;
        self.encode_view(xm.view())?.to_tensor(x.device())
    }

    /// `x_hat = decoder(z)`.
    ///
    /// # Shapes
    /// `z`: `(batch, k)` -> `(batch, m)`.
    pub fn decode(&self, z: &Tensor) -> Result<Tensor> {
        let zm = Matrix::from_tensor(z)?;
        self.decode_view(zm.view())?.to_tensor(z.device())
    }

    /// `decoder(encoder(x))`, the reference forward pass.
    ///
    /// # Shapes
    /// `x`: `(batch, m)` -> `(batch, m)`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let xm = Matrix::from_tensor(x)?;
        self.forward_view(xm.view())?.to_tensor(x.device())
    }

    /// Sum of squared errors of `forward(x)` against `x`, divided by the number of entries.
    pub fn loss_view(&self, x: MatView<'_>) -> Result<f32> {
        let x_hat = self.forward_view(x)?;
        Ok(mse(&x_hat.data, x.data) as f32)
    }

    /// The vanilla train step: reconstruct `x` from itself.
    ///
    /// # Shapes
    /// `x`: `(batch, m)`. Returns the batch loss before the update.
    pub fn train_step(&mut self, x: &Tensor, opt: &mut Adam) -> Result<f32> {
        self.step(x, x, opt)
    }

    /// One Adam step on `mean((forward(input) - target)^2)`: forward on
    /// `input`, loss against `target`, backward, update. The shared tail of
    /// all three train steps (the denoising and masked ones pass a corrupted
    /// `input` and the clean `target`).
    ///
    /// # Shapes
    /// `input`, `target`: `(batch, m)`. Returns the batch loss before the update.
    pub fn step(&mut self, input: &Tensor, target: &Tensor, opt: &mut Adam) -> Result<f32> {
        if input.dims() != target.dims() {
            return Err(ModelError::Shape {
                context: "Autoencoder::step (input vs target)",
                expected: format!("{:?}", target.dims()),
                got: format!("{:?}", input.dims()),
            });
        }
        let i = Matrix::from_tensor(input)?;
        let t = Matrix::from_tensor(target)?;
        self.step_view(i.view(), t.view(), opt)
    }

    /// [`Autoencoder::step`] on matrix views (the fast path the experiments use).
    pub fn step_view(
        &mut self,
        input: MatView<'_>,
        target: MatView<'_>,
        opt: &mut Adam,
    ) -> Result<f32> {
        self.check_cols("Autoencoder::step", input.cols, self.input_size())?;
        if (input.rows, input.cols) != (target.rows, target.cols) || input.rows == 0 {
            return Err(ModelError::Shape {
                context: "Autoencoder::step (input vs target)",
                expected: format!(
                    "a non-empty target of shape ({}, {})",
                    input.rows, input.cols
                ),
                got: format!("({}, {})", target.rows, target.cols),
            });
        }
        opt.check_fits(
            "Autoencoder::step (optimizer)",
            self.layers
                .iter()
                .flat_map(|d| [d.weight.data.len(), d.bias.len()]),
        )?;
        let n_layers = self.layers.len();
        let mut s = std::mem::take(&mut self.scratch);
        s.acts.resize_with(n_layers, Default::default);
        s.grad_w.resize_with(n_layers, Default::default);
        s.grad_b.resize_with(n_layers, Default::default);

        // Forward, keeping every layer's output: acts[l] = output of layer l.
        for l in 0..n_layers {
            let (done, rest) = s.acts.split_at_mut(l);
            let out = &mut rest[0];
            let inp = if l == 0 { input } else { done[l - 1].view() };
            let d = &self.layers[l];
            gemm_into(out, inp, Op::N, d.weight.view(), Op::T, false);
            add_row_vector(out, &d.bias);
            if self.activation_after(l) {
                out.data.iter_mut().for_each(|v| *v = v.max(0.0));
            }
        }

        // Loss and its gradient with respect to the reconstruction.
        let x_hat = &s.acts[n_layers - 1];
        let count = x_hat.data.len();
        let scale = 2.0 / count as f32;
        s.delta.reshape_for(x_hat.rows, x_hat.cols);
        let mut sse = 0.0f64;
        for ((d, &xh), &t) in s.delta.data.iter_mut().zip(&x_hat.data).zip(target.data) {
            let diff = xh - t;
            sse += (diff as f64) * (diff as f64);
            *d = scale * diff;
        }
        let loss = (sse / count as f64) as f32;

        // Backward.
        for l in (0..n_layers).rev() {
            if self.activation_after(l) {
                // Branch-free (a select per entry) so it vectorises: half the
                // units are off, so a branch here mispredicts constantly.
                for (d, &a) in s.delta.data.iter_mut().zip(&s.acts[l].data) {
                    *d = if a > 0.0 { *d } else { 0.0 };
                }
            }
            let inp = if l == 0 { input } else { s.acts[l - 1].view() };
            gemm_into(&mut s.grad_w[l], s.delta.view(), Op::T, inp, Op::N, false);
            s.grad_b[l].resize(self.layers[l].bias.len(), 0.0);
            column_sums(&s.delta, &mut s.grad_b[l]);
            if l > 0 {
                gemm_into(
                    &mut s.delta_prev,
                    s.delta.view(),
                    Op::N,
                    self.layers[l].weight.view(),
                    Op::N,
                    false,
                );
                std::mem::swap(&mut s.delta, &mut s.delta_prev);
            }
        }

        // Adam update.
        opt.begin_step();
        for (l, d) in self.layers.iter_mut().enumerate() {
            opt.update(2 * l, &mut d.weight.data, &s.grad_w[l].data);
            opt.update(2 * l + 1, &mut d.bias, &s.grad_b[l]);
        }
        self.scratch = s;
        Ok(loss)
    }

    /// The end-to-end linear maps of a linear autoencoder: encoder
    /// `W1 = W_{h-1} ... W_0` and decoder `W2 = W_{2h-1} ... W_h` (biases
    /// ignored), in `f64` for the PCA comparison of part 4(b).
    ///
    /// # Shapes
    /// Returns `(W1: k x m, W2: m x k)`. Errors for a ReLU model with two or
    /// more layers (it is not linear).
    pub fn linear_maps(&self) -> Result<(DMatrix<f64>, DMatrix<f64>)> {
        let h = self.num_encoder_layers();
        if h > 1 && self.config.activation != Activation::Identity {
            return Err(ModelError::Numeric(
                "linear_maps needs a linear autoencoder: use Activation::Identity or a single hidden layer".into(),
            ));
        }
        let to_na =
            |m: &Matrix| DMatrix::from_fn(m.rows, m.cols, |r, c| m.data[r * m.cols + c] as f64);
        let chain = |range: std::ops::Range<usize>| {
            let mut acc: Option<DMatrix<f64>> = None;
            for l in range {
                let w = to_na(&self.layers[l].weight);
                acc = Some(match acc {
                    None => w,
                    Some(a) => w * a,
                });
            }
            acc
        };
        let w1 = chain(0..h).ok_or_else(|| ModelError::Numeric("no encoder layers".into()))?;
        let w2 = chain(h..2 * h).ok_or_else(|| ModelError::Numeric("no decoder layers".into()))?;
        Ok((w1, w2))
    }

    /// A device-independent copy of the parameters as tensors, encoder first:
    /// `[(W_0, b_0), ...]` with `W_l` of shape `(out, in)`.
    pub fn parameters(&self, device: &Device) -> Result<Vec<(Tensor, Tensor)>> {
        self.layers
            .iter()
            .map(|d| {
                Ok((
                    d.weight.to_tensor(device)?,
                    Tensor::from_slice(&d.bias, d.bias.len(), device)?,
                ))
            })
            .collect()
    }
}

/// Mean of squared differences, accumulated in `f64`.
pub(crate) fn mse(a: &[f32], b: &[f32]) -> f64 {
    let sse: f64 = a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
    sse / a.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Var;
    use candle_nn::{AdamW, Optimizer, ParamsAdamW};

    fn batch(rows: usize, cols: usize, seed: u64) -> Matrix {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Matrix {
            rows,
            cols,
            data: (0..rows * cols)
                .map(|_| rng.random_range(-2.0..2.0))
                .collect(),
        }
    }

    #[test]
    fn architecture_matches_the_original() {
        let ae = Autoencoder::new(&AutoencoderConfig::nonlinear(12, 8, 3)).unwrap();
        let shapes: Vec<(usize, usize)> = ae
            .layers()
            .iter()
            .map(|d| (d.weight.rows, d.weight.cols))
            .collect();
        assert_eq!(shapes, vec![(8, 12), (3, 8), (8, 3), (12, 8)]);
        // ReLU after encoder layer 0 and decoder layer 2 only.
        let after: Vec<bool> = (0..4).map(|l| ae.activation_after(l)).collect();
        assert_eq!(after, vec![true, false, true, false]);
        // [k] with ReLU is still linear.
        let lin = Autoencoder::new(&AutoencoderConfig::new(12, vec![4], Activation::ReLU)).unwrap();
        assert!(!lin.activation_after(0) && !lin.activation_after(1));
    }

    /// The hand-written backward pass and Adam give the same parameters as
    /// candle's autograd and candle-nn's AdamW after several steps.
    #[test]
    fn hand_backward_matches_candle_autograd() {
        let dev = Device::Cpu;
        let cfg = AutoencoderConfig::nonlinear(10, 7, 3).with_seed(3);
        let mut ae = Autoencoder::new(&cfg).unwrap();
        let mut opt = ae.optimizer(1e-2).unwrap();
        let vars: Vec<(Var, Var)> = ae
            .parameters(&dev)
            .unwrap()
            .into_iter()
            .map(|(w, b)| (Var::from_tensor(&w).unwrap(), Var::from_tensor(&b).unwrap()))
            .collect();
        let all: Vec<Var> = vars
            .iter()
            .flat_map(|(w, b)| [w.clone(), b.clone()])
            .collect();
        let mut reference = AdamW::new(
            all,
            ParamsAdamW {
                lr: 1e-2,
                weight_decay: 0.0,
                ..Default::default()
            },
        )
        .unwrap();
        for step in 0..4 {
            let input = batch(6, 10, 100 + step);
            let target = batch(6, 10, 200 + step);
            let ours = ae.step_view(input.view(), target.view(), &mut opt).unwrap();
            // candle autograd: the same network written with tensor ops.
            let mut a = input.to_tensor(&dev).unwrap();
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
            let t = target.to_tensor(&dev).unwrap();
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
            for (x, y) in d
                .weight
                .data
                .iter()
                .chain(&d.bias)
                .zip(wv.iter().chain(&bv))
            {
                assert!((x - y).abs() < 2e-5, "{x} vs {y}");
            }
        }
    }

    #[test]
    fn forward_is_decode_of_encode() {
        let ae = Autoencoder::new(&AutoencoderConfig::nonlinear(9, 6, 2).with_seed(1)).unwrap();
        let x = batch(4, 9, 7);
        let z = ae.encode_view(x.view()).unwrap();
        assert_eq!((z.rows, z.cols), (4, 2));
        let xh = ae.decode_view(z.view()).unwrap();
        assert_eq!(ae.forward_view(x.view()).unwrap(), xh);
    }

    #[test]
    fn same_seed_same_weights_other_seed_other_weights() {
        let c = AutoencoderConfig::linear(20, 5).with_seed(9);
        let a = Autoencoder::new(&c).unwrap();
        let b = Autoencoder::new(&c).unwrap();
        assert_eq!(a.layers(), b.layers());
        let d = Autoencoder::new(&c.clone().with_seed(10)).unwrap();
        assert_ne!(a.layers(), d.layers());
    }

    #[test]
    fn bad_configs_and_shapes_are_errors() {
        let e = Autoencoder::new(&AutoencoderConfig::linear(10, 0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("k") && e.contains("k >= 1"), "{e}");
        let e = Autoencoder::new(&AutoencoderConfig::new(10, vec![], Activation::ReLU))
            .unwrap_err()
            .to_string();
        assert!(e.contains("hidden_sizes"), "{e}");
        let e = Autoencoder::new(&AutoencoderConfig::linear(0, 3))
            .unwrap_err()
            .to_string();
        assert!(e.contains("input_size"), "{e}");
        let ae = Autoencoder::new(&AutoencoderConfig::linear(10, 3)).unwrap();
        let x = batch(2, 11, 0);
        assert!(ae.encode_view(x.view()).is_err());
        assert!(ae.decode_view(x.view()).is_err());
    }
}
