//! [`Table`]: a polars `DataFrame` shown as an HTML table in notebooks and as
//! aligned text in a terminal.

use std::fmt::Write as _;

use polars::prelude::{AnyValue, DataFrame};

use crate::error::VizError;
use crate::svg::{escape_markup, evcxr_block};

/// A DataFrame to display. Floats are shown with `decimals` digits after the
/// point (4 unless changed).
#[derive(Clone, Debug)]
pub struct Table {
    frame: DataFrame,
    decimals: usize,
    caption: Option<String>,
}

impl Table {
    pub fn new(frame: DataFrame) -> Self {
        Self {
            frame,
            decimals: 4,
            caption: None,
        }
    }

    /// Digits after the decimal point for float columns.
    pub fn decimals(mut self, decimals: usize) -> Self {
        self.decimals = decimals;
        self
    }

    /// A caption shown above the table.
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    /// The underlying DataFrame.
    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }

    /// Header names and every cell as display text, row by row.
    fn cells(&self) -> Result<(Vec<String>, Vec<Vec<String>>), VizError> {
        let columns = self.frame.columns();
        let header = columns.iter().map(|c| c.name().to_string()).collect();
        let mut rows = Vec::with_capacity(self.frame.height());
        for i in 0..self.frame.height() {
            let mut row = Vec::with_capacity(columns.len());
            for c in columns {
                let value = c.get(i).map_err(|e| VizError::Table(e.to_string()))?;
                row.push(self.format_value(&value));
            }
            rows.push(row);
        }
        Ok((header, rows))
    }

    fn format_value(&self, value: &AnyValue<'_>) -> String {
        match value {
            AnyValue::Null => String::new(),
            AnyValue::Float64(v) => format!("{v:.*}", self.decimals),
            AnyValue::Float32(v) => format!("{v:.*}", self.decimals),
            AnyValue::String(s) => s.to_string(),
            AnyValue::StringOwned(s) => s.to_string(),
            other => other.to_string(),
        }
    }

    /// The table as an HTML `<table>` (text escaped).
    pub fn to_html(&self) -> Result<String, VizError> {
        let (header, rows) = self.cells()?;
        let mut html = String::from(
            "<table style=\"border-collapse:collapse;font-family:sans-serif;font-size:13px\">",
        );
        if let Some(caption) = &self.caption {
            let _ = write!(
                html,
                "<caption style=\"text-align:left;font-weight:bold\">{}</caption>",
                escape_markup(caption)
            );
        }
        html.push_str("<thead><tr>");
        for name in &header {
            let _ = write!(
                html,
                "<th style=\"border-bottom:1px solid #888;padding:2px 10px;text-align:right\">{}</th>",
                escape_markup(name)
            );
        }
        html.push_str("</tr></thead><tbody>");
        for row in &rows {
            html.push_str("<tr>");
            for cell in row {
                let _ = write!(
                    html,
                    "<td style=\"padding:2px 10px;text-align:right\">{}</td>",
                    escape_markup(cell)
                );
            }
            html.push_str("</tr>");
        }
        html.push_str("</tbody></table>");
        Ok(html)
    }

    /// The table as aligned plain text, for terminals and logs.
    pub fn to_text(&self) -> Result<String, VizError> {
        let (header, rows) = self.cells()?;
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:>w$}"))
                .collect::<Vec<_>>()
                .join("  ")
        };
        let mut text = String::new();
        if let Some(caption) = &self.caption {
            text.push_str(caption);
            text.push('\n');
        }
        text.push_str(&line(&header));
        text.push('\n');
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        text.push_str(&rule.join("  "));
        for row in &rows {
            text.push('\n');
            text.push_str(&line(row));
        }
        Ok(text)
    }

    /// Shows the table as HTML in an evcxr notebook.
    pub fn evcxr_display(&self) {
        match self.to_html() {
            Ok(html) => print!("{}", evcxr_block("text/html", &html)),
            Err(e) => println!("(table could not be shown: {e})"),
        }
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to_text() {
            Ok(text) => f.write_str(&text),
            Err(e) => write!(f, "(table could not be shown: {e})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    fn table() -> Table {
        let frame = df!(
            "model" => ["vanilla", "a<b"],
            "k" => [5i64, 10],
            "accuracy" => [0.681234f64, 0.75],
        )
        .unwrap();
        Table::new(frame).decimals(3)
    }

    #[test]
    fn html_has_headers_escaped_cells_and_rounded_floats() {
        let html = table().to_html().unwrap();
        assert!(html.contains("<th"), "{html}");
        assert!(html.contains(">accuracy</th>"));
        assert!(html.contains(">0.681</td>"));
        assert!(html.contains("a&lt;b"));
        assert_eq!(html.matches("<tr>").count(), 3);
    }

    #[test]
    fn text_is_aligned_in_columns() {
        let text = table().to_text().unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() == lines[0].chars().count())
        );
        assert!(lines[2].ends_with("0.681"));
    }
}
