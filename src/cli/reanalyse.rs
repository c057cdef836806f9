//! `quotewire reanalyse`: re-run extraction and analysis on the stored pages, without
//! fetching; resumable after an interruption.

use std::process::ExitCode;

use clap::Args;

use super::progress::ProgressReporter;
use super::{DataDir, UsageError};
use crate::config::Config;
use crate::pipeline::reanalyse;
use crate::store::StoreUrl;

#[derive(Debug, Args)]
pub struct ReanalyseArgs {
    /// Start from the first page even if an earlier `reanalyse` was interrupted.
    #[arg(long)]
    pub restart: bool,
}

pub async fn run(
    args: ReanalyseArgs,
    config: &Config,
    data: &DataDir,
    store: Option<&StoreUrl>,
) -> anyhow::Result<ExitCode> {
    if data.postgres_url(store)?.is_none() {
        data.check_existing()?;
    }
    let store = store.cloned();
    let control = crate::schedule::on_signals(std::time::Duration::ZERO);
    let (data, config) = (data.clone(), config.clone());
    let work = tokio::task::spawn_blocking(move || {
        let reporter = ProgressReporter::new("reanalyse", false);
        let result = reanalyse(
            &data,
            store.as_ref(),
            config.index.writer_memory_bytes,
            config.fetch.strip_query_params.clone(),
            args.restart,
            &control.stop,
            &|done, total| reporter.update(done, total),
        );
        reporter.finish();
        result
    });
    let report = work.await?.map_err(|e| {
        if e.is_environment() { anyhow::Error::new(UsageError(e.to_string())) } else { anyhow::Error::new(e) }
    })?;
    println!(
        "reanalysed {} pages{}: {} articles changed, {} unchanged, {} new, {} no longer articles (kept), {} not HTML, {} failed",
        report.pages,
        if report.resumed { " (resumed)" } else { "" },
        report.changed,
        report.unchanged,
        report.new_articles,
        report.no_longer_articles,
        report.skipped,
        report.failed
    );
    if !report.complete {
        println!("interrupted: run `quotewire reanalyse` again to continue where it stopped");
        return Ok(ExitCode::from(1));
    }
    Ok(super::run_status(report.failed))
}
