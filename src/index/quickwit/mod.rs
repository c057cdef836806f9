//! Quickwit as the search engine: an [`IndexSink`](super::IndexSink) that sends the same
//! documents the embedded index holds to Quickwit's ingest API, and the index config
//! Quickwit needs for them.
//!
//! Owns the generated index config (`mapping.rs`, from the embedded schema's field table),
//! the HTTP client for Quickwit's REST API (`client.rs`: ingest with bounded, jittered
//! retries on back-pressure) and the sink (`sink.rs`: NDJSON batches of at most
//! [`MAX_INGEST_BYTES`], a checkpoint of what Quickwit acknowledged) and searching
//! (`search.rs`: our query language translated, versions collapsed). Quickwit is
//! append-only: every indexed article version adds documents carrying the article's store
//! sequence and content hash, and readers keep the newest version of each article. This is
//! the one place outside `fetch` that opens network connections, and only to the Quickwit
//! URL a user configured. It never reads the store; the indexer feeds it.

mod client;
mod mapping;
mod search;
mod sink;

use std::path::PathBuf;
use std::time::Duration;

pub use client::{IngestAck, QuickwitClient};
pub use mapping::{
    CONFIG_VERSION, DEFAULT_SEARCH_FIELDS, STORE_SEQ_FIELD, TIMESTAMP_FIELD, VERSION_FIELD, VERSION_FIELDS,
    field_mappings, index_config, quickwit_tokenizer,
};
pub use search::QuickwitSearch;
pub use sink::{Checkpoint, QuickwitSink, SinkStats, SkippedDocument};

/// Largest ingest request body: Quickwit refuses larger payloads (413) and documents this
/// limit as 10 MB; 10,000,000 bytes is under it however a megabyte is counted.
pub const MAX_INGEST_BYTES: usize = 10_000_000;
/// Longest Quickwit index id (Quickwit's own rule: a letter, then letters, digits, `-`,
/// `_` or `.`, 3 to 255 characters).
const MAX_INDEX_ID_CHARS: usize = 255;

/// Errors talking to Quickwit.
#[derive(Debug, thiserror::Error)]
pub enum QuickwitError {
    #[error("bad Quickwit URL `{url}`: {message}")]
    Url { url: String, message: String },
    #[error(
        "bad Quickwit index id `{0}`: expected a letter, then letters, digits, `-`, `_` or `.`, 3 to 255 characters"
    )]
    IndexId(String),
    #[error(
        "Quickwit at {base} has no index `{index}`: create it with the config `quotewire quickwit config --index {index}` prints"
    )]
    IndexNotFound { base: String, index: String },
    #[error(
        "Quickwit kept refusing requests to `{index}` ({status}) after {attempts} attempts: it is overloaded, try again later"
    )]
    Backpressure { index: String, status: u16, attempts: u32 },
    #[error("Quickwit refused a {bytes}-byte request as too large (413): lower the batch size")]
    PayloadTooLarge { bytes: usize },
    #[error("Quickwit answered {status} to {url}: {message}")]
    Rejected { url: String, status: u16, message: String },
    #[error("cannot reach Quickwit at {url} after {attempts} attempts: {message}")]
    Network { url: String, attempts: u32, message: String },
    #[error("Quickwit's answer to {url} is not what its API documents: {message}")]
    Response { url: String, message: String },
    #[error("Quickwit acknowledged {acknowledged} of {sent} documents sent to `{index}`")]
    Unacknowledged { index: String, sent: u64, acknowledged: u64 },
    #[error("cannot use the Quickwit checkpoint {path}: {message}")]
    Checkpoint { path: PathBuf, message: String },
}

/// When ingested documents become searchable (Quickwit's `commit` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitMode {
    /// Answer once the documents are durable; Quickwit commits on its own schedule.
    #[default]
    Auto,
    /// Answer once the documents are searchable.
    WaitFor,
    /// Commit now and answer once the documents are searchable.
    Force,
}

