//! Distributed runs over the PostgreSQL work queue: `enqueue` turns a run's sources into
//! jobs, and a worker claims jobs and does each through the same discovery and document
//! code as the embedded run (`discover.rs`, `document.rs`): a feed, sitemap, site or listing
//! job discovers its article links as the embedded run does (`discover`, `discover_site`,
//! `discover_listing`; a listing's selectors and page limit travel as the job's parameters)
//! and queues them as page jobs; a page job fetches, extracts, analyses and stores the page
//! in the shared store. Directories and WARC files are paths on one machine: never queued.
//!
//! Politeness is the queue's: the worker's fetcher has no per-host delay of its own, and a
//! job holds a slot of its host from the claim until its request is over
//! (`Queue::claim_holding`; a page job lets go as soon as its body is downloaded, so the
//! host is free while the page is extracted, analysed and stored), so two requests to a host
//! with an interval, from any workers, are at least that interval apart, and a host without
//! one sees at most its `per_host_concurrency` requests at once. Sitemap, site and listing
//! jobs may make several requests of their host under one claim (a sitemap index's children;
//! robots.txt, home page, feeds; listing pages), so their fetcher keeps the pipeline's own per-host delay between them. Leases
//! are renewed while a job runs; a worker that dies loses its jobs when their lease runs out.
//!
//! A worker keeps one run state per pipeline (the URLs it has seen, its failures, the
//! near-duplicate fingerprints, its fetchers), as one embedded run does, and starts it afresh
//! after `renew_after_jobs` jobs or an hour: a worker that runs for months holds no more than
//! that, and the fingerprints it reloads then include what the rest of the fleet stored.
//! This module decides nothing about schedules and owns no tables.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;
use url::Url;

use super::PipelineError;
use super::context::{RunEnv, Shared, SharedStore, processing_slots};
use super::discover::{Discovery, SourceKind, discover, discover_listing, discover_site};
use super::document::ingest_link_then;
use super::indexer::{Indexer, IndexerHandle, IndexerReport, resume_position};
use super::process::ArticleBuilder;
use super::run::RunControl;
use super::stats::{RunStats, SilentProgress};
use crate::config::{CssSelector, FetchConfig, Pipeline, Source};
use crate::data_dir::{DataDir, StoreName, WriterLock};
use crate::fetch::{self, DiscoveredLink, FetchError, Fetcher};
use crate::nlp::Analyzer;
use crate::queue::{ClaimedJob, FailOutcome, JobKind, NewJob, Queue, QueueError, Registration, Retry};

/// How long a claimed job is leased (and its host held) before another worker may take it
/// back: longer than a fetch may take (the default fetch timeout is 30 s), short enough that
/// a dead worker's pages come back within a minute or two. Renewed at a third of it.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(90);
/// How long an idle worker waits before asking the queue again: claims are cheap, and a
/// host's next allowed time is usually tens of milliseconds away.
const IDLE_POLL: Duration = Duration::from_millis(20);
/// Jobs a pipeline's run state serves in a worker before the worker starts it afresh.
pub const RENEW_AFTER_JOBS: u64 = 5_000;
/// The longest a pipeline's run state lives in a worker.
const RENEW_AFTER: Duration = Duration::from_secs(3_600);
/// Failures a worker's report keeps: each one is logged and recorded in the store when it
/// happens, and the report counts them all.
const REPORTED_ERRORS: usize = 100;

/// What `enqueue` queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct EnqueueReport {
    pub feeds: u64,
    pub sitemaps: u64,
    pub sites: u64,
    pub listings: u64,
    pub pages: u64,
    /// Jobs added (the others were already queued or running for the same pipeline).
    pub added: u64,
}

/// Queues the jobs [`jobs_for`] made of a set of pipelines (built, and so checked, before
/// connecting); `report` gains the number actually added.
pub async fn enqueue(
    queue: &Queue,
    jobs: &[NewJob],
    mut report: EnqueueReport,
) -> Result<EnqueueReport, PipelineError> {
    report.added = queue.enqueue(jobs).await?;
    Ok(report)
}

