//! Outputs a notebook cell redraws in place, such as a progress bar, in the
//! "Rust (hw6)" Jupyter kernel (`crates/kernel`).
//!
//! The kernel sets `HW6_KERNEL_DISPLAY=1` for the code it runs and turns
//! each stdout line
//!
//! ```text
//! HW6_KERNEL_DISPLAY {"display_id": "ID", "data": {"text/html": "...", "text/plain": "..."}}
//! ```
//!
//! into a Jupyter display: the first line of a cell with a given id adds an
//! output, later ones replace it (`update_display_data`). Elsewhere (a
//! terminal, another kernel) these functions print nothing and return
//! false, so callers can fall back to plain lines.
//!
//! ```
//! let mut bar = hw6_kernel_display::Progress::new("training", 3);
//! for epoch in 1..=3 {
//!     bar.set(epoch, &format!("loss {:.3}", 1.0 / epoch as f64));
//! }
//! ```

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The variable the kernel sets (to `1`) for the code it runs.
pub const ENV: &str = "HW6_KERNEL_DISPLAY";
/// The start of a display line.
pub const PREFIX: &str = "HW6_KERNEL_DISPLAY ";

/// True when running inside the hw6 kernel.
pub fn in_kernel() -> bool {
    std::env::var_os(ENV).is_some_and(|v| v == "1")
}

/// Shows `data` (MIME type, content) as the display `display_id`, adding it
/// the first time in a cell and redrawing it after. Returns false (and
/// prints nothing) outside the kernel.
pub fn show(display_id: &str, data: &[(&str, &str)]) -> bool {
    if !in_kernel() {
        return false;
    }
    let line = display_line(display_id, data);
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())
        .and_then(|_| out.flush())
        .is_ok()
}

/// The protocol line (with its newline) for a display.
pub fn display_line(display_id: &str, data: &[(&str, &str)]) -> String {
    let mut line = String::from(PREFIX);
    line.push_str("{\"display_id\": ");
    push_json_string(&mut line, display_id);
    line.push_str(", \"data\": {");
    for (i, (mime, content)) in data.iter().enumerate() {
        if i > 0 {
            line.push_str(", ");
        }
        push_json_string(&mut line, mime);
        line.push_str(": ");
        push_json_string(&mut line, content);
    }
    line.push_str("}}\n");
    line
}

fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A progress bar that redraws in place in the kernel: `label`, a bar,
/// `done/total`, elapsed time and a note (e.g. the last loss).
pub struct Progress {
    id: String,
    label: String,
    total: usize,
    started: Instant,
    last_draw: Option<Instant>,
}

/// Redraw at most this often, except for the last step.
const MIN_REDRAW: Duration = Duration::from_millis(100);

impl Progress {
    /// A bar for `total` steps; drawn (at 0) right away in the kernel.
    pub fn new(label: &str, total: usize) -> Progress {
        let id = format!(
            "hw6-progress-{}-{}",
            std::process::id(),
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        );
        let mut bar = Progress {
            id,
            label: label.to_owned(),
            total,
            started: Instant::now(),
            last_draw: None,
        };
        bar.draw(0, "");
        bar
    }

    /// `done` of `total` steps; redraws at most every 100 ms, and always
    /// at the end. Returns false outside the kernel.
    pub fn set(&mut self, done: usize, note: &str) -> bool {
        let due = self.last_draw.is_none_or(|t| t.elapsed() >= MIN_REDRAW);
        if done >= self.total || due {
            self.draw(done, note)
        } else {
            in_kernel()
        }
    }

    fn draw(&mut self, done: usize, note: &str) -> bool {
        self.last_draw = Some(Instant::now());
        let (text, html) = self.render(done, note);
        show(&self.id, &[("text/plain", &text), ("text/html", &html)])
    }

    /// The bar as plain text and as HTML.
    pub fn render(&self, done: usize, note: &str) -> (String, String) {
        let done = done.min(self.total);
        let width = 30;
        let filled = (done * width).checked_div(self.total).unwrap_or(width);
        let seconds = self.started.elapsed().as_secs_f64();
        let bar = format!("{}{}", "#".repeat(filled), ".".repeat(width - filled));
        let text = format!(
            "{} [{bar}] {done}/{} {seconds:.1}s {note}",
            self.label, self.total
        );
        let html = format!(
            "<div class=\"hw6-progress\" style=\"font-family: monospace\">{} \
             <progress value=\"{done}\" max=\"{}\" style=\"width: 20em; vertical-align: middle\"></progress> \
             {done}/{} &middot; {seconds:.1}s &middot; {}</div>",
            escape_html(&self.label),
            self.total.max(1),
            self.total,
            escape_html(note)
        );
        (text.trim_end().to_owned(), html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_line_is_one_line_of_valid_json() {
        let line = display_line(
            "p\"1",
            &[("text/plain", "a\nb\t\u{1}"), ("text/html", "<b>x</b>")],
        );
        assert!(line.ends_with('\n') && line.matches('\n').count() == 1);
        let value: serde_json::Value =
            serde_json::from_str(line.strip_prefix(PREFIX).unwrap()).unwrap();
        assert_eq!(value["display_id"], "p\"1");
        assert_eq!(value["data"]["text/plain"], "a\nb\t\u{1}");
        assert_eq!(value["data"]["text/html"], "<b>x</b>");
    }

    #[test]
    fn the_bar_fills_with_the_steps_and_escapes_its_note() {
        let bar = Progress {
            id: "t".into(),
            label: "train".into(),
            total: 10,
            started: Instant::now(),
            last_draw: None,
        };
        let (text, html) = bar.render(5, "loss <0.1>");
        assert!(
            text.starts_with("train [###############...............] 5/10"),
            "{text}"
        );
        assert!(html.contains("value=\"5\" max=\"10\""));
        assert!(html.contains("loss &lt;0.1&gt;"));
        let (full, _) = bar.render(12, "");
        assert!(full.contains("10/10"));
    }
}
