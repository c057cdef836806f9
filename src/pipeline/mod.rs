//! Pipelines: the only module that knows every stage and wires them together.
//!
//! A run discovers URLs from its sources (feeds, sitemaps, pages, directories; every source
//! at once, each within its deadline), fetches them concurrently through the polite
//! [`Fetcher`](crate::fetch::Fetcher), and hands each body to a blocking worker that extracts,
//! analyses and stores the raw page and its article in one transaction. The [`Indexer`]
//! follows the store by sequence number and commits with the number it holds, so the index
//! always catches up after a crash. A failed document is recorded and counted, never fatal.
//! Stopping drains or abandons what is in flight; nothing stored is lost. The embedding stage
//! (`embed.rs`) gives every stored statement a vector in the background, resuming from the
//! store.
//!
//! Module map (dependencies point down): `workspace` → `run` → `discover`, `document` →
//! `context` → `indexer`, `process`, `stats`; `rebuild` (reindex, reanalyse), `embed` and
//! `quickwit` (the indexer feeding Quickwit) beside `run`; `distributed` (enqueue and the
//! queue's worker) beside `run`, over the same `discover` and `document`; `follow` (the
//! read commands' local index, caught up with a PostgreSQL store) over `indexer`.

mod context;
mod discover;
mod distributed;
mod document;
mod embed;
mod follow;
mod indexer;
mod process;
mod quickwit;
mod rebuild;
mod run;
mod stats;
mod workspace;

pub use context::{RunEnv, SharedStore};
pub use distributed::{
    DEFAULT_LEASE, EnqueueReport, FollowingIndex, RENEW_AFTER_JOBS, WorkerOptions, WorkerReport, enqueue, jobs_for,
    registrations_for, work, worker_env, worker_name,
};
pub use embed::{EmbedStats, Until, embed_pending};
pub use follow::{IndexCatchUp, index_for_store};
pub use indexer::{COMMIT_EVERY, COMMIT_INTERVAL, Indexer, IndexerHandle, IndexerReport, resume_position};
pub use process::{ArticleBuilder, BuildOutcome, article_id, content_hash};
pub use quickwit::{QuickwitSyncReport, quickwit_checkpoint_path, sync_quickwit};
pub use rebuild::{ReanalyseReport, RebuildProgress, ReindexReport, reanalyse, reindex, reindex_from};
pub use run::{RunControl, RunOptions, run};
pub use stats::{Progress, RunStats, SilentProgress, SourceReport};
pub use workspace::Workspace;

use crate::data_dir::DataDirError;
use crate::fetch::FetchError;
use crate::index::IndexError;
use crate::store::StoreError;

/// Errors that stop a whole run (a single document's failure never does).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    #[error(transparent)]
    Embed(#[from] crate::embed::EmbedError),
    #[error("the index writer stopped unexpectedly: {0}")]
    Writer(String),
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
    #[error(
        "pipeline `{pipeline}`: {what} cannot be queued: a directory or WARC file is a path on this machine, which workers elsewhere cannot read; the work queue takes feeds, sitemaps, sites, listings and pages (ingest local files with `quotewire ingest` or `quotewire run`)"
    )]
    Unqueueable { pipeline: String, what: String },
    #[error(
        "the Quickwit checkpoint {} was made for store {recorded}, not {store}: sync each store from its own --data-dir, or remove the checkpoint (and its .store-id) to send this store from the start", checkpoint.display()
    )]
    QuickwitOfAnotherStore { checkpoint: std::path::PathBuf, recorded: String, store: String },
}

impl PipelineError {
    /// Whether the operator has to fix the environment (exit status 2): an unusable data
    /// directory, a full disk, another process holding the lock.
    pub fn is_environment(&self) -> bool {
        match self {
            PipelineError::Store(e) => e.is_environment(),
            PipelineError::DataDir(e) => e.is_environment(),
            PipelineError::Index(IndexError::Version { .. } | IndexError::Open { .. }) => true,
            PipelineError::Fetch(FetchError::Client(_)) => true,
            PipelineError::Queue(crate::queue::QueueError::Postgres(_)) => true,
            PipelineError::Unqueueable { .. } | PipelineError::QuickwitOfAnotherStore { .. } => true,
            _ => false,
        }
    }
}
