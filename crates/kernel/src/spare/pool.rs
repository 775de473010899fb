//! Where spares wait, and who may use them.
//!
//! A spare serves only a kernel that would have built exactly what it built:
//! the same kernel binary, the same project and `kernel.toml`, and the same
//! build environment (the `CARGO*` and `RUST*` variables, the home and cache
//! folders). These make its [`Key`]. The rest of the environment and the
//! working folder are taken over from the kernel Jupyter started.
//!
//! Files in the project's slot set (see `slots`):
//!
//! ```text
//! spare-<key>-<n>.lock   held (flock) by the spare waiting in position n
//!                        (0..count; n = count: one recycled after a restart)
//! spare-<key>-<n>.sock   where it listens for a kernel to take over
//! kernels.lock           held shared by every running kernel of the project
//! spares.log             what spares print before they are taken over
//! ```

use crate::settings::{FILE_NAME, Settings};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Environment variables that change what cargo and rustc build.
fn is_build_variable(name: &[u8]) -> bool {
    name.starts_with(b"CARGO")
        || name.starts_with(b"RUST")
        || matches!(name, b"HOME" | b"XDG_CACHE_HOME" | b"HW6_KERNEL_CACHE")
}

/// The kernel binary as a file: its path, size and modification time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binary {
    pub path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
}

impl Binary {
    pub fn current() -> Result<Binary> {
        let path = std::env::current_exe()?.canonicalize()?;
        Binary::at(path)
    }

    fn at(path: PathBuf) -> Result<Binary> {
        let meta =
            std::fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Binary {
            len: meta.len(),
            modified: meta.modified().ok(),
            path,
        })
    }

    /// Whether the file at our path is still the one we started from (a
    /// reinstalled kernel replaces it).
    pub fn unchanged(&self) -> bool {
        Binary::at(self.path.clone()).is_ok_and(|now| now == *self)
    }
}

/// What a spare and a kernel must share for the one to serve the other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key(pub String);

impl Key {
    pub fn new(binary: &Binary, settings: &Settings, env: &[(OsString, OsString)]) -> Key {
        let mut hash = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        };
        part(binary.path.as_os_str().as_bytes());
        part(&binary.len.to_le_bytes());
        part(format!("{:?}", binary.modified).as_bytes());
        if let Some(root) = &settings.root {
            part(root.as_os_str().as_bytes());
            part(&std::fs::read(root.join(FILE_NAME)).unwrap_or_default());
        }
        let mut build: Vec<&(OsString, OsString)> = env
            .iter()
            .filter(|(name, _)| is_build_variable(name.as_bytes()))
            .collect();
        build.sort();
        for (name, value) in build {
            part(name.as_bytes());
            part(value.as_bytes());
        }
        Key(hex::encode(&hash.finalize()[..8]))
    }
}

/// The socket of position `n`.
pub fn socket_path(set: &Path, key: &Key, n: usize) -> PathBuf {
    set.join(format!("spare-{}-{n}.sock", key.0))
}

/// A place in the project's pool of spares, held while a spare waits in it.
pub struct Position {
    pub socket: PathBuf,
    index: usize,
    set: PathBuf,
    key: Key,
    _lock: File,
}

impl Position {
    /// The first free position of `count`, or None when all are taken.
    pub fn take(set: &Path, key: &Key, count: usize) -> Result<Option<Position>> {
        Position::take_from(set, key, 0..count)
    }

    /// For a spare recycled after a restart: the extra position `count`
    /// (the pool may be full of spares still building, and this one is
    /// ready in seconds), else a free one of the pool.
    pub fn take_recycled(set: &Path, key: &Key, count: usize) -> Result<Option<Position>> {
        Position::take_from(set, key, std::iter::once(count).chain(0..count))
    }

    /// The socket paths a launcher tries, in order: first for a ready spare
    /// (the pool, then a recycled one), then for one still building (a
    /// recycled one first: it needs seconds where a new one needs tens).
    pub fn sockets(set: &Path, key: &Key, count: usize, building: bool) -> Vec<PathBuf> {
        let mut order: Vec<usize> = (0..=count).collect();
        if building {
            order.reverse();
        }
        order
            .into_iter()
            .map(|n| socket_path(set, key, n))
            .collect()
    }

    fn take_from(
        set: &Path,
        key: &Key,
        indices: impl Iterator<Item = usize>,
    ) -> Result<Option<Position>> {
        std::fs::create_dir_all(set)?;
        for n in indices {
            let lock = open_lock(&lock_path(set, key, n))?;
            if lock.try_lock().is_ok() {
                return Ok(Some(Position {
                    socket: socket_path(set, key, n),
                    index: n,
                    set: set.to_path_buf(),
                    key: key.clone(),
                    _lock: lock,
                }));
            }
        }
        Ok(None)
    }

