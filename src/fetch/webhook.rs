//! Webhooks: POSTing a watch's new matches as JSON to the URL the user gave it.
//!
//! Owns the request (JSON body, an idempotency header, a timeout, no redirects), retries
//! with jittered exponential backoff for transient failures (network errors, timeouts,
//! 429, 5xx), and redaction: webhook URLs often carry a secret in their query string or
//! user-info, so every message names the URL only through [`redact`].

use std::time::Duration;

use url::Url;

/// Longest a webhook request may take before it counts as failed.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
/// First retry delay; doubled (with jitter) for every further attempt.
const RETRY_BASE_DELAY: Duration = Duration::from_millis(200);
/// Header carrying the delivery's id, so a receiver can drop a batch it already has.
pub const DELIVERY_HEADER: &str = "X-Quotewire-Delivery";

/// Why a webhook delivery failed (the URL appears redacted).
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhook `{url}` is not a usable URL: {message}")]
    Url { url: String, message: String },
    #[error("webhook {url} failed after {attempts} attempt(s): {message}")]
    Failed { url: String, attempts: u32, message: String },
}

/// The URL without user-info, query string or fragment: what may be shown or logged.
pub fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    let secret_query = shown.query().is_some();
    shown.set_query(None);
    shown.set_fragment(None);
    let mut out = shown.to_string();
    if secret_query {
        out.push_str("?…");
    }
    out
}

/// Checks that `raw` is an http(s) URL a webhook can be sent to.
pub fn parse_webhook(raw: &str) -> Result<Url, WebhookError> {
    let url = Url::parse(raw).map_err(|e| WebhookError::Url { url: redact_raw(raw), message: e.to_string() })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(WebhookError::Url { url: redact(&url), message: "only http and https URLs with a host".into() });
    }
    Ok(url)
}

/// A string that failed to parse, cut before anything that may be a secret.
fn redact_raw(raw: &str) -> String {
    let cut = raw.find(['?', '#', '@']).unwrap_or(raw.len());
    let mut shown: String = raw[..cut].chars().take(80).collect();
    if cut < raw.len() {
        shown.push('…');
    }
    shown
}

/// POSTs `body` to `url`, trying up to `1 + retries` times.
pub async fn post_json(url: &Url, body: &serde_json::Value, delivery: &str, retries: u32) -> Result<(), WebhookError> {
    let shown = redact(url);
    let failed = |attempts: u32, message: String| WebhookError::Failed { url: shown.clone(), attempts, message };
    let client = reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("quotewire/", env!("CARGO_PKG_VERSION"), " (webhook)"))
        .build()
        .map_err(|e| failed(0, e.without_url().to_string()))?;
    let mut backoff = backon::BackoffBuilder::build(
        backon::ExponentialBuilder::default()
            .with_min_delay(RETRY_BASE_DELAY)
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(retries as usize),
    );
    let mut attempts = 0;
    loop {
        attempts += 1;
        let result = client
            .post(url.clone())
            .header(DELIVERY_HEADER, delivery)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await;
        let (message, transient) = match result {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                (format!("HTTP {}", status.as_u16()), status.as_u16() == 429 || status.is_server_error())
            }
            // reqwest errors name the URL with its query: keep only the cause.
            Err(e) => (e.without_url().to_string(), true),
        };
        match backoff.next() {
            Some(wait) if transient => {
                tracing::info!(webhook = %shown, "retrying in {wait:?} after {message}");
                tokio::time::sleep(wait).await;
            }
            _ => return Err(failed(attempts, message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_drops_secrets() {
        let url = Url::parse("https://user:pw@hooks.example/services/T1?token=SECRET#frag").unwrap();
        let shown = redact(&url);
        assert_eq!(shown, "https://hooks.example/services/T1?…");
        assert!(!shown.contains("SECRET") && !shown.contains("pw"));
        assert_eq!(redact(&Url::parse("http://127.0.0.1:9/hook").unwrap()), "http://127.0.0.1:9/hook");
        let err = parse_webhook("ftp://x/?token=SECRET").unwrap_err().to_string();
        assert!(!err.contains("SECRET"), "{err}");
        let err = parse_webhook("not a url?token=SECRET").unwrap_err().to_string();
        assert!(!err.contains("SECRET"), "{err}");
    }
}
