//! Quickwit's REST API: ingest (NDJSON, `commit` mode, retries on back-pressure) and search.
//!
//! Runs its own single-threaded async runtime, so the indexer's thread (and any other
//! thread outside a runtime) can call it; it must not be called from inside an async task.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use serde::Deserialize;

use super::{CommitMode, QuickwitError, RetryPolicy};

/// Longest error body quoted in a message.
const MAX_ERROR_CHARS: usize = 300;

/// What Quickwit acknowledged of one ingest request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestAck {
    /// Documents accepted for processing.
    pub docs: u64,
    /// Documents it reported as rejected by the doc mapping (Quickwit 0.8 and later).
    pub rejected: u64,
}

#[derive(Deserialize)]
struct IngestResponse {
    num_docs_for_processing: u64,
    #[serde(default)]
    num_rejected_docs: Option<u64>,
    #[serde(default)]
    parse_failures: Option<Vec<serde_json::Value>>,
}

/// A client for one Quickwit cluster.
pub struct QuickwitClient {
    base: url::Url,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    retry: RetryPolicy,
}

enum Attempt<T> {
    Done(T),
    /// Worth another try after at least this long (a `Retry-After`, else the backoff).
    Retry {
        status: Option<u16>,
        message: String,
        after: Option<Duration>,
    },
}

impl QuickwitClient {
    pub fn new(base: &url::Url, retry: RetryPolicy, timeout: Duration) -> Result<QuickwitClient, QuickwitError> {
        let fail = |message: String| QuickwitError::Url { url: base.to_string(), message };
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("quotewire/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let runtime =
            tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| fail(e.to_string()))?;
        Ok(QuickwitClient { base: base.clone(), http, runtime, retry })
    }

    fn endpoint(&self, index_id: &str, action: &str) -> Result<url::Url, QuickwitError> {
        super::check_index_id(index_id)?;
        self.base
            .join(&format!("api/v1/{index_id}/{action}"))
            .map_err(|e| QuickwitError::Url { url: self.base.to_string(), message: e.to_string() })
    }

    /// Sends `body` (`lines` NDJSON documents) to `index_id`; retries back-pressure.
    pub fn ingest(
        &self,
        index_id: &str,
        commit: CommitMode,
        body: Vec<u8>,
        lines: u64,
    ) -> Result<IngestAck, QuickwitError> {
        let mut url = self.endpoint(index_id, "ingest")?;
        url.query_pairs_mut().append_pair("commit", commit.as_str());
        let text = self.post(index_id, &url, "application/x-ndjson", body)?;
        let parsed: IngestResponse = serde_json::from_str(&text).map_err(|e| response_error(&url, e.to_string()))?;
        for failure in parsed.parse_failures.iter().flatten() {
            tracing::error!(index = index_id, failure = %failure, "Quickwit rejected a document");
        }
        let ack = IngestAck { docs: parsed.num_docs_for_processing, rejected: parsed.num_rejected_docs.unwrap_or(0) };
        if ack.docs < lines {
            return Err(QuickwitError::Unacknowledged {
                index: index_id.to_string(),
                sent: lines,
                acknowledged: ack.docs,
            });
        }
        Ok(ack)
    }

    /// Runs a search request (Quickwit's JSON search body) and returns its JSON answer.
    pub fn search(&self, index_id: &str, request: &serde_json::Value) -> Result<serde_json::Value, QuickwitError> {
        let url = self.endpoint(index_id, "search")?;
        let text = self.post(index_id, &url, "application/json", request.to_string().into_bytes())?;
        serde_json::from_str(&text).map_err(|e| response_error(&url, e.to_string()))
    }

