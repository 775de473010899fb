//! `hw6 beam` (being written).

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: &Args, _common: &super::Common) -> anyhow::Result<()> {
    anyhow::bail!("hw6 beam is not built yet")
}
