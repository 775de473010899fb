//! The crate's answers to the notebook's seven TODOs, and
//! [`check_reference`], which runs every check on them.
//!
//! They are not exported: the checks compare with them (through
//! `hw6_exercise::expected`, so a student release reads the recorded value
//! instead), and the release command calls [`check_reference`] to record
//! those values. In a student release their bodies are `todo!()`.

use super::{ForwardPass, TrainStep, check_forward};
use crate::adam::Adam;
use crate::autoencoder::Autoencoder;
use crate::check::{check_architecture, check_denoising_step, check_masking_step};
use crate::config::{Activation, DEFAULT_MASK_PROB, DEFAULT_NOISE_STD};
use crate::error::Result;
use crate::run::Arch;
use hw6_exercise::CheckReport;
use hw6_linalg::Matrix;
use rand_chacha::ChaCha8Rng;

/// The reference forward pass (the first TODO).
pub(crate) struct ReferenceForward;

impl ForwardPass for ReferenceForward {
    fn forward(&self, ae: &Autoencoder, x: &Matrix) -> Result<Matrix> {
        ae.forward(x)
    }
}

/// The reference denoising step (the second TODO): the noisy `x` in, the
/// clean `x` as target.
pub(crate) struct ReferenceNoiseStep {
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
        // BEGIN SOLUTION: the reference denoising step
        let x_noisy = crate::corruption::add_noise(x.view(), self.noise_std as f32, rng);
        ae.step(&x_noisy, x, opt)
        // END SOLUTION
    }
}

/// The reference masking step (the third TODO): the masked `x` in, the full
/// `x` as target.
pub(crate) struct ReferenceMaskStep {
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
        // BEGIN SOLUTION: the reference masking step
        let x_masked = crate::corruption::apply_mask(x.view(), self.mask_prob as f32, rng);
        ae.step(&x_masked, x, opt)
        // END SOLUTION
    }
}

/// The reference architecture of the linear sections (1.1, 1.3) for
/// bottleneck `k`: hidden sizes and activation.
pub(crate) fn reference_linear(k: usize) -> (Vec<usize>, Activation) {
    Arch::Linear.layers(k)
}

/// The reference architecture of the nonlinear sections (1.2, 1.4), with
/// 256 units in the first hidden layer.
pub(crate) fn reference_nonlinear(k: usize) -> (Vec<usize>, Activation) {
    Arch::Nonlinear { hidden: 256 }.layers(k)
}

/// Runs every check of the q_ae notebook on the crate's answers, with the
/// arguments the notebook passes: the forward pass, the two train steps at
/// their default settings and at those of the hidden tests (`noise_std`
/// 1.5, `mask_prob` 0.6), and the four sections' architectures. Inside
/// `hw6_exercise::recording` this records every expected value a student
/// release needs (only `models.forward.x_hat`; the other checks test
/// properties). Errors if a reference fails its check.
pub fn check_reference() -> Result<Vec<CheckReport>> {
    let nonlinear = Arch::Nonlinear { hidden: 256 };
    Ok(vec![
        check_forward(&ReferenceForward)?,
        check_denoising_step(
            &ReferenceNoiseStep {
                noise_std: DEFAULT_NOISE_STD,
            },
            DEFAULT_NOISE_STD,
        )?,
        check_masking_step(
            &ReferenceMaskStep {
                mask_prob: DEFAULT_MASK_PROB,
            },
            DEFAULT_MASK_PROB,
        )?,
        check_denoising_step(&ReferenceNoiseStep { noise_std: 1.5 }, 1.5)?,
        check_masking_step(&ReferenceMaskStep { mask_prob: 0.6 }, 0.6)?,
        check_architecture("1.1", reference_linear, Arch::Linear)?,
        check_architecture("1.2", reference_nonlinear, nonlinear)?,
        check_architecture("1.3", reference_linear, Arch::Linear)?,
        check_architecture("1.4", reference_nonlinear, nonlinear)?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_references_pass_every_check_and_record_the_forward_pass() {
        let (reports, fixtures) = hw6_exercise::recording(check_reference);
        assert_eq!(reports.unwrap().len(), 9);
        let keys: Vec<&String> = fixtures.keys().collect();
        assert_eq!(keys, ["models.forward.x_hat"]);
        let value = &fixtures["models.forward.x_hat"]["value"];
        assert_eq!((value[0].as_u64(), value[1].as_u64()), (Some(5), Some(12)));
        assert_eq!(value[2].as_array().map(Vec::len), Some(60));
    }
}