    /// Whether some position of `count` is free (a spare could be added).
    pub fn any_free(set: &Path, key: &Key, count: usize) -> bool {
        Position::take(set, key, count).is_ok_and(|p| p.is_some())
    }

    /// How many of the `count` positions spares hold.
    pub fn held(set: &Path, key: &Key, count: usize) -> usize {
        (0..count)
            .filter(|&n| is_held(&lock_path(set, key, n)))
            .count()
    }

    /// Whether this is the extra position of a recycled spare.
    pub fn is_extra(&self, count: usize) -> bool {
        self.index >= count
    }

    /// Whether a spare waits in a position before this one (it replaces
    /// itself when the sources change, and refills the rest of the pool once
    /// ready: the others need not rebuild at the same time).
    pub fn has_elder(&self) -> bool {
        (0..self.index).any(|n| is_held(&lock_path(&self.set, &self.key, n)))
    }

    /// Listens on the position's socket (a socket file left by a spare that
    /// died is removed: the lock says nobody listens on it).
    pub fn listen(&self) -> Result<UnixListener> {
        let _ = std::fs::remove_file(&self.socket);
        UnixListener::bind(&self.socket)
            .with_context(|| format!("cannot listen on {}", self.socket.display()))
    }
}

impl Drop for Position {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.socket);
    }
}

fn lock_path(set: &Path, key: &Key, n: usize) -> PathBuf {
    set.join(format!("spare-{}-{n}.lock", key.0))
}

fn open_lock(path: &Path) -> Result<File> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Held (shared) by a running kernel; spares wait while any kernel of the
/// project runs, and time out once none has for a while.
pub fn mark_kernel_running(set: &Path) -> Result<File> {
    std::fs::create_dir_all(set)?;
    let lock = open_lock(&set.join("kernels.lock"))?;
    lock.lock_shared()?;
    Ok(lock)
}

/// The lock a kernel holds (shared) while it runs a cell or its prelude.
pub fn busy_marker(set: &Path) -> Result<File> {
    std::fs::create_dir_all(set)?;
    open_lock(&set.join("busy.lock"))
}

/// Whether some kernel of the project runs a cell or its prelude.
pub fn kernel_busy(set: &Path) -> bool {
    is_held(&set.join("busy.lock"))
}

/// Whether some kernel of the project runs.
pub fn kernel_running(set: &Path) -> bool {
    is_held(&set.join("kernels.lock"))
}

/// Whether another process holds a lock on `path`.
fn is_held(path: &Path) -> bool {
    open_lock(path).is_ok_and(|lock| match lock.try_lock() {
        Ok(()) => {
            let _ = lock.unlock();
            false
        }
        Err(_) => true,
    })
}

#[cfg(test)]
mod tests {
    use super::super::env;
    use super::*;

    #[test]
    fn the_key_follows_build_variables_only() {
        let binary = Binary::current().unwrap();
        let settings = Settings::default();
        let base = Key::new(
            &binary,
            &settings,
            &env(&[("PATH", "/a"), ("CARGO_HOME", "/c")]),
        );
        let other_path = Key::new(
            &binary,
            &settings,
            &env(&[("CARGO_HOME", "/c"), ("PATH", "/b")]),
        );
        let other_cargo = Key::new(
            &binary,
            &settings,
            &env(&[("PATH", "/a"), ("CARGO_HOME", "/d")]),
        );
        assert_eq!(base, other_path);
        assert_ne!(base, other_cargo);
    }

    #[test]
    fn positions_are_taken_in_turn_and_freed_on_drop() {
        let set = std::env::temp_dir().join(format!("hw6-kernel-pool-{}", std::process::id()));
        let key = Key("k".into());
        let first = Position::take(&set, &key, 2).unwrap().unwrap();
        let second = Position::take(&set, &key, 2).unwrap().unwrap();
        assert_ne!(first.socket, second.socket);
        assert!(!first.has_elder() && second.has_elder());
        assert!(!Position::any_free(&set, &key, 2));
        drop(first);
        assert!(Position::any_free(&set, &key, 2));
        drop(second);

        assert!(!kernel_running(&set));
        let mark = mark_kernel_running(&set).unwrap();
        assert!(kernel_running(&set));
        drop(mark);
        assert!(!kernel_running(&set));
        std::fs::remove_dir_all(&set).unwrap();
    }
}
