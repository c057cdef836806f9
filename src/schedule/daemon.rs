//! The daemon (`quotewire run`): each pipeline on its own schedule, all in one process over
//! one [`Workspace`] (one writer lock, one store, one indexer).
//!
//! A pipeline's runs never overlap (each pipeline is one loop); different pipelines run
//! concurrently. The next start is persisted in the store before waiting for it, and the last
//! start after each run, so a restart continues the schedule instead of starting over; a run
//! that was cut short (stopped, or the process died) is resumed at once. After each run the
//! index is committed and every watch reports what the run added.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};

use super::plan::next_start;
use crate::config::Pipeline;
use crate::pipeline::{PipelineError, Progress, RunControl, RunOptions, RunStats, Workspace};

/// Longest single sleep while waiting for a start: the wall clock is looked at again after
/// it, so a changed system clock delays a run by at most this.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// Hears about the daemon's runs (the command line prints them).
pub trait RunReporter: Send + Sync {
    /// Progress display for one run.
    fn progress(&self, pipeline: &Pipeline) -> Arc<dyn Progress>;
    /// The pipeline will start at `at`.
    fn scheduled(&self, pipeline: &Pipeline, at: DateTime<Utc>);
    /// A run ended.
    fn finished(&self, pipeline: &Pipeline, result: &Result<RunStats, PipelineError>);
    /// Where watches without a webhook write their new matches (JSON lines).
    fn watch_output(&self) -> Box<dyn std::io::Write + Send>;
    /// The watches ran after a run of `pipeline`.
    fn watches_ran(&self, pipeline: &Pipeline, reports: &[crate::watch::RunReport]);
}

/// How the daemon runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct DaemonOptions {
    /// Run each pipeline once, now, then return (cron-style use, tests).
    pub once: bool,
}

/// What the daemon did before it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DaemonReport {
    pub runs: u64,
    /// Runs that completed with failed documents or stopped with an error.
    pub failed_runs: u64,
}

/// Runs every pipeline on its schedule until `control.stop` (or, with `once`, after one run
/// each). Returns when every pipeline's loop has ended; the caller closes the workspace.
pub async fn run_daemon(
    workspace: Arc<Workspace>,
    pipelines: Vec<Pipeline>,
    control: RunControl,
    options: DaemonOptions,
    reporter: Arc<dyn RunReporter>,
) -> DaemonReport {
    let mut loops = tokio::task::JoinSet::new();
    for pipeline in pipelines {
        let (workspace, control, reporter) = (workspace.clone(), control.clone(), reporter.clone());
        loops.spawn(async move { pipeline_loop(&workspace, &pipeline, &control, options, reporter.as_ref()).await });
    }
    let mut report = DaemonReport::default();
    while let Some(joined) = loops.join_next().await {
        match joined {
            Ok(one) => {
                report.runs += one.runs;
                report.failed_runs += one.failed_runs;
            }
            Err(e) => tracing::error!("a pipeline loop failed: {e}"),
        }
    }
    report
}

async fn pipeline_loop(
    workspace: &Workspace,
    pipeline: &Pipeline,
    control: &RunControl,
    options: DaemonOptions,
    reporter: &dyn RunReporter,
) -> DaemonReport {
    let mut report = DaemonReport::default();
    let name = pipeline.name.as_str();
    loop {
        let due = if options.once {
            Utc::now()
        } else {
            let last = workspace.with_store(|s| s.pipeline_run(name)).ok().flatten();
            // A run cut short (stopped, or the process died) is resumed at once.
            let unfinished = last
                .as_ref()
                .is_some_and(|run| run.last_end.is_none() || run.last_outcome.as_deref() == Some("interrupted"));
            let last_start = last
                .and_then(|run| run.last_start)
                .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.with_timezone(&Utc))
                .filter(|_| !unfinished);
            next_start(name, &pipeline.schedule.cadence, pipeline.schedule.jitter, last_start, Utc::now())
        };
        let due_text = due.to_rfc3339_opts(SecondsFormat::Secs, true);
        if let Err(e) = workspace.with_store(|s| s.set_next_run(name, Some(&due_text))) {
            tracing::warn!(pipeline = name, "cannot record the next run: {e}");
        }
        reporter.scheduled(pipeline, due);
        if !wait_until(due, control).await {
            break;
        }
        let result = workspace.run(pipeline, reporter.progress(pipeline), control, RunOptions::default()).await;
        report.runs += 1;
        match &result {
            Ok(stats) if stats.failed > 0 => report.failed_runs += 1,
            Ok(_) => {}
            // One failed run does not stop the daemon: the next is tried on schedule.
            Err(_) => report.failed_runs += 1,
        }
        reporter.finished(pipeline, &result);
        if result.is_ok() && !control.stop.is_cancelled() {
            run_watches(workspace, pipeline, reporter).await;
        }
        if options.once || control.stop.is_cancelled() {
            break;
        }
    }
    if !options.once {
        let _ = workspace.with_store(|s| s.set_next_run(name, None));
    }
    report
}

/// Commits the index, then runs every watch over it: problems are reported, never fatal to
/// the daemon (a watch's undelivered matches wait for the next run).
async fn run_watches(workspace: &Workspace, pipeline: &Pipeline, reporter: &dyn RunReporter) {
    // A connection of its own: webhook deliveries must not hold the run's store.
    let mut store = match workspace.open_store_again() {
        Ok(store) => store,
        Err(e) => {
            tracing::warn!(pipeline = %pipeline.name, "watches not run: {e}");
            return;
        }
    };
    if store.watches().is_ok_and(|w| w.is_empty()) {
        return;
    }
    if let Err(e) = workspace.flush() {
        tracing::warn!(pipeline = %pipeline.name, "watches not run: the index cannot be committed: {e}");
        return;
    }
    let mut out = reporter.watch_output();
    match crate::watch::run_all(&mut *store, workspace.index(), &mut *out).await {
        Ok(reports) => reporter.watches_ran(pipeline, &reports),
        Err(e) => tracing::warn!(pipeline = %pipeline.name, "watches not run: {e}"),
    }
}

/// Sleeps until `due`; false if stopped first.
async fn wait_until(due: DateTime<Utc>, control: &RunControl) -> bool {
    loop {
        let left = (due - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        if left.is_zero() {
            return !control.stop.is_cancelled();
        }
        tokio::select! {
            _ = tokio::time::sleep(left.min(MAX_SLEEP)) => {}
            _ = control.stop.cancelled() => return false,
        }
    }
}
