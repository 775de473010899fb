//! Build folders that outlive a kernel: one per kernel running at the same
//! time, claimed with a lock file, so cargo's fingerprints skip what has not
//! changed since the last kernel.
//!
//! Layout under the cache folder (`$XDG_CACHE_HOME/hw6-kernel`, or
//! `~/.cache/hw6-kernel`), one set per project checkout:
//!
//! ```text
//! <project key>/.cargo/config.toml   the build profile (cargo reads parent folders)
//! <project key>/evcxr/evcxr.toml     evcxr's settings (EVCXR_CONFIG_DIR)
//! <project key>/slot-N/              evcxr's crate folder and target/
//! <project key>/slot-N.lock          held (flock) by the kernel using slot N
//! <project key>/slot-N/hw6-ready     written once the prelude has built there
//! ```

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Written into a slot once the prelude built there.
pub const READY_STAMP: &str = "hw6-ready";

/// A claimed build folder; the claim ends when this is dropped (or the
/// process ends).
pub struct Slot {
    pub dir: PathBuf,
    _lock: File,
}

/// The cache folder of slot sets.
pub fn cache_root() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("HW6_KERNEL_CACHE") {
        return Ok(PathBuf::from(dir));
    }
    let base = match std::env::var_os("XDG_CACHE_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => std::env::home_dir()
            .context("no home folder: set HW6_KERNEL_CACHE")?
            .join(".cache"),
    };
    Ok(base.join("hw6-kernel"))
}

/// The slot set of a project: its folder name, then a short hash of its
/// path, so two checkouts never share build folders.
pub fn set_dir(cache: &Path, project: Option<&Path>) -> PathBuf {
    let Some(project) = project else {
        return cache.join("default");
    };
    let hash = Sha256::digest(project.to_string_lossy().as_bytes());
    let name = project
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    cache.join(format!("{name}-{}", hex::encode(&hash[..6])))
}

impl Slot {
    /// Claims the first free slot of `set` (creating folders as needed).
    /// A slot that has never built is seeded with a copy of the most recently
    /// ready one (of this set, else of another project's), so a second
    /// kernel starts warm too.
    pub fn claim(set: &Path, slots: usize) -> Result<Slot> {
        std::fs::create_dir_all(set).with_context(|| format!("cannot create {}", set.display()))?;
        for n in 0..slots {
            let lock_path = set.join(format!("slot-{n}.lock"));
            let lock = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)
                .with_context(|| format!("cannot open {}", lock_path.display()))?;
            match lock.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => continue,
                Err(std::fs::TryLockError::Error(error)) => {
                    return Err(error)
                        .with_context(|| format!("cannot lock {}", lock_path.display()));
                }
            }
            let dir = set.join(format!("slot-{n}"));
            if !dir.join(READY_STAMP).exists()
                && let Some(seed) = newest_ready(set, &dir)
            {
                seed_from(&seed, &dir)?;
            }
            std::fs::create_dir_all(&dir)?;
            forget_cells(&dir);
            return Ok(Slot { dir, _lock: lock });
        }
        bail!(
            "all {slots} build folders in {} are in use: close a notebook, or raise [build] slots in kernel.toml",
            set.display()
        )
    }
}

/// Whether one of the first `slots` slots of `set` has built before and is
/// free now (claiming it needs no new disk space).
pub fn has_free_ready_slot(set: &Path, slots: usize) -> bool {
    (0..slots).any(|n| {
        set.join(format!("slot-{n}")).join(READY_STAMP).exists()
            && File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(set.join(format!("slot-{n}.lock")))
                .is_ok_and(|lock| match lock.try_lock() {
                    Ok(()) => {
                        let _ = lock.unlock();
                        true
                    }
                    Err(_) => false,
                })
    })
}

