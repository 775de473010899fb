//! Charts and tables for hw6, as SVG and HTML that display inline in evcxr
//! notebooks and save to files.
//!
//! Every chart renders to an [`Svg`]; tables wrap a polars `DataFrame`
//! ([`Table`]); a [`Panel`] shows several of them as one output. Nothing here
//! computes: data comes in as plain numbers from the other hw6 crates.
//!
//! - [`LineChart`] of [`Series`] and [`ScatterChart`] of [`Points`]: the same
//!   [`Chart`] (title, axis labels, log scales, size, [`LegendCorner`]).
//! - [`NetworkChart`] and [`NetworkFrames`]: nodes and edges, still or moving.
//! - [`TreeChart`]: a rooted tree with labelled edges and highlighted paths.
//! - [`ImageGrid`]: rows of small grayscale images.
//! - [`loss_chart`], [`accuracy_vs_k_chart`], [`accuracy_table`]: the
//!   autoencoder notebook's figures.

mod ae_charts;
mod chart;
mod error;
mod image_grid;
mod line_chart;
mod network;
mod network_frames;
mod palette;
mod panel;
mod scatter_chart;
mod svg;
mod table;
mod tree;

pub use ae_charts::{accuracy_table, accuracy_vs_k_chart, loss_chart};
pub use chart::{Chart, LegendCorner, PointSet};
pub use error::VizError;
pub use image_grid::ImageGrid;
pub use line_chart::{LineChart, Series};
pub use network::NetworkChart;
pub use network_frames::NetworkFrames;
pub use palette::palette;
pub use panel::Panel;
pub use scatter_chart::{Points, ScatterChart};
pub use svg::Svg;
pub use table::Table;
pub use tree::TreeChart;

/// What notebooks need from this crate: `use hw6_viz::prelude::*;`.
pub mod prelude {
    pub use crate::{
        ImageGrid, LegendCorner, LineChart, NetworkChart, NetworkFrames, Panel, Points,
        ScatterChart, Series, Svg, Table, TreeChart, VizError, accuracy_table, accuracy_vs_k_chart,
        loss_chart, palette,
    };
}
