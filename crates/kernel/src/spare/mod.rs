//! Warm spare kernels.
//!
//! Most of a kernel's start is evcxr's rust-analyzer loading the crate graph
//! of the prelude (about 20 s on 2 cores). A spare is a kernel process that
//! has done that already and waits, without Jupyter sockets, until a kernel
//! Jupyter starts (`hw6-kernel --connection-file F`) hands it the connection
//! file; it then serves that notebook (see `launcher` and `daemon`).
//!
//! - A kernel that Jupyter's server starts for a notebook (Lab, Notebook:
//!   `JPY_SESSION_NAME` is set) keeps `[spare] count` spares of its project
//!   ready (2 by default): a cold kernel starts one once its own prelude
//!   built, a spare that is taken over starts its successor, and a spare that
//!   becomes ready starts another while the pool has room. Spares build at a
//!   lower priority. Batch runners (nbclient, nbconvert) start none, but use
//!   those that wait; `HW6_KERNEL_SPARES=1` makes any kernel start them, and
//!   `hw6-kernel spare` starts them by hand (set-up does).
//! - A spare serves only kernels with the same binary, project, kernel.toml
//!   and build environment (`pool::Key`); it takes over the notebook's folder
//!   and the rest of its environment (its worker process restarts in them).
//! - An edited path crate (or workspace manifest or lock) makes a spare
//!   stale: it is never served, and is replaced by one that builds the edit.
//! - A spare exits after `[spare] idle-timeout` seconds (600) in which no
//!   kernel of its project ran, when the kernel binary is replaced, and when
//!   less than 3 GiB of memory is available as it starts. One that would
//!   need a new build folder (about 0.8 GB) does not start with less than
//!   3 GiB of disk free.
//! - `HW6_KERNEL_SPARES=0` in the environment turns spares off, as
//!   `count = 0` in kernel.toml does.

mod daemon;
mod freshness;
pub mod launcher;
mod link;
pub mod pool;
mod serve;

use crate::settings::Settings;
use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Turns spares off (`0`), or has every kernel start them (`1`).
const SWITCH: &str = "HW6_KERNEL_SPARES";

/// Whether this project and environment use spares.
pub fn spares_enabled(settings: &Settings) -> bool {
    settings.spare.count > 0 && std::env::var_os(SWITCH).is_none_or(|v| v != "0")
}

/// Whether a kernel started with `env` starts spares (see the module doc).
fn starts_spares(env: &[(OsString, OsString)]) -> bool {
    let get = |name: &str| env.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    match get(SWITCH) {
        Some(v) => v == "1",
        None => get("JPY_SESSION_NAME").is_some(),
    }
}

const USAGE: &str = "usage: hw6-kernel spare [--idle-timeout SECONDS] [--wait SECONDS]";

