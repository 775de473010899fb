//! Part 3(c) measured: time and peak memory of each [`AttentionMethod`] as
//! the sequence length `N` grows, for the notebook and `hw6 attention`.
//!
//! Every method runs on the same candle CPU kernels (the same matrix multiply
//! on the same thread pool), so the comparison is between algorithms, not
//! implementations. The linear methods run a [`LinearAttentionCode`]: the
//! notebook's own ([`run_cost_benchmark_with`]) or this crate's
//! ([`run_cost_benchmark`]). `peak_bytes` is measured by the
//! [`CountingAllocator`](crate::CountingAllocator) when the program installed
//! it; `model_bytes` is [`AttentionMethod::model_bytes`] for the feature
//! widths used.

use crate::cost::{AttentionMethod, LinearAttentionCode, model_bytes, predicted_flops};
use crate::error::Result;
use crate::fit::{
    CROSSOVER_DEFINITION, Crossover, PowerLaw, ScanPoint, crossover_from_scan, fit_power_law,
    scan_lengths,
};
use crate::inputs::random_qkv;
use crate::memory::measure_heap;
use crate::shapes::to_rows;
use hw6_exercise::ParamError;
use hw6_linalg::max_abs_diff;
use serde::Serialize;
use std::time::Instant;

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
    /// `N = 256, 1024, 4096, 16384`, `D = M = 16`, 3 repeats, a 4 GiB
    /// budget, reference checks up to `N = 1024`, crossover scan on.
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
        if self.ns.is_empty() || self.ns.contains(&0) {
            let allowed = "give one or more lengths, each >= 1";
            return Err(ParamError::new("n", &self.ns, allowed).into());
        }
        if self.d == 0 || self.d > 256 {
            return Err(ParamError::new("d", self.d, "use 1 <= d <= 256").into());
        }
        if self.m == 0 {
            return Err(ParamError::new("m", self.m, "use m >= 1").into());
        }
        if self.repeats == 0 {
            return Err(ParamError::new("repeats", self.repeats, "use repeats >= 1").into());
        }
        if !(self.min_seconds >= 0.0 && self.min_seconds.is_finite()) {
            let allowed = "use a finite value >= 0";
            return Err(ParamError::new("min_seconds", self.min_seconds, allowed).into());
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

fn measure(
    config: &CostConfig,
    method: AttentionMethod,
    code: LinearAttentionCode<'_>,
    n: usize,
) -> Result<CostRow> {
    let (d, m) = (config.d, config.m);
    let c = method.features_with(d, code);
    let model_bytes = model_bytes(c, n, d, m);
    let mut row = CostRow {
        n,
        d,
        m,
        method: method.name(),
        seconds: None,
        runs: 0,
        peak_bytes: None,
        model_bytes,
        predicted_flops: predicted_flops(c, n, d, m),
        max_abs_diff: None,
        skipped: None,
    };
    if model_bytes > config.memory_budget_bytes {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        row.skipped = Some(format!(
            "needs {:.2} GiB > budget {:.2} GiB",
            gib(model_bytes),
            gib(config.memory_budget_bytes)
        ));
        return Ok(row);
    }
    let (q, k, v) = random_qkv(n, d, m, config.seed)?;
    let run = || method.run_with(&q, &k, &v, code);
    let (seconds, runs) = time_runs(config.repeats, config.min_seconds, || run().map(drop))?;
    let (out, heap) = measure_heap(run);
    let out = out?;
    row.seconds = Some(seconds);
    row.runs = runs;
    row.peak_bytes = heap.map(|h| h.peak_bytes);
    if n <= config.check_up_to {
        let want = method.reference_with(&q, &k, &v, code)?;
        row.max_abs_diff = Some(max_abs_diff(&to_rows(&out)?, &to_rows(&want)?) as f64);
    }
    Ok(row)
}

fn scan_crossover(config: &CostConfig, code: LinearAttentionCode<'_>) -> Result<Vec<ScanPoint>> {
    let mut points = Vec::new();
    for n in scan_lengths(config.d) {
        if model_bytes(None, n, config.d, config.m) > config.memory_budget_bytes {
            break;
        }
        let (q, k, v) = random_qkv(n, config.d, config.m, config.seed)?;
        let (reps, min_s) = (config.repeats.max(5), config.min_seconds.max(0.02));
        let time = |method: AttentionMethod| {
            time_runs(reps, min_s, || method.run_with(&q, &k, &v, code).map(drop)).map(|(t, _)| t)
        };
        points.push(ScanPoint {
            n,
            softmax_seconds: time(AttentionMethod::Softmax)?,
            linear_seconds: time(AttentionMethod::LinearQuadratic)?,
        });
    }
    Ok(points)
}

/// Power-law fits of seconds against `N`, one per method that ran twice.
fn fit_methods(rows: &[CostRow]) -> Vec<PowerLaw> {
    AttentionMethod::ALL
        .iter()
        .filter_map(|&method| {
            let pts: Vec<(usize, f64)> = rows
                .iter()
                .filter(|r| r.method == method.name())
                .filter_map(|r| r.seconds.map(|t| (r.n, t)))
                .collect();
            fit_power_law(method.name(), &pts)
        })
        .collect()
}

/// Runs the benchmark on this crate's implementations, calling `progress`
/// after each row.
pub fn run_cost_benchmark(
    config: &CostConfig,
    progress: impl FnMut(&CostRow),
) -> Result<CostReport> {
    run_cost_benchmark_with(config, LinearAttentionCode::reference(), progress)
}

/// Runs the benchmark with `code` as the linear methods (the notebook's
/// linear attention and feature map), calling `progress` after each row.
pub fn run_cost_benchmark_with(
    config: &CostConfig,
    code: LinearAttentionCode<'_>,
    mut progress: impl FnMut(&CostRow),
) -> Result<CostReport> {
    config.check()?;
    let mut rows = Vec::new();
    for &n in &config.ns {
        for method in AttentionMethod::ALL {
            let row = measure(config, method, code, n)?;
            progress(&row);
            rows.push(row);
        }
    }
    let fits = fit_methods(&rows);
    let fit_of = |m: AttentionMethod| fits.iter().find(|f| f.method == m.name());
    let from_fits = match (
        fit_of(AttentionMethod::Softmax),
        fit_of(AttentionMethod::LinearQuadratic),
    ) {
        (Some(s), Some(l)) => s.meets(l),
        _ => None,
    };
    let scan = if config.scan_crossover {
        scan_crossover(config, code)?
    } else {
        Vec::new()
    };
    let predicted = (config.d * config.d) as f64;
    let measured = crossover_from_scan(&scan);
    let speedup_at_largest = config.ns.iter().rev().find_map(|&n| {
        let t = |m: AttentionMethod| {
            rows.iter()
                .find(|r| r.n == n && r.method == m.name())
                .and_then(|r| r.seconds)
        };
        Some((
            n,
            t(AttentionMethod::Softmax)? / t(AttentionMethod::LinearQuadratic)?,
        ))
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
            definition: CROSSOVER_DEFINITION,
            scan,
        },
        speedup_at_largest,
        threads: candle_core::utils::get_num_threads(),
    })
}
