//! [`ScheduleStore`] on PostgreSQL: each pipeline's last and next run and each source's
//! health, in `store_pipeline_runs` and `store_source_health` (store migration 2), with the
//! same statements' meaning as the SQLite store's.

use tokio_postgres::Row;

use super::PostgresStore;
use crate::store::{FinishedRun, PipelineRun, ScheduleStore, SourceHealth, StoreError};

const RUN_COLUMNS: &str =
    "pipeline, last_start, last_end, last_outcome, last_summary, last_stats, last_success, next_run";

fn run_row(r: &Row) -> PipelineRun {
    PipelineRun {
        pipeline: r.get(0),
        last_start: r.get(1),
        last_end: r.get(2),
        last_outcome: r.get(3),
        last_summary: r.get(4),
        last_stats: r.get(5),
        last_success: r.get(6),
        next_run: r.get(7),
    }
}

impl ScheduleStore for PostgresStore {
    fn pipeline_runs(&self) -> Result<Vec<PipelineRun>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM store_pipeline_runs ORDER BY pipeline");
        Ok(self.rows(&sql, &[])?.iter().map(run_row).collect())
    }

    fn pipeline_run(&self, pipeline: &str) -> Result<Option<PipelineRun>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM store_pipeline_runs WHERE pipeline = $1");
        Ok(self.row(&sql, &[&pipeline])?.as_ref().map(run_row))
    }

    fn run_started(&mut self, pipeline: &str, at: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO store_pipeline_runs (pipeline, last_start) VALUES ($1, $2)
             ON CONFLICT (pipeline) DO UPDATE SET last_start = $2, last_end = NULL, last_outcome = 'running'",
            &[&pipeline, &at],
        )?;
        Ok(())
    }

    fn run_finished(&mut self, pipeline: &str, run: &FinishedRun<'_>) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO store_pipeline_runs (pipeline, last_end, last_outcome, last_summary, last_stats, last_success)
             VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN $2 END)
             ON CONFLICT (pipeline) DO UPDATE SET last_end = $2, last_outcome = $3, last_summary = $4,
               last_stats = $5, last_success = CASE WHEN $6 THEN $2 ELSE store_pipeline_runs.last_success END",
            &[&pipeline, &run.ended_at, &run.outcome, &run.summary, &run.stats_json, &run.completed],
        )?;
        Ok(())
    }

    fn set_next_run(&mut self, pipeline: &str, at: Option<&str>) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO store_pipeline_runs (pipeline, next_run) VALUES ($1, $2)
             ON CONFLICT (pipeline) DO UPDATE SET next_run = $2",
            &[&pipeline, &at],
        )?;
        Ok(())
    }

    fn record_source(&mut self, pipeline: &str, source: &str, error: Option<&str>, at: &str) -> Result<(), StoreError> {
        match error {
            Some(error) => self.execute(
                "INSERT INTO store_source_health (pipeline, source, failures, last_error, last_failure)
                 VALUES ($1, $2, 1, $3, $4)
                 ON CONFLICT (pipeline, source) DO UPDATE SET failures = store_source_health.failures + 1,
                   last_error = $3, last_failure = $4",
                &[&pipeline, &source, &error, &at],
            )?,
            None => self.execute(
                "INSERT INTO store_source_health (pipeline, source, failures, last_success) VALUES ($1, $2, 0, $3)
                 ON CONFLICT (pipeline, source) DO UPDATE SET failures = 0, last_success = $3",
                &[&pipeline, &source, &at],
            )?,
        };
        Ok(())
    }

    fn failing_sources(&self, min_failures: u32) -> Result<Vec<SourceHealth>, StoreError> {
        let min = i32::try_from(min_failures).unwrap_or(i32::MAX);
        Ok(self
            .rows(
                "SELECT pipeline, source, failures, last_error, last_failure, last_success FROM store_source_health
                 WHERE failures >= $1 AND failures > 0 ORDER BY failures DESC, pipeline, source",
                &[&min],
            )?
            .iter()
            .map(|r| SourceHealth {
                pipeline: r.get(0),
                source: r.get(1),
                failures: r.get::<_, i32>(2).max(0) as u32,
                last_error: r.get(3),
                last_failure: r.get(4),
                last_success: r.get(5),
            })
            .collect())
    }
}
