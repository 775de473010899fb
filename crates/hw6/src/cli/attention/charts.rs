//! The benchmark's charts: time and peak heap against N, and the crossover scan.

use std::path::Path;

use hw6_attention::{AttentionMethod, CostReport, CostRow};
use hw6_viz::{Points, ScatterChart};

/// Writes `attention_time.svg`, `attention_memory.svg` and, when the scan
/// ran, `attention_crossover.svg` into `dir`.
pub(super) fn save_cost_charts(report: &CostReport, dir: &Path, err: bool) -> anyhow::Result<()> {
    crate::cli::save_svg(time_chart(report).render()?, dir, "attention_time.svg", err)?;
    crate::cli::save_svg(
        memory_chart(report).render()?,
        dir,
        "attention_memory.svg",
        err,
    )?;
    if let Some(chart) = crossover_chart(report) {
        crate::cli::save_svg(chart.render()?, dir, "attention_crossover.svg", err)?;
    }
    Ok(())
}

/// The rows of `method` that ran (were not skipped).
fn ran(report: &CostReport, method: AttentionMethod) -> Vec<&CostRow> {
    report
        .rows
        .iter()
        .filter(|r| r.method == method.name() && r.seconds.is_some())
        .collect()
}

fn time_chart(report: &CostReport) -> ScatterChart {
    let (d, m) = (report.config.d, report.config.m);
    let mut chart = ScatterChart::new(format!("attention time, D = {d}, M = {m}"))
        .x_label("sequence length N")
        .y_label("seconds (fastest run)")
        .log_x(true)
        .log_y(true);
    for (i, method) in AttentionMethod::ALL.iter().enumerate() {
        let rows = ran(report, *method);
        let Some(fit) = report.fits.iter().find(|f| f.method == method.name()) else {
            continue;
        };
        chart = chart.points(
            Points::new(
                format!("{} (slope {:.2})", method.name(), fit.slope),
                rows.iter().map(|r| r.n as f64).collect(),
                rows.iter().filter_map(|r| r.seconds).collect(),
            )
            .line(true)
            .color_index(i),
        );
    }
    chart
}

fn memory_chart(report: &CostReport) -> ScatterChart {
    let mut chart = ScatterChart::new("attention peak heap bytes")
        .x_label("sequence length N")
        .y_label("bytes")
        .log_x(true)
        .log_y(true);
    for (i, method) in AttentionMethod::ALL.iter().enumerate() {
        let rows = ran(report, *method);
        let peak: Vec<(f64, f64)> = rows
            .iter()
            .filter_map(|r| r.peak_bytes.map(|b| (r.n as f64, (b as f64).max(1.0))))
            .collect();
        if !peak.is_empty() {
            chart = chart.points(
                Points::new(
                    format!("{} measured", method.name()),
                    peak.iter().map(|p| p.0).collect(),
                    peak.iter().map(|p| p.1).collect(),
                )
                .line(true)
                .color_index(i),
            );
        }
        chart = chart.points(
            Points::new(
                format!("{} model", method.name()),
                rows.iter().map(|r| r.n as f64).collect(),
                rows.iter().map(|r| r.model_bytes as f64).collect(),
            )
            .dashed(true)
            .color_index(i),
        );
    }
    chart
}

fn crossover_chart(report: &CostReport) -> Option<ScatterChart> {
    let scan = &report.crossover.scan;
    if scan.is_empty() {
        return None;
    }
    let ns: Vec<f64> = scan.iter().map(|p| p.n as f64).collect();
    let (lo, hi) = scan
        .iter()
        .flat_map(|p| [p.softmax_seconds, p.linear_seconds])
        .fold((f64::INFINITY, 0f64), |(a, b), t| (a.min(t), b.max(t)));
    let d2 = report.crossover.predicted;
    let softmax = scan.iter().map(|p| p.softmax_seconds).collect();
    let linear = scan.iter().map(|p| p.linear_seconds).collect();
    let mut chart = ScatterChart::new("crossover scan")
        .x_label("sequence length N")
        .y_label("seconds")
        .log_x(true)
        .log_y(true)
        .points(
            Points::new("softmax", ns.clone(), softmax)
                .line(true)
                .color_index(0),
        )
        .points(
            Points::new("linear (quadratic)", ns, linear)
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
    Some(chart)
}
