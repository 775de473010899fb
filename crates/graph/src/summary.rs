//! What the notebook shows of a training run: the curves of every epoch, the
//! embedding at a few epochs spread over the run, and the last predictions.
//! A [`GcnHistory`] keeps every epoch's embedding; its [`summary`] keeps
//! [`SUMMARY_FRAMES`] of them, small enough for a student release to hold the
//! reference run's as a fixture.
//!
//! [`summary`]: GcnHistory::summary

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::check::{Grid, rounded};
use crate::train::GcnHistory;

/// How many embeddings a summary keeps: the first epoch's, the last's and
/// evenly spaced ones between.
pub const SUMMARY_FRAMES: usize = 8;

/// A training run as the notebook draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct HistorySummary {
    /// Mean cross-entropy over the training nodes, one per epoch.
    pub train_losses: Vec<f64>,
    /// Mean cross-entropy over the test nodes, one per epoch.
    pub test_losses: Vec<f64>,
    /// Accuracy on the test nodes, one per epoch.
    pub accuracies: Vec<f64>,
    /// `(epoch, embedding)` at up to [`SUMMARY_FRAMES`] epochs, in order, the
    /// first and the last included. Each (nodes, hidden).
    pub frames: Vec<(usize, DMatrix<f64>)>,
    /// The class probabilities of the last epoch, if any epoch ran. (nodes, classes).
    pub last_prediction: Option<DMatrix<f64>>,
}

impl HistorySummary {
    /// Number of epochs run.
    pub fn epochs(&self) -> usize {
        self.train_losses.len()
    }

    /// The last epoch's (train loss, test loss, accuracy), if any epoch ran.
    pub fn last(&self) -> Option<(f64, f64, f64)> {
        let i = self.epochs().checked_sub(1)?;
        Some((
            self.train_losses[i],
            self.test_losses[i],
            self.accuracies[i],
        ))
    }

    /// The last epoch's embedding, if any epoch ran. (nodes, hidden).
    pub fn last_embedding(&self) -> Option<&DMatrix<f64>> {
        self.frames.last().map(|(_, m)| m)
    }
}

impl GcnHistory {
    /// The run as the notebook draws it: every epoch's losses and accuracy,
    /// [`SUMMARY_FRAMES`] embeddings and the last predictions.
    pub fn summary(&self) -> HistorySummary {
        let last = self.epochs().saturating_sub(1);
        let mut moments: Vec<usize> = (0..SUMMARY_FRAMES)
            .map(|k| k * last / (SUMMARY_FRAMES - 1))
            .collect();
        moments.dedup();
        HistorySummary {
            train_losses: self.train_losses.clone(),
            test_losses: self.test_losses.clone(),
            accuracies: self.accuracies.clone(),
            frames: moments
                .into_iter()
                .filter_map(|e| Some((e, self.embeddings.get(e)?.clone())))
                .collect(),
            last_prediction: self.predictions.last().cloned(),
        }
    }
}

/// A summary as a fixture records it, every number rounded to 6
/// significant digits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RecordedSummary {
    train_losses: Vec<f64>,
    test_losses: Vec<f64>,
    accuracies: Vec<f64>,
    frames: Vec<(usize, Grid)>,
    last_prediction: Option<Grid>,
}

impl From<&HistorySummary> for RecordedSummary {
    fn from(s: &HistorySummary) -> Self {
        let grid = |m: &DMatrix<f64>| Grid::from(m).rounded();
        Self {
            train_losses: rounded(&s.train_losses),
            test_losses: rounded(&s.test_losses),
            accuracies: rounded(&s.accuracies),
            frames: s.frames.iter().map(|(e, m)| (*e, grid(m))).collect(),
            last_prediction: s.last_prediction.as_ref().map(grid),
        }
    }
}

impl RecordedSummary {
    /// The summary.
    pub(crate) fn summary(&self) -> HistorySummary {
        HistorySummary {
            train_losses: self.train_losses.clone(),
            test_losses: self.test_losses.clone(),
            accuracies: self.accuracies.clone(),
            frames: self.frames.iter().map(|(e, g)| (*e, g.matrix())).collect(),
            last_prediction: self.last_prediction.as_ref().map(Grid::matrix),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(epochs: usize) -> GcnHistory {
        let mut h = GcnHistory::default();
        for e in 0..epochs {
            let m = DMatrix::from_element(3, 2, e as f64);
            h.push_epoch(1.0 / (e + 1) as f64, 0.5, 0.1 * e as f64, m.clone(), m)
                .unwrap();
        }
        h
    }

    #[test]
    fn a_summary_keeps_the_curves_and_frames_from_first_to_last() {
        let s = history(30).summary();
        assert_eq!(s.epochs(), 30);
        let epochs: Vec<usize> = s.frames.iter().map(|(e, _)| *e).collect();
        assert_eq!(epochs, vec![0, 4, 8, 12, 16, 20, 24, 29]);
        assert_eq!(s.last_embedding().unwrap()[(0, 0)], 29.0);
        assert_eq!(s.last(), Some((1.0 / 30.0, 0.5, 0.1 * 29.0)));
        let few = history(3).summary();
        assert_eq!(few.frames.len(), 3);
        let none = GcnHistory::default().summary();
        assert!(none.frames.is_empty() && none.last_prediction.is_none());
    }

    #[test]
    fn a_recorded_summary_keeps_6_digits() {
        let s = history(10).summary();
        let back = RecordedSummary::from(&s).summary();
        assert_eq!(back.epochs(), 10);
        assert_eq!(back.frames.len(), s.frames.len());
        let (a, b) = (s.last().unwrap(), back.last().unwrap());
        assert!((a.0 - b.0).abs() < 1e-6 * a.0 && (a.2 - b.2).abs() < 1e-6 * a.2);
    }
}
