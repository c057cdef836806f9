//! One ingestion run: every source at once, each within its deadline; fetches bounded in
//! flight across sources; documents processed on blocking threads and stored; the indexer
//! follows the store.
//!
//! Stopping is in two steps ([`RunControl`]): `stop` takes no new work (no new sources, no
//! new links), `abandon` drops what is in flight. Nothing is lost either way: the store is
//! written one document per transaction and the index catches up from it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::PipelineError;
use super::context::{RunEnv, Shared, Stage};
use super::discover::{Discovery, SourceKind, discover, discover_listing, discover_site};
use super::document::{ingest_dir, ingest_link, ingest_warc};
use super::process::ArticleBuilder;
use super::stats::{Progress, RunStats, SourceReport};
use crate::config::{Pipeline, Source, format_duration};
use crate::fetch::{self, DiscoveredLink, Fetcher};
use crate::nlp::Analyzer;

/// How a run is stopped: `stop` ends the taking of new work, `abandon` drops work in flight.
#[derive(Debug, Clone, Default)]
pub struct RunControl {
    pub stop: CancellationToken,
    pub abandon: CancellationToken,
}

impl RunControl {
    /// A control whose `stop` also abandons (tests, one-shot tools).
    pub fn immediate(stop: CancellationToken) -> RunControl {
        RunControl { abandon: stop.clone(), stop }
    }
}

/// Longest wait at the end of a run for documents still being processed: extraction of one
/// document is bounded far below this; past it the run ends anyway (the next run's indexer
/// picks up whatever they store).
const PROCESSING_DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Per-run choices of the command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Fetch known pages without validators again, and failed URLs before they are due.
    pub refetch: bool,
}

/// Runs `pipeline` once: everything new is stored; the indexer is woken for each article.
pub async fn run(
    pipeline: &Pipeline,
    env: &RunEnv,
    progress: Arc<dyn Progress>,
    control: &RunControl,
    options: RunOptions,
) -> Result<RunStats, PipelineError> {
    let started = Instant::now();
    let fetcher = Fetcher::new(&pipeline.fetch)?;
    let builder = ArticleBuilder::new(Analyzer::new(), pipeline.fetch.strip_query_params.clone());
    let in_flight = pipeline.fetch.concurrency.max(1) * 2;
    let shared = Arc::new(Shared::new(
        env,
        builder,
        progress,
        options.refetch,
        in_flight,
        &pipeline.name,
        control.stop.child_token(),
    )?);

    let deadline = pipeline.schedule.source_deadline;
    let mut sources = JoinSet::new();
    for (position, source) in pipeline.sources.iter().cloned().enumerate() {
        if shared.halt.is_cancelled() {
            break;
        }
        let (shared, fetcher, control) = (shared.clone(), fetcher.clone(), control.clone());
        let fetch_config = pipeline.fetch.clone();
        sources.spawn(async move {
            let label = source.label();
            let links = Arc::new(AtomicU64::new(0));
            let cancel = shared.halt.child_token();
            let work = run_source(&shared, &fetcher, &source, &fetch_config, &cancel, &control.abandon, &links);
            let error = tokio::select! {
                outcome = tokio::time::timeout(deadline, work) => match outcome {
                    Ok(error) => error,
                    Err(_) => {
                        // Stops the blocking loops of directory and WARC sources too.
                        cancel.cancel();
                        let message = format!(
                            "{label} did not finish within its deadline of {}; the pages it did not reach wait for the next run",
                            format_duration(deadline)
                        );
                        shared.fail(Stage::Deadline, &source.location(), message.clone());
                        Some(message)
                    }
                },
                _ = control.abandon.cancelled() => {
                    cancel.cancel();
                    Some("abandoned: the run was stopped".to_string())
                }
            };
            (position, SourceReport { source: label, links: links.load(Ordering::Relaxed), error })
        });
    }
    let mut reports = Vec::new();
    while let Some(joined) = sources.join_next().await {
        match joined {
            Ok(report) => reports.push(report),
            Err(e) => tracing::error!("source task failed: {e}"),
        }
    }
    reports.sort_by_key(|(position, _)| *position);
    // Fetches abandoned mid-way may have left documents in extraction on blocking threads:
    // let them finish (each ends in one store transaction) so that what the caller commits
    // next includes them.
    let drain_started = Instant::now();
    while Arc::strong_count(&shared) > 1 && drain_started.elapsed() < PROCESSING_DRAIN_TIMEOUT {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    if let Some(fatal) = shared.take_fatal() {
        return Err(PipelineError::Store(fatal));
    }
    let mut stats = shared.take_stats();
    stats.sources = reports.into_iter().map(|(_, report)| report).collect();
    stats.interrupted = control.stop.is_cancelled();
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}

/// Discovers one source's links and ingests them; returns the source's error, if it failed.
async fn run_source(
    shared: &Arc<Shared>,
    fetcher: &Arc<Fetcher>,
    source: &Source,
    fetch_config: &crate::config::FetchConfig,
    cancel: &CancellationToken,
    abandon: &CancellationToken,
    links_found: &AtomicU64,
) -> Option<String> {
    let discovery = match source {
        Source::Dir { path } => return ingest_dir(shared, path, cancel).await,
        Source::Warc { path } => {
            let (cap, strip) = (fetch_config.max_body_bytes, &fetch_config.strip_query_params);
            return ingest_warc(shared, path, cap, strip, cancel).await;
        }
        Source::Page { url } => {
            Discovery { links: vec![DiscoveredLink { url: url.clone(), title: None, published: None }], error: None }
        }
        Source::Feed { url } => discover(shared, fetcher, url, SourceKind::Feed, 0, &mut Default::default()).await,
        Source::Sitemap { url } => {
            discover(shared, fetcher, url, SourceKind::Sitemap, 0, &mut Default::default()).await
        }
        Source::Site { url } => discover_site(shared, fetcher, url).await,
        Source::Listing { url, links, next, max_pages } => {
            discover_listing(shared, fetcher, url, links, next.as_ref(), *max_pages).await
        }
    };
    let fresh: Vec<DiscoveredLink> = discovery
        .links
        .into_iter()
        .filter_map(|mut link| {
            link.url = fetch::canonicalize(&link.url, &fetch_config.strip_query_params);
            shared.first_sight(link.url.as_str()).then_some(link)
        })
        .collect();
    links_found.store(fresh.len() as u64, Ordering::Relaxed);
    shared.progress.queued(fresh.len() as u64);
    let page_key = match source {
        Source::Page { .. } => fresh.first().map(|l| l.url.to_string()),
        _ => None,
    };
    let mut tasks = JoinSet::new();
    for link in fresh {
        // A finished task keeps its allocation (sized for the whole fetch-and-analyse future)
        // until it is joined: reap as we go, or a source of 100,000 links holds them all.
        while tasks.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = shared.fetch_slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = cancel.cancelled() => break,
        };
        let (shared, fetcher, abandon) = (shared.clone(), fetcher.clone(), abandon.clone());
        tasks.spawn(async move {
            let _permit = permit;
            tokio::select! {
                // A failure is recorded in the store and the counts; the run goes on.
                _ = ingest_link(&shared, &fetcher, link) => {}
                _ = abandon.cancelled() => {}
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    // A single-page source fails when its page does.
    discovery.error.or_else(|| page_key.and_then(|key| shared.error_for(&key)))
}
