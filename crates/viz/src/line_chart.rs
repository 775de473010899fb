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

use std::ops::Range;

use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;

use crate::error::VizError;
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
    pub fn render(&self) -> Result<Svg, VizError> {
        let (x_range, y_range) = self.ranges()?;
        let mut text = String::new();
        {
            let root =
                SVGBackend::with_string(&mut text, (self.width, self.height)).into_drawing_area();
            root.fill(&WHITE)
                .map_err(|e| VizError::drawing(&self.title, e))?;
            if self.log_y {
                self.draw(&root, x_range, y_range.log_scale())?;
            } else {
                self.draw(&root, x_range, y_range)?;
            }
            root.present()
                .map_err(|e| VizError::drawing(&self.title, e))?;
        }
        Ok(Svg::new(text))
    }

    fn ranges(&self) -> Result<(Range<f64>, Range<f64>), VizError> {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for s in &self.series {
            if s.xs.len() != s.ys.len() {
                return Err(VizError::bad_data(
                    &self.title,
                    format!(
                        "series '{}' has {} x values but {} y values",
                        s.name,
                        s.xs.len(),
                        s.ys.len()
                    ),
                ));
            }
            for (&x, &y) in s.xs.iter().zip(&s.ys) {
                if !x.is_finite() || !y.is_finite() {
                    return Err(VizError::bad_data(
                        &self.title,
                        format!("series '{}' has a non-finite point ({x}, {y})", s.name),
                    ));
                }
                if self.log_y && y <= 0.0 {
                    return Err(VizError::bad_data(
                        &self.title,
                        format!(
                            "series '{}' has y = {y} on a log axis; use a linear axis or positive values",
                            s.name
                        ),
                    ));
                }
                xs.push(x);
                ys.push(y);
            }
        }
        if xs.is_empty() {
            return Err(VizError::bad_data(&self.title, "no points to draw"));
        }
        Ok((padded(&xs, 0.0, false), padded(&ys, 0.05, self.log_y)))
    }

    fn draw<Y>(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        x_range: Range<f64>,
        y_spec: Y,
    ) -> Result<(), VizError>
    where
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64>,
        <Y::CoordDescType as Ranged>::ValueType: Clone,
    {
        let err = |e: &dyn std::fmt::Display| VizError::drawing(&self.title, e);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(x_range, y_spec)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| err(&e))?;

        let n_colors = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| s.color.unwrap_or(i) + 1)
            .max()
            .unwrap_or(1);
        for (i, s) in self.series.iter().enumerate() {
            let (r, g, b) = palette(s.color.unwrap_or(i), n_colors);
            let color = RGBColor(r, g, b);
            let style = color.stroke_width(2);
            let points: Vec<(f64, f64)> = s.xs.iter().copied().zip(s.ys.iter().copied()).collect();
            let legend_style = style;
            let dashed = s.dashed;
            let anno = if s.dashed {
                chart
                    .draw_series(DashedLineSeries::new(points.clone(), 8, 5, style))
                    .map_err(|e| err(&e))?
            } else {
                chart
                    .draw_series(LineSeries::new(points.clone(), style))
                    .map_err(|e| err(&e))?
            };
            anno.label(s.name.as_str()).legend(move |(x, y)| {
                if dashed {
                    PathElement::new(vec![(x, y), (x + 8, y)], legend_style)
                } else {
                    PathElement::new(vec![(x, y), (x + 20, y)], legend_style)
                }
            });
            if s.markers {
                chart
                    .draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(|e| err(&e))?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(|e| err(&e))?;
        Ok(())
    }
}

/// The axis range covering `values`, widened by `pad` of its span on both
/// sides (multiplicatively on a log axis) and never empty.
fn padded(values: &[f64], pad: f64, log: bool) -> Range<f64> {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if log {
        let (llo, lhi) = (lo.log10(), hi.log10());
        let span = (lhi - llo).max(1e-3);
        return 10f64.powf(llo - pad * span)..10f64.powf(lhi + pad * span);
    }
    let span = hi - lo;
    if span == 0.0 {
        let half = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - half)..(hi + half);
    }
    (lo - pad * span)..(hi + pad * span)
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
