//! `quotewire reindex`: rebuild the search index from the store, without fetching.

use std::process::ExitCode;

use super::progress::ProgressReporter;
use super::{DataDir, UsageError};
use crate::config::Config;
use crate::pipeline::reindex;

pub fn run(config: &Config, data: &DataDir) -> anyhow::Result<ExitCode> {
    data.check_existing()?;
    let reporter = ProgressReporter::new("reindex", false);
    let result = reindex(data, config.index.writer_memory_bytes, &|done, total| reporter.update(done, total));
    reporter.finish();
    let report = result.map_err(|e| {
        if e.is_environment() { anyhow::Error::new(UsageError(e.to_string())) } else { anyhow::Error::new(e) }
    })?;
    println!("reindexed {} articles, {} quotes", report.articles, report.quotes);
    Ok(ExitCode::SUCCESS)
}
