//! The benchmark's table and summary lines.

use hw6_attention::{CostReport, CostRow};

const MIB: f64 = (1u64 << 20) as f64;

/// The column heads of [`print_row`].
pub(super) fn print_header(err: bool) -> std::io::Result<()> {
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
    Ok(())
}

/// One measured (method, N) as a table line.
pub(super) fn print_row(row: &CostRow, err: bool) -> std::io::Result<()> {
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
}

/// Slopes, the crossover and the speedup.
pub(super) fn print_summary(report: &CostReport, err: bool) -> std::io::Result<()> {
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
