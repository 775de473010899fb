//! A spare's worker process taking over the notebook's folder and
//! environment when a launcher claims the spare, without a restart (a
//! restarted worker would lose what the prelude left in it).
//!
//! Before evcxr starts, the spare opens two pipes and names the worker's
//! ends in `HW6_KERNEL_ADOPT` (`READ_FD,WRITE_FD`); the worker inherits them
//! and, on a thread of its own, waits for one line (the folder and the
//! environment changes, JSON), applies it and answers one byte.

use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// Names the worker's ends of the pipes.
const ENV: &str = "HW6_KERNEL_ADOPT";
/// Variables evcxr sets for the worker itself: kept as they are.
const WORKER_OWN: [&str; 2] = ["EVCXR_IS_RUNTIME", "RUST_BACKTRACE"];

#[derive(Serialize, Deserialize)]
struct Message {
    cwd: Vec<u8>,
    changes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

/// The kernel's ends of the pipes.
pub struct Pipes {
    to_worker: File,
    from_worker: File,
}

/// The worker's ends, held until the worker has started.
pub struct WorkerEnds(#[allow(dead_code)] OwnedFd, #[allow(dead_code)] OwnedFd);

impl Pipes {
    /// Opens the pipes and names the worker's ends in the environment. Call
    /// before any thread starts, or from the evaluator between cells (as
    /// evcxr's `:env` sets variables) right before it starts a worker; drop
    /// the `WorkerEnds` once the worker has started, so that no later child
    /// inherits them.
    pub fn new() -> std::io::Result<(Pipes, WorkerEnds)> {
        let (worker_reads, to_worker) = pipe()?;
        let (from_worker, worker_writes) = pipe()?;
        inheritable(&worker_reads)?;
        inheritable(&worker_writes)?;
        let names = format!("{},{}", worker_reads.as_raw_fd(), worker_writes.as_raw_fd());
        // SAFETY: no other thread reads the environment now (see above).
        unsafe { std::env::set_var(ENV, names) };
        let pipes = Pipes {
            to_worker: File::from(to_worker),
            from_worker: File::from(from_worker),
        };
        Ok((pipes, WorkerEnds(worker_reads, worker_writes)))
    }

    /// Sends the folder and the environment changes, and waits (at most
    /// 10 s) until the worker has applied them.
    pub fn send(
        mut self,
        cwd: &Path,
        changes: &[(OsString, Option<OsString>)],
    ) -> Result<(), String> {
        let message = Message {
            cwd: cwd.as_os_str().as_bytes().to_vec(),
            changes: changes
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_bytes().to_vec(),
                        v.as_ref().map(|v| v.as_bytes().to_vec()),
                    )
                })
                .collect(),
        };
        let mut line = serde_json::to_vec(&message).map_err(|e| e.to_string())?;
        line.push(b'\n');
        self.to_worker
            .write_all(&line)
            .map_err(|e| format!("the worker process did not take its folder: {e}"))?;
        let mut fd = libc::pollfd {
            fd: self.from_worker.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut fd, 1, 10_000) };
        let mut ack = [0u8; 1];
        if ready <= 0 || self.from_worker.read(&mut ack).ok() != Some(1) {
            return Err("the worker process did not take the notebook's folder".into());
        }
        Ok(())
    }
}

/// In the worker process: if the kernel left pipes, applies what comes
/// through them, on a thread of its own.
pub fn listen_in_worker() {
    let Some(names) = std::env::var_os(ENV) else {
        return;
    };
    let fds: Vec<RawFd> = names
        .to_string_lossy()
        .split(',')
        .filter_map(|n| n.parse().ok())
        .collect();
    let [read, write] = fds[..] else { return };
    // SAFETY: fcntl(F_GETFD) only asks whether the descriptor is open.
    if [read, write]
        .iter()
        .any(|&fd| unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0)
    {
        return;
    }
    // SAFETY: the kernel opened these descriptors for this process, which
    // uses them nowhere else.
    let (reader, mut ack) = unsafe { (File::from_raw_fd(read), File::from_raw_fd(write)) };
    let _ = std::thread::Builder::new()
        .name("hw6-adopt".into())
        .spawn(move || {
            let mut line = Vec::new();
            if BufReader::new(reader).read_until(b'\n', &mut line).is_err() {
                return;
            }
            let Ok(message) = serde_json::from_slice::<Message>(&line) else {
                return;
            };
            apply(message);
            let _ = ack.write_all(b"1");
        });
}

fn apply(message: Message) {
    let _ = std::env::set_current_dir(PathBuf::from(OsString::from_vec(message.cwd)));
    for (name, value) in message.changes {
        let name = OsString::from_vec(name);
        if WORKER_OWN.iter().any(|own| name == *own) {
            continue;
        }
        // SAFETY: the worker is between cells (its main thread waits for
        // the next one on stdin) and its output relay reads no variables.
        unsafe {
            match value {
                Some(value) => std::env::set_var(&name, OsString::from_vec(value)),
                None => std::env::remove_var(&name),
            }
        }
    }
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into `fds`.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Lets child processes inherit `fd`.
fn inheritable(fd: &OwnedFd) -> std::io::Result<()> {
    // SAFETY: clearing FD_CLOEXEC on a descriptor we own.
    if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, 0) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}
