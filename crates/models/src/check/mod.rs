//! The notebook's exercises, the original's seven TODOs: the forward pass
//! (checked against `decode(encode(x))`), the noise of the denoising train
//! step and the mask of the masked one (checked by what they feed the
//! network, `steps.rs`), and each section's architecture
//! (`architecture.rs`). A notebook cell implements one of the traits or
//! functions below and the checker after it says what is wrong, if anything.
//!
//! ```
//! use hw6_models::prelude::*;
//! struct MyForward;
//! impl ForwardPass for MyForward {
//!     fn forward(&self, ae: &Autoencoder, x: &Matrix) -> Result<Matrix, ModelError> {
//!         let z = ae.encode(x)?;
//!         ae.decode(&z)
//!     }
//! }
//! check_forward(&MyForward).unwrap();
//! ```

mod architecture;
mod steps;

pub use architecture::{
    Architecture, architecture_is_written, check_architecture, with_architecture,
};
pub use steps::{check_denoising_step, check_masking_step};

use crate::adam::Adam;
use crate::autoencoder::Autoencoder;
use crate::config::AutoencoderConfig;
use crate::corruption::{rand_like, randn_like};
use crate::error::Result;
use hw6_exercise::{CheckFailure, CheckReport, checked};
use hw6_linalg::{Matrix, max_abs_diff};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The autoencoder's forward pass `x -> x_hat` (the original's first TODO).
pub trait ForwardPass {
    /// # Shapes
    /// `x`: `(batch, m)` -> `(batch, m)`.
    fn forward(&self, ae: &Autoencoder, x: &Matrix) -> Result<Matrix>;
}

/// A train step (the original's `train_step` of the denoising / masked class).
pub trait TrainStep: Send {
    /// One optimisation step on the clean batch `x` (`(batch, m)`), drawing
    /// randomness from `rng`; returns the batch loss. Finish with
    /// `ae.step(&input, x, opt)`, which does forward, loss against the
    /// target, backward and the Adam update.
    fn train_step(
        &self,
        ae: &mut Autoencoder,
        x: &Matrix,
        opt: &mut Adam,
        rng: &mut ChaCha8Rng,
    ) -> Result<f32>;
}

/// Reference forward pass: `decode(encode(x))`.
pub struct ReferenceForward;

impl ForwardPass for ReferenceForward {
    fn forward(&self, ae: &Autoencoder, x: &Matrix) -> Result<Matrix> {
        ae.decode(&ae.encode(x)?)
    }
}

/// Reference denoising step: `x + noise_std * randn_like(x)` in, clean `x` as target.
pub struct ReferenceNoiseStep {
    /// Noise standard deviation.
    pub noise_std: f64,
}

impl TrainStep for ReferenceNoiseStep {
    fn train_step(
        &self,
        ae: &mut Autoencoder,
        x: &Matrix,
        opt: &mut Adam,
        rng: &mut ChaCha8Rng,
    ) -> Result<f32> {
        let std = self.noise_std as f32;
        let x_noisy = x.zip_map(&randn_like(x, rng), |v, n| v + n * std)?;
        ae.step(&x_noisy, x, opt)
    }
}

/// Reference masking step: zero entries where `rand_like(x) <= mask_prob`, clean `x` as target.
pub struct ReferenceMaskStep {
    /// Probability of zeroing an entry.
    pub mask_prob: f64,
}

impl TrainStep for ReferenceMaskStep {
    fn train_step(
        &self,
        ae: &mut Autoencoder,
        x: &Matrix,
        opt: &mut Adam,
        rng: &mut ChaCha8Rng,
    ) -> Result<f32> {
        let p = self.mask_prob as f32;
        let x_masked = x.zip_map(&rand_like(x, rng), |v, u| if u > p { v } else { 0.0 })?;
        ae.step(&x_masked, x, opt)
    }
}

pub(crate) fn test_batch(rows: usize, cols: usize, seed: u64) -> Matrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Matrix::from_fn(rows, cols, |_, _| rng.random_range(-2.0f32..2.0))
}

/// Compare a forward pass with `decode(encode(x))` on a small two-layer
/// ReLU autoencoder (where forgetting the decoder, or applying the layers in
/// another order, shows).
pub fn check_forward(candidate: &impl ForwardPass) -> Result<CheckReport> {
    let exercise = "forward pass";
    checked(exercise, |report| {
        let ae = Autoencoder::new(&AutoencoderConfig::nonlinear(12, 8, 3).with_seed(11))?;
        let x = test_batch(5, 12, 12);
        let got = candidate.forward(&ae, &x)?;
        let want = ReferenceForward.forward(&ae, &x)?;
        let fail = |reason: String| Err(CheckFailure::new(exercise, reason).into());
        if got.shape() == (5, 3) {
            return fail("the output has the bottleneck's shape (5, 3): decode the code z back to the input size".into());
        }
        if got.shape() != want.shape() {
            return fail(format!(
                "the output has shape {:?}, the reference {:?}",
                got.shape(),
                want.shape()
            ));
        }
        let diff = max_abs_diff(got.as_slice(), want.as_slice());
        if diff.is_nan() || diff > 1e-5 {
            return fail(format!(
                "forward differs from decode(encode(x)) by up to {diff:.3e}: encode x to z, then decode z"
            ));
        }
        report.figure("max |difference| from decode(encode(x))", diff as f64);
        Ok(())
    })
}

