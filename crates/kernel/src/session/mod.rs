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

mod output;

pub use crate::interrupt::Interrupter;

use crate::adopt::Pipes;
use crate::cell_error::{
    CellError, Failure, error_content, error_reply, failure_error, strip_ansi,
};
use crate::evaluator::{Done, Work, evaluator};
use crate::interrupt::{CELL, IDLE, PRELUDE};
use crate::wire::Message;
use crossbeam_channel::{Receiver, Sender, never, select, tick, unbounded};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
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
    /// A spare taken over by a launcher: run in its folder with its
    /// environment (after the prelude, before the next cell).
    Adopt {
        cwd: PathBuf,
        changes: Vec<(OsString, Option<OsString>)>,
        pipes: Option<Pipes>,
    },
    /// A spare whose kernel Jupyter restarted: clear evcxr's state (a new
    /// worker process, with new pipes put in `pipes`), publish to `iopub`
    /// from now on and run the prelude again, in the background.
    Recycle {
        iopub: UnboundedSender<Message>,
        prelude: String,
        pipes: Arc<Mutex<Option<Pipes>>>,
        on_ready: Box<dyn FnOnce(bool) + Send>,
    },
}

/// Settings for the evaluator.
pub struct Setup {
    /// Commands and code run before the first cell (`:dep`, `use`, ...).
    pub prelude: Vec<String>,
    /// Called once evcxr has started, before the prelude.
    pub on_start: Box<dyn FnOnce() + Send>,
    /// Called once the prelude has run: whether it built.
    pub on_ready: Box<dyn FnOnce(bool) + Send>,
    /// Build the prelude at a lower priority (a spare, which nobody waits for).
    pub background: bool,
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
    on_ready: Option<Box<dyn FnOnce(bool) + Send>>,
    background: bool,
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
            background: false,
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
        self.background = setup.background;
        self.on_ready = Some(setup.on_ready);
        let prelude = setup.prelude.join("\n");
        if prelude.trim().is_empty() {
            self.ready(true);
        } else {
            eprintln!("hw6-kernel: building the prelude");
            self.begin(None, None, prelude);
        }
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
                Request::Adopt { .. } | Request::Recycle { .. } => {}
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
            Request::Adopt {
                cwd,
                changes,
                pipes,
            } => {
                let _ = self.work.send(Work::Adopt(cwd, changes, pipes));
            }
            Request::Recycle {
                iopub,
                prelude,
                pipes,
                on_ready,
            } => {
                self.iopub = iopub;
                self.execution_count = 0;
                self.startup_problem = None;
                self.on_ready = Some(on_ready);
                self.background = true;
                let _ = self.work.send(Work::Clear(pipes));
                eprintln!("hw6-kernel: restarted: building the prelude again");
                self.begin(None, None, prelude);
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
        let background = self.background && state == PRELUDE;
        self.interrupter.set_running(state, background);
        self.cell = Some(Cell {
            parent,
            execution_count: self.execution_count,
            held: Vec::new(),
            held_since: None,
            failure: None,
            displays: HashSet::new(),
            reply,
        });
        let _ = self.work.send(Work::Run { code, background });
    }

    fn done(&mut self, answer: Done) {
        match answer {
            Done::Completed(value) => {
                if let Some(reply) = self.completion.take() {
                    let _ = reply.send(value);
                }
            }
            Done::Ran(outputs, error) => self.finish(outputs, error),
            Done::Adopted(Ok(())) => {
                eprintln!("hw6-kernel: now in the notebook's folder and environment");
            }
            Done::Adopted(Err(problem)) => {
                eprintln!("hw6-kernel: {problem}");
                self.startup_problem = Some(problem);
            }
            Done::Cleared(Err(problem)) => {
                eprintln!("hw6-kernel: {problem}");
                self.startup_problem = Some(problem);
            }
            Done::Cleared(Ok(())) | Done::Started(_) => {}
        }
    }

    fn ready(&mut self, built: bool) {
        if let Some(ready) = self.on_ready.take() {
            ready(built);
        }
    }

    fn finish(&mut self, outputs: HashMap<String, String>, error: Option<CellError>) {
        let Some(mut cell) = self.cell.take() else {
            return;
        };
        self.interrupter.set_running(IDLE, false);
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
                    self.ready(true);
                }
                Some(e) => {
                    let text = format!(
                        "the prelude from kernel.toml failed:\n{}",
                        strip_ansi(&e.traceback.join("\n"))
                    );
                    eprintln!("hw6-kernel: {text}");
                    self.startup_problem = Some(text);
                    self.ready(false);
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
}
