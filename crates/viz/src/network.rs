//! Network drawings: nodes at given positions, coloured by class, with
//! optional labels and the edges between them ([`NetworkChart`]); and the
//! same network at several moments, e.g. embeddings during training, as small
//! multiples or as an SVG animation ([`NetworkFrames`]).
//!
//! Input is plain numbers (positions, edge pairs, class ids), so any crate
//! can draw with it.
//!
//! ```
//! use hw6_viz::network::NetworkChart;
//! let svg = NetworkChart::new("triangle", vec![(0.0, 0.0), (1.0, 0.0), (0.5, 0.8)], vec![(0, 1), (1, 2), (0, 2)])
//!     .classes(vec![0, 0, 1])
//!     .labels(true)
//!     .render()
//!     .unwrap();
//! // Each node is a filled circle with an outline.
//! assert_eq!(svg.as_str().matches("<circle").count(), 2 * 3);
//! ```

use std::fmt::Write as _;
use std::ops::Range;

use plotters::prelude::*;

use crate::error::VizError;
use crate::line_chart::palette;
use crate::svg::{Svg, escape_markup};

/// Everything the two chart types share: edges, classes, labels, look.
#[derive(Clone, Debug)]
struct Style {
    edges: Vec<(usize, usize)>,
    classes: Vec<usize>,
    labels: Option<Vec<String>>,
    node_radius: u32,
}

impl Style {
    fn new(edges: Vec<(usize, usize)>) -> Self {
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

    fn color(&self, node: usize) -> RGBColor {
        let class = self.classes.get(node).copied().unwrap_or(0);
        let (r, g, b) = palette(class, self.num_classes());
        RGBColor(r, g, b)
    }

    /// Checks that edges, classes and labels fit `n` nodes and the positions are finite.
    fn validate(&self, chart: &str, positions: &[(f64, f64)]) -> Result<(), VizError> {
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
fn padded_range(values: impl Iterator<Item = f64>) -> Range<f64> {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let span = hi - lo;
    let pad = if span > 0.0 { 0.08 * span } else { 1.0 };
    (lo - pad)..(hi + pad)
}

/// Draws one network into `area`: edges, then nodes, then labels.
fn draw_network(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    chart_name: &str,
    (caption, caption_size): (&str, u32),
    positions: &[(f64, f64)],
    ranges: (Range<f64>, Range<f64>),
    style: &Style,
    axes: bool,
) -> Result<(), VizError> {
    let err = |e: &dyn std::fmt::Display| VizError::drawing(chart_name, e);
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
        .map_err(|e| err(&e))?;
    if axes {
        chart
            .configure_mesh()
            .light_line_style(RGBColor(240, 240, 240))
            .draw()
            .map_err(|e| err(&e))?;
    }
    let edge_style = RGBColor(150, 150, 150).stroke_width(1);
    chart
        .draw_series(
            style
                .edges
                .iter()
                .map(|&(u, v)| PathElement::new(vec![positions[u], positions[v]], edge_style)),
        )
        .map_err(|e| err(&e))?;
    let r = style.node_radius;
    chart
        .draw_series(positions.iter().enumerate().map(|(i, &p)| {
            EmptyElement::at(p)
                + Circle::new((0, 0), r, style.color(i).filled())
                + Circle::new((0, 0), r, BLACK.stroke_width(1))
        }))
        .map_err(|e| err(&e))?;
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
            .map_err(|e| err(&e))?;
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
                .map_err(|e| VizError::drawing(&self.title, e))?;
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
                .map_err(|e| VizError::drawing(&self.title, e))?;
        }
        Ok(Svg::new(text))
    }
}

/// The same network at several moments (frames), each with its own node
/// positions: drawn as a grid of small multiples that share their axes
/// ([`NetworkFrames::render_grid`]) or as one SVG whose nodes move from frame
/// to frame ([`NetworkFrames::render_animation`]).
#[derive(Clone, Debug)]
pub struct NetworkFrames {
    title: String,
    frames: Vec<(String, Vec<(f64, f64)>)>,
    style: Style,
    columns: usize,
    panel: (u32, u32),
}

impl NetworkFrames {
    /// An empty set of frames of a network with `edges`.
    pub fn new(title: impl Into<String>, edges: Vec<(usize, usize)>) -> Self {
        Self {
            title: title.into(),
            frames: Vec::new(),
            style: Style::new(edges),
            columns: 4,
            panel: (240, 220),
        }
    }

    /// Adds a frame captioned `label` (e.g. "epoch 100") with node positions.
    pub fn frame(mut self, label: impl Into<String>, positions: Vec<(f64, f64)>) -> Self {
        self.frames.push((label.into(), positions));
        self
    }

    /// Class id of each node (default: all 0).
    pub fn classes(mut self, classes: Vec<usize>) -> Self {
        self.style.classes = classes;
        self
    }

    /// Labels each node with its index.
    pub fn labels(mut self, show: bool) -> Self {
        let n = self.frames.first().map_or(0, |f| f.1.len());
        self.style.labels = show.then(|| (0..n).map(|i| i.to_string()).collect());
        self
    }