/// Removes what earlier kernels left of their cells in the slot `dir`: the
/// cell crate's libraries (`libctx.so`, evcxr's `libcode_N.so`) and its
/// fingerprint. The first cell then always builds the cell crate (it would
/// anyway: its source changes with every cell), and a kernel can never load
/// a library an earlier kernel built under the same name.
fn forget_cells(dir: &Path) {
    let Ok(kinds) = std::fs::read_dir(dir.join("target")) else {
        return;
    };
    for kind in kinds.filter_map(|e| e.ok()) {
        let debug = kind.path().join("debug");
        for folder in [
            debug.clone(),
            debug.join("deps"),
            debug.join(".fingerprint"),
        ] {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.filter_map(|e| e.ok()) {
                let name = entry.file_name().to_string_lossy().into_owned();
                let path = entry.path();
                if name.starts_with("ctx-") && path.is_dir() {
                    let _ = std::fs::remove_dir_all(&path);
                } else if name == "libctx.so"
                    || (name.starts_with("libcode_") && name.ends_with(".so"))
                {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
    }
}

/// Marks the slot `dir` as holding a complete prelude build.
pub fn mark_ready(dir: &Path) -> Result<()> {
    std::fs::write(dir.join(READY_STAMP), b"")
        .with_context(|| format!("cannot mark {} ready", dir.display()))
}

/// The most recently ready slot of `set` other than `except`; failing that,
/// of any other project's set in the same cache (a new checkout, a student
/// release or a grading folder then rebuilds only its own path crates:
/// registry dependencies have the same fingerprints in every set).
fn newest_ready(set: &Path, except: &Path) -> Option<PathBuf> {
    newest_ready_in(&[set.to_path_buf()], except).or_else(|| {
        let cache = set.parent()?;
        let others: Vec<PathBuf> = std::fs::read_dir(cache)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p != set && p.is_dir())
            .collect();
        newest_ready_in(&others, except)
    })
}

fn newest_ready_in(sets: &[PathBuf], except: &Path) -> Option<PathBuf> {
    sets.iter()
        .filter_map(|set| std::fs::read_dir(set).ok())
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p != except && p.is_dir())
        .filter_map(|p| {
            let modified = p.join(READY_STAMP).metadata().ok()?.modified().ok()?;
            Some((modified, p))
        })
        .max()
        .map(|(_, p)| p)
}

/// Copies `seed` into `dir` (through a temporary folder, so a copy cut short
/// leaves no half slot), keeping modification times for cargo.
fn seed_from(seed: &Path, dir: &Path) -> Result<()> {
    let tmp = dir.with_extension("seeding");
    let _ = std::fs::remove_dir_all(&tmp);
    let _ = std::fs::remove_dir_all(dir);
    let status = Command::new("cp")
        .arg("-a")
        .arg(seed)
        .arg(&tmp)
        .status()
        .context("cannot run cp to seed a build folder")?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&tmp);
        bail!(
            "copying {} to {} failed ({status})",
            seed.display(),
            tmp.display()
        );
    }
    std::fs::rename(&tmp, dir)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_gets_the_next_slot_seeded_from_a_ready_one() {
        let set = std::env::temp_dir().join(format!("hw6-kernel-slots-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&set);
        let first = Slot::claim(&set, 2).unwrap();
        assert!(first.dir.ends_with("slot-0"));
        std::fs::write(first.dir.join("built"), b"artifact").unwrap();
        mark_ready(&first.dir).unwrap();

        let second = Slot::claim(&set, 2).unwrap();
        assert!(second.dir.ends_with("slot-1"));
        assert_eq!(
            std::fs::read(second.dir.join("built")).unwrap(),
            b"artifact"
        );

        assert!(Slot::claim(&set, 2).is_err(), "both slots are held");
        let fingerprint = first
            .dir
            .join("target/x86_64-unknown-linux-gnu/debug/.fingerprint/ctx-1");
        let library = first
            .dir
            .join("target/x86_64-unknown-linux-gnu/debug/libcode_3.so");
        std::fs::create_dir_all(&fingerprint).unwrap();
        std::fs::write(&library, b"cell").unwrap();
        drop(first);
        let again = Slot::claim(&set, 2).unwrap();
        assert!(again.dir.ends_with("slot-0"), "a released slot is reused");
        assert!(
            !fingerprint.exists() && !library.exists(),
            "cells are forgotten"
        );
        assert!(again.dir.join("built").exists());
        drop((second, again));
        std::fs::remove_dir_all(&set).unwrap();
    }

    #[test]
    fn a_new_set_is_seeded_from_another_projects_ready_slot() {
        let cache = std::env::temp_dir().join(format!("hw6-kernel-sets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&cache);
        let main = set_dir(&cache, Some(Path::new("/work/main")));
        let first = Slot::claim(&main, 2).unwrap();
        std::fs::write(first.dir.join("built"), b"deps").unwrap();
        mark_ready(&first.dir).unwrap();

        let release = set_dir(&cache, Some(Path::new("/tmp/release")));
        let other = Slot::claim(&release, 2).unwrap();
        assert!(other.dir.starts_with(&release));
        assert_eq!(std::fs::read(other.dir.join("built")).unwrap(), b"deps");
        drop((first, other));
        std::fs::remove_dir_all(&cache).unwrap();
    }

    #[test]
    fn checkouts_get_different_sets() {
        let cache = Path::new("/cache");
        let a = set_dir(cache, Some(Path::new("/home/a/hw6")));
        let b = set_dir(cache, Some(Path::new("/home/b/hw6")));
        assert_ne!(a, b);
        assert!(a.file_name().unwrap().to_string_lossy().starts_with("hw6-"));
    }
}
