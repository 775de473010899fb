//! `hw6 attention`: part 3(c) measured (softmax against linear attention as
//! the sequence grows) and, with `--scaling`, part 2 (why divide by sqrt(d)).
//!
//! Peak bytes are measured: this binary's global allocator is
//! [`CountingAllocator`], which counts every heap allocation on every thread.

mod charts;
mod report;
mod scaling;

use hw6_attention::{AttentionMethod, CostConfig, CountingAllocator, run_cost_benchmark};
use serde_json::json;

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

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

impl Args {
    /// The benchmark settings these options ask for.
    fn cost_config(&self) -> anyhow::Result<CostConfig> {
        if !(self.budget_gib > 0.0 && self.budget_gib.is_finite()) {
            anyhow::bail!(
                "--budget-gib must be a positive number of GiB, got {}",
                self.budget_gib
            );
        }
        Ok(CostConfig {
            ns: self.n.clone(),
            d: self.d,
            m: self.m,
            repeats: self.repeats,
            memory_budget_bytes: (self.budget_gib * (1u64 << 30) as f64) as u64,
            check_up_to: self.check_up_to,
            scan_crossover: !self.no_scan,
            seed: self.seed,
            ..CostConfig::default()
        })
    }
}

pub fn run(args: &Args, common: &super::Common) -> anyhow::Result<()> {
    let err = common.json_on_stdout();
    if args.scaling {
        return scaling::run(args, common);
    }
    let config = args.cost_config()?;
    say!(
        err,
        "attention cost: D = {}, M = {}, C(quadratic) = {}, budget {:.1} GiB, {} threads; peak bytes measured by a counting allocator",
        config.d,
        config.m,
        AttentionMethod::LinearQuadratic
            .features(config.d)
            .unwrap_or(0),
        args.budget_gib,
        candle_core::utils::get_num_threads()
    );
    report::print_header(err)?;
    let mut json = common.json_writer()?;
    // Rows are printed as they are measured; a closed stdout stops the
    // program after the benchmark returns.
    let mut print_error: Option<std::io::Error> = None;
    let report = run_cost_benchmark(&config, |row| {
        if let Err(e) = report::print_row(row, err) {
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
    report::print_summary(&report, err)?;
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
        charts::save_cost_charts(&report, dir, err)?;
    }
    Ok(())
}
