//! Leader leases: a role (e.g. `scheduler`) held by one worker at a time, for a time it
//! must renew. A leader that dies or hangs stops renewing, and another worker takes the role
//! once the lease ran out; a leader that lost its lease learns it at its next renewal and
//! must stop acting. Chosen over an advisory lock because a lease also ends when a leader
//! hangs with its connection still open, and it is visible in a table.
//!
//! Each taking of a role gets a new *term* (a fencing token): a leader's writes check, in the
//! same statement, that the role is still its own in that term and its lease has not run out,
//! holding the role's row until they commit (see `schedule.rs`), so a deposed leader that has
//! not yet noticed cannot act.

use std::time::Duration;

use super::{Queue, QueueError};

/// Takes the role if nobody holds it or the holder's lease ran out (a new term), or renews
/// it if we hold it (the same term); one statement, so of workers asking at once exactly one
/// gets it.
const LEAD: &str = "
INSERT INTO queue_leaders (role, holder, expires_at, term)
VALUES ($1, $2, clock_timestamp() + $3::bigint * interval '1 millisecond', 1)
ON CONFLICT (role) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
    term = CASE WHEN queue_leaders.holder = excluded.holder AND queue_leaders.expires_at > clock_timestamp()
        THEN queue_leaders.term ELSE queue_leaders.term + 1 END
WHERE queue_leaders.holder = excluded.holder OR queue_leaders.expires_at <= clock_timestamp()
RETURNING term";

impl Queue {
    /// Whether this worker leads `role` for the next `lease` (taken or renewed now). Call it
    /// before each round of the role's work, well within the lease.
    pub async fn try_lead(&self, role: &str, lease: Duration) -> Result<bool, QueueError> {
        Ok(self.lead(role, lease).await?.is_some())
    }

    /// As [`Queue::try_lead`], with the term this worker leads in (the fencing token its
    /// leader's writes give), or `None` when another worker leads.
    pub async fn lead(&self, role: &str, lease: Duration) -> Result<Option<i64>, QueueError> {
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        Ok(self.client.query_opt(LEAD, &[&role, &self.worker, &lease_ms]).await?.map(|row| row.get(0)))
    }

    /// Gives up `role` if this worker holds it (a clean shutdown), so another can take it at
    /// once (in a new term: the row and its term stay).
    pub async fn resign(&self, role: &str) -> Result<(), QueueError> {
        self.client
            .execute(
                "UPDATE queue_leaders SET expires_at = '-infinity' WHERE role = $1 AND holder = $2",
                &[&role, &self.worker],
            )
            .await?;
        Ok(())
    }

    /// The current holder of `role` whose lease has not run out.
    pub async fn leader(&self, role: &str) -> Result<Option<String>, QueueError> {
        Ok(self
            .client
            .query_opt("SELECT holder FROM queue_leaders WHERE role = $1 AND expires_at > clock_timestamp()", &[&role])
            .await?
            .map(|row| row.get(0)))
    }
}
