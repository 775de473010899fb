//! Evaluating an epoch's losses on the second core while the next epoch
//! trains on the first.
//!
//! A small network's products are too small to share between two threads
//! (handing over costs more than it saves), so instead each core does one
//! of two jobs: training epoch `e + 1` on one thread, and the train and
//! validation losses of epoch `e` (from a copy of the weights) on the other.
//! The numbers are the same as evaluating in between; only the time differs.

use crate::autoencoder::Autoencoder;
use crate::error::{ModelError, Result};
use hw6_linalg::{num_threads, single_threaded};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::Instant;

/// Networks whose every train-step product (`batch x in x out`) is below
/// this many multiply-adds overlap training with evaluation: the nonlinear
/// synthetic network's largest at batch 100 (`100 x 256 x 100`) is below, a
/// `100 x 256 x 1000` one above.
pub const OVERLAP_MAX_MACS: usize = 1 << 22;

/// Whether to evaluate on a second thread while the next epoch trains on
/// one: when there is a second core and every product of a train step is
/// below [`OVERLAP_MAX_MACS`].
pub fn overlap_evaluation(net: &Autoencoder, batch_size: usize) -> bool {
    let macs = |d: &crate::layer::Dense| batch_size * d.fan_in() * d.fan_out();
    let largest = net.layers().iter().map(macs).max().unwrap_or(0);
    num_threads() > 1 && largest < OVERLAP_MAX_MACS
}

/// An epoch's train and validation losses, and when they were ready.
pub(crate) struct Losses {
    pub train: f32,
    pub valid: f32,
    /// Floating-point operations spent.
    pub flops: f64,
    pub done: Instant,
}

type Job<'scope> = ScopedJoinHandle<'scope, Result<Losses>>;

/// Runs the epochs' trainings and evaluations: with `overlap`, training on
/// this thread alone and each evaluation on a second thread, ready one epoch
/// later; without, training on all threads and each evaluation right after
/// its epoch. `T` says which epoch an evaluation belongs to.
pub(crate) struct Pipeline<'scope, 'env, T> {
    scope: &'scope Scope<'scope, 'env>,
    overlap: bool,
    pending: Option<(T, Job<'scope>)>,
}

impl<'scope, 'env, T> Pipeline<'scope, 'env, T> {
    pub fn new(scope: &'scope Scope<'scope, 'env>, overlap: bool) -> Self {
        Self {
            scope,
            overlap,
            pending: None,
        }
    }

    /// Runs one epoch's training.
    pub fn train<R: Send>(&self, epoch: impl FnOnce() -> R + Send) -> R {
        if self.overlap {
            single_threaded(epoch)
        } else {
            // On a worker of rayon's pool, so that the products it shares
            // out hand half to the other worker directly.
            rayon::scope(|_| epoch())
        }
    }

    /// Starts evaluating an epoch; returns the evaluations that are ready,
    /// oldest first.
    pub fn evaluate(
        &mut self,
        tag: T,
        job: impl FnOnce() -> Result<Losses> + Send + 'scope,
    ) -> Result<Vec<(T, Losses)>> {
        let mut ready: Vec<(T, Losses)> = self.finish()?.into_iter().collect();
        let handle = if self.overlap {
            self.scope.spawn(move || single_threaded(job))
        } else {
            self.scope.spawn(job)
        };
        self.pending = Some((tag, handle));
        if !self.overlap {
            ready.extend(self.finish()?);
        }
        Ok(ready)
    }

    /// Waits for the evaluation still running, if any.
    pub fn finish(&mut self) -> Result<Option<(T, Losses)>> {
        let Some((tag, handle)) = self.pending.take() else {
            return Ok(None);
        };
        let losses = (handle.join())
            .map_err(|_| ModelError::Numeric("the loss evaluation thread panicked".into()))??;
        Ok(Some((tag, losses)))
    }
}