    /// POSTs `body` until Quickwit answers with a success (its body) or an error that
    /// retrying cannot fix, or the retries run out.
    fn post(&self, index_id: &str, url: &url::Url, content_type: &str, body: Vec<u8>) -> Result<String, QuickwitError> {
        self.with_retries(index_id, url, || async {
            let sent = self.http.post(url.clone()).header(CONTENT_TYPE, content_type).body(body.clone()).send().await;
            let response = match sent {
                Ok(response) => response,
                Err(e) => return Ok(Attempt::Retry { status: None, message: e.to_string(), after: None }),
            };
            match response.status() {
                StatusCode::PAYLOAD_TOO_LARGE => Err(QuickwitError::PayloadTooLarge { bytes: body.len() }),
                status if !status.is_success() => self.refused(index_id, url, response).await,
                _ => Ok(Attempt::Done(response.text().await.map_err(|e| response_error(url, e.to_string()))?)),
            }
        })
    }

    /// The error (or retry) for a response that is not a success.
    async fn refused<T>(
        &self,
        index_id: &str,
        url: &url::Url,
        response: reqwest::Response,
    ) -> Result<Attempt<T>, QuickwitError> {
        let status = response.status();
        let after =
            response.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(crate::fetch::parse_retry_after);
        let body = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
            .unwrap_or(body);
        let message: String = message.chars().take(MAX_ERROR_CHARS).collect();
        match status {
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                Ok(Attempt::Retry { status: Some(status.as_u16()), message, after })
            }
            StatusCode::NOT_FOUND => {
                Err(QuickwitError::IndexNotFound { base: self.base.to_string(), index: index_id.to_string() })
            }
            _ => Err(QuickwitError::Rejected { url: url.to_string(), status: status.as_u16(), message }),
        }
    }

    /// Calls `attempt` until it is done, fails, or the retries run out.
    fn with_retries<T, F, Fut>(&self, index_id: &str, url: &url::Url, attempt: F) -> Result<T, QuickwitError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Attempt<T>, QuickwitError>>,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            let (status, message, after) = match self.runtime.block_on(attempt())? {
                Attempt::Done(value) => return Ok(value),
                Attempt::Retry { status, message, after } => (status, message, after),
            };
            if tries >= self.retry.max_attempts {
                return Err(match status {
                    Some(status) => {
                        QuickwitError::Backpressure { index: index_id.to_string(), status, attempts: tries }
                    }
                    None => QuickwitError::Network { url: url.to_string(), attempts: tries, message },
                });
            }
            let delay = after.map_or_else(|| backoff(&self.retry, tries), |after| after.min(self.retry.max_delay));
            tracing::warn!(index = index_id, status, attempt = tries, delay_ms = delay.as_millis() as u64, %message, "Quickwit asked to wait; retrying");
            std::thread::sleep(delay);
        }
    }
}

fn response_error(url: &url::Url, message: String) -> QuickwitError {
    QuickwitError::Response { url: url.to_string(), message }
}

/// The delay before retry number `retry` (1 = the first): `initial * 2^(retry-1)`, capped,
/// with "equal jitter" (a random point in its upper half), so many writers refused at once
/// do not come back at once.
pub(super) fn backoff(policy: &RetryPolicy, retry: u32) -> Duration {
    let doubled = policy.initial_delay.saturating_mul(1_u32 << (retry.saturating_sub(1)).min(20));
    let ceiling = doubled.min(policy.max_delay);
    let half = ceiling / 2;
    half + half.mul_f64(random_fraction())
}

/// A number in [0, 1) from SipHash's random keys (no random-number crate needed for jitter).
fn random_fraction() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher
        .write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    (hasher.finish() >> 11) as f64 / (1_u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_stays_in_its_upper_half_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for (retry, ceiling_ms) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (30, 1000)] {
            for _ in 0..50 {
                let delay = backoff(&policy, retry).as_millis();
                assert!(delay >= ceiling_ms / 2 && delay <= ceiling_ms, "retry {retry}: {delay} ms");
            }
        }
        let delays: std::collections::HashSet<u128> = (0..50).map(|_| backoff(&policy, 5).as_micros()).collect();
        assert!(delays.len() > 10, "jittered, not fixed: {delays:?}");
    }
}
