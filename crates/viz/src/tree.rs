//! [`TreeChart`]: a rooted tree drawn top-down, each node a labelled box,
//! each edge with its own label, and named highlighted paths (for a beam
//! search: edge = next-token log-probability, node = the prefix and its
//! total). Colours are `(r, g, b)` in `0..=255`.
//!
//! ```
//! use hw6_viz::TreeChart;
//! let svg = TreeChart::new("coin")
//!     .node(None, "start", "")
//!     .node(Some(0), "heads", "-0.69")
//!     .node(Some(0), "tails", "-0.69")
//!     .node_fill(1, (200, 225, 255))
//!     .path("chosen", vec![0, 1], (230, 120, 20))
//!     .render()
//!     .unwrap();
//! assert!(svg.as_str().contains("heads"));
//! ```

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::VizError;
use crate::svg::Svg;

type Rgb = (u8, u8, u8);

#[derive(Clone, Debug)]
struct Node {
    parent: Option<usize>,
    label: String,
    edge_label: String,
    fill: Option<Rgb>,
}

#[derive(Clone, Debug)]
struct Path {
    name: String,
    ids: Vec<usize>,
    color: Rgb,
}

/// A tree under construction; nodes are numbered in the order they are added
/// (the root, added first with no parent, is 0).
#[derive(Clone, Debug)]
pub struct TreeChart {
    title: String,
    nodes: Vec<Node>,
    paths: Vec<Path>,
    legend: Vec<(String, Rgb)>,
    width: Option<u32>,
    level_height: u32,
}

