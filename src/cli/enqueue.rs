//! `quotewire enqueue`: queue a run's sources in the PostgreSQL work queue, for workers.

use std::process::ExitCode;

use clap::Args;

use super::UsageError;
use super::ingest::{IngestArgs, WebSourceArgs, pipelines};
use crate::config::Config;
use crate::pipeline::{enqueue, jobs_for, registrations_for};
use crate::queue::Queue;
use crate::store::StoreUrl;

/// The shared store and queue are the global `--store postgres://USER@HOST:PORT/DATABASE`
/// (or QUOTEWIRE_STORE), which `enqueue` requires.
#[derive(Debug, Args)]
pub struct EnqueueArgs {
    #[command(flatten)]
    pub sources: WebSourceArgs,
    /// Register the `--pipeline` files with the fleet's scheduler instead of queueing them
    /// once: the worker leading the fleet queues each when its schedule says (the first run
    /// at once). Registering a pipeline again replaces its sources and schedule.
    #[arg(long, requires = "pipelines")]
    pub schedule: bool,
    /// Remove a pipeline (by name) from the fleet's schedule (jobs already queued stay).
    #[arg(long, value_name = "NAME", conflicts_with = "schedule")]
    pub unschedule: Vec<String>,
}

/// The PostgreSQL URL of `--store`, or the usage error saying the queue needs one.
pub fn postgres_url(store: Option<&StoreUrl>, command: &str) -> Result<String, UsageError> {
    match store {
        Some(StoreUrl::Postgres(url)) => Ok(url.clone()),
        None => Err(UsageError(format!(
            "`quotewire {command}` needs a PostgreSQL store: give --store postgres://USER@HOST:PORT/DATABASE (or set QUOTEWIRE_STORE); the work queue lives in PostgreSQL"
        ))),
        Some(StoreUrl::Sqlite(path)) => Err(UsageError(format!(
            "`quotewire {command}` needs a PostgreSQL store (--store postgres://USER@HOST:PORT/DATABASE), not `sqlite:{}`: the work queue lives in PostgreSQL; with the embedded SQLite store, use `quotewire ingest` or `quotewire run`",
            path.display()
        ))),
    }
}

pub async fn run(args: EnqueueArgs, config: &Config, store: Option<&StoreUrl>) -> anyhow::Result<ExitCode> {
    let url = postgres_url(store, "enqueue")?;
    if args.schedule || !args.unschedule.is_empty() {
        return schedule(args, config, &url).await;
    }
    let sources = IngestArgs { web: args.sources, dirs: Vec::new(), warcs: Vec::new(), refetch: false };
    let pipelines = pipelines(&sources, config)?;
    // Every source checked before connecting: bad input queues nothing.
    let (jobs, report) = jobs_for(&pipelines).map_err(|e| UsageError(e.to_string()))?;
    let queue = Queue::connect(&url, &crate::pipeline::worker_name()).await.map_err(|e| UsageError(e.to_string()))?;
    // An environment error (PostgreSQL gone, out of disk) exits 2 through `exit_code`.
    let report = enqueue(&queue, &jobs, report).await?;
    let counts = queue.counts().await?;
    println!(
        "queued {} job(s) ({} feed(s), {} sitemap(s), {} site(s), {} listing(s), {} page(s) asked for; {} already pending) in {}; the queue holds {} queued, {} running",
        report.added,
        report.feeds,
        report.sitemaps,
        report.sites,
        report.listings,
        report.pages,
        report.asked() - report.added,
        StoreUrl::Postgres(url.clone()),
        counts.queued,
        counts.running
    );
    Ok(ExitCode::SUCCESS)
}

/// `--schedule` and `--unschedule`: register or remove pipelines with the fleet's scheduler.
async fn schedule(args: EnqueueArgs, config: &Config, url: &str) -> anyhow::Result<ExitCode> {
    let mut registrations = Vec::new();
    if args.schedule {
        let web = &args.sources;
        if web.feeds.len() + web.sitemaps.len() + web.urls.len() + web.sites.len() > 0 {
            return Err(UsageError(
                "--schedule registers pipeline files: put --feed, --sitemap, --url and --site sources in a pipeline file with its [schedule]".into(),
            )
            .into());
        }
        let sources = IngestArgs { web: args.sources, dirs: Vec::new(), warcs: Vec::new(), refetch: false };
        registrations = registrations_for(&pipelines(&sources, config)?).map_err(|e| UsageError(e.to_string()))?;
    }
    let shown = StoreUrl::Postgres(url.to_string());
    let queue = Queue::connect(url, &crate::pipeline::worker_name()).await.map_err(|e| UsageError(e.to_string()))?;
    for registration in &registrations {
        queue.register_schedule(registration).await?;
        println!(
            "scheduled pipeline `{}` ({} job(s), {}) in {}: the worker leading the fleet queues it when due",
            registration.pipeline,
            registration.jobs.len(),
            registration.cadence.describe(),
            shown
        );
    }
    for name in &args.unschedule {
        match queue.unregister_schedule(name).await? {
            true => println!("pipeline `{name}` is no longer scheduled in {shown}"),
            false => return Err(UsageError(format!("pipeline `{name}` is not scheduled in {shown}")).into()),
        }
    }
    Ok(ExitCode::SUCCESS)
}
