//! Reading part 3(c)'s timings: the power law `t ≈ a N^p` each method
//! follows, and the `N` where linear attention overtakes softmax.

use hw6_linalg::fit_line;
use serde::Serialize;

/// A least-squares line `log t = intercept + slope log N`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerLaw {
    pub method: &'static str,
    pub slope: f64,
    pub intercept: f64,
    /// Number of points fitted.
    pub points: usize,
}

impl PowerLaw {
    /// Predicted seconds at `n`.
    pub fn seconds_at(&self, n: f64) -> f64 {
        (self.intercept + self.slope * n.ln()).exp()
    }

    /// Where two power laws meet, if `self` grows faster than `slower`.
    pub fn meets(&self, slower: &PowerLaw) -> Option<f64> {
        (self.slope > slower.slope)
            .then(|| ((slower.intercept - self.intercept) / (self.slope - slower.slope)).exp())
    }
}

/// Fits `log t` against `log n` by least squares (needs two distinct `n`).
pub fn fit_power_law(method: &'static str, points: &[(usize, f64)]) -> Option<PowerLaw> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|(n, t)| *n > 0 && *t > 0.0)
        .map(|&(n, t)| ((n as f64).ln(), t.ln()))
        .collect();
    let (xs, ys): (Vec<f64>, Vec<f64>) = pts.iter().copied().unzip();
    let (slope, intercept) = fit_line(&xs, &ys)?;
    Some(PowerLaw {
        method,
        slope,
        intercept,
        points: pts.len(),
    })
}

/// One point of the crossover scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanPoint {
    pub n: usize,
    pub softmax_seconds: f64,
    pub linear_seconds: f64,
}

/// Where quadratic-feature linear attention starts to beat softmax attention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crossover {
    /// The homework's prediction, `D²`.
    pub predicted: f64,
    /// Measured crossover: the `N` at which `t_softmax / t_linear` crosses 1
    /// in the scan, interpolated linearly in `log N` between the last grid
    /// point where softmax is faster and the next one (after which linear
    /// stays faster). `None` if the scan did not bracket it.
    pub measured: Option<f64>,
    /// Where the two fitted power laws meet (from the main `N` list).
    pub from_fits: Option<f64>,
    /// `measured / predicted`.
    pub ratio_to_predicted: Option<f64>,
    /// The definition above, in words, for the JSON.
    pub definition: &'static str,
    /// The scan itself (empty when not run).
    pub scan: Vec<ScanPoint>,
}

/// [`Crossover::definition`].
pub(crate) const CROSSOVER_DEFINITION: &str = "N where t_softmax/t_linear(quadratic) crosses 1, log-interpolated between scan points (N from D^2/16 to 16 D^2, x sqrt(2) apart); linear stays faster above it";

/// The crossover from a scan, as defined in [`Crossover::measured`].
pub fn crossover_from_scan(scan: &[ScanPoint]) -> Option<f64> {
    let log_ratio = |p: &ScanPoint| (p.softmax_seconds / p.linear_seconds).ln();
    // Last point where softmax is at least as fast; linear must win after it.
    let last_softmax = scan.iter().rposition(|p| log_ratio(p) <= 0.0);
    match last_softmax {
        None => None,
        Some(i) if i + 1 >= scan.len() => None,
        Some(i) => {
            let (a, b) = (&scan[i], &scan[i + 1]);
            let (xa, xb) = ((a.n as f64).ln(), (b.n as f64).ln());
            let (ya, yb) = (log_ratio(a), log_ratio(b));
            let t = if yb > ya { -ya / (yb - ya) } else { 0.5 };
            Some((xa + t * (xb - xa)).exp())
        }
    }
}

/// The scan's grid: `N` from `D²/16` (at least 2) to `16 D²`, `sqrt(2)` apart.
pub(crate) fn scan_lengths(d: usize) -> Vec<usize> {
    let d2 = (d * d) as f64;
    let (lo, hi) = ((d2 / 16.0).max(2.0), d2 * 16.0);
    let mut ns: Vec<usize> = Vec::new();
    let mut x = lo;
    while x <= hi * 1.0001 {
        let n = x.round() as usize;
        if ns.last() != Some(&n) {
            ns.push(n);
        }
        x *= std::f64::consts::SQRT_2;
    }
    ns
}