impl EnqueueReport {
    /// Jobs asked for, of every kind.
    pub fn asked(&self) -> u64 {
        self.feeds + self.sitemaps + self.sites + self.listings + self.pages
    }
}

/// What a listing job needs besides its URL (the source's `links`, `next` and `max_pages`),
/// carried on the job as JSON so a worker without the pipeline file can do it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct ListingParams {
    links: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    max_pages: usize,
}

/// The queue jobs of `pipelines`' sources, and their counts by kind. A source the queue
/// cannot hold (a directory or a WARC file: paths on this machine) is an error for the
/// whole set.
pub fn jobs_for(pipelines: &[Pipeline]) -> Result<(Vec<NewJob>, EnqueueReport), PipelineError> {
    let mut report = EnqueueReport::default();
    let mut jobs = Vec::new();
    for pipeline in pipelines {
        for source in &pipeline.sources {
            let mut params = None;
            let (kind, url) = match source {
                Source::Feed { url } => (JobKind::Feed, url.clone()),
                Source::Sitemap { url } => (JobKind::Sitemap, url.clone()),
                Source::Site { url } => (JobKind::Site, url.clone()),
                Source::Listing { url, links, next, max_pages } => {
                    let listing = ListingParams {
                        links: links.as_str().to_string(),
                        next: next.as_ref().map(|n| n.as_str().to_string()),
                        max_pages: *max_pages,
                    };
                    params = Some(serde_json::to_string(&listing).unwrap_or_default());
                    (JobKind::Listing, url.clone())
                }
                Source::Page { url } => (JobKind::Page, fetch::canonicalize(url, &pipeline.fetch.strip_query_params)),
                Source::Dir { .. } | Source::Warc { .. } => {
                    return Err(PipelineError::Unqueueable { pipeline: pipeline.name.clone(), what: source.label() });
                }
            };
            match kind {
                JobKind::Feed => report.feeds += 1,
                JobKind::Sitemap => report.sitemaps += 1,
                JobKind::Site => report.sites += 1,
                JobKind::Listing => report.listings += 1,
                JobKind::Page => report.pages += 1,
            }
            let mut job = job_of(&pipeline.name, &source.label(), kind, url.as_str(), &pipeline.fetch);
            job.params = params;
            jobs.push(job);
        }
    }
    Ok((jobs, report))
}

/// Each pipeline as a registration with the fleet's scheduler: its jobs (as [`jobs_for`]
/// makes them), cadence and jitter. The same sources as `enqueue` accepts.
pub fn registrations_for(pipelines: &[Pipeline]) -> Result<Vec<Registration>, PipelineError> {
    pipelines
        .iter()
        .map(|pipeline| {
            let (jobs, _) = jobs_for(std::slice::from_ref(pipeline))?;
            Ok(Registration {
                pipeline: pipeline.name.clone(),
                cadence: pipeline.schedule.cadence.clone(),
                jitter: pipeline.schedule.jitter,
                jobs,
                last_due: None,
            })
        })
        .collect()
}

/// A job with the host politeness of `fetch` (its delay and per-host concurrency).
fn job_of(pipeline: &str, source: &str, kind: JobKind, url: &str, fetch: &FetchConfig) -> NewJob {
    let mut job = NewJob::new(pipeline, source, kind, url, fetch.per_host_delay);
    job.host_concurrency = u32::try_from(fetch.per_host_concurrency).unwrap_or(u32::MAX);
    job
}

/// What a worker's jobs share: `store` (the PostgreSQL store, normally), the indexer that
/// follows it (or [`IndexerHandle::detached`]) and one slot per core for extraction.
pub fn worker_env(store: SharedStore, indexer: IndexerHandle) -> RunEnv {
    RunEnv { store, indexer, processing: Arc::new(tokio::sync::Semaphore::new(processing_slots())) }
}

/// This worker's name in leases: host name and process id, unique in a fleet.
pub fn worker_name() -> String {
    let host = crate::watch::host_name();
    format!("{}:{}", if host.is_empty() { "localhost" } else { &host }, std::process::id())
}

