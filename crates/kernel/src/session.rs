//! Running cells. Two threads:
//!
//! - the evaluator owns evcxr's `CommandContext` (which blocks while a cell
//!   compiles and runs) and answers one job at a time;
//! - the session thread routes what a running cell prints (relayed by the
//!   worker process, see `relay`) to Jupyter as it arrives: stdout, stderr,
//!   display updates; it turns the relay's error marks, compile errors and a
//!   stopped worker into `error` outputs and `status: error` replies.
//!
//! evcxr hands its stdout channel's last line to the reader before `execute`
//! returns, and the session thread is that channel's only reader, so
//! everything a cell printed is published before its reply.

use crate::display::{self, Display};
use crate::relay::{MARK_ERROR, MARK_PANIC, STDERR_PREFIX};
use crate::wire::Message;
use crossbeam_channel::{Receiver, Sender, never, select, tick, unbounded};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc::UnboundedSender, oneshot};

/// A request from the shell channel.
pub enum Request {
    Execute {
        msg: Message,
        reply: oneshot::Sender<Value>,
    },
    Complete {
        msg: Message,
        reply: oneshot::Sender<Value>,
    },
}

/// What the control channel needs to interrupt a running cell.
#[derive(Clone, Default)]
pub struct Interrupter {
    worker: Arc<Mutex<Option<Arc<Mutex<Child>>>>>,
    /// IDLE, PRELUDE or CELL: what the evaluator is running.
    running: Arc<AtomicU8>,
    interrupted: Arc<AtomicBool>,
    /// Set by an interrupt during the prelude: the cell waiting for it is
    /// answered `Interrupted` instead of run.
    cancel_waiting: Arc<AtomicBool>,
}

const IDLE: u8 = 0;
const PRELUDE: u8 = 1;
const CELL: u8 = 2;

impl Interrupter {
    /// Stops the cell that is running: its worker process is killed and
    /// evcxr starts a new one (the variables are lost, as on a crash). During
    /// the prelude, the cell waiting for it is not run; when idle, nothing.
    pub fn interrupt(&self) {
        match self.running.load(Ordering::SeqCst) {
            CELL => {
                self.interrupted.store(true, Ordering::SeqCst);
                self.stop_worker();
            }
            PRELUDE => self.cancel_waiting.store(true, Ordering::SeqCst),
            _ => {}
        }
    }

    /// Kills the worker process (at shutdown).
    pub fn stop_worker(&self) {
        if let Some(child) = self.worker.lock().expect("worker handle").as_ref() {
            let _ = child.lock().expect("worker process").kill();
        }
    }
}

/// A cell's failure, as Jupyter shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    pub ename: String,
    pub evalue: String,
    pub traceback: Vec<String>,
}