/// Whether a notebook's train step is written: it runs on a small batch
/// without reaching a `todo!()` (it may still be wrong; its check says so).
/// The notebook leaves a model out of its sweeps until its step is written.
pub fn is_written(step: &impl TrainStep) -> bool {
    !hw6_exercise::reaches_todo(|| {
        let mut ae = Autoencoder::new(&AutoencoderConfig::linear(12, 4).with_seed(21))?;
        let mut opt = ae.optimizer(1e-2)?;
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        step.train_step(&mut ae, &test_batch(6, 12, 22), &mut opt, &mut rng)
    })
}

/// Whether a notebook's forward pass is written (see [`is_written`]).
pub fn forward_is_written(forward: &impl ForwardPass) -> bool {
    !hw6_exercise::reaches_todo(|| {
        let ae = Autoencoder::new(&AutoencoderConfig::linear(12, 4).with_seed(21))?;
        forward.forward(&ae, &test_batch(6, 12, 22))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelKind;
    use crate::variants::{AutoencoderModel, build_model};

    /// The reference steps, written as a notebook writes them, leave the
    /// network in the same state as the crate's models.
    #[test]
    fn reference_steps_agree_with_the_models() {
        let cases: [(ModelKind, &dyn TrainStep); 2] = [
            (
                ModelKind::Denoising { noise_std: 0.5 },
                &ReferenceNoiseStep { noise_std: 0.5 },
            ),
            (
                ModelKind::Masked { mask_prob: 0.25 },
                &ReferenceMaskStep { mask_prob: 0.25 },
            ),
        ];
        for (kind, step) in cases {
            let cfg = AutoencoderConfig::linear(12, 4).with_seed(21);
            let x = test_batch(6, 12, 22);
            let mut model: Box<dyn AutoencoderModel> = build_model(kind, &cfg).unwrap();
            let mut opt = model.network().optimizer(1e-2).unwrap();
            let loss = model
                .train_step(&x, &mut opt, &mut ChaCha8Rng::seed_from_u64(33))
                .unwrap();
            let mut ae = Autoencoder::new(&cfg).unwrap();
            let mut opt = ae.optimizer(1e-2).unwrap();
            let by_step =
                step.train_step(&mut ae, &x, &mut opt, &mut ChaCha8Rng::seed_from_u64(33));
            assert_eq!(loss, by_step.unwrap(), "{kind:?}");
            assert_eq!(model.network().layers(), ae.layers(), "{kind:?}");
        }
    }

    #[test]
    fn the_forward_check_accepts_the_reference_and_names_the_mistake() {
        check_forward(&ReferenceForward).unwrap();
        struct EncodeOnly;
        impl ForwardPass for EncodeOnly {
            fn forward(&self, ae: &Autoencoder, x: &Matrix) -> Result<Matrix> {
                ae.encode(x)
            }
        }
        let e = check_forward(&EncodeOnly).unwrap_err().to_string();
        assert!(e.contains("decode"), "{e}");
        struct NotYet;
        impl ForwardPass for NotYet {
            fn forward(&self, _: &Autoencoder, _: &Matrix) -> Result<Matrix> {
                todo!()
            }
        }
        let e = check_forward(&NotYet).unwrap_err().to_string();
        assert!(e.contains("forward pass") && e.contains("todo!()"), "{e}");
    }

    #[test]
    fn a_step_is_written_once_it_no_longer_reaches_its_todo() {
        struct NotYet;
        impl TrainStep for NotYet {
            fn train_step(
                &self,
                _: &mut Autoencoder,
                _: &Matrix,
                _: &mut Adam,
                _: &mut ChaCha8Rng,
            ) -> Result<f32> {
                todo!()
            }
        }
        assert!(!is_written(&NotYet));
        assert!(is_written(&ReferenceNoiseStep { noise_std: 0.5 }));
        struct NoForward;
        impl ForwardPass for NoForward {
            fn forward(&self, _: &Autoencoder, _: &Matrix) -> Result<Matrix> {
                todo!()
            }
        }
        assert!(!forward_is_written(&NoForward) && forward_is_written(&ReferenceForward));
    }
}
