//! `hw6 data` (being written).

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: &Args, _common: &super::Common) -> anyhow::Result<()> {
    anyhow::bail!("hw6 data is not built yet")
}
