//! The three autoencoders of the notebook as one interface: the vanilla
//! [`Autoencoder`], the [`DenoisingAutoencoder`] and the [`MaskedAutoencoder`]
//! (one [`CorruptedInput`] type with a [`GaussianNoise`] or [`RandomMask`]
//! [`Corruption`]), plus [`CustomAutoencoder`], which trains with a
//! notebook's own [`crate::TrainStep`], and [`with_forward`], which makes a
//! notebook's own [`crate::ForwardPass`] compute a model's losses.

use crate::adam::Adam;
use crate::autoencoder::Autoencoder;
use crate::check::{ForwardPass, TrainStep};
use crate::config::{AutoencoderConfig, ModelKind};
use crate::corruption::{add_noise, apply_mask};
use crate::error::Result;
use hw6_linalg::{MatView, Matrix};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// What [`crate::Experiment`] needs from a model.
pub trait AutoencoderModel: Send {
    /// The network (encoder and decoder).
    fn network(&self) -> &Autoencoder;
    /// Short name for tables and charts (`vanilla`, `denoise`, `masking`, ...).
    fn name(&self) -> String;
    /// One train step on a clean batch `x` (`batch x m`): corrupt the input
    /// as the model does, reconstruct, compare with the clean `x`, update.
    /// Draws its randomness from `rng`. Returns the batch loss.
    fn train_step(&mut self, x: &Matrix, opt: &mut Adam, rng: &mut ChaCha8Rng) -> Result<f32>;
    /// The forward pass that computes the per-epoch losses: `None` (the
    /// default) for the network's own, or a notebook's ([`with_forward`]).
    fn forward_pass(&self) -> Option<Arc<dyn ForwardPass>> {
        None
    }
}

impl AutoencoderModel for Autoencoder {
    fn network(&self) -> &Autoencoder {
        self
    }
    fn name(&self) -> String {
        "vanilla".into()
    }
    fn train_step(&mut self, x: &Matrix, opt: &mut Adam, _rng: &mut ChaCha8Rng) -> Result<f32> {
        self.step(x, x, opt)
    }
}

/// What a denoising or masked autoencoder does to a clean batch before
/// encoding it (the target stays the clean batch).
pub trait Corruption: Send {
    /// Model name for tables and charts.
    const NAME: &'static str;
    /// The corrupted copy of `x` (`batch x m`), drawing from `rng`.
    fn corrupt(&self, x: MatView<'_>, rng: &mut ChaCha8Rng) -> Matrix;
}

/// `x + noise_std * N(0, 1)` (the original's `DenoisingAutoencoder`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GaussianNoise {
    /// Standard deviation of the input noise (default 0.5).
    pub noise_std: f32,
}

impl Corruption for GaussianNoise {
    const NAME: &'static str = "denoise";
    fn corrupt(&self, x: MatView<'_>, rng: &mut ChaCha8Rng) -> Matrix {
        add_noise(x, self.noise_std, rng)
    }
}

/// Each entry zeroed with probability `mask_prob` (the original's
/// `MaskedAutoencoder`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomMask {
    /// Probability of zeroing each input entry (default 0.25).
    pub mask_prob: f32,
}

impl Corruption for RandomMask {
    const NAME: &'static str = "masking";
    fn corrupt(&self, x: MatView<'_>, rng: &mut ChaCha8Rng) -> Matrix {
        apply_mask(x, self.mask_prob, rng)
    }
}

/// An autoencoder trained to reconstruct the clean input from a corrupted
/// one: [`DenoisingAutoencoder`] and [`MaskedAutoencoder`].
#[derive(Clone, Debug)]
pub struct CorruptedInput<C> {
    /// The network.
    pub ae: Autoencoder,
    /// What is done to the input.
    pub corruption: C,
}

/// Reconstruct the clean input from `x + noise_std * N(0, 1)` (the
/// original's `DenoisingAutoencoder`, default `noise_std` 0.5).
pub type DenoisingAutoencoder = CorruptedInput<GaussianNoise>;

/// Reconstruct the full input from `x` with entries zeroed with probability
/// `mask_prob` (the original's `MaskedAutoencoder`, default 0.25).
pub type MaskedAutoencoder = CorruptedInput<RandomMask>;

impl DenoisingAutoencoder {
    /// Build; errors on a bad config or a negative / non-finite `noise_std`.
    pub fn new(config: &AutoencoderConfig, noise_std: f64) -> Result<Self> {
        let noise = GaussianNoise {
            noise_std: noise_std as f32,
        };
        Self::build(config, ModelKind::Denoising { noise_std }, noise)
    }
}

impl MaskedAutoencoder {
    /// Build; errors on a bad config or `mask_prob` outside `[0, 1)`.
    pub fn new(config: &AutoencoderConfig, mask_prob: f64) -> Result<Self> {
        let mask = RandomMask {
            mask_prob: mask_prob as f32,
        };
        Self::build(config, ModelKind::Masked { mask_prob }, mask)
    }
}

impl<C: Corruption> CorruptedInput<C> {
    /// Check the corruption's setting (`kind`), then build the network.
    fn build(config: &AutoencoderConfig, kind: ModelKind, corruption: C) -> Result<Self> {
        kind.check()?;
        Ok(Self {
            ae: Autoencoder::new(config)?,
            corruption,
        })
    }
}

impl<C: Corruption> AutoencoderModel for CorruptedInput<C> {
    fn network(&self) -> &Autoencoder {
        &self.ae
    }
    fn name(&self) -> String {
        C::NAME.into()
    }
    fn train_step(&mut self, x: &Matrix, opt: &mut Adam, rng: &mut ChaCha8Rng) -> Result<f32> {
        let corrupted = self.corruption.corrupt(x.view(), rng);
        self.ae.step(&corrupted, x, opt)
    }
}

