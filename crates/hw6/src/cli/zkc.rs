//! `hw6 zkc` (being written).

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: &Args, _common: &super::Common) -> anyhow::Result<()> {
    anyhow::bail!("hw6 zkc is not built yet")
}
