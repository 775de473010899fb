//! The `hw6` command line: one module per subcommand, each with its clap
//! `Args` and a `run` function. Options every subcommand shares are in
//! [`Common`].

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Prints a line to stderr when `$err` (JSON lines own stdout), else stdout.
/// A write error (stdout closed by `hw6 ... | head`) returns from the
/// calling function with `?`, and `main` ends quietly.
macro_rules! say {
    ($err:expr, $($arg:tt)*) => {
        if $err {
            eprintln!($($arg)*)
        } else {
            use std::io::Write as _;
            writeln!(std::io::stdout(), $($arg)*)?
        }
    };
}

/// [`say!`] without a newline.
macro_rules! say_part {
    ($err:expr, $($arg:tt)*) => {
        if $err {
            eprint!($($arg)*)
        } else {
            use std::io::Write as _;
            write!(std::io::stdout(), $($arg)*)?
        }
    };
}

/// Whether `err` comes from writing to a standard output that the reader
/// closed (`hw6 data | head`): not a failure of the program.
pub fn is_closed_stdout(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

pub mod ae;
pub mod attention;
pub mod beam;
pub mod data;
pub mod fixtures;
pub mod zkc;

/// Options every subcommand takes.
#[derive(clap::Args, Debug, Clone)]
pub struct Common {
    /// Where datasets live (MNIST in torchvision's layout or flat, the bundled
    /// sample, the karate club). Default: $HW6_DATA_DIR, else the project's data/.
    #[arg(long, global = true, env = "HW6_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Write results as JSON lines (one object per run) to this file;
    /// `--json` alone or `--json -` prints them to standard output.
    #[arg(long, global = true, num_args = 0..=1, default_missing_value = "-")]
    pub json: Option<PathBuf>,
    /// Write charts as SVG files into this folder (created if missing).
    #[arg(long, global = true)]
    pub svg: Option<PathBuf>,
}

impl Common {
    /// A writer for `--json`, if it was given: the file is created (truncated).
    pub fn json_writer(&self) -> anyhow::Result<Option<JsonLines>> {
        self.json.as_deref().map(JsonLines::create).transpose()
    }

    /// True when `--json -` sends JSON lines to standard output, so
    /// human-readable lines must go to standard error.
    pub fn json_on_stdout(&self) -> bool {
        self.json.as_deref() == Some(Path::new("-"))
    }

    /// The `--svg` folder, created if it was given and is missing.
    pub fn svg_dir(&self) -> anyhow::Result<Option<&Path>> {
        match self.svg.as_deref() {
            Some(dir) => {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("could not create the --svg folder {}", dir.display())
                })?;
                Ok(Some(dir))
            }
            None => Ok(None),
        }
    }
}

/// Writes `svg` to `dir/name` and says where (on stderr when `to_stderr`).
pub fn save_svg(svg: hw6_viz::Svg, dir: &Path, name: &str, to_stderr: bool) -> anyhow::Result<()> {
    let path = dir.join(name);
    svg.save(&path)
        .with_context(|| format!("saving {}", path.display()))?;
    say!(to_stderr, "wrote {}", path.display());
    Ok(())
}

/// A JSON-lines output file: one JSON object per line, flushed per line so a
/// long run can be followed with `tail -f`. The path `-` is standard output.
pub struct JsonLines {
    path: PathBuf,
    out: BufWriter<Box<dyn Write>>,
}

impl JsonLines {
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        if path == Path::new("-") {
            return Ok(Self {
                path: path.to_path_buf(),
                out: BufWriter::new(Box::new(std::io::stdout())),
            });
        }
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(path)
            .with_context(|| format!("could not create the --json file {}", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            out: BufWriter::new(Box::new(file)),
        })
    }

    /// Appends one object as a line.
    pub fn write<T: serde::Serialize>(&mut self, record: &T) -> anyhow::Result<()> {
        let line = serde_json::to_string(record)?;
        writeln!(self.out, "{line}")
            .and_then(|()| self.out.flush())
            .with_context(|| format!("could not write to {}", self.path.display()))
    }
}
