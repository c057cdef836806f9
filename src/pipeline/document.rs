//! Document work: fetching one article URL (conditionally when known, not before a failed
//! URL is due again), and turning a body into stored records on a blocking thread: the raw
//! page and its article in one transaction, then a nudge to the indexer. Local directories
//! and WARC archives feed the same path without fetching.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::context::{Shared, Stage, fetch_counted, now, to_fetch, to_store};
use super::process::{BuildOutcome, content_hash};
use crate::fetch::{
    self, DiscoveredLink, Expect, FetchError, FetchOutcome, Fetcher, Validators, list_html_files, read_html_file,
    read_warc,
};
use crate::metrics::{self, GaugeGuard};
use crate::store::{PageState, RawPage};

/// Fetches one article URL (conditionally when it is known) and processes the body. The
/// fetch's error, when it failed, is returned after it was recorded (a queue worker decides
/// from it when to retry); every other outcome is recorded in the store and the counts.
pub(super) async fn ingest_link(
    shared: &Arc<Shared>,
    fetcher: &Fetcher,
    link: DiscoveredLink,
) -> Result<(), FetchError> {
    ingest_link_then(shared, fetcher, link, || {}).await
}

/// [`ingest_link`], calling `fetched` as soon as a body was downloaded, before it is
/// processed (a queue worker lets go of the page's host then).
pub(super) async fn ingest_link_then(
    shared: &Arc<Shared>,
    fetcher: &Fetcher,
    link: DiscoveredLink,
    fetched: impl FnOnce(),
) -> Result<(), FetchError> {
    let key = link.url.to_string();
    let state = match shared.store(|s| s.page_state(&key)) {
        Ok(state) => state,
        Err(e) => {
            shared.store_failed(&key, e);
            return Ok(());
        }
    };
    // A URL that failed recently waits for its turn (`--refetch` overrides; a queue's
    // worker is told when by the queue).
    let due = state.as_ref().and_then(|s| s.next_due.clone());
    if !shared.refetch
        && shared.defer_failed
        && let Some(due) = due.filter(|due| due.as_str() > now().as_str())
    {
        metrics::FETCHES.inc(&["deferred"]);
        shared.stats(|s| s.defer(&due));
        shared.progress.finished(&key);
        return Ok(());
    }
    let known = state.as_ref().is_some_and(|s| s.article_id.is_some());
    let validators = state.as_ref().map(|s| to_fetch(&s.validators)).unwrap_or_default();
    if known && validators.is_empty() && !shared.refetch {
        // Without validators a revisit costs a full download; articles rarely change.
        shared.stats(|s| s.unchanged += 1);
        shared.progress.finished(&key);
        return Ok(());
    }
    let mut failure = None;
    match fetch_counted(fetcher, &link.url, &validators, Expect::Html).await {
        Ok(FetchOutcome::NotModified) => {
            shared.stats(|s| s.unchanged += 1);
            if let Err(e) = shared.store(|s| s.touch_page(&key, &now())) {
                shared.store_failed(&key, e);
            }
        }
        Ok(FetchOutcome::Fetched(page)) => {
            fetched();
            shared.stats(|s| s.fetched += 1);
            let previous_hash = state.and_then(PageState::article_hash);
            let queued = GaugeGuard::hold(&metrics::PROCESSING_QUEUE);
            let Ok(slot) = shared.processing.clone().acquire_owned().await else { return Ok(()) };
            let task = shared.clone();
            let key = key.clone();
            let work = move || {
                let (_queued, _slot) = (queued, slot);
                let body = Body {
                    final_url: &page.final_url,
                    bytes: &page.body,
                    content_type: page.content_type.as_deref(),
                    validators: &page.validators,
                    feed_date: link.published,
                };
                process(&task, &key, &body, previous_hash);
            };
            if let Err(e) = tokio::task::spawn_blocking(work).await {
                tracing::error!("processing task failed: {e}");
            }
        }
        Err(FetchError::Disallowed { url }) => {
            tracing::info!(%url, "disallowed by robots.txt");
            shared.stats(|s| s.disallowed += 1);
        }
        Err(e) => {
            shared.fail(Stage::Fetch, &key, e.to_string());
            failure = Some(e);
        }
    }
    shared.progress.finished(&key);
    failure.map_or(Ok(()), Err)
}

/// A body to process and what came with it.
pub(super) struct Body<'a> {
    pub final_url: &'a Url,
    pub bytes: &'a [u8],
    pub content_type: Option<&'a str>,
    pub validators: &'a Validators,
    pub feed_date: Option<DateTime<Utc>>,
}

