//! Keeping a Quickwit index in step with the store: the [`Indexer`] run with the Quickwit
//! sink from the store sequence Quickwit last acknowledged, until it has caught up.
//!
//! The store stays the truth, as for the embedded index: the checkpoint
//! (`<data-dir>/quickwit/<index>.json`) says how far Quickwit holds it, and a sync after a
//! crash, a refused batch or a Quickwit outage resends from there.

use std::path::PathBuf;

use super::PipelineError;
use super::indexer::Indexer;
use crate::data_dir::{DataDir, StoreAccess};
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
    let store = data.open_store_at(store, StoreAccess::Read)?;
    let last = store.lock().unwrap_or_else(|p| p.into_inner()).counts()?.last_sequence;
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