impl CellError {
    fn new(ename: &str, evalue: impl Into<String>, traceback: Vec<String>) -> CellError {
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

/// Settings for the evaluator.
pub struct Setup {
    /// Commands and code run before the first cell (`:dep`, `use`, ...).
    pub prelude: Vec<String>,
    /// Called once evcxr has started, before the prelude.
    pub on_start: Box<dyn FnOnce() + Send>,
    /// Called once the prelude has built.
    pub on_ready: Box<dyn FnOnce() + Send>,
}

enum Work {
    Run(String),
    Complete(String, usize),
}

enum Done {
    Started(Result<(Receiver<String>, Receiver<String>), String>),
    Ran(HashMap<String, String>, Option<CellError>),
    Completed(Value),
}

/// Starts the evaluator and the session thread; returns the request sender.
pub fn start(
    setup: Setup,
    iopub: UnboundedSender<Message>,
    interrupter: Interrupter,
) -> Sender<Request> {
    let (requests_tx, requests_rx) = unbounded();
    let (work_tx, work_rx) = unbounded();
    let (done_tx, done_rx) = unbounded();
    let worker = interrupter.worker.clone();
    std::thread::Builder::new()
        .name("hw6-evaluator".into())
        .spawn(move || evaluator(work_rx, done_tx, worker))
        .expect("start the evaluator thread");
    std::thread::Builder::new()
        .name("hw6-session".into())
        .spawn(move || {
            let mut session = Session::new(iopub, work_tx, interrupter);
            session.run(setup, requests_rx, done_rx);
        })
        .expect("start the session thread");
    requests_tx
}

fn evaluator(
    work: Receiver<Work>,
    done: Sender<Done>,
    worker: Arc<Mutex<Option<Arc<Mutex<Child>>>>>,
) {
    let (mut context, outputs) = match evcxr::CommandContext::new() {
        Ok(started) => started,
        Err(error) => {
            let _ = done.send(Done::Started(Err(error.to_string())));
            return;
        }
    };
    *worker.lock().expect("worker handle") = Some(context.process_handle());
    if done
        .send(Done::Started(Ok((outputs.stdout, outputs.stderr))))
        .is_err()
    {
        return;
    }
    for job in work {
        let answer = match job {
            Work::Run(code) => {
                let started = Instant::now();
                let result = context.execute(&code);
                log_phases(&result, started);
                // A stopped worker is replaced by a new process.
                *worker.lock().expect("worker handle") = Some(context.process_handle());
                match result {
                    Ok(outputs) => Done::Ran(outputs.content_by_mime_type, None),
                    Err(error) => Done::Ran(HashMap::new(), Some(describe_error(error, &code))),
                }
            }
            Work::Complete(code, position) => {
                Done::Completed(complete(&mut context, &code, position))
            }
        };
        if done.send(answer).is_err() {
            return;
        }
    }
}

/// One line per cell in the kernel's log (Jupyter's terminal): where its
/// time went, as evcxr measured it.
fn log_phases(result: &Result<evcxr::EvalOutputs, evcxr::Error>, started: Instant) {
    let phases = match result {
        Ok(outputs) => outputs
            .phases
            .iter()
            .map(|p| format!("{} {:.2}s", p.name, p.duration.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", "),
        Err(_) => "failed".to_owned(),
    };
    eprintln!(
        "hw6-kernel: cell took {:.2}s ({phases})",
        started.elapsed().as_secs_f64()
    );
}

fn complete(context: &mut evcxr::CommandContext, code: &str, cursor: usize) -> Value {
    // Jupyter counts the cursor in characters, evcxr in bytes.
    let byte = code
        .char_indices()
        .nth(cursor)
        .map(|(i, _)| i)
        .unwrap_or(code.len());
    let chars = |byte: usize| code[..byte.min(code.len())].chars().count();
    match context.completions(code, byte) {
        Ok(found) => json!({
            "status": "ok",
            "matches": found.completions.iter().map(|c| c.code.clone()).collect::<Vec<_>>(),
            "cursor_start": chars(found.start_offset),
            "cursor_end": chars(found.end_offset),
            "metadata": {},
        }),
        Err(_) => {
            json!({"status": "ok", "matches": [], "cursor_start": cursor, "cursor_end": cursor, "metadata": {}})
        }
    }
}

/// A compile error or evcxr's own error as a Jupyter error.
fn describe_error(error: evcxr::Error, code: &str) -> CellError {
    match error {
        evcxr::Error::CompilationErrors(errors) => {
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

/// A stderr line held this long without other output is shown anyway.
const HOLD: Duration = Duration::from_millis(150);

#[derive(Clone, Copy, PartialEq)]
enum Failure {
    Error,
    Panic,
}

struct Cell {
    /// None for the prelude, whose output goes to the kernel's log.
    parent: Option<Message>,
    execution_count: u64,
    /// stderr lines not yet published: the text of an error mark may follow.
    held: Vec<String>,
    held_since: Option<Instant>,
    failure: Option<(Failure, Vec<String>)>,
    displays: HashSet<String>,
    reply: Option<oneshot::Sender<Value>>,
}

struct Session {
    iopub: UnboundedSender<Message>,
    work: Sender<Work>,
    interrupter: Interrupter,
    execution_count: u64,
    cell: Option<Cell>,
    /// A failed start or prelude, shown in the next cell.
    startup_problem: Option<String>,
    on_ready: Option<Box<dyn FnOnce() + Send>>,
    completion: Option<oneshot::Sender<Value>>,
}

impl Session {
    fn new(
        iopub: UnboundedSender<Message>,
        work: Sender<Work>,
        interrupter: Interrupter,
    ) -> Session {
        Session {
            iopub,
            work,
            interrupter,
            execution_count: 0,
            cell: None,
            startup_problem: None,
            on_ready: None,
            completion: None,
        }
    }

    fn run(&mut self, setup: Setup, requests: Receiver<Request>, done: Receiver<Done>) {
        let (stdout, stderr) = match done.recv() {
            Ok(Done::Started(Ok(channels))) => channels,
            Ok(Done::Started(Err(error))) => {
                self.startup_problem =
                    Some(format!("the Rust evaluator (evcxr) did not start: {error}"));
                return self.refuse_all(requests);
            }
            _ => return,
        };
        (setup.on_start)();
        let prelude = setup.prelude.join("\n");
        if !prelude.trim().is_empty() {
            eprintln!("hw6-kernel: building the prelude");
            self.begin(None, None, prelude);
        }
        self.on_ready = Some(setup.on_ready);
        let ticker = tick(Duration::from_millis(50));
        loop {
            let idle = self.cell.is_none() && self.completion.is_none();
            let incoming = if idle { &requests } else { &never() };
            select! {
                recv(incoming) -> request => match request {
                    Ok(request) => self.request(request),
                    Err(_) => return,
                },
                recv(stdout) -> line => match line {
                    Ok(line) => self.stdout_line(line),
                    Err(_) => return,
                },
                recv(stderr) -> line => if let Ok(line) = line { self.stderr_line(line) },
                recv(done) -> answer => match answer {
                    Ok(answer) => {
                        for line in stdout.try_iter() { self.stdout_line(line); }
                        for line in stderr.try_iter() { self.stderr_line(line); }
                        self.done(answer);
                        if requests.is_empty() {
                            // An interrupt during the prelude with no cell waiting.
                            self.interrupter.cancel_waiting.store(false, Ordering::SeqCst);
                        }
                    }
                    Err(_) => return,
                },
                recv(ticker) -> _ => self.release_held(false),
            }
        }
    }

    /// Without an evaluator every cell fails with the start-up problem.
    fn refuse_all(&mut self, requests: Receiver<Request>) {
        let problem = self.startup_problem.clone().unwrap_or_default();
        for request in requests {
            match request {
                Request::Execute { msg, reply } => {
                    self.execution_count += 1;
                    let error = CellError::new("KernelError", problem.clone(), vec![]);
                    self.publish(&msg, "error", error_content(&error));
                    let _ = reply.send(error_reply(&error, self.execution_count));
                }
                Request::Complete { msg, reply } => {
                    let cursor = msg.content["cursor_pos"].clone();
                    let _ = reply.send(json!({"status": "ok", "matches": [], "cursor_start": cursor, "cursor_end": cursor, "metadata": {}}));
                }
            }
        }
    }

    fn request(&mut self, request: Request) {
        match request {
            Request::Execute { msg, reply } => {
                let code = msg.content["code"].as_str().unwrap_or("").to_owned();
                let silent = msg.content["silent"].as_bool().unwrap_or(false);
                if !silent {
                    self.execution_count += 1;
                }
                self.publish(
                    &msg,
                    "execute_input",
                    json!({"code": code, "execution_count": self.execution_count}),
                );
                if self
                    .interrupter
                    .cancel_waiting
                    .swap(false, Ordering::SeqCst)
                {
                    let error = CellError::new(
                        "Interrupted",
                        "the cell was interrupted before it started (the kernel was still building its prelude)",
                        vec![],
                    );
                    self.publish(&msg, "error", error_content(&error));
                    let _ = reply.send(error_reply(&error, self.execution_count));
                    return;
                }
                if let Some(problem) = self.startup_problem.take() {
                    self.publish(
                        &msg,
                        "stream",
                        json!({"name": "stderr", "text": format!("hw6 kernel: {problem}\n")}),
                    );
                }
                self.interrupter.interrupted.store(false, Ordering::SeqCst);
                self.begin(Some(msg), Some(reply), code);
            }
            Request::Complete { msg, reply } => {
                let code = msg.content["code"].as_str().unwrap_or("").to_owned();
                let cursor = msg.content["cursor_pos"].as_u64().unwrap_or(0) as usize;
                self.completion = Some(reply);
                let _ = self.work.send(Work::Complete(code, cursor));
            }
        }
    }

    fn begin(
        &mut self,
        parent: Option<Message>,
        reply: Option<oneshot::Sender<Value>>,
        code: String,
    ) {
        let state = if parent.is_some() { CELL } else { PRELUDE };
        self.interrupter.running.store(state, Ordering::SeqCst);
        self.cell = Some(Cell {
            parent,
            execution_count: self.execution_count,
            held: Vec::new(),
            held_since: None,
            failure: None,
            displays: HashSet::new(),
            reply,
        });
        let _ = self.work.send(Work::Run(code));
    }

    fn stdout_line(&mut self, line: String) {
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

    fn stderr_line(&mut self, line: String) {
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
    fn release_held(&mut self, now: bool) {
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

    fn done(&mut self, answer: Done) {
        match answer {
            Done::Completed(value) => {
                if let Some(reply) = self.completion.take() {
                    let _ = reply.send(value);
                }
            }
            Done::Ran(outputs, error) => self.finish(outputs, error),
            Done::Started(_) => {}
        }
    }

    fn finish(&mut self, outputs: HashMap<String, String>, error: Option<CellError>) {
        let Some(mut cell) = self.cell.take() else {
            return;
        };
        self.interrupter.running.store(IDLE, Ordering::SeqCst);
        let interrupted = self.interrupter.interrupted.swap(false, Ordering::SeqCst);
        let error = match (error, cell.failure.take()) {
            (Some(e), _) if interrupted && e.ename == "WorkerStopped" => Some(CellError::new(
                "Interrupted",
                "the cell was stopped; its worker process was restarted, so earlier variables are gone",
                vec![],
            )),
            (Some(e), _) => Some(e),
            (None, Some((kind, text))) => Some(failure_error(kind, &text)),
            (None, None) => None,
        };
        let held: String = cell.held.drain(..).map(|l| l + "\n").collect();
        let Some(parent) = cell.parent.take() else {
            // The prelude.
            eprint!("{held}");
            match error {
                None => {
                    eprintln!("hw6-kernel: prelude built");
                    if let Some(ready) = self.on_ready.take() {
                        ready();
                    }
                }
                Some(e) => {
                    let text = format!(
                        "the prelude from kernel.toml failed:\n{}",
                        strip_ansi(&e.traceback.join("\n"))
                    );
                    eprintln!("hw6-kernel: {text}");
                    self.startup_problem = Some(text);
                }
            }
            return;
        };
        if !held.is_empty() {
            self.publish(&parent, "stream", json!({"name": "stderr", "text": held}));
        }
        if !outputs.is_empty() && error.is_none() {
            let data: serde_json::Map<String, Value> = outputs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            let content =
                json!({"execution_count": cell.execution_count, "data": data, "metadata": {}});
            self.publish(&parent, "execute_result", content);
        }
        let reply = match &error {
            Some(error) => {
                self.publish(&parent, "error", error_content(error));
                error_reply(error, cell.execution_count)
            }
            None => {
                json!({"status": "ok", "execution_count": cell.execution_count, "user_expressions": {}, "payload": []})
            }
        };
        if let Some(sender) = cell.reply.take() {
            let _ = sender.send(reply);
        }
    }

    fn publish(&self, parent: &Message, msg_type: &str, content: Value) {
        let mut message = parent.child(msg_type, content);
        message.ids = Vec::new();
        let _ = self.iopub.send(message);
    }

    fn publish_display(&self, parent: &Message, kind: &str, display: &Display) {
        self.publish(parent, kind, display.content());
    }
}

fn error_content(error: &CellError) -> Value {
    json!({"ename": error.ename, "evalue": error.evalue, "traceback": error.traceback})
}

fn error_reply(error: &CellError, execution_count: u64) -> Value {
    json!({
        "status": "error", "execution_count": execution_count,
        "ename": error.ename, "evalue": error.evalue, "traceback": error.traceback,
    })
}

/// The error for a cell whose `?` returned an `Err` (its Display text) or
/// that panicked (the panic hook's lines: place, message, backtrace).
fn failure_error(kind: Failure, text: &[String]) -> CellError {
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

fn strip_ansi(text: &str) -> String {
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
