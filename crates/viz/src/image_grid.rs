//! [`ImageGrid`]: rows of small grayscale images (MNIST digits and their
//! reconstructions) as one SVG, each row labelled on the left.
//!
//! Pixels are values in `[0, 1]` (clamped), drawn white on black in 32 gray
//! levels; equal neighbours in a row are merged into one rectangle.
//!
//! ```
//! use hw6_viz::ImageGrid;
//! let img = vec![0.0, 1.0, 0.5, 0.0];
//! let svg = ImageGrid::new("digits", 2, 2)
//!     .row("input", vec![img.clone(), img.clone()])
//!     .row("output", vec![img.clone(), img])
//!     .render()
//!     .unwrap();
//! assert!(svg.as_str().starts_with("<svg"));
//! ```

use std::fmt::Write;

use crate::error::VizError;
use crate::svg::{Svg, escape_markup};

/// A labelled grid of grayscale images, one row per label.
#[derive(Clone, Debug)]
pub struct ImageGrid {
    title: String,
    width: usize,
    height: usize,
    pixel: usize,
    rows: Vec<(String, Vec<Vec<f32>>)>,
}

const LABEL_WIDTH: usize = 110;
const TITLE_HEIGHT: usize = 30;
const GAP: usize = 4;
const LEVELS: f32 = 31.0;

impl ImageGrid {
    /// A grid of `width x height` images (28 x 28 for MNIST).
    pub fn new(title: impl Into<String>, width: usize, height: usize) -> Self {
        Self {
            title: title.into(),
            width,
            height,
            pixel: 3,
            rows: Vec::new(),
        }
    }

    /// Side of one image pixel in SVG units (default 3).
    pub fn pixel_size(mut self, pixel: usize) -> Self {
        self.pixel = pixel.max(1);
        self
    }

    /// Add a row: each image is `width * height` values, row-major.
    pub fn row(mut self, label: impl Into<String>, images: Vec<Vec<f32>>) -> Self {
        self.rows.push((label.into(), images));
        self
    }

    /// Draw. Errors when an image has the wrong number of pixels or there is nothing to draw.
    pub fn render(&self) -> Result<Svg, VizError> {
        let n = self.width * self.height;
        if n == 0 || self.rows.is_empty() || self.rows.iter().all(|(_, imgs)| imgs.is_empty()) {
            return Err(VizError::bad_data(
                &self.title,
                "no images: add at least one row with one image",
            ));
        }
        for (label, imgs) in &self.rows {
            if let Some(bad) = imgs.iter().find(|img| img.len() != n) {
                return Err(VizError::bad_data(
                    &self.title,
                    format!(
                        "an image in row '{label}' has {} values, expected {} x {} = {n}",
                        bad.len(),
                        self.width,
                        self.height
                    ),
                ));
            }
        }
        let cols = self
            .rows
            .iter()
            .map(|(_, imgs)| imgs.len())
            .max()
            .unwrap_or(0);
        let (iw, ih) = (self.width * self.pixel, self.height * self.pixel);
        let total_w = LABEL_WIDTH + cols * (iw + GAP);
        let total_h = TITLE_HEIGHT + self.rows.len() * (ih + GAP);
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" viewBox="0 0 {total_w} {total_h}" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="white"/><text x="{}" y="20" font-family="sans-serif" font-size="16" text-anchor="middle">{}</text>"#,
            total_w / 2,
            escape_markup(&self.title)
        );
        for (r, (label, imgs)) in self.rows.iter().enumerate() {
            let y0 = TITLE_HEIGHT + r * (ih + GAP);
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" font-family="sans-serif" font-size="13" text-anchor="end">{}</text>"#,
                LABEL_WIDTH - 8,
                y0 + ih / 2 + 4,
                escape_markup(label)
            );
            for (c, img) in imgs.iter().enumerate() {
                let x0 = LABEL_WIDTH + c * (iw + GAP);
                let _ = write!(
                    s,
                    r#"<rect x="{x0}" y="{y0}" width="{iw}" height="{ih}" fill="black"/>"#
                );
                self.write_pixels(&mut s, (x0, y0), img);
            }
        }
        s.push_str("</svg>");
        Ok(Svg::new(s))
    }

    /// Writes `img`'s lit pixels at `(x0, y0)`, each run of equal gray
    /// levels in a row as one rectangle (the black background is already
    /// there).
    fn write_pixels(&self, s: &mut String, (x0, y0): (usize, usize), img: &[f32]) {
        for py in 0..self.height {
            let line = &img[py * self.width..(py + 1) * self.width];
            let mut px = 0;
            while px < self.width {
                let level = quantize(line[px]);
                let mut end = px + 1;
                while end < self.width && quantize(line[end]) == level {
                    end += 1;
                }
                if level > 0 {
                    let g = (level as f32 / LEVELS * 255.0).round() as u8;
                    let _ = write!(
                        s,
                        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#{g:02x}{g:02x}{g:02x}"/>"##,
                        x0 + px * self.pixel,
                        y0 + py * self.pixel,
                        (end - px) * self.pixel,
                        self.pixel
                    );
                }
                px = end;
            }
        }
    }
}

fn quantize(v: f32) -> u8 {
    let v = if v.is_finite() {
        v.clamp(0.0, 1.0)
    } else {
        0.0
    };
    (v * LEVELS).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_runs_and_rejects_bad_sizes() {
        // One row of 4 white pixels: one rectangle besides the black background.
        let svg = ImageGrid::new("t", 4, 1)
            .row("a", vec![vec![1.0; 4]])
            .render()
            .unwrap();
        assert_eq!(svg.as_str().matches("#ffffff").count(), 1);
        assert!(
            ImageGrid::new("t", 4, 1)
                .row("a", vec![vec![1.0; 3]])
                .render()
                .is_err()
        );
        assert!(ImageGrid::new("t", 4, 1).render().is_err());
    }
}
