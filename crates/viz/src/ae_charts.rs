//! The autoencoder notebook's two charts, from plain numbers: the original's
//! loss plot (train solid, validation dashed, one colour per model) and
//! probe accuracy against the bottleneck size `k` (log axis).
//!
//! ```
//! use hw6_viz::{accuracy_vs_k_chart, loss_chart};
//! let svg = loss_chart("k = 5", &[("vanilla", vec![3.0, 2.0], vec![3.1, 2.2])]).unwrap();
//! assert!(svg.as_str().contains("vanilla_test"));
//! let svg = accuracy_vs_k_chart("accuracy", &[("vanilla", vec![5.0, 10.0], vec![0.7, 0.8])]).unwrap();
//! assert!(svg.as_str().contains("<svg"));
//! ```

use crate::error::VizError;
use crate::line_chart::{LineChart, Series};
use crate::scatter_chart::{Points, ScatterChart};
use crate::svg::Svg;
use crate::table::Table;
use polars::prelude::{Column, DataFrame};

/// Per model `(name, train losses, validation losses)`, one value per epoch,
/// drawn like the original's `plotter`: epochs on x, "Avg. Loss" on y, the
/// validation curve dashed and named `<model>_test`.
pub fn loss_chart(title: &str, models: &[(&str, Vec<f64>, Vec<f64>)]) -> Result<Svg, VizError> {
    let mut chart = LineChart::new(title)
        .x_label("#Epochs")
        .y_label("Avg. Loss");
    for (i, (name, train, valid)) in models.iter().enumerate() {
        let xs = |n: usize| (1..=n).map(|e| e as f64).collect::<Vec<_>>();
        chart = chart
            .series(Series::new(*name, xs(train.len()), train.clone()).color_index(i))
            .series(
                Series::new(format!("{name}_test"), xs(valid.len()), valid.clone())
                    .color_index(i)
                    .dashed(true),
            );
    }
    chart.render()
}

/// Per model `(name, ks, accuracies)`, joined by lines on a logarithmic `k` axis.
pub fn accuracy_vs_k_chart(
    title: &str,
    models: &[(&str, Vec<f64>, Vec<f64>)],
) -> Result<Svg, VizError> {
    let mut chart = ScatterChart::new(title)
        .x_label("bottleneck size k")
        .y_label("probe accuracy (test)")
        .log_x(true);
    for (i, (name, ks, acc)) in models.iter().enumerate() {
        chart = chart.points(
            Points::new(*name, ks.clone(), acc.clone())
                .color_index(i)
                .line(true),
        );
    }
    chart.render()
}

/// A table with a `k` column and one column of values per model (the
/// original's "Model : ..., Accuracy : ..." report, one row per `k`).
pub fn accuracy_table(
    caption: &str,
    ks: &[i64],
    models: &[(&str, Vec<f64>)],
) -> Result<Table, VizError> {
    let mut columns = vec![Column::new("k".into(), ks.to_vec())];
    for (name, values) in models {
        if values.len() != ks.len() {
            return Err(VizError::bad_data(
                caption,
                format!(
                    "column '{name}' has {} values for {} values of k",
                    values.len(),
                    ks.len()
                ),
            ));
        }
        columns.push(Column::new((*name).into(), values.clone()));
    }
    let frame = DataFrame::new(ks.len(), columns).map_err(|e| VizError::Table(e.to_string()))?;
    Ok(Table::new(frame).caption(caption).decimals(4))
}
