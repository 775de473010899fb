//! The notebook's exercises: the original leaves three TODOs in the
//! autoencoder classes (the forward pass, the noise of the denoising train
//! step, the mask of the masked train step). A notebook cell implements one
//! of the traits below; a checker compares it with the crate's reference.
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

use crate::adam::Adam;
use crate::autoencoder::Autoencoder;
use crate::config::{AutoencoderConfig, ModelKind};
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

fn test_batch(rows: usize, cols: usize, seed: u64) -> Matrix {
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

/// Runs `step` once from a fixed state and seed; returns the loss and the new weights.
fn run_step(step: &dyn TrainStep, seed_rng: u64) -> Result<(f32, Autoencoder)> {
    let mut ae = Autoencoder::new(&AutoencoderConfig::linear(12, 4).with_seed(21))?;
    let mut opt = ae.optimizer(1e-2)?;
    let x = test_batch(6, 12, 22);
    let mut rng = ChaCha8Rng::seed_from_u64(seed_rng);
    let loss = step.train_step(&mut ae, &x, &mut opt, &mut rng)?;
    Ok((loss, ae))
}

fn same_state(a: &(f32, Autoencoder), b: &(f32, Autoencoder)) -> bool {
    let close = |x: &f32, y: &f32| (x - y).abs() <= 1e-5 * (1.0 + y.abs());
    let all_close = |p: &[f32], q: &[f32]| p.iter().zip(q).all(|(x, y)| close(x, y));
    close(&a.0, &b.0)
        && a.1.layers().iter().zip(b.1.layers()).all(|(p, q)| {
            all_close(p.weight.as_slice(), q.weight.as_slice()) && all_close(&p.bias, &q.bias)
        })
}

/// A known-wrong train step: feeds `(input, target) = f(x, rng)` to `ae.step`.
struct KnownMistake<F>(F);

impl<F> TrainStep for KnownMistake<F>
where
    F: Fn(&Matrix, &mut ChaCha8Rng) -> Result<(Matrix, Matrix)> + Send,
{
    fn train_step(
        &self,
        ae: &mut Autoencoder,
        x: &Matrix,
        opt: &mut Adam,
        rng: &mut ChaCha8Rng,
    ) -> Result<f32> {
        let (input, target) = (self.0)(x, rng)?;
        ae.step(&input, &target, opt)
    }
}

/// Passes when `candidate` ends in the reference's state after one step;
/// otherwise names the first known mistake whose state it matches.
fn diagnose(
    exercise: &str,
    candidate: &dyn TrainStep,
    reference: &dyn TrainStep,
    mistakes: &[(&str, &dyn TrainStep)],
) -> Result<CheckReport> {
    checked(exercise, |report| {
        let got = run_step(candidate, 33)?;
        let want = run_step(reference, 33)?;
        if same_state(&got, &want) {
            report.figure("loss after one step (same as the reference)", got.0 as f64);
            return Ok(());
        }
        for (hint, mistake) in mistakes {
            if same_state(&got, &run_step(*mistake, 33)?) {
                return Err(CheckFailure::new(exercise, *hint).into());
            }
        }
        let reason = format!(
            "after one step the loss is {:.6} (reference {:.6}) or the weights differ: draw the randomness once \
             with the given rng, shaped like x, feed the corrupted input and use the clean x as target",
            got.0, want.0
        );
        Err(CheckFailure::new(exercise, reason).into())
    })
}

/// Compare a denoising train step with the reference (`noise_std` as given).
pub fn check_denoising_step(candidate: &impl TrainStep, noise_std: f64) -> Result<CheckReport> {
    ModelKind::Denoising { noise_std }.check()?;
    let std = noise_std as f32;
    let reference = ReferenceNoiseStep { noise_std };
    let no_noise = KnownMistake(|x: &Matrix, _: &mut ChaCha8Rng| Ok((x.clone(), x.clone())));
    let noisy_target = KnownMistake(move |x: &Matrix, r: &mut ChaCha8Rng| {
        let n = x.zip_map(&randn_like(x, r), |v, n| v + n * std)?;
        Ok((n.clone(), n))
    });
    let unscaled = KnownMistake(|x: &Matrix, r: &mut ChaCha8Rng| {
        Ok((x.zip_map(&randn_like(x, r), |v, n| v + n)?, x.clone()))
    });
    diagnose(
        "denoising train step",
        candidate,
        &reference,
        &[
            (
                "the input reached the network unchanged: add noise_std * randn_like(x, rng) to x",
                &no_noise,
            ),
            (
                "the loss compares with the noisy input: the target must be the clean x",
                &noisy_target,
            ),
            (
                "the noise has standard deviation 1: multiply it by noise_std",
                &unscaled,
            ),
        ],
    )
}

/// Compare a masking train step with the reference (`mask_prob` as given).
pub fn check_masking_step(candidate: &impl TrainStep, mask_prob: f64) -> Result<CheckReport> {
    ModelKind::Masked { mask_prob }.check()?;
    let p = mask_prob as f32;
    let reference = ReferenceMaskStep { mask_prob };
    let no_mask = KnownMistake(|x: &Matrix, _: &mut ChaCha8Rng| Ok((x.clone(), x.clone())));
    let masked_target = KnownMistake(move |x: &Matrix, r: &mut ChaCha8Rng| {
        let m = x.zip_map(&rand_like(x, r), |v, u| if u > p { v } else { 0.0 })?;
        Ok((m.clone(), m))
    });
    let inverted = KnownMistake(move |x: &Matrix, r: &mut ChaCha8Rng| {
        Ok((
            x.zip_map(&rand_like(x, r), |v, u| if u <= p { v } else { 0.0 })?,
            x.clone(),
        ))
    });
    diagnose(
        "masking train step",
        candidate,
        &reference,
        &[
            (
                "the input reached the network unchanged: multiply x by a 0/1 mask",
                &no_mask,
            ),
            (
                "the loss compares with the masked input: the target must be the full x",
                &masked_target,
            ),
            (
                "the mask is inverted: an entry must be zeroed with probability mask_prob (keep it where rand > mask_prob)",
                &inverted,
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
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
            let mut model: Box<dyn AutoencoderModel> = build_model(kind, &cfg).unwrap();
            let mut opt = model.network().optimizer(1e-2).unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(33);
            let loss = model
                .train_step(&test_batch(6, 12, 22), &mut opt, &mut rng)
                .unwrap();
            let by_step = run_step(step, 33).unwrap();
            assert_eq!(loss, by_step.0, "{kind:?}");
            assert_eq!(model.network().layers(), by_step.1.layers(), "{kind:?}");
        }
    }

    #[test]
    fn checkers_accept_the_reference_and_name_the_mistake() {
        check_forward(&ReferenceForward).unwrap();
        check_denoising_step(&ReferenceNoiseStep { noise_std: 0.5 }, 0.5).unwrap();
        check_masking_step(&ReferenceMaskStep { mask_prob: 0.25 }, 0.25).unwrap();

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

        struct Vanilla;
        impl TrainStep for Vanilla {
            fn train_step(
                &self,
                ae: &mut Autoencoder,
                x: &Matrix,
                opt: &mut Adam,
                _: &mut ChaCha8Rng,
            ) -> Result<f32> {
                ae.step(x, x, opt)
            }
        }
        let e = check_denoising_step(&Vanilla, 0.5).unwrap_err().to_string();
        assert!(e.contains("unchanged"), "{e}");
        let e = check_masking_step(&Vanilla, 0.25).unwrap_err().to_string();
        assert!(e.contains("unchanged"), "{e}");

        struct NoisyTarget;
        impl TrainStep for NoisyTarget {
            fn train_step(
                &self,
                ae: &mut Autoencoder,
                x: &Matrix,
                opt: &mut Adam,
                r: &mut ChaCha8Rng,
            ) -> Result<f32> {
                let n = x.zip_map(&randn_like(x, r), |v, n| v + 0.5 * n)?;
                ae.step(&n, &n, opt)
            }
        }
        let e = check_denoising_step(&NoisyTarget, 0.5)
            .unwrap_err()
            .to_string();
        assert!(e.contains("clean x"), "{e}");
    }
}
