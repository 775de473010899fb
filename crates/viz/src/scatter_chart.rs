//! [`ScatterChart`]: named point sets on x/y axes that can each be
//! logarithmic, joined by lines or not. Log-log axes turn power laws into
//! straight lines, which is how the attention cost and the beam-search work
//! are read.
//!
//! ```
//! use hw6_viz::scatter_chart::{Points, ScatterChart};
//! let n = vec![256.0, 1024.0, 4096.0];
//! let svg = ScatterChart::new("time against N")
//!     .log_x(true)
//!     .log_y(true)
//!     .points(Points::new("softmax", n.clone(), vec![1e-4, 1.6e-3, 2.6e-2]).line(true))
//!     .points(Points::new("N^2 fit", n, vec![1e-4, 1.6e-3, 2.56e-2]).dashed(true))
//!     .render()
//!     .unwrap();
//! assert!(svg.as_str().contains("<svg"));
//! ```

use std::ops::Range;

use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;

use crate::error::VizError;
use crate::line_chart::palette;
use crate::svg::Svg;

/// One named set of points and how to draw it.
#[derive(Clone, Debug)]
pub struct Points {
    name: String,
    xs: Vec<f64>,
    ys: Vec<f64>,
    color: Option<usize>,
    line: bool,
    dashed: bool,
    markers: bool,
}

impl Points {
    /// Points `(xs[i], ys[i])`, drawn as dots; `xs` and `ys` have equal length.
    pub fn new(name: impl Into<String>, xs: Vec<f64>, ys: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            xs,
            ys,
            color: None,
            line: false,
            dashed: false,
            markers: true,
        }
    }

    /// Colour number `index` of the palette (shared index, shared colour).
    pub fn color_index(mut self, index: usize) -> Self {
        self.color = Some(index);
        self
    }

    /// Joins the points with a solid line.
    pub fn line(mut self, line: bool) -> Self {
        self.line = line;
        self
    }

    /// Joins the points with a dashed line and drops the dots (for fits and
    /// predictions).
    pub fn dashed(mut self, dashed: bool) -> Self {
        self.dashed = dashed;
        self.markers = !dashed;
        self
    }

    /// Whether a solid or dashed line also marks each point with a dot
    /// (call after `dashed`, which turns the dots off).
    pub fn markers(mut self, markers: bool) -> Self {
        self.markers = markers;
        self
    }
}

/// Where the legend box sits inside the plot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LegendCorner {
    #[default]
    UpperLeft,
    UpperRight,
    MiddleRight,
    LowerLeft,
    LowerRight,
}

/// A scatter/line chart under construction; [`ScatterChart::render`] draws it.
#[derive(Clone, Debug)]
pub struct ScatterChart {
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    log_y: bool,
    width: u32,
    height: u32,
    legend: LegendCorner,
    sets: Vec<Points>,
}

impl ScatterChart {
    /// An empty chart titled `title`, 720 x 440 pixels, linear axes.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: false,
            width: 720,
            height: 440,
            legend: LegendCorner::UpperLeft,
            sets: Vec::new(),
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

    /// Base-10 logarithmic x axis (x values must be positive).
    pub fn log_x(mut self, log: bool) -> Self {
        self.log_x = log;
        self
    }

    /// Base-10 logarithmic y axis (y values must be positive).
    pub fn log_y(mut self, log: bool) -> Self {
        self.log_y = log;
        self
    }

    /// Size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Moves the legend (default: upper left).
    pub fn legend(mut self, corner: LegendCorner) -> Self {
        self.legend = corner;
        self
    }

    pub fn points(mut self, points: Points) -> Self {
        self.sets.push(points);
        self
    }

    /// Draws the chart. Errors on no points, unequal lengths, non-finite
    /// values, or a value <= 0 on a log axis.
    pub fn render(&self) -> Result<Svg, VizError> {
        let (xr, yr) = self.ranges()?;
        let mut text = String::new();
        {
            let root =
                SVGBackend::with_string(&mut text, (self.width, self.height)).into_drawing_area();
            root.fill(&WHITE)
                .map_err(|e| VizError::drawing(&self.title, e))?;
            match (self.log_x, self.log_y) {
                (false, false) => self.draw(&root, xr, yr)?,
                (true, false) => self.draw(&root, xr.log_scale(), yr)?,
                (false, true) => self.draw(&root, xr, yr.log_scale())?,
                (true, true) => self.draw(&root, xr.log_scale(), yr.log_scale())?,
            }
            root.present()
                .map_err(|e| VizError::drawing(&self.title, e))?;
        }
        Ok(Svg::new(text))
    }

