//! `quotewire reindex`: rebuild the search index from the store, without fetching.

use std::process::ExitCode;

use clap::Args;

use super::progress::ProgressReporter;
use super::{DataDir, UsageError};
use crate::config::Config;
use crate::pipeline::reindex_from;
use crate::store::StoreUrl;

/// With `--store postgres://...`, builds the index of --data-dir from that store (a fleet's
/// shared store); the index then follows it.
#[derive(Debug, Args)]
pub struct ReindexArgs {}

pub fn run(_args: ReindexArgs, config: &Config, data: &DataDir, store: Option<&StoreUrl>) -> anyhow::Result<ExitCode> {
    if data.postgres_url(store)?.is_none() {
        data.check_existing()?;
    }
    let reporter = ProgressReporter::new("reindex", false);
    // Stored statement vectors merge paraphrased reports into one statement cluster.
    let model = crate::embed::model_name(&crate::embed::model_dir(None, &config.embed.model_dir));
    let result = reindex_from(data, store, config.index.writer_memory_bytes, Some(&model), &|done, total| {
        reporter.update(done, total)
    });
    reporter.finish();
    let report = result.map_err(|e| {
        if e.is_environment() { anyhow::Error::new(UsageError(e.to_string())) } else { anyhow::Error::new(e) }
    })?;
    let paraphrases = if report.statement_vectors > 0 {
        format!(" (paraphrases compared: {} statement vectors)", report.statement_vectors)
    } else {
        String::new()
    };
    println!("reindexed {} articles, {} quotes{paraphrases}", report.articles, report.quotes);
    Ok(ExitCode::SUCCESS)
}
