//! [`Panel`]: several charts and tables shown as one output.
//!
//! evcxr keeps one rich output per MIME type and cell, so a `Panel` puts its
//! items, in order, into one HTML block with the charts inline as `<svg>`: a
//! cell shows everything it made.
//!
//! ```
//! use hw6_viz::prelude::*;
//! let chart = Svg::new("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"></svg>");
//! let mut panel = Panel::new();
//! panel.push_chart(&chart);
//! panel.push_text("3 runs in 0.4 s");
//! assert_eq!(panel.len(), 2);
//! assert!(panel.to_html().contains("<svg"));
//! ```

use crate::error::VizError;
use crate::svg::{Svg, escape_markup, evcxr_block};
use crate::table::Table;

/// Charts, tables and short texts, shown in order as one HTML output.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Panel {
    items: Vec<String>,
}

impl Panel {
    /// An empty panel.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a chart (inline SVG; an XML declaration in front is dropped).
    pub fn push_chart(&mut self, chart: &Svg) -> &mut Self {
        let text = chart.as_str().trim_start();
        let svg = match text.strip_prefix("<?xml") {
            Some(rest) => rest.split_once("?>").map_or(text, |(_, svg)| svg),
            None => text,
        };
        self.items
            .push(format!("<div class=\"hw6-chart\">{}</div>", svg.trim()));
        self
    }

    /// Adds a table as HTML.
    ///
    /// # Errors
    /// The table cannot be laid out (see [`Table::to_html`]).
    pub fn push_table(&mut self, table: &Table) -> Result<&mut Self, VizError> {
        self.items.push(format!(
            "<div class=\"hw6-table\">{}</div>",
            table.to_html()?
        ));
        Ok(self)
    }

    /// Adds a line of text (escaped).
    pub fn push_text(&mut self, text: &str) -> &mut Self {
        self.items.push(format!("<p>{}</p>", escape_markup(text)));
        self
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True if nothing was added.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The whole panel as one HTML fragment.
    pub fn to_html(&self) -> String {
        format!("<div class=\"hw6-panel\">{}</div>", self.items.join("\n"))
    }

    /// Shows the panel in an evcxr notebook as one HTML output.
    pub fn evcxr_display(&self) {
        print!("{}", evcxr_block("text/html", &self.to_html()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_every_item_in_order_in_one_block() {
        let a = Svg::new("<?xml version=\"1.0\"?>\n<svg id=\"a\"></svg>");
        let b = Svg::new("<svg id=\"b\"></svg>");
        let mut panel = Panel::new();
        panel.push_chart(&a).push_text("x < y & z").push_chart(&b);
        let html = panel.to_html();
        assert!(!html.contains("<?xml"));
        let (ia, ib) = (
            html.find("id=\"a\"").unwrap(),
            html.find("id=\"b\"").unwrap(),
        );
        assert!(ia < ib);
        assert!(html.contains("x &lt; y &amp; z"));
        assert_eq!(html.matches("<svg").count(), 2);
    }
}