    fn ranges(&self) -> Result<(Range<f64>, Range<f64>), VizError> {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for s in &self.sets {
            if s.xs.len() != s.ys.len() {
                return Err(VizError::bad_data(
                    &self.title,
                    format!(
                        "'{}' has {} x values but {} y values",
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
                        format!("'{}' has a non-finite point ({x}, {y})", s.name),
                    ));
                }
                if (self.log_x && x <= 0.0) || (self.log_y && y <= 0.0) {
                    return Err(VizError::bad_data(
                        &self.title,
                        format!(
                            "'{}' has the point ({x}, {y}) on a log axis; values there must be positive",
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
        Ok((padded(&xs, 0.04, self.log_x), padded(&ys, 0.06, self.log_y)))
    }

    fn draw<X, Y>(
        &self,
        root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
        x_spec: X,
        y_spec: Y,
    ) -> Result<(), VizError>
    where
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64> + Ranged<ValueType = f64>,
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64> + Ranged<ValueType = f64>,
    {
        let err = |e: &dyn std::fmt::Display| VizError::drawing(&self.title, e);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(x_spec, y_spec)
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| err(&e))?;
        let n_colors = self
            .sets
            .iter()
            .enumerate()
            .map(|(i, s)| s.color.unwrap_or(i) + 1)
            .max()
            .unwrap_or(1);
        for (i, s) in self.sets.iter().enumerate() {
            let (r, g, b) = palette(s.color.unwrap_or(i), n_colors);
            let color = RGBColor(r, g, b);
            let style = color.stroke_width(2);
            let pts: Vec<(f64, f64)> = s.xs.iter().copied().zip(s.ys.iter().copied()).collect();
            let anno = if s.dashed {
                chart
                    .draw_series(DashedLineSeries::new(pts.clone(), 8, 5, style))
                    .map_err(|e| err(&e))?
            } else if s.line {
                chart
                    .draw_series(LineSeries::new(pts.clone(), style))
                    .map_err(|e| err(&e))?
            } else {
                chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, 4, color.filled())))
                    .map_err(|e| err(&e))?
            };
            let (line, dashed) = (s.line || s.dashed, s.dashed);
            anno.label(s.name.as_str()).legend(move |(x, y)| {
                if dashed {
                    PathElement::new(vec![(x, y), (x + 8, y)], style).into_dyn()
                } else if line {
                    PathElement::new(vec![(x, y), (x + 20, y)], style).into_dyn()
                } else {
                    Circle::new((x + 10, y), 4, color.filled()).into_dyn()
                }
            });
            if s.markers && (s.line || s.dashed) {
                chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                    .map_err(|e| err(&e))?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .position(match self.legend {
                LegendCorner::UpperLeft => SeriesLabelPosition::UpperLeft,
                LegendCorner::UpperRight => SeriesLabelPosition::UpperRight,
                LegendCorner::MiddleRight => SeriesLabelPosition::MiddleRight,
                LegendCorner::LowerLeft => SeriesLabelPosition::LowerLeft,
                LegendCorner::LowerRight => SeriesLabelPosition::LowerRight,
            })
            .draw()
            .map_err(|e| err(&e))?;
        Ok(())
    }
}

/// A short tick label: plain numbers between 0.01 and 100,000, otherwise
/// scientific notation (`1e-4`, `2.5e6`).
fn tick(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if (0.01..1e5).contains(&a) {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        let e = a.log10().floor();
        let m = v / 10f64.powf(e);
        if (m.abs() - 1.0).abs() < 1e-9 {
            format!("1e{e}")
        } else {
            format!("{m:.1}e{e}")
        }
    }
}

fn padded(values: &[f64], pad: f64, log: bool) -> Range<f64> {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if log {
        let (llo, lhi) = (lo.log10(), hi.log10());
        let span = (lhi - llo).max(0.3);
        return 10f64.powf(llo - pad * span)..10f64.powf(lhi + pad * span);
    }
    let span = hi - lo;
    if span == 0.0 {
        let half = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - half)..(hi + half);
    }
    (lo - pad * span)..(hi + pad * span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axes_reject_non_positive_values() {
        let chart = ScatterChart::new("c").log_x(true).points(Points::new(
            "p",
            vec![0.0, 1.0],
            vec![1.0, 2.0],
        ));
        assert!(chart.render().unwrap_err().to_string().contains("log axis"));
        let chart = ScatterChart::new("c").points(Points::new("p", vec![0.0, 1.0], vec![1.0]));
        assert!(chart.render().is_err());
        assert!(ScatterChart::new("empty").render().is_err());
    }

    #[test]
    fn renders_every_axis_combination_with_legend() {
        for (lx, ly) in [(false, false), (true, false), (false, true), (true, true)] {
            let svg = ScatterChart::new("c")
                .log_x(lx)
                .log_y(ly)
                .points(Points::new("dots", vec![1.0, 10.0], vec![2.0, 20.0]))
                .points(Points::new("fit", vec![1.0, 10.0], vec![2.0, 20.0]).dashed(true))
                .render()
                .unwrap();
            assert!(svg.as_str().contains("dots") && svg.as_str().contains("fit"));
        }
    }
}
