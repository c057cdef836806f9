//! The embedding stage: vectors for every stored statement, computed in the background.
//!
//! The store is the queue: an article is pending until its statements have vectors from the
//! current model (new and changed articles become pending again), so the stage resumes
//! wherever it stopped, after a crash or a Ctrl-C. A feeder thread reads pending articles
//! from the store into a bounded channel; the embedding thread (blocking, never on the async
//! executor) gathers their statements into length-sorted batches, runs the model and writes
//! each article's vectors in one transaction, guarded by the article's content hash.

use std::collections::HashSet;
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::PipelineError;
use crate::embed::{EmbedError, Embedder, statement_text};
use crate::store::{DocumentStore, PendingEmbedding, QuoteVector, StoreError};

/// Pending articles read from the store at a time.
const READ_CHUNK: usize = 64;
/// Chunks of articles waiting for the model; the feeder blocks when the model is behind.
const EMBED_QUEUE_CAPACITY: usize = 4;
/// Statements gathered before a model call, so short articles still fill whole batches.
const STATEMENTS_PER_CALL: usize = 256;
/// How long a stage that follows a running ingestion waits before looking for new articles.
const FOLLOW_POLL: Duration = Duration::from_millis(500);

/// What the stage did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct EmbedStats {
    pub articles: u64,
    pub statements: u64,
    /// Articles that changed while they were embedded (they stay pending for the next pass).
    pub stale: u64,
    pub seconds: f64,
}

impl EmbedStats {
    pub fn summary(&self) -> String {
        let rate = if self.seconds > 0.0 { self.statements as f64 / self.seconds } else { 0.0 };
        format!(
            "embedded {} statements of {} articles ({:.0}/s), {} changed meanwhile, {:.1} s",
            self.statements, self.articles, rate, self.stale, self.seconds
        )
    }
}

/// When the stage stops.
#[derive(Debug, Clone)]
pub enum Until {
    /// When nothing is pending any more.
    Done,
    /// Keeps looking for new articles until `ingest_done` is cancelled (a run is storing
    /// them meanwhile), then embeds whatever is left and stops.
    Following(CancellationToken),
}

/// Embeds every pending statement in `store` with `embedder`. Blocking: call it from a
/// blocking thread. `cancel` stops it after the batch in flight; the rest stays pending.
/// `progress` is told how many statements each written batch held.
pub fn embed_pending(
    store: Box<dyn DocumentStore>,
    embedder: &dyn Embedder,
    until: Until,
    cancel: &CancellationToken,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<EmbedStats, PipelineError> {
    let started = Instant::now();
    let model = embedder.model().to_string();
    let store = Arc::new(Mutex::new(store));
    let (tx, rx) = sync_channel::<Vec<PendingEmbedding>>(EMBED_QUEUE_CAPACITY);
    let mut stats = EmbedStats::default();
    let result = std::thread::scope(|scope| {
        let feeder = {
            let (store, model, until, cancel) = (store.clone(), model.clone(), until.clone(), cancel.clone());
            scope.spawn(move || feed(&store, &model, &until, &cancel, tx))
        };
        let mut batch: Vec<PendingEmbedding> = Vec::new();
        let mut outcome = Ok(());
        for chunk in rx {
            batch.extend(chunk);
            if batch.iter().map(|p| p.quotes.len()).sum::<usize>() < STATEMENTS_PER_CALL {
                continue;
            }
            outcome = embed_batch(&store, embedder, &model, std::mem::take(&mut batch), &mut stats, progress);
            if outcome.is_err() || cancel.is_cancelled() {
                break;
            }
        }
        if outcome.is_ok() && !batch.is_empty() && !cancel.is_cancelled() {
            outcome = embed_batch(&store, embedder, &model, batch, &mut stats, progress);
        }
        if outcome.is_err() {
            // The feeder may be blocked on a full queue; stopping it drops the receiver.
            cancel.cancel();
        }
        let fed = feeder.join().unwrap_or(Ok(()));
        outcome.and(fed.map_err(PipelineError::from))
    });
    stats.seconds = started.elapsed().as_secs_f64();
    result.map(|()| stats)
}

/// Reads pending articles in id order into `tx`. With [`Until::Done`] one pass; when
/// following a run, passes repeat (articles stored meanwhile have ids anywhere) until a pass
/// that began after the run ended finds nothing new. An article version handed over once is
/// never handed over again, even while it is still in flight.
fn feed(
    store: &Mutex<Box<dyn DocumentStore>>,
    model: &str,
    until: &Until,
    cancel: &CancellationToken,
    tx: std::sync::mpsc::SyncSender<Vec<PendingEmbedding>>,
) -> Result<(), StoreError> {
    let mut handed: HashSet<(String, String)> = HashSet::new();
    loop {
        let run_over = match until {
            Until::Done => true,
            Until::Following(ingest_done) => ingest_done.is_cancelled(),
        };
        let mut after = String::new();
        let mut found = false;
        loop {
            if cancel.is_cancelled() {
                return Ok(());
            }
            let chunk =
                store.lock().unwrap_or_else(|p| p.into_inner()).pending_embeddings(model, &after, READ_CHUNK)?;
            let Some(last) = chunk.last() else { break };
            after = last.article_id.clone();
            let fresh: Vec<PendingEmbedding> =
                chunk.into_iter().filter(|p| handed.insert((p.article_id.clone(), p.content_hash.clone()))).collect();
            if fresh.is_empty() {
                continue;
            }
            found = true;
            if tx.send(fresh).is_err() {
                return Ok(());
            }
        }
        if run_over && (!found || matches!(until, Until::Done)) {
            return Ok(());
        }
        if !found {
            std::thread::sleep(FOLLOW_POLL);
        }
    }
}

/// Embeds the statements of `articles` and stores each article's vectors.
fn embed_batch(
    store: &Mutex<Box<dyn DocumentStore>>,
    embedder: &dyn Embedder,
    model: &str,
    articles: Vec<PendingEmbedding>,
    stats: &mut EmbedStats,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), PipelineError> {
    let owned: Vec<String> = articles.iter().flat_map(|a| a.quotes.iter().map(|(_, q)| statement_text(q))).collect();
    let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
    let vectors = if texts.is_empty() { Vec::new() } else { embedder.embed(&texts)? };
    if vectors.len() != texts.len() {
        return Err(PipelineError::Embed(EmbedError::Inference {
            batch: texts.len(),
            message: format!("the model returned {} vectors", vectors.len()),
        }));
    }
    let mut vectors = vectors.into_iter();
    let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
    for article in articles {
        let own: Vec<QuoteVector> = article
            .quotes
            .iter()
            .map(|(id, _)| QuoteVector { quote_id: id.clone(), vector: vectors.next().unwrap_or_default() })
            .collect();
        let count = own.len() as u64;
        if store.put_embeddings(&article.article_id, &article.content_hash, model, &own)? {
            stats.articles += 1;
            stats.statements += count;
            progress(count);
        } else {
            stats.stale += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
