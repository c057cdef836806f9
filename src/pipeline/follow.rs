//! Making a data directory's local index fit to read for the store a command is about:
//! `search`, `serve`, `watch`, `timeline`, `speaker`, `export` and `similar` call
//! [`index_for_store`] before they open the index.
//!
//! With the embedded SQLite store the writer that stored an article (ingest, the daemon)
//! also indexed it, so there is nothing to do but check that the index is this store's.
//! A PostgreSQL store is written by other processes (workers, an `ingest --store` on another
//! machine): the local index is brought up to date with it first, through the same
//! [`Indexer`] that follows a store while it is written, unless a process holds the data
//! directory's writer lock (a worker with `--data-dir`, the daemon), which keeps it current
//! itself. Either way, an index that follows another store is refused, never read as this
//! one's (`DataDirError::ForeignIndex`).

use super::PipelineError;
use super::indexer::{Indexer, IndexerReport, resume_position};
use crate::data_dir::{DataDir, DataDirError, StoreAccess};
use crate::store::StoreUrl;

/// What [`index_for_store`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexCatchUp {
    /// The embedded store: its writers keep the index current; checked only.
    Embedded,
    /// The local index now holds everything the shared store had when it was read.
    CaughtUp(IndexerReport),
    /// Another process holds the writer lock and keeps the index current (named).
    FollowedBy(String),
}

/// Checks that the index of `data` follows the store `store` names (see the module doc),
/// catching it up with a PostgreSQL store first.
pub fn index_for_store(
    data: &DataDir,
    store: Option<&StoreUrl>,
    writer_memory: usize,
) -> Result<IndexCatchUp, PipelineError> {
    let name = data.store_name(store);
    let Some(_) = data.postgres_url(store)? else {
        if let Some(followed) = data.followed_store().filter(|_| !data.store_path().is_file()) {
            // A worker's index (no SQLite store here): name the store it follows.
            return Err(DataDirError::IndexOfSharedStore { path: data.root().to_path_buf(), followed }.into());
        }
        if !data.store_path().is_file() {
            // An index alone (copied for searching): there is no store to tell it from.
            return Ok(IndexCatchUp::Embedded);
        }
        let shared = data.open_store_at(None, StoreAccess::Read)?;
        let index = data.open_index()?;
        data.check_index_follows(&index, &*shared.lock().unwrap_or_else(|p| p.into_inner()), &name, false)?;
        return Ok(IndexCatchUp::Embedded);
    };
    let shared = data.open_store_at(store, StoreAccess::Read)?;
    let lock = match data.lock("search (catching the index up with the store)") {
        Ok(lock) => lock,
        Err(DataDirError::Locked { holder, .. }) => {
            let index = data.open_index()?;
            data.check_index_follows(&index, &*shared.lock().unwrap_or_else(|p| p.into_inner()), &name, false)?;
            return Ok(IndexCatchUp::FollowedBy(holder));
        }
        Err(e) => return Err(e.into()),
    };
    let index = data.open_index_for_writing()?;
    let from = {
        let store = shared.lock().unwrap_or_else(|p| p.into_inner());
        data.check_index_follows(&index, &*store, &name, true)?;
        resume_position(&index, &*store)?
    };
    let report = Indexer::start(shared, Box::new(index.writer(writer_memory)?), from)?.finish()?;
    drop(lock);
    Ok(IndexCatchUp::CaughtUp(report))
}