/// `hw6-kernel spare [--idle-timeout SECONDS] [--wait SECONDS]`: starts
/// spares for the project of the current folder and returns; with `--wait`,
/// once all `count` are ready (`--daemon`: be a spare).
pub fn command(args: &[&str]) -> Result<()> {
    let (mut idle_timeout, mut wait, mut daemon) = (None, None, false);
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let mut seconds = || -> Result<u64> {
            let value = rest
                .next()
                .with_context(|| format!("{arg} needs SECONDS\n{USAGE}"))?;
            value
                .parse()
                .with_context(|| format!("{arg} needs SECONDS\n{USAGE}"))
        };
        match *arg {
            "--idle-timeout" => idle_timeout = Some(seconds()?),
            "--wait" => wait = Some(seconds()?),
            "--daemon" => daemon = true,
            other => bail!("unexpected argument {other:?}\n{USAGE}"),
        }
    }
    if daemon {
        return daemon::run(idle_timeout);
    }
    let cwd = std::env::current_dir()?;
    let settings = Settings::find(&cwd)?;
    if !spares_enabled(&settings) {
        println!("spares are off (HW6_KERNEL_SPARES=0 or [spare] count = 0)");
        return Ok(());
    }
    let set = crate::slots::set_dir(&crate::slots::cache_root()?, settings.root.as_deref());
    let count = settings.spare.count;
    let mut env: Vec<_> = std::env::vars_os().collect();
    env.retain(|(name, _)| name != SWITCH);
    env.push((SWITCH.into(), "1".into()));
    if launcher::ready_spares(&settings, &cwd)? < count {
        spawn(&cwd, &env, idle_timeout)?;
        println!(
            "spare kernels are starting (log: {})",
            log_path(&set).display()
        );
    }
    let Some(limit) = wait else {
        return Ok(());
    };
    let started = std::time::Instant::now();
    let key = pool::Key::new(&pool::Binary::current()?, &settings, &env);
    while launcher::ready_spares(&settings, &cwd)? < count {
        if started.elapsed().as_secs() > 15 && pool::Position::held(&set, &key, count) == 0 {
            bail!("no spare kernel started: see {}", log_path(&set).display());
        }
        if started.elapsed().as_secs() > limit {
            bail!(
                "the spares were not all ready after {limit} s: see {}",
                log_path(&set).display()
            );
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    let waited = started.elapsed().as_secs_f64();
    println!("{count} spare kernels ready (waited {waited:.0} s)");
    Ok(())
}

/// Starts a spare (`hw6-kernel spare --daemon`) in `cwd` with `env`, its
/// output going to the project's `spares.log`. It gets a process group of
/// its own (Jupyter signals a kernel's group, which must not reach it) but
/// stays in the starting kernel's session: where the scheduler shares the
/// processor between sessions (autogroup), its prelude, built at a lower
/// priority, then gives way to that kernel's cells.
pub fn spawn(cwd: &Path, env: &[(OsString, OsString)], idle_timeout: Option<u64>) -> Result<Child> {
    let settings = Settings::find(cwd)?;
    let set = crate::slots::set_dir(&crate::slots::cache_root()?, settings.root.as_deref());
    std::fs::create_dir_all(&set)?;
    let log = open_log(&log_path(&set))?;
    let mut command = Command::new(std::env::current_exe()?);
    command.args(["spare", "--daemon"]);
    if let Some(seconds) = idle_timeout {
        command.args(["--idle-timeout", &seconds.to_string()]);
    }
    command
        .current_dir(cwd)
        .env_clear()
        .envs(env.iter().map(|(n, v)| (n, v)))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .process_group(0);
    command.spawn().context("cannot start a spare kernel")
}

/// As `spawn`, from a running kernel started with `env`, if such a kernel
/// starts spares: errors go to its log, and a thread collects the spare's
/// exit status when it ends first.
pub fn spawn_and_reap(cwd: &Path, env: &[(OsString, OsString)], idle_timeout: Option<u64>) {
    if !starts_spares(env) {
        return;
    }
    match spawn(cwd, env, idle_timeout) {
        Ok(mut child) => {
            let _ = std::thread::Builder::new()
                .name("hw6-spare-reaper".into())
                .spawn(move || child.wait());
        }
        Err(error) => eprintln!("hw6-kernel: {error:#}"),
    }
}

fn log_path(set: &Path) -> std::path::PathBuf {
    set.join("spares.log")
}

/// The log, appended to; emptied first when over 1 MB.
fn open_log(path: &Path) -> Result<std::fs::File> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > 1 << 20) {
        let _ = std::fs::remove_file(path);
    }
    std::fs::File::options()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Free disk space (for unprivileged users) where `dir` is, in bytes.
fn disk_available(dir: &Path) -> Option<u64> {
    let path = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).ok()?;
    // SAFETY: statvfs fills the zeroed struct; `path` is a valid C string.
    unsafe {
        let mut stat: libc::statvfs = std::mem::zeroed();
        (libc::statvfs(path.as_ptr(), &mut stat) == 0)
            .then(|| stat.f_bavail as u64 * stat.f_frsize as u64)
    }
}

/// MemAvailable from /proc/meminfo, in bytes.
fn memory_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// An environment from (name, value) pairs, for tests.
#[cfg(test)]
fn env(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
    pairs.iter().map(|(n, v)| (n.into(), v.into())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_that_jupyter_lab_starts_start_spares_and_batch_runs_do_not() {
        assert!(starts_spares(&env(&[("JPY_SESSION_NAME", "q_ae.ipynb")])));
        assert!(!starts_spares(&env(&[("JPY_PARENT_PID", "1")])));
        assert!(starts_spares(&env(&[(SWITCH, "1")])));
        assert!(!starts_spares(&env(&[
            (SWITCH, "0"),
            ("JPY_SESSION_NAME", "a")
        ])));
    }
}
