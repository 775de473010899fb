//! Part 3(c) measured: time and peak memory of softmax attention against
//! linear attention as the sequence length `N` grows.
//!
//! Both methods do their heavy work in the same candle CPU kernels (the same
//! matrix multiply on the same thread pool), so the comparison is between
//! algorithms, not between implementations: softmax is two matmuls around
//! candle-nn's fused row softmax; linear is the feature map (a plain loop over
//! rows, `O(N C)`, single-threaded) and three matmuls (see [`crate::linear`]).
//! If anything the linear side is handicapped: its feature map is not
//! parallel, while the softmax is.
//!
//! Predicted costs (multiply-adds, `L = N` keys):
//! softmax `N² (D + M)`, linear `2 N C (M + 1)` with `C = (D+1)(D+2)/2`.
//! The homework's rule of thumb is that linear wins once `N > D²`.
//!
//! Peak bytes come in two kinds: `peak_bytes` is measured by the
//! [`crate::memory::CountingAllocator`] when the program installed it (the
//! `hw6` binary does), and `model_bytes` counts the buffers the algorithm
//! itself allocates (always available).

use crate::error::{AttentionError, Result};
use crate::feature_map::{EluPlusOne, FeatureMap, QuadraticFeatures};
use crate::kernel::{Masking, kernel_attention};
use crate::linear::linear_attention;
use crate::memory::measure_heap;
use crate::similarity::{quadratic_similarity, softmax_similarity};
use crate::softmax::softmax_attention;
use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::Serialize;
use std::time::Instant;

/// The methods timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    /// Equation (2).
    Softmax,
    /// Equation (5) with [`QuadraticFeatures`].
    LinearQuadratic,
    /// Equation (5) with [`EluPlusOne`].
    LinearElu,
}

impl Method {
    /// All methods, in report order.
    pub const ALL: [Method; 3] = [Method::Softmax, Method::LinearQuadratic, Method::LinearElu];

    /// Name used in tables, JSON and charts.
    pub fn name(self) -> &'static str {
        match self {
            Method::Softmax => "softmax",
            Method::LinearQuadratic => "linear (quadratic)",
            Method::LinearElu => "linear (elu+1)",
        }
    }

    /// Feature width `C` for query width `d` (`None` for softmax).
    pub fn features(self, d: usize) -> Option<usize> {
        match self {
            Method::Softmax => None,
            Method::LinearQuadratic => Some(QuadraticFeatures.dim(d)),
            Method::LinearElu => Some(EluPlusOne.dim(d)),
        }
    }

    /// Predicted multiply-adds for `n` queries and keys.
    pub fn predicted_flops(self, n: usize, d: usize, m: usize) -> f64 {
        let (n, d, m) = (n as f64, d as f64, m as f64);
        match self.features(d as usize) {
            None => n * n * (d + m),
            Some(c) => 2.0 * n * c as f64 * (m + 1.0),
        }
    }

    /// Bytes of the buffers the algorithm allocates beyond its inputs, at
    /// their peak (f32 = 4 bytes).
    ///
    /// Softmax: scaled Q `(N, D)`, scores `(N, N)` and their softmax `(N, N)`
    /// alive together, then the output `(N, M)`. Linear: φ(Q), φ(K) `(N, C)`
    /// with the row copies they are made from `(N, D)`, S `(C, M)`, z `(C,)`,
    /// numerator and output `(N, M)`, denominator `(N,)`.
    pub fn model_bytes(self, n: usize, d: usize, m: usize) -> u64 {
        let f = 4u64;
        let (n, d, m) = (n as u64, d as u64, m as u64);
        match self.features(d as usize) {
            None => f * (n * d + 2 * n * n + n * m),
            Some(c) => {
                let c = c as u64;
                f * (2 * n * c + n * d + c * m + c + 2 * n * m + n)
            }
        }
    }

    /// Runs the method once.
    pub fn run(self, q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
        match self {
            Method::Softmax => softmax_attention(q, k, v),
            Method::LinearQuadratic => linear_attention(q, k, v, &QuadraticFeatures),
            Method::LinearElu => linear_attention(q, k, v, &EluPlusOne),
        }
    }

    /// The quadratic-time reference (equation (3)) this method must agree with.
    pub fn reference(self, q: &Tensor, k: &Tensor, v: &Tensor) -> Result<Tensor> {
        let d = q.dims2()?.1;
        match self {
            Method::Softmax => kernel_attention(q, k, v, softmax_similarity(d), Masking::Full),
            Method::LinearQuadratic => {
                kernel_attention(q, k, v, quadratic_similarity, Masking::Full)
            }
            Method::LinearElu => kernel_attention(
                q,
                k,
                v,
                |a: &[f32], b: &[f32]| {
                    let (pa, pb) = (EluPlusOne.map_row(a), EluPlusOne.map_row(b));
                    pa.iter().zip(&pb).map(|(x, y)| *x as f64 * *y as f64).sum()
                },
                Masking::Full,
            ),
        }
    }
}

