//! The indexer: keeps the search index in step with the store.
//!
//! One thread per writing process owns the index writer. It reads the articles written after
//! the last store sequence number it holds, in sequence order, upserts them and commits with
//! that number in the commit payload, every [`COMMIT_EVERY`] articles or [`COMMIT_INTERVAL`],
//! and when flushed or finished. The store is the truth: after a crash the next start reads
//! the payload and catches up, so a kill -9 at any point loses nothing and duplicates nothing
//! (upserts replace by article id).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::PipelineError;
use super::context::SharedStore;
use crate::index::{IndexSink, SearchIndex};
use crate::metrics;
use crate::store::DocumentStore;

/// Articles read from the store at once (the store lock is held while they are read).
const BATCH: usize = 128;
/// Commit after this many articles even mid-run, so a long run becomes searchable as it goes.
pub const COMMIT_EVERY: u64 = 1_000;
/// Commit pending articles at least this often.
pub const COMMIT_INTERVAL: Duration = Duration::from_secs(30);
/// Look at the store this often even when nobody wakes the indexer.
const IDLE_POLL: Duration = Duration::from_secs(5);
/// Wake-ups queued at most; more would say nothing new.
const COMMAND_CAPACITY: usize = 16;

enum Command {
    Wake,
    Flush(Sender<Result<u64, String>>),
    Stop,
}

#[derive(Default)]
struct State {
    /// The store sequence number of the last commit.
    committed: AtomicU64,
    /// Articles upserted by this indexer.
    indexed: AtomicU64,
    failure: Mutex<Option<String>>,
}

/// A cheap handle to wake the indexer (given to runs).
#[derive(Clone)]
pub struct IndexerHandle {
    commands: Option<SyncSender<Command>>,
    state: Arc<State>,
}

impl IndexerHandle {
    /// A handle that wakes nothing: for work whose store no local index follows (a queue
    /// worker without a data directory).
    pub fn detached() -> IndexerHandle {
        IndexerHandle { commands: None, state: Arc::new(State::default()) }
    }

    /// Tells the indexer the store has new articles.
    pub fn wake(&self) {
        if let Some(commands) = &self.commands {
            // A full queue already holds a wake-up.
            let _ = commands.try_send(Command::Wake);
        }
    }
}

/// What an indexer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexerReport {
    /// Articles upserted by this indexer.
    pub indexed: u64,
    /// The store sequence number the index now holds everything up to.
    pub through: u64,
}

/// The running indexer.
pub struct Indexer {
    thread: Option<JoinHandle<Result<(), PipelineError>>>,
    handle: IndexerHandle,
}

/// Where an index stands in the store's sequence: its commit payload; for an index without
/// one, nothing if it is empty, else what a migrated store says the old index held. An index
/// ahead of the store (built from another store) starts again from the beginning.
pub fn resume_position(index: &SearchIndex, store: &dyn DocumentStore) -> Result<u64, PipelineError> {
    let last = store.counts()?.last_sequence;
    Ok(match index.indexed_through()? {
        Some(through) if through <= last => through,
        Some(through) => {
            tracing::warn!(
                "the index holds store sequence {through} but the store ends at {last}: it was built from another store; indexing everything again (`quotewire reindex` also drops what the store no longer has)"
            );
            0
        }
        None if index.document_count()? == 0 => 0,
        None => store.legacy_index_position()?.unwrap_or(0),
    })
}

impl Indexer {
    /// Starts the indexer thread, holding everything up to store sequence `from`; it catches
    /// up at once.
    pub fn start(store: SharedStore, sink: Box<dyn IndexSink>, from: u64) -> Result<Indexer, PipelineError> {
        let (commands, inbox) = sync_channel(COMMAND_CAPACITY);
        let state = Arc::new(State::default());
        state.committed.store(from, Ordering::SeqCst);
        let thread_state = state.clone();
        let thread = std::thread::Builder::new()
            .name("quotewire-indexer".into())
            .spawn(move || {
                let result = index_loop(&store, sink, inbox, &thread_state);
                if let Err(e) = &result {
                    *thread_state.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
                }
                result
            })
            .map_err(|e| PipelineError::Writer(e.to_string()))?;
        let handle = IndexerHandle { commands: Some(commands), state };
        handle.wake();
        Ok(Indexer { thread: Some(thread), handle })
    }

    pub fn handle(&self) -> IndexerHandle {
        self.handle.clone()
    }

