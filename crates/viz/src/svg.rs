//! [`Svg`]: a finished chart. Shows inline in evcxr notebooks, saves to a file.

use std::path::Path;

use crate::error::VizError;

/// An SVG document, as produced by every chart in this crate.
///
/// In an evcxr notebook, a cell whose value is an `Svg` displays the picture
/// (the kernel calls [`Svg::evcxr_display`]). Elsewhere, [`Svg::save`] writes
/// it to a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Svg(String);

impl Svg {
    /// Wraps SVG text. The text is taken as it is, not validated.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The SVG text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Consumes the value, giving the SVG text.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Writes the SVG to `path`, replacing any file there.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), VizError> {
        let path = path.as_ref();
        std::fs::write(path, &self.0).map_err(|source| VizError::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Prints the picture in evcxr's rich-output protocol (one write, so the
    /// block is never interleaved with other output).
    pub fn evcxr_display(&self) {
        print!("{}", evcxr_block("image/svg+xml", &self.0));
    }
}

impl std::fmt::Display for Svg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Escapes the characters that HTML and SVG text give meaning to.
pub(crate) fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Wraps `content` in evcxr's markers for rich output of type `mime`.
pub(crate) fn evcxr_block(mime: &str, content: &str) -> String {
    format!("EVCXR_BEGIN_CONTENT {mime}\n{content}\nEVCXR_END_CONTENT\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evcxr_block_has_markers_and_content() {
        let block = evcxr_block("image/svg+xml", "<svg/>");
        assert_eq!(
            block,
            "EVCXR_BEGIN_CONTENT image/svg+xml\n<svg/>\nEVCXR_END_CONTENT\n"
        );
    }

    #[test]
    fn save_reports_the_path_it_could_not_write() {
        let err = Svg::new("<svg/>")
            .save("/nonexistent-folder-hw6/x.svg")
            .unwrap_err();
        assert!(err.to_string().contains("nonexistent-folder-hw6"), "{err}");
    }
}
