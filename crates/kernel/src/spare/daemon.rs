//! A spare (`hw6-kernel spare --daemon`): it claims a build folder, builds
//! the prelude in the background, and waits on its socket; when a launcher
//! takes it over, it becomes that launcher's kernel (`serve`), and when
//! Jupyter restarts that kernel, a spare again.

use super::freshness::Freshness;
use super::link::{self, Claim, Mode, Reply};
use super::pool::{self, Binary, Key, Position};
use super::serve;
use super::{disk_available, memory_available, spares_enabled, spawn, spawn_and_reap};
use crate::adopt::{Pipes, WorkerEnds};
use crate::prepared::{Env, Prepared};
use crate::settings::{FILE_NAME, Settings};
use crate::{Running, group, slots};
use anyhow::Result;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A spare does not start with less memory available than this,
const MIN_MEMORY: u64 = 3 << 30;
/// nor, when it would need a new build folder (about 0.8 GB), with less
/// disk space than this.
const MIN_DISK: u64 = 3 << 30;
/// How often a waiting spare checks its sources, the binary and the time.
const WATCH_EVERY: Duration = Duration::from_secs(2);
/// A recycled spare in the extra position waits this long for the restarted
/// kernel (which comes within seconds), then leaves the pool to its size.
const EXTRA_WAIT: Duration = Duration::from_secs(60);

/// Becomes a spare for the project of the current folder, unless its pool
/// is full; returns when it is not needed, or exits with its kernel.
pub fn run(idle_override: Option<u64>) -> Result<()> {
    let cwd = std::env::current_dir()?;
    let env: Env = std::env::vars_os().collect();
    let settings = Settings::find(&cwd)?;
    if !spares_enabled(&settings) {
        return Ok(());
    }
    group::stop_children_on_signals();
    let binary = Binary::current()?;
    let key = Key::new(&binary, &settings, &env);
    let set = slots::set_dir(&slots::cache_root()?, settings.root.as_deref());
    let Some(position) = Position::take(&set, &key, settings.spare.count)? else {
        return Ok(()); // the pool is full
    };
    say(&format!("waiting on {}", position.socket.display()));
    if memory_available().is_some_and(|bytes| bytes < MIN_MEMORY) {
        say("less than 3 GiB of memory available: no spare");
        return Ok(());
    }
    if disk_available(&set).is_some_and(|bytes| bytes < MIN_DISK)
        && !slots::has_free_ready_slot(&set, settings.build.slots)
    {
        say("less than 3 GiB of disk free and no free build folder: no spare");
        return Ok(());
    }
    let settings_file: Vec<_> = settings.root.iter().map(|r| r.join(FILE_NAME)).collect();
    let freshness = Freshness::snapshot(&settings.path_dependencies()?, &settings_file)?;
    say(&format!(
        "watching the sources of {} path packages",
        freshness.package_count()
    ));
    let waiting = Waiting {
        listener: position.listen()?,
        position,
    };
    let prepared = Prepared::new(&cwd)?;
    let (pipes, worker_ends) = Pipes::new()?;
    let idle_timeout = Duration::from_secs(idle_override.unwrap_or(settings.spare.idle_timeout));
    let mut spare = Spare {
        cwd,
        env,
        binary,
        key,
        set,
        count: settings.spare.count,
        freshness,
        idle_timeout,
        idle_override,
        ready: Arc::new(AtomicBool::new(false)),
        prepared,
        pipes: Arc::new(Mutex::new(Some(pipes))),
        worker_ends: Some(worker_ends),
        running: None,
    };
    let mut waiting = waiting;
    loop {
        let (spare_now, stream, claim, fds) = spare.wait(waiting);
        (spare, waiting) = serve::serve(spare_now, stream, claim, fds)?;
    }
}

pub(super) fn say(text: &str) {
    eprintln!("hw6-kernel spare {}: {text}", std::process::id());
}

