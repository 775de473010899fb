//! Q4 (a GCN layer type) and Q6/Q7 (a network type).

use hw6_exercise::{CheckReport, checked, expected, expected_on};
use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{Grid, agree, digest};
use crate::error::{GraphError, Result, dims};
use crate::gcn::{GcnLayer, GraphConvolution};
use crate::gradcheck::{GRAD_CHECK_TOLERANCE, check_gradients};
use crate::init::glorot_init;
use crate::network::{GcnNetwork, NodeClassifier};
use crate::optim::GradientDescent;
use crate::softmax::SoftmaxLayer;
use crate::train::NodeTask;

const GCN_LAYER: &str = "Q4 (GCN layer)";
const NETWORK: &str = "Q6/Q7 (network)";

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

/// One forward and backward pass of a layer: W, the input X, the gradient G
/// arriving from above, and the optimiser's settings; drawn from their own
/// seeded generator, so they do not depend on how a notebook's layer draws.
struct Step {
    name: &'static str,
    a_hat: DMatrix<f64>,
    w: DMatrix<f64>,
    x: DMatrix<f64>,
    optim: GradientDescent,
}

impl Step {
    fn new(name: &'static str, a_hat: DMatrix<f64>, n_in: usize, n_out: usize) -> Result<Self> {
        let mut rng = ChaCha8Rng::seed_from_u64(182);
        let n = a_hat.nrows();
        let w = glorot_init(n_out, n_in, &mut rng);
        let x = random_matrix(n, n_in, &mut rng);
        let mut optim = GradientDescent::new(0.1, 0.3)?;
        let zeros = DMatrix::zeros(n, 2);
        optim.set_targets(&zeros, &zeros, Some(&(0..n).step_by(2).collect::<Vec<_>>()))?;
        optim.output = random_matrix(n, n_out, &mut rng);
        Ok(Self {
            name,
            a_hat,
            w,
            x,
            optim,
        })
    }

    /// A small graph whose Â is not symmetric, and a square layer: any
    /// transpose the backward pass leaves out changes its numbers.
    fn non_symmetric() -> Result<Self> {
        let mut rng = ChaCha8Rng::seed_from_u64(1821);
        let a_hat = random_matrix(6, 6, &mut rng).map(f64::abs);
        Self::new("a non-symmetric Â", a_hat, 4, 4)
    }

    /// What the layer computes in this step.
    fn run<L: GraphConvolution>(&self, layer: &mut L) -> Result<StepOutcome> {
        *layer.weight_mut() = self.w.clone();
        let h = layer.forward(&self.a_hat, &self.x)?;
        let mut optim = self.optim.clone();
        let dw = layer.backward(&mut optim, false)?;
        let passed_on = optim.output;
        // The update, once dW has W's shape (otherwise the check reports dW).
        let w_after = if dw.shape() == self.w.shape() {
            layer.forward(&self.a_hat, &self.x)?;
            layer.backward(&mut self.optim.clone(), true)?;
            Some(Grid::from(layer.weight()))
        } else {
            None
        };
        Ok(StepOutcome {
            h: Grid::from(&h),
            dw: Grid::from(&dw),
            passed_on: Grid::from(&passed_on),
            w_after,
        })
    }
}

/// The reference's results of one [`Step`].
#[derive(Serialize, Deserialize)]
struct StepOutcome {
    h: Grid,
    dw: Grid,
    passed_on: Grid,
    w_after: Option<Grid>,
}

