//! The kernel process Jupyter starts, when a spare takes its place: it hands
//! over the connection file, its working folder, environment, stdout and
//! stderr, then stays until the spare exits (Jupyter watches this process),
//! forwarding the signals Jupyter sends (SIGINT, SIGTERM, SIGHUP, SIGQUIT)
//! and exiting with the spare's exit status. If Jupyter kills it (SIGKILL),
//! the spare sees its end of the socket close and exits too.

use super::link::{self, Claim, Mode, Reply};
use super::pool::{self, Binary, Key, Position};
use super::spares_enabled;
use crate::settings::Settings;
use anyhow::{Context, Result};
use std::io::BufReader;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

const FORWARDED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// Runs the kernel in a spare if one serves; returns its exit status, or
/// None when the kernel must start here (no spare, or none current).
pub fn through_spare(connection_file: &Path, cwd: &Path) -> Result<Option<i32>> {
    let settings = Settings::find(cwd)?;
    if !spares_enabled(&settings) {
        return Ok(None);
    }
    let env: Vec<_> = std::env::vars_os().collect();
    let key = Key::new(&Binary::current()?, &settings, &env);
    let set = crate::slots::set_dir(&crate::slots::cache_root()?, settings.root.as_deref());
    let connection = std::fs::read_to_string(connection_file)
        .with_context(|| format!("cannot read {}", connection_file.display()))?;
    // A spare that has finished its prelude first; failing that one that is
    // still building (it started earlier than we would).
    for mode in [Mode::Ready, Mode::Building] {
        let building = mode == Mode::Building;
        for socket in Position::sockets(&set, &key, settings.spare.count, building) {
            let Ok(stream) = UnixStream::connect(socket) else {
                continue;
            };
            let claim = Claim::new(
                key.0.clone(),
                mode,
                cwd.to_path_buf(),
                &env,
                connection.clone(),
            );
            match claim_one(&stream, &claim) {
                Ok(Some(pid)) => {
                    eprintln!("hw6-kernel: a warm spare (pid {pid}) runs this kernel");
                    return Ok(Some(relay(stream, pid)));
                }
                Ok(None) => {}
                Err(error) => eprintln!("hw6-kernel: a spare did not answer: {error:#}"),
            }
        }
    }
    Ok(None)
}

/// How many of the project's spares (for a kernel started here, now) have
/// finished their prelude.
pub fn ready_spares(settings: &Settings, cwd: &Path) -> Result<usize> {
    let env: Vec<_> = std::env::vars_os().collect();
    let key = Key::new(&Binary::current()?, settings, &env);
    let set = crate::slots::set_dir(&crate::slots::cache_root()?, settings.root.as_deref());
    let mut ready = 0;
    for n in 0..settings.spare.count {
        let Ok(stream) = UnixStream::connect(pool::socket_path(&set, &key, n)) else {
            continue;
        };
        let probe = Claim::new(
            key.0.clone(),
            Mode::Probe,
            cwd.to_path_buf(),
            &[],
            String::new(),
        );
        if claim_one(&stream, &probe).is_ok_and(|answer| answer.is_some()) {
            ready += 1;
        }
    }
    Ok(ready)
}

/// Sends the claim; Some(spare's pid) if it took over (or, for a probe, is
/// ready).
fn claim_one(stream: &UnixStream, claim: &Claim) -> Result<Option<u32>> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    link::send_claim(stream, claim)?;
    let reply = link::read_first_reply(stream)?.unwrap_or_default();
    stream.set_read_timeout(None)?;
    Ok(reply.ok.then_some(reply.pid))
}

/// Waits for the spare's exit status, forwarding signals to it.
fn relay(stream: UnixStream, pid: u32) -> i32 {
    let signals = match SignalFd::new() {
        Ok(signals) => signals,
        Err(error) => {
            eprintln!("hw6-kernel: signals will not reach the spare: {error:#}");
            return wait_without_signals(&stream);
        }
    };
    let mut reader = BufReader::new(&stream);
    let mut status = None;
    let mut last_signal = None;
    loop {
        let mut fds = [
            libc::pollfd {
                fd: stream.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: signals.fd,
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: `fds` is a valid array of two pollfd structs.
        if unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) } < 0 {
            continue; // EINTR
        }
        if fds[1].revents & libc::POLLIN != 0
            && let Some(signal) = signals.read()
        {
            // SAFETY: kill with a pid and a signal number has no memory effects.
            unsafe { libc::kill(pid as libc::pid_t, signal) };
            last_signal = Some(signal);
        }
        if fds[0].revents != 0 {
            match link::read_reply(&mut reader) {
                Ok(Some(Reply {
                    exit: Some(code), ..
                })) => status = Some(code),
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }
    status.unwrap_or_else(|| last_signal.map_or(1, |s| 128 + s))
}

fn wait_without_signals(stream: &UnixStream) -> i32 {
    let mut reader = BufReader::new(stream);
    let mut status = 1;
    while let Ok(Some(reply)) = link::read_reply(&mut reader) {
        status = reply.exit.unwrap_or(status);
    }
    status
}

/// The forwarded signals, blocked and read from a descriptor.
struct SignalFd {
    fd: libc::c_int,
}

impl SignalFd {
    /// Call while this process has a single thread.
    fn new() -> Result<SignalFd> {
        // SAFETY: the set is initialised by sigemptyset before use; the
        // calls only change this thread's signal mask and open a descriptor.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in FORWARDED {
                libc::sigaddset(&mut set, signal);
            }
            if libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
                anyhow::bail!("pthread_sigmask failed");
            }
            let fd = libc::signalfd(-1, &set, libc::SFD_CLOEXEC);
            if fd < 0 {
                return Err(std::io::Error::last_os_error()).context("signalfd");
            }
            Ok(SignalFd { fd })
        }
    }

    fn read(&self) -> Option<libc::c_int> {
        // SAFETY: signalfd_siginfo is plain data; read fills at most its size.
        unsafe {
            let mut info: libc::signalfd_siginfo = std::mem::zeroed();
            let size = size_of::<libc::signalfd_siginfo>();
            let read = libc::read(self.fd, &mut info as *mut _ as *mut libc::c_void, size);
            (read == size as isize).then_some(info.ssi_signo as libc::c_int)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_launcher_exits_with_the_status_the_spare_reports() {
        let (launcher, spare) = UnixStream::pair().unwrap();
        let fake_spare = std::thread::spawn(move || {
            let (claim, fds) = link::receive_claim(&spare).unwrap();
            assert_eq!((claim.mode, fds.len()), (Mode::Ready, 2));
            let pid = std::process::id();
            link::send_reply(
                &spare,
                &Reply {
                    ok: true,
                    pid,
                    ..Reply::default()
                },
            )
            .unwrap();
            link::send_reply(
                &spare,
                &Reply {
                    exit: Some(5),
                    ..Reply::default()
                },
            )
            .unwrap();
        });
        let claim = Claim::new("k".into(), Mode::Ready, "/".into(), &[], "{}".into());
        let pid = claim_one(&launcher, &claim).unwrap().unwrap();
        assert_eq!(relay(launcher, pid), 5);
        fake_spare.join().unwrap();
    }

    #[test]
    fn a_spare_that_dies_without_a_status_fails_the_kernel() {
        let (launcher, spare) = UnixStream::pair().unwrap();
        drop(spare);
        assert_eq!(wait_without_signals(&launcher), 1);
    }
}
