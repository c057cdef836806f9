//! `quotewire serve`: the HTTP API and web page.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;

use super::DataDir;
use super::ingest::cancel_on_ctrl_c;
use crate::config::Config;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default from config: 127.0.0.1:7878).
    #[arg(long)]
    pub bind: Option<String>,
}

pub async fn serve(args: ServeArgs, config: &Config, data: &DataDir) -> anyhow::Result<ExitCode> {
    let index = Arc::new(data.open_index()?);
    let bind = args.bind.unwrap_or_else(|| config.server.bind.clone());
    let cancel = cancel_on_ctrl_c();
    eprintln!("serving {} on http://{bind}/", data.root.display());
    crate::server::serve(index, &bind, cancel).await?;
    Ok(ExitCode::SUCCESS)
}
