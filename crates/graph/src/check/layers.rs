//! Q4 (a GCN layer type) and Q6/Q7 (a network type).

use hw6_exercise::{CheckReport, checked};
use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::agree;
use crate::error::{GraphError, Result, dims};
use crate::gcn::{GcnLayer, GraphConvolution};
use crate::gradcheck::{GRAD_CHECK_TOLERANCE, check_gradients};
use crate::network::{GcnNetwork, NodeClassifier};
use crate::optim::GradientDescent;
use crate::softmax::SoftmaxLayer;
use crate::train::NodeTask;

const GCN_LAYER: &str = "Q4 (GCN layer)";

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

/// Q4: a GCN layer type, built by `make(n_in, n_out, rng)`.
///
/// Checks that the initial W has shape (n_out, n_in) and lies in
/// [-b, b] with b = sqrt(5 / (n_in + n_out)); then gives the layer the
/// reference's W and compares the forward output, the weight gradient, the
/// gradient passed on and the updated W with [`GcnLayer`]'s; finally runs the
/// gradient check on a network of one and of two of these layers.
///
/// # Shapes
/// `a_hat`: (nodes, nodes), the graph to run on (the club's Â).
pub fn check_gcn_layer<L: GraphConvolution + Clone>(
    a_hat: &DMatrix<f64>,
    mut make: impl FnMut(usize, usize, &mut ChaCha8Rng) -> L,
) -> Result<CheckReport> {
    checked(GCN_LAYER, |report| {
        let mut rng = ChaCha8Rng::seed_from_u64(182);
        let (n_in, n_out) = (5, 3);
        let mine = make(n_in, n_out, &mut rng);
        initial_weight_is_glorot(mine.weight(), n_in, n_out)?;
        let reference = GcnLayer::new(n_in, n_out, &mut rng)?;
        one_step_agrees(report, a_hat, mine, reference, &mut rng)?;
        let n = a_hat.nrows();
        let one = GcnNetwork {
            gcn_layers: vec![make(n, 2, &mut rng)],
            softmax: SoftmaxLayer::new(2, 2, &mut rng)?,
        };
        let two = GcnNetwork {
            gcn_layers: vec![make(n, 4, &mut rng), make(4, 2, &mut rng)],
            softmax: SoftmaxLayer::new(2, 2, &mut rng)?,
        };
        gradients_pass(report, a_hat, "one layer", &one)?;
        gradients_pass(report, a_hat, "two layers", &two)
    })
}

/// W must be (n_out, n_in), uniform on [-b, b] (not all zero).
fn initial_weight_is_glorot(w: &DMatrix<f64>, n_in: usize, n_out: usize) -> Result<()> {
    if w.shape() != (n_out, n_in) {
        return Err(GraphError::check(
            GCN_LAYER,
            format!(
                "W has shape {}, expected (n_out, n_in) = ({n_out}, {n_in})",
                dims(w)
            ),
        ));
    }
    let bound = (5.0 / (n_in + n_out) as f64).sqrt();
    if w.iter().any(|v| v.abs() > bound) || w.iter().all(|v| *v == 0.0) {
        return Err(GraphError::check(
            GCN_LAYER,
            format!(
                "initialise W uniformly on [-b, b], b = sqrt(5 / (n_in + n_out)) = {bound:.4} (glorot_init)"
            ),
        ));
    }
    Ok(())
}

/// With the reference's W, one forward and one backward pass (with update)
/// of `mine` must match the reference's.
fn one_step_agrees<L: GraphConvolution>(
    report: &mut CheckReport,
    a_hat: &DMatrix<f64>,
    mut mine: L,
    mut reference: GcnLayer,
    rng: &mut ChaCha8Rng,
) -> Result<()> {
    let n = a_hat.nrows();
    *mine.weight_mut() = reference.w.clone();
    let x = random_matrix(n, reference.w.ncols(), rng);
    let h_mine = mine.forward(a_hat, &x)?;
    let h_ref = reference.forward(a_hat, &x)?;
    agree(report, "forward H", &h_mine, &h_ref)?;

    let mut optim_ref = GradientDescent::new(0.1, 0.3)?;
    let zeros = DMatrix::zeros(n, 2);
    optim_ref.set_targets(&zeros, &zeros, Some(&(0..n).step_by(2).collect::<Vec<_>>()))?;
    optim_ref.output = random_matrix(n, reference.w.nrows(), rng);
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
    agree(report, "W after the update", mine.weight(), &reference.w)
}

/// Every gradient check of `net` (all nodes, weight decay 1) must pass.
fn gradients_pass<L: GraphConvolution + Clone>(
    report: &mut CheckReport,
    a_hat: &DMatrix<f64>,
    name: &str,
    net: &GcnNetwork<L>,
) -> Result<()> {
    let n = a_hat.nrows();
    let labels = one_hot_pattern(n, 2);
    let features = DMatrix::identity(n, n);
    let gradients = check_gradients(net, a_hat, &features, &labels, None, 1.0)?;
    for c in &gradients.checks {
        if !c.passed() {
            return Err(GraphError::check(
                GCN_LAYER,
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
    Ok(())
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
        )
    })
}
