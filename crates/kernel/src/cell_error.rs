//! A cell's failure as Jupyter shows it: compile errors with the cell's
//! lines and carets, a panic's message and the project's own frames, the
//! text of an `Err` returned with `?`.

use serde_json::{Value, json};

/// A cell's failure, as Jupyter shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    pub ename: String,
    pub evalue: String,
    pub traceback: Vec<String>,
}

impl CellError {
    pub(crate) fn new(ename: &str, evalue: impl Into<String>, traceback: Vec<String>) -> CellError {
        let evalue = evalue.into();
        let traceback = if traceback.is_empty() {
            vec![format!("{ename}: {evalue}")]
        } else {
            traceback
        };
        CellError {
            ename: ename.to_owned(),
            evalue,
            traceback,
        }
    }
}

/// A compile error or evcxr's own error as a Jupyter error.
pub(crate) fn describe_error(error: evcxr::Error, code: &str) -> CellError {
    match error {
        evcxr::Error::CompilationErrors(mut errors) => {
            // evcxr passes warnings along with the errors: errors only, when
            // there are any.
            if errors.iter().any(|e| e.level() == "error") {
                errors.retain(|e| e.level() == "error");
            }
            let mut traceback = Vec::new();
            for error in &errors {
                traceback.extend(compile_error_lines(error, code));
            }
            let first = errors
                .first()
                .map(|e| e.message())
                .unwrap_or_else(|| "compilation failed".into());
            CellError::new("CompileError", first, traceback)
        }
        evcxr::Error::SubprocessTerminated(message) => {
            CellError::new("WorkerStopped", message.trim(), vec![])
        }
        evcxr::Error::TypeRedefinedVariablesLost(names) => CellError::new(
            "VariablesLost",
            format!(
                "the type of {} was redefined, so they were lost",
                names.join(", ")
            ),
            vec![],
        ),
        other => CellError::new("Error", other.to_string().trim(), vec![]),
    }
}

const RED: &str = "\x1b[31m";
const BOLD: &str = "\x1b[1m";
const BLUE: &str = "\x1b[34m";
const RESET: &str = "\x1b[0m";

