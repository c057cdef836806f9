//! Pipelines registered with the fleet (`queue_schedules`): their jobs, cadence and jitter,
//! and the due time of the last run queued. The worker leading the `scheduler` role queues
//! a registered pipeline's jobs when it is due, in one statement that checks its term and
//! lease (holding the role's row until it commits, so a takeover waits for it or fences it
//! out) and moves the pipeline's last due time from the one it read (so each due time is
//! queued at most once, whatever two workers believe). Every run queued is a row of
//! `queue_schedule_runs`. When a pipeline is due is decided by `schedule`, not here.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{JobColumns, JobKind, NewJob, Queue, QueueError, insert_input, job_rows};
use crate::config::Cadence;

/// The leader role whose holder queues registered pipelines when due.
pub const SCHEDULER_ROLE: &str = "scheduler";

/// A pipeline registered with the fleet's scheduler.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub pipeline: String,
    pub cadence: Cadence,
    pub jitter: Duration,
    /// The jobs of one run (its feeds, sitemaps, sites, listings and pages).
    pub jobs: Vec<NewJob>,
    /// The due time of the last run queued; `None` before the first.
    pub last_due: Option<DateTime<Utc>>,
}

/// A run the scheduler queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledRun {
    pub pipeline: String,
    pub due: DateTime<Utc>,
    pub leader: String,
    pub term: i64,
    pub jobs_added: u64,
}

/// A job as `queue_schedules.jobs` keeps it (JSON).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredJob {
    source: String,
    kind: String,
    url: String,
    interval_ms: u64,
    concurrency: u32,
    max_attempts: u32,
    /// Absent in registrations made before jobs had parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    params: Option<String>,
}

const REGISTER: &str = "
INSERT INTO queue_schedules (pipeline, every_ms, cron, jitter_ms, jobs) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (pipeline) DO UPDATE SET every_ms = excluded.every_ms, cron = excluded.cron,
    jitter_ms = excluded.jitter_ms, jobs = excluded.jobs, registered_at = now()";

/// Queues a due run as the leader of term `$12`: `$10` role, `$11` holder, `$13` the due time
/// (ms), `$14` the pipeline, `$15` the last due time the leader read. Returns whether the run
/// was recorded (0 when fenced out or already queued) and the jobs added.
const QUEUE_DUE: &str = concat!(
    "
WITH leader AS (
    SELECT term FROM queue_leaders
    WHERE role = $10 AND holder = $11 AND term = $12 AND expires_at > clock_timestamp()
    FOR UPDATE
), marked AS (
    UPDATE queue_schedules SET last_due_ms = $13
    WHERE pipeline = $14 AND last_due_ms IS NOT DISTINCT FROM $15::bigint AND EXISTS (SELECT 1 FROM leader)
    RETURNING pipeline
), input AS (",
    job_rows!(),
    "
    WHERE EXISTS (SELECT 1 FROM marked)
), ",
    insert_input!(),
    ", run AS (
    INSERT INTO queue_schedule_runs (pipeline, due_ms, leader, term, jobs_added)
    SELECT pipeline, $13, $11, $12, (SELECT count(*) FROM inserted) FROM marked
)
SELECT (SELECT count(*) FROM marked), (SELECT count(*) FROM inserted)"
);

impl Queue {
    /// Registers `registration`'s pipeline (or replaces its jobs, cadence and jitter, keeping
    /// when it last ran): the scheduler queues it when due, at once if it never ran.
    pub async fn register_schedule(&self, registration: &Registration) -> Result<(), QueueError> {
        // Checked now, so a bad URL is refused at registration rather than at every run.
        JobColumns::of(&registration.jobs)?;
        let jobs: Vec<StoredJob> = registration
            .jobs
            .iter()
            .map(|job| StoredJob {
                source: job.source.clone(),
                kind: job.kind.as_str().to_string(),
                url: job.url.clone(),
                interval_ms: u64::try_from(job.host_interval.as_millis()).unwrap_or(u64::MAX),
                concurrency: job.host_concurrency,
                max_attempts: job.max_attempts,
                params: job.params.clone(),
            })
            .collect();
        let jobs = serde_json::to_string(&jobs).unwrap_or_default();
        let (every_ms, cron) = match &registration.cadence {
            Cadence::Every(every) => (Some(i64::try_from(every.as_millis()).unwrap_or(i64::MAX)), None),
            Cadence::Cron { expression, .. } => (None, Some(expression.clone())),
        };
        let jitter_ms = i64::try_from(registration.jitter.as_millis()).unwrap_or(i64::MAX);
        self.client.execute(REGISTER, &[&registration.pipeline, &every_ms, &cron, &jitter_ms, &jobs]).await?;
        Ok(())
    }

