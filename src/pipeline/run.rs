//! One ingestion run: discovery, concurrent fetching, blocking processing, one index writer.

use std::collections::HashSet;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, SecondsFormat, Utc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::PipelineError;
use super::process::{ArticleBuilder, BuildOutcome, content_hash};
use super::sources;
use crate::config::{Pipeline, Source};
use crate::extract::simhash;
use crate::fetch::{
    self, DiscoveredLink, Expect, FetchError, FetchOutcome, Fetcher, Sitemap, Validators, list_html_files,
    read_html_file,
};
use crate::index::IndexSink;
use crate::model::ArticleRecord;
use crate::nlp::Analyzer;
use crate::store::{DocumentStore, Fingerprint, PageState, RawPage};

/// Articles waiting for the index writer; when full, processing blocks (back-pressure).
const INDEX_CHANNEL_CAPACITY: usize = 256;
/// Sitemap indexes nest; deeper nesting than this is almost certainly a loop or a trap.
const MAX_SITEMAP_DEPTH: usize = 3;

/// Counts reported at the end of a run.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RunStats {
    /// Bodies downloaded (feeds and sitemaps included).
    pub fetched: u64,
    /// Pages not downloaded again or unchanged since the last run.
    pub unchanged: u64,
    /// Documents that failed (fetch, extraction, store); each is also in `errors`.
    pub failed: u64,
    /// URLs refused by robots.txt.
    pub disallowed: u64,
    /// URLs skipped because they failed recently and are not due again yet.
    pub deferred: u64,
    /// Pages that were not articles (listings, section fronts).
    pub not_articles: u64,
    /// Articles stored or updated in this run.
    pub articles: u64,
    /// Quotes in those articles.
    pub quotes: u64,
    pub seconds: f64,
    /// `(url, error)` of every failure.
    #[serde(skip)]
    pub errors: Vec<(String, String)>,
}

impl RunStats {
    /// The one-line summary of PRODUCT.md.
    pub fn summary(&self) -> String {
        format!(
            "fetched {}, unchanged {}, failed {}, deferred {}, disallowed {}, not articles {}, articles {}, quotes {}, {:.1} s",
            self.fetched,
            self.unchanged,
            self.failed,
            self.deferred,
            self.disallowed,
            self.not_articles,
            self.articles,
            self.quotes,
            self.seconds
        )
    }
}

/// Receives progress events (the CLI draws a bar; tests stay silent).
pub trait Progress: Send + Sync {
    /// `n` more documents are queued.
    fn queued(&self, n: u64);
    /// One document is finished.
    fn finished(&self, url: &str);
    /// A line worth showing (failures, source errors).
    fn note(&self, line: &str);
}

/// Progress that reports nothing.
pub struct SilentProgress;

impl Progress for SilentProgress {
    fn queued(&self, _: u64) {}
    fn finished(&self, _: &str) {}
    fn note(&self, _: &str) {}
}

pub(super) struct Shared {
    store: Mutex<Box<dyn DocumentStore>>,
    builder: ArticleBuilder,
    stats: Mutex<RunStats>,
    index_tx: SyncSender<ArticleRecord>,
    pub(super) progress: Arc<dyn Progress>,
    refetch: bool,
    /// Fingerprints of stored articles, oldest first, for near-duplicate clusters.
    fingerprints: Mutex<Vec<Fingerprint>>,
}

impl Shared {
    pub(super) fn stats(&self, update: impl FnOnce(&mut RunStats)) {
        update(&mut self.stats.lock().unwrap_or_else(|p| p.into_inner()));
    }

    pub(super) fn fail(&self, url: &str, error: String) {
        self.progress.note(&format!("failed: {error}"));
        tracing::warn!(%url, "{error}");
        if let Ok(mut store) = self.store.lock()
            && let Err(e) = record_failure(store.as_mut(), url, &error)
        {
            tracing::warn!(%url, "cannot record failure: {e}");
        }
        self.stats(|s| {
            s.failed += 1;
            s.errors.push((url.to_string(), error));
        });
    }

