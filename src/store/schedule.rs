//! The daemon's state in the store: each pipeline's last and next run, and the health of each
//! source (consecutive failed runs, last error), so `quotewire status` can answer from here and
//! a restarted daemon knows what it missed.
//!
//! Also the v6 → v7 migration that introduced this state and store sequence numbers. The
//! schedule itself (when a pipeline is due) is decided by `schedule`, not here.

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::sqlite::SqliteStore;

/// Meta key: for an index written before sequence numbers, the sequence it holds everything
/// up to (articles a migrated store knew as indexed were numbered first).
pub(super) const LEGACY_INDEXED_KEY: &str = "legacy_indexed_sequence";

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS pipeline_runs (
    pipeline TEXT PRIMARY KEY,
    last_start TEXT,
    last_end TEXT,
    last_outcome TEXT,
    last_summary TEXT,
    last_stats TEXT,
    last_success TEXT,
    next_run TEXT
);
CREATE TABLE IF NOT EXISTS source_health (
    pipeline TEXT NOT NULL,
    source TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_failure TEXT,
    last_success TEXT,
    PRIMARY KEY (pipeline, source)
);
CREATE UNIQUE INDEX IF NOT EXISTS articles_seq ON articles (seq);
";

/// Creates the schedule tables and the sequence index (new stores, and after migration).
pub(super) fn create_tables(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(TABLES)?;
    Ok(())
}

/// v6 → v7: numbers existing articles (those already indexed first, in insertion order) and
/// records how many were indexed, then creates the schedule tables.
pub(super) fn migrate_v6_to_v7(conn: &Connection) -> Result<(), StoreError> {
    let has_column: bool = conn.prepare("SELECT 1 FROM pragma_table_info('articles') WHERE name = 'seq'")?.exists([])?;
    if !has_column {
        conn.execute_batch("ALTER TABLE articles ADD COLUMN seq INTEGER;")?;
    }
    let rowids: Vec<(i64, bool)> = {
        let mut stmt = conn.prepare("SELECT rowid, indexed FROM articles ORDER BY indexed DESC, rowid")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)))?.collect::<Result<_, _>>()?
    };
    let mut indexed = 0_i64;
    {
        let mut update = conn.prepare("UPDATE articles SET seq = ?2 WHERE rowid = ?1")?;
        for (n, (rowid, was_indexed)) in rowids.iter().enumerate() {
            update.execute(params![rowid, n as i64 + 1])?;
            if *was_indexed {
                indexed = n as i64 + 1;
            }
        }
    }
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
        params![LEGACY_INDEXED_KEY, indexed.to_string()],
    )?;
    create_tables(conn)
}

/// The last run of a pipeline and when the next is due (times in RFC 3339, UTC).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PipelineRun {
    pub pipeline: String,
    pub last_start: Option<String>,
    /// `None` while the run is in progress (or was cut short by a crash).
    pub last_end: Option<String>,
    /// `ok`, `failures` (the run completed, some documents failed), `interrupted` or
    /// `error: ...` (the run stopped).
    pub last_outcome: Option<String>,
    /// The run's one-line summary.
    pub last_summary: Option<String>,
    /// The run's counts as JSON.
    #[serde(skip)]
    pub last_stats: Option<String>,
    /// End of the last run that completed (with or without failed documents).
    pub last_success: Option<String>,
    pub next_run: Option<String>,
}

/// A source's record over runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceHealth {
    pub pipeline: String,
    /// The source as written in the pipeline (`feed https://...`).
    pub source: String,
    /// Consecutive runs in which the source failed.
    pub failures: u32,
    pub last_error: Option<String>,
    pub last_failure: Option<String>,
    pub last_success: Option<String>,
}

/// How a finished run is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedRun<'a> {
    pub ended_at: &'a str,
    pub outcome: &'a str,
    pub summary: &'a str,
    pub stats_json: &'a str,
    /// Whether the run completed (documents may have failed): sets `last_success`.
    pub completed: bool,
}

