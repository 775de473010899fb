//! The checks of the denoising and masking train steps, by what the step
//! feeds the network rather than by one random stream: a correct step that
//! draws its noise or mask another way passes, and a wrong one is told what
//! is wrong (the target, the noise's scale, the mask's rate, ...).
//!
//! The step runs once on a batch of `200 x 50` entries, none of them 0, with
//! the network recording what `ae.step(&input, &target, opt)` received.

use super::{TrainStep, test_batch};
use crate::autoencoder::Autoencoder;
use crate::config::{Activation, AutoencoderConfig, ModelKind};
use crate::error::Result;
use hw6_exercise::{CheckFailure, CheckReport, checked};
use hw6_linalg::Matrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What one call of a notebook's train step did.
struct Observed {
    input: Matrix,
    target: Matrix,
    /// The loss the step returned, and the loss `ae.step` gave it.
    returned: f32,
    expected: f32,
}

/// Runs `step` once on `x` with the rng seeded `seed`, recording its call of
/// `ae.step`.
fn observe(exercise: &str, step: &dyn TrainStep, x: &Matrix, seed: u64) -> Result<Observed> {
    let config = AutoencoderConfig::new(x.cols(), vec![4], Activation::Identity).with_seed(21);
    let mut ae = Autoencoder::new(&config)?;
    ae.recorded = Some(Vec::new());
    let mut opt = ae.optimizer(1e-2)?;
    let returned = step.train_step(&mut ae, x, &mut opt, &mut ChaCha8Rng::seed_from_u64(seed))?;
    let mut calls = ae.recorded.take().unwrap_or_default();
    let fail = |reason: String| Err(CheckFailure::new(exercise, reason).into());
    if calls.len() != 1 {
        let n = calls.len();
        return fail(format!(
            "your step called ae.step(&input, &target, opt) {n} times: call it once per batch"
        ));
    }
    let (input, target) = calls.remove(0);
    if input.shape() != x.shape() {
        return fail(format!(
            "the input has shape {:?}, x has {:?}: corrupt x entry by entry",
            input.shape(),
            x.shape()
        ));
    }
    let mut fresh = Autoencoder::new(&config)?;
    let mut opt = fresh.optimizer(1e-2)?;
    let expected = fresh.step(&input, &target, &mut opt)?;
    Ok(Observed {
        input,
        target,
        returned,
        expected,
    })
}

/// The checks every corrupting step shares: one call, the clean target, a
/// changed input, the loss returned, randomness from the given rng.
fn common_checks(
    exercise: &str,
    step: &dyn TrainStep,
    x: &Matrix,
    corrupted: &str,
) -> Result<Observed> {
    let seen = observe(exercise, step, x, 33)?;
    let fail = |reason: &str| Err(CheckFailure::new(exercise, reason).into());
    if seen.target != *x {
        if seen.target == seen.input && seen.input != *x {
            return fail(&format!(
                "the loss compares with the {corrupted} input: the target must be the clean x"
            ));
        }
        return fail("the target must be the clean x");
    }
    if seen.input == *x {
        return fail("the input reached the network unchanged");
    }
    if seen.returned.to_bits() != seen.expected.to_bits() {
        return fail("return the loss that ae.step(&input, &target, opt) gives back");
    }
    let again = observe(exercise, step, x, 33)?;
    let other = observe(exercise, step, x, 34)?;
    if again.input != seen.input || other.input == seen.input {
        return fail(
            "draw the randomness from the rng you are given (rand_like / randn_like with it), once per call",
        );
    }
    Ok(seen)
}

/// The batch the checks use: entries of magnitude 0.5 to 2, never 0.
fn batch() -> Matrix {
    test_batch(200, 50, 44).map(|v| v.signum() * (0.5 + 0.75 * v.abs()))
}