    /// Removes a pipeline from the schedule; whether it was registered. Jobs already queued stay.
    pub async fn unregister_schedule(&self, pipeline: &str) -> Result<bool, QueueError> {
        Ok(self.client.execute("DELETE FROM queue_schedules WHERE pipeline = $1", &[&pipeline]).await? > 0)
    }

    /// Every registered pipeline, by name.
    pub async fn schedules(&self) -> Result<Vec<Registration>, QueueError> {
        let rows = self
            .client
            .query(
                "SELECT pipeline, every_ms, cron, jitter_ms, jobs, last_due_ms FROM queue_schedules ORDER BY pipeline",
                &[],
            )
            .await?;
        rows.iter()
            .map(|row| {
                let pipeline: String = row.get(0);
                let bad = |message: String| QueueError::BadSchedule { pipeline: pipeline.clone(), message };
                let cadence = match (row.get::<_, Option<i64>>(1), row.get::<_, Option<String>>(2)) {
                    (Some(ms), _) => Cadence::Every(Duration::from_millis(ms.max(1) as u64)),
                    (None, Some(expression)) => Cadence::cron(&expression).map_err(bad)?,
                    (None, None) => return Err(bad("it has neither an interval nor a cron expression".into())),
                };
                let stored: Vec<StoredJob> =
                    serde_json::from_str(row.get::<_, &str>(4)).map_err(|e| bad(e.to_string()))?;
                let jobs = stored
                    .into_iter()
                    .map(|job| {
                        Ok(NewJob {
                            pipeline: pipeline.clone(),
                            source: job.source,
                            kind: JobKind::parse(&job.kind)?,
                            url: job.url,
                            host_interval: Duration::from_millis(job.interval_ms),
                            host_concurrency: job.concurrency,
                            max_attempts: job.max_attempts,
                            params: job.params,
                        })
                    })
                    .collect::<Result<Vec<_>, QueueError>>()?;
                Ok(Registration {
                    cadence,
                    jitter: Duration::from_millis(row.get::<_, i64>(3).max(0) as u64),
                    jobs,
                    last_due: row.get::<_, Option<i64>>(5).and_then(DateTime::from_timestamp_millis),
                    pipeline,
                })
            })
            .collect()
    }

    /// Queues `registration`'s run due at `due` as the leader of `role` in `term`. `None` when
    /// this worker no longer leads in that term (its lease ran out, another took over) or the
    /// run was queued already (its last due time is not the one read); otherwise the jobs
    /// added (those already pending are not queued twice).
    pub async fn queue_due(
        &self,
        role: &str,
        term: i64,
        registration: &Registration,
        due: DateTime<Utc>,
    ) -> Result<Option<u64>, QueueError> {
        let columns = JobColumns::of(&registration.jobs)?;
        let last = registration.last_due.map(|t| t.timestamp_millis());
        let due_ms = due.timestamp_millis();
        let mut params = columns.params().to_vec();
        params.extend([
            &role as &(dyn tokio_postgres::types::ToSql + Sync),
            &self.worker,
            &term,
            &due_ms,
            &registration.pipeline,
            &last,
        ]);
        let row = self.client.query_one(QUEUE_DUE, &params).await?;
        let (marked, added): (i64, i64) = (row.get(0), row.get(1));
        Ok((marked > 0).then_some(added as u64))
    }

    /// The runs the scheduler queued, oldest first.
    pub async fn scheduled_runs(&self) -> Result<Vec<ScheduledRun>, QueueError> {
        let rows = self
            .client
            .query(
                "SELECT pipeline, due_ms, leader, term, jobs_added FROM queue_schedule_runs ORDER BY due_ms, pipeline",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| ScheduledRun {
                pipeline: row.get(0),
                due: DateTime::from_timestamp_millis(row.get(1)).unwrap_or_default(),
                leader: row.get(2),
                term: row.get(3),
                jobs_added: row.get::<_, i64>(4) as u64,
            })
            .collect())
    }
}
