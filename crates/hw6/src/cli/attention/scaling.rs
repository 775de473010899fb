//! `hw6 attention --scaling`: part 2, why attention divides by `sqrt(d)`.

use std::path::Path;

use hw6_attention::{DotProductStats, ScalingConfig, scaled_dot_products};
use hw6_viz::{LegendCorner, Points, ScatterChart};
use serde_json::json;

pub(super) fn run(args: &super::Args, common: &crate::cli::Common) -> anyhow::Result<()> {
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
        save_charts(&rows, dir, err)?;
    }
    Ok(())
}

/// One curve of a chart against `d`.
fn curve(
    rows: &[DotProductStats],
    name: &str,
    f: fn(&DotProductStats) -> f64,
    color: usize,
) -> Points {
    let ds = rows.iter().map(|r| r.d as f64).collect();
    Points::new(name, ds, rows.iter().map(f).collect()).color_index(color)
}

fn save_charts(rows: &[DotProductStats], dir: &Path, err: bool) -> anyhow::Result<()> {
    let var = ScatterChart::new("variance of the dot product")
        .x_label("d")
        .y_label("sample variance")
        .log_x(true)
        .log_y(true)
        .points(curve(rows, "Var(q.k)", |r| r.var_raw, 0).line(true))
        .points(curve(rows, "theory: d", |r| r.d as f64, 0).dashed(true))
        .points(curve(rows, "Var(q.k / sqrt(d))", |r| r.var_scaled, 1).line(true))
        .points(curve(rows, "theory: 1", |_| 1.0, 1).dashed(true));
    crate::cli::save_svg(var.render()?, dir, "scaling_variance.svg", err)?;
    let ent = ScatterChart::new("softmax of the dot products")
        .legend(LegendCorner::MiddleRight)
        .x_label("d")
        .y_label("entropy (nats) / largest weight")
        .log_x(true)
        .points(curve(rows, "entropy, unscaled", |r| r.entropy_raw, 0).line(true))
        .points(curve(rows, "entropy, scaled", |r| r.entropy_scaled, 1).line(true))
        .points(curve(rows, "max weight, unscaled", |r| r.max_weight_raw, 0).dashed(true))
        .points(curve(rows, "max weight, scaled", |r| r.max_weight_scaled, 1).dashed(true));
    crate::cli::save_svg(ent.render()?, dir, "scaling_softmax.svg", err)?;
    Ok(())
}
