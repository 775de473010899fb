//! Numerical gradients by central differences, and the implementation check
//! that compares them with the hand-written backward passes.
//!
//! ```text
//! dL/dW_ij ≈ (L(W + eps E_ij) - L(W - eps E_ij)) / (2 eps),   eps = 1e-4
//! L = mean cross-entropy over the training nodes + wd/2 |W|² / batch
//! pass when |analytic - numeric| / (|analytic| + |numeric|) < 1e-7
//! ```
//!
//! Everything is f64: in f32 the rounding error of the differences alone
//! would exceed the tolerance.

use std::fmt;

use hw6_exercise::run_student_code;
use nalgebra::DMatrix;

use crate::error::{GraphError, Result};
use crate::gcn::GraphConvolution;
use crate::loss::{cross_entropy_rows, mean_over, normalized_difference};
use crate::network::GcnNetwork;
use crate::optim::GradientDescent;
use crate::softmax::softmax_forward;

/// Step of the central differences (the original's).
pub const GRAD_CHECK_EPS: f64 = 1e-4;
/// The implementation check passes below this normalised difference.
pub const GRAD_CHECK_TOLERANCE: f64 = 1e-7;

/// Central-difference gradient of `loss` at `param`: every entry is moved by
/// `+eps` and `-eps` in turn (in a copy) and `loss` is evaluated there.
///
/// # Shapes
/// returns the shape of `param`.
pub fn numerical_gradient(
    param: &DMatrix<f64>,
    eps: f64,
    mut loss: impl FnMut(&DMatrix<f64>) -> Result<f64>,
) -> Result<DMatrix<f64>> {
    if !(eps.is_finite() && eps > 0.0) {
        return Err(GraphError::param(
            "eps",
            eps,
            "the finite-difference step must be positive (the original uses 1e-4)",
        ));
    }
    let mut moved = param.clone();
    let mut grad = DMatrix::zeros(param.nrows(), param.ncols());
    for i in 0..param.nrows() {
        for j in 0..param.ncols() {
            let original = param[(i, j)];
            moved[(i, j)] = original + eps;
            let up = loss(&moved)?;
            moved[(i, j)] = original - eps;
            let down = loss(&moved)?;
            moved[(i, j)] = original;
            grad[(i, j)] = (up - down) / (2.0 * eps);
        }
    }
    Ok(grad)
}

/// The outcome of one implementation check.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GradientCheck {
    /// Which parameter (`"softmax W"`, `"GCN layer 1 W"`, ...).
    pub parameter: String,
    /// `|analytic - numeric| / (|analytic| + |numeric|)`.
    pub difference: f64,
    /// Frobenius norm of the analytic gradient.
    pub analytic_norm: f64,
    /// Frobenius norm of the numerical gradient.
    pub numeric_norm: f64,
}

impl GradientCheck {
    /// Whether the normalised difference is below [`GRAD_CHECK_TOLERANCE`].
    pub fn passed(&self) -> bool {
        self.difference < GRAD_CHECK_TOLERANCE
    }
}

impl fmt::Display for GradientCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<16} normalised difference {:.3e} ({} {:.0e}): {}  [|analytic| = {:.4e}, |numeric| = {:.4e}]",
            self.parameter,
            self.difference,
            if self.passed() { "<" } else { ">=" },
            GRAD_CHECK_TOLERANCE,
            if self.passed() { "passed" } else { "FAILED" },
            self.analytic_norm,
            self.numeric_norm
        )
    }
}

/// Compares an analytic gradient with a numerical one.
pub fn implementation_check(
    parameter: impl Into<String>,
    analytic: &DMatrix<f64>,
    numeric: &DMatrix<f64>,
) -> GradientCheck {
    GradientCheck {
        parameter: parameter.into(),
        difference: normalized_difference(analytic, numeric),
        analytic_norm: analytic.norm(),
        numeric_norm: numeric.norm(),
    }
}

/// All checks of one network; displays one line per parameter.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GradientReport {
    /// One check per parameter: softmax W, softmax b, then each GCN layer's W
    /// from the input side.
    pub checks: Vec<GradientCheck>,
}

impl GradientReport {
    /// Whether every check passed.
    pub fn all_passed(&self) -> bool {
        self.checks.iter().all(GradientCheck::passed)
    }

    /// The largest normalised difference.
    pub fn worst(&self) -> f64 {
        self.checks.iter().map(|c| c.difference).fold(0.0, f64::max)
    }

    /// Shows the report as text in an evcxr notebook.
    pub fn evcxr_display(&self) {
        print!("EVCXR_BEGIN_CONTENT text/plain\n{self}EVCXR_END_CONTENT\n");
    }

    /// `Ok(self)` if every check passed, otherwise an error naming the failures.
    pub fn require_passed(self) -> Result<Self> {
        if self.all_passed() {
            return Ok(self);
        }
        let failed: Vec<String> = self
            .checks
            .iter()
            .filter(|c| !c.passed())
            .map(|c| format!("{} ({:.3e})", c.parameter, c.difference))
            .collect();
        Err(GraphError::check(
            "the gradient check",
            format!(
                "the backward pass disagrees with the numerical gradient for {}; compare each line of the backward pass with the equations",
                failed.join(", ")
            ),
        ))
    }
}

