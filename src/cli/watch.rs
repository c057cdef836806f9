//! `quotewire watch add|list|remove|run`: saved searches that report only new matches, and
//! the hook `quotewire run` calls after each ingest.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use super::{DataDir, UsageError};
use crate::config::Config;
use crate::data_dir::StoreAccess;
use crate::store::StoreUrl;
use crate::watch::{self, NewWatch, WatchError, WatchType};

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(subcommand)]
    pub command: WatchCommand,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum WatchTypeArg {
    #[default]
    Quote,
    Article,
    All,
}

#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// Save a search; `run` reports what matches it from now on.
    Add {
        name: String,
        query: String,
        /// Report quotes, articles or both.
        #[arg(long = "type", value_enum, default_value_t = WatchTypeArg::Quote)]
        doc_type: WatchTypeArg,
        /// POST new matches as JSON to this URL (retried; the URL is never printed with its query).
        #[arg(long)]
        webhook: Option<String>,
    },
    /// List saved searches (webhooks redacted).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a saved search and its history.
    Remove { name: String },
    /// Print (and POST) each watch's new matches as JSON lines; every watch when no name.
    Run { name: Option<String> },
}

fn watch_error(e: WatchError) -> anyhow::Error {
    if e.is_usage() { UsageError(e.to_string()).into() } else { e.into() }
}

/// With `--store postgres://...` the watches live in that store and their matches come from
/// the local index of --data-dir, caught up with the store first.
pub fn run(args: WatchArgs, config: &Config, data: &DataDir, store_url: Option<&StoreUrl>) -> anyhow::Result<ExitCode> {
    match args.command {
        WatchCommand::Add { name, query, doc_type, webhook } => {
            // A watch may be set up before the first ingest: it then reports that ingest.
            let mut store = data.open_store_boxed(store_url, StoreAccess::Write)?;
            data.open_index_for_writing()?;
            let index = super::index_for(data, config, store_url)?;
            let doc_type = match doc_type {
                WatchTypeArg::Quote => WatchType::Quote,
                WatchTypeArg::Article => WatchType::Article,
                WatchTypeArg::All => WatchType::All,
            };
            let info =
                watch::add(&mut *store, &index, &NewWatch { name, query, doc_type, webhook }).map_err(watch_error)?;
            println!("added watch `{}`: {} ({}s from now on)", info.name, info.query, info.doc_type);
        }
        WatchCommand::List { json } => {
            let store = data.open_store_boxed(store_url, StoreAccess::Read)?;
            let watches = watch::list(&*store).map_err(watch_error)?;
            let mut out = std::io::stdout().lock();
            for w in &watches {
                if json {
                    writeln!(out, "{}", serde_json::to_string(w)?)?;
                } else {
                    writeln!(
                        out,
                        "{}\t{}\t{}\tlast run {}\t{} pending{}",
                        w.name,
                        w.doc_type,
                        w.query,
                        w.last_run_at.as_deref().unwrap_or("never"),
                        w.pending,
                        w.webhook.as_deref().map(|h| format!("\twebhook {h}")).unwrap_or_default()
                    )?;
                }
            }
            if watches.is_empty() && !json {
                eprintln!("no watches: add one with `quotewire watch add NAME QUERY`");
            }
        }
        WatchCommand::Remove { name } => {
            let mut store = data.open_store_boxed(store_url, StoreAccess::Update)?;
            watch::remove(&mut *store, &name).map_err(watch_error)?;
            println!("removed watch `{name}`");
        }
        WatchCommand::Run { name } => {
            let mut store = data.open_store_boxed(store_url, StoreAccess::Update)?;
            let index = super::index_for(data, config, store_url)?;
            let mut out = std::io::stdout();
            let reports = super::runtime()?.block_on(async {
                match &name {
                    Some(name) => watch::run(&mut *store, &index, name, &mut out).await.map(|r| vec![r]),
                    None => watch::run_all(&mut *store, &index, &mut out).await,
                }
            });
            let reports = reports.map_err(watch_error)?;
            let mut failed = false;
            for r in &reports {
                if let Some(error) = &r.error {
                    failed = true;
                    eprintln!("watch `{}`: {error} ({} matches kept for the next run)", r.watch, r.pending);
                }
            }
            return Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS });
        }
    }
    Ok(ExitCode::SUCCESS)
}
