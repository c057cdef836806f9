//! `quotewire status`: what the daemon and earlier runs recorded, read without writing.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::{DataDir, UsageError};
use crate::config::Config;
use crate::queue::Queue;
use crate::schedule::StatusReport;
use crate::store::{PostgresStore, StoreUrl};

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// List sources that failed at least this many runs in a row (default: config
    /// `run.failing_source_runs`).
    #[arg(long, value_name = "RUNS")]
    pub failing_after: Option<u32>,
}

/// With `--store postgres://...`: that store and its work queue, with the local index of
/// --data-dir if there is one.
pub fn run(args: StatusArgs, config: &Config, data: &DataDir, store: Option<&StoreUrl>) -> anyhow::Result<ExitCode> {
    let failing_after = args.failing_after.unwrap_or(config.run.failing_source_runs).max(1);
    let report = match data.postgres_url(store)? {
        Some(url) => {
            let store = PostgresStore::open(url).map_err(|e| UsageError(e.to_string()))?;
            let shown = StoreUrl::Postgres(url.to_string()).to_string();
            let mut report = StatusReport::collect_shared(&store, &shown, data, failing_after)?;
            let queue = super::runtime()?.block_on(async {
                let queue = Queue::connect(url, &crate::pipeline::worker_name()).await?;
                queue.counts().await
            });
            report.queue = Some(queue.map_err(|e| UsageError(e.to_string()))?);
            report
        }
        None => StatusReport::collect(data, failing_after)?,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{}", render(&report))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The text report.
fn render(report: &StatusReport) -> String {
    let mut s = match &report.store_url {
        Some(url) => format!("shared store: {url} (local index in {})\n", report.data_dir),
        None => format!("data directory: {}\n", report.data_dir),
    };
    if let Some(queue) = &report.queue {
        s.push_str(&format!(
            "queue: {} queued, {} running, {} done, {} failed\n",
            queue.queued, queue.running, queue.done, queue.failed
        ));
    }
    match &report.writer {
        Some(writer) => s.push_str(&format!("writer: {writer}\n")),
        None => s.push_str("writer: none (no daemon or ingest is running)\n"),
    }
    s.push_str(&format!(
        "store: {} pages, {} articles, {} failing URLs, {}\n",
        report.store.pages,
        report.store.articles,
        report.store.failed_pages,
        mib(report.disk.store_bytes)
    ));
    s.push_str(&format!(
        "index: {} documents, {}; {} article(s) not yet indexed\n",
        report.index_documents,
        mib(report.disk.index_bytes),
        report.not_indexed
    ));
    if report.pipelines.is_empty() {
        s.push_str("\npipelines: none has run here yet\n");
    }
    for run in &report.pipelines {
        s.push_str(&format!("\npipeline {}\n", run.pipeline));
        let last = match (&run.last_start, &run.last_end) {
            (Some(start), Some(end)) => format!("{start} to {end}"),
            (Some(start), None) => format!("{start}, still running or cut short"),
            _ => "never".to_string(),
        };
        s.push_str(&format!("  last run:  {last}"));
        if let Some(outcome) = &run.last_outcome {
            s.push_str(&format!(" ({outcome})"));
        }
        s.push('\n');
        if let Some(summary) = run.last_summary.as_deref().filter(|t| !t.is_empty()) {
            s.push_str(&format!("             {summary}\n"));
        }
        if let Some(success) = &run.last_success {
            s.push_str(&format!("  last success: {success}\n"));
        }
        s.push_str(&format!(
            "  next run:  {}\n",
            run.next_run.as_deref().unwrap_or("not scheduled (no daemon runs this pipeline)")
        ));
    }
    if report.failing_sources.is_empty() {
        s.push_str(&format!("\nno source failed {} run(s) in a row\n", report.failing_after));
    } else {
        s.push_str(&format!("\nsources failing {} run(s) or more in a row:\n", report.failing_after));
        for source in &report.failing_sources {
            s.push_str(&format!(
                "  {}: {} ({} runs; last error: {})\n",
                source.pipeline,
                source.source,
                source.failures,
                source.last_error.as_deref().unwrap_or("-")
            ));
        }
    }
    s
}
