//! `quotewire worker`: claim jobs from the PostgreSQL work queue and do them, storing in the
//! PostgreSQL store.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;

use super::enqueue::postgres_url;
use super::{DataDir, UsageError, run_status};
use crate::config::{Config, Pipeline};
use crate::pipeline::{
    DEFAULT_LEASE, FollowingIndex, IndexerHandle, RENEW_AFTER_JOBS, SharedStore, WorkerOptions, work, worker_env,
    worker_name,
};
use crate::queue::Queue;
use crate::schedule::{DEFAULT_LEADER_LEASE, lead_schedules};
use crate::store::{PostgresStore, StoreUrl};

/// Given `--data-dir DIR` (the global option), the worker also keeps the local tantivy index
/// in DIR up to date from the PostgreSQL store.
/// The shared store and queue are the global `--store postgres://USER@HOST:PORT/DATABASE`
/// (or QUOTEWIRE_STORE), which a worker requires.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Exit when the fleet has no work left (nothing running, nothing due), instead of
    /// waiting for more.
    #[arg(long)]
    pub once: bool,
    /// Jobs in flight at once, each of a different host.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,
    /// Pipeline file(s) whose fetch settings this worker's jobs use (jobs of other
    /// pipelines use the configuration's `[fetch]`).
    #[arg(long = "pipeline", value_name = "FILE")]
    pub pipelines: Vec<std::path::PathBuf>,
    /// How long a claimed job is leased (and its host held) before a dead worker's job goes
    /// back to the queue; renewed at a third of it while the job runs.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_LEASE.as_secs_f64())]
    pub lease_seconds: f64,
    /// How long the fleet's scheduler role is leased (without `--once`, every worker may
    /// lead it and queue the pipelines registered with `enqueue --schedule` when due): a dead
    /// leader is replaced after this; renewed at a third of it.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_LEADER_LEASE.as_secs_f64())]
    pub scheduler_lease_seconds: f64,
    /// Jobs a pipeline's run state (the URLs seen, failures, near-duplicate fingerprints,
    /// fetchers) serves before the worker starts it afresh, as it also does after an hour:
    /// a worker that runs for months holds no more than that.
    #[arg(long, value_name = "N", default_value_t = RENEW_AFTER_JOBS)]
    pub renew_after_jobs: u64,
}

pub async fn run(
    args: WorkerArgs,
    config: &Config,
    data: &DataDir,
    store: Option<&StoreUrl>,
    data_dir_given: bool,
) -> anyhow::Result<ExitCode> {
    let url = postgres_url(store, "worker")?;
    for (flag, value) in
        [("--lease-seconds", args.lease_seconds), ("--scheduler-lease-seconds", args.scheduler_lease_seconds)]
    {
        if !(value.is_finite() && value >= 0.5) {
            return Err(UsageError(format!("{flag} `{value}`: expected at least 0.5")).into());
        }
    }
    let mut pipelines = Vec::new();
    for path in &args.pipelines {
        pipelines.push(Pipeline::load(path, config).map_err(|e| UsageError(e.to_string()))?);
    }
    let control = crate::schedule::on_signals(config.run.shutdown_grace);
    let name = worker_name();
    let queue = Queue::connect(&url, &name).await.map_err(|e| UsageError(e.to_string()))?;
    let store = PostgresStore::open(&url).map_err(|e| UsageError(e.to_string()))?;
    let store: SharedStore = Arc::new(Mutex::new(store));
    // With --data-dir, a local index follows the store through a connection of its own.
    // The default --data-dir names the embedded data directory, which a PostgreSQL worker
    // does not use unless asked to keep an index there.
    let index = match data_dir_given {
        true => {
            // Opened above: a second connection needs no schema check.
            let own: SharedStore =
                Arc::new(Mutex::new(PostgresStore::connect(&url).map_err(|e| UsageError(e.to_string()))?));
            let name = data.store_name(Some(&StoreUrl::Postgres(url.clone())));
            Some(FollowingIndex::start(data, own, &name, config.index.writer_memory_bytes, "worker")?)
        }
        false => None,
    };
    let indexer = index.as_ref().map_or_else(IndexerHandle::detached, FollowingIndex::handle);
    let env = worker_env(store, indexer);
    let options = WorkerOptions {
        concurrency: args.concurrency.max(1),
        lease: Duration::from_secs_f64(args.lease_seconds),
        once: args.once,
        renew_after_jobs: args.renew_after_jobs,
    };
    tracing::info!(worker = %name, store = %StoreUrl::Postgres(url.clone()), "worker started");
    // A long-lived worker may lead the fleet's scheduler, through a connection of its own.
    let scheduler = match args.once {
        true => None,
        false => {
            let own = Queue::connect(&url, &name).await.map_err(|e| UsageError(e.to_string()))?;
            let lease = Duration::from_secs_f64(args.scheduler_lease_seconds);
            Some(tokio::spawn(lead_schedules(own, lease, control.stop.clone())))
        }
    };
    // Environment errors (PostgreSQL gone, a full disk) exit 2 through `exit_code`.
    let report = work(Arc::new(queue), env, &pipelines, &config.fetch, options, &control).await;
    if let Some(scheduler) = scheduler {
        control.stop.cancel();
        if let Ok(led) = scheduler.await
            && led.runs_queued > 0
        {
            println!("worker {name}: queued {} scheduled run(s), {} job(s)", led.runs_queued, led.jobs_added);
        }
    }
    let report = report?;
    println!("worker {name}: {}", report.summary());
    if let Some(index) = index {
        let indexed = index.finish()?;
        println!(
            "index {}: {} article(s) indexed, through store sequence {}",
            data.root().display(),
            indexed.indexed,
            indexed.through
        );
    }
    Ok(run_status(report.stats.failed))
}