/// Settings of the cost benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostConfig {
    /// Sequence lengths to time (queries = keys = `N`).
    pub ns: Vec<usize>,
    /// Query/key width `D`.
    pub d: usize,
    /// Value width `M`.
    pub m: usize,
    /// Timed runs per (method, N) after one warm-up run; the minimum is kept.
    pub repeats: usize,
    /// Keep repeating small problems until this many seconds were spent, so
    /// microsecond timings are not one noisy sample.
    pub min_seconds: f64,
    /// Skip a method at an `N` whose `model_bytes` exceed this budget.
    pub memory_budget_bytes: u64,
    /// Compare with the quadratic reference of equation (3) when `N <= this`.
    pub check_up_to: usize,
    /// Also scan `N` from `D²/16` to `16 D²` to locate the crossover.
    pub scan_crossover: bool,
    /// Seed for Q, K, V.
    pub seed: u64,
}

impl Default for CostConfig {
    /// The run: `N = 256, 1024, 4096, 16384`, `D = M = 16`, 3 repeats,
    /// a 4 GiB budget, reference checks up to `N = 1024`, crossover scan on.
    fn default() -> Self {
        Self {
            ns: vec![256, 1024, 4096, 16384],
            d: 16,
            m: 16,
            repeats: 3,
            min_seconds: 0.05,
            memory_budget_bytes: 4 << 30,
            check_up_to: 1024,
            scan_crossover: true,
            seed: 0,
        }
    }
}

impl CostConfig {
    fn check(&self) -> Result<()> {
        let bad = |name, value: String, allowed| {
            Err(AttentionError::InvalidParameter {
                name,
                value,
                allowed,
            })
        };
        if self.ns.is_empty() || self.ns.contains(&0) {
            return bad(
                "n",
                format!("{:?}", self.ns),
                "give one or more lengths, each >= 1",
            );
        }
        if self.d == 0 || self.d > 256 {
            return bad("d", self.d.to_string(), "use 1 <= d <= 256");
        }
        if self.m == 0 {
            return bad("m", self.m.to_string(), "use m >= 1");
        }
        if self.repeats == 0 {
            return bad("repeats", self.repeats.to_string(), "use repeats >= 1");
        }
        if !(self.min_seconds >= 0.0 && self.min_seconds.is_finite()) {
            return bad(
                "min_seconds",
                self.min_seconds.to_string(),
                "use a finite value >= 0",
            );
        }
        Ok(())
    }
}