/// A worker's choices.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// Jobs in flight at once (each of a different host).
    pub concurrency: usize,
    /// See [`DEFAULT_LEASE`].
    pub lease: Duration,
    /// Return when the fleet has no work left: no job running anywhere (a dead worker's
    /// jobs count until their lease runs out) and none queued that is due now. Jobs waiting
    /// for a retry later stay queued for a later worker.
    pub once: bool,
    /// Jobs a pipeline's run state serves before it is started afresh (see the module doc;
    /// 0 counts as 1).
    pub renew_after_jobs: u64,
}

impl Default for WorkerOptions {
    fn default() -> WorkerOptions {
        WorkerOptions { concurrency: 8, lease: DEFAULT_LEASE, once: false, renew_after_jobs: RENEW_AFTER_JOBS }
    }
}

/// What a worker did.
#[derive(Debug, Default)]
pub struct WorkerReport {
    /// Jobs done.
    pub done: u64,
    /// Jobs that failed and went back to the queue for a retry.
    pub requeued: u64,
    /// Jobs failed for good.
    pub failed: u64,
    /// Jobs whose lease ran out while this worker held them (their result is not recorded).
    pub lost: u64,
    /// Page jobs queued from feeds, sitemaps, sites and listings (new ones only).
    pub links_queued: u64,
    /// The document counts, over every pipeline; at most [`REPORTED_ERRORS`] of its errors.
    pub stats: RunStats,
    pub seconds: f64,
    /// Run states built: one per pipeline, and one more each time one is renewed.
    pub run_states: u64,
}

impl WorkerReport {
    /// Adds one run state's counts, keeping at most [`REPORTED_ERRORS`] errors.
    fn absorb(&mut self, stats: &RunStats) {
        self.stats.add(stats);
        self.stats.errors.truncate(REPORTED_ERRORS);
    }

    /// One line for the end of a worker's life.
    pub fn summary(&self) -> String {
        format!(
            "jobs: {} done, {} requeued, {} failed, {} lost; {} links queued; {} run state(s); {}",
            self.done,
            self.requeued,
            self.failed,
            self.lost,
            self.links_queued,
            self.run_states,
            self.stats.summary()
        )
    }
}

/// The fetcher and run state of one pipeline's jobs.
struct JobContext {
    shared: Arc<Shared>,
    fetcher: Arc<Fetcher>,
    /// The fetcher of sitemap, site and listing jobs, which may make several requests of their
    /// host under one claim: it spaces them by the pipeline's per-host delay, as the embedded
    /// run does.
    discovery_fetcher: Arc<Fetcher>,
    strip_query_params: Vec<String>,
    /// The pipeline's politeness as configured (the fetcher's own delay is zero).
    politeness: FetchConfig,
    /// Jobs given this context so far, and when it was built.
    jobs: AtomicU64,
    built: Instant,
}

impl JobContext {
    /// Whether the context has served long enough to be started afresh.
    fn worn(&self, renew_after_jobs: u64) -> bool {
        self.jobs.load(Ordering::Relaxed) >= renew_after_jobs.max(1) || self.built.elapsed() >= RENEW_AFTER
    }
}

/// The worker's state shared by its job tasks.
struct Worker {
    queue: Arc<Queue>,
    env: RunEnv,
    pipelines: HashMap<String, Pipeline>,
    /// The fetch settings of jobs whose pipeline this worker was not given (ad-hoc sources).
    default_fetch: FetchConfig,
    contexts: Mutex<HashMap<String, Arc<JobContext>>>,
    /// Contexts renewed while jobs still used them: their counts join the report once the
    /// last of those jobs is over.
    retired: Mutex<Vec<Arc<JobContext>>>,
    /// Jobs claimed and not yet recorded, to give back if the worker is abandoned.
    held: Mutex<HashMap<i64, ClaimedJob>>,
    report: Mutex<WorkerReport>,
    options: WorkerOptions,
    control: RunControl,
}

