//! `hw6-kernel`: the "Rust (hw6)" Jupyter kernel.
//!
//! ```text
//! hw6-kernel --connection-file FILE           run (Jupyter starts it so)
//! hw6-kernel install --jupyter-path DIR [--name NAME]
//!                                             write DIR/kernels/NAME/kernel.json
//! hw6-kernel prewarm                          build the prelude of the kernel.toml
//!                                             here or above, then exit
//! hw6-kernel spare [--idle-timeout SECONDS]   start a warm spare kernel for the
//!                                             project here (returns at once)
//! ```
//!
//! The same binary is evcxr's worker process (runs the cells) and its rustc
//! wrapper; `evcxr::runtime_hook` takes over in those roles.

mod adopt;
mod cell_error;
mod display;
mod evaluator;
mod group;
mod interrupt;
mod prepared;
mod relay;
mod server;
mod session;
mod settings;
mod slots;
mod spare;
mod wire;

use anyhow::{Context, Result, bail};
use prepared::Prepared;
use session::Interrupter;
use std::path::{Path, PathBuf};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage:
  hw6-kernel --connection-file FILE
  hw6-kernel install --jupyter-path DIR [--name NAME]   (NAME defaults to rust)
  hw6-kernel prewarm
  hw6-kernel spare [--idle-timeout SECONDS]";

fn main() {
    if std::env::var_os("EVCXR_IS_RUNTIME").is_some() {
        if let Err(error) = relay::install() {
            eprintln!(
                "hw6-kernel: cannot relay the worker's output ({error}); errors will show as text"
            );
        }
        adopt::listen_in_worker();
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
        ["spare", rest @ ..] => spare::command(rest),
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

/// A started evaluator and session (the prelude building), not yet
/// serving Jupyter.
pub struct Running {
    pub(crate) requests: crossbeam_channel::Sender<session::Request>,
    pub(crate) interrupter: Interrupter,
    iopub_tx: tokio::sync::mpsc::UnboundedSender<wire::Message>,
    iopub_rx: tokio::sync::mpsc::UnboundedReceiver<wire::Message>,
}

impl Running {
    /// Starts evcxr and the prelude in `prepared`'s slot; `on_ready` is
    /// called when the prelude has run (whether it built). A spare passes
    /// the worker's ends of its pipes, and builds in the `background` while
    /// nobody waits for it.
    pub fn start(
        prepared: &Prepared,
        on_ready: Box<dyn FnOnce(bool) + Send>,
        spare: Option<adopt::WorkerEnds>,
        background: bool,
    ) -> Running {
        let saved_lock = prepared.saved_lock.clone();
        let setup = session::Setup {
            prelude: prepared.prelude.clone(),
            on_start: Box::new(move || {
                // The worker has its ends; later children must not.
                drop(spare);
                Prepared::restore_lock(&saved_lock);
            }),
            on_ready,
            background,
        };
        let (iopub_tx, iopub_rx) = tokio::sync::mpsc::unbounded_channel();
        let interrupter = Interrupter::default();
        *interrupter.busy.lock().expect("busy marker") =
            spare::pool::busy_marker(&prepared.set).ok();
        let requests = session::start(setup, iopub_tx.clone(), interrupter.clone());
        Running {
            requests,
            interrupter,
            iopub_tx,
            iopub_rx,
        }
    }

    /// The same evaluator and session with new channels to Jupyter (a spare
    /// recycled after a restart; see `session::Request::Recycle`).
    pub fn again(
        requests: crossbeam_channel::Sender<session::Request>,
        interrupter: Interrupter,
    ) -> Running {
        let (iopub_tx, iopub_rx) = tokio::sync::mpsc::unbounded_channel();
        Running {
            requests,
            interrupter,
            iopub_tx,
            iopub_rx,
        }
    }

    /// Where the session publishes outputs for this run.
    pub fn iopub(&self) -> tokio::sync::mpsc::UnboundedSender<wire::Message> {
        self.iopub_tx.clone()
    }

    /// Serves Jupyter on `connection` until a shutdown request: whether it
    /// asked for a restart. The worker process is stopped, unless `keep`.
    pub fn serve(self, connection: wire::Connection, keep: bool) -> Result<bool> {
        let interrupter = self.interrupter.clone();
        let server = server::Server {
            connection,
            requests: self.requests,
            interrupter: self.interrupter,
            iopub_tx: self.iopub_tx,
            iopub_rx: self.iopub_rx,
        };
        let result = server.run();
        if !keep {
            interrupter.stop_worker();
        }
        result
    }
}

fn kernel(connection_file: &Path) -> Result<()> {
    let cwd = std::env::current_dir()?;
    match spare::launcher::through_spare(connection_file, &cwd) {
        Ok(Some(status)) => std::process::exit(status),
        Ok(None) => {}
        Err(error) => eprintln!("hw6-kernel: no warm spare ({error:#}); starting here"),
    }
    group::stop_children_on_signals();
    let connection = wire::Connection::read(connection_file)?;
    // Jupyter's environment, before the kernel adds its own variables.
    let env: Vec<_> = std::env::vars_os().collect();
    let prepared = Prepared::new(&cwd)?;
    let _running = spare::pool::mark_kernel_running(&prepared.set)
        .map_err(|error| eprintln!("hw6-kernel: {error:#}"))
        .ok();
    let slot_dir = prepared.slot.dir.clone();
    let want_spare = spare::spares_enabled(&prepared.settings);
    let on_ready = Box::new(move |built: bool| {
        if !built {
            return;
        }
        if let Err(error) = slots::mark_ready(&slot_dir) {
            eprintln!("hw6-kernel: {error:#}");
        }
        if want_spare {
            // A spare for the next kernel (a restart, another notebook).
            spare::spawn_and_reap(&cwd, &env, None);
        }
    });
    let result = Running::start(&prepared, on_ready, None, false).serve(connection, false);
    group::stop_children();
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
