//! The work queue for many workers on many machines: fetch jobs (one per URL: a feed, a
//! sitemap, a site to discover, a newsroom listing or a page, with the parameters a worker
//! needs beyond the URL) in PostgreSQL, claimed with `FOR UPDATE SKIP LOCKED` under a lease
//! that expires when a worker dies, with per-host politeness that holds across the whole
//! fleet, retries with back-off, and a leader lease so scheduling runs in exactly one place.
//!
//! Politeness: every host has a row (`queue_hosts`) with its interval, `next_allowed_at`,
//! its concurrency and the jobs holding it now (`in_flight`). A claim locks the host row
//! (skipping hosts another claimer holds), takes due jobs of that host, and moves
//! `next_allowed_at` to the claim time plus the interval, all in one statement: two claims
//! of one host's jobs are at least the interval apart on the server's clock, however many
//! workers claim. A holding claim ([`Queue::claim_holding`]) also counts the job in the
//! host's `in_flight` until the job releases it ([`Queue::release_host`], or when it is
//! completed, failed or reclaimed, in the same statement): a host with an interval admits
//! one held job at a time and its interval starts when that job lets go (strict spacing
//! however long a request takes), a host with none admits up to its concurrency (the
//! fetcher's `per_host_concurrency`), as the embedded fetcher does. `ready` counts each host's queued jobs so a claim only
//! looks at hosts with work (a million finished hosts cost nothing); every statement that
//! moves a job into or out of `queued` keeps it.
//!
//! The queue owns the `queue_*` tables and their migrations; it never fetches, stores a
//! document or decides when a pipeline runs (the leader does that, elsewhere).

mod leader;
mod schedule;
mod schema;
#[cfg(test)]
mod tests;

pub use schedule::{Registration, SCHEDULER_ROLE, ScheduledRun};

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use tokio_postgres::{Client, Statement};

use crate::postgres::{self, PostgresError};

/// Attempts of a job before it is failed for good (failures and expired leases both count).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// First wait before a failed job is retried; doubled per attempt.
pub const RETRY_BASE: Duration = Duration::from_secs(60);
/// Longest wait before a retry: a failing URL is still retried a few times a day.
pub const RETRY_MAX: Duration = Duration::from_secs(6 * 3600);
/// How often one queue handle looks for expired leases while claiming: often enough that a
/// dead worker's jobs come back within seconds, rarely enough to cost nothing.
const REAP_EVERY: Duration = Duration::from_secs(1);
/// Times a statement is retried after PostgreSQL rolled it back for a deadlock.
const DEADLOCK_RETRIES: usize = 5;

/// Errors of the work queue.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error(transparent)]
    Postgres(#[from] PostgresError),
    #[error("queue query failed: {0}")]
    Query(#[from] tokio_postgres::Error),
    #[error("cannot queue `{url}`: {message}")]
    InvalidUrl { url: String, message: &'static str },
    #[error(
        "job {id} ({url}) is no longer ours: its lease expired and it went back to the queue; the result was not recorded"
    )]
    LeaseLost { id: i64, url: String },
    #[error("unknown job kind `{0}` in the queue: expected feed, sitemap, site, listing or page")]
    UnknownKind(String),
    #[error("the schedule of pipeline `{pipeline}` in the queue cannot be read: {message}")]
    BadSchedule { pipeline: String, message: String },
}

/// What a job fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    Feed,
    Sitemap,
    /// A home page and its robots.txt, read for feeds and sitemaps (queue migration 3).
    Site,
    /// A newsroom listing page and the pages after it; its selectors are the job's `params`.
    Listing,
    Page,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Feed => "feed",
            JobKind::Sitemap => "sitemap",
            JobKind::Site => "site",
            JobKind::Listing => "listing",
            JobKind::Page => "page",
        }
    }

    fn parse(s: &str) -> Result<JobKind, QueueError> {
        match s {
            "feed" => Ok(JobKind::Feed),
            "sitemap" => Ok(JobKind::Sitemap),
            "site" => Ok(JobKind::Site),
            "listing" => Ok(JobKind::Listing),
            "page" => Ok(JobKind::Page),
            other => Err(QueueError::UnknownKind(other.to_string())),
        }
    }
}

