//! Draws a training-loss chart and a log-log scatter chart, saves both as
//! SVG files in a temporary folder and prints where they went.
//!
//! ```text
//! cargo run -p hw6-viz --example line_chart
//! ```

use hw6_viz::{LegendCorner, LineChart, Points, ScatterChart, Series, VizError};

fn main() -> Result<(), VizError> {
    // Two models, train (solid) and validation (dashed) in one colour each.
    let mut losses = LineChart::new("loss per epoch")
        .x_label("epoch")
        .y_label("MSE")
        .log_y(true);
    for (i, (name, rate)) in [("wide", 0.5), ("narrow", 0.8)].into_iter().enumerate() {
        let train: Vec<f64> = (0..20).map(|e| 2.0 * f64::powi(rate, e) + 0.05).collect();
        let valid: Vec<f64> = train.iter().map(|l| l * 1.2 + 0.02).collect();
        losses = losses
            .series(Series::from_ys(name, train).color_index(i))
            .series(
                Series::from_ys(format!("{name} (valid)"), valid)
                    .color_index(i)
                    .dashed(true),
            );
    }

    // Time against size on log-log axes: a power law is a straight line.
    let n: Vec<f64> = (8..=14).map(|k| f64::powi(2.0, k)).collect();
    let seconds: Vec<f64> = n.iter().map(|n| 1e-9 * n * n).collect();
    let timing = ScatterChart::new("time against N")
        .x_label("N")
        .y_label("seconds")
        .log_x(true)
        .log_y(true)
        .legend(LegendCorner::LowerRight)
        .points(Points::new("measured", n.clone(), seconds.clone()))
        .points(Points::new("N^2", n, seconds).dashed(true));

    let dir = std::env::temp_dir().join("hw6-viz-example");
    std::fs::create_dir_all(&dir).map_err(|source| VizError::Write {
        path: dir.clone(),
        source,
    })?;
    for (name, chart) in [
        ("losses.svg", losses.render()?),
        ("timing.svg", timing.render()?),
    ] {
        let path = dir.join(name);
        chart.save(&path)?;
        println!("{} ({} bytes)", path.display(), chart.as_str().len());
    }
    Ok(())
}
