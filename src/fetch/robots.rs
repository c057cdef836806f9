//! robots.txt: fetched once per origin per run and consulted before every request.
//!
//! 2xx: the file's rules (only its first 500 KiB are read); 4xx: everything allowed; 5xx:
//! everything disallowed for a while (the conservative reading of RFC 9309 §2.3.1.4);
//! unreachable: the origin's pages fail with the network error itself. The cache is given a
//! fetch function, so it never depends on the client that uses it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use texting_robots::Robot;
use tokio::sync::OnceCell;
use url::Url;

use super::FetchError;

/// RFC 9309 lets crawlers stop reading robots.txt after 500 KiB; the rest is never downloaded.
pub(super) const MAX_ROBOTS_BYTES: usize = 500 * 1024;
/// RFC 9309 §2.4: a cached robots.txt should not be used for more than 24 hours.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// An unavailable robots.txt is asked again sooner: the site may be back.
const UNAVAILABLE_TTL: Duration = Duration::from_secs(10 * 60);
/// RFC 9309 §2.3.1.2: follow at least five redirects.
const MAX_ROBOTS_REDIRECTS: usize = 5;

/// What one request for robots.txt gave.
pub(super) enum RobotsResponse {
    Body(Vec<u8>),
    Redirect(Url),
}

enum Rules {
    AllowAll,
    /// robots.txt answered with a server error: nothing is fetched from the origin.
    Unavailable(String),
    /// The origin could not be reached at all: its pages fail with this error.
    Unreachable(FetchError),
    Parsed(Box<Robot>),
}

impl Rules {
    fn ttl(&self) -> Duration {
        match self {
            Rules::Unavailable(_) | Rules::Unreachable(_) => UNAVAILABLE_TTL,
            _ => ROBOTS_TTL,
        }
    }
}

/// Rules and when they were read.
type Loaded = (Instant, Rules);

/// Per-origin robots.txt rules.
pub struct RobotsCache {
    agent: String,
    origins: Mutex<HashMap<String, Arc<OnceCell<Loaded>>>>,
}

/// The product token of a user agent: "quotewire/0.1 (+url)" -> "quotewire".
fn product_token(user_agent: &str) -> String {
    user_agent.split(['/', ' ']).next().filter(|t| !t.is_empty()).unwrap_or("quotewire").to_string()
}

/// Parses a robots.txt body for `agent`; a body that is not a robots file (binary, HTML)
/// allows everything, as a missing file would.
fn parse_rules(agent: &str, body: &[u8]) -> Rules {
    let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
    match Robot::new(agent, body) {
        Ok(robot) => Rules::Parsed(Box::new(robot)),
        Err(_) => Rules::AllowAll,
    }
}

/// Whether `agent` may fetch `url` under the robots.txt `body` (for fuzzing and tests).
pub fn robots_allows(body: &[u8], agent: &str, url: &str) -> bool {
    match parse_rules(&product_token(agent), body) {
        Rules::Parsed(robot) => robot.allowed(url),
        _ => true,
    }
}

impl RobotsCache {
    pub fn new(user_agent: &str) -> RobotsCache {
        RobotsCache { agent: product_token(user_agent), origins: Mutex::new(HashMap::new()) }
    }

    /// `Ok` when `url` may be fetched; `Disallowed`, `RobotsUnavailable` when the origin's
    /// robots.txt failed, or the network error when the origin cannot be reached. `fetch`
    /// performs one GET of a robots.txt URL (no redirects followed).
    pub async fn check<F, Fut>(&self, url: &Url, fetch: F) -> Result<(), FetchError>
    where
        F: Fn(Url) -> Fut,
        Fut: Future<Output = Result<RobotsResponse, FetchError>>,
    {
        let origin = url.origin().ascii_serialization();
        let cell = {
            let mut origins = self.origins.lock().unwrap_or_else(|p| p.into_inner());
            let cell = origins.entry(origin.clone()).or_default();
            if cell.get().is_some_and(|(loaded, rules)| loaded.elapsed() > rules.ttl()) {
                *cell = Arc::default();
            }
            cell.clone()
        };
        let (_, rules) = cell.get_or_init(|| async { (Instant::now(), self.load(&origin, fetch).await) }).await;
        match rules {
            Rules::AllowAll => Ok(()),
            Rules::Parsed(robot) if robot.allowed(url.as_str()) => Ok(()),
            Rules::Parsed(_) => Err(FetchError::Disallowed { url: url.to_string() }),
            Rules::Unavailable(message) => {
                Err(FetchError::RobotsUnavailable { url: url.to_string(), message: message.clone() })
            }
            Rules::Unreachable(error) => Err(error.for_url(url)),
        }
    }

