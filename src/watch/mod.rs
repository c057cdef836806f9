//! Watches: saved searches that report only what is new, exactly once.
//!
//! Owns the run of a watch: read the matches committed after the watch's cursor (an index
//! sequence number), drop those it recorded before, record the rest with the new cursor in
//! one store transaction (`store::WatchStore::record_matches`), then deliver the recorded
//! matches (to the watch's webhook, or to the caller's output) and only then remove them
//! from the outbox. A crash before recording re-reads the same matches; a crash after it
//! delivers them next time. A lock in the store keeps two runs of one watch apart. It
//! decides nothing about scheduling: `quotewire run` calls [`run_all`] after each ingest.

use std::io::Write;

use chrono::{SecondsFormat, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::fetch::{self, WebhookError};
use crate::index::{DocType, IndexError, SearchHit, SearchIndex};
use crate::store::{NewMatch, StoreError, WatchRecord, WatchStore};

/// Most matches one run records; the rest wait for the next run (the cursor stops at the
/// last recorded one), so a very broad watch cannot produce an unbounded batch.
pub const MAX_MATCHES_PER_RUN: usize = 5_000;
/// Longest name of a watch.
const MAX_NAME_CHARS: usize = 64;
/// How long a run holds its watch's lock; a crashed run's lock expires after this.
const LOCK_SECONDS: i64 = 300;
/// Retries of a failed webhook POST within one run (then it waits for the next run).
const WEBHOOK_RETRIES: u32 = 3;
/// Environment variable naming a crash point for tests: `after-match` or `after-record`.
pub const FAILPOINT_VAR: &str = "QUOTEWIRE_WATCH_FAILPOINT";

/// Errors of watches.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("{0}")]
    Invalid(String),
    #[error("no watch named `{0}` (see `quotewire watch list`)")]
    NotFound(String),
    #[error("watch `{0}` is being run by another process; try again shortly")]
    Busy(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    #[error("cannot write the matches: {0}")]
    Output(#[from] std::io::Error),
}

impl WatchError {
    /// Whether the user must change the request.
    pub fn is_usage(&self) -> bool {
        match self {
            WatchError::Invalid(_) | WatchError::NotFound(_) => true,
            WatchError::Store(StoreError::Conflict(_)) => true,
            WatchError::Index(e) => e.is_usage(),
            _ => false,
        }
    }
}

/// What a watch reports: quotes, articles or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WatchType {
    Quote,
    Article,
    All,
}

impl WatchType {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchType::Quote => "quote",
            WatchType::Article => "article",
            WatchType::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<WatchType> {
        [WatchType::Quote, WatchType::Article, WatchType::All].into_iter().find(|t| t.as_str() == text)
    }

    fn doc_type(self) -> Option<DocType> {
        match self {
            WatchType::Quote => Some(DocType::Quote),
            WatchType::Article => Some(DocType::Article),
            WatchType::All => None,
        }
    }
}

/// A watch to add.
#[derive(Debug, Clone)]
pub struct NewWatch {
    pub name: String,
    pub query: String,
    pub doc_type: WatchType,
    pub webhook: Option<String>,
}

/// A watch as shown to users: the webhook is redacted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WatchInfo {
    pub name: String,
    pub query: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub webhook: Option<String>,
    pub created_at: String,
    pub last_run_at: Option<String>,
    /// Matches recorded but not delivered yet.
    pub pending: u64,
}

