//! The fleet's scheduler: pipelines registered in PostgreSQL (`enqueue --schedule`) are
//! queued when due by the one worker that leads the `scheduler` role. Every worker runs
//! [`lead_schedules`]; it renews or takes the role's lease, and only the holder looks at the
//! schedules. When a pipeline is due comes from the same computation as the embedded
//! daemon's ([`next_start`]: cadence, jitter, one catch-up after downtime), counted from the
//! due time of the last run queued. The queue makes each due time queued exactly once and
//! fences a deposed leader out (`queue::Queue::queue_due`); a leader that dies is replaced
//! once its lease runs out.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::plan::next_start;
use crate::queue::{Queue, QueueError, SCHEDULER_ROLE};

/// How long the scheduler role is leased: a dead leader's schedules wait at most this long.
pub const DEFAULT_LEADER_LEASE: Duration = Duration::from_secs(30);
/// Longest wait after a failed round (PostgreSQL unreachable for a moment).
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(5);

/// What one worker's scheduler did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FleetScheduleReport {
    /// Runs this worker queued as the leader.
    pub runs_queued: u64,
    /// Jobs those runs added.
    pub jobs_added: u64,
}

/// Leads the scheduler role when it can and queues registered pipelines when due, until
/// `stop` (then resigns, so another worker takes over at once). `queue` must be this loop's
/// own handle (its worker name is the leader's). Errors are logged and retried: a worker's
/// jobs do not stop for the scheduler's problems.
pub async fn lead_schedules(queue: Queue, lease: Duration, stop: CancellationToken) -> FleetScheduleReport {
    let mut report = FleetScheduleReport::default();
    let renew_every = lease / 3;
    let mut leading = false;
    loop {
        let wait = match round(&queue, lease, &mut report, &mut leading).await {
            Ok(Some(next_due)) => (next_due - Utc::now()).to_std().unwrap_or(Duration::ZERO).min(renew_every),
            Ok(None) => renew_every,
            Err(e) => {
                tracing::warn!("fleet scheduler: {e}");
                renew_every.min(RETRY_AFTER_ERROR)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.cancelled() => break,
        }
    }
    if leading && let Err(e) = queue.resign(SCHEDULER_ROLE).await {
        tracing::warn!("fleet scheduler: cannot resign: {e}");
    }
    report
}

/// One round: take or renew the role; as the leader, queue every due pipeline. Returns the
/// earliest next due time when leading.
async fn round(
    queue: &Queue,
    lease: Duration,
    report: &mut FleetScheduleReport,
    leading: &mut bool,
) -> Result<Option<DateTime<Utc>>, QueueError> {
    let Some(term) = queue.lead(SCHEDULER_ROLE, lease).await? else {
        if *leading {
            tracing::info!(worker = queue.worker(), "no longer leads the fleet's scheduler");
        }
        *leading = false;
        return Ok(None);
    };
    if !*leading {
        tracing::info!(worker = queue.worker(), term, "leads the fleet's scheduler");
    }
    *leading = true;
    let mut earliest: Option<DateTime<Utc>> = None;
    for registration in queue.schedules().await? {
        let now = Utc::now();
        let due =
            next_start(&registration.pipeline, &registration.cadence, registration.jitter, registration.last_due, now);
        if due > now {
            earliest = Some(earliest.map_or(due, |e| e.min(due)));
            continue;
        }
        match queue.queue_due(SCHEDULER_ROLE, term, &registration, due).await? {
            Some(added) => {
                let after = Utc::now();
                let next =
                    next_start(&registration.pipeline, &registration.cadence, registration.jitter, Some(due), after);
                earliest = Some(earliest.map_or(next, |e| e.min(next)));
                report.runs_queued += 1;
                report.jobs_added += added;
                tracing::info!(pipeline = %registration.pipeline, due = %due, added, "queued a scheduled run");
            }
            // Fenced out (the lease ran out meanwhile) or queued by another: the next round
            // finds out which.
            None => return Ok(None),
        }
    }
    Ok(earliest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cadence;
    use crate::postgres::throwaway;
    use crate::queue::{JobKind, NewJob, Registration};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_worker_queues_each_due_time_once_and_another_takes_over_when_it_dies() {
        let Some(url) = throwaway::test_database("fleet_scheduler_takes_over") else { return };
        let every = Duration::from_millis(250);
        let lease = Duration::from_millis(1_500);
        let setup = Queue::connect(&url, "setup").await.unwrap();
        let feed = NewJob::new("news", "feed", JobKind::Feed, "http://127.0.0.1:8001/feed.xml", Duration::ZERO);
        let news = Registration {
            pipeline: "news".into(),
            cadence: Cadence::Every(every),
            jitter: Duration::ZERO,
            jobs: vec![feed],
            last_due: None,
        };
        setup.register_schedule(&news).await.unwrap();
        let mut workers = Vec::new();
        for w in 0..3 {
            let queue = Queue::connect(&url, &format!("worker-{w}")).await.unwrap();
            let stop = CancellationToken::new();
            workers.push((tokio::spawn(lead_schedules(queue, lease, stop.clone())), stop));
        }
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        // The leader dies (no resignation, no more renewals).
        let leader = setup.leader(SCHEDULER_ROLE).await.unwrap().expect("a leader");
        let dead: usize = leader.trim_start_matches("worker-").parse().unwrap();
        workers[dead].0.abort();
        let died = Utc::now();
        tokio::time::sleep(lease + Duration::from_millis(1_500)).await;
        for (w, (task, stop)) in workers.into_iter().enumerate() {
            stop.cancel();
            if w != dead {
                task.await.unwrap();
            }
        }
        let runs = setup.scheduled_runs().await.unwrap();
        // Each due time once, each at least one cadence after the one before (the queue's key
        // would refuse a second run of one due time; the gaps show nothing ran early).
        for pair in runs.windows(2) {
            assert!(pair[1].due - pair[0].due >= chrono::Duration::from_std(every).unwrap(), "{runs:#?}");
        }
        let (before, after): (Vec<_>, Vec<_>) = runs.iter().partition(|r| r.due <= died);
        assert!(before.len() >= 3, "{runs:#?}");
        assert!(before.iter().all(|r| r.leader == leader), "one leader at a time: {runs:#?}");
        // Another worker took over, in a newer term, only once the dead leader's lease ran out.
        let successor = after.first().expect("runs after the leader died");
        assert_ne!(successor.leader, leader);
        assert!(successor.term > before[0].term);
        assert!(after.iter().all(|r| r.leader == successor.leader && r.term == successor.term), "{runs:#?}");
        // The leader renewed at every run (a cadence apart), so its lease ran out at least
        // `lease - every` after it died: nobody took over before then.
        let waited = (successor.due - died).to_std().unwrap_or_default();
        assert!(waited >= lease / 2, "took over {waited:?} after the leader died: {runs:#?}");
        assert!(after.len() >= 3, "{runs:#?}");
        // The first run queued the feed; the later ones found it still pending.
        assert_eq!(runs[0].jobs_added, 1);
        assert_eq!(setup.counts().await.unwrap().queued, 1);
    }
}