/// `error[E0425]: message`, then each labelled place in the cell with its
/// line and a caret underneath, then rustc's help.
fn compile_error_lines(error: &evcxr::CompilationError, code: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let code_part = error.code().map(|c| format!("[{c}]")).unwrap_or_default();
    lines.push(format!(
        "{RED}{BOLD}{}{code_part}{RESET}{BOLD}: {}{RESET}",
        error.level(),
        error.message()
    ));
    let source: Vec<&str> = code.lines().collect();
    for spanned in error.spanned_messages() {
        let Some(span) = spanned.span else { continue };
        let Some(text) = source.get(span.start_line.saturating_sub(1)) else {
            continue;
        };
        let number = span.start_line.to_string();
        let pad = " ".repeat(number.len());
        lines.push(format!(
            "{BLUE}{pad}--> {RESET}cell line {}, column {}",
            span.start_line, span.start_column
        ));
        lines.push(format!("{BLUE}{number} | {RESET}{text}"));
        let width = if span.end_line == span.start_line {
            span.end_column.saturating_sub(span.start_column).max(1)
        } else {
            text.chars()
                .count()
                .saturating_sub(span.start_column.saturating_sub(1))
                .max(1)
        };
        let indent = " ".repeat(span.start_column.saturating_sub(1));
        lines.push(format!(
            "{BLUE}{pad} | {RESET}{indent}{RED}{} {}{RESET}",
            "^".repeat(width),
            spanned.label
        ));
    }
    for help in error.help() {
        lines.push(format!("{BLUE}help{RESET}: {help}"));
    }
    if let Some(hint) = error.evcxr_extra_hint() {
        lines.push(format!("{BLUE}hint{RESET}: {hint}"));
    }
    lines.push(String::new());
    lines
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Failure {
    Error,
    Panic,
}

pub(crate) fn error_content(error: &CellError) -> Value {
    json!({"ename": error.ename, "evalue": error.evalue, "traceback": error.traceback})
}

pub(crate) fn error_reply(error: &CellError, execution_count: u64) -> Value {
    json!({
        "status": "error", "execution_count": execution_count,
        "ename": error.ename, "evalue": error.evalue, "traceback": error.traceback,
    })
}

/// The error for a cell whose `?` returned an `Err` (its Display text) or
/// that panicked (the panic hook's lines: place, message, backtrace).
pub(crate) fn failure_error(kind: Failure, text: &[String]) -> CellError {
    match kind {
        Failure::Error => {
            let message = text.join("\n");
            let message = if message.trim().is_empty() {
                "the cell returned an error".to_owned()
            } else {
                message
            };
            let traceback = std::iter::once(format!(
                "{RED}{BOLD}Error{RESET}: {}",
                text.first().map(String::as_str).unwrap_or(&message)
            ))
            .chain(text.iter().skip(1).cloned())
            .collect();
            CellError::new("Error", message, traceback)
        }
        Failure::Panic => panic_error(text),
    }
}

/// Reads the default panic hook's output: `thread '..' panicked at FILE:L:C:`,
/// the message, then a note or a backtrace. Frames from the standard library,
/// registry crates and evcxr's wrapper are left out; the cell is `<cell>`.
fn panic_error(text: &[String]) -> CellError {
    let mut place = None;
    let mut message = Vec::new();
    let mut frames = Vec::new();
    let mut in_backtrace = false;
    for line in text {
        if line.trim().is_empty() && !in_backtrace {
            continue;
        } else if let Some((_, at)) = line
            .strip_prefix("thread '")
            .and_then(|r| r.split_once(" panicked at "))
        {
            place = Some(at.trim_end_matches(':').to_owned());
        } else if line.starts_with("stack backtrace:") {
            in_backtrace = true;
        } else if line.starts_with("note: ") {
            continue;
        } else if in_backtrace {
            frames.push(line.clone());
        } else {
            message.push(line.clone());
        }
    }
    let message = if message.is_empty() {
        "the cell panicked".to_owned()
    } else {
        message.join("\n")
    };
    let mut traceback = vec![format!("{RED}{BOLD}panic{RESET}: {message}")];
    if let Some(place) = place {
        traceback.push(format!("  at {}", cell_place(&place)));
    }
    traceback.extend(useful_frames(&frames));
    CellError::new("Panic", message, traceback)
}

fn cell_place(place: &str) -> String {
    match place.strip_prefix("src/lib.rs") {
        Some(_) => "<cell>".to_owned(),
        None => place.to_owned(),
    }
}

/// Backtrace frames (`N: function` then `at FILE:L:C`) outside the standard
/// library, registry crates and generated code.
fn useful_frames(frames: &[String]) -> Vec<String> {
    let mut kept = Vec::new();
    let mut i = 0;
    while i < frames.len() {
        let function = frames[i].trim();
        let at = frames
            .get(i + 1)
            .map(|l| l.trim())
            .filter(|l| l.starts_with("at "));
        i += if at.is_some() { 2 } else { 1 };
        let Some(at) = at else { continue };
        let file = &at[3..];
        let generated = file.starts_with("src/lib.rs") || file.starts_with("./src/lib.rs");
        let foreign = file.starts_with("/rustc/")
            || file.contains("/.cargo/registry/")
            || file.contains("/library/std/");
        if generated || foreign || function.contains("evcxr") {
            continue;
        }
        kept.push(format!("  {function}"));
        kept.push(format!("      {at}"));
    }
    kept
}

pub(crate) fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_panic_shows_its_message_and_the_projects_frames_only() {
        let text = lines(
            "thread '<unnamed>' panicked at /p/crates/models/src/ae.rs:10:5:\n\
             not yet implemented\n\
             stack backtrace:\n\
             \x20  0: std::panicking::begin_panic\n\
             \x20            at /rustc/abc/library/std/src/panicking.rs:1:1\n\
             \x20  1: hw6_models::ae::forward\n\
             \x20            at /p/crates/models/src/ae.rs:10:5\n\
             \x20  2: ctx::run_user_code_3\n\
             \x20            at ./src/lib.rs:40:1\n\
             note: Some details are omitted",
        );
        let error = failure_error(Failure::Panic, &text);
        assert_eq!(error.ename, "Panic");
        assert_eq!(error.evalue, "not yet implemented");
        let shown = strip_ansi(&error.traceback.join("\n"));
        assert!(
            shown.contains("at /p/crates/models/src/ae.rs:10:5"),
            "{shown}"
        );
        assert!(shown.contains("hw6_models::ae::forward"));
        assert!(!shown.contains("panicking.rs"));
        assert!(!shown.contains("run_user_code"));
    }

    #[test]
    fn a_panic_in_the_cell_points_at_the_cell() {
        let text = lines(
            "\nthread '<unnamed>' (17567) panicked at src/lib.rs:31:5:\nboom\nnote: run with `RUST_BACKTRACE=1`",
        );
        let error = failure_error(Failure::Panic, &text);
        assert_eq!(error.evalue, "boom");
        assert!(error.traceback.iter().any(|l| l.contains("<cell>")));
    }

    #[test]
    fn an_err_from_question_mark_keeps_every_line_of_its_text() {
        let error = failure_error(Failure::Error, &lines("k must be at least 1\n(got 0)"));
        assert_eq!(error.ename, "Error");
        assert_eq!(error.evalue, "k must be at least 1\n(got 0)");
        assert_eq!(
            strip_ansi(&error.traceback[0]),
            "Error: k must be at least 1"
        );
    }
}