/// A network trained by a notebook's own [`TrainStep`].
pub struct CustomAutoencoder {
    /// The network.
    pub ae: Autoencoder,
    step: Box<dyn TrainStep>,
    name: String,
}

impl CustomAutoencoder {
    /// Build the network from `config` and train it with `step`.
    pub fn new(
        config: &AutoencoderConfig,
        name: &str,
        step: impl TrainStep + 'static,
    ) -> Result<Self> {
        Ok(Self {
            ae: Autoencoder::new(config)?,
            step: Box::new(step),
            name: name.to_string(),
        })
    }
}

impl AutoencoderModel for CustomAutoencoder {
    fn network(&self) -> &Autoencoder {
        &self.ae
    }
    fn name(&self) -> String {
        self.name.clone()
    }
    fn train_step(&mut self, x: &Matrix, opt: &mut Adam, rng: &mut ChaCha8Rng) -> Result<f32> {
        self.step.train_step(&mut self.ae, x, opt, rng)
    }
}

/// `model` with its per-epoch losses computed by `forward` (a notebook's
/// forward pass): the train steps are `model`'s.
struct ForwardEvaluated {
    model: Box<dyn AutoencoderModel>,
    forward: Arc<dyn ForwardPass>,
}

impl AutoencoderModel for ForwardEvaluated {
    fn network(&self) -> &Autoencoder {
        self.model.network()
    }
    fn name(&self) -> String {
        self.model.name()
    }
    fn train_step(&mut self, x: &Matrix, opt: &mut Adam, rng: &mut ChaCha8Rng) -> Result<f32> {
        self.model.train_step(x, opt, rng)
    }
    fn forward_pass(&self) -> Option<Arc<dyn ForwardPass>> {
        Some(self.forward.clone())
    }
}

/// `model`, trained by its own steps, with the training and validation
/// losses after each epoch computed by `forward` (the notebook's forward
/// pass, as the original's `get_loss` calls the model's `forward`), so a
/// wrong forward pass shows in the loss curves.
pub fn with_forward(
    model: Box<dyn AutoencoderModel>,
    forward: impl ForwardPass + 'static,
) -> Box<dyn AutoencoderModel> {
    Box::new(ForwardEvaluated {
        model,
        forward: Arc::new(forward),
    })
}

/// Build one of the three models.
pub fn build_model(
    kind: ModelKind,
    config: &AutoencoderConfig,
) -> Result<Box<dyn AutoencoderModel>> {
    kind.check()?;
    Ok(match kind {
        ModelKind::Vanilla => Box::new(Autoencoder::new(config)?),
        ModelKind::Denoising { noise_std } => {
            Box::new(DenoisingAutoencoder::new(config, noise_std)?)
        }
        ModelKind::Masked { mask_prob } => Box::new(MaskedAutoencoder::new(config, mask_prob)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Denoising and masking change what the encoder sees but not the target:
    /// their step equals a plain `step(corrupted, clean)` with the same draws.
    #[test]
    fn corruption_changes_input_not_target() {
        let cfg = AutoencoderConfig::linear(8, 3).with_seed(4);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let x = Matrix::from_fn(5, 8, |_, _| rng.random_range(-1.0..1.0));
        for kind in [
            ModelKind::Denoising { noise_std: 0.5 },
            ModelKind::Masked { mask_prob: 0.25 },
        ] {
            let mut model = build_model(kind, &cfg).unwrap();
            let mut opt = model.network().optimizer(1e-2).unwrap();
            let mut r = ChaCha8Rng::seed_from_u64(7);
            let loss = model.train_step(&x, &mut opt, &mut r).unwrap();

            let mut r = ChaCha8Rng::seed_from_u64(7);
            let corrupted = match kind {
                ModelKind::Denoising { noise_std } => add_noise(x.view(), noise_std as f32, &mut r),
                ModelKind::Masked { mask_prob } => apply_mask(x.view(), mask_prob as f32, &mut r),
                ModelKind::Vanilla => unreachable!(),
            };
            assert_ne!(corrupted, x, "{kind:?} must change the input");
            let mut by_hand = Autoencoder::new(&cfg).unwrap();
            let mut opt2 = by_hand.optimizer(1e-2).unwrap();
            let want = by_hand.step(&corrupted, &x, &mut opt2).unwrap();
            assert_eq!(loss, want, "{kind:?}: target must be the clean x");
            assert_eq!(model.network().layers(), by_hand.layers());

            // ...and it is not the loss against the corrupted target.
            let mut wrong = Autoencoder::new(&cfg).unwrap();
            let mut opt3 = wrong.optimizer(1e-2).unwrap();
            let wrong_loss = wrong.step(&corrupted, &corrupted, &mut opt3).unwrap();
            assert_ne!(loss, wrong_loss);
        }
    }

    #[test]
    fn bad_corruption_settings_are_errors() {
        let cfg = AutoencoderConfig::linear(8, 3);
        for p in [-0.1, 1.0, 1.5, f64::NAN] {
            let e = MaskedAutoencoder::new(&cfg, p).unwrap_err().to_string();
            assert!(e.contains("mask_prob") && e.contains("[0, 1)"), "{e}");
        }
        for s in [-0.5, f64::INFINITY] {
            let e = DenoisingAutoencoder::new(&cfg, s).unwrap_err().to_string();
            assert!(e.contains("noise_std"), "{e}");
        }
    }
}
