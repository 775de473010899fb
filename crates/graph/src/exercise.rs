//! Checkers for the notebook's exercises: each compares a notebook's own
//! implementation with the crate's reference and returns the figures it
//! compared, or an error that says what differs.
//!
//! | exercise | the notebook writes | checker |
//! |---|---|---|
//! | Q1 | A~ = A + I | [`check_a_tilde`] |
//! | Q2 | a function for D~^-1/2 A~ D~^-1/2 | [`check_sym_norm`] |
//! | Q3 | X = I | [`check_features`] |
//! | Q4 | a type implementing [`GraphConvolution`] | [`check_gcn_layer`] |
//! | Q6, Q7 | a type implementing [`NodeClassifier`] | [`check_network`] |
//! | Q8 | a training loop with [`train_gcn`]'s signature | [`check_training`] |
//!
//! Q5 (the forward passes of the gradient test) is checked by
//! [`check_gradients`](crate::gradcheck::check_gradients) itself.

use std::fmt;

use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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

/// A passed exercise check and the figures behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExerciseCheck {
    /// Which exercise.
    pub exercise: String,
    /// What was compared, and the figure (a difference, a count, ...).
    pub figures: Vec<(String, f64)>,
}

impl fmt::Display for ExerciseCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: passed", self.exercise)?;
        for (what, value) in &self.figures {
            if value.fract() == 0.0 && value.abs() >= 1.0 {
                writeln!(f, "  {what}: {value:.0}")?;
            } else {
                writeln!(f, "  {what}: {value:.3e}")?;
            }
        }
        Ok(())
    }
}

impl ExerciseCheck {
    /// Shows the report as text in an evcxr notebook (a cell whose value is
    /// an `ExerciseCheck` prints it).
    pub fn evcxr_display(&self) {
        print!("EVCXR_BEGIN_CONTENT text/plain\n{self}EVCXR_END_CONTENT\n");
    }
}