/// One (method, N) measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostRow {
    pub n: usize,
    pub d: usize,
    pub m: usize,
    pub method: &'static str,
    /// Fastest of the timed runs, seconds (`None` when skipped).
    pub seconds: Option<f64>,
    /// How many timed runs the minimum is over.
    pub runs: usize,
    /// Peak heap growth during one run, measured (`None` without the counting
    /// allocator, or when skipped).
    pub peak_bytes: Option<u64>,
    /// Peak bytes of the algorithm's own buffers, counted from its allocations.
    pub model_bytes: u64,
    /// Predicted multiply-adds.
    pub predicted_flops: f64,
    /// Largest |difference| from the quadratic reference (when checked).
    pub max_abs_diff: Option<f64>,
    /// Why the method was not run at this N, if it was not.
    pub skipped: Option<String>,
}

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
}

/// Fits `log t` against `log n` by least squares (needs two distinct `n`).
pub fn fit_power_law(method: &'static str, points: &[(usize, f64)]) -> Option<PowerLaw> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|(n, t)| *n > 0 && *t > 0.0)
        .map(|&(n, t)| ((n as f64).ln(), t.ln()))
        .collect();
    let k = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / k;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / k;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if pts.len() < 2 || sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    Some(PowerLaw {
        method,
        slope,
        intercept: my - slope * mx,
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

/// Everything `hw6 attention` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport {
    pub config: CostConfig,
    pub rows: Vec<CostRow>,
    pub fits: Vec<PowerLaw>,
    pub crossover: Crossover,
    /// `t_softmax / t_linear(quadratic)` at the largest N where both ran.
    pub speedup_at_largest: Option<(usize, f64)>,
    /// Threads candle's CPU kernels use.
    pub threads: usize,
    /// Whether `peak_bytes` are measured (counting allocator installed).
    pub peak_measured: bool,
}

/// Seeded `(n, d)`, `(n, d)`, `(n, m)` inputs; Q and K are scaled by
/// `d^(-1/4)` so `qᵀk` has unit variance, like normalised activations.
pub fn random_qkv(n: usize, d: usize, m: usize, seed: u64) -> Result<(Tensor, Tensor, Tensor)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let s = (d as f32).powf(-0.25);
    let mut draw = |rows: usize, cols: usize, scale: f32| {
        let data: Vec<f32> = (0..rows * cols)
            .map(|_| rng.sample::<f32, _>(StandardNormal) * scale)
            .collect();
        Tensor::from_vec(data, (rows, cols), &Device::Cpu)
    };
    Ok((draw(n, d, s)?, draw(n, d, s)?, draw(n, m, 1.0)?))
}

/// Times `f`: one warm-up, then at least `repeats` runs and at least
/// `min_seconds` in total. Returns (fastest seconds, runs).
fn time_runs(
    repeats: usize,
    min_seconds: f64,
    mut f: impl FnMut() -> Result<()>,
) -> Result<(f64, usize)> {
    f()?;
    let (mut best, mut runs, start) = (f64::INFINITY, 0, Instant::now());
    while runs < repeats || (start.elapsed().as_secs_f64() < min_seconds && runs < 10_000) {
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed().as_secs_f64());
        runs += 1;
    }
    Ok((best, runs))
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> Result<f64> {
    Ok((a - b)?.abs()?.flatten_all()?.max(0)?.to_scalar::<f32>()? as f64)
}

fn measure(config: &CostConfig, method: Method, n: usize) -> Result<CostRow> {
    let (d, m) = (config.d, config.m);
    let model_bytes = method.model_bytes(n, d, m);
    let mut row = CostRow {
        n,
        d,
        m,
        method: method.name(),
        seconds: None,
        runs: 0,
        peak_bytes: None,
        model_bytes,
        predicted_flops: method.predicted_flops(n, d, m),
        max_abs_diff: None,
        skipped: None,
    };
    if model_bytes > config.memory_budget_bytes {
        row.skipped = Some(format!(
            "needs {:.2} GiB > budget {:.2} GiB",
            model_bytes as f64 / (1u64 << 30) as f64,
            config.memory_budget_bytes as f64 / (1u64 << 30) as f64
        ));
        return Ok(row);
    }
    let (q, k, v) = random_qkv(n, d, m, config.seed)?;
    let (seconds, runs) = time_runs(config.repeats, config.min_seconds, || {
        method.run(&q, &k, &v).map(drop)
    })?;
    let (out, heap) = measure_heap(|| method.run(&q, &k, &v));
    let out = out?;
    row.seconds = Some(seconds);
    row.runs = runs;
    row.peak_bytes = heap.map(|h| h.peak_bytes);
    if n <= config.check_up_to {
        row.max_abs_diff = Some(max_abs_diff(&out, &method.reference(&q, &k, &v)?)?);
    }
    Ok(row)
}

fn scan_crossover(config: &CostConfig) -> Result<Vec<ScanPoint>> {
    let d2 = (config.d * config.d) as f64;
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
    let mut points = Vec::new();
    for n in ns {
        if Method::Softmax.model_bytes(n, config.d, config.m) > config.memory_budget_bytes {
            break;
        }
        let (q, k, v) = random_qkv(n, config.d, config.m, config.seed)?;
        let reps = config.repeats.max(5);
        let min_s = config.min_seconds.max(0.02);
        let (ts, _) = time_runs(reps, min_s, || Method::Softmax.run(&q, &k, &v).map(drop))?;
        let (tl, _) = time_runs(reps, min_s, || {
            Method::LinearQuadratic.run(&q, &k, &v).map(drop)
        })?;
        points.push(ScanPoint {
            n,
            softmax_seconds: ts,
            linear_seconds: tl,
        });
    }
    Ok(points)
}

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

/// Runs the benchmark, calling `progress` after each row.
pub fn run_cost_benchmark(
    config: &CostConfig,
    mut progress: impl FnMut(&CostRow),
) -> Result<CostReport> {
    config.check()?;
    let mut rows = Vec::new();
    for &n in &config.ns {
        for method in Method::ALL {
            let row = measure(config, method, n)?;
            progress(&row);
            rows.push(row);
        }
    }
    let fits: Vec<PowerLaw> = Method::ALL
        .iter()
        .filter_map(|&method| {
            let pts: Vec<(usize, f64)> = rows
                .iter()
                .filter(|r| r.method == method.name())
                .filter_map(|r| r.seconds.map(|t| (r.n, t)))
                .collect();
            fit_power_law(method.name(), &pts)
        })
        .collect();
    let fit_of = |m: Method| fits.iter().find(|f| f.method == m.name());
    let from_fits = match (fit_of(Method::Softmax), fit_of(Method::LinearQuadratic)) {
        (Some(s), Some(l)) if s.slope > l.slope => {
            Some(((l.intercept - s.intercept) / (s.slope - l.slope)).exp())
        }
        _ => None,
    };
    let scan = if config.scan_crossover {
        scan_crossover(config)?
    } else {
        Vec::new()
    };
    let predicted = (config.d * config.d) as f64;
    let measured = crossover_from_scan(&scan);
    let speedup_at_largest = config.ns.iter().rev().find_map(|&n| {
        let t = |m: Method| {
            rows.iter()
                .find(|r| r.n == n && r.method == m.name())
                .and_then(|r| r.seconds)
        };
        Some((n, t(Method::Softmax)? / t(Method::LinearQuadratic)?))
    });
    Ok(CostReport {
        peak_measured: rows.iter().any(|r| r.peak_bytes.is_some()),
        config: config.clone(),
        rows,
        fits,
        crossover: Crossover {
            predicted,
            measured,
            from_fits,
            ratio_to_predicted: measured.map(|x| x / predicted),
            definition: "N where t_softmax/t_linear(quadratic) crosses 1, log-interpolated between scan points (N from D^2/16 to 16 D^2, x sqrt(2) apart); linear stays faster above it",
            scan,
        },
        speedup_at_largest,
        threads: candle_core::utils::get_num_threads(),
    })
}
