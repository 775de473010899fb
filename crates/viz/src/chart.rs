//! [`Chart`]: what a [`LineChart`](crate::LineChart) and a
//! [`ScatterChart`](crate::ScatterChart) share — title, axis labels, log
//! scales, size, legend place, the builder methods and the drawing.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;

use crate::error::VizError;
use crate::palette::palette;
use crate::scatter_chart::Points;
use crate::svg::Svg;

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

/// A kind of named point set a [`Chart`] draws: [`Series`](crate::Series)
/// (joined by lines) or [`Points`].
pub trait PointSet {
    /// Where the legend goes unless [`Chart::legend`] moves it.
    const LEGEND: LegendCorner;

    /// The set as the points, lines and dots to draw.
    fn to_points(&self) -> Points;
}

/// A chart of named point sets `S` on x/y axes, under construction:
/// [`Series`](crate::Series) make a [`LineChart`](crate::LineChart),
/// [`Points`](crate::Points) a [`ScatterChart`](crate::ScatterChart).
#[derive(Clone, Debug)]
pub struct Chart<S> {
    pub(crate) frame: Frame,
    pub(crate) sets: Vec<S>,
}

/// Everything about a chart but its data.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    pub(crate) title: String,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    pub(crate) log_x: bool,
    pub(crate) log_y: bool,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) legend: LegendCorner,
}

impl<S: PointSet> Chart<S> {
    /// An empty chart titled `title`, 720 x 440 pixels, linear axes.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            frame: Frame {
                title: title.into(),
                x_label: String::new(),
                y_label: String::new(),
                log_x: false,
                log_y: false,
                width: 720,
                height: 440,
                legend: S::LEGEND,
            },
            sets: Vec::new(),
        }
    }

    pub fn x_label(mut self, label: impl Into<String>) -> Self {
        self.frame.x_label = label.into();
        self
    }

    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.frame.y_label = label.into();
        self
    }

    /// Base-10 logarithmic x axis; every x value must then be positive.
    pub fn log_x(mut self, log: bool) -> Self {
        self.frame.log_x = log;
        self
    }

    /// Base-10 logarithmic y axis; every y value must then be positive.
    pub fn log_y(mut self, log: bool) -> Self {
        self.frame.log_y = log;
        self
    }

    /// Size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.frame.width = width;
        self.frame.height = height;
        self
    }

    /// Moves the legend.
    pub fn legend(mut self, corner: LegendCorner) -> Self {
        self.frame.legend = corner;
        self
    }

    /// Draws the chart. Errors if there is no point to draw, if a set has
    /// unequal x and y lengths, or if a log axis meets a value <= 0.
    /// Non-finite points are an error too: a chart should never hide a NaN
    /// loss.
    pub fn render(&self) -> Result<Svg, VizError> {
        let sets: Vec<Points> = self.sets.iter().map(S::to_points).collect();
        self.frame.render(&sets)
    }
}

impl Frame {
    /// Draws `sets` in this frame.
    pub(crate) fn render(&self, sets: &[Points]) -> Result<Svg, VizError> {
        let (xr, yr) = self.ranges(sets)?;
        let mut text = String::new();
        {
            let root =
                SVGBackend::with_string(&mut text, (self.width, self.height)).into_drawing_area();
            root.fill(&WHITE)
                .map_err(VizError::while_drawing(&self.title))?;
            match (self.log_x, self.log_y) {
                (false, false) => self.draw(&root, sets, xr, yr)?,
                (true, false) => self.draw(&root, sets, xr.log_scale(), yr)?,
                (false, true) => self.draw(&root, sets, xr, yr.log_scale())?,
                (true, true) => self.draw(&root, sets, xr.log_scale(), yr.log_scale())?,
            }
            root.present()
                .map_err(VizError::while_drawing(&self.title))?;
        }
        Ok(Svg::new(text))
    }

    /// The padded x and y ranges of all points, once every set is checked.
    fn ranges(&self, sets: &[Points]) -> Result<(Range<f64>, Range<f64>), VizError> {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for s in sets {
            s.check(self)?;
            xs.extend_from_slice(&s.xs);
            ys.extend_from_slice(&s.ys);
        }
        if xs.is_empty() {
            return Err(VizError::bad_data(&self.title, "no points to draw"));
        }
        Ok((padded(&xs, 0.04, self.log_x), padded(&ys, 0.06, self.log_y)))
    }

    /// Axes, grid, every set, then the legend.
    fn draw<X, Y>(
        &self,
        root: &DrawingArea<SVGBackend<'_>, Shift>,
        sets: &[Points],
        x_spec: X,
        y_spec: Y,
    ) -> Result<(), VizError>
    where
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64> + Ranged<ValueType = f64>,
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64> + Ranged<ValueType = f64>,
    {
        let mut plot = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(x_spec, y_spec)
            .map_err(VizError::while_drawing(&self.title))?;
        plot.configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&|x| tick(*x))
            .y_label_formatter(&|y| tick(*y))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(VizError::while_drawing(&self.title))?;
        let color_index = |i: usize| sets[i].color.unwrap_or(i);
        let n_colors = (0..sets.len()).map(|i| color_index(i) + 1).max();
        for (i, s) in sets.iter().enumerate() {
            let (r, g, b) = palette(color_index(i), n_colors.unwrap_or(1));
            s.draw(&mut plot, RGBColor(r, g, b), &self.title)?;
        }
        plot.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .position(series_label_position(self.legend))
            .draw()
            .map_err(VizError::while_drawing(&self.title))?;
        Ok(())
    }
}

fn series_label_position(corner: LegendCorner) -> SeriesLabelPosition {
    match corner {
        LegendCorner::UpperLeft => SeriesLabelPosition::UpperLeft,
        LegendCorner::UpperRight => SeriesLabelPosition::UpperRight,
        LegendCorner::MiddleRight => SeriesLabelPosition::MiddleRight,
        LegendCorner::LowerLeft => SeriesLabelPosition::LowerLeft,
        LegendCorner::LowerRight => SeriesLabelPosition::LowerRight,
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

/// The range of `values` widened by `pad` of its span on each side (of the
/// span in decades on a log axis).
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
