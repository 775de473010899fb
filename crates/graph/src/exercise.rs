//! Checkers for the notebook's exercises: each compares a notebook's own
//! implementation with the crate's reference and returns the figures it
//! compared, or an error that says what differs (a `todo!()` in the
//! notebook's code fails the check instead of panicking; see `hw6_exercise`).
//!
//! | exercise | the notebook writes | checker |
//! |---|---|---|
//! | Q1 | a function for A~ = A + I | [`check_a_tilde`] |
//! | Q2 | a function for D~^-1/2 A~ D~^-1/2 | [`check_sym_norm`] |
//! | Q3 | a function for X = I | [`check_features`] |
//! | Q4 | a type implementing [`GraphConvolution`] | [`check_gcn_layer`] |
//! | Q6, Q7 | a type implementing [`NodeClassifier`] | [`check_network`] |
//! | Q8 | a training loop with [`train_gcn`]'s signature | [`check_training`] |
//!
//! Q5 (the forward passes of the gradient test) is checked by
//! [`check_gradients`](crate::gradcheck::check_gradients) itself.

use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use hw6_exercise::{CheckReport, run_check};

use crate::error::{GraphError, Result, dims};
use crate::gcn::{GcnLayer, GraphConvolution};
use crate::gradcheck::{GRAD_CHECK_TOLERANCE, check_gradients};
use crate::network::{GcnNetwork, NodeClassifier};
use crate::normalize::{add_self_loops, sym_normalize};
use crate::optim::GradientDescent;
use crate::softmax::SoftmaxLayer;
use crate::train::{GcnHistory, GcnTrainConfig, NodeTask, train_gcn};

/// Largest difference allowed between a notebook's result and the reference
/// (both compute the same formulas in f64; only the order of operations may
/// differ).
const AGREEMENT: f64 = 1e-9;

/// A boxed network is a network, so a notebook can hold its own network or
/// the reference [`GcnNetwork`] in one `Box<dyn NodeClassifier>` and train
/// either (see [`implementation_to_use`](hw6_exercise::implementation_to_use)).
impl<M: NodeClassifier + ?Sized> NodeClassifier for Box<M> {
    fn embedding(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        (**self).embedding(a_hat, x)
    }
    fn forward_pass(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
        (**self).forward_pass(a_hat, x)
    }
    fn backward(&mut self, optim: &mut GradientDescent, update: bool) -> Result<()> {
        (**self).backward(optim, update)
    }
}

/// Records `|got - want|_max` under `what`, or fails if it exceeds `AGREEMENT`.
fn agree(
    report: &mut CheckReport,
    what: &str,
    got: &DMatrix<f64>,
    want: &DMatrix<f64>,
) -> Result<()> {
    if got.shape() != want.shape() {
        return Err(GraphError::check(
            &report.exercise,
            format!("{what} has shape {}, expected {}", dims(got), dims(want)),
        ));
    }
    let diff = (got - want).abs().max();
    if diff.is_nan() || diff > AGREEMENT {
        return Err(GraphError::check(
            &report.exercise,
            format!(
                "{what} differs from the reference by up to {diff:.3e} (allowed {AGREEMENT:.0e})"
            ),
        ));
    }
    report.figure(format!("{what}: max |difference|"), diff);
    Ok(())
}

/// Runs a check through [`run_check`]: a panic in the notebook's code (a
/// `todo!()`) fails it with a [`GraphError::CheckFailed`].
fn checked(
    exercise: &str,
    body: impl FnOnce(&mut CheckReport) -> Result<()>,
) -> Result<CheckReport> {
    run_check(exercise, |panic| GraphError::check(exercise, panic), body)
}

