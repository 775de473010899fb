//! [`NetworkFrames`]: the same network at several moments, e.g. embeddings
//! during training, as small multiples or as an SVG animation.
//!
//! ```
//! use hw6_viz::NetworkFrames;
//! let frames = NetworkFrames::new("moves", vec![(0, 1)])
//!     .frame("epoch 0", vec![(0.0, 0.0), (1.0, 0.0)])
//!     .frame("epoch 10", vec![(0.0, 1.0), (2.0, 0.5)]);
//! assert!(frames.render_grid().unwrap().as_str().contains("epoch 10"));
//! assert!(frames.render_animation(0.5).unwrap().as_str().contains("<animate"));
//! ```

use std::fmt::Write as _;
use std::ops::Range;

use plotters::prelude::*;

use crate::error::VizError;
use crate::network::{Style, draw_network, padded_range};
use crate::svg::{Svg, escape_markup};

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

    /// Checks every frame; gives the x and y ranges that hold them all.
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
                .map_err(VizError::while_drawing(&self.title))?;
            let (top, body) = root.split_vertically(title_height);
            top.titled(&self.title, ("sans-serif", 20))
                .map_err(VizError::while_drawing(&self.title))?;
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
                .map_err(VizError::while_drawing(&self.title))?;
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
        let animation = Animation {
            frames: &self.frames,
            size: (self.panel.0.max(200) as f64, self.panel.1.max(200) as f64),
            ranges: (xr, yr),
            dur: seconds_per_frame * self.frames.len() as f64,
        };
        let mut s = animation.header(&self.title);
        animation.write_captions(&mut s);
        animation.write_edges(&mut s, &self.style.edges);
        animation.write_nodes(&mut s, &self.style);
        s.push_str("</svg>\n");
        Ok(Svg::new(s))
    }
}

/// Height of the title and caption band above the network, and the margin
/// around it, in pixels.
const TOP: f64 = 48.0;
const MARGIN: f64 = 16.0;

/// The frames laid out in an SVG of `size` pixels, looping every `dur` seconds.
struct Animation<'a> {
    frames: &'a [(String, Vec<(f64, f64)>)],
    size: (f64, f64),
    ranges: (Range<f64>, Range<f64>),
    dur: f64,
}

impl Animation<'_> {
    /// Pixel column of the data coordinate `x`.
    fn sx(&self, x: f64) -> f64 {
        let (xr, w) = (&self.ranges.0, self.size.0);
        MARGIN + (x - xr.start) / (xr.end - xr.start) * (w - 2.0 * MARGIN)
    }

    /// Pixel row of the data coordinate `y` (up is up).
    fn sy(&self, y: f64) -> f64 {
        let (yr, h) = (&self.ranges.1, self.size.1);
        TOP + (yr.end - y) / (yr.end - yr.start) * (h - TOP - MARGIN)
    }

    /// The last frame's positions: the attributes' own values, what shows
    /// when nothing animates.
    fn shown(&self) -> &[(f64, f64)] {
        &self.frames[self.frames.len() - 1].1
    }

    /// An `<animate>` of `attr` through `pixel(positions)` of every frame,
    /// closing the loop on the first frame so the last move is visible.
    fn animate(&self, attr: &str, pixel: impl Fn(&[(f64, f64)]) -> f64) -> String {
        let mut values: Vec<String> = self
            .frames
            .iter()
            .map(|(_, p)| format!("{:.2}", pixel(p)))
            .collect();
        values.push(values[0].clone());
        let (values, dur) = (values.join(";"), self.dur);
        format!(
            r#"<animate attributeName="{attr}" values="{values}" dur="{dur}s" repeatCount="indefinite"/>"#
        )
    }

    /// The opening tag, a white background and the title.
    fn header(&self, title: &str) -> String {
        let (w, h) = self.size;
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
            escape_markup(title)
        );
        s
    }

    /// Each frame's caption, visible only during its frame.
    fn write_captions(&self, s: &mut String) {
        let (n_frames, dur) = (self.frames.len(), self.dur);
        for (k, (label, _)) in self.frames.iter().enumerate() {
            let on: Vec<&str> = (0..n_frames)
                .map(|j| if j == k { "1" } else { "0" })
                .collect();
            let _ = writeln!(
                s,
                r#"<text x="{}" y="40" font-family="sans-serif" font-size="13" text-anchor="middle" opacity="{}">{}<animate attributeName="opacity" values="{}" dur="{dur}s" calcMode="discrete" repeatCount="indefinite"/></text>"#,
                self.size.0 / 2.0,
                if k + 1 == n_frames { 1 } else { 0 },
                escape_markup(label),
                on.join(";")
            );
        }
    }

    /// Each edge as a line whose two ends follow their nodes.
    fn write_edges(&self, s: &mut String, edges: &[(usize, usize)]) {
        let shown = self.shown();
        for &(u, v) in edges {
            let _ = writeln!(
                s,
                r#"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="rgb(150,150,150)" stroke-width="1">{}{}{}{}</line>"#,
                self.sx(shown[u].0),
                self.sy(shown[u].1),
                self.sx(shown[v].0),
                self.sy(shown[v].1),
                self.animate("x1", |p| self.sx(p[u].0)),
                self.animate("y1", |p| self.sy(p[u].1)),
                self.animate("x2", |p| self.sx(p[v].0)),
                self.animate("y2", |p| self.sy(p[v].1)),
            );
        }
    }

    /// Each node as a moving disc in its class colour.
    fn write_nodes(&self, s: &mut String, style: &Style) {
        let shown = self.shown();
        let r = style.node_radius.min(7);
        for (i, &(x, y)) in shown.iter().enumerate() {
            let RGBColor(cr, cg, cb) = style.color(i);
            let _ = writeln!(
                s,
                r#"<circle cx="{:.2}" cy="{:.2}" r="{r}" fill="rgb({cr},{cg},{cb})" stroke="black" stroke-width="1">{}{}</circle>"#,
                self.sx(x),
                self.sy(y),
                self.animate("cx", |p| self.sx(p[i].0)),
                self.animate("cy", |p| self.sy(p[i].1)),
            );
        }
    }
}
