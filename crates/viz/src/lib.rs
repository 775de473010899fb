//! Charts and tables for hw6, as SVG and HTML that display inline in evcxr
//! notebooks and save to files.
//!
//! Every chart renders to an [`Svg`](svg::Svg); tables wrap a polars
//! `DataFrame` ([`Table`](table::Table)). Nothing here computes: data comes in
//! as plain numbers from the other hw6 crates.

pub mod ae_charts;
pub mod error;
pub mod image_grid;
pub mod line_chart;
pub mod network;
pub mod panel;
pub mod scatter_chart;
pub mod svg;
pub mod table;
pub mod tree;

/// What notebooks need from this crate.
pub mod prelude {
    pub use crate::error::VizError;
    pub use crate::line_chart::{LineChart, Series, palette};
    pub use crate::network::{NetworkChart, NetworkFrames};
    pub use crate::panel::Panel;
    pub use crate::scatter_chart::{LegendCorner, Points, ScatterChart};
    pub use crate::svg::Svg;
    pub use crate::table::Table;
    pub use crate::tree::TreeChart;
}
