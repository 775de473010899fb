//! Q8: the training loop.

use hw6_exercise::{CheckReport, checked};
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::agree;
use crate::error::{GraphError, Result};
use crate::network::GcnNetwork;
use crate::optim::GradientDescent;
use crate::train::{DEFAULT_WARMUP, GcnHistory, GcnTrainConfig, NodeTask, train_gcn};
use crate::zkc::ZKC_DEFAULT_SEED;

const TRAINING: &str = "Q8 (training loop)";

/// One run the loop is checked on.
struct Run {
    name: &'static str,
    config: GcnTrainConfig,
    hidden: Vec<usize>,
    seed: u64,
}

/// A short run cut by `max_epochs`, and the homework's run, which ends by
/// early stopping after its warm-up.
fn runs() -> [Run; 2] {
    [
        Run {
            name: "run to max_epochs",
            config: GcnTrainConfig {
                max_epochs: 60,
                patience: 1000,
                warmup: 0,
                log_every: 0,
            },
            hidden: vec![4, 2],
            seed: 11,
        },
        Run {
            name: "early stopping",
            config: GcnTrainConfig {
                max_epochs: 5000,
                patience: 50,
                warmup: DEFAULT_WARMUP,
                log_every: 0,
            },
            hidden: vec![16, 2],
            seed: ZKC_DEFAULT_SEED,
        },
    ]
}

/// Q8: a training loop with the signature of [`train_gcn`] must record the
/// same history as it, for a run that ends by early stopping and one that
/// ends at `max_epochs`. Progress lines are turned off (`log_every = 0`).
pub fn check_training(
    task: &NodeTask,
    mut train: impl FnMut(
        &mut GcnNetwork,
        &mut GradientDescent,
        &NodeTask,
        &GcnTrainConfig,
    ) -> Result<GcnHistory>,
) -> Result<CheckReport> {
    checked(TRAINING, |report| {
        for run in runs() {
            let mut rng = ChaCha8Rng::seed_from_u64(run.seed);
            let (n_in, classes) = (task.x.ncols(), task.labels.ncols());
            let start = GcnNetwork::new(n_in, classes, &run.hidden, &mut rng)?;
            let (mut net_mine, mut net_ref) = (start.clone(), start);
            let mut optim_mine = GradientDescent::new(2e-2, 2.5e-2)?;
            let mut optim_ref = optim_mine.clone();
            let mine = train(&mut net_mine, &mut optim_mine, task, &run.config)?;
            let reference = train_gcn(&mut net_ref, &mut optim_ref, task, &run.config)?;
            histories_agree(report, run.name, &mine, &reference)?;
            agree(
                report,
                &format!("{}: weights after training", run.name),
                &net_mine.softmax.w,
                &net_ref.softmax.w,
            )?;
        }
        Ok(())
    })
}

/// The same number of epochs, losses, accuracies and last embedding.
fn histories_agree(
    report: &mut CheckReport,
    name: &str,
    mine: &GcnHistory,
    reference: &GcnHistory,
) -> Result<()> {
    if mine.epochs() != reference.epochs() {
        return Err(GraphError::check(
            TRAINING,
            format!(
                "{name}: the loop ran {} epochs, the reference {}; stop when, from epoch `warmup` on, the test loss has not improved for more than `patience` epochs",
                mine.epochs(),
                reference.epochs()
            ),
        ));
    }
    report.figure(format!("{name}: epochs"), mine.epochs() as f64);
    let series = |h: &GcnHistory| {
        DMatrix::from_fn(h.epochs(), 3, |i, j| {
            [h.train_losses[i], h.test_losses[i], h.accuracies[i]][j]
        })
    };
    agree(
        report,
        &format!("{name}: train loss, test loss, accuracy"),
        &series(mine),
        &series(reference),
    )?;
    if mine.embeddings.len() != reference.embeddings.len()
        || mine.predictions.len() != reference.predictions.len()
    {
        return Err(GraphError::check(
            TRAINING,
            format!("{name}: record one embedding and one prediction per epoch"),
        ));
    }
    if let (Some(e_mine), Some(e_ref)) = (mine.embeddings.last(), reference.embeddings.last()) {
        agree(report, &format!("{name}: last embedding"), e_mine, e_ref)?;
    }
    Ok(())
}
