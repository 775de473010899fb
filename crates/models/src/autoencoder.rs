//! The autoencoder network: `Linear` layers with the original's activation
//! placement and its forward pass. The backward pass and the train step are
//! in `backprop.rs`.
//!
//! For a layer `l` with weight `W_l` (`out x in`) and bias `b_l`, a batch
//! `A_l` (`batch x in`) goes to
//!
//! ```text
//! A_{l+1} = f_l(A_l W_l^T + b_l)      (f_l = ReLU or identity)
//! ```
//!
//! The encoder is layers `0..h` (`m -> hidden_sizes[0] -> ... -> k`), the
//! decoder mirrors it (`k -> ... -> m`); the ReLU follows every layer but the
//! last of the encoder and the last of the decoder.

use crate::adam::Adam;
use crate::config::{Activation, AutoencoderConfig};
use crate::error::{ModelError, Result};
use crate::layer::Dense;
use hw6_exercise::{ParamError, ShapeError};
use hw6_linalg::{MatView, Matrix, mse};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A fully connected autoencoder (the original's `Autoencoder` class).
///
/// # Shapes
/// Inputs `x`: `(batch, m)`; codes `z`: `(batch, k)`; outputs `x_hat`:
/// `(batch, m)`.
#[derive(Clone, Debug)]
pub struct Autoencoder {
    config: AutoencoderConfig,
    /// Encoder layers followed by decoder layers.
    pub(crate) layers: Vec<Dense>,
    /// Buffers the train step reuses (see `backprop.rs`).
    pub(crate) scratch: crate::backprop::Scratch,
    /// When set, every `step` appends copies of its input and target (the
    /// checkers watch what a notebook's train step feeds the network).
    pub(crate) recorded: Option<Vec<(Matrix, Matrix)>>,
}

impl Autoencoder {
    /// Builds with PyTorch's default `nn.Linear` initialisation, seeded by
    /// `config.seed`. Errors if the config is invalid (see
    /// [`AutoencoderConfig::check`]).
    pub fn new(config: &AutoencoderConfig) -> Result<Self> {
        config.check()?;
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let mut sizes = vec![config.input_size];
        sizes.extend(&config.hidden_sizes);
        let encoder: Vec<(usize, usize)> = sizes.windows(2).map(|w| (w[0], w[1])).collect();
        // The decoder mirrors the encoder: k -> ... -> hidden[0] -> m.
        let decoder = encoder.iter().rev().map(|&(i, o)| (o, i));
        let layers = (encoder.iter().copied().chain(decoder))
            .map(|(fan_in, fan_out)| Dense::uniform(fan_in, fan_out, &mut rng))
            .collect::<Result<_>>()?;
        Ok(Self {
            config: config.clone(),
            layers,
            scratch: Default::default(),
            recorded: None,
        })
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

    pub(crate) fn num_encoder_layers(&self) -> usize {
        self.config.hidden_sizes.len()
    }

    /// Whether the ReLU follows layer `l` (between encoder layers, and after
    /// every decoder layer but the last).
    pub(crate) fn relu_after(&self, l: usize) -> bool {
        let h = self.num_encoder_layers();
        self.config.activation == Activation::ReLU && l + 1 != h && l + 1 != 2 * h
    }

    /// Whether the network is an affine map `x -> A x + c`.
    pub fn is_linear(&self) -> bool {
        self.config.activation == Activation::Identity || self.num_encoder_layers() == 1
    }

    /// Number of trainable numbers.
    pub fn num_parameters(&self) -> usize {
        self.parameter_lengths().iter().sum()
    }

    /// Lengths of the parameter buffers in optimiser order (`W_0, b_0, W_1, ...`).
    pub fn parameter_lengths(&self) -> Vec<usize> {
        let lengths = |d: &Dense| [d.weight.as_slice().len(), d.bias.len()];
        self.layers.iter().flat_map(lengths).collect()
    }

    /// Adam (weight decay 0) sized for this model's parameters.
    pub fn optimizer(&self, lr: f64) -> Result<Adam> {
        Adam::new(lr, &self.parameter_lengths())
    }

    /// Layer `l`'s output `f_l(A_l W_l^T + b_l)` into `out`.
    pub(crate) fn layer_into(&self, l: usize, input: MatView<'_>, out: &mut Matrix) -> Result<()> {
        self.layers[l].forward_into(input, out)?;
        if self.relu_after(l) {
            out.map_in_place(|v| v.max(0.0));
        }
        Ok(())
    }

    /// Layers `range` applied to `x` (a copy of `x` for an empty range).
    fn apply_layers(&self, x: MatView<'_>, mut range: std::ops::Range<usize>) -> Result<Matrix> {
        let Some(first) = range.next() else {
            return Ok(x.to_matrix());
        };
        let (mut current, mut next) = (Matrix::default(), Matrix::default());
        self.layer_into(first, x, &mut current)?;
        for l in range {
            self.layer_into(l, current.view(), &mut next)?;
            std::mem::swap(&mut current, &mut next);
        }
        Ok(current)
    }

    pub(crate) fn check_cols(&self, what: &'static str, cols: usize, want: usize) -> Result<()> {
        if cols != want {
            let (want, got) = (format!("(batch, {want})"), format!("(batch, {cols})"));
            return Err(ShapeError::new(what, want, got).into());
        }
        Ok(())
    }

    /// `z = encoder(x)`.
    ///
    /// # Shapes
    /// `x`: `(batch, m)` -> `(batch, k)`.
    pub fn encode<'a>(&self, x: impl Into<MatView<'a>>) -> Result<Matrix> {
        let x = x.into();
        self.check_cols("Autoencoder::encode", x.cols(), self.input_size())?;
        self.apply_layers(x, 0..self.num_encoder_layers())
    }

    /// `x_hat = decoder(z)`.
    ///
    /// # Shapes
    /// `z`: `(batch, k)` -> `(batch, m)`.
    pub fn decode<'a>(&self, z: impl Into<MatView<'a>>) -> Result<Matrix> {
        let z = z.into();
        self.check_cols("Autoencoder::decode", z.cols(), self.bottleneck())?;
        self.apply_layers(z, self.num_encoder_layers()..self.layers.len())
    }

    /// The reference forward pass `x -> x_hat` (the notebook's first TODO).
    ///
    /// # Shapes
    /// `x`: `(batch, m)` -> `(batch, m)`.
    pub fn forward<'a>(&self, x: impl Into<MatView<'a>>) -> Result<Matrix> {
        // BEGIN SOLUTION: the forward pass
        self.reconstruct(x.into())
        // END SOLUTION
    }

    /// Every layer applied to `x`, in order: what the crate's own loss
    /// evaluation runs.
    ///
    /// # Shapes
    /// `x`: `(batch, m)` -> `(batch, m)`.
    pub(crate) fn reconstruct(&self, x: MatView<'_>) -> Result<Matrix> {
        self.check_cols("Autoencoder::forward", x.cols(), self.input_size())?;
        self.apply_layers(x, 0..self.layers.len())
    }

    /// The reconstruction loss, the mean squared error between `x` and the
    /// network's output, over all entries.
    ///
    /// # Shapes
    /// `x`: `(batch, m)`.
    pub fn loss<'a>(&self, x: impl Into<MatView<'a>>) -> Result<f32> {
        let x = x.into();
        Ok(mse(self.reconstruct(x)?.as_slice(), x.as_slice()) as f32)
    }

    /// The end-to-end linear maps of a linear autoencoder: encoder
    /// `W1 = W_{h-1} ... W_0` and decoder `W2 = W_{2h-1} ... W_h` (biases
    /// ignored), in `f64` for the PCA comparison of part 4(b).
    ///
    /// # Shapes
    /// Returns `(W1: k x m, W2: m x k)`. Errors for a ReLU model with two or
    /// more layers (it is not linear).
    pub fn linear_maps(&self) -> Result<(DMatrix<f64>, DMatrix<f64>)> {
        if !self.is_linear() {
            let allowed =
                "linear_maps needs a linear autoencoder: Activation::Identity or one hidden layer";
            return Err(ParamError::new("activation", self.config.activation, allowed).into());
        }
        let h = self.num_encoder_layers();
        let to_f64 = |m: &Matrix| {
            DMatrix::from_row_slice(m.rows(), m.cols(), m.as_slice()).map(|v| v as f64)
        };
        let chain = |range: std::ops::Range<usize>| {
            (range.map(|l| to_f64(&self.layers[l].weight)))
                .reduce(|acc, w| w * acc)
                .ok_or_else(|| ModelError::Numeric("the autoencoder has no layers".into()))
        };
        Ok((chain(0..h)?, chain(h..2 * h)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    pub(crate) fn batch(rows: usize, cols: usize, seed: u64) -> Matrix {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Matrix::from_fn(rows, cols, |_, _| rng.random_range(-2.0..2.0))
    }

    #[test]
    fn architecture_matches_the_original() {
        let ae = Autoencoder::new(&AutoencoderConfig::nonlinear(12, 8, 3)).unwrap();
        let shapes: Vec<(usize, usize)> = ae.layers().iter().map(|d| d.weight.shape()).collect();
        assert_eq!(shapes, vec![(8, 12), (3, 8), (8, 3), (12, 8)]);
        // ReLU after encoder layer 0 and decoder layer 2 only.
        let after: Vec<bool> = (0..4).map(|l| ae.relu_after(l)).collect();
        assert_eq!(after, vec![true, false, true, false]);
        // [k] with ReLU is still linear.
        let lin = Autoencoder::new(&AutoencoderConfig::new(12, vec![4], Activation::ReLU)).unwrap();
        assert!(!lin.relu_after(0) && !lin.relu_after(1) && lin.is_linear());
        assert!(lin.linear_maps().is_ok() && ae.linear_maps().is_err());
    }

    #[test]
    fn forward_is_decode_of_encode() {
        let ae = Autoencoder::new(&AutoencoderConfig::nonlinear(9, 6, 2).with_seed(1)).unwrap();
        let x = batch(4, 9, 7);
        let z = ae.encode(&x).unwrap();
        assert_eq!(z.shape(), (4, 2));
        let xh = ae.decode(&z).unwrap();
        assert_eq!(ae.forward(&x).unwrap(), xh);
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
        assert!(ae.encode(&x).is_err());
        assert!(ae.decode(&x).is_err());
    }
}