/// Records `|got - want|_max` under `what`, or fails if it exceeds `AGREEMENT`.
fn agree(
    exercise: &str,
    figures: &mut Vec<(String, f64)>,
    what: &str,
    got: &DMatrix<f64>,
    want: &DMatrix<f64>,
) -> Result<()> {
    if got.shape() != want.shape() {
        return Err(GraphError::check(
            exercise,
            format!("{what} has shape {}, expected {}", dims(got), dims(want)),
        ));
    }
    let diff = (got - want).abs().max();
    if diff.is_nan() || diff > AGREEMENT {
        return Err(GraphError::check(
            exercise,
            format!(
                "{what} differs from the reference by up to {diff:.3e} (allowed {AGREEMENT:.0e})"
            ),
        ));
    }
    figures.push((format!("{what}: max |difference|"), diff));
    Ok(())
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

/// Q1: `a_tilde` must equal `a + I`.
///
/// # Shapes
/// `a`, `a_tilde`: (n, n).
pub fn check_a_tilde(a: &DMatrix<f64>, a_tilde: &DMatrix<f64>) -> Result<ExerciseCheck> {
    let exercise = "Q1 (A~ = A + I)";
    let mut figures = Vec::new();
    agree(exercise, &mut figures, "A~", a_tilde, &add_self_loops(a)?)?;
    Ok(ExerciseCheck {
        exercise: exercise.into(),
        figures,
    })
}

/// Q2: `sym_norm(A~)` must equal D~^-1/2 A~ D~^-1/2, for the given `a_tilde`
/// and for a small weighted graph.
pub fn check_sym_norm(
    a_tilde: &DMatrix<f64>,
    sym_norm: impl Fn(&DMatrix<f64>) -> DMatrix<f64>,
) -> Result<ExerciseCheck> {
    let exercise = "Q2 (symmetric normalisation)";
    let mut figures = Vec::new();
    agree(
        exercise,
        &mut figures,
        "Â of the given A~",
        &sym_norm(a_tilde),
        &sym_normalize(a_tilde)?,
    )?;
    let weighted = DMatrix::from_row_slice(3, 3, &[1.0, 2.0, 0.0, 2.0, 1.0, 5.0, 0.0, 5.0, 1.0]);
    agree(
        exercise,
        &mut figures,
        "Â of a weighted 3-node graph",
        &sym_norm(&weighted),
        &sym_normalize(&weighted)?,
    )?;
    Ok(ExerciseCheck {
        exercise: exercise.into(),
        figures,
    })
}

/// Q3: `x` must be the (n, n) identity.
pub fn check_features(x: &DMatrix<f64>, n: usize) -> Result<ExerciseCheck> {
    let exercise = "Q3 (X = I)";
    let mut figures = Vec::new();
    agree(exercise, &mut figures, "X", x, &DMatrix::identity(n, n))?;
    Ok(ExerciseCheck {
        exercise: exercise.into(),
        figures,
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
) -> Result<ExerciseCheck> {
    let exercise = "Q4 (GCN layer)";
    let n = a_hat.nrows();
    let mut figures = Vec::new();
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
    agree(exercise, &mut figures, "forward H", &h_mine, &h_ref)?;

    let mut optim_ref = GradientDescent::new(0.1, 0.3)?;
    let zeros = DMatrix::zeros(n, 2);
    optim_ref.set_targets(&zeros, &zeros, Some(&(0..n).step_by(2).collect::<Vec<_>>()))?;
    optim_ref.output = random_matrix(n, n_out, &mut rng);
    let mut optim_mine = optim_ref.clone();
    let dw_mine = mine.backward(&mut optim_mine, true)?;
    let dw_ref = reference.backward(&mut optim_ref, true)?;
    agree(
        exercise,
        &mut figures,
        "dW (with weight decay)",
        &dw_mine,
        &dw_ref,
    )?;
    agree(
        exercise,
        &mut figures,
        "gradient passed on (optim.output)",
        &optim_mine.output,
        &optim_ref.output,
    )?;
    agree(
        exercise,
        &mut figures,
        "W after the update",
        mine.weight(),
        &reference.w,
    )?;

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
        let report = check_gradients(&net, a_hat, &features, &labels, None, 1.0)?;
        for c in &report.checks {
            if !c.passed() {
                return Err(GraphError::check(
                    exercise,
                    format!(
                        "gradient check of {} in a network of {name}: normalised difference {:.3e} >= {GRAD_CHECK_TOLERANCE:.0e}",
                        c.parameter, c.difference
                    ),
                ));
            }
            figures.push((
                format!("gradient check, {name}, {}", c.parameter),
                c.difference,
            ));
        }
    }
    Ok(ExerciseCheck {
        exercise: exercise.into(),
        figures,
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
) -> Result<ExerciseCheck> {
    let exercise = "Q6/Q7 (network)";
    let mut figures = Vec::new();
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
    agree(exercise, &mut figures, "embedding", &emb_mine, &emb_ref).map_err(|e| {
        GraphError::check(
            exercise,
            format!("{e}; build the GCN layers input side first, then the softmax layer, all from the given rng with glorot_init"),
        )
    })?;
    let p_mine = mine.forward_pass(a, x)?;
    let p_ref = reference.forward_pass(a, x)?;
    agree(
        exercise,
        &mut figures,
        "class probabilities",
        &p_mine,
        &p_ref,
    )?;

    let mut optim_ref = GradientDescent::new(0.5, 0.1)?;
    optim_ref.set_targets(&p_ref, &task.labels, Some(&task.train_nodes))?;
    let mut optim_mine = optim_ref.clone();
    mine.backward(&mut optim_mine, true)?;
    reference.backward(&mut optim_ref, true)?;
    agree(
        exercise,
        &mut figures,
        "class probabilities after one step",
        &mine.forward_pass(a, x)?,
        &reference.forward_pass(a, x)?,
    )?;
    Ok(ExerciseCheck {
        exercise: exercise.into(),
        figures,
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
) -> Result<ExerciseCheck> {
    let exercise = "Q8 (training loop)";
    let mut figures = Vec::new();
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
        figures.push((format!("{name}: epochs"), mine.epochs() as f64));
        let series = |h: &GcnHistory| {
            DMatrix::from_fn(h.epochs(), 3, |i, j| {
                [h.train_losses[i], h.test_losses[i], h.accuracies[i]][j]
            })
        };
        agree(
            exercise,
            &mut figures,
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
        if let (Some(e_mine), Some(e_ref)) = (mine.embeddings.last(), reference.embeddings.last()) {
            agree(
                exercise,
                &mut figures,
                &format!("{name}: last embedding"),
                e_mine,
                e_ref,
            )?;
        }
        agree(
            exercise,
            &mut figures,
            &format!("{name}: weights after training"),
            &net_mine.softmax.w,
            &net_ref.softmax.w,
        )?;
    }
    Ok(ExerciseCheck {
        exercise: exercise.into(),
        figures,
    })
}
