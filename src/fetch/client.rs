//! The HTTP client: conditional GET, manual redirects, capped streaming bodies, retries.
//!
//! Every request goes through [`Fetcher::fetch`], which takes the host's politeness turn,
//! checks robots.txt for every hop, and never buffers more than `max_body_bytes`.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::sync::Semaphore;
use url::Url;

use super::FetchError;
use super::guard::{self, AddressPolicy};
use super::politeness::HostGates;
use super::robots::{MAX_ROBOTS_BYTES, RobotsCache, RobotsResponse};
use crate::config::{FetchConfig, PrivateAddresses};

/// Longest `Retry-After` honoured; a server asking for more gets the page marked failed.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
/// First retry delay; doubled (with jitter) for every further attempt.
const RETRY_BASE_DELAY: Duration = Duration::from_millis(300);
/// Longest robots.txt Crawl-delay honoured; a larger one is capped, not obeyed literally.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

/// Cache validators from a previous fetch, sent back as a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// What content a request expects; anything else is refused before the body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// An HTML page.
    Html,
    /// A feed or sitemap (XML, JSON or text).
    Feed,
    /// Anything textual (robots.txt).
    Text,
}

impl Expect {
    fn accept_header(self) -> &'static str {
        match self {
            Expect::Html => "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
            Expect::Feed => {
                "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,application/json;q=0.8,*/*;q=0.1"
            }
            Expect::Text => "text/plain,*/*;q=0.1",
        }
    }

    fn accepts(self, content_type: &str) -> bool {
        let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if mime.is_empty() || mime == "application/octet-stream" {
            return true;
        }
        match self {
            Expect::Html => mime == "text/html" || mime == "application/xhtml+xml" || mime == "text/plain",
            Expect::Feed => {
                mime.contains("xml") || mime.contains("json") || mime.starts_with("text/") || mime.contains("gzip")
            }
            Expect::Text => mime.starts_with("text/"),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Expect::Html => "an HTML page",
            Expect::Feed => "a feed or sitemap",
            Expect::Text => "a text file",
        }
    }
}

/// A fetched body with its metadata.
#[derive(Debug, Clone)]
pub struct FetchedPage {
    /// The URL after redirects.
    pub final_url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub validators: Validators,
}

/// The result of a (conditional) GET.
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    Fetched(FetchedPage),
    /// 304: the validators still match.
    NotModified,
}

/// The polite HTTP client shared by one run.
pub struct Fetcher {
    client: reqwest::Client,
    config: FetchConfig,
    gates: HostGates,
    robots: RobotsCache,
    slots: Semaphore,
    policy: AddressPolicy,
}