impl From<&WatchRecord> for WatchInfo {
    fn from(w: &WatchRecord) -> WatchInfo {
        WatchInfo {
            name: w.name.clone(),
            query: w.query.clone(),
            doc_type: w.doc_type.clone(),
            webhook: w.webhook.as_deref().map(|raw| match url::Url::parse(raw) {
                Ok(url) => fetch::redact(&url),
                Err(_) => "(invalid)".into(),
            }),
            created_at: w.created_at.clone(),
            last_run_at: w.last_run_at.clone(),
            pending: w.pending,
        }
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn check_name(name: &str) -> Result<(), WatchError> {
    let ok = !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(WatchError::Invalid(format!(
            "bad watch name `{name}`: use 1 to {MAX_NAME_CHARS} letters, digits, `-`, `_` or `.`"
        )))
    }
}

/// Adds a watch. It reports what arrives from now on, not what is already indexed.
pub fn add(store: &mut dyn WatchStore, index: &SearchIndex, watch: &NewWatch) -> Result<WatchInfo, WatchError> {
    check_name(&watch.name)?;
    crate::index::check_query(&watch.query)?;
    if let Some(raw) = &watch.webhook {
        fetch::parse_webhook(raw)?;
    }
    let record = WatchRecord {
        name: watch.name.clone(),
        query: watch.query.trim().to_string(),
        doc_type: watch.doc_type.as_str().to_string(),
        webhook: watch.webhook.clone(),
        created_at: now(),
        index_id: Some(index.identity().to_string()),
        cursor: index.last_seq()?,
        last_run_at: None,
        pending: 0,
    };
    store.add_watch(&record)?;
    Ok(WatchInfo::from(&record))
}

/// Every watch, by name.
pub fn list(store: &dyn WatchStore) -> Result<Vec<WatchInfo>, WatchError> {
    Ok(store.watches()?.iter().map(WatchInfo::from).collect())
}

/// Removes a watch and its history.
pub fn remove(store: &mut dyn WatchStore, name: &str) -> Result<(), WatchError> {
    if store.remove_watch(name)? { Ok(()) } else { Err(WatchError::NotFound(name.to_string())) }
}

/// What one run of one watch did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RunReport {
    pub watch: String,
    /// Matches recorded by this run.
    pub recorded: u64,
    /// Matches delivered by this run (earlier undelivered ones included).
    pub delivered: u64,
    /// Matches still waiting (the webhook failed).
    pub pending: u64,
    /// Why delivery failed, if it did (URL redacted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The key under which a watch remembers a match: a quote by its article, speaker and
/// words (so a re-extracted article does not report it again), an article by its id.
fn match_key(hit: &SearchHit) -> String {
    let mut hasher = Sha256::new();
    match &hit.record.quote {
        Some(quote) => {
            let words = quote.text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty());
            let words: Vec<String> = words.map(str::to_lowercase).collect();
            hasher.update(format!("quote\u{1f}{}\u{1f}", hit.record.article_id));
            hasher.update(hit.record.speaker_canonical.as_deref().unwrap_or("").to_lowercase());
            hasher.update(format!("\u{1f}{}", words.join(" ")));
        }
        None => hasher.update(format!("article\u{1f}{}", hit.record.article_id)),
    }
    hasher.finalize()[..12].iter().map(|b| format!("{b:02x}")).collect()
}

