//! When a pipeline runs next: the next slot of its cadence after its last start, delayed by
//! a jitter that is the same for a given pipeline and slot (so a restart does not move it),
//! and "now" for a slot already past (a missed run is caught up once, not once per slot).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::config::Cadence;

/// How far ahead a cron expression that never matches (`0 0 30 2 *`) pushes the next run.
const NEVER: chrono::Duration = chrono::Duration::days(366);

/// The first slot of `cadence` strictly after `after`.
pub fn next_slot(cadence: &Cadence, after: DateTime<Utc>) -> DateTime<Utc> {
    match cadence {
        Cadence::Every(every) => after + chrono::Duration::from_std(*every).unwrap_or(NEVER),
        Cadence::Cron { cron, .. } => cron.find_next_occurrence(&after, false).unwrap_or(after + NEVER),
    }
}

/// The jitter of a pipeline's slot: up to `max`, fixed for the pair.
pub fn jitter(pipeline: &str, slot: DateTime<Utc>, max: Duration) -> Duration {
    let max_ms = max.as_millis() as u64;
    if max_ms == 0 {
        return Duration::ZERO;
    }
    let digest =
        Sha256::new().chain_update(pipeline.as_bytes()).chain_update(slot.timestamp().to_le_bytes()).finalize();
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    Duration::from_millis(u64::from_le_bytes(first) % max_ms)
}

/// When `pipeline` should start next. Never run: now. Otherwise the slot after its last
/// start plus jitter, or now if that moment has passed (downtime, an overrunning run).
pub fn next_start(
    pipeline: &str,
    cadence: &Cadence,
    max_jitter: Duration,
    last_start: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let Some(last) = last_start else { return now };
    let slot = next_slot(cadence, last);
    let due = slot + chrono::Duration::from_std(jitter(pipeline, slot, max_jitter)).unwrap_or_default();
    due.max(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_pipeline_never_run_starts_now() {
        let now = at("2024-05-01T10:00:00Z");
        assert_eq!(next_start("p", &Cadence::Every(Duration::from_secs(60)), Duration::ZERO, None, now), now);
    }

    #[test]
    fn intervals_count_from_the_last_start_and_overruns_start_at_once() {
        let every = Cadence::Every(Duration::from_secs(1800));
        let last = at("2024-05-01T10:00:00Z");
        let due = next_start("p", &every, Duration::ZERO, Some(last), at("2024-05-01T10:05:00Z"));
        assert_eq!(due, at("2024-05-01T10:30:00Z"));
        let late = at("2024-05-01T10:45:00Z");
        assert_eq!(next_start("p", &every, Duration::ZERO, Some(last), late), late);
    }

    #[test]
    fn after_downtime_a_missed_run_is_caught_up_once() {
        let cron = Cadence::cron("0 * * * *").unwrap();
        let last = at("2024-05-01T10:00:00Z");
        // Down for five hours: five slots missed, one run now.
        let now = at("2024-05-01T15:20:00Z");
        assert_eq!(next_start("p", &cron, Duration::ZERO, Some(last), now), now);
        // That run starts now; the next is the next slot, not the missed ones.
        assert_eq!(next_start("p", &cron, Duration::ZERO, Some(now), now), at("2024-05-01T16:00:00Z"));
    }

    #[test]
    fn cron_slots_follow_the_expression() {
        let cron = Cadence::cron("*/15 9-17 * * 1-5").unwrap();
        // Friday 17:50 → Monday 09:00.
        assert_eq!(next_slot(&cron, at("2024-05-03T17:50:00Z")), at("2024-05-06T09:00:00Z"));
        let seconds = Cadence::cron("*/10 * * * * *").unwrap();
        assert_eq!(next_slot(&seconds, at("2024-05-03T17:50:01Z")), at("2024-05-03T17:50:10Z"));
    }

    #[test]
    fn jitter_is_bounded_and_stable_per_pipeline_and_slot() {
        let slot = at("2024-05-01T10:00:00Z");
        let max = Duration::from_secs(300);
        let a = jitter("news", slot, max);
        assert!(a < max);
        assert_eq!(a, jitter("news", slot, max), "a restart keeps the same start");
        let spread: std::collections::HashSet<Duration> =
            (0..20).map(|i| jitter(&format!("pipeline-{i}"), slot, max)).collect();
        assert!(spread.len() > 10, "pipelines sharing a schedule start apart");
        assert_eq!(jitter("news", slot, Duration::ZERO), Duration::ZERO);
    }
}