impl fmt::Display for GradientReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.checks {
            writeln!(f, "{c}")?;
        }
        Ok(())
    }
}

/// The loss the numerical gradients differentiate: mean cross-entropy over
/// the training nodes plus `wd/2 |decayed|² / batch`.
fn gradient_check_loss(
    pred: &DMatrix<f64>,
    y_true: &DMatrix<f64>,
    train: &[usize],
    wd: f64,
    decayed: Option<&DMatrix<f64>>,
) -> Result<f64> {
    let data = mean_over(&cross_entropy_rows(pred, y_true)?, train)?;
    let batch = train.len() as f64;
    let decay = decayed.map_or(0.0, |w| wd / 2.0 * w.norm_squared() / batch);
    Ok(data + decay)
}

/// Runs the implementation check on every parameter of `network`: the
/// softmax layer's W and b and every GCN layer's W. The analytic gradients
/// come from one backward pass without update; the numerical ones from
/// [`numerical_gradient`] with [`GRAD_CHECK_EPS`]. `network` is not changed.
/// A panic in a layer (a `todo!()` still to write) is an error, not a panic.
///
/// # Shapes
/// `a_hat`: (nodes, nodes), `x`: (nodes, n_in), `y_true`: (nodes, classes).
pub fn check_gradients<L: GraphConvolution + Clone>(
    network: &GcnNetwork<L>,
    a_hat: &DMatrix<f64>,
    x: &DMatrix<f64>,
    y_true: &DMatrix<f64>,
    train_nodes: Option<&[usize]>,
    weight_decay: f64,
) -> Result<GradientReport> {
    let run = || gradient_report(network, a_hat, x, y_true, train_nodes, weight_decay);
    run_student_code(run).map_err(|panic| GraphError::check("the gradient check", panic))?
}

/// The last GCN layer's output and the class probabilities of `net`, each
/// layer caching what its backward pass needs.
///
/// # Shapes
/// `a_hat`: (nodes, nodes), `x`: (nodes, n_in) -> ((nodes, hidden), (nodes, classes)).
fn network_outputs<L: GraphConvolution>(
    net: &mut GcnNetwork<L>,
    a_hat: &DMatrix<f64>,
    x: &DMatrix<f64>,
) -> Result<(DMatrix<f64>, DMatrix<f64>)> {
    let embedding = net
        .gcn_layers
        .iter_mut()
        .try_fold(x.clone(), |input, layer| layer.forward(a_hat, &input))?;
    let probabilities = net.softmax.forward(&embedding)?;
    Ok((embedding, probabilities))
}

fn gradient_report<L: GraphConvolution + Clone>(
    network: &GcnNetwork<L>,
    a_hat: &DMatrix<f64>,
    x: &DMatrix<f64>,
    y_true: &DMatrix<f64>,
    train_nodes: Option<&[usize]>,
    weight_decay: f64,
) -> Result<GradientReport> {
    // Analytic gradients: the softmax layer's, then each GCN layer's from the
    // output side.
    let mut net = network.clone();
    let (embedding, y_pred) = network_outputs(&mut net, a_hat, x)?;
    let mut optim = GradientDescent::new(0.0, weight_decay)?;
    optim.set_targets(&y_pred, y_true, train_nodes)?;
    let train = optim.train_nodes.clone();
    let softmax_grads = net.softmax.backward(&mut optim, false)?;
    let mut gcn_grads = Vec::with_capacity(net.gcn_layers.len());
    for layer in net.gcn_layers.iter_mut().rev() {
        gcn_grads.push(layer.backward(&mut optim, false)?);
    }
    gcn_grads.reverse();

    // Numerical gradients.
    let mut checks = Vec::new();
    let (ws, bs) = (&network.softmax.w, &network.softmax.b);
    let numeric = numerical_gradient(ws, GRAD_CHECK_EPS, |w| {
        gradient_check_loss(
            &softmax_forward(&embedding, w, bs)?,
            y_true,
            &train,
            weight_decay,
            Some(w),
        )
    })?;
    checks.push(implementation_check(
        "softmax W",
        &softmax_grads.w,
        &numeric,
    ));
    let numeric = numerical_gradient(bs, GRAD_CHECK_EPS, |b| {
        gradient_check_loss(
            &softmax_forward(&embedding, ws, b)?,
            y_true,
            &train,
            weight_decay,
            None,
        )
    })?;
    checks.push(implementation_check(
        "softmax b",
        &softmax_grads.b,
        &numeric,
    ));
    for (k, analytic) in gcn_grads.iter().enumerate() {
        let numeric = numerical_gradient(network.gcn_layers[k].weight(), GRAD_CHECK_EPS, |w| {
            let mut moved = network.clone();
            *moved.gcn_layers[k].weight_mut() = w.clone();
            let (_, pred) = network_outputs(&mut moved, a_hat, x)?;
            gradient_check_loss(&pred, y_true, &train, weight_decay, Some(w))
        })?;
        checks.push(implementation_check(
            format!("GCN layer {} W", k + 1),
            analytic,
            &numeric,
        ));
    }
    Ok(GradientReport { checks })
}
