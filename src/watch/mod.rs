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

/// The key under which a watch remembers a match: the index's report key (an article by
/// its id, a quote by its article, speaker and words), so a re-fetched article or a
/// rebuilt index does not report it again.
fn match_key(hit: &SearchHit) -> String {
    format!("{:016x}", hit.key)
}

/// Who runs a watch: host, process and start time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LockOwner {
    host: String,
    pid: u32,
    nanos: i64,
}

/// This machine's name (Linux; empty elsewhere, where stale locks simply expire).
pub(crate) fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_default()
}

impl LockOwner {
    fn current() -> LockOwner {
        LockOwner {
            host: host_name(),
            pid: std::process::id(),
            nanos: Utc::now().timestamp_nanos_opt().unwrap_or_default(),
        }
    }

    fn parse(text: &str) -> Option<LockOwner> {
        let mut parts = text.rsplitn(3, ' ');
        let nanos = parts.next()?.parse().ok()?;
        let pid = parts.next()?.parse().ok()?;
        Some(LockOwner { host: parts.next()?.to_string(), pid, nanos })
    }

    /// A process of this machine that no longer runs.
    fn is_dead_here(&self) -> bool {
        let proc_fs = std::path::Path::new("/proc/self").exists();
        proc_fs
            && !self.host.is_empty()
            && self.host == host_name()
            && !std::path::Path::new(&format!("/proc/{}", self.pid)).exists()
    }
}

impl std::fmt::Display for LockOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.host, self.pid, self.nanos)
    }
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
    // A cursor taken on another index (rebuilt from scratch since) says nothing: read from
    // the start, but only what was fetched after the watch was created; the seen set keeps
    // what was reported before from being reported again.
    let (cursor, fetched_since) = if watch.index_id.as_deref() == Some(index.identity()) {
        (watch.cursor, None)
    } else {
        (0, chrono::DateTime::parse_from_rfc3339(&watch.created_at).ok().map(|t| t.timestamp()))
    };
    let (hits, snapshot) = index.matches_since(&watch.query, doc_type, cursor, fetched_since, MAX_MATCHES_PER_RUN)?;
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
    let owner = LockOwner::current().to_string();
    let until = (Utc::now() + chrono::Duration::seconds(LOCK_SECONDS)).to_rfc3339_opts(SecondsFormat::Secs, true);
    if !store.lock_watch(name, &owner, &now(), &until)? {
        // A run that crashed on this machine leaves its lock behind: take it over (as git
        // does with gc.pid). A live run, or one on another machine, keeps it until it expires.
        let stale =
            store.watch_lock_owner(name)?.filter(|held| LockOwner::parse(held).is_some_and(|o| o.is_dead_here()));
        let taken = match stale {
            Some(stale) => store.take_stale_lock(name, &stale, &owner, &until)?,
            None => false,
        };
        if !taken {
            return Err(WatchError::Busy(name.to_string()));
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_owners_round_trip_and_only_dead_local_processes_are_stale() {
        let me = LockOwner::current();
        assert_eq!(LockOwner::parse(&me.to_string()), Some(me.clone()));
        assert!(!me.is_dead_here(), "this process runs");
        let gone = LockOwner { pid: u32::MAX - 1, ..me.clone() };
        assert_eq!(gone.is_dead_here(), std::path::Path::new("/proc/self").exists());
        let elsewhere = LockOwner { host: "another-host".into(), pid: u32::MAX - 1, ..me };
        assert!(!elsewhere.is_dead_here(), "a process on another machine is not ours to judge");
        assert_eq!(LockOwner::parse("garbage"), None);
    }

    #[test]
    fn delivery_lines_put_the_watch_first() {
        assert_eq!(line("w", 3, "{\"id\":\"a#q1\"}"), "{\"watch\":\"w\",\"delivery\":\"w/3\",\"id\":\"a#q1\"}");
        assert_eq!(line("w", 4, "{}"), "{\"watch\":\"w\",\"delivery\":\"w/4\"}");
    }
}
