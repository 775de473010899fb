//! What `hw6 ae` shows while it runs: a progress bar over all epochs on a
//! terminal, one line per epoch otherwise.

use hw6_models::EpochStats;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

/// A bar on a terminal, plain lines when stderr is a file or a pipe.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Progress over `epochs` epochs in all.
    pub fn new(epochs: usize) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let style = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} epochs [{elapsed_precise} < {eta_precise}] {msg}",
            );
            let bar = ProgressBar::new(epochs as u64);
            bar.set_style(style.unwrap_or_else(|_| ProgressStyle::default_bar()));
            bar
        });
        Self { bar }
    }

    /// A run starts.
    pub fn start(&self, label: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(label.to_string());
        }
    }

    /// An epoch of the run `label` ended.
    pub fn epoch(&self, label: &str, e: &EpochStats) {
        match &self.bar {
            Some(bar) => bar.inc(1),
            None => eprintln!(
                "{label}: epoch {}/{} train {:.4} valid {:.4} ({:.3} s)",
                e.epoch, e.of, e.train_loss, e.valid_loss, e.seconds
            ),
        }
    }

    /// A result line, above the bar (to stderr when `err`, else stdout).
    pub fn line(&self, line: &str, err: bool) -> anyhow::Result<()> {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => say!(err, "{line}"),
        }
        Ok(())
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
