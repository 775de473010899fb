//! [`NetworkChart`]: nodes at given positions, coloured by class, with
//! optional labels and the edges between them. Input is plain numbers
//! (positions, edge pairs, class ids).
//!
//! ```
//! use hw6_viz::NetworkChart;
//! let svg = NetworkChart::new("triangle", vec![(0.0, 0.0), (1.0, 0.0), (0.5, 0.8)], vec![(0, 1), (1, 2), (0, 2)])
//!     .classes(vec![0, 0, 1])
//!     .labels(true)
//!     .render()
//!     .unwrap();
//! // Each node is a filled circle with an outline.
//! assert_eq!(svg.as_str().matches("<circle").count(), 2 * 3);
//! ```

use std::ops::Range;

use plotters::prelude::*;

use crate::error::VizError;
use crate::palette::palette;
use crate::svg::Svg;

/// What a [`NetworkChart`] and a [`NetworkFrames`](crate::NetworkFrames)
/// share: edges, classes, labels, node radius.
#[derive(Clone, Debug)]
pub(crate) struct Style {
    pub(crate) edges: Vec<(usize, usize)>,
    pub(crate) classes: Vec<usize>,
    pub(crate) labels: Option<Vec<String>>,
    /// Pixels.
    pub(crate) node_radius: u32,
}

impl Style {
    pub(crate) fn new(edges: Vec<(usize, usize)>) -> Self {
        Self {
            edges,
            classes: Vec::new(),
            labels: None,
            node_radius: 9,
        }
    }

    fn num_classes(&self) -> usize {
        self.classes.iter().copied().max().map_or(1, |m| m + 1)
    }

    /// The palette colour of `node`'s class.
    pub(crate) fn color(&self, node: usize) -> RGBColor {
        let class = self.classes.get(node).copied().unwrap_or(0);
        let (r, g, b) = palette(class, self.num_classes());
        RGBColor(r, g, b)
    }

    /// Checks that edges, classes and labels fit `n` nodes and the positions are finite.
    pub(crate) fn validate(&self, chart: &str, positions: &[(f64, f64)]) -> Result<(), VizError> {
        let n = positions.len();
        if n == 0 {
            return Err(VizError::bad_data(chart, "no nodes to draw"));
        }
        if let Some((i, p)) = positions
            .iter()
            .enumerate()
            .find(|(_, p)| !(p.0.is_finite() && p.1.is_finite()))
        {
            return Err(VizError::bad_data(
                chart,
                format!("node {i} has a non-finite position {p:?}"),
            ));
        }
        if let Some(&(u, v)) = self.edges.iter().find(|&&(u, v)| u >= n || v >= n) {
            return Err(VizError::bad_data(
                chart,
                format!("edge ({u}, {v}) names a node >= {n}, the number of positions"),
            ));
        }
        if !self.classes.is_empty() && self.classes.len() != n {
            return Err(VizError::bad_data(
                chart,
                format!(
                    "{} class ids for {n} nodes; give one per node (or none)",
                    self.classes.len()
                ),
            ));
        }
        if let Some(labels) = &self.labels
            && labels.len() != n
        {
            return Err(VizError::bad_data(
                chart,
                format!("{} labels for {n} nodes; give one per node", labels.len()),
            ));
        }
        Ok(())
    }
}

/// The range covering every coordinate, widened by 8% on each side.
pub(crate) fn padded_range(values: impl Iterator<Item = f64>) -> Range<f64> {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let span = hi - lo;
    let pad = if span > 0.0 { 0.08 * span } else { 1.0 };
    (lo - pad)..(hi + pad)
}

