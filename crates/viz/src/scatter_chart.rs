//! [`ScatterChart`]: named [`Points`] on x/y axes that can each be
//! logarithmic, joined by lines or not. Log-log axes turn power laws into
//! straight lines.
//!
//! ```
//! use hw6_viz::{Points, ScatterChart};
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

use plotters::coord::ranged1d::Ranged;
use plotters::prelude::*;

use crate::chart::{Chart, Frame, LegendCorner, PointSet};
use crate::error::VizError;

/// One named set of points and how to draw it.
#[derive(Clone, Debug)]
pub struct Points {
    name: String,
    pub(crate) xs: Vec<f64>,
    pub(crate) ys: Vec<f64>,
    pub(crate) color: Option<usize>,
    line: bool,
    pub(crate) dashed: bool,
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

    /// Colour number `index` of the [`palette`](crate::palette) (shared index, shared colour).
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

    /// Checks lengths, finiteness and the signs a log axis needs.
    pub(crate) fn check(&self, frame: &Frame) -> Result<(), VizError> {
        let bad = |reason: String| Err(VizError::bad_data(&frame.title, reason));
        if self.xs.len() != self.ys.len() {
            let (nx, ny) = (self.xs.len(), self.ys.len());
            return bad(format!(
                "'{}' has {nx} x values but {ny} y values",
                self.name
            ));
        }
        for (&x, &y) in self.xs.iter().zip(&self.ys) {
            if !x.is_finite() || !y.is_finite() {
                return bad(format!("'{}' has a non-finite point ({x}, {y})", self.name));
            }
            if (frame.log_x && x <= 0.0) || (frame.log_y && y <= 0.0) {
                return bad(format!(
                    "'{}' has the point ({x}, {y}) on a log axis; values there must be positive",
                    self.name
                ));
            }
        }
        Ok(())
    }

    /// Draws the set in `color` and gives it its legend entry.
    pub(crate) fn draw<'b, X, Y>(
        &self,
        plot: &mut ChartContext<'b, SVGBackend<'b>, Cartesian2d<X, Y>>,
        color: RGBColor,
        title: &str,
    ) -> Result<(), VizError>
    where
        X: Ranged<ValueType = f64>,
        Y: Ranged<ValueType = f64>,
    {
        let style = color.stroke_width(2);
        let pts: Vec<(f64, f64)> = self
            .xs
            .iter()
            .copied()
            .zip(self.ys.iter().copied())
            .collect();
        let anno = if self.dashed {
            plot.draw_series(DashedLineSeries::new(pts.clone(), 8, 5, style))
                .map_err(VizError::while_drawing(title))?
        } else if self.line {
            plot.draw_series(LineSeries::new(pts.clone(), style))
                .map_err(VizError::while_drawing(title))?
        } else {
            plot.draw_series(pts.iter().map(|&p| Circle::new(p, 4, color.filled())))
                .map_err(VizError::while_drawing(title))?
        };
        let (line, dashed) = (self.line || self.dashed, self.dashed);
        anno.label(self.name.as_str()).legend(move |(x, y)| {
            if dashed {
                PathElement::new(vec![(x, y), (x + 8, y)], style).into_dyn()
            } else if line {
                PathElement::new(vec![(x, y), (x + 20, y)], style).into_dyn()
            } else {
                Circle::new((x + 10, y), 4, color.filled()).into_dyn()
            }
        });
        if self.markers && line {
            plot.draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(VizError::while_drawing(title))?;
        }
        Ok(())
    }
}

/// A scatter/line chart under construction; [`ScatterChart::render`] draws it.
pub type ScatterChart = Chart<Points>;

impl PointSet for Points {
    const LEGEND: LegendCorner = LegendCorner::UpperLeft;

    fn to_points(&self) -> Points {
        self.clone()
    }
}

impl Chart<Points> {
    /// Adds a set of points.
    pub fn points(mut self, points: Points) -> Self {
        self.sets.push(points);
        self
    }
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
