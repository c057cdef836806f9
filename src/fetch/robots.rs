//! robots.txt: fetched once per origin per run and consulted before every request.
//!
//! 2xx: the file's rules; 4xx: everything allowed; 5xx or unreachable: everything disallowed
//! for this run (the conservative reading of RFC 9309 §2.3.1.4). Files are capped at 500 KiB.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use texting_robots::Robot;
use tokio::sync::OnceCell;
use url::Url;

use super::client::{Expect, Hop, Validators};
use super::{FetchError, FetchOutcome, Fetcher};

/// RFC 9309 lets crawlers stop reading robots.txt after 500 KiB.
const MAX_ROBOTS_BYTES: usize = 500 * 1024;
/// RFC 9309 §2.4: a cached robots.txt should not be used for more than 24 hours.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// An unavailable robots.txt is asked again sooner: the site may be back.
const UNAVAILABLE_TTL: Duration = Duration::from_secs(10 * 60);

enum Rules {
    AllowAll,
    /// robots.txt could not be read (5xx, unreachable): nothing is fetched from the origin.
    Unavailable(String),
    Parsed(Box<Robot>),
}

impl Rules {
    fn ttl(&self) -> Duration {
        match self {
            Rules::Unavailable(_) => UNAVAILABLE_TTL,
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

impl RobotsCache {
    pub fn new(user_agent: &str) -> RobotsCache {
        // The product token: "quotewire/0.1 (+url)" -> "quotewire".
        let agent = user_agent.split(['/', ' ']).next().filter(|t| !t.is_empty()).unwrap_or("quotewire").to_string();
        RobotsCache { agent, origins: Mutex::new(HashMap::new()) }
    }

    /// `Ok` when `url` may be fetched; `Disallowed`, or `RobotsUnavailable` when the
    /// origin's robots.txt could not be read.
    pub async fn check(&self, fetcher: &Fetcher, url: &Url) -> Result<(), FetchError> {
        let origin = url.origin().ascii_serialization();
        let cell = {
            let mut origins = self.origins.lock().unwrap_or_else(|p| p.into_inner());
            let cell = origins.entry(origin.clone()).or_default();
            if cell.get().is_some_and(|(loaded, rules)| loaded.elapsed() > rules.ttl()) {
                *cell = Arc::default();
            }
            cell.clone()
        };
        let (_, rules) = cell.get_or_init(|| async { (Instant::now(), self.load(fetcher, &origin).await) }).await;
        match rules {
            Rules::AllowAll => Ok(()),
            Rules::Parsed(robot) if robot.allowed(url.as_str()) => Ok(()),
            Rules::Parsed(_) => Err(FetchError::Disallowed { url: url.to_string() }),
            Rules::Unavailable(message) => {
                Err(FetchError::RobotsUnavailable { url: url.to_string(), message: message.clone() })
            }
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

    async fn load(&self, fetcher: &Fetcher, origin: &str) -> Rules {
        let Ok(robots_url) = Url::parse(&format!("{origin}/robots.txt")) else {
            return Rules::Unavailable(format!("`{origin}` has no robots.txt URL"));
        };
        // Follow up to five redirects (RFC 9309), without consulting robots for robots.txt.
        let mut current = robots_url;
        for _ in 0..5 {
            match fetcher.fetch_one(&current, &Validators::default(), Expect::Text).await {
                Ok(Hop::Redirect(target)) => current = target,
                Ok(Hop::Done(FetchOutcome::Fetched(page))) => {
                    let body = &page.body[..page.body.len().min(MAX_ROBOTS_BYTES)];
                    return match Robot::new(&self.agent, body) {
                        Ok(robot) => Rules::Parsed(Box::new(robot)),
                        Err(_) => Rules::AllowAll,
                    };
                }
                Ok(Hop::Done(FetchOutcome::NotModified)) => return Rules::AllowAll,
                Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => return Rules::AllowAll,
                Err(FetchError::ContentType { .. }) => return Rules::AllowAll,
                Err(error) => {
                    tracing::warn!("robots.txt for {origin} unavailable, not fetching from it this run: {error}");
                    return Rules::Unavailable(error.to_string());
                }
            }
        }
        Rules::Unavailable("robots.txt redirects more than 5 times".to_string())
    }
}