pub(super) struct Spare {
    pub(super) cwd: PathBuf,
    /// The environment it started with (a successor gets the same).
    pub(super) env: Env,
    pub(super) binary: Binary,
    pub(super) key: Key,
    pub(super) set: PathBuf,
    /// Spares kept per project.
    pub(super) count: usize,
    pub(super) freshness: Freshness,
    idle_timeout: Duration,
    pub(super) idle_override: Option<u64>,
    /// The prelude has run.
    pub(super) ready: Arc<AtomicBool>,
    pub(super) prepared: Prepared,
    /// To the worker process, for the take-over (new ones after a restart).
    pub(super) pipes: Arc<Mutex<Option<Pipes>>>,
    /// The worker's ends of `pipes`, until evcxr starts.
    worker_ends: Option<WorkerEnds>,
    /// Some once evcxr has started: when no kernel of the project is busy,
    /// or when a launcher takes the spare over.
    pub(super) running: Option<Running>,
}

/// A spare's place in the pool while it waits.
pub(super) struct Waiting {
    pub(super) position: Position,
    pub(super) listener: UnixListener,
}

enum Answer {
    TakeOver(Claim, Vec<OwnedFd>),
    No,
    Stale,
}

impl Spare {
    /// Called when the prelude has run: marks the folder and the spare
    /// ready, and adds a spare to the pool if it has room.
    pub(super) fn on_ready(&self) -> Box<dyn FnOnce(bool) + Send> {
        let (ready, slot, set, key) = (
            self.ready.clone(),
            self.prepared.slot.dir.clone(),
            self.set.clone(),
            self.key.clone(),
        );
        let (cwd, env, count, idle) = (
            self.cwd.clone(),
            self.env.clone(),
            self.count,
            self.idle_override,
        );
        Box::new(move |built: bool| {
            if built {
                let _ = slots::mark_ready(&slot);
            }
            ready.store(true, Ordering::SeqCst);
            say(if built {
                "prelude built: ready"
            } else {
                "the prelude failed: ready to show why"
            });
            if built && Position::any_free(&set, &key, count) {
                spawn_and_reap(&cwd, &env, idle);
            }
        })
    }

    /// Starts evcxr and the prelude, in the background unless a launcher
    /// waits for it.
    fn start(&mut self, background: bool) {
        if self.running.is_none() {
            let ends = self.worker_ends.take();
            self.running = Some(Running::start(
                &self.prepared,
                self.on_ready(),
                ends,
                background,
            ));
        }
    }

    /// Answers launchers and watches the time, the binary and the sources,
    /// until a launcher takes the spare over. The prelude starts once no
    /// kernel of the project has been busy for a check (the spare's build
    /// would slow its cells down).
    fn wait(mut self, waiting: Waiting) -> (Spare, UnixStream, Claim, Vec<OwnedFd>) {
        let mut last_active = Instant::now();
        let since = Instant::now();
        let mut changed: Option<[u8; 32]> = None;
        let mut quiet = false;
        let mut next_check = Instant::now() + WATCH_EVERY;
        loop {
            let timeout = next_check.saturating_duration_since(Instant::now());
            if readable(&waiting.listener, timeout)
                && let Ok((stream, _)) = waiting.listener.accept()
            {
                match self.answer(&stream) {
                    Answer::TakeOver(claim, fds) => {
                        drop(waiting);
                        self.start(false);
                        return (self, stream, claim, fds);
                    }
                    Answer::Stale => self.stale(waiting),
                    Answer::No => {}
                }
            }
            // The checks run every WATCH_EVERY, also while launchers probe.
            if Instant::now() < next_check {
                continue;
            }
            next_check = Instant::now() + WATCH_EVERY;
            if self.running.is_none() {
                let busy = pool::kernel_busy(&self.set);
                if quiet && !busy {
                    self.start(true);
                }
                quiet = !busy;
            }
            if pool::kernel_running(&self.set) {
                last_active = Instant::now();
            }
            if waiting.position.is_extra(self.count) && since.elapsed() > EXTRA_WAIT {
                self.quit(waiting, "a recycled spare that no kernel took");
            }
            if last_active.elapsed() > self.idle_timeout {
                self.quit(waiting, "no kernel of the project ran for the idle timeout");
            }
            if !self.binary.unchanged() {
                self.quit(waiting, "the kernel binary was replaced");
            }
            if self.ready.load(Ordering::SeqCst) {
                // Replaced once the sources have stopped changing for a check.
                let now = self.freshness.now();
                if self.freshness.is(&now) {
                    changed = None;
                } else if changed == Some(now) {
                    self.stale(waiting);
                } else {
                    changed = Some(now);
                }
            }
        }
    }