impl TreeChart {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            nodes: Vec::new(),
            paths: Vec::new(),
            legend: Vec::new(),
            width: None,
            level_height: 110,
        }
    }

    /// Adds a node under `parent` (`None` for the root). `label` may hold
    /// several lines separated by `\n`; `edge_label` is written on the edge
    /// from the parent.
    pub fn node(
        mut self,
        parent: Option<usize>,
        label: impl Into<String>,
        edge_label: impl Into<String>,
    ) -> Self {
        self.nodes.push(Node {
            parent,
            label: label.into(),
            edge_label: edge_label.into(),
            fill: None,
        });
        self
    }

    /// Fills node `id`'s box with `color`.
    pub fn node_fill(mut self, id: usize, color: Rgb) -> Self {
        if let Some(n) = self.nodes.get_mut(id) {
            n.fill = Some(color);
        }
        self
    }

    /// A legend entry for a fill colour.
    pub fn legend(mut self, name: impl Into<String>, color: Rgb) -> Self {
        self.legend.push((name.into(), color));
        self
    }

    /// Highlights the edges along `ids` (consecutive ids must be parent and
    /// child) in `color`, with a legend entry `name`.
    pub fn path(mut self, name: impl Into<String>, ids: Vec<usize>, color: Rgb) -> Self {
        self.paths.push(Path {
            name: name.into(),
            ids,
            color,
        });
        self
    }

    /// Width in pixels (default: 110 per leaf, at least 640); height follows
    /// from the depth.
    pub fn width(mut self, width: u32) -> Self {
        self.width = Some(width);
        self
    }

    fn check(&self) -> Result<Vec<usize>, VizError> {
        let bad = |reason: String| VizError::bad_data(&self.title, reason);
        if self.nodes.is_empty() {
            return Err(bad(
                "the tree has no nodes; add a root with .node(None, ..)".into(),
            ));
        }
        let mut depth = vec![0usize; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            match n.parent {
                None if i == 0 => {}
                None => {
                    return Err(bad(format!(
                        "node {i} has no parent; only the first node is the root"
                    )));
                }
                Some(p) if p >= i => {
                    return Err(bad(format!(
                        "node {i}'s parent {p} must be added before it"
                    )));
                }
                Some(p) => depth[i] = depth[p] + 1,
            }
        }
        for path in &self.paths {
            for w in path.ids.windows(2) {
                if w[1] >= self.nodes.len() || self.nodes[w[1]].parent != Some(w[0]) {
                    return Err(bad(format!(
                        "path '{}' steps from node {} to {}, which is not its child",
                        path.name, w[0], w[1]
                    )));
                }
            }
        }
        Ok(depth)
    }

    /// x position (in leaf slots) of every node: leaves left to right in
    /// depth-first order, parents centred over their children.
    fn layout(&self) -> (Vec<f64>, usize) {
        let n = self.nodes.len();
        let mut children = vec![Vec::new(); n];
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(p) = node.parent {
                children[p].push(i);
            }
        }
        let mut x = vec![0.0; n];
        let mut next_leaf = 0usize;
        // iterative post-order from the root
        let mut stack = vec![(0usize, false)];
        while let Some((v, done)) = stack.pop() {
            if done || children[v].is_empty() {
                if children[v].is_empty() {
                    x[v] = next_leaf as f64;
                    next_leaf += 1;
                } else {
                    let c = &children[v];
                    x[v] = (x[c[0]] + x[c[c.len() - 1]]) / 2.0;
                }
                continue;
            }
            stack.push((v, true));
            for &c in children[v].iter().rev() {
                stack.push((c, false));
            }
        }
        (x, next_leaf.max(1))
    }

    /// Pixel centre of every node and the picture's size: leaves
    /// `width / leaves` apart, levels `level_height` apart below the title
    /// (and the legend row, if any).
    fn placement(&self) -> Result<Placement, VizError> {
        let depth = self.check()?;
        let (slots, leaves) = self.layout();
        let max_depth = depth.iter().copied().max().unwrap_or(0);
        let width = self.width.unwrap_or((leaves as u32 * 110).max(640));
        let top = 60 + 22 * self.legend.len().max(self.paths.len()).min(1) as i32;
        let height = top as u32 + self.level_height * max_depth as u32 + 70;
        let slot_w = width as f64 / leaves as f64;
        let pos = slots
            .iter()
            .zip(&depth)
            .map(|(&s, &d)| {
                (
                    ((s + 0.5) * slot_w) as i32,
                    top + 20 + d as i32 * self.level_height as i32,
                )
            })
            .collect();
        Ok(Placement { width, height, pos })
    }

    /// Draws the tree. Errors if a node other than the first has no parent,
    /// a parent comes after its child, or a path steps to a non-child.
    pub fn render(&self) -> Result<Svg, VizError> {
        let Placement { width, height, pos } = self.placement()?;
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
            root.fill(&WHITE)
                .map_err(VizError::while_drawing(&self.title))?;
            let title = Text::new(self.title.clone(), (width as i32 / 2, 20), centred(20.0));
            root.draw(&title)
                .map_err(VizError::while_drawing(&self.title))?;
            self.draw_paths(&root, &pos)?;
            self.draw_edges(&root, &pos)?;
            self.draw_nodes(&root, &pos)?;
            self.draw_legend(&root)?;
            root.present()
                .map_err(VizError::while_drawing(&self.title))?;
        }
        Ok(Svg::new(text))
    }

    /// The highlighted paths, thick, each shifted sideways so that
    /// overlapping paths both show.
    fn draw_paths(&self, root: &Area<'_>, pos: &[(i32, i32)]) -> Result<(), VizError> {
        for (pi, path) in self.paths.iter().enumerate() {
            let off = (pi as i32 * 6) - (self.paths.len() as i32 - 1) * 3;
            for w in path.ids.windows(2) {
                let (a, b) = (pos[w[0]], pos[w[1]]);
                root.draw(&PathElement::new(
                    vec![(a.0 + off, a.1), (b.0 + off, b.1)],
                    rgb(path.color).stroke_width(5),
                ))
                .map_err(VizError::while_drawing(&self.title))?;
            }
        }
        Ok(())
    }

    /// Every parent-child edge, its label on a white patch at its middle.
    fn draw_edges(&self, root: &Area<'_>, pos: &[(i32, i32)]) -> Result<(), VizError> {
        for (i, node) in self.nodes.iter().enumerate() {
            let Some(p) = node.parent else { continue };
            let (a, b) = (pos[p], pos[i]);
            root.draw(&PathElement::new(
                vec![a, b],
                RGBColor(120, 120, 120).stroke_width(1),
            ))
            .map_err(VizError::while_drawing(&self.title))?;
            if !node.edge_label.is_empty() {
                let mid = ((a.0 + b.0) / 2, (a.1 + b.1) / 2);
                let w = 7 * node.edge_label.chars().count() as i32 / 2 + 4;
                root.draw(&Rectangle::new(
                    [(mid.0 - w, mid.1 - 9), (mid.0 + w, mid.1 + 9)],
                    WHITE.filled(),
                ))
                .map_err(VizError::while_drawing(&self.title))?;
                root.draw(&Text::new(
                    node.edge_label.clone(),
                    mid,
                    centred(13.0).color(&RGBColor(60, 60, 160)),
                ))
                .map_err(VizError::while_drawing(&self.title))?;
            }
        }
        Ok(())
    }

    /// Every node as an outlined box around its lines of text.
    fn draw_nodes(&self, root: &Area<'_>, pos: &[(i32, i32)]) -> Result<(), VizError> {
        for (node, &(x, y)) in self.nodes.iter().zip(pos) {
            let lines: Vec<&str> = node.label.split('\n').collect();
            let w = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as i32 * 4 + 10;
            let h = lines.len() as i32 * 8 + 6;
            let fill = node.fill.map_or(WHITE, rgb);
            self.draw_box(root, [(x - w, y - h), (x + w, y + h)], fill)?;
            for (li, line) in lines.iter().enumerate() {
                let ly = y - (lines.len() as i32 - 1) * 8 + li as i32 * 16;
                root.draw(&Text::new(line.to_string(), (x, ly), centred(13.0)))
                    .map_err(VizError::while_drawing(&self.title))?;
            }
        }
        Ok(())
    }

    /// One row under the title: the fill colours, then the paths.
    fn draw_legend(&self, root: &Area<'_>) -> Result<(), VizError> {
        let mut lx = 12;
        let ly = 48;
        let left =
            TextStyle::from(("sans-serif", 13).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        for (name, c) in &self.legend {
            self.draw_box(root, [(lx, ly - 7), (lx + 18, ly + 7)], rgb(*c))?;
            root.draw(&Text::new(name.clone(), (lx + 24, ly), left.clone()))
                .map_err(VizError::while_drawing(&self.title))?;
            lx += 34 + 7 * name.chars().count() as i32;
        }
        for path in &self.paths {
            root.draw(&PathElement::new(
                vec![(lx, ly), (lx + 22, ly)],
                rgb(path.color).stroke_width(5),
            ))
            .map_err(VizError::while_drawing(&self.title))?;
            root.draw(&Text::new(path.name.clone(), (lx + 28, ly), left.clone()))
                .map_err(VizError::while_drawing(&self.title))?;
            lx += 38 + 7 * path.name.chars().count() as i32;
        }
        Ok(())
    }

    /// A rectangle between the pixel `corners`, filled and outlined in black.
    fn draw_box(
        &self,
        root: &Area<'_>,
        corners: [(i32, i32); 2],
        fill: RGBColor,
    ) -> Result<(), VizError> {
        root.draw(&Rectangle::new(corners, fill.filled()))
            .map_err(VizError::while_drawing(&self.title))?;
        root.draw(&Rectangle::new(corners, BLACK.stroke_width(1)))
            .map_err(VizError::while_drawing(&self.title))
    }
}

/// Where [`TreeChart::render`] puts things, in pixels.
struct Placement {
    width: u32,
    height: u32,
    /// Centre of each node's box.
    pos: Vec<(i32, i32)>,
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// Text of `size` pixels centred on its position.
fn centred(size: f64) -> TextStyle<'static> {
    TextStyle::from(("sans-serif", size).into_font()).pos(Pos::new(HPos::Center, VPos::Center))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_sit_over_their_children() {
        let t = TreeChart::new("t")
            .node(None, "r", "")
            .node(Some(0), "a", "")
            .node(Some(0), "b", "")
            .node(Some(1), "a1", "")
            .node(Some(1), "a2", "");
        let (x, leaves) = t.layout();
        assert_eq!(leaves, 3);
        assert_eq!(x[3], 0.0);
        assert_eq!(x[4], 1.0);
        assert_eq!(x[2], 2.0);
        assert_eq!(x[1], 0.5);
        assert_eq!(x[0], 1.25);
        let svg = t
            .node_fill(2, (1, 2, 3))
            .legend("kept", (1, 2, 3))
            .render()
            .unwrap();
        assert!(svg.as_str().contains("a2") && svg.as_str().contains("kept"));
    }
}