    /// The Crawl-delay of `url`'s origin, once its robots.txt has been read.
    pub fn crawl_delay(&self, url: &Url) -> Option<Duration> {
        let origins = self.origins.lock().unwrap_or_else(|p| p.into_inner());
        match &origins.get(&url.origin().ascii_serialization())?.get()?.1 {
            Rules::Parsed(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f64(f64::from(d).min(3600.0))),
            _ => None,
        }
    }

    async fn load<F, Fut>(&self, origin: &str, fetch: F) -> Rules
    where
        F: Fn(Url) -> Fut,
        Fut: Future<Output = Result<RobotsResponse, FetchError>>,
    {
        let Ok(robots_url) = Url::parse(&format!("{origin}/robots.txt")) else {
            return Rules::Unavailable(format!("`{origin}` has no robots.txt URL"));
        };
        let mut current = robots_url;
        for _ in 0..=MAX_ROBOTS_REDIRECTS {
            match fetch(current.clone()).await {
                Ok(RobotsResponse::Redirect(target)) => current = target,
                Ok(RobotsResponse::Body(body)) => return parse_rules(&self.agent, &body),
                Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => return Rules::AllowAll,
                Err(FetchError::ContentType { .. }) => return Rules::AllowAll,
                Err(FetchError::Status { status, .. }) => {
                    tracing::debug!(%origin, status, "robots.txt failed; not fetching from the site for now");
                    return Rules::Unavailable(format!("answered HTTP {status}"));
                }
                Err(
                    error @ (FetchError::Network { .. } | FetchError::Timeout { .. } | FetchError::Forbidden { .. }),
                ) => {
                    return Rules::Unreachable(error);
                }
                Err(error) => return Rules::Unavailable(error.to_string()),
            }
        }
        Rules::Unavailable(format!("redirects more than {MAX_ROBOTS_REDIRECTS} times"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_apply_to_our_product_token_and_garbage_allows_all() {
        let robots = b"User-agent: quotewire\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n";
        assert!(!robots_allows(robots, "quotewire/0.1 (+https://x)", "http://a.example/private/x"));
        assert!(robots_allows(robots, "quotewire/0.1 (+https://x)", "http://a.example/news/x"));
        assert!(!robots_allows(robots, "otherbot/1.0", "http://a.example/news/x"));
        assert!(robots_allows(&[0xff, 0x00, 0x89, b'P', b'N', b'G'], "quotewire", "http://a.example/x"));
    }

    #[tokio::test]
    async fn an_unreachable_origin_fails_with_the_network_error_and_a_5xx_blocks_it() {
        let cache = RobotsCache::new("quotewire/0.1");
        let url = Url::parse("http://127.0.0.1:9/story.html").unwrap();
        let refused = |u: Url| async move {
            Err(FetchError::Network { url: u.to_string(), message: "connection refused".into() })
        };
        let err = cache.check(&url, refused).await.unwrap_err();
        assert_eq!(err.to_string(), "cannot reach http://127.0.0.1:9/story.html: connection refused");

        let cache = RobotsCache::new("quotewire/0.1");
        let failing =
            |u: Url| async move { Err(FetchError::Status { url: u.to_string(), status: 503, retry_after: None }) };
        let err = cache.check(&url, failing).await.unwrap_err();
        let message = err.to_string();
        assert!(message.contains("robots.txt answered HTTP 503") && message.ends_with("next run"), "{message}");
    }

    #[tokio::test]
    async fn redirect_loops_stop_after_five_hops() {
        let cache = RobotsCache::new("quotewire/0.1");
        let url = Url::parse("http://127.0.0.1:9/a").unwrap();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let looping = |u: Url| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move { Ok(RobotsResponse::Redirect(u)) }
        };
        assert!(matches!(cache.check(&url, looping).await, Err(FetchError::RobotsUnavailable { .. })));
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), MAX_ROBOTS_REDIRECTS + 1);
    }
}
