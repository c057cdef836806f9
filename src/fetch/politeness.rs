//! Politeness: per-host concurrency and spacing, and a per-domain rate limit.
//!
//! Hosts (host and port) get at most `per_host_concurrency` requests in flight, spaced by
//! the larger of the configured delay and the site's robots.txt Crawl-delay. The delay counts
//! from the later of the previous request's start and the end of its turn (its response
//! read), as the queue's host slots count it across a fleet: a request's own latency can then
//! never bring two requests closer than the delay on the server's clock. On top, every
//! registrable domain (`news.example.co.uk` and `www.example.co.uk` share `example.co.uk`,
//! via the public suffix list) is held to `per_domain_requests_per_second` with `governor`.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

struct HostState {
    slots: Arc<Semaphore>,
    next_start: Mutex<Option<Instant>>,
}

impl HostState {
    /// Moves the host's next start to at least `delay` from now (never earlier than it was).
    fn push_next_start(&self, delay: Duration) {
        let mut next = self.next_start.lock().unwrap_or_else(|p| p.into_inner());
        let after = Instant::now() + delay;
        *next = Some(next.map_or(after, |n| n.max(after)));
    }
}

/// Hands out per-host turns.
pub struct HostGates {
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
    domains: Option<DefaultKeyedRateLimiter<String>>,
}

/// A host's turn; dropping it frees the host's slot and starts the host's delay again.
pub struct HostTurn {
    _permit: OwnedSemaphorePermit,
    state: Arc<HostState>,
    delay: Duration,
}

impl Drop for HostTurn {
    fn drop(&mut self) {
        if self.delay.is_zero() {
            return;
        }
        // The next request waits `delay` after this one's response was read: the server saw
        // this request no later than that, whatever the connection's latency was.
        self.state.push_next_start(self.delay);
    }
}

/// The politeness key of a URL: its host (lower case, without a trailing dot) and port.
/// Per-host concurrency and spacing count under it, in one process (`HostGates`) and
/// across a fleet of workers (the queue's `queue_hosts`), so both agree on what a host is.
pub fn host_key(url: &Url) -> Option<String> {
    let host = url.host_str()?.trim_end_matches('.').to_ascii_lowercase();
    Some(format!("{host}:{}", url.port_or_known_default().unwrap_or(0)))
}

/// The key requests are rate-limited under: the registrable domain, or the host itself for
/// IP addresses and names without a public suffix (`localhost`, `127.0.0.1`).
pub fn domain_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").trim_end_matches('.').to_ascii_lowercase();
    if matches!(url.host(), Some(url::Host::Domain(_)))
        && let Some(domain) = psl::domain_str(&host)
    {
        return domain.to_string();
    }
    host
}

impl HostGates {
    pub fn new(per_host_concurrency: usize, per_domain_rps: u32) -> HostGates {
        HostGates {
            per_host: per_host_concurrency.max(1),
            hosts: Mutex::new(HashMap::new()),
            domains: NonZeroU32::new(per_domain_rps).map(|rps| RateLimiter::keyed(Quota::per_second(rps))),
        }
    }

