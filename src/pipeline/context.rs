//! The state one run shares between its tasks: the store, the article builder, counts,
//! near-duplicate fingerprints, the URLs already queued, and the bound on fetches in flight.
//!
//! Discovery (`discover.rs`) and document work (`document.rs`) both use it; it uses neither.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{SecondsFormat, Utc};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::indexer::IndexerHandle;
use super::process::ArticleBuilder;
use super::stats::{Progress, RunStats};
use crate::extract::simhash;
use crate::fetch::{Expect, FetchError, FetchOutcome, Fetcher, Validators};
use crate::metrics::{self, GaugeGuard};
use crate::model::ArticleRecord;
use crate::store::{CacheValidators, DocumentStore, Fingerprint, PageState, StoreError};

pub use crate::store::SharedStore;

/// What runs share: the store, the indexer that follows it, and the slots for CPU work.
#[derive(Clone)]
pub struct RunEnv {
    pub store: SharedStore,
    pub indexer: IndexerHandle,
    /// Documents in extraction and analysis at once, across all runs of the process.
    pub processing: Arc<Semaphore>,
}

/// One document in extraction per core: more would only add memory (each holds a DOM and
/// its analysis) while the cores are busy anyway; fetched bodies wait for a slot.
pub(super) fn processing_slots() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// First wait before a failed URL is tried again; doubled per consecutive failure.
const FAILURE_BACKOFF_BASE_MINUTES: i64 = 10;
/// Longest wait: a failing URL is still tried once a day.
const FAILURE_BACKOFF_MAX_MINUTES: i64 = 24 * 60;

/// Where in the pipeline something failed (the `stage` label of `quotewire_errors_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    Fetch,
    Discovery,
    Extract,
    Store,
    Deadline,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Fetch => "fetch",
            Stage::Discovery => "discovery",
            Stage::Extract => "extract",
            Stage::Store => "store",
            Stage::Deadline => "deadline",
        }
    }
}

pub(super) struct Shared {
    store: SharedStore,
    pub(super) builder: ArticleBuilder,
    stats: Mutex<RunStats>,
    pub(super) indexer: IndexerHandle,
    pub(super) progress: Arc<dyn Progress>,
    pub(super) refetch: bool,
    /// Whether a URL that failed waits in the store until it is due again (a run), or is
    /// fetched whenever asked for (a queue's worker: the queue decides when to retry).
    pub(super) defer_failed: bool,
    /// Fingerprints of stored articles, oldest first, for near-duplicate clusters.
    fingerprints: Mutex<Vec<Fingerprint>>,
    /// URLs queued in this run (canonical), so two sources naming one page fetch it once.
    seen: Mutex<HashSet<String>>,
    /// Fetches in flight across all sources of the run.
    pub(super) fetch_slots: Arc<Semaphore>,
    /// Slots for CPU work (see [`RunEnv::processing`]).
    pub(super) processing: Arc<Semaphore>,
    pub(super) pipeline: String,
    /// Cancelled when the run must stop taking work: stopped from outside, or the store
    /// cannot be written (a full disk, a read-only file).
    pub(super) halt: CancellationToken,
    /// The store error that halted the run.
    fatal: Mutex<Option<StoreError>>,
}

impl Shared {
    pub(super) fn new(
        env: &RunEnv,
        builder: ArticleBuilder,
        progress: Arc<dyn Progress>,
        refetch: bool,
        in_flight: usize,
        pipeline: &str,
        halt: CancellationToken,
    ) -> Result<Shared, StoreError> {
        let fingerprints = env.store.lock().unwrap_or_else(|p| p.into_inner()).fingerprints()?;
        Ok(Shared {
            store: env.store.clone(),
            builder,
            stats: Mutex::new(RunStats::default()),
            indexer: env.indexer.clone(),
            progress,
            refetch,
            defer_failed: true,
            fingerprints: Mutex::new(fingerprints),
            seen: Mutex::new(HashSet::new()),
            fetch_slots: Arc::new(Semaphore::new(in_flight.max(1))),
            processing: env.processing.clone(),
            pipeline: pipeline.to_string(),
            halt,
            fatal: Mutex::new(None),
        })
    }

    /// For a queue's worker: failed URLs are fetched when their job comes back.
    pub(super) fn retried_by_queue(mut self) -> Shared {
        self.defer_failed = false;
        self
    }

