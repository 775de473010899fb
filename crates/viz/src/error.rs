//! The one error type of `hw6-viz`.

use std::path::PathBuf;

/// What went wrong while drawing a chart, building a table or saving a file.
#[derive(Debug, thiserror::Error)]
pub enum VizError {
    /// A chart was asked for with data it cannot show.
    #[error("cannot draw chart '{chart}': {reason}")]
    BadData { chart: String, reason: String },
    /// plotters failed while drawing.
    #[error("drawing chart '{chart}' failed: {message}")]
    Drawing { chart: String, message: String },
    /// Writing an output file failed.
    #[error("could not write {path}: {source}. Check that the folder exists and is writable")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// polars refused an operation on a table.
    #[error("table error: {0}")]
    Table(String),
}

impl VizError {
    pub(crate) fn bad_data(chart: &str, reason: impl Into<String>) -> Self {
        Self::BadData {
            chart: chart.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn drawing(chart: &str, err: impl std::fmt::Display) -> Self {
        Self::Drawing {
            chart: chart.to_string(),
            message: err.to_string(),
        }
    }

    /// `drawing(chart, _)` as a function for `map_err`.
    pub(crate) fn while_drawing<E: std::fmt::Display>(chart: &str) -> impl FnOnce(E) -> Self + '_ {
        move |err| Self::drawing(chart, err)
    }
}
