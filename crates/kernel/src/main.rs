//! `hw6-kernel`: the "Rust (hw6)" Jupyter kernel.
//!
//! ```text
//! hw6-kernel --connection-file FILE           run (Jupyter starts it so)
//! hw6-kernel install --jupyter-path DIR [--name NAME]
//!                                             write DIR/kernels/NAME/kernel.json
//! hw6-kernel prewarm                          build the prelude of the kernel.toml
//!                                             here or above, then exit
//! ```
//!
//! The same binary is evcxr's worker process (runs the cells) and its rustc
//! wrapper; `evcxr::runtime_hook` takes over in those roles.

mod cell_error;
mod display;
mod evaluator;
mod interrupt;
mod relay;
mod server;
mod session;
mod settings;
mod slots;
mod wire;

use anyhow::{Context, Result, bail};
use settings::Settings;
use slots::Slot;
use std::path::{Path, PathBuf};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage:
  hw6-kernel --connection-file FILE
  hw6-kernel install --jupyter-path DIR [--name NAME]   (NAME defaults to rust)
  hw6-kernel prewarm";

fn main() {
    if std::env::var_os("EVCXR_IS_RUNTIME").is_some()
        && let Err(error) = relay::install()
    {
        eprintln!(
            "hw6-kernel: cannot relay the worker's output ({error}); errors will show as text"
        );
    }
    evcxr::runtime_hook();
    if let Err(error) = run() {
        eprintln!("error: {error:#}");
        std::process::exit(2);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["--connection-file", file] => kernel(Path::new(file)),
        ["install", rest @ ..] => install(rest),
        ["prewarm"] => prewarm(),
        ["--version"] => {
            println!("hw6-kernel {} (evcxr 0.22)", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        ["--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("unexpected arguments {args:?}\n{USAGE}"),
    }
}

/// Writes the kernelspec: `DIR/kernels/NAME/kernel.json`.
fn install(args: &[&str]) -> Result<()> {
    let mut jupyter_path = None;
    let mut name = "rust".to_owned();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match *arg {
            "--jupyter-path" => jupyter_path = rest.next().map(PathBuf::from),
            "--name" => name = rest.next().context("--name needs a value")?.to_string(),
            other => bail!("unexpected argument {other:?}\n{USAGE}"),
        }
    }
    let jupyter_path =
        jupyter_path.context("install needs --jupyter-path DIR (e.g. the venv's share/jupyter)")?;
    let exe = std::env::current_exe()?.canonicalize()?;
    let spec = serde_json::json!({
        "argv": [exe.to_string_lossy(), "--connection-file", "{connection_file}"],
        "display_name": "Rust (hw6)",
        "language": "rust",
        "interrupt_mode": "message",
    });
    let dir = jupyter_path.join("kernels").join(&name);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let file = dir.join("kernel.json");
    std::fs::write(&file, serde_json::to_string_pretty(&spec)? + "\n")?;
    println!("wrote {}", file.display());
    Ok(())
}

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

/// A claimed build folder with evcxr's environment set up for it.
struct Prepared {
    slot: Slot,
    /// The prelude: `:dep` commands, then its code.
    prelude: Vec<String>,
    /// The slot's Cargo.lock from the last kernel, put back once evcxr started.
    saved_lock: PathBuf,
}

impl Prepared {
    /// Reads kernel.toml (from `cwd` up), claims a slot and sets the
    /// environment evcxr and the worker process read. Call before any thread
    /// starts.
    fn new(cwd: &Path) -> Result<Prepared> {
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

        // evcxr moves each cell's library up a folder from where rustc wrote
        // it, so its relative run path to the standard library can miss:
        // tell the loader where it is.
        let std_dir = rust_library_dir()?;
        let library_path = match std::env::var_os("LD_LIBRARY_PATH") {
            Some(old) if !old.is_empty() => {
                std::env::join_paths(std::iter::once(std_dir).chain(std::env::split_paths(&old)))?
            }
            _ => std_dir.into_os_string(),
        };
        // SAFETY: called before any other thread starts.
        unsafe {
            std::env::set_var("LD_LIBRARY_PATH", library_path);
            std::env::set_var("EVCXR_CONFIG_DIR", &evcxr_dir);
            std::env::set_var("EVCXR_TMPDIR", &slot.dir);
            std::env::set_var(display::ENV, "1");
            // `?` errors print their Display; capturing a backtrace for each is slow.
            std::env::set_var("RUST_LIB_BACKTRACE", "0");
        }

        let mut prelude = settings.dep_commands()?;
        if !settings.prelude.code.trim().is_empty() {
            prelude.push(settings.prelude.code.clone());
        }
        prelude.push(KERNEL_PRELUDE.to_owned());
        Ok(Prepared {
            slot,
            prelude,
            saved_lock,
        })
    }

    /// Puts the previous kernel's Cargo.lock back (see `new`).
    fn restore_lock(saved_lock: &Path) {
        if saved_lock.exists() {
            let _ = std::fs::rename(saved_lock, saved_lock.with_file_name("Cargo.lock"));
        }
    }
}

fn kernel(connection_file: &Path) -> Result<()> {
    let connection = wire::Connection::read(connection_file)?;
    let prepared = Prepared::new(&std::env::current_dir()?)?;
    let saved_lock = prepared.saved_lock.clone();
    let slot_dir = prepared.slot.dir.clone();
    let setup = session::Setup {
        prelude: prepared.prelude.clone(),
        on_start: Box::new(move || Prepared::restore_lock(&saved_lock)),
        on_ready: Box::new(move || {
            if let Err(error) = slots::mark_ready(&slot_dir) {
                eprintln!("hw6-kernel: {error:#}");
            }
        }),
    };
    let (iopub_tx, iopub_rx) = tokio::sync::mpsc::unbounded_channel();
    let interrupter = session::Interrupter::default();
    let requests = session::start(setup, iopub_tx.clone(), interrupter.clone());
    let server = server::Server {
        connection,
        requests,
        interrupter: interrupter.clone(),
        iopub_tx,
        iopub_rx,
    };
    let result = server.run();
    // Shutting down: stop the worker process; the slot's lock goes with us.
    interrupter.stop_worker();
    drop(prepared);
    result?;
    std::process::exit(0);
}

/// Builds the prelude in a free slot without Jupyter, so the first kernel
/// starts warm (scripts/setup.sh runs this).
fn prewarm() -> Result<()> {
    let started = std::time::Instant::now();
    let prepared = Prepared::new(&std::env::current_dir()?)?;
    if prepared.prelude.is_empty() {
        bail!("no prelude to build: no kernel.toml with a [prelude] here or in a parent folder");
    }
    let (mut context, outputs) = evcxr::CommandContext::new()
        .map_err(|e| anyhow::anyhow!("the Rust evaluator (evcxr) did not start: {e}"))?;
    Prepared::restore_lock(&prepared.saved_lock);
    let result = context.execute(&prepared.prelude.join("\n"));
    for line in outputs.stdout.try_iter().chain(outputs.stderr.try_iter()) {
        eprintln!(
            "{}",
            line.strip_prefix(relay::STDERR_PREFIX).unwrap_or(&line)
        );
    }
    if let Err(error) = result {
        bail!("the prelude from kernel.toml did not build:\n{error}");
    }
    slots::mark_ready(&prepared.slot.dir)?;
    println!(
        "prelude built in {} ({:.0} s)",
        prepared.slot.dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