/// Extracts, analyses and stores one body; wakes the indexer. Runs on a blocking thread.
pub(super) fn process(shared: &Shared, key: &str, body: &Body<'_>, previous_hash: Option<String>) {
    let hash = content_hash(body.bytes);
    let fetched_at = now();
    if previous_hash.as_deref() == Some(hash.as_str()) {
        shared.stats(|s| s.unchanged += 1);
        if let Err(e) = shared.store(|s| s.touch_page(key, &fetched_at)) {
            shared.store_failed(key, e);
        }
        return;
    }
    let validators = to_store(body.validators);
    let page = RawPage {
        url: key,
        final_url: body.final_url.as_str(),
        content_type: body.content_type,
        body: body.bytes,
        validators: &validators,
        content_hash: &hash,
        fetched_at: &fetched_at,
    };
    let url = Url::parse(key).unwrap_or_else(|_| body.final_url.clone());
    // Extract first, then store the page and its article in one transaction: a crash
    // in between can never leave validators that would hide a missing article.
    match shared.builder.build(&url, body.bytes, body.content_type, &fetched_at, body.feed_date) {
        Ok(BuildOutcome::Article(mut article)) => {
            article.cluster = Some(shared.cluster_of(&article));
            if let Err(e) = shared.store(|s| s.put_document(&page, Some(&article))) {
                shared.store_failed(key, e);
                return;
            }
            metrics::PAGES.inc(&[article.kind.as_str()]);
            for quote in &article.quotes {
                metrics::QUOTES.inc(&[quote.stance.as_str()]);
            }
            let quotes = article.quotes.len() as u64;
            shared.stats(|s| {
                s.articles += 1;
                s.quotes += quotes;
            });
            shared.indexer.wake();
        }
        Ok(BuildOutcome::NotArticle(record)) => match shared.store(|s| s.put_non_article(&page, &record)) {
            Ok(()) => {
                metrics::PAGES.inc(&["not-article"]);
                shared.stats(|s| s.not_articles += 1);
            }
            Err(e) => shared.store_failed(key, e),
        },
        Err(e) => {
            // Keep the body for a later re-extraction; the failure is recorded after it.
            if let Err(store_error) = shared.store(|s| s.put_document(&page, None)) {
                tracing::warn!(%key, "cannot store page: {store_error}");
            }
            shared.fail(Stage::Extract, key, format!("{key}: {e}"));
        }
    }
}

/// Ingests local HTML files; unchanged files (same hash) are skipped.
pub(super) async fn ingest_dir(shared: &Arc<Shared>, path: &Path, cancel: &CancellationToken) -> Option<String> {
    let files = match list_html_files(path) {
        Ok(files) => files,
        Err(e) => {
            let message = e.to_string();
            shared.fail(Stage::Discovery, &path.display().to_string(), message.clone());
            return Some(message);
        }
    };
    shared.progress.queued(files.len() as u64);
    for file in files {
        if cancel.is_cancelled() {
            break;
        }
        let Ok(slot) = shared.processing.clone().acquire_owned().await else { break };
        let shared = shared.clone();
        let work = move || {
            let _slot = slot;
            let absolute = std::fs::canonicalize(&file).unwrap_or(file.clone());
            let Ok(url) = Url::from_file_path(&absolute) else {
                shared.fail(Stage::Discovery, &file.display().to_string(), "path cannot be made a file URL".into());
                return;
            };
            let key = url.to_string();
            match read_html_file(&file) {
                Ok(bytes) => {
                    let previous_hash = shared.article_hash(&key);
                    let validators = Validators::default();
                    let body = Body {
                        final_url: &url,
                        bytes: &bytes,
                        content_type: None,
                        validators: &validators,
                        feed_date: None,
                    };
                    process(&shared, &key, &body, previous_hash);
                }
                Err(e) => shared.fail(Stage::Fetch, &key, e.to_string()),
            }
            shared.progress.finished(&key);
        };
        if let Err(e) = tokio::task::spawn_blocking(work).await {
            tracing::error!("processing task failed: {e}");
        }
    }
    None
}

/// Ingests the HTML responses of a WARC archive, on a blocking thread.
pub(super) async fn ingest_warc(
    shared: &Arc<Shared>,
    path: &Path,
    max_body_bytes: usize,
    strip_query_params: &[String],
    cancel: &CancellationToken,
) -> Option<String> {
    let (shared, path, strip, cancel) =
        (shared.clone(), path.to_path_buf(), strip_query_params.to_vec(), cancel.clone());
    let work = move || {
        let mut seen = HashSet::new();
        let result = read_warc(&path, max_body_bytes, |response| {
            if cancel.is_cancelled() {
                return;
            }
            let html =
                response.content_type.as_deref().is_none_or(|ct| ct.contains("html") || ct.starts_with("text/plain"));
            if !html {
                return;
            }
            let url = fetch::canonicalize(&response.url, &strip);
            let key = url.to_string();
            if !seen.insert(key.clone()) {
                return;
            }
            shared.progress.queued(1);
            let previous_hash = shared.article_hash(&key);
            shared.stats(|s| s.fetched += 1);
            let validators = Validators::default();
            let body = Body {
                final_url: &response.url,
                bytes: &response.body,
                content_type: response.content_type.as_deref(),
                validators: &validators,
                feed_date: None,
            };
            process(&shared, &key, &body, previous_hash);
            shared.progress.finished(&key);
        });
        match result {
            Ok(summary) => {
                if summary.skipped > 0 {
                    tracing::warn!("{}: skipped {} unusable record(s)", path.display(), summary.skipped);
                }
                None
            }
            Err(e) => {
                let message = e.to_string();
                shared.fail(Stage::Discovery, &path.display().to_string(), message.clone());
                Some(message)
            }
        }
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(error) => error,
        Err(e) => Some(format!("WARC task failed: {e}")),
    }
}
