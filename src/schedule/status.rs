//! What `quotewire status` (and `/metrics`) report about a data directory: each pipeline's
//! last and next run, sources failing run after run, store and index sizes, and how far the
//! index is behind the store. Read-only: works while a daemon writes, and on a read-only
//! directory.

use crate::data_dir::{DataDir, DataDirError, DiskUsage};
use crate::metrics;
use crate::queue::QueueCounts;
use crate::store::{DocumentStore, PipelineRun, PostgresStore, ScheduleStore, SourceHealth, StoreCounts, StoreUrl};

/// The state of a data directory.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatusReport {
    pub data_dir: String,
    /// The process writing to the directory now (a daemon), if any.
    pub writer: Option<String>,
    pub pipelines: Vec<PipelineRun>,
    /// Sources that failed at least `failing_after` runs in a row.
    pub failing_sources: Vec<SourceHealth>,
    pub failing_after: u32,
    pub store: StoreCounts,
    /// Documents (articles and quotes) in the index's last commit.
    pub index_documents: u64,
    /// The store sequence number the index holds everything up to (`None`: unknown, e.g. an
    /// index from an older build).
    pub indexed_through: Option<u64>,
    /// Articles stored but not yet in the index.
    pub not_indexed: u64,
    pub disk: DiskUsage,
    /// The shared store read instead of the data directory's (`status --store URL`),
    /// without its password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_url: Option<String>,
    /// The work queue's jobs by state, for a PostgreSQL store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueCounts>,
}

impl StatusReport {
    /// Reads the state of `data`; it must hold quotewire data.
    pub fn collect(data: &DataDir, failing_after: u32) -> Result<StatusReport, DataDirError> {
        let store = data.open_store()?;
        StatusReport::from_store(&store, data, failing_after)
    }

    /// Reads the state of a shared store (`status --store postgres://...`, named `shown`),
    /// with the local index of `data` where there is one (a worker's `--data-dir`, or
    /// `reindex --store`).
    pub fn collect_shared(
        store: &(impl DocumentStore + ScheduleStore),
        shown: &str,
        data: &DataDir,
        failing_after: u32,
    ) -> Result<StatusReport, DataDirError> {
        let mut report = StatusReport::from_store(store, data, failing_after)?;
        report.store_url = Some(shown.to_string());
        report.disk.store_bytes = 0;
        Ok(report)
    }

    fn from_store(
        store: &(impl DocumentStore + ScheduleStore),
        data: &DataDir,
        failing_after: u32,
    ) -> Result<StatusReport, DataDirError> {
        let counts = store.counts()?;
        let (index_documents, indexed_through) = match data.open_index() {
            Ok(index) => (index.document_count()?, index.indexed_through()?),
            Err(DataDirError::MissingIndex { .. }) => (0, Some(0)),
            // A shared store's status from a machine that keeps no local index.
            Err(DataDirError::NoData { .. }) if !data.store_path().exists() => (0, Some(0)),
            Err(e) => return Err(e),
        };
        let behind_from = indexed_through.or(store.legacy_index_position()?).unwrap_or(0);
        Ok(StatusReport {
            data_dir: data.root().display().to_string(),
            writer: data.writer(),
            pipelines: store.pipeline_runs()?,
            failing_sources: store.failing_sources(failing_after)?,
            failing_after,
            not_indexed: store.count_articles_after(behind_from)?,
            store: counts,
            index_documents,
            indexed_through,
            disk: data.disk_usage(),
            store_url: None,
            queue: None,
        })
    }

    /// Sets the gauges `/metrics` shows from this report.
    pub fn publish(&self) {
        metrics::STORE_BYTES.set(&[], self.disk.store_bytes as f64);
        metrics::INDEX_BYTES.set(&[], self.disk.index_bytes as f64);
        metrics::FAILING_SOURCES.set(&[], self.failing_sources.len() as f64);
        metrics::INDEX_LAG.set(&[], self.not_indexed as f64);
        for run in &self.pipelines {
            let success = run
                .last_success
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.timestamp() as f64);
            if let Some(success) = success {
                metrics::LAST_SUCCESS.set(&[&run.pipeline], success);
            }
        }
    }
}

/// Refreshes the data-directory gauges of `/metrics` (a failure leaves them as they were)
/// from the store `store` names (`--store postgres://...`: that store, with the local index
/// of `data`; `serve` and `run` opened it when they started, so a scrape only connects).
pub fn refresh_metrics(data: &DataDir, store: Option<&StoreUrl>, failing_after: u32) {
    let report = match data.postgres_url(store) {
        Ok(Some(url)) => PostgresStore::connect(url).map_err(DataDirError::from).and_then(|shared| {
            StatusReport::collect_shared(&shared, &StoreUrl::Postgres(url.into()).to_string(), data, failing_after)
        }),
        Ok(None) => StatusReport::collect(data, failing_after),
        Err(e) => Err(e),
    };
    match report {
        Ok(report) => report.publish(),
        Err(e) => tracing::debug!("metrics: cannot read {}: {e}", data.root().display()),
    }
}
