//! [`LineChart`]: several named [`Series`] against a shared x axis, with a
//! legend (upper right), axis labels and optional logarithmic axes.
//!
//! ```
//! use hw6_viz::{LineChart, Series};
//! let svg = LineChart::new("loss")
//!     .x_label("epoch")
//!     .y_label("MSE")
//!     .series(Series::new("train", vec![1.0, 2.0, 3.0], vec![3.0, 2.0, 1.5]))
//!     .series(Series::new("valid", vec![1.0, 2.0, 3.0], vec![3.2, 2.4, 2.0]).dashed(true))
//!     .render()
//!     .unwrap();
//! assert!(svg.as_str().contains("<svg"));
//! ```

use crate::chart::{Chart, LegendCorner, PointSet};
use crate::scatter_chart::Points;

/// A line chart under construction; [`LineChart::render`] draws it.
pub type LineChart = Chart<Series>;

/// One line: a name for the legend, points, and how to draw them.
#[derive(Clone, Debug)]
pub struct Series(Points);

impl Series {
    /// A series named `name` through the points `(xs[i], ys[i])`; `xs` and
    /// `ys` must have the same length.
    pub fn new(name: impl Into<String>, xs: Vec<f64>, ys: Vec<f64>) -> Self {
        Self(Points::new(name, xs, ys).line(true).markers(false))
    }

    /// A series whose x values are 1, 2, ..., ys.len() (epochs, say).
    pub fn from_ys(name: impl Into<String>, ys: Vec<f64>) -> Self {
        let xs = (1..=ys.len()).map(|i| i as f64).collect();
        Self::new(name, xs, ys)
    }

    /// Uses colour number `index` of the chart's [`palette`](crate::palette)
    /// (series that share an index share a colour, like a model's train and
    /// validation curves).
    pub fn color_index(self, index: usize) -> Self {
        Self(self.0.color_index(index))
    }

    /// Draws the line dashed (keeping the dots, if any).
    pub fn dashed(mut self, dashed: bool) -> Self {
        self.0.dashed = dashed;
        self
    }

    /// Marks each point with a dot.
    pub fn markers(self, markers: bool) -> Self {
        Self(self.0.markers(markers))
    }
}

impl PointSet for Series {
    const LEGEND: LegendCorner = LegendCorner::UpperRight;

    fn to_points(&self) -> Points {
        self.0.clone()
    }
}

impl Chart<Series> {
    /// Adds a line.
    pub fn series(mut self, series: Series) -> Self {
        self.sets.push(series);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> LineChart {
        LineChart::new("t")
            .x_label("epoch")
            .y_label("loss")
            .series(Series::from_ys("train", vec![4.0, 2.0, 1.0]).color_index(0))
            .series(
                Series::from_ys("valid", vec![5.0, 3.0, 2.0])
                    .color_index(0)
                    .dashed(true),
            )
    }

    #[test]
    fn renders_every_series_name_and_label() {
        let svg = chart().render().unwrap();
        for text in ["train", "valid", "epoch", "loss"] {
            assert!(svg.as_str().contains(text), "missing {text}");
        }
        // Two colours requested with the same index give one stroke colour.
        assert!(svg.as_str().contains("<polyline"));
    }

    #[test]
    fn log_axis_rejects_non_positive_values() {
        let err = LineChart::new("t")
            .log_y(true)
            .series(Series::from_ys("a", vec![1.0, 0.0]))
            .render()
            .unwrap_err();
        assert!(err.to_string().contains("log axis"), "{err}");
        assert!(chart().log_y(true).render().is_ok());
    }

    #[test]
    fn nan_and_ragged_series_are_errors() {
        let nan = LineChart::new("t").series(Series::from_ys("a", vec![1.0, f64::NAN]));
        assert!(nan.render().unwrap_err().to_string().contains("non-finite"));
        let ragged = LineChart::new("t").series(Series::new("a", vec![1.0], vec![1.0, 2.0]));
        assert!(ragged.render().is_err());
        assert!(LineChart::new("empty").render().is_err());
    }
}
