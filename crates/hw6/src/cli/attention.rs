//! `hw6 attention` (being written).

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: &Args, _common: &super::Common) -> anyhow::Result<()> {
    anyhow::bail!("hw6 attention is not built yet")
}