    /// The near-duplicate cluster of `article`: the cluster of the first stored article
    /// within `NEAR_DUPLICATE_BITS`, or its own id. Records the article's fingerprint.
    fn cluster_of(&self, article: &ArticleRecord) -> String {
        let Some(hash) = article.simhash.as_deref().and_then(|h| u64::from_str_radix(h, 16).ok()) else {
            return article.id.clone();
        };
        let mut prints = self.fingerprints.lock().unwrap_or_else(|p| p.into_inner());
        let cluster = prints
            .iter()
            .find(|f| f.id != article.id && simhash::hamming(f.simhash, hash) <= simhash::NEAR_DUPLICATE_BITS)
            .map_or_else(|| article.id.clone(), |f| f.cluster.clone());
        match prints.iter_mut().find(|f| f.id == article.id) {
            Some(known) => {
                known.simhash = hash;
                known.cluster = cluster.clone();
            }
            None => prints.push(Fingerprint { id: article.id.clone(), simhash: hash, cluster: cluster.clone() }),
        }
        cluster
    }

    /// The stored article's body hash for `key` (see [`PageState::article_hash`]).
    pub(super) fn article_hash(&self, key: &str) -> Option<String> {
        self.store(|s| s.page_state(key)).ok().flatten().and_then(PageState::article_hash)
    }

    pub(super) fn store<T>(&self, f: impl FnOnce(&mut dyn DocumentStore) -> T) -> T {
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        f(guard.as_mut())
    }
}

/// First wait before a failed URL is tried again; doubled per consecutive failure.
const FAILURE_BACKOFF_BASE_MINUTES: i64 = 10;
/// Longest wait: a failing URL is still tried once a day.
const FAILURE_BACKOFF_MAX_MINUTES: i64 = 24 * 60;

