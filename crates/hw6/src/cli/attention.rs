//! `hw6 attention`: part 3(c) measured (softmax against linear attention as
//! the sequence grows) and, with `--scaling`, part 2 (why divide by sqrt(d)).
//!
//! Peak bytes are measured: this binary's global allocator is
//! [`CountingAllocator`], which counts every heap allocation on every thread.

use std::path::Path;

use hw6_attention::cost::{CostConfig, CostReport, Method, run_cost_benchmark};
use hw6_attention::memory::CountingAllocator;
use hw6_attention::scaling::{ScalingConfig, scaled_dot_products};
use hw6_viz::scatter_chart::{Points, ScatterChart};
use serde_json::json;

/// Prints a human-readable line: to standard output, or to standard error
/// when `--json -` has standard output for the JSON lines.
#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

const MIB: f64 = (1u64 << 20) as f64;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Sequence lengths N to time (queries = keys = N), comma separated.
    #[arg(long, value_delimiter = ',', default_values_t = [256usize, 1024, 4096, 16384])]
    pub n: Vec<usize>,
    /// Query/key width D (the predicted crossover is N = D^2).
    #[arg(long, default_value_t = 16)]
    pub d: usize,
    /// Value width M.
    #[arg(long, default_value_t = 16)]
    pub m: usize,
    /// Timed runs per (method, N) after a warm-up; the fastest is reported.
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// Memory budget in GiB for one method's own buffers; a method whose
    /// buffers would exceed it at some N is skipped there.
    #[arg(long, default_value_t = 4.0)]
    pub budget_gib: f64,
    /// Compare each method with the quadratic form of equation (3) up to this N.
    #[arg(long, default_value_t = 1024)]
    pub check_up_to: usize,
    /// Skip the crossover scan (N from D^2/16 to 16 D^2).
    #[arg(long)]
    pub no_scan: bool,
    /// Seed for Q, K, V and the part 2 samples.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Run the part 2 experiment (scaled dot products) instead of the timing.
    #[arg(long)]
    pub scaling: bool,
    /// Smaller part 2 samples (with --scaling).
    #[arg(long)]
    pub quick: bool,
}

pub fn run(args: &Args, common: &super::Common) -> anyhow::Result<()> {
    let err = common.json_on_stdout();
    if args.scaling {
        return run_scaling(args, common);
    }
    if !(args.budget_gib > 0.0 && args.budget_gib.is_finite()) {
        anyhow::bail!(
            "--budget-gib must be a positive number of GiB, got {}",
            args.budget_gib
        );
    }
    let config = CostConfig {
        ns: args.n.clone(),
        d: args.d,
        m: args.m,
        repeats: args.repeats,
        memory_budget_bytes: (args.budget_gib * (1u64 << 30) as f64) as u64,
        check_up_to: args.check_up_to,
        scan_crossover: !args.no_scan,
        seed: args.seed,
        ..CostConfig::default()
    };
    say!(
        err,
        "attention cost: D = {}, M = {}, C(quadratic) = {}, budget {:.1} GiB, {} threads; peak bytes measured by a counting allocator",
        config.d,
        config.m,
        Method::LinearQuadratic.features(config.d).unwrap_or(0),
        args.budget_gib,
        candle_core::utils::get_num_threads()
    );
    say!(
        err,
        "{:>7}  {:<20} {:>11} {:>13} {:>13} {:>12}",
        "N",
        "method",
        "seconds",
        "peak MiB",
        "model MiB",
        "max|diff|"
    );
    let mut json = common.json_writer()?;
    // Rows are printed as they are measured; a closed stdout stops the
    // program after the benchmark returns.
    let mut print_error: Option<std::io::Error> = None;
    let report = run_cost_benchmark(&config, |row| {
        let print_row = || -> std::io::Result<()> {
            let secs = row.seconds.map_or("skipped".into(), |s| format!("{s:.3e}"));
            let peak = row
                .peak_bytes
                .map_or("-".into(), |b| format!("{:.3}", b as f64 / MIB));
            let diff = row.max_abs_diff.map_or("-".into(), |d| format!("{d:.1e}"));
            say!(
                err,
                "{:>7}  {:<20} {:>11} {:>13} {:>13.3} {:>12}{}",
                row.n,
                row.method,
                secs,
                peak,
                row.model_bytes as f64 / MIB,
                diff,
                row.skipped
                    .as_deref()
                    .map(|s| format!("  ({s})"))
                    .unwrap_or_default()
            );
            Ok(())
        };
        if let Err(e) = print_row() {
            print_error.get_or_insert(e);
        }
    })?;
    if let Some(e) = print_error {
        return Err(e.into());
    }
    if let Some(out) = json.as_mut() {
        for row in &report.rows {
            out.write(&json!({"kind": "cost", "row": row}))?;
        }
    }
    print_summary(&report, err)?;
    if let Some(out) = json.as_mut() {
        out.write(&json!({
            "kind": "summary",
            "d": report.config.d,
            "m": report.config.m,
            "threads": report.threads,
            "peak_measured": report.peak_measured,
            "memory_budget_bytes": report.config.memory_budget_bytes,
            "fits": report.fits,
            "crossover": report.crossover,
            "speedup_at_largest": report.speedup_at_largest,
        }))?;
    }
    if let Some(dir) = common.svg_dir()? {
        cost_charts(&report, dir, err)?;
    }
    Ok(())
}