/// Checks a denoising train step: the input is `x` plus noise of mean 0 and
/// standard deviation `noise_std`, the target the clean `x`, the loss the
/// one `ae.step` returns, the noise drawn from the given rng.
pub fn check_denoising_step(candidate: &impl TrainStep, noise_std: f64) -> Result<CheckReport> {
    ModelKind::Denoising { noise_std }.check()?;
    let exercise = "denoising train step";
    checked(exercise, |report| {
        let x = batch();
        let unchanged =
            "the input reached the network unchanged: add noise_std * randn_like(x, rng) to x";
        let seen = common_checks(exercise, candidate, &x, "noisy")
            .map_err(|e| reword(e, "the input reached the network unchanged", unchanged))?;
        let noise: Vec<f64> = (seen.input.as_slice().iter().zip(x.as_slice()))
            .map(|(a, b)| (a - b) as f64)
            .collect();
        let n = noise.len() as f64;
        let mean = noise.iter().sum::<f64>() / n;
        let std = (noise.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / n).sqrt();
        report.figure("noise mean", mean);
        report.figure("noise standard deviation", std);
        let fail = |reason: String| Err(CheckFailure::new(exercise, reason).into());
        if mean.abs() > 5.0 * noise_std / n.sqrt() {
            return fail(format!(
                "the noise has mean {mean:.4}; Gaussian noise of mean 0 (randn_like) is asked for"
            ));
        }
        if (std / noise_std - 1.0).abs() > 0.05 {
            if (std - 1.0).abs() < 0.05 {
                return fail("the noise has standard deviation 1: multiply it by noise_std".into());
            }
            return fail(format!(
                "the noise has standard deviation {std:.4}, not noise_std = {noise_std}"
            ));
        }
        Ok(())
    })
}

/// Checks a masking train step: every entry of the input is `x`'s or 0, a
/// fraction `mask_prob` of them 0, the target the full `x`, the loss the one
/// `ae.step` returns, the mask drawn from the given rng.
pub fn check_masking_step(candidate: &impl TrainStep, mask_prob: f64) -> Result<CheckReport> {
    ModelKind::Masked { mask_prob }.check()?;
    let exercise = "masking train step";
    checked(exercise, |report| {
        let x = batch();
        let unchanged = "the input reached the network unchanged: multiply x by a 0/1 mask";
        let seen = common_checks(exercise, candidate, &x, "masked")
            .map_err(|e| reword(e, "the input reached the network unchanged", unchanged))?;
        let pairs = seen.input.as_slice().iter().zip(x.as_slice());
        let fail = |reason: String| Err(CheckFailure::new(exercise, reason).into());
        if pairs.clone().any(|(a, b)| *a != *b && *a != 0.0) {
            return fail("every entry must be kept or set to 0: multiply x by a 0/1 mask".into());
        }
        let n = x.as_slice().len() as f64;
        let zeroed = pairs.filter(|(a, _)| **a == 0.0).count() as f64 / n;
        report.figure("fraction of entries zeroed", zeroed);
        let tolerance = 5.0 * (mask_prob * (1.0 - mask_prob) / n).sqrt();
        if (zeroed - mask_prob).abs() > tolerance {
            if (zeroed - (1.0 - mask_prob)).abs() <= tolerance {
                return fail(format!(
                    "the mask is inverted: {zeroed:.3} of the entries are zeroed; zero an entry with probability \
                     mask_prob = {mask_prob} (keep it where rand > mask_prob)"
                ));
            }
            return fail(format!(
                "{zeroed:.3} of the entries are zeroed; mask_prob = {mask_prob} of them should be"
            ));
        }
        Ok(())
    })
}