/// The politeness key of a URL: host and port, the one the fetcher's own per-host limits use.
pub use crate::fetch::host_key;

/// A job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub pipeline: String,
    /// The source the URL came from (its name in the pipeline file, or the URL itself).
    pub source: String,
    pub kind: JobKind,
    pub url: String,
    /// The least time between two fetches from the URL's host, fleet-wide. When sources
    /// disagree about a host, the longest interval holds.
    pub host_interval: Duration,
    /// Jobs of the URL's host held at once fleet-wide when its interval is zero (the
    /// fetcher's `per_host_concurrency`). When sources disagree, the smallest holds.
    pub host_concurrency: u32,
    pub max_attempts: u32,
    /// What the job needs besides its URL, as JSON (a listing's selectors); the queue keeps
    /// it and hands it back with the claim without reading it.
    pub params: Option<String>,
}

impl NewJob {
    pub fn new(pipeline: &str, source: &str, kind: JobKind, url: &str, host_interval: Duration) -> NewJob {
        NewJob {
            pipeline: pipeline.to_string(),
            source: source.to_string(),
            kind,
            url: url.to_string(),
            host_interval,
            host_concurrency: 1,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            params: None,
        }
    }
}

/// A job a worker holds until its lease expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: i64,
    pub pipeline: String,
    pub source: String,
    pub kind: JobKind,
    pub url: String,
    pub host: String,
    /// 1 for the first attempt; completing or failing checks it, so a worker whose lease
    /// expired cannot record over the worker that has the job now.
    pub attempt: i32,
    /// When the server granted the claim (its clock, which politeness is measured on).
    pub claimed_at: SystemTime,
    /// The job's [`NewJob::params`] (PostgreSQL's normalised JSON text).
    pub params: Option<String>,
}

/// What to do with a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Exponential back-off from [`RETRY_BASE`] up to [`RETRY_MAX`].
    Backoff,
    /// Not before this long, and no job of its host claimed before then either (a server's
    /// `Retry-After`: it speaks for the whole host).
    After(Duration),
    /// Never (a permanent error: 404, not allowed by robots.txt).
    Never,
}

/// What became of a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// Back in the queue, claimable after the delay.
    Requeued { after: Duration },
    /// Failed for good (attempts used up, or [`Retry::Never`]).
    Failed,
}

/// Jobs by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct QueueCounts {
    pub queued: u64,
    pub running: u64,
    pub done: u64,
    pub failed: u64,
}

/// What a sweep of expired leases did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reclaimed {
    /// Jobs back in the queue.
    pub requeued: u64,
    /// Jobs whose attempts were used up: failed for good.
    pub failed: u64,
}

/// The jobs of an enqueue, one row per job, from parameters `$1` to `$9`.
macro_rules! job_rows {
    () => {
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::int[], $8::int[], $9::text[])
        AS t (pipeline, source, kind, url, host, interval_ms, max_attempts, concurrency, params)"
    };
}

/// Queues the rows of a CTE `input` (of [`job_rows`]): `inserted` holds the jobs added.
macro_rules! insert_input {
    () => {
        "inserted AS (
    INSERT INTO queue_jobs (pipeline, source, kind, url, host, max_attempts, params)
    SELECT pipeline, source, kind, url, host, max_attempts, params::jsonb FROM input
    ON CONFLICT (pipeline, url) WHERE state IN ('queued', 'running') DO NOTHING
    RETURNING host
), added AS (
    SELECT host, count(*) AS n FROM inserted GROUP BY host
), input_hosts AS (
    SELECT i.host, max(i.interval_ms) AS interval_ms, min(i.concurrency) AS concurrency FROM input i GROUP BY i.host
), hosts AS (
    INSERT INTO queue_hosts (host, interval_ms, concurrency, ready)
    SELECT p.host, p.interval_ms, p.concurrency, COALESCE(a.n, 0) FROM input_hosts p LEFT JOIN added a USING (host)
    ORDER BY p.host
    ON CONFLICT (host) DO UPDATE SET ready = queue_hosts.ready + excluded.ready,
        interval_ms = GREATEST(queue_hosts.interval_ms, excluded.interval_ms),
        concurrency = LEAST(queue_hosts.concurrency, excluded.concurrency)
)"
    };
}
pub(crate) use {insert_input, job_rows};

