//! Keeping a Quickwit index in step with the store: the [`Indexer`] run with the Quickwit
//! sink from the store sequence Quickwit last acknowledged, until it has caught up.
//!
//! The store stays the truth, as for the embedded index: the checkpoint
//! (`<data-dir>/quickwit/<index>.json`) says how far Quickwit holds it, and a sync after a
//! crash, a refused batch or a Quickwit outage resends from there. The checkpoint belongs
//! to one store (`<index>.store-id` beside it): a sync from another store is refused.

use std::path::PathBuf;

use super::PipelineError;
use super::indexer::Indexer;
use crate::data_dir::{DataDir, DataDirError, StoreAccess};
use crate::index::IndexError;
use crate::index::quickwit::{QuickwitConfig, QuickwitSink, SkippedDocument};
use crate::store::StoreUrl;

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickwitSyncReport {
    /// Articles sent in this sync.
    pub articles: u64,
    /// The store sequence Quickwit now holds everything up to.
    pub through: u64,
    /// Documents sent (and acknowledged) in this sync.
    pub documents: u64,
    /// Documents Quickwit acknowledged since the checkpoint was started.
    pub acknowledged_total: u64,
    /// Documents Quickwit's doc mapping rejected.
    pub rejected: u64,
    /// Documents too large for one ingest request.
    pub skipped: Vec<SkippedDocument>,
}

/// Where the checkpoint of Quickwit index `index_id` is kept for `data`.
pub fn quickwit_checkpoint_path(data: &DataDir, index_id: &str) -> PathBuf {
    data.root().join("quickwit").join(format!("{index_id}.json"))
}

/// Sends every article the store holds after the checkpoint to Quickwit: the store `store`
/// names (`quickwit sync --store postgres://...`), else the data directory's. Reads the store
/// only (no writer lock: `ingest`, `run` or workers may be writing meanwhile).
pub fn sync_quickwit(
    data: &DataDir,
    store: Option<&StoreUrl>,
    config: QuickwitConfig,
) -> Result<QuickwitSyncReport, PipelineError> {
    let name = data.store_name(store);
    let store = data.open_store_at(store, StoreAccess::Read)?;
    let (last, store_id) = {
        let guard = store.lock().unwrap_or_else(|p| p.into_inner());
        (guard.counts()?.last_sequence, crate::store::existing_identity(&*guard)?)
    };
    // The checkpoint counts one store's sequence numbers: another store's would skip or
    // mix articles, so it is refused (the record sits beside the checkpoint).
    let record = config.checkpoint.with_extension("store-id");
    let recorded = crate::ids::read_record(&record);
    if let (Some(recorded), Some(id)) = (&recorded, &store_id)
        && recorded != id
    {
        return Err(PipelineError::QuickwitOfAnotherStore {
            checkpoint: config.checkpoint.clone(),
            recorded: recorded.clone(),
            store: format!("{} (store {id})", name.name),
        });
    }
    if let (None, Some(id)) = (&recorded, &store_id) {
        let not_writable = |source| DataDirError::NotWritable { path: record.clone(), source };
        if let Some(parent) = record.parent() {
            std::fs::create_dir_all(parent).map_err(not_writable)?;
        }
        crate::index::write_atomically(&record, &format!("{id}\n")).map_err(not_writable)?;
    }
    let sink = QuickwitSink::open(config).map_err(IndexError::from)?;
    let mut from = sink.acknowledged_through();
    if from > last {
        tracing::warn!(
            "the Quickwit checkpoint {} holds store sequence {from} but the store ends at {last}: it was made for another store; sending everything again",
            sink.checkpoint_path().display()
        );
        from = 0;
    }
    let stats = sink.stats();
    let indexer = Indexer::start(store, Box::new(sink), from)?;
    let report = indexer.finish()?;
    let stats = stats.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Ok(QuickwitSyncReport {
        articles: report.indexed,
        through: report.through,
        documents: stats.sent_docs,
        acknowledged_total: stats.checkpoint.acknowledged_docs,
        rejected: stats.rejected_docs,
        skipped: stats.skipped,
    })
}
