//! A spare that a launcher has taken over serves that launcher's notebook.
//! When Jupyter restarts the kernel, the spare clears evcxr's state (a new
//! worker process: nothing of the notebook's survives) and builds the prelude
//! again, with rust-analyzer still loaded (a second or two instead of about
//! twenty), then waits in the pool for the next kernel, usually the restarted
//! one. Otherwise it exits with the kernel, or when the launcher dies.

use super::daemon::{Spare, Waiting, say};
use super::link::{self, Claim, Reply};
use super::pool::{self, Position};
use super::{log_path, open_log, spawn_and_reap};
use crate::prepared::{Env, env_changes};
use crate::session::Request;
use crate::{Running, group, wire};
use anyhow::{Context, Result};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Serves the launcher's kernel: its output, folder, environment and
/// connection file. Returns the spare waiting again after a restart;
/// otherwise exits with the kernel.
pub(super) fn serve(
    mut spare: Spare,
    stream: UnixStream,
    claim: Claim,
    fds: Vec<OwnedFd>,
) -> Result<(Spare, Waiting)> {
    let marked = pool::mark_kernel_running(&spare.set).ok();
    take_output(&fds);
    say(&format!(
        "taken over by kernel pid {} in {}",
        claim.launcher_pid,
        claim.cwd().display()
    ));
    let running = spare.running.take().context("the spare has no evaluator")?;
    let current: Env = std::env::vars_os().collect();
    let changes = env_changes(&current, &spare.prepared.kernel_env(&claim.env())?);
    let pipes = spare.pipes.lock().expect("pipes").take();
    let _ = running.requests.send(Request::Adopt {
        cwd: claim.cwd(),
        changes,
        pipes,
    });
    // Our successor, for the next kernel; if our prelude still builds, once
    // it has built (see `Spare::on_ready`), so as not to slow it down.
    if spare.ready.load(Ordering::SeqCst) {
        spawn_and_reap(&claim.cwd(), &claim.env(), spare.idle_override);
    }
    let recycling = Arc::new(AtomicBool::new(false));
    watch_launcher(&stream, &running, recycling.clone())?;

    let (requests, interrupter) = (running.requests.clone(), running.interrupter.clone());
    let result = wire::Connection::parse(&claim.connection, "the launcher's connection file")
        .and_then(|connection| running.serve(connection, true));
    interrupter.stop_worker();
    if matches!(result, Ok(true))
        && spare.binary.unchanged()
        && spare.freshness.is_current()
        && let Some(position) = Position::take_recycled(&spare.set, &spare.key, spare.count)?
    {
        let waiting = Waiting {
            listener: position.listen()?,
            position,
        };
        recycling.store(true, Ordering::SeqCst);
        spare.ready.store(false, Ordering::SeqCst);
        let again = Running::again(requests, interrupter);
        let _ = again.requests.send(Request::Recycle {
            iopub: again.iopub(),
            prelude: spare.prepared.prelude.join("\n"),
            pipes: spare.pipes.clone(),
            on_ready: spare.on_ready(),
        });
        spare.running = Some(again);
        drop(marked);
        finish(&stream, 0);
        let _ = stream.shutdown(std::net::Shutdown::Both);
        back_to_log(&spare);
        say("the kernel restarted: waiting again");
        return Ok((spare, waiting));
    }
    let status = match &result {
        Ok(_) => 0,
        Err(error) => {
            eprintln!("error: {error:#}");
            2
        }
    };
    finish(&stream, status);
    group::stop_children();
    drop(spare);
    std::process::exit(status);
}

/// Exits the whole kernel when the launcher dies (Jupyter killed it), unless
/// the spare is being recycled.
fn watch_launcher(
    stream: &UnixStream,
    running: &Running,
    recycling: Arc<AtomicBool>,
) -> Result<()> {
    let watched = stream.try_clone()?;
    let interrupter = running.interrupter.clone();
    std::thread::Builder::new()
        .name("hw6-launcher-watch".into())
        .spawn(move || {
            link::wait_for_close(&watched);
            if recycling.load(Ordering::SeqCst) {
                return;
            }
            interrupter.stop_worker();
            group::stop_children();
            std::process::exit(1);
        })?;
    Ok(())
}

/// Tells the launcher the kernel's exit status.
fn finish(stream: &UnixStream, status: i32) {
    let reply = Reply {
        exit: Some(status),
        ..Reply::default()
    };
    let _ = link::send_reply(stream, &reply);
}

/// Points this process's stdout and stderr at the launcher's.
fn take_output(fds: &[OwnedFd]) {
    for (fd, target) in fds.iter().zip([1, 2]) {
        // SAFETY: dup2 onto stdout/stderr of descriptors we own.
        unsafe { libc::dup2(fd.as_raw_fd(), target) };
    }
}

/// Points stdout and stderr at the spares' log again.
fn back_to_log(spare: &Spare) {
    if let Ok(log) = open_log(&log_path(&spare.set))
        && let Ok(copy) = log.try_clone()
    {
        take_output(&[OwnedFd::from(copy), OwnedFd::from(log)]);
    }
}
