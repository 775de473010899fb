//! [`LineChart`]: several named series against a shared x axis, with a legend,
//! axis labels and an optional logarithmic y axis.
//!
//! ```
//! use hw6_viz::line_chart::{LineChart, Series};
//! let svg = LineChart::new("loss")
//!     .x_label("epoch")
//!     .y_label("MSE")
//!     .series(Series::new("train", vec![1.0, 2.0, 3.0], vec![3.0, 2.0, 1.5]))
//!     .series(Series::new("valid", vec![1.0, 2.0, 3.0], vec![3.2, 2.4, 2.0]).dashed(true))
//!     .render()
//!     .unwrap();
//! assert!(svg.as_str().contains("<svg"));
//! ```

use crate::error::VizError;
use crate::scatter_chart::{LegendCorner, Points, ScatterChart};
use crate::svg::Svg;

/// One line: a name for the legend, points, and how to draw them.
#[derive(Clone, Debug)]
pub struct Series {
    name: String,
    xs: Vec<f64>,
    ys: Vec<f64>,
    color: Option<usize>,
    dashed: bool,
    markers: bool,
}

impl Series {
    /// A series named `name` through the points `(xs[i], ys[i])`; `xs` and
    /// `ys` must have the same length.
    pub fn new(name: impl Into<String>, xs: Vec<f64>, ys: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            xs,
            ys,
            color: None,
            dashed: false,
            markers: false,
        }
    }

    /// A series whose x values are 1, 2, ..., ys.len() (epochs, say).
    pub fn from_ys(name: impl Into<String>, ys: Vec<f64>) -> Self {
        let xs = (1..=ys.len()).map(|i| i as f64).collect();
        Self::new(name, xs, ys)
    }

    /// Uses colour number `index` of the chart's palette (series that share an
    /// index share a colour, like a model's train and validation curves).
    pub fn color_index(mut self, index: usize) -> Self {
        self.color = Some(index);
        self
    }

    /// Draws the line dashed (the original notebook's validation curves).
    pub fn dashed(mut self, dashed: bool) -> Self {
        self.dashed = dashed;
        self
    }

    /// Marks each point with a dot.
    pub fn markers(mut self, markers: bool) -> Self {
        self.markers = markers;
        self
    }
}

/// A line chart under construction; [`LineChart::render`] draws it.
#[derive(Clone, Debug)]
pub struct LineChart {
    title: String,
    x_label: String,
    y_label: String,
    log_y: bool,
    width: u32,
    height: u32,
    series: Vec<Series>,
}

impl LineChart {
    /// An empty chart titled `title`, 720 x 440 pixels.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            log_y: false,
            width: 720,
            height: 440,
            series: Vec::new(),
        }
    }

    pub fn x_label(mut self, label: impl Into<String>) -> Self {
        self.x_label = label.into();
        self
    }

    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = label.into();
        self
    }

    /// A base-10 logarithmic y axis; every y value must then be positive.
    pub fn log_y(mut self, log_y: bool) -> Self {
        self.log_y = log_y;
        self
    }

    /// Size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    pub fn series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// Draws the chart. Errors if there is no point to draw, if a series has
    /// unequal x and y lengths, or if a log axis meets a value <= 0. Non-finite
    /// points are an error too: a chart should never hide a NaN loss.
    ///
    /// A line chart is a [`ScatterChart`] whose point sets are joined by lines,
    /// so both kinds of chart share one drawing and checking path.
    pub fn render(&self) -> Result<Svg, VizError> {
        let mut chart = ScatterChart::new(self.title.clone())
            .x_label(self.x_label.clone())
            .y_label(self.y_label.clone())
            .log_y(self.log_y)
            .size(self.width, self.height)
            .legend(LegendCorner::UpperRight);
        for s in &self.series {
            let mut points = Points::new(s.name.clone(), s.xs.clone(), s.ys.clone())
                .line(true)
                .dashed(s.dashed)
                .markers(s.markers);
            if let Some(index) = s.color {
                points = points.color_index(index);
            }
            chart = chart.points(points);
        }
        chart.render()
    }
}

/// Colour `index` of `n` spread over a rainbow from violet to red, like
/// matplotlib's `cm.rainbow(np.linspace(0, 1, n))` the original notebook uses.
pub fn palette(index: usize, n: usize) -> (u8, u8, u8) {
    let t = if n <= 1 {
        0.0
    } else {
        (index.min(n - 1)) as f64 / (n - 1) as f64
    };
    // matplotlib's rainbow: r = |2t - 1/2|, g = sin(pi t), b = cos(pi t / 2),
    // each clipped to [0, 1].
    let r = (2.0 * t - 0.5).abs();
    let g = (std::f64::consts::PI * t).sin();
    let b = (std::f64::consts::FRAC_PI_2 * t).cos();
    let to_u8 = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    (to_u8(r), to_u8(g), to_u8(b))
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

    #[test]
    fn palette_runs_from_violet_to_red() {
        assert_eq!(palette(0, 3), (128, 0, 255));
        assert_eq!(palette(1, 3), (128, 255, 180));
        assert_eq!(palette(2, 3), (255, 0, 0));
    }
}