/// `e` with the check failure `from` replaced by `to` (a hint that names the
/// step's own tool).
fn reword(e: crate::ModelError, from: &str, to: &str) -> crate::ModelError {
    match e {
        crate::ModelError::Check(f) if f.reason == from => CheckFailure::new(f.exercise, to).into(),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adam::Adam;
    use crate::check::reference::{ReferenceMaskStep, ReferenceNoiseStep};
    use crate::corruption::{rand_like, randn_like};
    use rand::Rng;

    /// A step written as `f(x, rng) -> (input, target)`.
    struct Step<F>(F);

    impl<F: Fn(&Matrix, &mut ChaCha8Rng) -> (Matrix, Matrix) + Send> TrainStep for Step<F> {
        fn train_step(
            &self,
            ae: &mut Autoencoder,
            x: &Matrix,
            opt: &mut Adam,
            rng: &mut ChaCha8Rng,
        ) -> Result<f32> {
            let (input, target) = (self.0)(x, rng);
            ae.step(&input, &target, opt)
        }
    }

    fn noise_error(step: impl Fn(&Matrix, &mut ChaCha8Rng) -> (Matrix, Matrix) + Send) -> String {
        check_denoising_step(&Step(step), 0.5)
            .unwrap_err()
            .to_string()
    }

    fn mask_error(step: impl Fn(&Matrix, &mut ChaCha8Rng) -> (Matrix, Matrix) + Send) -> String {
        check_masking_step(&Step(step), 0.25)
            .unwrap_err()
            .to_string()
    }

    /// `x` plus noise of standard deviation `std`.
    fn noisy(x: &Matrix, r: &mut ChaCha8Rng, std: f32) -> Matrix {
        x.zip_map(&randn_like(x, r), |v, n| v + std * n).unwrap()
    }

    /// `x` with the entries where `keep(u)` fails zeroed, `u` uniform.
    fn masked(x: &Matrix, r: &mut ChaCha8Rng, keep: impl Fn(f32) -> bool) -> Matrix {
        x.zip_map(&rand_like(x, r), |v, u| if keep(u) { v } else { 0.0 })
            .unwrap()
    }

    #[test]
    fn the_references_and_other_correct_draws_pass() {
        check_denoising_step(&ReferenceNoiseStep { noise_std: 0.5 }, 0.5).unwrap();
        check_masking_step(&ReferenceMaskStep { mask_prob: 0.25 }, 0.25).unwrap();
        // A mask drawn the other way round: keep where u < 1 - p.
        let other = Step(|x: &Matrix, r: &mut ChaCha8Rng| (masked(x, r, |u| u < 0.75), x.clone()));
        check_masking_step(&other, 0.25).unwrap();
        // Noise drawn entry by entry with the rng directly.
        let direct = Step(|x: &Matrix, r: &mut ChaCha8Rng| {
            let n = x.map(|v| v + 0.5 * r.sample::<f32, _>(rand_distr::StandardNormal));
            (n, x.clone())
        });
        check_denoising_step(&direct, 0.5).unwrap();
    }

    #[test]
    fn wrong_noise_is_named() {
        let e = noise_error(|x, _| (x.clone(), x.clone()));
        assert!(e.contains("unchanged") && e.contains("randn_like"), "{e}");
        let e = noise_error(|x, r| {
            let n = noisy(x, r, 0.5);
            (n.clone(), n)
        });
        assert!(e.contains("clean x"), "{e}");
        let e = noise_error(|x, r| (noisy(x, r, 1.0), x.clone()));
        assert!(e.contains("standard deviation 1"), "{e}");
        let e = noise_error(|x, r| (noisy(x, r, 0.3), x.clone()));
        assert!(e.contains("not noise_std"), "{e}");
        let e = noise_error(|x, r| (noisy(x, r, 0.5).map(|v| v + 0.2), x.clone()));
        assert!(e.contains("mean"), "{e}");
        let e = noise_error(|x, _| (noisy(x, &mut ChaCha8Rng::seed_from_u64(1), 0.5), x.clone()));
        assert!(e.contains("rng you are given"), "{e}");
    }

    #[test]
    fn wrong_masks_are_named() {
        let e = mask_error(|x, _| (x.clone(), x.clone()));
        assert!(e.contains("unchanged") && e.contains("mask"), "{e}");
        let e = mask_error(|x, r| {
            let m = masked(x, r, |u| u > 0.25);
            (m.clone(), m)
        });
        assert!(e.contains("full x") || e.contains("clean x"), "{e}");
        let e = mask_error(|x, r| (masked(x, r, |u| u <= 0.25), x.clone()));
        assert!(e.contains("inverted"), "{e}");
        let e = mask_error(|x, r| (masked(x, r, |u| u > 0.5), x.clone()));
        assert!(e.contains("0.5") && e.contains("mask_prob = 0.25"), "{e}");
        let e = mask_error(|x, r| (masked(x, r, |u| u > 0.25).map(|v| 0.5 * v), x.clone()));
        assert!(e.contains("kept or set to 0"), "{e}");
    }

    #[test]
    fn a_step_that_skips_ae_step_or_its_loss_is_named() {
        struct Twice;
        impl TrainStep for Twice {
            fn train_step(
                &self,
                ae: &mut Autoencoder,
                x: &Matrix,
                opt: &mut Adam,
                _: &mut ChaCha8Rng,
            ) -> Result<f32> {
                ae.step(x, x, opt)?;
                ae.step(x, x, opt)
            }
        }
        let e = check_masking_step(&Twice, 0.25).unwrap_err().to_string();
        assert!(e.contains("2 times"), "{e}");
        struct Zero;
        impl TrainStep for Zero {
            fn train_step(
                &self,
                ae: &mut Autoencoder,
                x: &Matrix,
                opt: &mut Adam,
                r: &mut ChaCha8Rng,
            ) -> Result<f32> {
                ae.step(&noisy(x, r, 0.5), x, opt)?;
                Ok(0.0)
            }
        }
        let e = check_denoising_step(&Zero, 0.5).unwrap_err().to_string();
        assert!(e.contains("return the loss"), "{e}");
    }
}