const ENQUEUE: &str =
    concat!("WITH input AS (", job_rows!(), "), ", insert_input!(), "\nSELECT count(*) FROM inserted");

/// One statement: lock up to `$3` due hosts with work and a free slot (skipping hosts other
/// claimers hold), take the oldest due jobs of each (one, or with `$4` (holding) and no
/// interval as many as the host's free slots), at most `$3` in all, lease them, count held
/// ones in the host's `in_flight`, and push each host's next allowed claim out by its
/// interval. A host's slots: its concurrency when its interval is zero, else one. The work
/// test is a subquery with `LIMIT 1` so it stays one index probe per host whatever the
/// planner's statistics say (as a semi-join, a new queue's first plans scanned every queued
/// job).
const CLAIM: &str = "
WITH host AS (
    SELECT h.host, h.next_allowed_at,
        CASE WHEN $4 AND h.interval_ms = 0 THEN h.concurrency - h.in_flight ELSE 1 END AS take
    FROM queue_hosts h
    WHERE h.ready > 0 AND h.next_allowed_at <= now()
      AND h.in_flight < CASE WHEN h.interval_ms = 0 THEN h.concurrency ELSE 1 END
      AND (SELECT true FROM queue_jobs j
           WHERE j.host = h.host AND j.state = 'queued' AND j.not_before <= now() LIMIT 1)
    ORDER BY h.next_allowed_at
    LIMIT $3
    FOR UPDATE SKIP LOCKED
), job AS (
    SELECT next.id FROM host CROSS JOIN LATERAL (
        SELECT j.id FROM queue_jobs j
        WHERE j.host = host.host AND j.state = 'queued' AND j.not_before <= now()
        ORDER BY j.id
        LIMIT host.take
        FOR UPDATE SKIP LOCKED
    ) next
    ORDER BY host.next_allowed_at, next.id
    LIMIT $3
), claimed AS (
    UPDATE queue_jobs j SET state = 'running', attempts = j.attempts + 1, lease_owner = $1, holds_host = $4,
        lease_expires_at = clock_timestamp() + $2::bigint * interval '1 millisecond'
    FROM job WHERE j.id = job.id
    RETURNING j.id, j.pipeline, j.source, j.kind, j.url, j.host, j.attempts,
        (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS claimed_us, j.params::text AS params
), per_host AS (
    SELECT host, count(*)::int AS n FROM claimed GROUP BY host
), bumped AS (
    UPDATE queue_hosts h SET ready = h.ready - p.n, in_flight = h.in_flight + CASE WHEN $4 THEN p.n ELSE 0 END,
        next_allowed_at = clock_timestamp() + h.interval_ms * interval '1 millisecond'
    FROM per_host p WHERE h.host = p.host
)
SELECT id, pipeline, source, kind, url, host, attempts, claimed_us, params FROM claimed ORDER BY id";

/// The host side of statements that move jobs out of `running`: `$ended` is a CTE of
/// `(host, state, holds_host)` rows, one per job. Each host gets its requeued jobs back in
/// `ready` and the slots of its held jobs back in `in_flight`; a host let go of waits one
/// interval from now; `$pause` (ms, an SQL expression) holds every host touched back that
/// long too (a server's `Retry-After`). One update per host row (a statement may not update
/// a row twice), and no round trip of its own.
macro_rules! hosts_after {
    ($ended:literal) => {
        hosts_after!($ended, "0")
    };
    ($ended:literal, $pause:literal) => {
        concat!(
            ", per_host AS (
    SELECT host, count(*) FILTER (WHERE state = 'queued')::int AS requeued,
        count(*) FILTER (WHERE holds_host)::int AS held
    FROM ",
            $ended,
            " GROUP BY host
), hosts AS (
    UPDATE queue_hosts h SET ready = h.ready + p.requeued, in_flight = h.in_flight - p.held,
        next_allowed_at = GREATEST(h.next_allowed_at,
            CASE WHEN p.held > 0 THEN clock_timestamp() + h.interval_ms * interval '1 millisecond' END,
            clock_timestamp() + ",
            $pause,
            " * interval '1 millisecond')
    FROM per_host p WHERE h.host = p.host AND (p.requeued > 0 OR p.held > 0 OR ",
            $pause,
            " > 0)
)"
        )
    };
}

/// Lets go of a held job's host without ending the job (its fetch is over; the rest of the
/// work does not touch the host).
const RELEASE: &str = concat!(
    "
WITH released AS (
    UPDATE queue_jobs SET holds_host = false
    WHERE id = $1 AND state = 'running' AND lease_owner = $2 AND attempts = $3 AND holds_host
    RETURNING host, state, true AS holds_host
)",
    hosts_after!("released"),
    "
SELECT count(*) FROM released"
);

/// Records a job as done and releases its host if it still holds it, in one statement.
const COMPLETE: &str = concat!(
    "
WITH done AS (
    UPDATE queue_jobs SET state = 'done', finished_at = clock_timestamp(), lease_owner = NULL,
        lease_expires_at = NULL, last_error = NULL
    WHERE id = $1 AND state = 'running' AND lease_owner = $2 AND attempts = $3
    RETURNING host, state, holds_host
)",
    hosts_after!("done"),
    "
SELECT count(*) FROM done"
);

const COMPLETE_MANY: &str = concat!(
    "
WITH done AS (
    UPDATE queue_jobs j SET state = 'done', finished_at = clock_timestamp(), lease_owner = NULL,
        lease_expires_at = NULL, last_error = NULL
    FROM unnest($1::bigint[], $2::int[]) AS mine (id, attempt)
    WHERE j.id = mine.id AND j.attempts = mine.attempt AND j.state = 'running' AND j.lease_owner = $3
    RETURNING j.id, j.host, j.state, j.holds_host
)",
    hosts_after!("done"),
    "
SELECT id FROM done"
);

const FAIL: &str = concat!(
    "
WITH failed AS (
    UPDATE queue_jobs SET
        state = CASE WHEN $4 AND attempts < max_attempts THEN 'queued' ELSE 'failed' END,
        not_before = clock_timestamp() + $5::bigint * interval '1 millisecond',
        finished_at = CASE WHEN $4 AND attempts < max_attempts THEN NULL ELSE clock_timestamp() END,
        last_error = $6, lease_owner = NULL, lease_expires_at = NULL
    WHERE id = $1 AND state = 'running' AND lease_owner = $2 AND attempts = $3
    RETURNING host, state, holds_host
)",
    hosts_after!("failed", "$7::bigint"),
    "
SELECT state FROM failed"
);

/// One statement, so its advisory lock (one sweeper at a time) lasts exactly as long as it.
/// A reclaimed job that held its host lets go of it (its worker is gone).
const RECLAIM: &str = concat!(
    "
WITH sweeper AS (
    SELECT pg_try_advisory_xact_lock($1) AS alone
), expired AS (
    UPDATE queue_jobs SET
        state = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
        finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE clock_timestamp() END,
        last_error = 'the lease of ' || lease_owner || ' expired: the worker died or hung',
        lease_owner = NULL, lease_expires_at = NULL, not_before = now()
    WHERE (SELECT alone FROM sweeper) AND state = 'running' AND lease_expires_at < now()
    RETURNING host, state, holds_host
)",
    hosts_after!("expired"),
    "
SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'failed') FROM expired"
);

const RENEW: &str = "
UPDATE queue_jobs SET lease_expires_at = clock_timestamp() + $4::bigint * interval '1 millisecond'
WHERE id = $1 AND state = 'running' AND lease_owner = $2 AND attempts = $3";

const OUTSTANDING: &str = "
SELECT count(*) FILTER (WHERE state = 'running'), count(*) FILTER (WHERE state = 'queued' AND not_before <= now())
FROM queue_jobs WHERE state IN ('running', 'queued')";

/// One connection to the queue, for one worker (a worker claims, processes and records one
/// job at a time per handle; open more handles for more jobs in flight).
pub struct Queue {
    client: Client,
    worker: String,
    last_reclaim: Mutex<Option<Instant>>,
    statements: Statements,
}

/// Every statement a worker runs per job, prepared once per connection: planning the
/// claim's CTEs on every call would cost more than running them.
struct Statements {
    enqueue: Statement,
    claim: Statement,
    release: Statement,
    renew: Statement,
    complete: Statement,
    complete_many: Statement,
    fail: Statement,
    reclaim: Statement,
    any_expired: Statement,
    outstanding: Statement,
}

impl Statements {
    async fn prepare(client: &Client) -> Result<Statements, tokio_postgres::Error> {
        Ok(Statements {
            enqueue: client.prepare(ENQUEUE).await?,
            claim: client.prepare(CLAIM).await?,
            release: client.prepare(RELEASE).await?,
            renew: client.prepare(RENEW).await?,
            outstanding: client.prepare(OUTSTANDING).await?,
            complete: client.prepare(COMPLETE).await?,
            complete_many: client.prepare(COMPLETE_MANY).await?,
            fail: client.prepare(FAIL).await?,
            reclaim: client.prepare(RECLAIM).await?,
            any_expired: client
                .prepare(
                    "SELECT EXISTS (SELECT 1 FROM queue_jobs WHERE state = 'running' AND lease_expires_at < now())",
                )
                .await?,
        })
    }
}

impl Queue {
    /// Connects (on the current tokio runtime) and brings the queue's schema up to date.
    /// `worker` names this worker in leases (e.g. `host:pid`); it must be unique in the fleet.
    pub async fn connect(url: &str, worker: &str) -> Result<Queue, QueueError> {
        let mut client = postgres::connect(url).await?;
        postgres::migrate(&mut client, schema::COMPONENT, &schema::MIGRATIONS).await?;
        // The queue's statements do not depend on their parameters' values: plan them once.
        client.batch_execute("SET plan_cache_mode = force_generic_plan").await?;
        let statements = Statements::prepare(&client).await?;
        Ok(Queue { client, worker: worker.to_string(), last_reclaim: Mutex::new(None), statements })
    }

    /// This worker's name in leases.
    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// Queues jobs; a URL already queued or running for the same pipeline is not queued
    /// again. Returns how many jobs were added.
    pub async fn enqueue(&self, jobs: &[NewJob]) -> Result<u64, QueueError> {
        let columns = JobColumns::of(jobs)?;
        let mut tries = 0;
        loop {
            let result = self.client.query_one(&self.statements.enqueue, &columns.params()).await;
            match result {
                Ok(row) => return Ok(row.get::<_, i64>(0) as u64),
                Err(e) if postgres::is_retryable(&e) && tries < DEADLOCK_RETRIES => tries += 1,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Claims one due job whose host may be fetched now, leased to this worker for `lease`;
    /// `None` when there is none right now. Expired leases are swept first, at most once per
    /// [`REAP_EVERY`] per handle.
    pub async fn claim(&self, lease: Duration) -> Result<Option<ClaimedJob>, QueueError> {
        Ok(self.claim_many(1, lease).await?.pop())
    }

    /// Claims up to `max` due jobs at once, each of a different host (a worker with several
    /// fetches in flight); empty when none is due now. Politeness is the same as one claim
    /// at a time: each host's next allowed claim moves by its interval.
    pub async fn claim_many(&self, max: usize, lease: Duration) -> Result<Vec<ClaimedJob>, QueueError> {
        self.claim_hosts(max, lease, false).await
    }

    /// Claims as [`Queue::claim_many`], and each claimed job holds a slot of its host until
    /// its worker lets go ([`Queue::release_host`], or completing or failing the job) or its
    /// lease expires and it is reclaimed (a dead worker). A host with an interval has one
    /// slot, and its interval starts when the slot is let go of: requests to it are never
    /// closer than its interval, however long a request takes and however late it leaves
    /// the worker. A host with no interval has as many slots as its concurrency, and one
    /// claim may take several of its jobs.
    pub async fn claim_holding(&self, max: usize, lease: Duration) -> Result<Vec<ClaimedJob>, QueueError> {
        self.claim_hosts(max, lease, true).await
    }

    async fn claim_hosts(&self, max: usize, lease: Duration, hold: bool) -> Result<Vec<ClaimedJob>, QueueError> {
        let due = {
            let mut last = self.last_reclaim.lock().unwrap_or_else(|p| p.into_inner());
            let due = last.is_none_or(|at| at.elapsed() >= REAP_EVERY);
            if due {
                *last = Some(Instant::now());
            }
            due
        };
        if due {
            self.reclaim_expired().await?;
        }
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let max = i64::try_from(max).unwrap_or(i64::MAX);
        let rows = self.client.query(&self.statements.claim, &[&self.worker, &lease_ms, &max, &hold]).await?;
        rows.iter()
            .map(|row| {
                let claimed_us: i64 = row.get(7);
                Ok(ClaimedJob {
                    id: row.get(0),
                    pipeline: row.get(1),
                    source: row.get(2),
                    kind: JobKind::parse(row.get(3))?,
                    url: row.get(4),
                    host: row.get(5),
                    attempt: row.get(6),
                    claimed_at: SystemTime::UNIX_EPOCH + Duration::from_micros(claimed_us.max(0) as u64),
                    params: row.get(8),
                })
            })
            .collect()
    }

    /// Extends a held job's lease to `lease` from now (long jobs renew before it runs out).
    /// A job claimed with [`Queue::claim_holding`] holds its host as long as it is ours, so
    /// the renewal keeps the hold too.
    pub async fn renew(&self, job: &ClaimedJob, lease: Duration) -> Result<(), QueueError> {
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let n = self.client.execute(&self.statements.renew, &[&job.id, &self.worker, &job.attempt, &lease_ms]).await?;
        if n == 0 { Err(lease_lost(job)) } else { Ok(()) }
    }

    /// Lets go of the host of a job claimed with [`Queue::claim_holding`] before the job ends
    /// (its request is over): the slot is free again, and a host with an interval may be
    /// claimed one interval from now. Completing or failing the job does this too, in the
    /// same statement. Does nothing when the job no longer holds its host (released, or its
    /// lease expired and it was reclaimed).
    pub async fn release_host(&self, job: &ClaimedJob) -> Result<(), QueueError> {
        self.client.query_one(&self.statements.release, &[&job.id, &self.worker, &job.attempt]).await?;
        Ok(())
    }

    /// Work left for the fleet: jobs running (leased, perhaps by a dead worker whose lease
    /// has not run out) and queued jobs due now. Queued jobs waiting for a retry later are
    /// not counted (see [`Queue::counts`]).
    pub async fn outstanding(&self) -> Result<(u64, u64), QueueError> {
        let row = self.client.query_one(&self.statements.outstanding, &[]).await?;
        Ok((row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64))
    }

    /// Records a held job as done (and lets go of its host if it still holds it).
    pub async fn complete(&self, job: &ClaimedJob) -> Result<(), QueueError> {
        let row = self.client.query_one(&self.statements.complete, &[&job.id, &self.worker, &job.attempt]).await?;
        if row.get::<_, i64>(0) == 0 { Err(lease_lost(job)) } else { Ok(()) }
    }

    /// Records held jobs as done in one statement; returns the ids of those whose lease was
    /// lost (expired and reclaimed), whose results were not recorded.
    pub async fn complete_many(&self, jobs: &[ClaimedJob]) -> Result<Vec<i64>, QueueError> {
        let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
        let attempts: Vec<i32> = jobs.iter().map(|j| j.attempt).collect();
        let rows = self.client.query(&self.statements.complete_many, &[&ids, &attempts, &self.worker]).await?;
        let done: std::collections::HashSet<i64> = rows.iter().map(|r| r.get(0)).collect();
        Ok(ids.into_iter().filter(|id| !done.contains(id)).collect())
    }

    /// Records a held job's failure: back to the queue after a delay, or failed for good.
    pub async fn fail(&self, job: &ClaimedJob, error: &str, retry: Retry) -> Result<FailOutcome, QueueError> {
        let delay = match retry {
            Retry::Backoff => backoff(job.attempt),
            Retry::After(delay) => delay,
            Retry::Never => Duration::ZERO,
        };
        let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
        // A server's wait holds its host back too, up to the longest retry wait.
        let pause = match retry {
            Retry::After(delay) => delay.min(RETRY_MAX),
            _ => Duration::ZERO,
        };
        let pause_ms = i64::try_from(pause.as_millis()).unwrap_or(i64::MAX);
        let requeue = retry != Retry::Never;
        let row = self
            .client
            .query_opt(
                &self.statements.fail,
                &[&job.id, &self.worker, &job.attempt, &requeue, &delay_ms, &error, &pause_ms],
            )
            .await?
            .ok_or_else(|| lease_lost(job))?;
        Ok(if row.get::<_, &str>(0) == "queued" { FailOutcome::Requeued { after: delay } } else { FailOutcome::Failed })
    }

    /// Puts jobs whose lease expired (their worker died or hung) back in the queue, or fails
    /// them when their attempts are used up. One sweeper at a time; the others return zeros.
    pub async fn reclaim_expired(&self) -> Result<Reclaimed, QueueError> {
        let mut tries = 0;
        loop {
            match self.reclaim_once().await {
                Err(QueueError::Query(e)) if postgres::is_retryable(&e) && tries < DEADLOCK_RETRIES => tries += 1,
                other => return other,
            }
        }
    }

    async fn reclaim_once(&self) -> Result<Reclaimed, QueueError> {
        // A cheap look first: most sweeps find nothing and should take no lock.
        let any: bool = self.client.query_one(&self.statements.any_expired, &[]).await?.get(0);
        if !any {
            return Ok(Reclaimed::default());
        }
        let row = self.client.query_one(&self.statements.reclaim, &[&RECLAIM_LOCK]).await?;
        Ok(Reclaimed { requeued: row.get::<_, i64>(0) as u64, failed: row.get::<_, i64>(1) as u64 })
    }

    /// Jobs by state.
    pub async fn counts(&self) -> Result<QueueCounts, QueueError> {
        let rows = self.client.query("SELECT state, count(*) FROM queue_jobs GROUP BY state", &[]).await?;
        let mut counts = QueueCounts::default();
        for row in rows {
            let n = row.get::<_, i64>(1) as u64;
            match row.get::<_, &str>(0) {
                "queued" => counts.queued = n,
                "running" => counts.running = n,
                "done" => counts.done = n,
                _ => counts.failed = n,
            }
        }
        Ok(counts)
    }
}

/// The columns of [`ENQUEUE`]'s parameters, one value per job.
pub(crate) struct JobColumns {
    text: [Vec<String>; 5],
    intervals: Vec<i64>,
    attempts: Vec<i32>,
    concurrency: Vec<i32>,
    params: Vec<Option<String>>,
}

impl JobColumns {
    pub(crate) fn of(jobs: &[NewJob]) -> Result<JobColumns, QueueError> {
        let mut columns = JobColumns {
            text: Default::default(),
            intervals: Vec::new(),
            attempts: Vec::new(),
            concurrency: Vec::new(),
            params: Vec::new(),
        };
        for job in jobs {
            let parsed = url::Url::parse(&job.url)
                .map_err(|_| QueueError::InvalidUrl { url: job.url.clone(), message: "not an absolute URL" })?;
            let host = host_key(&parsed)
                .ok_or_else(|| QueueError::InvalidUrl { url: job.url.clone(), message: "the URL has no host" })?;
            for (column, value) in columns.text.iter_mut().zip([
                &job.pipeline,
                &job.source,
                &job.kind.as_str().to_string(),
                &job.url,
                &host,
            ]) {
                column.push(value.clone());
            }
            columns.intervals.push(i64::try_from(job.host_interval.as_millis()).unwrap_or(i64::MAX));
            columns.attempts.push(i32::try_from(job.max_attempts.max(1)).unwrap_or(i32::MAX));
            columns.concurrency.push(i32::try_from(job.host_concurrency.max(1)).unwrap_or(i32::MAX));
            columns.params.push(job.params.clone());
        }
        Ok(columns)
    }

    pub(crate) fn params(&self) -> [&(dyn tokio_postgres::types::ToSql + Sync); 9] {
        let [pipelines, sources, kinds, urls, hosts] = &self.text;
        [pipelines, sources, kinds, urls, hosts, &self.intervals, &self.attempts, &self.concurrency, &self.params]
    }
}

/// The advisory lock of the expired-lease sweep.
const RECLAIM_LOCK: i64 = 0x7175_6f74_6572_6561; // "quoterea"

fn lease_lost(job: &ClaimedJob) -> QueueError {
    QueueError::LeaseLost { id: job.id, url: job.url.clone() }
}

/// The wait before retrying after failed attempt `attempt` (1-based).
pub fn backoff(attempt: i32) -> Duration {
    let doublings = attempt.saturating_sub(1).clamp(0, 20) as u32;
    RETRY_BASE.saturating_mul(1 << doublings).min(RETRY_MAX)
}
