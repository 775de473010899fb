//! The model being decoded, seen only through its step function: given a
//! prefix `y_1..y_t`, the log-probabilities `log p(y_{t+1} = w | prefix)` of
//! every vocabulary token `w`.

use crate::error::{DecodeError, Result};

/// A vocabulary index.
pub type Token = usize;

/// An autoregressive model as the searches see it.
pub trait StepModel {
    /// Vocabulary size `M`.
    fn vocab_size(&self) -> usize;

    /// Next-token log-probabilities after `prefix`.
    ///
    /// # Shapes
    /// `prefix: (t,)` tokens -> `(M,)` log-probabilities.
    fn next_log_probs(&mut self, prefix: &[Token]) -> Result<Vec<f64>>;
}

/// A closure `prefix -> log-probs` as a [`StepModel`].
#[derive(Debug, Clone)]
pub struct StepFn<F> {
    vocab_size: usize,
    f: F,
}

impl<F: FnMut(&[Token]) -> Vec<f64>> StepFn<F> {
    /// Wraps `f`, which must return `vocab_size` log-probabilities.
    pub fn new(vocab_size: usize, f: F) -> Self {
        Self { vocab_size, f }
    }
}

impl<F: FnMut(&[Token]) -> Vec<f64>> StepModel for StepFn<F> {
    fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    fn next_log_probs(&mut self, prefix: &[Token]) -> Result<Vec<f64>> {
        Ok((self.f)(prefix))
    }
}

/// Calls the model and checks its answer: `M` entries, each `<= 0` (a
/// rounding slack of `1e-9` is allowed) and not NaN; `-inf` is a token that
/// cannot follow.
pub(crate) fn checked_step(model: &mut impl StepModel, prefix: &[Token]) -> Result<Vec<f64>> {
    let m = model.vocab_size();
    let lp = model.next_log_probs(prefix)?;
    let bad = |reason: String| DecodeError::BadStep {
        prefix: prefix.to_vec(),
        reason,
    };
    if lp.len() != m {
        return Err(bad(format!("{} values for a vocabulary of {m}", lp.len())));
    }
    if let Some(w) = lp.iter().position(|x| x.is_nan() || *x > 1e-9) {
        return Err(bad(format!("token {w} has log-probability {}", lp[w])));
    }
    Ok(lp)
}