impl CommitMode {
    pub fn as_str(self) -> &'static str {
        match self {
            CommitMode::Auto => "auto",
            CommitMode::WaitFor => "wait_for",
            CommitMode::Force => "force",
        }
    }

    pub fn parse(text: &str) -> Option<CommitMode> {
        [CommitMode::Auto, CommitMode::WaitFor, CommitMode::Force].into_iter().find(|m| m.as_str() == text)
    }
}

/// Retries of requests Quickwit refused for back-pressure (429, 503) or could not take
/// (connection failures): exponential backoff with jitter, a bounded number of times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further one.
    pub initial_delay: Duration,
    /// Longest delay between attempts (a `Retry-After` is capped by it too).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// About two minutes of retries before giving up (0.25 + 0.5 + 1 + ... capped at 30 s).
    fn default() -> RetryPolicy {
        RetryPolicy { max_attempts: 10, initial_delay: Duration::from_millis(250), max_delay: Duration::from_secs(30) }
    }
}

/// Where and how the sink sends documents.
#[derive(Debug, Clone)]
pub struct QuickwitConfig {
    /// Quickwit's REST root, e.g. `http://127.0.0.1:7280/`.
    pub base_url: url::Url,
    pub index_id: String,
    pub commit: CommitMode,
    /// Largest request body (at most [`MAX_INGEST_BYTES`]).
    pub max_batch_bytes: usize,
    pub retry: RetryPolicy,
    /// Longest wait for one answer.
    pub timeout: Duration,
    /// The file recording what Quickwit acknowledged.
    pub checkpoint: PathBuf,
}

impl QuickwitConfig {
    /// A config with the defaults: 10 MB batches, `commit=auto`, default retries.
    pub fn new(base_url: &str, index_id: &str, checkpoint: PathBuf) -> Result<QuickwitConfig, QuickwitError> {
        let mut base = url::Url::parse(base_url)
            .map_err(|e| QuickwitError::Url { url: base_url.to_string(), message: e.to_string() })?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(QuickwitError::Url {
                url: base_url.to_string(),
                message: "expected http(s)://HOST[:PORT]/".into(),
            });
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        check_index_id(index_id)?;
        Ok(QuickwitConfig {
            base_url: base,
            index_id: index_id.to_string(),
            commit: CommitMode::Auto,
            max_batch_bytes: MAX_INGEST_BYTES,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            checkpoint,
        })
    }
}

/// Refuses an index id Quickwit would refuse (and anything that could leave the URL path).
pub fn check_index_id(id: &str) -> Result<(), QuickwitError> {
    let mut chars = id.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && (3..=MAX_INDEX_ID_CHARS).contains(&id.len());
    if valid { Ok(()) } else { Err(QuickwitError::IndexId(id.to_string())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_ids_follow_quickwit_rules_and_never_leave_the_path() {
        for good in ["quotes", "qw-news_2024.v1", "abc"] {
            assert!(check_index_id(good).is_ok(), "{good}");
        }
        for bad in ["", "ab", "1quotes", "quotes/../x", "quo tes", "quotes?x=1", &"a".repeat(256)] {
            assert!(check_index_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_urls_are_http_and_end_in_a_slash() {
        let config = QuickwitConfig::new("http://127.0.0.1:7280/qw", "quotes", "c.json".into()).unwrap();
        assert_eq!(config.base_url.as_str(), "http://127.0.0.1:7280/qw/");
        assert!(QuickwitConfig::new("ftp://127.0.0.1/", "quotes", "c.json".into()).is_err());
        assert!(QuickwitConfig::new("not a url", "quotes", "c.json".into()).is_err());
    }

    #[test]
    fn commit_modes_read_back_as_written() {
        for mode in [CommitMode::Auto, CommitMode::WaitFor, CommitMode::Force] {
            assert_eq!(CommitMode::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(CommitMode::parse("now"), None);
    }
}