/// Records a failure and when the URL is due again (exponential in consecutive failures).
fn record_failure(store: &mut dyn DocumentStore, url: &str, error: &str) -> Result<(), crate::store::StoreError> {
    let failures = store.page_state(url)?.map_or(0, |s| s.failures);
    let minutes = (FAILURE_BACKOFF_BASE_MINUTES << failures.min(16)).min(FAILURE_BACKOFF_MAX_MINUTES);
    let due = (Utc::now() + chrono::Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true);
    store.record_failure(url, error, &now(), &due)
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Runs `pipeline` once: everything new is stored and indexed, then committed.
pub async fn run(
    pipeline: &Pipeline,
    store: Box<dyn DocumentStore>,
    sink: Box<dyn IndexSink>,
    analyzer: Analyzer,
    progress: Arc<dyn Progress>,
    cancel: CancellationToken,
    refetch: bool,
) -> Result<RunStats, PipelineError> {
    let started = Instant::now();
    let fetcher = Fetcher::new(&pipeline.fetch)?;
    let (index_tx, index_rx) = sync_channel(INDEX_CHANNEL_CAPACITY);
    let writer = std::thread::Builder::new()
        .name("quotewire-index-writer".into())
        .spawn(move || write_index(sink, index_rx))
        .map_err(|e| PipelineError::Writer(e.to_string()))?;
    let fingerprints = store.fingerprints()?;
    let shared = Arc::new(Shared {
        store: Mutex::new(store),
        builder: ArticleBuilder::new(analyzer, pipeline.fetch.strip_query_params.clone()),
        stats: Mutex::new(RunStats::default()),
        index_tx,
        progress,
        refetch,
        fingerprints: Mutex::new(fingerprints),
    });

    // Articles stored by an earlier run that never reached a commit (crash, kill -9).
    let pending = shared.store(|s| s.pending_index())?;
    if !pending.is_empty() {
        tracing::info!("re-indexing {} article(s) an earlier run stored but did not commit", pending.len());
    }
    for article in pending {
        if shared.index_tx.send(article).is_err() {
            break;
        }
    }

    let mut seen = HashSet::new();
    let mut tasks = JoinSet::new();
    let in_flight_limit = pipeline.fetch.concurrency.max(1) * 2;
    for source in &pipeline.sources {
        if cancel.is_cancelled() {
            break;
        }
        let links = match source {
            Source::Dir { path } => {
                ingest_dir(&shared, path, &cancel).await;
                continue;
            }
            Source::Page { url } => vec![DiscoveredLink { url: url.clone(), title: None, published: None }],
            Source::Feed { url } => discover(&shared, &fetcher, url, SourceKind::Feed, 0).await,
            Source::Sitemap { url } => discover(&shared, &fetcher, url, SourceKind::Sitemap, 0).await,
            Source::Site { url } => sources::discover_site(&shared, &fetcher, url).await,
            Source::Listing { url, links, next, max_pages } => {
                sources::discover_listing(&shared, &fetcher, url, links, next.as_deref(), *max_pages).await
            }
            Source::Warc { path } => {
                let fetch = &pipeline.fetch;
                sources::ingest_warc(&shared, path, fetch.max_body_bytes, &fetch.strip_query_params, &cancel).await;
                continue;
            }
        };
        let fresh: Vec<DiscoveredLink> = links
            .into_iter()
            .filter_map(|mut link| {
                link.url = fetch::canonicalize(&link.url, &pipeline.fetch.strip_query_params);
                seen.insert(link.url.to_string()).then_some(link)
            })
            .collect();
        shared.progress.queued(fresh.len() as u64);
        for link in fresh {
            while tasks.len() >= in_flight_limit {
                tasks.join_next().await;
            }
            if cancel.is_cancelled() {
                break;
            }
            let (shared, fetcher) = (shared.clone(), fetcher.clone());
            tasks.spawn(async move { ingest_link(&shared, &fetcher, link).await });
        }
    }
    while tasks.join_next().await.is_some() {}

    let Ok(shared) = Arc::try_unwrap(shared) else {
        return Err(PipelineError::Writer("tasks still hold the run state".into()));
    };
    drop(shared.index_tx);
    let committed = writer.join().map_err(|_| PipelineError::Writer("index writer panicked".into()))??;
    let mut store = shared.store.into_inner().unwrap_or_else(|p| p.into_inner());
    store.mark_indexed(&committed)?;
    let mut stats = shared.stats.into_inner().unwrap_or_else(|p| p.into_inner());
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}

/// The one index writer: adds what it receives, commits once the channel closes, and
/// returns the ids it committed.
fn write_index(mut sink: Box<dyn IndexSink>, rx: Receiver<ArticleRecord>) -> Result<Vec<String>, PipelineError> {
    let mut ids = Vec::new();
    for article in rx {
        sink.upsert_article(&article)?;
        ids.push(article.id);
    }
    sink.commit()?;
    Ok(ids)
}

#[derive(Clone, Copy)]
pub(super) enum SourceKind {
    Feed,
    Sitemap,
}

/// Fetches a feed or sitemap (conditionally; the stored copy is re-read on 304 so an
/// interrupted run still reaches every item) and returns its links.
pub(super) async fn discover(
    shared: &Arc<Shared>,
    fetcher: &Fetcher,
    url: &Url,
    kind: SourceKind,
    depth: usize,
) -> Vec<DiscoveredLink> {
    let key = url.as_str();
    let previous = shared.store(|s| s.page_state(key)).ok().flatten();
    let validators = previous.map(|p| p.validators).unwrap_or_default();
    let body = match fetcher.fetch(url, &validators, Expect::Feed).await {
        Ok(FetchOutcome::Fetched(page)) => {
            shared.stats(|s| s.fetched += 1);
            let stored = shared.store(|s| {
                s.put_page(&RawPage {
                    url: key,
                    final_url: page.final_url.as_str(),
                    content_type: page.content_type.as_deref(),
                    body: &page.body,
                    validators: &page.validators,
                    content_hash: &content_hash(&page.body),
                    fetched_at: &now(),
                })
            });
            if let Err(e) = stored {
                shared.fail(key, e.to_string());
            }
            page.body
        }
        Ok(FetchOutcome::NotModified) => {
            shared.stats(|s| s.unchanged += 1);
            match shared.store(|s| s.raw_page(key)) {
                Ok(Some(stored)) => stored.body,
                _ => Vec::new(),
            }
        }
        Err(FetchError::Disallowed { .. }) => {
            shared.stats(|s| s.disallowed += 1);
            return Vec::new();
        }
        Err(e) => {
            shared.fail(key, e.to_string());
            return Vec::new();
        }
    };
    let parsed = match kind {
        SourceKind::Feed => fetch::parse_feed(&body, url).map(Sitemap::Urls),
        SourceKind::Sitemap => fetch::parse_sitemap(&body, url),
    };
    match parsed {
        Ok(Sitemap::Urls(links)) => links,
        Ok(Sitemap::Index(children)) if depth < MAX_SITEMAP_DEPTH => {
            let mut links = Vec::new();
            for child in children {
                links.extend(Box::pin(discover(shared, fetcher, &child, SourceKind::Sitemap, depth + 1)).await);
            }
            links
        }
        Ok(Sitemap::Index(_)) => {
            shared.fail(key, format!("{url}: sitemap indexes nest deeper than {MAX_SITEMAP_DEPTH} levels"));
            Vec::new()
        }
        Err(e) => {
            shared.fail(key, e.to_string());
            Vec::new()
        }
    }
}

/// Fetches one article URL (conditionally when it is known) and processes the body.
async fn ingest_link(shared: &Arc<Shared>, fetcher: &Fetcher, link: DiscoveredLink) {
    let key = link.url.to_string();
    let state = match shared.store(|s| s.page_state(&key)) {
        Ok(state) => state,
        Err(e) => {
            shared.fail(&key, e.to_string());
            return;
        }
    };
    // A URL that failed recently waits for its turn (`--refetch` overrides).
    let due = state.as_ref().and_then(|s| s.next_due.clone());
    if !shared.refetch && due.as_deref().is_some_and(|due| due > now().as_str()) {
        shared.stats(|s| s.deferred += 1);
        shared.progress.finished(&key);
        return;
    }
    let known = state.as_ref().is_some_and(|s| s.article_id.is_some());
    let validators = state.as_ref().map(|s| s.validators.clone()).unwrap_or_default();
    if known && validators.is_empty() && !shared.refetch {
        // Without validators a revisit costs a full download; articles rarely change.
        shared.stats(|s| s.unchanged += 1);
        shared.progress.finished(&key);
        return;
    }
    match fetcher.fetch(&link.url, &validators, Expect::Html).await {
        Ok(FetchOutcome::NotModified) => {
            shared.stats(|s| s.unchanged += 1);
            if let Err(e) = shared.store(|s| s.touch_page(&key, &now())) {
                shared.fail(&key, e.to_string());
            }
        }
        Ok(FetchOutcome::Fetched(page)) => {
            shared.stats(|s| s.fetched += 1);
            let shared = shared.clone();
            let previous_hash = state.and_then(PageState::article_hash);
            let work = move || {
                process(
                    &shared,
                    &key,
                    &page.final_url,
                    &page.body,
                    page.content_type.as_deref(),
                    &page.validators,
                    link.published,
                    previous_hash,
                )
            };
            if let Err(e) = tokio::task::spawn_blocking(work).await {
                tracing::error!("processing task failed: {e}");
            }
        }
        Err(FetchError::Disallowed { url }) => {
            tracing::info!(%url, "disallowed by robots.txt");
            shared.stats(|s| s.disallowed += 1);
        }
        Err(e) => shared.fail(&key, e.to_string()),
    }
    shared.progress.finished(link.url.as_str());
}

/// Stores, extracts, analyses and queues one body for indexing. Runs on a blocking thread.
#[allow(clippy::too_many_arguments)]
pub(super) fn process(
    shared: &Shared,
    key: &str,
    final_url: &Url,
    body: &[u8],
    content_type: Option<&str>,
    validators: &Validators,
    feed_date: Option<DateTime<Utc>>,
    previous_hash: Option<String>,
) {
    let hash = content_hash(body);
    let fetched_at = now();
    if previous_hash.as_deref() == Some(hash.as_str()) {
        shared.stats(|s| s.unchanged += 1);
        if let Err(e) = shared.store(|s| s.touch_page(key, &fetched_at)) {
            shared.fail(key, e.to_string());
        }
        return;
    }
    let page = RawPage {
        url: key,
        final_url: final_url.as_str(),
        content_type,
        body,
        validators,
        content_hash: &hash,
        fetched_at: &fetched_at,
    };
    let url = Url::parse(key).unwrap_or_else(|_| final_url.clone());
    // Extract first, then store the page and its article in one transaction: a crash
    // in between can never leave validators that would hide a missing article.
    match shared.builder.build(&url, body, content_type, &fetched_at, feed_date) {
        Ok(BuildOutcome::Article(mut article)) => {
            article.cluster = Some(shared.cluster_of(&article));
            let quotes = article.quotes.len() as u64;
            if let Err(e) = shared.store(|s| s.put_document(&page, Some(&article))) {
                shared.fail(key, e.to_string());
                return;
            }
            shared.stats(|s| {
                s.articles += 1;
                s.quotes += quotes;
            });
            // Blocks while the writer is behind; fails only if the writer died, which
            // `run` reports when it joins the writer. The article stays marked pending.
            let _ = shared.index_tx.send(*article);
        }
        Ok(BuildOutcome::NotArticle(record)) => match shared.store(|s| s.put_non_article(&page, &record)) {
            Ok(()) => shared.stats(|s| s.not_articles += 1),
            Err(e) => shared.fail(key, e.to_string()),
        },
        Err(e) => {
            // Keep the body for a later re-extraction; the failure is recorded after it.
            if let Err(store_error) = shared.store(|s| s.put_document(&page, None)) {
                tracing::warn!(%key, "cannot store page: {store_error}");
            }
            shared.fail(key, format!("{key}: {e}"));
        }
    }
}

/// Ingests local HTML files; unchanged files (same hash) are skipped.
async fn ingest_dir(shared: &Arc<Shared>, path: &std::path::Path, cancel: &CancellationToken) {
    let files = match list_html_files(path) {
        Ok(files) => files,
        Err(e) => {
            shared.fail(&path.display().to_string(), e.to_string());
            return;
        }
    };
    shared.progress.queued(files.len() as u64);
    for file in files {
        if cancel.is_cancelled() {
            return;
        }
        let shared = shared.clone();
        let work = move || {
            let absolute = std::fs::canonicalize(&file).unwrap_or(file.clone());
            let Ok(url) = Url::from_file_path(&absolute) else {
                shared.fail(&file.display().to_string(), "path cannot be made a file URL".into());
                return;
            };
            let key = url.to_string();
            match read_html_file(&file) {
                Ok(body) => {
                    let previous_hash = shared.article_hash(&key);
                    process(&shared, &key, &url, &body, None, &Validators::default(), None, previous_hash);
                }
                Err(e) => shared.fail(&key, e.to_string()),
            }
            shared.progress.finished(&key);
        };
        if let Err(e) = tokio::task::spawn_blocking(work).await {
            tracing::error!("processing task failed: {e}");
        }
    }
}