fn failpoint(name: &str) {
    if std::env::var(FAILPOINT_VAR).is_ok_and(|v| v == name) {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
}

/// Reads and records a watch's new matches (the first half of a run).
pub fn record_new(store: &mut dyn WatchStore, index: &SearchIndex, watch: &WatchRecord) -> Result<u64, WatchError> {
    let doc_type = WatchType::parse(&watch.doc_type).unwrap_or(WatchType::Quote).doc_type();
    // A cursor taken on another index (rebuilt since) says nothing: read from the start;
    // the seen set keeps what was reported before from being reported again.
    let cursor = if watch.index_id.as_deref() == Some(index.identity()) { watch.cursor } else { 0 };
    let (hits, snapshot) = index.matches_since(&watch.query, doc_type, cursor, MAX_MATCHES_PER_RUN)?;
    let new_cursor = if hits.len() >= MAX_MATCHES_PER_RUN {
        hits.last().map_or(cursor, |(seq, _)| *seq)
    } else {
        snapshot.max(cursor)
    };
    let keys: Vec<String> = hits.iter().map(|(_, hit)| match_key(hit)).collect();
    let seen = store.seen(&watch.name, &keys)?;
    let mut fresh = Vec::new();
    let mut batch = std::collections::HashSet::new();
    for ((_, hit), key) in hits.iter().zip(keys) {
        if seen.contains(&key) || !batch.insert(key.clone()) {
            continue;
        }
        let payload = serde_json::to_string(hit).map_err(|e| WatchError::Invalid(e.to_string()))?;
        fresh.push(NewMatch { key, payload });
    }
    failpoint("after-match");
    store.record_matches(&watch.name, index.identity(), new_cursor, &fresh, &now())?;
    failpoint("after-record");
    Ok(fresh.len() as u64)
}

/// One delivered match as printed by `watch run`: the watch and a delivery id, then the
/// hit's fields.
fn line(watch: &str, id: i64, payload: &str) -> String {
    let head = format!(
        "{{\"watch\":{},\"delivery\":{}",
        serde_json::Value::from(watch),
        serde_json::Value::from(format!("{watch}/{id}"))
    );
    match payload.trim().strip_prefix('{') {
        Some(rest) if rest.trim_start() != "}" => format!("{head},{rest}"),
        _ => format!("{head}}}"),
    }
}

/// Runs one watch: records its new matches, then delivers everything recorded (to its
/// webhook, else as JSON lines to `out`).
pub async fn run(
    store: &mut dyn WatchStore,
    index: &SearchIndex,
    name: &str,
    out: &mut (dyn Write + Send),
) -> Result<RunReport, WatchError> {
    let watch = store.watch(name)?.ok_or_else(|| WatchError::NotFound(name.to_string()))?;
    let owner = format!("{}-{}", std::process::id(), Utc::now().timestamp_nanos_opt().unwrap_or_default());
    let until = (Utc::now() + chrono::Duration::seconds(LOCK_SECONDS)).to_rfc3339_opts(SecondsFormat::Secs, true);
    if !store.lock_watch(name, &owner, &now(), &until)? {
        return Err(WatchError::Busy(name.to_string()));
    }
    let result = run_locked(store, index, &watch, out).await;
    store.unlock_watch(name, &owner)?;
    result
}

async fn run_locked(
    store: &mut dyn WatchStore,
    index: &SearchIndex,
    watch: &WatchRecord,
    out: &mut (dyn Write + Send),
) -> Result<RunReport, WatchError> {
    let recorded = record_new(store, index, watch)?;
    let pending = store.pending_deliveries(&watch.name)?;
    let mut report = RunReport { watch: watch.name.clone(), recorded, ..RunReport::default() };
    if pending.is_empty() {
        return Ok(report);
    }
    match &watch.webhook {
        Some(raw) => {
            let url = fetch::parse_webhook(raw)?;
            let lines: Vec<String> = pending.iter().map(|p| line(&watch.name, p.id, &p.payload)).collect();
            let matches: Vec<serde_json::Value> =
                lines.iter().map(|l| serde_json::from_str(l).unwrap_or(serde_json::Value::Null)).collect();
            let ids: Vec<i64> = pending.iter().map(|p| p.id).collect();
            let batch = format!("{}/{}-{}", watch.name, ids[0], ids[ids.len() - 1]);
            let body = json!({ "watch": watch.name, "query": watch.query, "delivery": batch, "matches": matches });
            match fetch::post_json(&url, &body, &batch, WEBHOOK_RETRIES).await {
                Ok(()) => {
                    store.delivered(&ids)?;
                    for l in &lines {
                        writeln!(out, "{l}")?;
                    }
                    report.delivered = ids.len() as u64;
                }
                Err(e) => {
                    store.delivery_failed(&ids, &e.to_string())?;
                    report.pending = ids.len() as u64;
                    report.error = Some(e.to_string());
                }
            }
        }
        None => {
            for p in &pending {
                writeln!(out, "{}", line(&watch.name, p.id, &p.payload))?;
                out.flush()?;
                store.delivered(&[p.id])?;
                report.delivered += 1;
            }
        }
    }
    Ok(report)
}

/// Runs every watch (after an ingest); one watch's failure does not stop the others.
pub async fn run_all(
    store: &mut dyn WatchStore,
    index: &SearchIndex,
    out: &mut (dyn Write + Send),
) -> Result<Vec<RunReport>, WatchError> {
    let mut reports = Vec::new();
    for watch in store.watches()? {
        match run(store, index, &watch.name, out).await {
            Ok(report) => reports.push(report),
            Err(e) => reports.push(RunReport {
                watch: watch.name.clone(),
                error: Some(e.to_string()),
                ..RunReport::default()
            }),
        }
    }
    Ok(reports)
}
