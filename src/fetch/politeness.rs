//! Per-host politeness: one request at a time per host and a minimum delay between them.
//!
//! A host's turn is a lock held for the whole request; the delay is measured from the end of
//! the previous request to that host. Hosts are keyed by host and port.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use tokio::time::Instant;
use url::Url;

/// Hands out per-host turns.
#[derive(Default)]
pub struct HostGates {
    gates: Mutex<HashMap<String, Arc<AsyncMutex<Option<Instant>>>>>,
}

/// A host's turn; dropping it ends the turn and starts the delay.
pub struct HostTurn {
    guard: OwnedMutexGuard<Option<Instant>>,
}

impl Drop for HostTurn {
    fn drop(&mut self) {
        *self.guard = Some(Instant::now());
    }
}

impl HostGates {
    /// Waits for `url`'s host to be free and for `delay` to have passed since its last request.
    pub async fn acquire(&self, url: &Url, delay: Duration) -> HostTurn {
        let key = format!("{}:{}", url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(0));
        let gate = {
            let mut gates = self.gates.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            gates.entry(key).or_default().clone()
        };
        let guard = gate.lock_owned().await;
        if let Some(last) = *guard {
            tokio::time::sleep_until(last + delay).await;
        }
        HostTurn { guard }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_host_requests_are_spaced_by_the_delay() {
        let gates = Arc::new(HostGates::default());
        let url = Url::parse("http://127.0.0.1:9/a").unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            let _turn = gates.acquire(&url, Duration::from_millis(40)).await;
        }
        assert!(start.elapsed() >= Duration::from_millis(80));
        let other = Url::parse("http://127.0.0.1:10/a").unwrap();
        let t = Instant::now();
        let _turn = gates.acquire(&other, Duration::from_millis(500)).await;
        assert!(t.elapsed() < Duration::from_millis(100), "other host must not wait");
    }
}
