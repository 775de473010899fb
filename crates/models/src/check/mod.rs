//! The notebook's exercises, the original's seven TODOs: the forward pass
//! (checked against the reference's output on a fixed network and batch),
//! the noise of the denoising train step and the mask of the masked one
//! (checked by what they feed the network, `steps.rs`), and each section's
//! architecture (`architecture.rs`). A notebook cell implements one of the
//! traits or functions below and the checker after it says what is wrong,
//! if anything. The reference answers and [`check_reference`], which runs
//! every check on them, are in `reference.rs`.
//!
//! ```
//! use hw6_models::prelude::*;
//! /// Returns its input: not a reconstruction by the network.
//! struct Copy;
//! impl ForwardPass for Copy {
//!     fn forward(&self, _: &Autoencoder, x: &Matrix) -> Result<Matrix, ModelError> {
//!         Ok(x.clone())
//!     }
//! }
//! let e = check_forward(&Copy).unwrap_err().to_string();
//! assert!(e.contains("forward pass"), "{e}");
//! ```

mod architecture;
mod reference;
mod steps;

pub use architecture::{
    Architecture, architecture_is_written, check_architecture, with_architecture,
};
pub(crate) use reference::ReferenceForward;
pub use reference::check_reference;
pub use steps::{check_denoising_step, check_masking_step};

use crate::adam::Adam;
use crate::autoencoder::Autoencoder;
use crate::config::{Activation, AutoencoderConfig};
use crate::error::Result;
use hw6_exercise::{CheckFailure, CheckReport, checked, expected};
use hw6_linalg::{Matrix, max_abs_diff};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The autoencoder's forward pass `x -> x_hat` (the original's first TODO).
/// Once written it also computes the per-epoch losses of the notebook's
/// experiments (see [`crate::with_forward`]), so it is `Send + Sync`.
pub trait ForwardPass: Send + Sync {
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

pub(crate) fn test_batch(rows: usize, cols: usize, seed: u64) -> Matrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Matrix::from_fn(rows, cols, |_, _| rng.random_range(-2.0f32..2.0))
}

/// A small network with two ReLU hidden layers (`12 -> 8 -> 3`), where
/// forgetting the decoder, or applying the layers in another order, shows.
pub(crate) fn small_relu_network() -> Result<Autoencoder> {
    Autoencoder::new(&AutoencoderConfig::new(12, vec![8, 3], Activation::ReLU).with_seed(11))
}

/// A network with one hidden layer (`12 -> 4`) for the written-yet probes.
fn small_network() -> Result<Autoencoder> {
    Autoencoder::new(&AutoencoderConfig::new(12, vec![4], Activation::Identity).with_seed(21))
}

/// Compares a forward pass with the reference's output (fixture
/// `models.forward.x_hat`, `(rows, cols, entries)`) on a batch of 5 rows
/// through [`small_relu_network`].
pub fn check_forward(candidate: &impl ForwardPass) -> Result<CheckReport> {
    let exercise = "forward pass";
    checked(exercise, |report| {
        let ae = small_relu_network()?;
        let x = test_batch(5, 12, 12);
        let got = candidate.forward(&ae, &x)?;
        let (rows, cols, entries): (usize, usize, Vec<f32>) =
            expected("models.forward.x_hat", || {
                let x_hat = ReferenceForward.forward(&small_relu_network()?, &x)?;
                Ok::<_, crate::ModelError>((x_hat.rows(), x_hat.cols(), x_hat.into_vec()))
            })?;
        let want = Matrix::from_vec(rows, cols, entries)?;
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
                "your output differs from the expected reconstruction by up to {diff:.3e}: encode x to z, then decode z"
            ));
        }
        report.figure(
            "max |difference| from the expected reconstruction",
            diff as f64,
        );
        Ok(())
    })
}

/// Whether a notebook's train step is written: it runs on a small batch
/// without reaching a `todo!()` (it may still be wrong; its check says so).
/// The notebook leaves a model out of its sweeps until its step is written.
pub fn is_written(step: &impl TrainStep) -> bool {
    !hw6_exercise::reaches_todo(|| {
        let mut ae = small_network()?;
        let mut opt = ae.optimizer(1e-2)?;
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        step.train_step(&mut ae, &test_batch(6, 12, 22), &mut opt, &mut rng)
    })
}

/// Whether a notebook's forward pass is written (see [`is_written`]).
pub fn forward_is_written(forward: &impl ForwardPass) -> bool {
    !hw6_exercise::reaches_todo(|| {
        let ae = small_network()?;
        forward.forward(&ae, &test_batch(6, 12, 22))
    })
}

#[cfg(test)]
mod tests {
    use super::reference::{ReferenceMaskStep, ReferenceNoiseStep};
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