    fn answer(&self, stream: &UnixStream) -> Answer {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let (claim, fds) = match link::receive_claim(stream) {
            Ok(received) => received,
            Err(error) => {
                say(&format!("a launcher sent no claim: {error:#}"));
                return Answer::No;
            }
        };
        if !link::same_user(stream) {
            say("a claim from another user was refused");
            return Answer::No;
        }
        let refuse = |reason: &str| {
            let reply = Reply {
                reason: reason.to_owned(),
                ..Reply::default()
            };
            let _ = link::send_reply(stream, &reply);
        };
        if claim.key != self.key.0 {
            refuse("built for another binary, project or build environment");
            return Answer::No;
        }
        let ready = self.ready.load(Ordering::SeqCst);
        if claim.mode == Mode::Probe {
            let reply = Reply {
                ok: ready,
                pid: std::process::id(),
                ..Reply::default()
            };
            let _ = link::send_reply(stream, &reply);
            return Answer::No;
        }
        if claim.mode == Mode::Ready && !ready {
            refuse("still building");
            return Answer::No;
        }
        if !self.binary.unchanged() || !self.freshness.is_current() {
            refuse("stale: the kernel or the project's crates changed");
            return Answer::Stale;
        }
        let reply = Reply {
            ok: true,
            pid: std::process::id(),
            ..Reply::default()
        };
        if link::send_reply(stream, &reply).is_err() || stream.set_read_timeout(None).is_err() {
            return Answer::No;
        }
        Answer::TakeOver(claim, fds)
    }

    /// The sources changed: the first spare of the pool is replaced by one
    /// that builds them; the others exit (it refills the pool once ready).
    fn stale(self, waiting: Waiting) -> ! {
        if waiting.position.has_elder() {
            self.quit(waiting, "its sources changed");
        }
        self.replace(waiting, "its sources changed")
    }

    /// Exits, leaving a new spare to build the sources as they are now.
    fn replace(self, waiting: Waiting, why: &str) -> ! {
        say(&format!("replaced: {why}"));
        self.stop_worker();
        let Spare {
            prepared,
            cwd,
            env,
            idle_override,
            ..
        } = self;
        drop((waiting, prepared));
        if let Err(error) = spawn(&cwd, &env, idle_override) {
            say(&format!("{error:#}"));
        }
        // After the spawn: the new spare must not inherit an ignored SIGTERM.
        group::stop_children();
        std::process::exit(0);
    }

    pub(super) fn quit(self, waiting: Waiting, why: &str) -> ! {
        say(&format!("exits: {why}"));
        self.stop_worker();
        group::stop_children();
        drop(waiting);
        std::process::exit(0);
    }

    pub(super) fn stop_worker(&self) {
        if let Some(running) = &self.running {
            running.interrupter.stop_worker();
        }
    }
}

/// Whether a connection waits on `listener`, waiting at most `timeout`.
fn readable(listener: &UnixListener, timeout: Duration) -> bool {
    let mut fd = libc::pollfd {
        fd: listener.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let ready = unsafe { libc::poll(&mut fd, 1, timeout.as_millis() as libc::c_int) };
    ready > 0 && fd.revents & libc::POLLIN != 0
}
