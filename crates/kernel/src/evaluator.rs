//! The evaluator thread: it owns evcxr's `CommandContext`, which blocks
//! while a cell compiles and runs, and answers one job at a time.

use crate::adopt::Pipes;
use crate::cell_error::{CellError, describe_error};
use crossbeam_channel::{Receiver, Sender};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub(crate) enum Work {
    /// Code to run; in the background (a spare's prelude) at a lower priority.
    Run {
        code: String,
        background: bool,
    },
    Complete(String, usize),
    /// Take over a launcher's working folder and environment (see `spare`).
    Adopt(PathBuf, Vec<(OsString, Option<OsString>)>, Option<Pipes>),
    /// Clear evcxr's state for a restarted kernel: a new worker process,
    /// with new pipes for the next take-over put here.
    Clear(Arc<Mutex<Option<Pipes>>>),
}

pub(crate) enum Done {
    Started(Result<(Receiver<String>, Receiver<String>), String>),
    Ran(HashMap<String, String>, Option<CellError>),
    Completed(Value),
    Adopted(Result<(), String>),
    Cleared(Result<(), String>),
}

pub(crate) fn evaluator(
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
            Work::Run { code, background } => {
                let started = Instant::now();
                let result = if background {
                    in_background(&mut context, &code)
                } else {
                    context.execute(&code)
                };
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
            Work::Adopt(cwd, changes, pipes) => Done::Adopted(adopt(&cwd, &changes, pipes)),
            Work::Clear(pipes) => {
                let cleared = clear(&mut context, &pipes);
                *worker.lock().expect("worker handle") = Some(context.process_handle());
                Done::Cleared(cleared)
            }
        };
        if done.send(answer).is_err() {
            return;
        }
    }
}

/// Runs `code` on a thread of lower priority (nice 10), so that a spare
/// building its prelude gives way to the kernels in use. The cargo and rustc
/// processes it starts inherit the priority; the worker process (started
/// earlier) and later cells do not.
fn in_background(
    context: &mut evcxr::CommandContext,
    code: &str,
) -> Result<evcxr::EvalOutputs, evcxr::Error> {
    std::thread::scope(|scope| {
        let run = scope.spawn(|| {
            // SAFETY: setpriority on this thread's id has no memory effects.
            unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10) };
            context.execute(code)
        });
        run.join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Moves the kernel and its worker process into `cwd`, with the
/// environment changed by `changes` (see `adopt`).
fn adopt(
    cwd: &Path,
    changes: &[(OsString, Option<OsString>)],
    pipes: Option<Pipes>,
) -> Result<(), String> {
    std::env::set_current_dir(cwd)
        .map_err(|e| format!("cannot change to {}: {e}", cwd.display()))?;
    for (name, value) in changes {
        // SAFETY: as in evcxr's own `:env` command: the evaluator is between
        // cells, so the threads that compile and run them are idle, and no
        // other thread of the kernel reads the environment.
        unsafe {
            match value {
                Some(value) => std::env::set_var(name, value),
                None => std::env::remove_var(name),
            }
        }
    }
    match pipes {
        Some(pipes) => pipes.send(cwd, changes),
        None => Err("the worker process has no pipes to take the notebook's folder".into()),
    }
}

/// Clears evcxr's state (variables, items, dependencies: the prelude runs
/// again next) and starts a new worker process, which inherits new pipes.
fn clear(context: &mut evcxr::CommandContext, pipes: &Mutex<Option<Pipes>>) -> Result<(), String> {
    let (new_pipes, worker_ends) =
        Pipes::new().map_err(|e| format!("no pipes for the worker process: {e}"))?;
    let cleared = context.execute(":clear");
    drop(worker_ends);
    *pipes.lock().expect("pipes") = Some(new_pipes);
    cleared
        .map(|_| ())
        .map_err(|e| format!("the restarted kernel did not clear: {e}"))
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