impl Fetcher {
    /// Builds a client from fetch settings.
    pub fn new(config: &FetchConfig) -> Result<Arc<Fetcher>, FetchError> {
        let policy = match config.private_addresses {
            PrivateAddresses::Deny => AddressPolicy::PublicOnly { except: config.allow_addresses.clone().into() },
            PrivateAddresses::Allow | PrivateAddresses::Auto => AddressPolicy::AllowAll,
        };
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .gzip(true);
        if let Some(resolver) = guard::resolver(&policy) {
            // A proxy would resolve names itself, out of the guard's sight.
            builder = builder.dns_resolver(resolver).no_proxy();
        }
        let client = builder.build().map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Arc::new(Fetcher {
            client,
            config: config.clone(),
            gates: HostGates::new(config.per_host_concurrency, config.per_domain_requests_per_second),
            robots: RobotsCache::new(&config.user_agent),
            slots: Semaphore::new(config.concurrency.max(1)),
            policy,
        }))
    }

    /// The settings this client runs with.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Whether robots.txt lets us fetch `url` (always when robots are not respected).
    pub async fn check_robots(&self, url: &Url) -> Result<(), FetchError> {
        if !self.config.respect_robots {
            return Ok(());
        }
        self.robots
            .check(url, |robots_url| async move {
                match self
                    .fetch_one(&robots_url, &Validators::default(), Expect::Text, BodyLimit::Truncate(MAX_ROBOTS_BYTES))
                    .await?
                {
                    Hop::Redirect(target) => Ok(RobotsResponse::Redirect(target)),
                    Hop::Done(FetchOutcome::Fetched(page)) => Ok(RobotsResponse::Body(page.body)),
                    // Never asked conditionally; a 304 anyway means no usable file.
                    Hop::Done(FetchOutcome::NotModified) => Ok(RobotsResponse::Body(Vec::new())),
                }
            })
            .await
    }

    /// GETs `url`, following redirects, with validators for a conditional request.
    pub async fn fetch(&self, url: &Url, validators: &Validators, expect: Expect) -> Result<FetchOutcome, FetchError> {
        let mut current = url.clone();
        let mut seen = HashSet::new();
        seen.insert(current.to_string());
        let mut hops = 0;
        loop {
            check_scheme(&current)?;
            // The address guard before robots.txt: a refused host is never contacted at all.
            if let Err(address) = self.policy.check_url(&current) {
                return Err(FetchError::Forbidden { url: current.to_string(), address: address.to_string() });
            }
            self.check_robots(&current).await?;
            let conditional = if hops == 0 { validators } else { &Validators::default() };
            let limit = BodyLimit::Fail(self.config.max_body_bytes);
            match self.fetch_one(&current, conditional, expect, limit).await? {
                Hop::Done(outcome) => return Ok(outcome),
                Hop::Redirect(target) => {
                    hops += 1;
                    if !seen.insert(target.to_string()) {
                        return Err(FetchError::RedirectLoop { url: url.to_string(), target: target.to_string() });
                    }
                    if hops > self.config.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            url: url.to_string(),
                            limit: self.config.max_redirects,
                        });
                    }
                    current = target;
                }
            }
        }
    }

    /// One URL without following redirects, retrying transient failures.
    async fn fetch_one(
        &self,
        url: &Url,
        validators: &Validators,
        expect: Expect,
        limit: BodyLimit,
    ) -> Result<Hop, FetchError> {
        if let Err(address) = self.policy.check_url(url) {
            return Err(FetchError::Forbidden { url: url.to_string(), address: address.to_string() });
        }
        let delay = match self.robots.crawl_delay(url) {
            Some(crawl) => self.config.per_host_delay.max(crawl.min(MAX_CRAWL_DELAY)),
            None => self.config.per_host_delay,
        };
        let mut backoff = backon::BackoffBuilder::build(
            backon::ExponentialBuilder::default()
                .with_min_delay(RETRY_BASE_DELAY)
                .with_factor(2.0)
                .with_jitter()
                .with_max_times(self.config.retries as usize),
        );
        loop {
            let result = {
                let _slot = self.slots.acquire().await.map_err(|_| FetchError::Client("client closed".into()))?;
                let _turn = self.gates.acquire(url, delay).await;
                self.request(url, validators, expect, limit).await
            };
            match result {
                Err(Failure { error, retry_after }) if error.is_transient() => {
                    let Some(wait) = backoff.next() else { return Err(error) };
                    // The server's Retry-After wins over our own backoff, up to a cap.
                    let wait = retry_after.unwrap_or(wait);
                    if wait > MAX_RETRY_AFTER {
                        return Err(error);
                    }
                    tracing::debug!(%url, ?wait, "retrying after {error}");
                    tokio::time::sleep(wait).await;
                }
                Err(Failure { error, .. }) => return Err(error),
                Ok(hop) => return Ok(hop),
            }
        }
    }

    async fn request(
        &self,
        url: &Url,
        validators: &Validators,
        expect: Expect,
        limit: BodyLimit,
    ) -> Result<Hop, Failure> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(expect.accept_header()));
        if let Some(etag) = validators.etag.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(header::IF_NONE_MATCH, etag);
        }
        if let Some(lm) = validators.last_modified.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(header::IF_MODIFIED_SINCE, lm);
        }
        let mut response = self
            .client
            .get(url.clone())
            .headers(headers)
            .send()
            .await
            .map_err(|e| Failure::from(self.classify(url, &e)))?;
        let status = response.status();
        if status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED {
            let target = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|location| url.join(location).ok())
                .ok_or_else(|| FetchError::BadRedirect { url: url.to_string() })?;
            return Ok(Hop::Redirect(target));
        }
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Hop::Done(FetchOutcome::NotModified));
        }
        if !status.is_success() {
            let retry_after =
                response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(parse_retry_after);
            return Err(Failure {
                error: FetchError::Status { url: url.to_string(), status: status.as_u16(), retry_after },
                retry_after,
            });
        }
        let header_text =
            |name: header::HeaderName| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let content_type = header_text(header::CONTENT_TYPE);
        if let Some(ct) = &content_type
            && !expect.accepts(ct)
        {
            return Err(FetchError::ContentType {
                url: url.to_string(),
                content_type: ct.clone(),
                expected: expect.describe(),
            }
            .into());
        }
        // The client decodes gzip, deflate and brotli and drops the header; anything left is
        // an encoding we would store as garbage.
        if let Some(encoding) = header_text(header::CONTENT_ENCODING)
            .filter(|e| !e.trim().is_empty() && !e.trim().eq_ignore_ascii_case("identity"))
        {
            return Err(FetchError::Encoding { url: url.to_string(), encoding }.into());
        }
        let validators =
            Validators { etag: header_text(header::ETAG), last_modified: header_text(header::LAST_MODIFIED) };
        let (cap, truncate) = match limit {
            BodyLimit::Fail(cap) => (cap, false),
            BodyLimit::Truncate(cap) => (cap, true),
        };
        let too_large = || FetchError::TooLarge { url: url.to_string(), limit: cap };
        if !truncate && response.content_length().is_some_and(|len| len > cap as u64) {
            return Err(too_large().into());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| Failure::from(self.classify(url, &e)))? {
            if body.len() + chunk.len() > cap {
                if truncate {
                    body.extend_from_slice(&chunk[..cap - body.len()]);
                    break;
                }
                return Err(too_large().into());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Hop::Done(FetchOutcome::Fetched(FetchedPage {
            final_url: url.clone(),
            status: status.as_u16(),
            content_type,
            body,
            validators,
        })))
    }

    fn classify(&self, url: &Url, error: &reqwest::Error) -> FetchError {
        if error.is_timeout() {
            return FetchError::Timeout { url: url.to_string(), seconds: self.config.timeout.as_secs() };
        }
        FetchError::Network { url: url.to_string(), message: short_cause(error) }
    }
}