/// Q4: a GCN layer type, built by `make(n_in, n_out, rng)`.
///
/// Checks that the initial W has shape (n_out, n_in) and lies in [-b, b]
/// with b = sqrt(5 / (n_in + n_out)); then gives the layer the step's W and
/// compares the forward output, the weight gradient, the gradient passed on
/// and the updated W with the reference's, on `a_hat` and on a small graph
/// whose Â is not symmetric; finally runs the gradient check on a network of
/// one and of two of these layers.
///
/// # Shapes
/// `a_hat`: (nodes, nodes), the graph to run on (the club's Â).
pub fn check_gcn_layer<L: GraphConvolution + Clone>(
    a_hat: &DMatrix<f64>,
    mut make: impl FnMut(usize, usize, &mut ChaCha8Rng) -> L,
) -> Result<CheckReport> {
    checked(GCN_LAYER, |report| {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (n_in, n_out) = (5, 3);
        let mine = make(n_in, n_out, &mut rng);
        initial_weight_is_glorot(mine.weight(), n_in, n_out)?;
        let club = Step::new("the given Â", a_hat.clone(), n_in, n_out)?;
        let want: StepOutcome =
            expected_on("graph.q4.step_on_given_a_hat", &digest(a_hat), || {
                club.run(&mut GcnLayer::from_weight(club.w.clone()))
            })?;
        step_agrees(report, &club, &club.run(&mut mine.clone())?, &want)?;
        let skew = Step::non_symmetric()?;
        let want: StepOutcome = expected("graph.q4.step_on_non_symmetric_a_hat", || {
            skew.run(&mut GcnLayer::from_weight(skew.w.clone()))
        })?;
        let got = skew.run(&mut make(4, 4, &mut rng))?;
        step_agrees(report, &skew, &got, &want).map_err(|e| match e {
            GraphError::Check(f) => GraphError::check(
                f.exercise,
                format!(
                    "{}; it agrees on the given Â, but a layer must work for any Â, not only a symmetric one: look for a missing transpose",
                    f.reason
                ),
            ),
            other => other,
        })?;
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

/// The notebook's layer computed what the reference did in `step`.
fn step_agrees(
    report: &mut CheckReport,
    step: &Step,
    got: &StepOutcome,
    want: &StepOutcome,
) -> Result<()> {
    let on = step.name;
    agree(
        report,
        &format!("forward H on {on}"),
        &got.h.matrix(),
        &want.h.matrix(),
    )?;
    agree(
        report,
        &format!("dW (with weight decay) on {on}"),
        &got.dw.matrix(),
        &want.dw.matrix(),
    )?;
    agree(
        report,
        &format!("gradient passed on (optim.output) on {on}"),
        &got.passed_on.matrix(),
        &want.passed_on.matrix(),
    )?;
    match (&got.w_after, &want.w_after) {
        (Some(got), Some(want)) => agree(
            report,
            &format!("W after the update on {on}"),
            &got.matrix(),
            &want.matrix(),
        ),
        _ => Ok(()),
    }
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

/// The reference network's outputs on a task, before and after one step.
#[derive(Serialize, Deserialize)]
struct NetworkOutcome {
    embedding: Grid,
    probabilities: Grid,
    after_step: Grid,
}

/// What the network check's expected values depend on.
#[derive(Serialize)]
struct NetworkInput<'a> {
    a_hat: Vec<f64>,
    x: Vec<f64>,
    labels: Vec<f64>,
    train_nodes: &'a [usize],
    hidden: &'a [usize],
}

/// Q6 and Q7: a network type, built by `make(rng)` with the sizes `n_in ->
/// hidden -> n_classes` of `task`, must give the same embedding and class
/// probabilities as the reference network drawn from the same RNG (layers
/// input side first, softmax last), before and after one training step.
pub fn check_network<M: NodeClassifier>(
    task: &NodeTask,
    hidden: &[usize],
    mut make: impl FnMut(&mut ChaCha8Rng) -> Result<M>,
) -> Result<CheckReport> {
    checked(NETWORK, |report| {
        let seed = 7;
        let (a, x) = (&task.a_hat, &task.x);
        let input = NetworkInput {
            a_hat: digest(a),
            x: digest(x),
            labels: digest(&task.labels),
            train_nodes: &task.train_nodes,
            hidden,
        };
        let want: NetworkOutcome = expected_on("graph.q6.network", &input, || {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let reference = GcnNetwork::new(x.ncols(), task.labels.ncols(), hidden, &mut rng)?;
            network_step(reference, task)
        })?;
        let mut mine = make(&mut ChaCha8Rng::seed_from_u64(seed))?;
        let emb_mine = mine.embedding(a, x)?;
        agree(report, "embedding", &emb_mine, &want.embedding.matrix()).map_err(|e| {
            GraphError::check(
                NETWORK,
                format!("{e}; build the GCN layers input side first, then the softmax layer, all from the given rng with glorot_init"),
            )
        })?;
        let p_mine = mine.forward_pass(a, x)?;
        let p_want = want.probabilities.matrix();
        agree(report, "class probabilities", &p_mine, &p_want)?;
        let mut optim = step_optimiser(&p_want, task)?;
        mine.backward(&mut optim, true)?;
        agree(
            report,
            "class probabilities after one step",
            &mine.forward_pass(a, x)?,
            &want.after_step.matrix(),
        )
    })
}

/// The optimiser of the network check's step, its targets set.
fn step_optimiser(probabilities: &DMatrix<f64>, task: &NodeTask) -> Result<GradientDescent> {
    let mut optim = GradientDescent::new(0.5, 0.1)?;
    optim.set_targets(probabilities, &task.labels, Some(&task.train_nodes))?;
    Ok(optim)
}

/// `net`'s embedding and probabilities, one step, the probabilities again.
fn network_step<M: NodeClassifier>(mut net: M, task: &NodeTask) -> Result<NetworkOutcome> {
    let (a, x) = (&task.a_hat, &task.x);
    let embedding = net.embedding(a, x)?;
    let probabilities = net.forward_pass(a, x)?;
    let mut optim = step_optimiser(&probabilities, task)?;
    net.backward(&mut optim, true)?;
    Ok(NetworkOutcome {
        embedding: Grid::from(&embedding),
        probabilities: Grid::from(&probabilities),
        after_step: Grid::from(&net.forward_pass(a, x)?),
    })
}
