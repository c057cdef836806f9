//! Scheduling: decides when each pipeline is due. It does no work itself.
//!
//! Each pipeline runs once at start, then every `every` after its previous run *started*;
//! a run that overruns its interval is followed by the next one immediately, never by a
//! burst of catch-up runs.

use std::time::{Duration, Instant};

/// Next-due times of a set of pipelines.
#[derive(Debug, Clone)]
pub struct Schedule {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    every: Duration,
    next_due: Instant,
}

impl Schedule {
    /// Every pipeline is due at `now`.
    pub fn new(intervals: &[Duration], now: Instant) -> Schedule {
        Schedule { entries: intervals.iter().map(|&every| Entry { every, next_due: now }).collect() }
    }

    /// The pipeline due first and when.
    pub fn next(&self) -> Option<(usize, Instant)> {
        self.entries.iter().enumerate().min_by_key(|(i, e)| (e.next_due, *i)).map(|(i, e)| (i, e.next_due))
    }

    /// Records that pipeline `i` started a run at `started`.
    pub fn started(&mut self, i: usize, started: Instant) {
        if let Some(entry) = self.entries.get_mut(i) {
            entry.next_due = started + entry.every;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipelines_run_in_due_order_without_catch_up_bursts() {
        let t0 = Instant::now();
        let mut s = Schedule::new(&[Duration::from_secs(60), Duration::from_secs(10)], t0);
        assert_eq!(s.next(), Some((0, t0)));
        s.started(0, t0);
        assert_eq!(s.next(), Some((1, t0)));
        s.started(1, t0);
        assert_eq!(s.next(), Some((1, t0 + Duration::from_secs(10))));
        // An overrunning run: the next is due right after, once.
        s.started(1, t0 + Duration::from_secs(100));
        assert_eq!(s.next(), Some((0, t0 + Duration::from_secs(60))));
        assert!(Schedule::new(&[], t0).next().is_none());
    }
}