fn print_summary(report: &CostReport, err: bool) -> anyhow::Result<()> {
    say!(err, "");
    for fit in &report.fits {
        say!(
            err,
            "log-log slope of seconds against N, {:<20} {:.2} ({} points)",
            fit.method,
            fit.slope,
            fit.points
        );
    }
    let c = &report.crossover;
    match c.measured {
        Some(x) => say!(
            err,
            "crossover: measured N = {x:.0} (t_softmax = t_linear), predicted D^2 = {:.0}, ratio {:.2}",
            c.predicted,
            x / c.predicted
        ),
        None if c.scan.is_empty() => say!(err, "crossover: not scanned (--no-scan)"),
        None => say!(
            err,
            "crossover: not bracketed by the scan ({} points); predicted D^2 = {:.0}",
            c.scan.len(),
            c.predicted
        ),
    }
    if let Some(x) = c.from_fits {
        say!(
            err,
            "crossover where the fitted power laws meet: N = {x:.0}"
        );
    }
    if let Some((n, s)) = report.speedup_at_largest {
        say!(
            err,
            "speedup of linear (quadratic features) over softmax at N = {n}: {s:.1}x"
        );
    }
    Ok(())
}

fn cost_charts(report: &CostReport, dir: &Path, err: bool) -> anyhow::Result<()> {
    let mut time = ScatterChart::new(format!(
        "attention time, D = {}, M = {}",
        report.config.d, report.config.m
    ))
    .x_label("sequence length N")
    .y_label("seconds (fastest run)")
    .log_x(true)
    .log_y(true);
    let mut memory = ScatterChart::new("attention peak heap bytes")
        .x_label("sequence length N")
        .y_label("bytes")
        .log_x(true)
        .log_y(true);
    for (i, method) in Method::ALL.iter().enumerate() {
        let rows: Vec<_> = report
            .rows
            .iter()
            .filter(|r| r.method == method.name() && r.seconds.is_some())
            .collect();
        let ns: Vec<f64> = rows.iter().map(|r| r.n as f64).collect();
        let ts: Vec<f64> = rows.iter().filter_map(|r| r.seconds).collect();
        if let Some(fit) = report.fits.iter().find(|f| f.method == method.name()) {
            time = time.points(
                Points::new(
                    format!("{} (slope {:.2})", method.name(), fit.slope),
                    ns.clone(),
                    ts,
                )
                .line(true)
                .color_index(i),
            );
        }
        let peak: Vec<(f64, f64)> = rows
            .iter()
            .filter_map(|r| r.peak_bytes.map(|b| (r.n as f64, (b as f64).max(1.0))))
            .collect();
        if !peak.is_empty() {
            memory = memory.points(
                Points::new(
                    format!("{} measured", method.name()),
                    peak.iter().map(|p| p.0).collect(),
                    peak.iter().map(|p| p.1).collect(),
                )
                .line(true)
                .color_index(i),
            );
        }
        memory = memory.points(
            Points::new(
                format!("{} model", method.name()),
                ns,
                rows.iter().map(|r| r.model_bytes as f64).collect(),
            )
            .dashed(true)
            .color_index(i),
        );
    }
    super::save_svg(time.render()?, dir, "attention_time.svg", err)?;
    super::save_svg(memory.render()?, dir, "attention_memory.svg", err)?;
    let scan = &report.crossover.scan;
    if !scan.is_empty() {
        let ns: Vec<f64> = scan.iter().map(|p| p.n as f64).collect();
        let all: Vec<f64> = scan
            .iter()
            .flat_map(|p| [p.softmax_seconds, p.linear_seconds])
            .collect();
        let (lo, hi) = all
            .iter()
            .fold((f64::INFINITY, 0f64), |(a, b), &t| (a.min(t), b.max(t)));
        let d2 = report.crossover.predicted;
        let mut chart = ScatterChart::new("crossover scan")
            .x_label("sequence length N")
            .y_label("seconds")
            .log_x(true)
            .log_y(true)
            .points(
                Points::new(
                    "softmax",
                    ns.clone(),
                    scan.iter().map(|p| p.softmax_seconds).collect(),
                )
                .line(true)
                .color_index(0),
            )
            .points(
                Points::new(
                    "linear (quadratic)",
                    ns,
                    scan.iter().map(|p| p.linear_seconds).collect(),
                )
                .line(true)
                .color_index(1),
            )
            .points(
                Points::new(
                    format!("predicted N = D^2 = {d2:.0}"),
                    vec![d2, d2],
                    vec![lo, hi],
                )
                .dashed(true)
                .color_index(2),
            );
        if let Some(x) = report.crossover.measured {
            chart = chart.points(
                Points::new(format!("measured N = {x:.0}"), vec![x, x], vec![lo, hi])
                    .dashed(true)
                    .color_index(3),
            );
        }
        super::save_svg(chart.render()?, dir, "attention_crossover.svg", err)?;
    }
    Ok(())
}