    /// A store write failed. An error of the environment (full disk, read-only file) halts
    /// the run, since every further write would fail the same way; any other error fails
    /// this document only.
    pub(super) fn store_failed(&self, url: &str, error: StoreError) {
        if !error.is_environment() {
            self.fail(Stage::Store, url, error.to_string());
            return;
        }
        metrics::ERRORS.inc(&[Stage::Store.as_str()]);
        let mut fatal = self.fatal.lock().unwrap_or_else(|p| p.into_inner());
        if fatal.is_none() {
            tracing::error!(pipeline = %self.pipeline, %url, "stopping the run: {error}");
            *fatal = Some(error);
            self.halt.cancel();
        }
    }

    /// Whether a store error halted the run (and `take_fatal` has not taken it yet).
    pub(super) fn halted_by_store(&self) -> bool {
        self.fatal.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// The store error that halted the run, if one did.
    pub(super) fn take_fatal(&self) -> Option<StoreError> {
        self.fatal.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    pub(super) fn stats(&self, update: impl FnOnce(&mut RunStats)) {
        update(&mut self.stats.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// The counts so far (blocking work abandoned at a deadline may still add to the
    /// emptied counts; it no longer matters).
    pub(super) fn take_stats(&self) -> RunStats {
        std::mem::take(&mut *self.stats.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The error recorded for `url` in this run, if any.
    pub(super) fn error_for(&self, url: &str) -> Option<String> {
        let stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        stats.errors.iter().find(|(u, _)| u == url).map(|(_, e)| e.clone())
    }

    /// Whether `url` is new to this run (and marks it seen).
    pub(super) fn first_sight(&self, url: &str) -> bool {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).insert(url.to_string())
    }

    /// Records a failed document: one log line, the failure and its back-off in the store,
    /// the counts and the error metric.
    pub(super) fn fail(&self, stage: Stage, url: &str, error: String) {
        tracing::warn!(pipeline = %self.pipeline, %url, stage = stage.as_str(), "failed: {error}");
        metrics::ERRORS.inc(&[stage.as_str()]);
        if stage != Stage::Deadline
            && !self.halt.is_cancelled()
            && let Err(e) = self.store(|store| record_failure(store, url, &error))
        {
            tracing::warn!(pipeline = %self.pipeline, %url, "cannot record the failure: {e}");
        }
        self.stats(|s| {
            s.failed += 1;
            s.errors.push((url.to_string(), error));
        });
    }

    /// The near-duplicate cluster of `article`: the cluster of the first stored article
    /// within `NEAR_DUPLICATE_BITS`, or its own id. Records the article's fingerprint.
    pub(super) fn cluster_of(&self, article: &ArticleRecord) -> String {
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
        f(&mut *guard)
    }
}

/// Records a failure and when the URL is due again (exponential in consecutive failures).
fn record_failure(store: &mut dyn DocumentStore, url: &str, error: &str) -> Result<(), StoreError> {
    let failures = store.page_state(url)?.map_or(0, |s| s.failures);
    let minutes = (FAILURE_BACKOFF_BASE_MINUTES << failures.min(16)).min(FAILURE_BACKOFF_MAX_MINUTES);
    let due = (Utc::now() + chrono::Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true);
    store.record_failure(url, error, &now(), &due)
}

/// Now, as stored (RFC 3339, seconds, UTC).
pub(super) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Fetches through `fetcher`, counting the outcome and the time it took.
pub(super) async fn fetch_counted(
    fetcher: &Fetcher,
    url: &Url,
    validators: &Validators,
    expect: Expect,
) -> Result<FetchOutcome, FetchError> {
    let _in_flight = GaugeGuard::hold(&metrics::FETCHES_IN_FLIGHT);
    let started = Instant::now();
    let result = fetcher.fetch(url, validators, expect).await;
    let outcome = match &result {
        Ok(FetchOutcome::Fetched(_)) => "fetched",
        Ok(FetchOutcome::NotModified) => "not_modified",
        Err(FetchError::Disallowed { .. }) => "disallowed",
        Err(_) => "failed",
    };
    metrics::FETCHES.inc(&[outcome]);
    if outcome != "disallowed" {
        metrics::FETCH_SECONDS.observe(started.elapsed().as_secs_f64());
    }
    result
}

/// The store's validators as the fetcher sends them.
pub(super) fn to_fetch(validators: &CacheValidators) -> Validators {
    Validators { etag: validators.etag.clone(), last_modified: validators.last_modified.clone() }
}

/// The fetcher's validators as the store keeps them.
pub(super) fn to_store(validators: &Validators) -> CacheValidators {
    CacheValidators { etag: validators.etag.clone(), last_modified: validators.last_modified.clone() }
}
