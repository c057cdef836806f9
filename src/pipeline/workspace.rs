//! A data directory opened for writing: the writer lock, the store (the directory's own, or
//! the PostgreSQL store `--store` names), and the indexer that keeps the directory's index
//! following it. `ingest` opens one for its runs, the daemon one for its lifetime.
//!
//! Each run of a named pipeline is recorded in the store (start, end, outcome, summary, the
//! health of each source), so `quotewire status` and a restarted daemon can see it.

use std::sync::{Arc, Mutex};

use chrono::{SecondsFormat, Utc};

use super::PipelineError;
use super::context::RunEnv;
use super::context::SharedStore;
use super::indexer::{Indexer, IndexerHandle, IndexerReport, resume_position};
use super::run::{RunControl, RunOptions, run};
use super::stats::{Progress, RunStats};
use crate::config::Pipeline;
use crate::data_dir::{DataDir, StoreAccess, WriterLock};
use crate::index::SearchIndex;
use crate::metrics;
use crate::store::{FinishedRun, Store, StoreUrl};

/// A data directory opened for writing.
pub struct Workspace {
    data: DataDir,
    /// Slots for CPU work, shared by every run of the process.
    processing: Arc<tokio::sync::Semaphore>,
    store: SharedStore,
    /// `--store`: where the store lives (`None`: the data directory's own).
    store_url: Option<StoreUrl>,
    index: SearchIndex,
    writer_memory: usize,
    indexer: Mutex<Option<Indexer>>,
    _lock: WriterLock,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Workspace {
    /// Takes the writer lock (the error names the holder), opens the store and the index, and
    /// starts the indexer, which first catches up with whatever an earlier process stored.
    pub fn open(data: &DataDir, command: &str, writer_memory: usize) -> Result<Workspace, PipelineError> {
        Workspace::open_at(data, None, command, writer_memory)
    }

    /// [`Workspace::open`] storing in the store `store` names (`None`: the directory's own);
    /// the directory's index follows that store, and an index following another store is
    /// refused (`DataDirError::ForeignIndex`).
    pub fn open_at(
        data: &DataDir,
        store: Option<&StoreUrl>,
        command: &str,
        writer_memory: usize,
    ) -> Result<Workspace, PipelineError> {
        let lock = data.lock(command)?;
        let shared = data.open_store_at(store, StoreAccess::Write)?;
        let index = data.open_index_for_writing()?;
        let name = data.store_name(store);
        data.check_index_follows(&index, &*shared.lock().unwrap_or_else(|p| p.into_inner()), &name, true)?;
        let workspace = Workspace {
            data: data.clone(),
            processing: Arc::new(tokio::sync::Semaphore::new(super::context::processing_slots())),
            store: shared,
            store_url: store.cloned(),
            index,
            writer_memory,
            indexer: Mutex::new(None),
            _lock: lock,
        };
        workspace.start_indexer()?;
        Ok(workspace)
    }

    fn start_indexer(&self) -> Result<IndexerHandle, PipelineError> {
        let mut slot = self.indexer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = slot.take() {
            // A failed indexer: its error was logged; stop what is left of it first.
            let _ = old.finish();
        }
        let from = resume_position(&self.index, &*self.store.lock().unwrap_or_else(|p| p.into_inner()))?;
        let sink = self.index.writer(self.writer_memory)?;
        let indexer = Indexer::start(self.shared_store(), Box::new(sink), from)?;
        let handle = indexer.handle();
        *slot = Some(indexer);
        Ok(handle)
    }

    /// The indexer's handle, restarting the indexer if it failed (a full disk that has since
    /// been cleared, say): the store kept everything, so it just catches up again.
    fn indexer_handle(&self) -> Result<IndexerHandle, PipelineError> {
        let failure = {
            let slot = self.indexer.lock().unwrap_or_else(|p| p.into_inner());
            match slot.as_ref() {
                Some(indexer) => match indexer.failure() {
                    None => return Ok(indexer.handle()),
                    Some(failure) => failure,
                },
                None => "not started".to_string(),
            }
        };
        tracing::warn!("the indexer stopped ({failure}); restarting it from the last commit");
        self.start_indexer()
    }

    pub fn data_dir(&self) -> &DataDir {
        &self.data
    }

    /// The store, for the tasks of a run.
    pub fn shared_store(&self) -> SharedStore {
        self.store.clone()
    }

    /// A connection of its own to the workspace's store (watches deliver while runs store).
    pub fn open_store_again(&self) -> Result<Box<dyn Store>, PipelineError> {
        Ok(self.data.open_store_boxed(self.store_url.as_ref(), StoreAccess::Update)?)
    }

    /// Reads or writes schedule state (and anything else) on the store.
    pub fn with_store<T>(&self, f: impl FnOnce(&mut dyn Store) -> T) -> T {
        f(&mut *self.store.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The index this workspace writes.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// Runs `pipeline` once and records the run and its sources.
    pub async fn run(
        &self,
        pipeline: &Pipeline,
        progress: Arc<dyn Progress>,
        control: &RunControl,
        options: RunOptions,
    ) -> Result<RunStats, PipelineError> {
        let env =
            RunEnv { store: self.shared_store(), indexer: self.indexer_handle()?, processing: self.processing.clone() };
        let name = pipeline.name.as_str();
        self.with_store(|s| s.run_started(name, &now()))?;
        let result = run(pipeline, &env, progress, control, options).await;
        let ended = now();
        let (outcome, summary, stats_json) = match &result {
            Ok(stats) => {
                (stats.outcome().to_string(), stats.summary(), serde_json::to_string(stats).unwrap_or_default())
            }
            Err(e) => (format!("error: {e}"), String::new(), String::new()),
        };
        let completed = result.as_ref().is_ok_and(|s| !s.interrupted);
        metrics::RUNS.inc(&[name, outcome.split(':').next().unwrap_or("error")]);
        if completed {
            metrics::LAST_SUCCESS.set(&[name], Utc::now().timestamp() as f64);
        }
        let recorded = self.with_store(|s| {
            s.run_finished(
                name,
                &FinishedRun {
                    ended_at: &ended,
                    outcome: &outcome,
                    summary: &summary,
                    stats_json: &stats_json,
                    completed,
                },
            )?;
            if let Ok(stats) = &result
                && !stats.interrupted
            {
                for source in &stats.sources {
                    s.record_source(name, &source.source, source.error.as_deref(), &ended)?;
                }
            }
            Ok::<_, crate::store::StoreError>(())
        });
        if let Err(e) = recorded {
            tracing::warn!(pipeline = name, "cannot record the run: {e}");
        }
        result
    }

    /// Catches the index up with the store and commits now.
    pub fn flush(&self) -> Result<u64, PipelineError> {
        let slot = self.indexer.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some(indexer) => indexer.flush(),
            None => Err(PipelineError::Writer("the indexer is not running".into())),
        }
    }

    /// Final catch-up and commit; releases the lock.
    pub fn close(self) -> Result<IndexerReport, PipelineError> {
        let indexer = self.indexer.lock().unwrap_or_else(|p| p.into_inner()).take();
        match indexer {
            Some(indexer) => indexer.finish(),
            None => Err(PipelineError::Writer("the indexer is not running".into())),
        }
    }
}