fn random_matrix(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> DMatrix<f64> {
    let values: Vec<f64> = (0..rows * cols)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    DMatrix::from_row_slice(rows, cols, &values)
}

fn one_hot_pattern(n: usize, classes: usize) -> DMatrix<f64> {
    DMatrix::from_fn(n, classes, |i, j| {
        if (i * 7 + 3) % classes == j { 1.0 } else { 0.0 }
    })
}

/// Q1: `a_tilde(a)` must equal `a + I`.
///
/// # Shapes
/// `a`: (n, n) -> (n, n).
pub fn check_a_tilde(
    a: &DMatrix<f64>,
    a_tilde: impl Fn(&DMatrix<f64>) -> DMatrix<f64>,
) -> Result<CheckReport> {
    checked("Q1 (A~ = A + I)", |report| {
        agree(report, "A~", &a_tilde(a), &add_self_loops(a)?)
    })
}

/// Q2: `sym_norm(A~)` must equal D~^-1/2 A~ D~^-1/2, for the given `a_tilde`
/// and for a small weighted graph.
pub fn check_sym_norm(
    a_tilde: &DMatrix<f64>,
    sym_norm: impl Fn(&DMatrix<f64>) -> DMatrix<f64>,
) -> Result<CheckReport> {
    checked("Q2 (symmetric normalisation)", |report| {
        agree(
            report,
            "Â of the given A~",
            &sym_norm(a_tilde),
            &sym_normalize(a_tilde)?,
        )?;
        let weighted =
            DMatrix::from_row_slice(3, 3, &[1.0, 2.0, 0.0, 2.0, 1.0, 5.0, 0.0, 5.0, 1.0]);
        agree(
            report,
            "Â of a weighted 3-node graph",
            &sym_norm(&weighted),
            &sym_normalize(&weighted)?,
        )
    })
}

/// Q3: `features(n)` must be the (n, n) identity.
pub fn check_features(features: impl Fn(usize) -> DMatrix<f64>, n: usize) -> Result<CheckReport> {
    checked("Q3 (X = I)", |report| {
        agree(report, "X", &features(n), &DMatrix::identity(n, n))
    })
}

/// Q4: a GCN layer type, built by `make(n_in, n_out, rng)`.
///
/// Checks that the initial W has shape (n_out, n_in) and lies in
/// [-b, b] with b = sqrt(5 / (n_in + n_out)); then gives the layer the
/// reference's W and compares the forward output, the weight gradient, the
/// gradient passed on and the updated W with [`GcnLayer`]'s; finally runs the
/// gradient check on a network of one and of two of these layers.
/// `a_hat` is the graph to run on (the club's Â).
pub fn check_gcn_layer<L: GraphConvolution + Clone>(
    a_hat: &DMatrix<f64>,
    mut make: impl FnMut(usize, usize, &mut ChaCha8Rng) -> L,
) -> Result<CheckReport> {
    let exercise = "Q4 (GCN layer)";
    let n = a_hat.nrows();
    checked(exercise, |report| {
        let mut rng = ChaCha8Rng::seed_from_u64(182);
        let (n_in, n_out) = (5, 3);

        let mut mine = make(n_in, n_out, &mut rng);
        let w = mine.weight();
        if w.shape() != (n_out, n_in) {
            return Err(GraphError::check(
                exercise,
                format!(
                    "W has shape {}, expected (n_out, n_in) = ({n_out}, {n_in})",
                    dims(w)
                ),
            ));
        }
        let bound = (5.0 / (n_in + n_out) as f64).sqrt();
        if w.iter().any(|v| v.abs() > bound) || w.iter().all(|v| *v == 0.0) {
            return Err(GraphError::check(
                exercise,
                format!(
                    "initialise W uniformly on [-b, b], b = sqrt(5 / (n_in + n_out)) = {bound:.4} (glorot_init)"
                ),
            ));
        }
        let mut reference = GcnLayer::new(n_in, n_out, &mut rng)?;
        *mine.weight_mut() = reference.w.clone();

        let x = random_matrix(n, n_in, &mut rng);
        let h_mine = mine.forward(a_hat, &x)?;
        let h_ref = reference.forward(a_hat, &x)?;
        agree(report, "forward H", &h_mine, &h_ref)?;

        let mut optim_ref = GradientDescent::new(0.1, 0.3)?;
        let zeros = DMatrix::zeros(n, 2);
        optim_ref.set_targets(&zeros, &zeros, Some(&(0..n).step_by(2).collect::<Vec<_>>()))?;
        optim_ref.output = random_matrix(n, n_out, &mut rng);
        let mut optim_mine = optim_ref.clone();
        let dw_mine = mine.backward(&mut optim_mine, true)?;
        let dw_ref = reference.backward(&mut optim_ref, true)?;
        agree(report, "dW (with weight decay)", &dw_mine, &dw_ref)?;
        agree(
            report,
            "gradient passed on (optim.output)",
            &optim_mine.output,
            &optim_ref.output,
        )?;
        agree(report, "W after the update", mine.weight(), &reference.w)?;

        let labels = one_hot_pattern(n, 2);
        let features = DMatrix::identity(n, n);
        let one = GcnNetwork {
            gcn_layers: vec![make(n, 2, &mut rng)],
            softmax: SoftmaxLayer::new(2, 2, &mut rng)?,
        };
        let two = GcnNetwork {
            gcn_layers: vec![make(n, 4, &mut rng), make(4, 2, &mut rng)],
            softmax: SoftmaxLayer::new(2, 2, &mut rng)?,
        };
        for (name, net) in [("one layer", one), ("two layers", two)] {
            let gradients = check_gradients(&net, a_hat, &features, &labels, None, 1.0)?;
            for c in &gradients.checks {
                if !c.passed() {
                    return Err(GraphError::check(
                        exercise,
                        format!(
                            "gradient check of {} in a network of {name}: normalised difference {:.3e} >= {GRAD_CHECK_TOLERANCE:.0e}",
                            c.parameter, c.difference
                        ),
                    ));
                }
                report.figure(
                    format!("gradient check, {name}, {}", c.parameter),
                    c.difference,
                );
            }
        }
        Ok(())
    })
}

/// Q6 and Q7: a network type, built by `make(rng)` with the sizes `n_in ->
/// hidden -> n_classes` of `task`, must give the same embedding and class
/// probabilities as [`GcnNetwork::new`] with the same RNG (layers drawn
/// input side first, softmax last), before and after one training step.
pub fn check_network<M: NodeClassifier>(
    task: &NodeTask,
    hidden: &[usize],
    mut make: impl FnMut(&mut ChaCha8Rng) -> Result<M>,
) -> Result<CheckReport> {
    let exercise = "Q6/Q7 (network)";
    checked(exercise, |report| {
        let seed = 7;
        let mut mine = make(&mut ChaCha8Rng::seed_from_u64(seed))?;
        let mut reference = GcnNetwork::new(
            task.x.ncols(),
            task.labels.ncols(),
            hidden,
            &mut ChaCha8Rng::seed_from_u64(seed),
        )?;
        let (a, x) = (&task.a_hat, &task.x);
        let emb_mine = mine.embedding(a, x)?;
        let emb_ref = reference.embedding(a, x)?;
        agree(report, "embedding", &emb_mine, &emb_ref).map_err(|e| {
        GraphError::check(
            exercise,
            format!("{e}; build the GCN layers input side first, then the softmax layer, all from the given rng with glorot_init"),
        )
    })?;
        let p_mine = mine.forward_pass(a, x)?;
        let p_ref = reference.forward_pass(a, x)?;
        agree(report, "class probabilities", &p_mine, &p_ref)?;

        let mut optim_ref = GradientDescent::new(0.5, 0.1)?;
        optim_ref.set_targets(&p_ref, &task.labels, Some(&task.train_nodes))?;
        let mut optim_mine = optim_ref.clone();
        mine.backward(&mut optim_mine, true)?;
        reference.backward(&mut optim_ref, true)?;
        agree(
            report,
            "class probabilities after one step",
            &mine.forward_pass(a, x)?,
            &reference.forward_pass(a, x)?,
        )?;
        Ok(())
    })
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
    let exercise = "Q8 (training loop)";
    checked(exercise, |report| {
        // (name, settings, hidden sizes, seed): a short run cut by max_epochs, and
        // the homework's run, which ends by early stopping after its warm-up.
        let runs = [
            (
                "run to max_epochs",
                GcnTrainConfig {
                    max_epochs: 60,
                    patience: 1000,
                    warmup: 0,
                    log_every: 0,
                },
                vec![4, 2],
                11,
            ),
            (
                "early stopping",
                GcnTrainConfig {
                    max_epochs: 5000,
                    patience: 50,
                    warmup: crate::train::DEFAULT_WARMUP,
                    log_every: 0,
                },
                vec![16, 2],
                crate::zkc::ZKC_DEFAULT_SEED,
            ),
        ];
        for (name, config, hidden, seed) in runs {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let start = GcnNetwork::new(task.x.ncols(), task.labels.ncols(), &hidden, &mut rng)?;
            let lr = 2e-2;
            let (mut net_mine, mut net_ref) = (start.clone(), start);
            let mut optim_mine = GradientDescent::new(lr, 2.5e-2)?;
            let mut optim_ref = optim_mine.clone();
            let mine = train(&mut net_mine, &mut optim_mine, task, &config)?;
            let reference = train_gcn(&mut net_ref, &mut optim_ref, task, &config)?;
            if mine.epochs() != reference.epochs() {
                return Err(GraphError::check(
                    exercise,
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
                &series(&mine),
                &series(&reference),
            )?;
            if mine.embeddings.len() != reference.embeddings.len()
                || mine.predictions.len() != reference.predictions.len()
            {
                return Err(GraphError::check(
                    exercise,
                    format!("{name}: record one embedding and one prediction per epoch"),
                ));
            }
            if let (Some(e_mine), Some(e_ref)) =
                (mine.embeddings.last(), reference.embeddings.last())
            {
                agree(report, &format!("{name}: last embedding"), e_mine, e_ref)?;
            }
            agree(
                report,
                &format!("{name}: weights after training"),
                &net_mine.softmax.w,
                &net_ref.softmax.w,
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_todo_fails_the_check_with_a_message() {
        let a = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
        let e = check_a_tilde(&a, |_| todo!()).unwrap_err().to_string();
        assert!(e.contains("Q1") && e.contains("todo!()"), "{e}");
        let r = check_a_tilde(&a, |a| a + DMatrix::identity(2, 2)).unwrap();
        assert_eq!(r.value("A~: max |difference|"), Some(0.0));
    }
}
