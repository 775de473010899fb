//! `hw6 data`: what data is there, and `hw6 data fetch mnist` to get more.
//!
//! `hw6 data` lists each MNIST-like copy it finds under the data folder
//! (full MNIST, the bundled sample, Fashion-MNIST) with its images per split
//! and label histograms, and the karate club's members and edges. A copy
//! that is absent is reported with the folders tried; a corrupt file, a data
//! folder that does not exist, or no MNIST at all is a one-line error and a
//! non-zero exit. `--json PATH` writes the same as one JSON object
//! (`--json -` prints it to standard output instead of the text).

use std::path::Path;

use anyhow::Context;
use hw6_datasets::{
    DataError, DataSource, DirScan, FetchStatus, MNIST_CLASSES, MnistConfig, MnistKind, Split,
    candidate_dirs, default_data_dir, fetch_mnist, load_karate, read_images_and_labels, scan_dir,
};
use serde_json::{Value, json};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<DataCommand>,
    /// Fractions of the training file for train and valid, as the notebooks use.
    #[arg(long, value_delimiter = ',', num_args = 2, default_values_t = [0.6, 0.4])]
    pub splits: Vec<f64>,
}

#[derive(clap::Subcommand, Debug)]
pub enum DataCommand {
    /// Download a data set into the data folder (needs the network).
    Fetch {
        /// What to download.
        #[arg(value_enum)]
        what: FetchTarget,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum FetchTarget {
    /// Full MNIST (four files, 11 MB) into <data>/MNIST/raw, checked by SHA-256.
    Mnist,
}

pub fn run(args: &Args, common: &super::Common) -> anyhow::Result<()> {
    let data_dir = common.data_dir.clone().unwrap_or_else(default_data_dir);
    match args.command {
        Some(DataCommand::Fetch {
            what: FetchTarget::Mnist,
        }) => fetch(&data_dir, common),
        None => list(args, &data_dir, common),
    }
}

fn fetch(data_dir: &Path, common: &super::Common) -> anyhow::Result<()> {
    let report = fetch_mnist(data_dir)?;
    let downloaded = report
        .files
        .iter()
        .filter(|(_, s)| matches!(s, FetchStatus::Downloaded { .. }))
        .count();
    say!(
        false,
        "full MNIST is in {} ({downloaded} of 4 files downloaded, all checksums ok)",
        report.dir.display()
    );
    let record = json!({
        "command": "data fetch mnist",
        "dir": report.dir.display().to_string(),
        "files": report.files.iter().map(|(name, status)| json!({
            "file": name,
            "status": match status {
                FetchStatus::AlreadyPresent => "present".to_string(),
                FetchStatus::Downloaded { url } => format!("downloaded from {url}"),
            },
        })).collect::<Vec<_>>(),
    });
    emit_json(common, &record)
}

/// Prints a line of `hw6 data`'s text, unless the JSON record goes to
/// standard output instead.
#[derive(Clone, Copy)]
struct Notes {
    quiet: bool,
}

impl Notes {
    fn note(self, line: String) -> std::io::Result<()> {
        if !self.quiet {
            say!(false, "{line}");
        }
        Ok(())
    }
}

fn list(args: &Args, data_dir: &Path, common: &super::Common) -> anyhow::Result<()> {
    if !data_dir.is_dir() {
        anyhow::bail!(
            "the data folder {} does not exist; pass --data-dir (or set HW6_DATA_DIR) to an existing folder, \
             or create it and run `hw6 data fetch mnist`",
            data_dir.display()
        );
    }
    let splits: [f64; 2] = args
        .splits
        .as_slice()
        .try_into()
        .context("--splits takes two fractions, train and valid, e.g. 0.6,0.4")?;
    let notes = Notes {
        quiet: common.json_on_stdout(),
    };
    notes.note(format!("data folder: {}", data_dir.display()))?;

    let mut datasets = Vec::new();
    let mut any_digits = false;
    for (kind, wanted) in [
        (MnistKind::Digits, DataSource::FullMnist),
        (MnistKind::Digits, DataSource::BundledSample),
        (MnistKind::Fashion, DataSource::FashionMnist),
    ] {
        let (record, found) = list_copy(kind, wanted, data_dir, splits, notes)?;
        any_digits |= found && kind == MnistKind::Digits;
        datasets.push(record);
    }
    if !any_digits {
        // Names every folder tried and the fetch command.
        MnistConfig {
            data_dir: Some(data_dir.to_path_buf()),
            ..MnistConfig::default()
        }
        .load_quiet()?;
    }
    let record = json!({
        "command": "data",
        "data_dir": data_dir.display().to_string(),
        "datasets": datasets,
        "karate": list_karate(data_dir, notes)?,
    });
    emit_json(common, &record)
}

/// Describes the first complete copy of `wanted` (sizes, splits, label
/// histograms); returns its JSON record and whether it was found.
fn list_copy(
    kind: MnistKind,
    wanted: DataSource,
    data_dir: &Path,
    splits: [f64; 2],
    notes: Notes,
) -> anyhow::Result<(Value, bool)> {
    let candidates: Vec<_> = candidate_dirs(kind, data_dir)
        .into_iter()
        .filter(|(_, s)| *s == wanted)
        .collect();
    let found = candidates.iter().find_map(|(dir, _)| match scan_dir(dir) {
        DirScan::Complete(files) => Some((dir.clone(), files)),
        _ => None,
    });
    let Some((dir, files)) = found else {
        let tried: Vec<String> = candidates
            .iter()
            .map(|(d, _)| d.display().to_string())
            .collect();
        notes.note(format!("{wanted}: not found (tried {})", tried.join(", ")))?;
        let record = json!({
            "name": kind.to_string(), "source": wanted.key(), "found": false, "tried": tried,
        });
        return Ok((record, false));
    };
    MnistConfig {
        splits,
        ..MnistConfig::new(kind)
    }
    .validate()?;
    let train_file = read_images_and_labels(&files.train_images, &files.train_labels, None)?;
    let test = read_images_and_labels(&files.test_images, &files.test_labels, None)?;
    let n_train = (train_file.len() as f64 * splits[0]).floor() as usize;
    let n_valid = (train_file.len() as f64 * splits[1]).floor() as usize;
    let train = train_file.slice(0, n_train);
    let valid = train_file.slice(n_train, n_train + n_valid);
    notes.note(format!(
        "{wanted} in {}: {} training-file + {} test images of {} pixels; splits {splits:?}: train {}, valid {}, test {}",
        dir.display(),
        train_file.len(),
        test.len(),
        train_file.dim(),
        train.len(),
        valid.len(),
        test.len()
    ))?;
    for (name, split) in [("train", &train), ("valid", &valid), ("test", &test)] {
        notes.note(format!(
            "  labels 0-9 in {name:<5}: {:?}",
            split.label_histogram(MNIST_CLASSES)
        ))?;
    }
    let record = json!({
        "name": kind.to_string(),
        "source": wanted.key(),
        "found": true,
        "dir": dir.display().to_string(),
        "pixels": train_file.dim(),
        "training_file_images": train_file.len(),
        "test_file_images": test.len(),
        "splits": splits,
        "images": { "train": train.len(), "valid": valid.len(), "test": test.len() },
        "label_histogram": histograms(&[
            ("training_file", &train_file),
            ("train", &train),
            ("valid", &valid),
            ("test", &test),
        ]),
    });
    Ok((record, true))
}

/// The karate club's size, or the files tried when it is absent.
fn list_karate(data_dir: &Path, notes: Notes) -> anyhow::Result<Value> {
    Ok(match load_karate(Some(data_dir)) {
        Ok(club) => {
            notes.note(format!(
                "karate club: {} members, {} edges",
                club.num_members(),
                club.num_edges()
            ))?;
            json!({ "found": true, "members": club.num_members(), "edges": club.num_edges() })
        }
        Err(DataError::NotFound { tried, .. }) => {
            let tried: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
            notes.note(format!(
                "karate club: not found (tried {})",
                tried.join(", ")
            ))?;
            json!({ "found": false, "tried": tried })
        }
        Err(e) => return Err(e.into()),
    })
}

fn histograms(splits: &[(&str, &Split)]) -> Value {
    Value::Object(
        splits
            .iter()
            .map(|(name, s)| (name.to_string(), json!(s.label_histogram(MNIST_CLASSES))))
            .collect(),
    )
}

/// `--json PATH` appends the record to PATH; `--json -` prints it.
fn emit_json(common: &super::Common, record: &Value) -> anyhow::Result<()> {
    match common.json.as_deref() {
        Some(p) if p == Path::new("-") => {
            say!(false, "{}", serde_json::to_string(record)?);
            Ok(())
        }
        _ => match common.json_writer()? {
            Some(mut out) => out.write(record),
            None => Ok(()),
        },
    }
}