    /// Panels per row of the grid (default 4, at least 1).
    pub fn columns(mut self, columns: usize) -> Self {
        self.columns = columns.max(1);
        self
    }

    /// Size of one panel of the grid, and of the animation, in pixels
    /// (default 240 x 220).
    pub fn panel_size(mut self, width: u32, height: u32) -> Self {
        self.panel = (width, height);
        self
    }

    fn validate(&self) -> Result<(Range<f64>, Range<f64>), VizError> {
        let Some(first) = self.frames.first() else {
            return Err(VizError::bad_data(
                &self.title,
                "no frames; add some with .frame(label, positions)",
            ));
        };
        for (label, positions) in &self.frames {
            if positions.len() != first.1.len() {
                return Err(VizError::bad_data(
                    &self.title,
                    format!(
                        "frame '{label}' has {} nodes, the first frame {}",
                        positions.len(),
                        first.1.len()
                    ),
                ));
            }
            self.style.validate(&self.title, positions)?;
        }
        let all = || self.frames.iter().flat_map(|f| f.1.iter());
        Ok((
            padded_range(all().map(|p| p.0)),
            padded_range(all().map(|p| p.1)),
        ))
    }

    /// Small multiples: one panel per frame, `columns` per row, all on the
    /// same axes so that movement shows.
    pub fn render_grid(&self) -> Result<Svg, VizError> {
        let ranges = self.validate()?;
        let cols = self.columns.min(self.frames.len());
        let rows = self.frames.len().div_ceil(cols);
        let title_height = 36;
        let width = self.panel.0 * cols as u32;
        let height = self.panel.1 * rows as u32 + title_height;
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
            root.fill(&WHITE)
                .map_err(|e| VizError::drawing(&self.title, e))?;
            let (top, body) = root.split_vertically(title_height);
            top.titled(&self.title, ("sans-serif", 20))
                .map_err(|e| VizError::drawing(&self.title, e))?;
            let panels = body.split_evenly((rows, cols));
            let mut style = self.style.clone();
            style.node_radius = style.node_radius.min(5);
            style.labels = None;
            for ((label, positions), area) in self.frames.iter().zip(panels.iter()) {
                draw_network(
                    area,
                    &self.title,
                    (label, 14),
                    positions,
                    ranges.clone(),
                    &style,
                    true,
                )?;
            }
            root.present()
                .map_err(|e| VizError::drawing(&self.title, e))?;
        }
        Ok(Svg::new(text))
    }

    /// One SVG in which the nodes (and edges) move through the frames,
    /// `seconds_per_frame` each, looping; the frame's caption shows at the top.
    /// Uses SVG's own animation elements (SMIL), which browsers play inline;
    /// where nothing plays (a printed PDF, a static image), the last frame
    /// shows.
    pub fn render_animation(&self, seconds_per_frame: f64) -> Result<Svg, VizError> {
        let (xr, yr) = self.validate()?;
        if !(seconds_per_frame.is_finite() && seconds_per_frame > 0.0) {
            return Err(VizError::bad_data(
                &self.title,
                format!("seconds_per_frame = {seconds_per_frame}; use a positive duration"),
            ));
        }
        let (w, h) = (self.panel.0.max(200) as f64, self.panel.1.max(200) as f64);
        let (top, margin) = (48.0, 16.0);
        let sx = |x: f64| margin + (x - xr.start) / (xr.end - xr.start) * (w - 2.0 * margin);
        let sy = |y: f64| top + (yr.end - y) / (yr.end - yr.start) * (h - top - margin);
        let n_frames = self.frames.len();
        let dur = seconds_per_frame * n_frames as f64;
        let track = |f: &Coordinate| -> String {
            let mut values: Vec<String> = self
                .frames
                .iter()
                .map(|(_, p)| format!("{:.2}", f(p)))
                .collect();
            // Close the loop on the first frame so the last move is visible.
            values.push(values[0].clone());
            values.join(";")
        };
        let animate = |attr: &str, values: String| {
            format!(
                r#"<animate attributeName="{attr}" values="{values}" dur="{dur}s" repeatCount="indefinite"/>"#
            )
        };
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
        );
        let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="20" font-family="sans-serif" font-size="16" text-anchor="middle">{}</text>"#,
            w / 2.0,
            escape_markup(&self.title)
        );
        for (k, (label, _)) in self.frames.iter().enumerate() {
            let on: Vec<&str> = (0..n_frames)
                .map(|j| if j == k { "1" } else { "0" })
                .collect();
            let _ = writeln!(
                s,
                r#"<text x="{}" y="40" font-family="sans-serif" font-size="13" text-anchor="middle" opacity="{}">{}<animate attributeName="opacity" values="{}" dur="{dur}s" calcMode="discrete" repeatCount="indefinite"/></text>"#,
                w / 2.0,
                if k + 1 == n_frames { 1 } else { 0 },
                escape_markup(label),
                on.join(";")
            );
        }
        // The attributes' own values (what shows when nothing animates).
        let shown = &self.frames[n_frames - 1].1;
        for &(u, v) in &self.style.edges {
            let _ = writeln!(
                s,
                r#"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="rgb(150,150,150)" stroke-width="1">{}{}{}{}</line>"#,
                sx(shown[u].0),
                sy(shown[u].1),
                sx(shown[v].0),
                sy(shown[v].1),
                animate("x1", track(&|p| sx(p[u].0))),
                animate("y1", track(&|p| sy(p[u].1))),
                animate("x2", track(&|p| sx(p[v].0))),
                animate("y2", track(&|p| sy(p[v].1))),
            );
        }
        let r = self.style.node_radius.min(7);
        for i in 0..shown.len() {
            let RGBColor(cr, cg, cb) = self.style.color(i);
            let _ = writeln!(
                s,
                r#"<circle cx="{:.2}" cy="{:.2}" r="{r}" fill="rgb({cr},{cg},{cb})" stroke="black" stroke-width="1">{}{}</circle>"#,
                sx(shown[i].0),
                sy(shown[i].1),
                animate("cx", track(&|p| sx(p[i].0))),
                animate("cy", track(&|p| sy(p[i].1))),
            );
        }
        s.push_str("</svg>\n");
        Ok(Svg::new(s))
    }
}

