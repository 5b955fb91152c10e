//! `haven import …`: bulk imports into the front door (issue 3).
use clap::Args;

#[derive(Debug, Args)]
pub struct ImportArgs {}

pub async fn run(_args: ImportArgs) -> anyhow::Result<()> {
    anyhow::bail!("haven import: not built yet")
}
