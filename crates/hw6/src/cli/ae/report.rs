//! What `hw6 ae` prints and writes after its runs: one line per run, the
//! mean accuracy table, the charts, and with `--bench` the speed table.

use std::path::Path;
use std::time::Instant;

use hw6_datasets::Dataset;
use hw6_models::{Arch, RunResult, SweepResults};
use hw6_viz::{accuracy_vs_k_chart, loss_chart};

use crate::cli::JsonLines;

/// GFLOP/s of a plain 2048 x 2048 x 2048 f32 matrix product through candle
/// (the gemm crate, all threads), best of `reps` after a warm-up.
pub fn plain_matmul_gflops(reps: usize) -> anyhow::Result<f64> {
    use candle_core::{Device, Tensor};
    let n = 2048;
    let a = Tensor::randn(0f32, 1.0, (n, n), &Device::Cpu)?;
    let b = Tensor::randn(0f32, 1.0, (n, n), &Device::Cpu)?;
    let mut best = f64::INFINITY;
    let _ = a.matmul(&b)?; // warm up
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let c = a.matmul(&b)?;
        let _ = c.dims();
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(2.0 * (n as f64).powi(3) / best / 1e9)
}

/// One line for a finished run.
pub fn run_line(r: &RunResult) -> String {
    format!(
        "{} {} {:>8} k={:<5} repeat {}: train {:.4} valid {:.4} accuracy {:.4} ({:.2} s)",
        r.dataset,
        r.arch,
        r.model,
        r.k,
        r.repeat,
        r.train_loss,
        r.valid_loss,
        r.accuracy,
        r.seconds
    )
}

/// Mean probe accuracy per model and `k`, like the original's report.
pub fn accuracy_table(
    results: &SweepResults,
    repeats: usize,
    load_seconds: f64,
    err: bool,
) -> anyhow::Result<()> {
    say!(
        err,
        "\nmean probe accuracy on the test split ({repeats} repeats):"
    );
    let (ks, columns) = results.accuracy_columns();
    say_part!(err, "{:>8}", "k");
    for (model, _) in &columns {
        say_part!(err, "{model:>10}");
    }
    say!(err, "");
    for (row, k) in ks.iter().enumerate() {
        say_part!(err, "{k:>8}");
        for (_, accuracies) in &columns {
            say_part!(err, "{:>10.4}", accuracies[row]);
        }
        say!(err, "");
    }
    let (n, seconds) = (results.runs.len(), results.seconds);
    say!(err, "{n} runs in {seconds:.2} s (data {load_seconds:.2} s)");
    Ok(())
}

/// The loss curves per `k` and the accuracy against `k`, as SVG files in `dir`.
pub fn charts(
    results: &SweepResults,
    dataset: &Dataset,
    arch: Arch,
    dir: &Path,
) -> anyhow::Result<()> {
    let stem = format!("ae_{}_{}", dataset.source.key(), arch.name());
    let (name, arch) = (&dataset.name, arch.name());
    for &k in &results.ks {
        let title = format!("{name} {arch} autoencoders, k = {k}");
        let path = dir.join(format!("{stem}_k{k}.svg"));
        loss_chart(&title, &results.loss_curves(k))?.save(&path)?;
        eprintln!("wrote {}", path.display());
    }
    let path = dir.join(format!("{stem}_accuracy.svg"));
    let title = format!("{name} {arch}: probe accuracy against k");
    accuracy_vs_k_chart(&title, &results.accuracy_series())?.save(&path)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// The speed of every run beside the plain products timed around it.
pub fn speed_table(
    results: &SweepResults,
    matmul_marks: &[f64],
    json: Option<&mut JsonLines>,
    err: bool,
) -> anyhow::Result<()> {
    let threads = hw6_linalg::num_threads();
    say!(err, "\nspeed ({threads} threads for matrix products):");
    say!(
        err,
        "{:>10} {:>9} {:>6} {:>5} {:>9} {:>10} {:>8} {:>9} {:>9} {:>9} {:>7} {:>8}",
        "dataset",
        "arch",
        "model",
        "k",
        "s/epoch",
        "samples/s",
        "GFLOP/s",
        "steps GF",
        "best ep",
        "plain GF",
        "steps %",
        "run s"
    );
    // The faster of the two products timed around each run: like the
    // fastest epoch, the one least disturbed by other work.
    let plain_per_run: Vec<f64> = matmul_marks.windows(2).map(|w| w[0].max(w[1])).collect();
    for (r, plain) in results.runs.iter().zip(&plain_per_run) {
        say!(
            err,
            "{:>10} {:>9} {:>6} {:>5} {:>9.4} {:>10.0} {:>8.1} {:>9.1} {:>9.1} {:>9.1} {:>6.0}% {:>8.3}",
            r.dataset.chars().take(10).collect::<String>(),
            r.arch,
            &r.model[..r.model.len().min(6)],
            r.k,
            r.seconds_per_epoch,
            r.samples_per_second,
            r.gflops,
            r.step_gflops,
            r.best_epoch_step_gflops,
            plain,
            100.0 * r.best_epoch_step_gflops / plain,
            r.seconds
        );
    }
    say!(
        err,
        "GFLOP/s: whole training (steps and per-epoch losses); steps GF: train steps alone, \
         whole run; best ep: train steps of the fastest epoch; plain GF: a plain 2048^3 f32 \
         product (candle/gemm, same threads), the faster of one timed right before and one \
         right after the run, each the best of 2-3; steps % = best ep / plain GF (fastest \
         against fastest, so that another program's load on the machine counts on neither side)."
    );
    if let Some(j) = json {
        j.write(&serde_json::json!({
            "event": "bench", "matmul_gflops_marks": matmul_marks,
            "matmul_gflops_per_run": plain_per_run,
            "threads": threads, "total_seconds": results.seconds,
        }))?;
    }
    Ok(())
}
