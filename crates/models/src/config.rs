//! Model settings, checked before anything is built (linfa style: a config
//! is validated into a model, impossible settings fail early with the field
//! name and what to change).

use crate::check::Architecture;
use crate::error::{Result, invalid};
use serde::{Deserialize, Serialize};

/// The nonlinearity between layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// `f(x) = x` (the original's `nn.Identity`): a linear autoencoder.
    Identity,
    /// `f(x) = max(x, 0)` (the original's `nn.ReLU`).
    ReLU,
}

/// Layer sizes and activation of an [`crate::Autoencoder`].
///
/// The encoder is `Linear` layers `input_size -> hidden_sizes[0] -> ... ->
/// hidden_sizes[last]` with the activation between layers but not after the
/// last; the decoder mirrors it with the activation after each layer but its
/// final `Linear` back to `input_size`. So `hidden_sizes = [k]` is linear
/// whatever the activation: a nonlinear autoencoder needs two or more layers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AutoencoderConfig {
    /// Input dimension `m` (100 synthetic, 784 MNIST).
    pub input_size: usize,
    /// Encoder layer widths; the last one is the bottleneck `k`.
    pub hidden_sizes: Vec<usize>,
    /// Activation between layers.
    pub activation: Activation,
    /// Seed of the weight initialisation.
    pub seed: u64,
}

impl AutoencoderConfig {
    /// Any architecture, seed 0.
    pub fn new(input_size: usize, hidden_sizes: Vec<usize>, activation: Activation) -> Self {
        Self {
            input_size,
            hidden_sizes,
            activation,
            seed: 0,
        }
    }

    /// The architecture `architecture` gives for bottleneck `k` (a
    /// notebook's answer to a section's architecture TODO), seed 0.
    pub fn from_architecture(input_size: usize, k: usize, architecture: Architecture) -> Self {
        let (hidden_sizes, activation) = architecture(k);
        Self::new(input_size, hidden_sizes, activation)
    }

    /// The linear sections' autoencoder (sections 1.1 and 1.3) with
    /// bottleneck `k`, seed 0.
    pub fn linear(input_size: usize, k: usize) -> Self {
        // BEGIN SOLUTION: the linear sections' architecture
        Self::new(input_size, vec![k], Activation::Identity)
        // END SOLUTION
    }

    /// The nonlinear sections' autoencoder (sections 1.2 and 1.4) with
    /// bottleneck `k` and `hidden` units in its first hidden layer (256 in
    /// our runs), seed 0.
    pub fn nonlinear(input_size: usize, hidden: usize, k: usize) -> Self {
        // BEGIN SOLUTION: the nonlinear sections' architecture
        Self::new(input_size, vec![hidden, k], Activation::ReLU)
        // END SOLUTION
    }

    /// Same settings, another seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The bottleneck size `k` (the last hidden size; 0 if there is none).
    pub fn bottleneck(&self) -> usize {
        self.hidden_sizes.last().copied().unwrap_or(0)
    }

    /// Errors unless every size is positive and there is at least one hidden layer.
    pub fn check(&self) -> Result<()> {
        if self.input_size == 0 {
            return Err(invalid(
                "input_size",
                self.input_size,
                "use the data's dimension (100 synthetic, 784 MNIST)",
            ));
        }
        if self.hidden_sizes.is_empty() {
            return Err(invalid(
                "hidden_sizes",
                &self.hidden_sizes,
                "give at least one layer; the last size is the bottleneck k",
            ));
        }
        if let Some(pos) = self.hidden_sizes.iter().position(|&h| h == 0) {
            let field = if pos + 1 == self.hidden_sizes.len() {
                "k (last of hidden_sizes)"
            } else {
                "hidden_sizes"
            };
            return Err(invalid(
                field,
                &self.hidden_sizes,
                "every layer needs at least one unit; use k >= 1, e.g. 5, 10, 100 or 1000",
            ));
        }
        Ok(())
    }
}

/// Default standard deviation of the denoising autoencoder's input noise.
pub const DEFAULT_NOISE_STD: f64 = 0.5;
/// Default probability that the masked autoencoder zeroes an input entry.
pub const DEFAULT_MASK_PROB: f64 = 0.25;

/// Which of the three autoencoders, with its corruption setting.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum ModelKind {
    /// Reconstruct the input from itself.
    Vanilla,
    /// Reconstruct the clean input from `x + noise_std * N(0, 1)`.
    Denoising {
        /// Standard deviation of the Gaussian noise (>= 0).
        noise_std: f64,
    },
    /// Reconstruct the full input from `x` with entries zeroed with probability `mask_prob`.
    Masked {
        /// Probability of zeroing an entry, in `[0, 1)`.
        mask_prob: f64,
    },
}

impl ModelKind {
    /// The three models with the original's defaults, in the original's order.
    pub const ALL: [ModelKind; 3] = [
        ModelKind::Vanilla,
        ModelKind::Denoising {
            noise_std: DEFAULT_NOISE_STD,
        },
        ModelKind::Masked {
            mask_prob: DEFAULT_MASK_PROB,
        },
    ];

    /// Short name used by the CLI and the charts: `vanilla`, `denoise`, `masking`.
    pub fn name(&self) -> &'static str {
        match self {
            ModelKind::Vanilla => "vanilla",
            ModelKind::Denoising { .. } => "denoise",
            ModelKind::Masked { .. } => "masking",
        }
    }

    /// Parse `vanilla`, `denoise` or `masking` (with the default settings).
    pub fn parse(name: &str) -> Result<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "vanilla" => Ok(ModelKind::Vanilla),
            "denoise" | "denoising" => Ok(ModelKind::Denoising {
                noise_std: DEFAULT_NOISE_STD,
            }),
            "masking" | "masked" | "mask" => Ok(ModelKind::Masked {
                mask_prob: DEFAULT_MASK_PROB,
            }),
            _ => Err(invalid("models", name, "use vanilla, denoise or masking")),
        }
    }

    /// Errors on a negative / non-finite `noise_std` or a `mask_prob` outside `[0, 1)`.
    pub fn check(&self) -> Result<()> {
        match *self {
            ModelKind::Vanilla => Ok(()),
            ModelKind::Denoising { noise_std } => {
                if noise_std.is_finite() && noise_std >= 0.0 {
                    Ok(())
                } else {
                    Err(invalid(
                        "noise_std",
                        noise_std,
                        "use a finite value >= 0 (the original uses 0.5)",
                    ))
                }
            }
            ModelKind::Masked { mask_prob } => {
                if (0.0..1.0).contains(&mask_prob) {
                    Ok(())
                } else {
                    Err(invalid(
                        "mask_prob",
                        mask_prob,
                        "use a probability in [0, 1): 1 would hide every input entry (the original uses 0.25)",
                    ))
                }
            }
        }
    }
}
