//! Pipelines: the only module that knows every stage and wires them together.
//!
//! A run discovers URLs from its sources (feeds, sitemaps, pages, directories), fetches them
//! concurrently through the polite [`Fetcher`], and hands each body to a blocking worker that
//! stores the raw page, extracts, analyses and stores the article, then queues it for the one
//! index writer thread (a bounded channel: back-pressure blocks, never drops). A failed
//! document is recorded and counted, never fatal. Cancellation stops new work, drains what
//! is in flight and commits. The embedding stage (`embed.rs`) gives every stored statement a
//! vector in the background, resuming from the store.

mod embed;
mod process;
mod run;
mod sources;

pub use embed::{EmbedStats, Until, embed_pending};
pub use process::{ArticleBuilder, BuildOutcome, article_id, content_hash};
pub use run::{Progress, RunStats, SilentProgress, run};

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
    Embed(#[from] crate::embed::EmbedError),
    #[error("the index writer stopped unexpectedly: {0}")]
    Writer(String),
}
