//! What training and the probe report.

use serde::Serialize;

/// Losses and time of one epoch.
#[derive(Clone, Debug, Serialize)]
pub struct EpochStats {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Of how many in this call to `train`.
    pub of: usize,
    /// Mean squared error over the training split after the epoch.
    pub train_loss: f32,
    /// Mean squared error over the validation split after the epoch.
    pub valid_loss: f32,
    /// Wall seconds of the epoch, train steps and loss evaluation.
    pub seconds: f64,
    /// Wall seconds of the train steps alone.
    pub step_seconds: f64,
}

/// What `train` returns (the original's `train_losses` / `valid_losses`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct TrainStats {
    /// Training-split loss after each epoch.
    pub train_losses: Vec<f32>,
    /// Validation-split loss after each epoch.
    pub valid_losses: Vec<f32>,
    /// Wall seconds in all.
    pub seconds: f64,
    /// Wall seconds of train steps only.
    pub step_seconds: f64,
    /// Train steps taken.
    pub steps: usize,
    /// Floating-point operations of the train steps and the loss evaluations.
    pub flops: f64,
    /// Floating-point operations of the train steps alone.
    pub step_flops: f64,
    /// GFLOP/s of each epoch's train steps (for benchmarks: the fastest
    /// epoch is the least disturbed by other work on the machine).
    pub epoch_step_gflops: Vec<f64>,
}

impl TrainStats {
    /// Records an epoch's train steps: `steps` of them over `samples` rows,
    /// `flops_per_sample` each, in `seconds`.
    pub(crate) fn add_steps(
        &mut self,
        steps: usize,
        samples: f64,
        flops_per_sample: f64,
        seconds: f64,
    ) {
        let flops = samples * flops_per_sample;
        self.steps += steps;
        self.step_flops += flops;
        self.flops += flops;
        self.step_seconds += seconds;
        self.epoch_step_gflops
            .push(flops / seconds.max(1e-12) / 1e9);
    }
}

/// What the probe evaluation returns.
#[derive(Clone, Debug, Serialize)]
pub struct ProbeStats {
    /// Fraction of the test split classified correctly.
    pub accuracy: f64,
    /// Mean cross-entropy of the probe's last epoch.
    pub final_loss: f32,
    /// Epochs the probe trained (more than asked when the labelled subset
    /// is small: [`crate::ProbeConfig::min_steps`]).
    pub epochs: usize,
    /// Adam steps the probe took.
    pub steps: usize,
    /// Wall seconds (feature extraction, probe training, test accuracy).
    pub seconds: f64,
}
