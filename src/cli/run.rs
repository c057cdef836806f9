//! `quotewire run`: the scheduled daemon. Loads the pipelines, takes the data directory,
//! starts the metrics endpoint if asked, and hands over to [`crate::schedule::run_daemon`].

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Args;

use super::ingest::open_workspace;
use super::progress::ProgressReporter;
use super::{DataDir, UsageError};
use crate::config::{Config, Pipeline};
use crate::pipeline::{PipelineError, Progress, RunStats};
use crate::schedule::{DaemonOptions, RunReporter, run_daemon};
use crate::store::StoreUrl;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Pipeline files; each runs at start (or when its schedule says, after a restart) and
    /// then on its `schedule.every` or `schedule.cron`.
    #[arg(long = "pipeline", value_name = "FILE", required = true)]
    pub pipelines: Vec<PathBuf>,
    /// Serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9187).
    #[arg(long, value_name = "ADDR")]
    pub metrics_bind: Option<String>,
    /// Run each pipeline once, now, and exit (for cron or systemd timers).
    #[arg(long)]
    pub once: bool,
}

/// Prints each run's summary line, and when the next run is due.
struct Printer;

impl RunReporter for Printer {
    fn progress(&self, pipeline: &Pipeline) -> Arc<dyn Progress> {
        Arc::new(ProgressReporter::new(&pipeline.name, true))
    }

    fn scheduled(&self, pipeline: &Pipeline, at: DateTime<Utc>) {
        tracing::info!(
            pipeline = %pipeline.name,
            "next run at {} ({})",
            at.to_rfc3339_opts(SecondsFormat::Secs, true),
            pipeline.schedule.cadence.describe()
        );
    }

    fn finished(&self, pipeline: &Pipeline, result: &Result<RunStats, PipelineError>) {
        match result {
            Ok(stats) => println!("{}: {}", pipeline.name, stats.summary()),
            Err(e) => tracing::error!(pipeline = %pipeline.name, "run failed: {e}; the next is tried on schedule"),
        }
    }

    fn watch_output(&self) -> Box<dyn std::io::Write + Send> {
        Box::new(std::io::stdout())
    }

    fn watches_ran(&self, _pipeline: &Pipeline, reports: &[crate::watch::RunReport]) {
        for r in reports {
            match &r.error {
                Some(error) => eprintln!("watch `{}`: {error} ({} matches kept for the next run)", r.watch, r.pending),
                None if r.recorded > 0 || r.delivered > 0 => {
                    eprintln!("watch `{}`: {} new, {} delivered", r.watch, r.recorded, r.delivered)
                }
                None => {}
            }
        }
    }
}

/// With `--store postgres://...` every run stores in that store (schedule state and watches
/// included) and the index of --data-dir follows it.
pub async fn daemon(
    args: RunArgs,
    config: &Config,
    data: &DataDir,
    store: Option<&StoreUrl>,
) -> anyhow::Result<ExitCode> {
    let mut pipelines = Vec::new();
    for path in &args.pipelines {
        let mut pipeline = Pipeline::load(path, config).map_err(|e| UsageError(e.to_string()))?;
        // A daemon follows whatever feeds say: keep it off private networks unless allowed.
        pipeline.fetch.private_addresses = pipeline.fetch.private_addresses.resolve(true);
        if pipelines.iter().any(|p: &Pipeline| p.name == pipeline.name) {
            return Err(UsageError(format!(
                "two pipelines are named `{}`: names identify a pipeline's schedule state, make them unique",
                pipeline.name
            ))
            .into());
        }
        pipelines.push(pipeline);
    }
    // Signals first: a stop that arrives while the data directory opens is still graceful.
    let control = crate::schedule::on_signals(config.run.shutdown_grace);
    let workspace = Arc::new(open_workspace(data, store, "run", config)?);
    if let Some(bind) = &args.metrics_bind {
        let (listener, address) = crate::server::bind(bind).await?;
        tracing::info!("metrics at http://{address}/metrics");
        let cancel = control.stop.clone();
        tokio::spawn(async move {
            let security = crate::server::configured();
            if let Err(e) = crate::server::serve_metrics(listener, &security, cancel).await {
                tracing::error!("metrics endpoint stopped: {e}");
            }
        });
    }
    // Statement vectors (builds with `transformers`): one background stage for the daemon's
    // life, following what the runs store; it finishes what is pending when the daemon stops.
    let embedding = super::similar::follow_ingest(config, data, store, &control.stop);
    let options = DaemonOptions { once: args.once };
    let report = run_daemon(workspace.clone(), pipelines, control, options, Arc::new(Printer)).await;
    if let Some(embedding) = embedding {
        embedding.finish().await;
    }
    let Ok(workspace) = Arc::try_unwrap(workspace) else {
        return Err(PipelineError::Writer("runs still hold the data directory".into()).into());
    };
    let indexed = workspace.close()?;
    tracing::info!(
        "stopped after {} run(s); the index holds the store through sequence {}",
        report.runs,
        indexed.through
    );
    Ok(if report.failed_runs > 0 && args.once { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
