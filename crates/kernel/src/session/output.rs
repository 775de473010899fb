//! What a running cell prints, on its way to Jupyter: stdout lines and
//! display updates as they come, stderr lines held briefly in case an error
//! mark follows them (then they belong to the error output).

use super::{Failure, Session};
use crate::display::{self, Display};
use crate::relay::{MARK_ERROR, MARK_PANIC, STDERR_PREFIX};
use crate::wire::Message;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A stderr line held this long without other output is shown anyway.
const HOLD: Duration = Duration::from_millis(150);

impl Session {
    pub(super) fn stdout_line(&mut self, line: String) {
        if let Some(text) = line.strip_prefix(STDERR_PREFIX) {
            return self.stderr_line(text.to_owned());
        }
        let Some(cell) = self.cell.as_mut() else {
            // Printed by a thread a cell left running: the kernel's log.
            return eprintln!("{line}");
        };
        if line == MARK_ERROR || line == MARK_PANIC {
            let kind = if line == MARK_ERROR {
                Failure::Error
            } else {
                Failure::Panic
            };
            let text = std::mem::take(&mut cell.held);
            cell.held_since = None;
            cell.failure = Some((kind, text));
            return;
        }
        self.release_held(true);
        let Some(cell) = self.cell.as_mut() else {
            return;
        };
        let Some(parent) = cell.parent.clone() else {
            return eprintln!("{line}");
        };
        match display::parse(&line) {
            Some(Ok(display)) => {
                let kind = if cell.displays.insert(display.display_id.clone()) {
                    "display_data"
                } else {
                    "update_display_data"
                };
                self.publish_display(&parent, kind, &display);
            }
            Some(Err(problem)) => {
                let text = format!("hw6 kernel: a display line was ignored ({problem}): {line}\n");
                self.publish(&parent, "stream", json!({"name": "stderr", "text": text}));
            }
            None => self.publish(
                &parent,
                "stream",
                json!({"name": "stdout", "text": format!("{line}\n")}),
            ),
        }
    }

    pub(super) fn stderr_line(&mut self, line: String) {
        let Some(cell) = self.cell.as_mut() else {
            return eprintln!("{line}");
        };
        if let Some((_, text)) = cell.failure.as_mut() {
            text.push(line);
            return;
        }
        cell.held.push(line);
        cell.held_since.get_or_insert_with(Instant::now);
    }

    /// Publishes held stderr lines: all of them if `now`, else those held
    /// longer than HOLD.
    pub(super) fn release_held(&mut self, now: bool) {
        let Some(cell) = self.cell.as_mut() else {
            return;
        };
        let Some(since) = cell.held_since else { return };
        if !now && since.elapsed() < HOLD {
            return;
        }
        let text: String = cell.held.drain(..).map(|l| l + "\n").collect();
        cell.held_since = None;
        match cell.parent.clone() {
            Some(parent) => {
                self.publish(&parent, "stream", json!({"name": "stderr", "text": text}))
            }
            None => eprint!("{text}"),
        }
    }

    pub(super) fn publish(&self, parent: &Message, msg_type: &str, content: Value) {
        let mut message = parent.child(msg_type, content);
        message.ids = Vec::new();
        let _ = self.iopub.send(message);
    }

    pub(super) fn publish_display(&self, parent: &Message, kind: &str, display: &Display) {
        self.publish(parent, kind, display.content());
    }
}