    /// Waits for a slot on `url`'s host, for `delay` since the previous request there started
    /// and since its turn ended, and for the domain's rate limit.
    pub async fn acquire(&self, url: &Url, delay: Duration) -> HostTurn {
        let key = host_key(url).unwrap_or_default();
        let state = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            hosts
                .entry(key)
                .or_insert_with(|| {
                    Arc::new(HostState { slots: Arc::new(Semaphore::new(self.per_host)), next_start: Mutex::new(None) })
                })
                .clone()
        };
        let permit = match state.slots.clone().acquire_owned().await {
            Ok(permit) => permit,
            // The semaphore is never closed; this arm only satisfies the type.
            Err(_) => unreachable!("host semaphores are never closed"),
        };
        let start = {
            let mut next = state.next_start.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let start = next.map_or(now, |n| n.max(now));
            *next = Some(start + delay);
            start
        };
        tokio::time::sleep_until(start).await;
        if let Some(limiter) = &self.domains {
            limiter.until_key_ready(&domain_key(url)).await;
        }
        // A busy machine may wake this turn late: the spacing counts from when it really
        // starts, so two requests never reach the host closer than `delay`.
        state.push_next_start(delay);
        HostTurn { _permit: permit, state, delay }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_host_requests_are_spaced_by_the_delay() {
        let gates = HostGates::new(1, 0);
        let url = Url::parse("http://127.0.0.1:9/a").unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            let _turn = gates.acquire(&url, Duration::from_millis(40)).await;
        }
        assert!(start.elapsed() >= Duration::from_millis(80));
        let other = Url::parse("http://127.0.0.1:10/a").unwrap();
        let t = Instant::now();
        let _turn = gates.acquire(&other, Duration::from_millis(500)).await;
        assert!(t.elapsed() < Duration::from_millis(100), "another host must not wait");
    }

    #[tokio::test]
    async fn the_delay_counts_from_the_end_of_a_slow_request_too() {
        // A request whose response takes longer than the delay: the next one still waits
        // the whole delay after it, not only after its start (its server may have seen it
        // late, and would see the next one early).
        let gates = HostGates::new(1, 0);
        let url = Url::parse("http://127.0.0.1:9/a").unwrap();
        let delay = Duration::from_millis(60);
        let turn = gates.acquire(&url, delay).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let ended = Instant::now();
        drop(turn);
        let _next = gates.acquire(&url, delay).await;
        assert!(ended.elapsed() >= delay, "only {:?} after the previous response", ended.elapsed());
        // Without a delay nothing waits.
        let other = Url::parse("http://127.0.0.1:10/a").unwrap();
        drop(gates.acquire(&other, Duration::ZERO).await);
        let t = Instant::now();
        drop(gates.acquire(&other, Duration::ZERO).await);
        assert!(t.elapsed() < Duration::from_millis(50), "{:?}", t.elapsed());
    }

    #[tokio::test]
    async fn one_request_at_a_time_per_host() {
        let gates = Arc::new(HostGates::new(1, 0));
        let url = Url::parse("http://127.0.0.1:9/a").unwrap();
        let first = gates.acquire(&url, Duration::ZERO).await;
        let (g, u) = (gates.clone(), url.clone());
        let waiting = tokio::spawn(async move { g.acquire(&u, Duration::ZERO).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "second request must wait for the first");
        drop(first);
        tokio::time::timeout(Duration::from_secs(1), waiting).await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_host_written_with_capitals_or_a_trailing_dot_shares_its_slot() {
        let gates = Arc::new(HostGates::new(1, 0));
        // Names are never resolved: the gates only look at the URL.
        let first = gates.acquire(&Url::parse("http://news.example.com/a").unwrap(), Duration::ZERO).await;
        let g = gates.clone();
        let waiting =
            tokio::spawn(
                async move { g.acquire(&Url::parse("http://NEWS.Example.com./b").unwrap(), Duration::ZERO).await },
            );
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the same host under another spelling must wait");
        drop(first);
        tokio::time::timeout(Duration::from_secs(1), waiting).await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn domain_rate_limit_covers_subdomains() {
        let gates = HostGates::new(4, 5);
        let start = Instant::now();
        for host in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            // Names are never resolved: the limiter only looks at the URL.
            let url = Url::parse(&format!("https://{host}.example.co.uk/x")).unwrap();
            let _turn = gates.acquire(&url, Duration::ZERO).await;
        }
        // 5 per second with a burst of 5: the last three wait about 200 ms each.
        assert!(start.elapsed() >= Duration::from_millis(500), "{:?}", start.elapsed());
    }

    #[test]
    fn host_keys_ignore_case_and_a_trailing_dot_but_not_the_port() {
        let key = |u: &str| host_key(&Url::parse(u).unwrap());
        assert_eq!(key("https://Example.COM./a").as_deref(), Some("example.com:443"));
        assert_eq!(key("https://example.com/b"), key("https://EXAMPLE.com./c"));
        assert_eq!(key("http://example.com/a").as_deref(), Some("example.com:80"));
        assert_eq!(key("http://127.0.0.1:8080/").as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(key("mailto:a@b.c"), None);
    }

    #[test]
    fn domain_keys_use_the_public_suffix_list() {
        let key = |u: &str| domain_key(&Url::parse(u).unwrap());
        assert_eq!(key("https://news.example.co.uk/a"), "example.co.uk");
        assert_eq!(key("https://www.example.com/a"), "example.com");
        assert_eq!(key("http://127.0.0.1:8080/"), "127.0.0.1");
        assert_eq!(key("http://localhost/"), "localhost");
    }
}
