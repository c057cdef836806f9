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
    let store = data.store_path().is_file().then(|| data.store_path());
    let bind = args.bind.unwrap_or_else(|| config.server.bind.clone());
    let cancel = cancel_on_ctrl_c();
    // The address is printed once bound, with the port the system chose for `:0`.
    let (listener, address) = crate::server::bind(&bind).await?;
    eprintln!("serving {} on http://{address}/", data.root.display());
    crate::server::serve_on(listener, crate::server::AppState::new(index, store), cancel).await?;
    Ok(ExitCode::SUCCESS)
}