    /// Why the indexer stopped, if it failed.
    pub fn failure(&self) -> Option<String> {
        self.handle.state.failure.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Catches up with the store and commits now; returns the sequence committed through.
    pub fn flush(&self) -> Result<u64, PipelineError> {
        let (reply, answer) = channel();
        let sent = self.handle.commands.as_ref().is_some_and(|c| c.send(Command::Flush(reply)).is_ok());
        let stopped = || PipelineError::Writer(self.failure().unwrap_or_else(|| "the indexer stopped".to_string()));
        if !sent {
            return Err(stopped());
        }
        match answer.recv() {
            Ok(Ok(through)) => Ok(through),
            Ok(Err(message)) => Err(PipelineError::Writer(message)),
            Err(_) => Err(stopped()),
        }
    }

    /// Catches up, commits and stops.
    pub fn finish(mut self) -> Result<IndexerReport, PipelineError> {
        if let Some(commands) = self.handle.commands.take() {
            let _ = commands.send(Command::Stop);
        }
        let joined = self.thread.take().map(JoinHandle::join);
        match joined {
            Some(Ok(result)) => result?,
            Some(Err(_)) => return Err(PipelineError::Writer("the indexer thread panicked".into())),
            None => {}
        }
        Ok(IndexerReport {
            indexed: self.handle.state.indexed.load(Ordering::SeqCst),
            through: self.handle.state.committed.load(Ordering::SeqCst),
        })
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        // Dropped without `finish` (an error path): stop the thread, which commits on its way out.
        if let Some(commands) = self.handle.commands.take() {
            let _ = commands.send(Command::Stop);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn index_loop(
    store: &SharedStore,
    mut sink: Box<dyn IndexSink>,
    inbox: Receiver<Command>,
    state: &State,
) -> Result<(), PipelineError> {
    let mut position = state.committed.load(Ordering::SeqCst);
    let mut uncommitted = 0_u64;
    let mut last_commit = Instant::now();
    loop {
        let (reply, stop) = match inbox.recv_timeout(IDLE_POLL) {
            Ok(Command::Wake) | Err(RecvTimeoutError::Timeout) => (None, false),
            Ok(Command::Flush(reply)) => (Some(reply), false),
            Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => (None, true),
        };
        let result = catch_up(store, sink.as_mut(), &mut position, &mut uncommitted, state).and_then(|()| {
            let due = reply.is_some() || last_commit.elapsed() >= COMMIT_INTERVAL;
            // On stop, commit even with nothing new: the index then records where it stands.
            if (uncommitted > 0 && due) || stop {
                commit(sink.as_mut(), position, &mut uncommitted, state)?;
                last_commit = Instant::now();
            }
            Ok(())
        });
        if let Err(e) = &result
            && let Some(reply) = &reply
        {
            let _ = reply.send(Err(e.to_string()));
        }
        result?;
        let lag = store.lock().unwrap_or_else(|p| p.into_inner()).count_articles_after(position).unwrap_or(0);
        metrics::INDEX_LAG.set(&[], (lag + uncommitted) as f64);
        if let Some(reply) = reply {
            let _ = reply.send(Ok(position));
        }
        if stop {
            return Ok(());
        }
    }
}

fn catch_up(
    store: &SharedStore,
    sink: &mut dyn IndexSink,
    position: &mut u64,
    uncommitted: &mut u64,
    state: &State,
) -> Result<(), PipelineError> {
    loop {
        let batch = store.lock().unwrap_or_else(|p| p.into_inner()).articles_after(*position, BATCH)?;
        if batch.is_empty() {
            return Ok(());
        }
        for entry in &batch {
            // One article the index cannot take must not block every article after it: it
            // is logged, counted and passed over (`reindex` tries it again).
            let upsert = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                sink.upsert_at(entry.sequence, &entry.article)
            }));
            match upsert {
                Ok(result) => result?,
                Err(_) => {
                    metrics::ERRORS.inc(&["index"]);
                    tracing::error!(article = %entry.article.id, url = %entry.article.url, "the index cannot take this article; skipped");
                }
            }
            *position = entry.sequence;
            *uncommitted += 1;
            state.indexed.fetch_add(1, Ordering::Relaxed);
        }
        if *uncommitted >= COMMIT_EVERY {
            commit(sink, *position, uncommitted, state)?;
        }
    }
}

fn commit(sink: &mut dyn IndexSink, position: u64, uncommitted: &mut u64, state: &State) -> Result<(), PipelineError> {
    sink.commit_through(position)?;
    *uncommitted = 0;
    state.committed.store(position, Ordering::SeqCst);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{IndexError, IndexSink};
    use crate::model::ArticleRecord;
    use crate::store::{DocumentStore, SqliteStore};

    /// Records what it is given; panics on the article `poison`.
    struct Recorder {
        upserts: Arc<Mutex<Vec<String>>>,
        commits: Arc<Mutex<Vec<u64>>>,
    }

    impl IndexSink for Recorder {
        fn upsert_article(&mut self, article: &ArticleRecord) -> Result<(), IndexError> {
            assert_ne!(article.id, "poison", "a record the index cannot take");
            self.upserts.lock().unwrap().push(article.id.clone());
            Ok(())
        }

        fn commit(&mut self) -> Result<(), IndexError> {
            unreachable!("the indexer always commits through a sequence")
        }

        fn commit_through(&mut self, sequence: u64) -> Result<(), IndexError> {
            self.commits.lock().unwrap().push(sequence);
            Ok(())
        }

        fn clear(&mut self) -> Result<(), IndexError> {
            Ok(())
        }
    }

    fn article(id: &str) -> ArticleRecord {
        ArticleRecord { url: format!("http://127.0.0.1/{id}"), ..crate::store::test_records::article(id) }
    }

    #[test]
    fn the_indexer_catches_up_from_its_position_skips_poison_and_commits_the_sequence() {
        let mut store = SqliteStore::in_memory().unwrap();
        for id in ["a", "b", "poison", "c"] {
            store.put_article(&format!("http://127.0.0.1/{id}"), &article(id)).unwrap();
        }
        let store: SharedStore = Arc::new(Mutex::new(store));
        let (upserts, commits) = (Arc::default(), Arc::default());
        let sink = Recorder { upserts: Arc::clone(&upserts), commits: Arc::clone(&commits) };
        // The index already holds sequence 1 ("a").
        let indexer = Indexer::start(store.clone(), Box::new(sink), 1).unwrap();
        assert_eq!(indexer.flush().unwrap(), 4);
        store.lock().unwrap().put_article("http://127.0.0.1/d", &article("d")).unwrap();
        indexer.handle().wake();
        let report = indexer.finish().unwrap();
        assert_eq!(*upserts.lock().unwrap(), ["b", "c", "d"], "from the position on, poison passed over");
        assert_eq!(report, IndexerReport { indexed: 4, through: 5 });
        assert_eq!(commits.lock().unwrap().last(), Some(&5));
    }
}
