//! `hw6 fixtures`: every value the notebooks' checks compare with, computed
//! by the crates' references and printed as JSON, for a student release
//! (`scripts/notebooks.py release` writes it to
//! `crates/exercise/fixtures.json`, where the release's checks read it).

use std::io::Write;

use anyhow::{Context, bail};
use hw6_exercise::{CheckReport, recording};

/// `hw6 fixtures`.
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs every crate's checks on its reference, records, prints the table.
pub fn run(_args: &Args, _common: &super::Common) -> anyhow::Result<()> {
    if hw6_exercise::is_release() {
        bail!(
            "these crates are a student release: their references are todo!()s; run hw6 fixtures in the full crates"
        );
    }
    let (reports, table) = recording(|| -> anyhow::Result<Vec<CheckReport>> {
        let mut reports = hw6_graph::check_reference().context("the graph checks")?;
        reports.extend(hw6_models::check_reference().context("the autoencoder checks")?);
        reports.extend(hw6_attention::check_reference().context("the attention checks")?);
        reports.extend(hw6_decoding::check_reference().context("the beam search checks")?);
        Ok(reports)
    });
    let reports = reports?;
    eprintln!(
        "hw6 fixtures: {} checks passed on the references, {} expected values recorded",
        reports.len(),
        table.len()
    );
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &table)?;
    writeln!(out)?;
    Ok(())
}