fn run_scaling(args: &Args, common: &super::Common) -> anyhow::Result<()> {
    let err = common.json_on_stdout();
    let base = if args.quick {
        ScalingConfig::quick()
    } else {
        ScalingConfig::default()
    };
    let config = ScalingConfig {
        seed: args.seed,
        ..base
    };
    let rows = scaled_dot_products(&config)?;
    say!(
        err,
        "part 2: q, k ~ N(0, I_d); {} pairs per d; softmax over {} keys, {} trials (max entropy ln {} = {:.3})",
        config.pairs,
        config.keys,
        config.trials,
        config.keys,
        (config.keys as f64).ln()
    );
    say!(
        err,
        "{:>5} {:>9} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9} {:>9}",
        "d",
        "E[q.k]",
        "Var q.k",
        "E[/√d]",
        "Var /√d",
        "H raw",
        "H scaled",
        "max raw",
        "max scal"
    );
    let mut json = common.json_writer()?;
    for r in &rows {
        say!(
            err,
            "{:>5} {:>9.3} {:>9.2} {:>9.4} {:>9.4} | {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
            r.d,
            r.mean_raw,
            r.var_raw,
            r.mean_scaled,
            r.var_scaled,
            r.entropy_raw,
            r.entropy_scaled,
            r.max_weight_raw,
            r.max_weight_scaled
        );
        if let Some(out) = json.as_mut() {
            out.write(&json!({"kind": "scaling", "seed": config.seed, "row": r}))?;
        }
    }
    if let Some(dir) = common.svg_dir()? {
        let ds: Vec<f64> = rows.iter().map(|r| r.d as f64).collect();
        let col = |f: fn(&hw6_attention::scaling::DotProductStats) -> f64| {
            rows.iter().map(f).collect::<Vec<f64>>()
        };
        let var = ScatterChart::new("variance of the dot product")
            .x_label("d")
            .y_label("sample variance")
            .log_x(true)
            .log_y(true)
            .points(
                Points::new("Var(q.k)", ds.clone(), col(|r| r.var_raw))
                    .line(true)
                    .color_index(0),
            )
            .points(
                Points::new("theory: d", ds.clone(), ds.clone())
                    .dashed(true)
                    .color_index(0),
            )
            .points(
                Points::new("Var(q.k / sqrt(d))", ds.clone(), col(|r| r.var_scaled))
                    .line(true)
                    .color_index(1),
            )
            .points(
                Points::new("theory: 1", ds.clone(), vec![1.0; ds.len()])
                    .dashed(true)
                    .color_index(1),
            );
        super::save_svg(var.render()?, dir, "scaling_variance.svg", err)?;
        let ent = ScatterChart::new("softmax of the dot products")
            .legend(hw6_viz::scatter_chart::LegendCorner::MiddleRight)
            .x_label("d")
            .y_label("entropy (nats) / largest weight")
            .log_x(true)
            .points(
                Points::new("entropy, unscaled", ds.clone(), col(|r| r.entropy_raw))
                    .line(true)
                    .color_index(0),
            )
            .points(
                Points::new("entropy, scaled", ds.clone(), col(|r| r.entropy_scaled))
                    .line(true)
                    .color_index(1),
            )
            .points(
                Points::new(
                    "max weight, unscaled",
                    ds.clone(),
                    col(|r| r.max_weight_raw),
                )
                .dashed(true)
                .color_index(0),
            )
            .points(
                Points::new(
                    "max weight, scaled",
                    ds.clone(),
                    col(|r| r.max_weight_scaled),
                )
                .dashed(true)
                .color_index(1),
            );
        super::save_svg(ent.render()?, dir, "scaling_softmax.svg", err)?;
    }
    Ok(())
}
