//! The one error type of this crate.
//!
//! Every message is a single line that says what was wrong and what to do
//! about it, so that the `hw6` program can print it as is and exit.

use hw6_exercise::ParamError;
use hw6_linalg::LinalgError;
use std::path::{Path, PathBuf};

/// Everything that can go wrong while building, reading or batching data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A setting (size, fraction, batch size, ...) is out of its allowed range.
    #[error(transparent)]
    Param(#[from] ParamError),

    /// A file or folder could not be read or written.
    #[error("{}: {action} failed: {source}; check that the path exists and is accessible", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What we were doing (`reading`, `creating the folder`, ...).
        action: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },

    /// A file was read but its content is not what it should be
    /// (a corrupt or truncated IDX file, a bad line in a CSV file, ...).
    #[error("{}: {problem}; {advice}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
        /// What to do about it.
        advice: String,
    },

    /// A data set could not be found in any of the places we look.
    #[error("{what} not found; tried {}; {advice}", list_paths(tried))]
    NotFound {
        /// What was looked for (`MNIST`, `Fashion-MNIST`, `the karate club`).
        what: String,
        /// Every path that was tried, in order.
        tried: Vec<PathBuf>,
        /// What to do (the command to run, the package to install, ...).
        advice: String,
    },

    /// A download failed (offline, mirror down, wrong checksum).
    #[error("could not download {file}: {problem}; {advice}")]
    Download {
        /// The file name (`train-images-idx3-ubyte.gz`).
        file: String,
        /// What went wrong with every mirror tried.
        problem: String,
        /// What to do (for MNIST: the bundled sample is used meanwhile).
        advice: String,
    },

    /// A matrix operation got shapes that do not fit.
    #[error(transparent)]
    Linalg(#[from] LinalgError),
}

impl DataError {
    /// A [`ParamError`] for `field`, saying what is wrong and what to do.
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        DataError::Param(ParamError::field(field, reason))
    }

    /// Shorthand for [`DataError::Io`].
    pub(crate) fn io(path: impl AsRef<Path>, action: &'static str, source: std::io::Error) -> Self {
        DataError::Io {
            path: path.as_ref().to_path_buf(),
            action,
            source,
        }
    }

    /// Shorthand for [`DataError::BadFile`].
    pub(crate) fn bad_file(
        path: impl AsRef<Path>,
        problem: impl Into<String>,
        advice: impl Into<String>,
    ) -> Self {
        DataError::BadFile {
            path: path.as_ref().to_path_buf(),
            problem: problem.into(),
            advice: advice.into(),
        }
    }
}

fn list_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "no paths".to_string();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_lists_every_path_on_one_line() {
        let e = DataError::NotFound {
            what: "MNIST".into(),
            tried: vec![PathBuf::from("/a/MNIST/raw"), PathBuf::from("/a")],
            advice: "run `hw6 data fetch mnist`".into(),
        };
        let msg = e.to_string();
        assert!(msg.contains("/a/MNIST/raw, /a;"), "{msg}");
        assert!(msg.contains("hw6 data fetch mnist"));
        assert!(!msg.contains('\n'));
    }
}