/// The innermost cause of a client error in a few words ("connection refused"), instead of
/// reqwest's and hyper's whole chain.
fn short_cause(error: &reqwest::Error) -> String {
    let mut innermost: &dyn std::error::Error = error;
    while let Some(inner) = innermost.source() {
        innermost = inner;
    }
    if let Some(io) = innermost.downcast_ref::<std::io::Error>() {
        use std::io::ErrorKind;
        let phrase = match io.kind() {
            ErrorKind::ConnectionRefused => Some("connection refused"),
            ErrorKind::ConnectionReset => Some("connection reset by the server"),
            ErrorKind::ConnectionAborted => Some("connection aborted"),
            ErrorKind::TimedOut => Some("connection timed out"),
            ErrorKind::UnexpectedEof => Some("the server closed the connection early"),
            ErrorKind::AddrNotAvailable => Some("address not available"),
            _ => None,
        };
        if let Some(phrase) = phrase {
            return phrase.to_string();
        }
    }
    let text = innermost.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text).trim();
    if error.is_body() || error.is_decode() {
        format!("the body could not be read: {text}")
    } else if text.is_empty() {
        error.to_string()
    } else {
        text.to_string()
    }
}

/// What to do with a body longer than the cap.
#[derive(Debug, Clone, Copy)]
enum BodyLimit {
    /// The fetch fails (pages, feeds: a cut document is a wrong document).
    Fail(usize),
    /// Keep the first bytes and stop reading (robots.txt, of which only a prefix counts).
    Truncate(usize),
}

/// One request's result: a final outcome or a redirect to follow.
enum Hop {
    Done(FetchOutcome),
    Redirect(Url),
}

struct Failure {
    error: FetchError,
    retry_after: Option<Duration>,
}

impl From<FetchError> for Failure {
    fn from(error: FetchError) -> Self {
        Failure { error, retry_after: None }
    }
}

fn check_scheme(url: &Url) -> Result<(), FetchError> {
    if matches!(url.scheme(), "http" | "https") && url.host().is_some() {
        Ok(())
    } else {
        Err(FetchError::Scheme { url: url.to_string() })
    }
}

/// `Retry-After` as seconds or an HTTP date; a date in the past means "now".
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_http_schemes_are_refused_before_any_request() {
        for raw in ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "data:text/html,hi"] {
            let url = Url::parse(raw).unwrap();
            assert!(matches!(check_scheme(&url), Err(FetchError::Scheme { .. })), "{raw}");
        }
        assert!(check_scheme(&Url::parse("https://example.org/").unwrap()).is_ok());
    }

    #[test]
    fn content_type_checks() {
        assert!(Expect::Html.accepts("text/html; charset=utf-8"));
        assert!(Expect::Html.accepts(""));
        assert!(!Expect::Html.accepts("application/pdf"));
        assert!(!Expect::Html.accepts("image/jpeg"));
        assert!(Expect::Feed.accepts("application/rss+xml"));
        assert!(!Expect::Feed.accepts("image/png"));
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        let wait = parse_retry_after(&soon).unwrap();
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30), "{wait:?}");
        assert_eq!(parse_retry_after("soon"), None);
    }
}