impl Worker {
    fn context(&self, pipeline: &str) -> Result<Arc<JobContext>, PipelineError> {
        let mut contexts = self.contexts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(context) = contexts.get(pipeline)
            && !context.worn(self.options.renew_after_jobs)
        {
            context.jobs.fetch_add(1, Ordering::Relaxed);
            return Ok(context.clone());
        }
        if let Some(worn) = contexts.remove(pipeline) {
            self.retired.lock().unwrap_or_else(|p| p.into_inner()).push(worn);
        }
        let mut fetch_config =
            self.pipelines.get(pipeline).map_or_else(|| self.default_fetch.clone(), |p| p.fetch.clone());
        let politeness = fetch_config.clone();
        // The queue spaces a host's requests across the fleet; a local delay would only
        // push a request later, towards the next worker's turn.
        fetch_config.per_host_delay = Duration::ZERO;
        let fetcher = Fetcher::new(&fetch_config)?;
        let discovery_fetcher = Fetcher::new(&politeness)?;
        let builder = ArticleBuilder::new(Analyzer::new(), fetch_config.strip_query_params.clone());
        let slots = self.options.concurrency.max(1) * 2;
        let shared = Shared::new(
            &self.env,
            builder,
            Arc::new(SilentProgress),
            false,
            slots,
            pipeline,
            self.control.stop.child_token(),
        )?
        .retried_by_queue();
        let context = Arc::new(JobContext {
            shared: Arc::new(shared),
            fetcher,
            discovery_fetcher,
            strip_query_params: fetch_config.strip_query_params,
            politeness,
            jobs: AtomicU64::new(1),
            built: Instant::now(),
        });
        contexts.insert(pipeline.to_string(), context.clone());
        self.tally(|r| r.run_states += 1);
        Ok(context)
    }

    /// Adds the counts of renewed contexts no job uses any more to the report, and lets
    /// them go.
    fn fold_retired(&self) {
        let mut retired = self.retired.lock().unwrap_or_else(|p| p.into_inner());
        let mut report = self.report.lock().unwrap_or_else(|p| p.into_inner());
        retired.retain(|context| {
            // A store error that halted the context stays for `take_fatal` to find.
            if Arc::strong_count(context) > 1 || context.shared.halted_by_store() {
                return true;
            }
            report.absorb(&context.shared.take_stats());
            false
        });
    }

