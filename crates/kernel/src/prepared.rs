//! Before evcxr starts: the project's settings, a claimed build folder, the
//! build profile and evcxr's settings written next to it, the prelude to run,
//! and the environment evcxr and the worker process read.

use crate::display;
use crate::settings::Settings;
use crate::slots::{self, Slot};
use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The build profile for everything the kernel builds (cargo reads it from
/// a parent folder of the slot): release-like code for dependencies, the
/// project's crates included, no debug checks, no incremental builds.
fn profile_config(settings: &Settings) -> String {
    format!(
        "# Written by hw6-kernel from kernel.toml on every start.\n\
         [profile.dev]\n\
         debug-assertions = false\n\
         overflow-checks = false\n\
         incremental = false\n\
         \n\
         [profile.dev.package.\"*\"]\n\
         opt-level = {}\n",
        toml_opt_level(&settings.build.opt_level)
    )
}

fn toml_opt_level(level: &str) -> String {
    if level.chars().all(|c| c.is_ascii_digit()) {
        level.to_owned()
    } else {
        format!("\"{level}\"")
    }
}

/// evcxr's own settings (it reads `evcxr.toml` from EVCXR_CONFIG_DIR, unless
/// the notebook's folder has one).
fn evcxr_config(settings: &Settings) -> String {
    format!(
        "# Written by hw6-kernel from kernel.toml on every start.\n\
         [evcxr]\n\
         preserve_vars_on_panic = true\n\
         opt_level = \"{}\"\n",
        settings.build.cell_opt_level
    )
}

/// The folder of the toolchain's `libstd-*.so` (`rustc --print target-libdir`).
fn rust_library_dir() -> Result<PathBuf> {
    let output = std::process::Command::new("rustc")
        .args(["--print", "target-libdir"])
        .output()
        .context("cannot run rustc: is the Rust toolchain installed and on PATH?")?;
    if !output.status.success() {
        bail!(
            "rustc --print target-libdir failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(PathBuf::from(String::from_utf8(output.stdout)?.trim()))
}

fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Run after the project's prelude in every kernel.
///
/// - `evcxr_display` for every `Debug` type: evcxr shows a cell's last
///   value by first compiling `(value).evcxr_display()` and, when that does
///   not compile, compiling again with `Debug`; with this trait in scope the
///   first compile succeeds (a type's own `evcxr_display`, such as a chart's,
///   still wins: inherent methods come first).
/// - A variable, so evcxr's rust-analyzer resolves the prelude's names now
///   rather than in the first cell that defines a variable.
/// - A `?`, so evcxr enables `?` in cells now: it otherwise compiles the
///   first cell that uses one twice.
const KERNEL_PRELUDE: &str = r#"
pub trait Hw6KernelShowDebug {
    fn evcxr_display(&self);
}
impl<T: std::fmt::Debug + ?Sized> Hw6KernelShowDebug for T {
    fn evcxr_display(&self) {
        let text = format!("{:?}", self);
        println!("EVCXR_BEGIN_CONTENT text/plain\n{text}\nEVCXR_END_CONTENT");
    }
}
let _hw6_kernel: () = ();
Ok::<(), String>(())?;
"#;

/// An environment: variables and values, in order.
pub type Env = Vec<(OsString, OsString)>;

/// A claimed build folder with evcxr's environment set up for it.
pub struct Prepared {
    pub settings: Settings,
    /// The project's slot set (`slots::set_dir`).
    pub set: PathBuf,
    pub slot: Slot,
    /// The prelude: `:dep` commands, then its code.
    pub prelude: Vec<String>,
    /// The slot's Cargo.lock from the last kernel, put back once evcxr started.
    pub saved_lock: PathBuf,
    /// The toolchain's `libstd-*.so` folder.
    std_dir: PathBuf,
    evcxr_dir: PathBuf,
}

impl Prepared {
    /// Reads kernel.toml (from `cwd` up), claims a slot and sets the
    /// environment evcxr and the worker process read. Call before any thread
    /// starts.
    pub fn new(cwd: &Path) -> Result<Prepared> {
        let settings = Settings::find(cwd)?;
        let set = slots::set_dir(&slots::cache_root()?, settings.root.as_deref());
        write_if_changed(
            &set.join(".cargo").join("config.toml"),
            &profile_config(&settings),
        )?;
        let evcxr_dir = set.join("evcxr");
        write_if_changed(&evcxr_dir.join("evcxr.toml"), &evcxr_config(&settings))?;
        let slot = Slot::claim(&set, settings.build.slots)?;
        eprintln!("hw6-kernel: building in {}", slot.dir.display());

        // evcxr's first build has no dependencies and prunes Cargo.lock;
        // putting the old lock back before the prelude keeps cargo from
        // resolving (and going to the network) again.
        let saved_lock = slot.dir.join("hw6-Cargo.lock");
        let lock = slot.dir.join("Cargo.lock");
        if lock.exists() {
            std::fs::copy(&lock, &saved_lock)?;
        }

        let mut prelude = settings.dep_commands()?;
        if !settings.prelude.code.trim().is_empty() {
            prelude.push(settings.prelude.code.clone());
        }
        prelude.push(KERNEL_PRELUDE.to_owned());
        let prepared = Prepared {
            settings,
            set,
            slot,
            prelude,
            saved_lock,
            std_dir: rust_library_dir()?,
            evcxr_dir,
        };
        for (name, value) in prepared.own_variables(std::env::var_os("LD_LIBRARY_PATH"))? {
            // SAFETY: called before any other thread starts.
            unsafe { std::env::set_var(name, value) };
        }
        Ok(prepared)
    }

    /// `base` with the kernel's own variables set, for a kernel started
    /// with the environment `base`.
    pub fn kernel_env(&self, base: &[(OsString, OsString)]) -> Result<Env> {
        let library_path = base
            .iter()
            .find(|(name, _)| name == "LD_LIBRARY_PATH")
            .map(|(_, value)| value.clone());
        let own = self.own_variables(library_path)?;
        let mut env: Env = base
            .iter()
            .filter(|(name, _)| !own.iter().any(|(own_name, _)| own_name == name))
            .cloned()
            .collect();
        env.extend(own);
        Ok(env)
    }

    /// The variables the kernel sets for evcxr and the worker process.
    fn own_variables(&self, library_path: Option<OsString>) -> Result<Env> {
        // evcxr moves each cell's library up a folder from where rustc wrote
        // it, so its relative run path to the standard library can miss:
        // tell the loader where it is.
        let std_dir = self.std_dir.clone();
        let library_path = match library_path {
            Some(old) if !old.is_empty() => {
                std::env::join_paths(std::iter::once(std_dir).chain(std::env::split_paths(&old)))?
            }
            _ => std_dir.into_os_string(),
        };
        Ok(vec![
            ("LD_LIBRARY_PATH".into(), library_path),
            ("EVCXR_CONFIG_DIR".into(), self.evcxr_dir.clone().into()),
            ("EVCXR_TMPDIR".into(), self.slot.dir.clone().into()),
            (display::ENV.into(), "1".into()),
            // `?` errors print their Display; capturing a backtrace for each is slow.
            ("RUST_LIB_BACKTRACE".into(), "0".into()),
        ])
    }

    /// Puts the previous kernel's Cargo.lock back (see `new`).
    pub fn restore_lock(saved_lock: &Path) {
        if saved_lock.exists() {
            let _ = std::fs::rename(saved_lock, saved_lock.with_file_name("Cargo.lock"));
        }
    }
}

/// What to set (`Some`) and remove (`None`) to turn `current` into `target`.
pub fn env_changes(
    current: &[(OsString, OsString)],
    target: &[(OsString, OsString)],
) -> Vec<(OsString, Option<OsString>)> {
    let mut changes: Vec<(OsString, Option<OsString>)> = target
        .iter()
        .filter(|(name, value)| !current.iter().any(|(n, v)| n == name && v == value))
        .map(|(name, value)| (name.clone(), Some(value.clone())))
        .collect();
    changes.extend(
        current
            .iter()
            .filter(|(name, _)| !target.iter().any(|(n, _)| n == name))
            .map(|(name, _)| (name.clone(), None)),
    );
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs.iter().map(|(n, v)| (n.into(), v.into())).collect()
    }

    #[test]
    fn env_changes_set_what_differs_and_remove_what_is_gone() {
        let current = env(&[("A", "1"), ("B", "2"), ("C", "3")]);
        let target = env(&[("A", "1"), ("B", "two"), ("D", "4")]);
        let mut changes = env_changes(&current, &target);
        changes.sort();
        assert_eq!(
            changes,
            vec![
                ("B".into(), Some("two".into())),
                ("C".into(), None),
                ("D".into(), Some("4".into())),
            ]
        );
        assert!(env_changes(&target, &target).is_empty());
    }
}