/// One coordinate of one node, read from a frame's positions.
type Coordinate<'a> = dyn Fn(&[(f64, f64)]) -> f64 + 'a;

#[cfg(test)]
mod tests {
    use super::*;

    type Network = (Vec<(f64, f64)>, Vec<(usize, usize)>);

    fn square() -> Network {
        (
            vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)],
            vec![(0, 1), (1, 2), (2, 3), (3, 0)],
        )
    }

    #[test]
    fn draws_one_circle_per_node_and_the_labels() {
        let (p, e) = square();
        let svg = NetworkChart::new("sq", p, e)
            .classes(vec![0, 1, 0, 1])
            .labels(true)
            .render()
            .unwrap();
        // Each node is a filled disc plus an outline.
        assert_eq!(svg.as_str().matches("<circle").count(), 8);
        // One text per node label, plus the title.
        assert_eq!(svg.as_str().matches("<text").count(), 5);
    }

    #[test]
    fn rejects_bad_input() {
        let (p, _) = square();
        assert!(
            NetworkChart::new("x", p.clone(), vec![(0, 4)])
                .render()
                .is_err()
        );
        assert!(
            NetworkChart::new("x", p.clone(), vec![])
                .classes(vec![0])
                .render()
                .is_err()
        );
        assert!(NetworkChart::new("x", vec![], vec![]).render().is_err());
        assert!(
            NetworkChart::new("x", vec![(f64::NAN, 0.0)], vec![])
                .render()
                .is_err()
        );
        assert!(NetworkFrames::new("x", vec![]).render_grid().is_err());
        let frames = NetworkFrames::new("x", vec![])
            .frame("a", p)
            .frame("b", vec![(0.0, 0.0)]);
        assert!(frames.render_grid().is_err());
    }

    #[test]
    fn grid_and_animation() {
        let (p, e) = square();
        let moved: Vec<(f64, f64)> = p.iter().map(|&(x, y)| (x * 2.0, y - 1.0)).collect();
        let frames = NetworkFrames::new("moves", e)
            .classes(vec![0, 0, 1, 1])
            .frame("epoch 0", p)
            .frame("epoch 10", moved)
            .columns(2);
        let grid = frames.render_grid().unwrap();
        assert!(grid.as_str().contains("epoch 10"));
        let anim = frames.render_animation(0.5).unwrap();
        // 4 nodes x (cx, cy) + 4 edges x 4 ends + 2 captions.
        assert_eq!(anim.as_str().matches("<animate").count(), 8 + 16 + 2);
        assert!(anim.as_str().contains(r#"dur="1s""#));
        // Without animation (print) the last frame shows: its caption and
        // its positions are the attributes' own values.
        assert!(
            anim.as_str().contains(r#"opacity="1">epoch 10<"#),
            "{}",
            anim.as_str()
        );
        assert!(anim.as_str().contains(r#"opacity="0">epoch 0<"#));
        // Node 1 moves from (1, 0) to (2, -1).
        let circles: Vec<&str> = anim.as_str().split("<circle").skip(1).collect();
        let circle = circles[1];
        let attr = |from: &str, name: &str| -> String {
            let start = from.find(name).unwrap() + name.len();
            from[start..].split('"').next().unwrap().to_string()
        };
        let cx = attr(circle, "cx=\"");
        let values = attr(circle, "values=\"");
        let values: Vec<&str> = values.split(';').collect();
        assert_eq!(values.len(), 3, "two frames and the loop back");
        assert_ne!(values[0], values[1], "the node moves");
        assert_eq!(cx, values[1], "the static position is the last frame's");
        frames.render_animation(0.0).unwrap_err();
    }
}