    fn tally(&self, update: impl FnOnce(&mut WorkerReport)) {
        update(&mut self.report.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// Claims and does jobs until stopped (or, with `once`, until the fleet has no work left).
/// `control.stop` ends the claiming and lets jobs in flight finish; `control.abandon` drops
/// them and gives them back to the queue at once.
pub async fn work(
    queue: Arc<Queue>,
    env: RunEnv,
    pipelines: &[Pipeline],
    default_fetch: &FetchConfig,
    options: WorkerOptions,
    control: &RunControl,
) -> Result<WorkerReport, PipelineError> {
    let started = Instant::now();
    let worker = Arc::new(Worker {
        queue,
        env,
        pipelines: pipelines.iter().map(|p| (p.name.clone(), p.clone())).collect(),
        default_fetch: default_fetch.clone(),
        contexts: Mutex::new(HashMap::new()),
        retired: Mutex::new(Vec::new()),
        held: Mutex::new(HashMap::new()),
        report: Mutex::new(WorkerReport::default()),
        options,
        control: control.clone(),
    });
    let concurrency = options.concurrency.max(1);
    let mut tasks = JoinSet::new();
    let mut fatal = None;
    loop {
        while tasks.try_join_next().is_some() {}
        worker.fold_retired();
        if control.stop.is_cancelled() {
            break;
        }
        if let Some(error) = take_fatal(&worker) {
            fatal = Some(error);
            break;
        }
        let free = concurrency.saturating_sub(tasks.len());
        let claimed = if free > 0 { worker.queue.claim_holding(free, options.lease).await? } else { Vec::new() };
        if claimed.is_empty() {
            if options.once && tasks.is_empty() {
                let (running, due) = worker.queue.outstanding().await?;
                if running == 0 && due == 0 {
                    break;
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(IDLE_POLL) => {}
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                _ = control.stop.cancelled() => {}
            }
            continue;
        }
        for job in claimed {
            worker.held.lock().unwrap_or_else(|p| p.into_inner()).insert(job.id, job.clone());
            let worker = worker.clone();
            tasks.spawn(async move { run_job(&worker, job).await });
        }
    }
    // Stopping: jobs in flight finish unless the worker is abandoned.
    loop {
        tokio::select! {
            joined = tasks.join_next() => if joined.is_none() { break },
            _ = control.abandon.cancelled() => {
                tasks.abort_all();
                while tasks.join_next().await.is_some() {}
                break;
            }
        }
    }
    give_back(&worker).await;
    if let Some(error) = fatal.or_else(|| take_fatal(&worker)) {
        return Err(error);
    }
    worker.fold_retired();
    let mut report = std::mem::take(&mut *worker.report.lock().unwrap_or_else(|p| p.into_inner()));
    let contexts = worker.contexts.lock().unwrap_or_else(|p| p.into_inner());
    for context in contexts.values() {
        report.absorb(&context.shared.take_stats());
    }
    report.stats.interrupted = control.stop.is_cancelled();
    report.seconds = started.elapsed().as_secs_f64();
    report.stats.seconds = report.seconds;
    Ok(report)
}

/// The store error that halted a pipeline's jobs (a full disk, a lost database).
fn take_fatal(worker: &Worker) -> Option<PipelineError> {
    let contexts = worker.contexts.lock().unwrap_or_else(|p| p.into_inner());
    let retired = worker.retired.lock().unwrap_or_else(|p| p.into_inner());
    contexts.values().chain(retired.iter()).find_map(|c| c.shared.take_fatal()).map(PipelineError::Store)
}

/// Jobs abandoned in flight go back to the queue now rather than when their lease runs out.
async fn give_back(worker: &Worker) {
    let held: Vec<ClaimedJob> = worker.held.lock().unwrap_or_else(|p| p.into_inner()).drain().map(|(_, j)| j).collect();
    for job in held {
        match worker.queue.fail(&job, "the worker stopped before finishing it", Retry::After(Duration::ZERO)).await {
            Ok(_) => tracing::info!(url = %job.url, "gave the job back to the queue"),
            Err(e) => tracing::warn!(url = %job.url, "cannot give the job back: {e}"),
        }
    }
}

/// Why a job failed and when to try it again.
struct JobFailure {
    message: String,
    retry: Retry,
}

/// Does one job while renewing its lease, then records it (which lets go of its host if
/// the job still holds it).
async fn run_job(worker: &Worker, job: ClaimedJob) {
    let lease = worker.options.lease;
    let renew = async {
        loop {
            tokio::time::sleep(lease / 3).await;
            if let Err(e) = worker.queue.renew(&job, lease).await {
                return e;
            }
        }
    };
    // A page's host is let go of when its body is in, while the page is processed.
    let (fetched, body_in) = tokio::sync::oneshot::channel::<()>();
    let release = async {
        if body_in.await.is_ok()
            && let Err(e) = worker.queue.release_host(&job).await
        {
            tracing::warn!(url = %job.url, "cannot release the host: {e}");
        }
    };
    let work = async { tokio::join!(do_job(worker, &job, fetched), release).0 };
    let outcome = tokio::select! {
        outcome = work => outcome,
        error = renew => {
            tracing::warn!(url = %job.url, "stopped working on the job: {error}");
            worker.tally(|r| r.lost += 1);
            worker.held.lock().unwrap_or_else(|p| p.into_inner()).remove(&job.id);
            return;
        }
    };
    let recorded = match outcome {
        Ok(links) => worker.queue.complete(&job).await.map(|()| {
            worker.tally(|r| {
                r.done += 1;
                r.links_queued += links;
            })
        }),
        Err(failure) => worker.queue.fail(&job, &failure.message, failure.retry).await.map(|outcome| {
            worker.tally(|r| match outcome {
                FailOutcome::Requeued { .. } => r.requeued += 1,
                FailOutcome::Failed => r.failed += 1,
            })
        }),
    };
    match recorded {
        Ok(()) => {}
        Err(QueueError::LeaseLost { .. }) => worker.tally(|r| r.lost += 1),
        Err(e) => tracing::warn!(url = %job.url, "cannot record the job: {e}"),
    }
    worker.held.lock().unwrap_or_else(|p| p.into_inner()).remove(&job.id);
}

/// Does one job: returns the number of page jobs it queued.
/// `fetched` hears when a page's body is downloaded.
async fn do_job(
    worker: &Worker,
    job: &ClaimedJob,
    fetched: tokio::sync::oneshot::Sender<()>,
) -> Result<u64, JobFailure> {
    let context =
        worker.context(&job.pipeline).map_err(|e| JobFailure { message: e.to_string(), retry: Retry::Backoff })?;
    let url = Url::parse(&job.url)
        .map_err(|e| JobFailure { message: format!("`{}` is not a URL: {e}", job.url), retry: Retry::Never })?;
    match job.kind {
        JobKind::Page => {
            let link = DiscoveredLink { url, title: None, published: None };
            match ingest_link_then(&context.shared, &context.fetcher, link, || {
                let _ = fetched.send(());
            })
            .await
            {
                Ok(()) => Ok(0),
                Err(error) => Err(JobFailure { retry: retry_for(&error), message: error.to_string() }),
            }
        }
        JobKind::Feed => {
            let discovery =
                discover(&context.shared, &context.fetcher, &url, SourceKind::Feed, 0, &mut HashSet::new()).await;
            queue_links(worker, job, &context, discovery).await
        }
        JobKind::Sitemap => {
            // A sitemap index's children are read under the same claim.
            let fetcher = &context.discovery_fetcher;
            let discovery = discover(&context.shared, fetcher, &url, SourceKind::Sitemap, 0, &mut HashSet::new()).await;
            queue_links(worker, job, &context, discovery).await
        }
        JobKind::Site => {
            let discovery = discover_site(&context.shared, &context.discovery_fetcher, &url).await;
            queue_links(worker, job, &context, discovery).await
        }
        JobKind::Listing => {
            let (links, next, max_pages) = listing_params(job).map_err(|message| JobFailure {
                message: format!("listing {}: {message}", job.url),
                retry: Retry::Never,
            })?;
            let discovery =
                discover_listing(&context.shared, &context.discovery_fetcher, &url, &links, next.as_ref(), max_pages)
                    .await;
            queue_links(worker, job, &context, discovery).await
        }
    }
}

/// Queues the article links a discovery job found as page jobs of its pipeline and source
/// (by canonical URL, as the embedded run ingests them); returns the number added. The job
/// fails, to be retried, only when its source failed and gave nothing.
async fn queue_links(
    worker: &Worker,
    job: &ClaimedJob,
    context: &JobContext,
    discovery: Discovery,
) -> Result<u64, JobFailure> {
    let mut seen = HashSet::new();
    let pages: Vec<NewJob> = discovery
        .links
        .iter()
        .map(|link| fetch::canonicalize(&link.url, &context.strip_query_params))
        .filter(|url| seen.insert(url.to_string()))
        .map(|url| job_of(&job.pipeline, &job.source, JobKind::Page, url.as_str(), &context.politeness))
        .collect();
    let queued = if pages.is_empty() {
        0
    } else {
        worker.queue.enqueue(&pages).await.map_err(|e| JobFailure { message: e.to_string(), retry: Retry::Backoff })?
    };
    match discovery.error {
        Some(message) if pages.is_empty() => Err(JobFailure { message, retry: Retry::Backoff }),
        _ => Ok(queued),
    }
}

/// A listing job's selectors and page limit, from its parameters.
fn listing_params(job: &ClaimedJob) -> Result<(CssSelector, Option<CssSelector>, usize), String> {
    let raw = job.params.as_deref().ok_or("the job carries no selectors (queued by an older quotewire?)")?;
    let params: ListingParams = serde_json::from_str(raw).map_err(|e| format!("unreadable job parameters: {e}"))?;
    let links = CssSelector::parse(&params.links)?;
    let next = params.next.as_deref().map(CssSelector::parse).transpose()?;
    Ok((links, next, params.max_pages.max(1)))
}

/// When a failed fetch is worth trying again: transient failures (network, timeouts, 429,
/// 5xx) after the server's `Retry-After` when it sent one (the queue then holds the whole
/// host back that long, fleet-wide), else after the queue's back-off; anything else (404, a
/// refused address, a body over the cap) never. The fetcher's own retries came first.
fn retry_for(error: &FetchError) -> Retry {
    match (error.is_transient(), error.retry_after()) {
        (true, Some(wait)) => Retry::After(wait),
        (true, None) => Retry::Backoff,
        (false, _) => Retry::Never,
    }
}

/// A local tantivy index kept up to date from a shared store (a worker given a data
/// directory): the embedded indexer, following the store's sequence from where the index
/// stands, through its own store connection. Holds the data directory's writer lock.
pub struct FollowingIndex {
    indexer: Indexer,
    _lock: WriterLock,
}

impl FollowingIndex {
    /// Takes `data`'s writer lock for `command` (named to whoever finds it held), opens (or
    /// creates) its index and starts catching up with `store`, which `name` names in errors.
    pub fn start(
        data: &DataDir,
        store: SharedStore,
        name: &StoreName,
        writer_memory: usize,
        command: &str,
    ) -> Result<FollowingIndex, PipelineError> {
        let lock = data.lock(command)?;
        let index = data.open_index_for_writing()?;
        let from = {
            let guard = store.lock().unwrap_or_else(|p| p.into_inner());
            // An index following another store is refused; a new one follows this store.
            data.check_index_follows(&index, &*guard, name, true)?;
            resume_position(&index, &*guard)?
        };
        let indexer = Indexer::start(store, Box::new(index.writer(writer_memory)?), from)?;
        Ok(FollowingIndex { indexer, _lock: lock })
    }

    /// Wakes the indexer when this process stores an article (it also polls, for the
    /// articles other workers store).
    pub fn handle(&self) -> IndexerHandle {
        self.indexer.handle()
    }

    /// Catches up with the store, commits and stops.
    pub fn finish(self) -> Result<IndexerReport, PipelineError> {
        self.indexer.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_workers_report_counts_every_failure_and_keeps_a_bounded_list() {
        let mut report = WorkerReport::default();
        for round in 0..3 {
            let mut stats = RunStats { failed: 60, articles: 5, ..RunStats::default() };
            stats.errors = (0..60).map(|n| (format!("http://127.0.0.1:9/{round}/{n}"), "gone".to_string())).collect();
            report.absorb(&stats);
        }
        assert_eq!((report.stats.failed, report.stats.articles), (180, 15));
        assert_eq!(report.stats.errors.len(), REPORTED_ERRORS);
        // The first failures are the ones kept.
        assert_eq!(report.stats.errors[0].0, "http://127.0.0.1:9/0/0");
    }

    #[test]
    fn a_runs_sources_become_jobs_with_the_pipelines_host_interval() {
        let config = Config::default();
        let mut pipeline = Pipeline::ad_hoc(
            vec![
                Source::Feed { url: url("http://127.0.0.1:9/feed.xml") },
                Source::Sitemap { url: url("http://127.0.0.1:9/sitemap.xml") },
                Source::Page { url: url("http://127.0.0.1:9/a.html?utm_source=x") },
            ],
            &config,
        );
        pipeline.fetch.per_host_delay = Duration::from_millis(1_500);
        let (jobs, report) = jobs_for(&[pipeline]).unwrap();
        assert_eq!(report, EnqueueReport { feeds: 1, sitemaps: 1, pages: 1, ..EnqueueReport::default() });
        let kinds: Vec<JobKind> = jobs.iter().map(|j| j.kind).collect();
        assert_eq!(kinds, [JobKind::Feed, JobKind::Sitemap, JobKind::Page]);
        assert!(jobs.iter().all(|j| j.host_interval == Duration::from_millis(1_500) && j.pipeline == "ad-hoc"));
        // Pages are queued by their canonical URL, as the run stores them.
        assert_eq!(jobs[2].url, "http://127.0.0.1:9/a.html");
    }

    #[test]
    fn a_servers_retry_after_decides_the_retry_of_a_transient_failure() {
        let status = |status: u16, retry_after: Option<Duration>| FetchError::Status {
            url: "http://127.0.0.1:9/a".into(),
            status,
            retry_after,
        };
        let seven = Some(Duration::from_secs(7));
        assert_eq!(retry_for(&status(503, seven)), Retry::After(Duration::from_secs(7)));
        assert_eq!(retry_for(&status(429, None)), Retry::Backoff);
        assert_eq!(retry_for(&status(404, seven)), Retry::Never);
    }

    #[test]
    fn sites_and_listings_become_jobs_and_a_listing_carries_its_selectors() {
        let config = Config::default();
        let links = CssSelector::parse("ul.news li > a").unwrap();
        let next = CssSelector::parse("a[rel=next]").unwrap();
        let pipeline = Pipeline::ad_hoc(
            vec![
                Source::Site { url: url("http://127.0.0.1:9/") },
                Source::Listing { url: url("http://127.0.0.1:9/news"), links, next: Some(next), max_pages: 7 },
            ],
            &config,
        );
        let (jobs, report) = jobs_for(&[pipeline]).unwrap();
        assert_eq!(report, EnqueueReport { sites: 1, listings: 1, ..EnqueueReport::default() });
        assert_eq!(report.asked(), 2);
        assert_eq!((jobs[0].kind, jobs[0].params.as_deref()), (JobKind::Site, None));
        assert_eq!(jobs[1].kind, JobKind::Listing);
        // The worker reads them back as the pipeline file gave them.
        let claimed = ClaimedJob {
            id: 1,
            pipeline: jobs[1].pipeline.clone(),
            source: jobs[1].source.clone(),
            kind: jobs[1].kind,
            url: jobs[1].url.clone(),
            host: "127.0.0.1:9".into(),
            attempt: 1,
            claimed_at: std::time::SystemTime::now(),
            params: jobs[1].params.clone(),
        };
        let (links, next, max_pages) = listing_params(&claimed).unwrap();
        assert_eq!(
            (links.as_str(), next.as_ref().map(CssSelector::as_str), max_pages),
            ("ul.news li > a", Some("a[rel=next]"), 7)
        );
        // A listing job without them (or with a broken selector) cannot be done: said, not guessed.
        let bare = ClaimedJob { params: None, ..claimed.clone() };
        assert!(listing_params(&bare).unwrap_err().contains("no selectors"));
        let broken = ClaimedJob { params: Some(r#"{"links": "ul[", "max_pages": 2}"#.into()), ..claimed };
        assert!(listing_params(&broken).unwrap_err().contains("invalid CSS selector"));
    }

    #[test]
    fn a_local_source_the_queue_cannot_hold_queues_nothing_and_says_which() {
        let config = Config::default();
        for local in [Source::Dir { path: "/srv/archive".into() }, Source::Warc { path: "/srv/crawl.warc.gz".into() }] {
            let what = local.type_name();
            let pipeline =
                Pipeline::ad_hoc(vec![Source::Feed { url: url("http://127.0.0.1:9/feed.xml") }, local], &config);
            let error = jobs_for(&[pipeline]).unwrap_err().to_string();
            assert!(error.starts_with(&format!("pipeline `ad-hoc`: {what} /srv/")), "{error}");
            assert!(error.contains("path on this machine"), "{error}");
            assert!(error.contains("quotewire ingest"), "{error}");
        }
    }
}