/// Schedule state: implemented by the SQLite store.
pub trait ScheduleStore {
    fn pipeline_runs(&self) -> Result<Vec<PipelineRun>, StoreError>;
    fn pipeline_run(&self, pipeline: &str) -> Result<Option<PipelineRun>, StoreError>;
    /// A run of `pipeline` started at `at`; its end is unknown until [`Self::run_finished`].
    fn run_started(&mut self, pipeline: &str, at: &str) -> Result<(), StoreError>;
    fn run_finished(&mut self, pipeline: &str, run: &FinishedRun<'_>) -> Result<(), StoreError>;
    fn set_next_run(&mut self, pipeline: &str, at: Option<&str>) -> Result<(), StoreError>;
    /// Records one run's result for a source: `error` is `None` when it worked.
    fn record_source(&mut self, pipeline: &str, source: &str, error: Option<&str>, at: &str) -> Result<(), StoreError>;
    /// Sources that failed in at least `min_failures` consecutive runs, worst first.
    fn failing_sources(&self, min_failures: u32) -> Result<Vec<SourceHealth>, StoreError>;
}

const RUN_COLUMNS: &str =
    "pipeline, last_start, last_end, last_outcome, last_summary, last_stats, last_success, next_run";

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PipelineRun> {
    Ok(PipelineRun {
        pipeline: r.get(0)?,
        last_start: r.get(1)?,
        last_end: r.get(2)?,
        last_outcome: r.get(3)?,
        last_summary: r.get(4)?,
        last_stats: r.get(5)?,
        last_success: r.get(6)?,
        next_run: r.get(7)?,
    })
}

impl ScheduleStore for SqliteStore {
    fn pipeline_runs(&self) -> Result<Vec<PipelineRun>, StoreError> {
        let mut stmt =
            self.connection().prepare(&format!("SELECT {RUN_COLUMNS} FROM pipeline_runs ORDER BY pipeline"))?;
        Ok(stmt.query_map([], run_row)?.collect::<Result<_, _>>()?)
    }

    fn pipeline_run(&self, pipeline: &str) -> Result<Option<PipelineRun>, StoreError> {
        Ok(self
            .connection()
            .query_row(&format!("SELECT {RUN_COLUMNS} FROM pipeline_runs WHERE pipeline = ?1"), [pipeline], run_row)
            .optional()?)
    }

    fn run_started(&mut self, pipeline: &str, at: &str) -> Result<(), StoreError> {
        self.connection().execute(
            "INSERT INTO pipeline_runs (pipeline, last_start) VALUES (?1, ?2)
             ON CONFLICT(pipeline) DO UPDATE SET last_start = ?2, last_end = NULL, last_outcome = 'running'",
            params![pipeline, at],
        )?;
        Ok(())
    }

    fn run_finished(&mut self, pipeline: &str, run: &FinishedRun<'_>) -> Result<(), StoreError> {
        self.connection().execute(
            "INSERT INTO pipeline_runs (pipeline, last_end, last_outcome, last_summary, last_stats, last_success)
             VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?6 THEN ?2 END)
             ON CONFLICT(pipeline) DO UPDATE SET last_end = ?2, last_outcome = ?3, last_summary = ?4,
               last_stats = ?5, last_success = CASE WHEN ?6 THEN ?2 ELSE last_success END",
            params![pipeline, run.ended_at, run.outcome, run.summary, run.stats_json, run.completed],
        )?;
        Ok(())
    }

    fn set_next_run(&mut self, pipeline: &str, at: Option<&str>) -> Result<(), StoreError> {
        self.connection().execute(
            "INSERT INTO pipeline_runs (pipeline, next_run) VALUES (?1, ?2)
             ON CONFLICT(pipeline) DO UPDATE SET next_run = ?2",
            params![pipeline, at],
        )?;
        Ok(())
    }

    fn record_source(&mut self, pipeline: &str, source: &str, error: Option<&str>, at: &str) -> Result<(), StoreError> {
        match error {
            Some(error) => self.connection().execute(
                "INSERT INTO source_health (pipeline, source, failures, last_error, last_failure)
                 VALUES (?1, ?2, 1, ?3, ?4)
                 ON CONFLICT(pipeline, source) DO UPDATE SET failures = failures + 1, last_error = ?3,
                   last_failure = ?4",
                params![pipeline, source, error, at],
            )?,
            None => self.connection().execute(
                "INSERT INTO source_health (pipeline, source, failures, last_success) VALUES (?1, ?2, 0, ?3)
                 ON CONFLICT(pipeline, source) DO UPDATE SET failures = 0, last_success = ?3",
                params![pipeline, source, at],
            )?,
        };
        Ok(())
    }

    fn failing_sources(&self, min_failures: u32) -> Result<Vec<SourceHealth>, StoreError> {
        let mut stmt = self.connection().prepare(
            "SELECT pipeline, source, failures, last_error, last_failure, last_success FROM source_health
             WHERE failures >= ?1 AND failures > 0 ORDER BY failures DESC, pipeline, source",
        )?;
        let rows = stmt.query_map([min_failures], |r| {
            Ok(SourceHealth {
                pipeline: r.get(0)?,
                source: r.get(1)?,
                failures: r.get(2)?,
                last_error: r.get(3)?,
                last_failure: r.get(4)?,
                last_success: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::suite;

    #[test]
    fn runs_are_recorded_and_survive_a_crash_mid_run() {
        suite::runs_are_recorded_and_survive_a_crash_mid_run(&mut SqliteStore::in_memory().unwrap());
    }

    #[test]
    fn sources_failing_for_several_runs_are_listed_until_they_recover() {
        suite::sources_failing_for_several_runs_are_listed_until_they_recover(&mut SqliteStore::in_memory().unwrap());
    }
}