/// Draws one network into `area`: edges, then nodes, then labels; the
/// caption is `(text, font size)`.
pub(crate) fn draw_network(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    chart_name: &str,
    (caption, caption_size): (&str, u32),
    positions: &[(f64, f64)],
    ranges: (Range<f64>, Range<f64>),
    style: &Style,
    axes: bool,
) -> Result<(), VizError> {
    let mut builder = ChartBuilder::on(area);
    builder.margin(8);
    if !caption.is_empty() {
        builder.caption(caption, ("sans-serif", caption_size));
    }
    if axes {
        builder.x_label_area_size(30).y_label_area_size(44);
    }
    let mut chart = builder
        .build_cartesian_2d(ranges.0, ranges.1)
        .map_err(VizError::while_drawing(chart_name))?;
    if axes {
        chart
            .configure_mesh()
            .light_line_style(RGBColor(240, 240, 240))
            .draw()
            .map_err(VizError::while_drawing(chart_name))?;
    }
    let edge_style = RGBColor(150, 150, 150).stroke_width(1);
    chart
        .draw_series(
            style
                .edges
                .iter()
                .map(|&(u, v)| PathElement::new(vec![positions[u], positions[v]], edge_style)),
        )
        .map_err(VizError::while_drawing(chart_name))?;
    let r = style.node_radius;
    chart
        .draw_series(positions.iter().enumerate().map(|(i, &p)| {
            EmptyElement::at(p)
                + Circle::new((0, 0), r, style.color(i).filled())
                + Circle::new((0, 0), r, BLACK.stroke_width(1))
        }))
        .map_err(VizError::while_drawing(chart_name))?;
    if let Some(labels) = &style.labels {
        let font = ("sans-serif", (r as f64 * 1.3).max(9.0))
            .into_font()
            .color(&BLACK);
        let text_style = font.pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ));
        chart
            .draw_series(
                positions
                    .iter()
                    .zip(labels)
                    .map(|(&p, label)| Text::new(label.clone(), p, text_style.clone())),
            )
            .map_err(VizError::while_drawing(chart_name))?;
    }
    Ok(())
}

/// A network drawn at given node positions.
#[derive(Clone, Debug)]
pub struct NetworkChart {
    title: String,
    positions: Vec<(f64, f64)>,
    style: Style,
    axes: bool,
    width: u32,
    height: u32,
}

impl NetworkChart {
    /// A drawing titled `title` of nodes at `positions` (any units; the view
    /// fits them) joined by `edges` (pairs of node indices). 640 x 560 pixels.
    pub fn new(
        title: impl Into<String>,
        positions: Vec<(f64, f64)>,
        edges: Vec<(usize, usize)>,
    ) -> Self {
        Self {
            title: title.into(),
            positions,
            style: Style::new(edges),
            axes: false,
            width: 640,
            height: 560,
        }
    }

    /// Class id of each node; classes get the palette's colours (default: all 0).
    pub fn classes(mut self, classes: Vec<usize>) -> Self {
        self.style.classes = classes;
        self
    }

    /// Labels each node with its index (true) or nothing (false).
    pub fn labels(mut self, show: bool) -> Self {
        self.style.labels =
            show.then(|| (0..self.positions.len()).map(|i| i.to_string()).collect());
        self
    }

    /// Labels each node with the given text (one per node).
    pub fn node_labels(mut self, labels: Vec<String>) -> Self {
        self.style.labels = Some(labels);
        self
    }

    /// Draws axes with coordinates (for positions that mean something, like
    /// learned embeddings).
    pub fn axes(mut self, axes: bool) -> Self {
        self.axes = axes;
        self
    }

    /// Node radius in pixels (default 9).
    pub fn node_radius(mut self, radius: u32) -> Self {
        self.style.node_radius = radius;
        self
    }

    /// Size in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Draws the network. Errors on no nodes, a non-finite position, an edge
    /// to a missing node, or class ids / labels not one per node.
    pub fn render(&self) -> Result<Svg, VizError> {
        self.style.validate(&self.title, &self.positions)?;
        let ranges = (
            padded_range(self.positions.iter().map(|p| p.0)),
            padded_range(self.positions.iter().map(|p| p.1)),
        );
        let mut text = String::new();
        {
            let root =
                SVGBackend::with_string(&mut text, (self.width, self.height)).into_drawing_area();
            root.fill(&WHITE)
                .map_err(VizError::while_drawing(&self.title))?;
            draw_network(
                &root,
                &self.title,
                (&self.title, 20),
                &self.positions,
                ranges,
                &self.style,
                self.axes,
            )?;
            root.present()
                .map_err(VizError::while_drawing(&self.title))?;
        }
        Ok(Svg::new(text))
    }
}
