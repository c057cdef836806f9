use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::model::ArticleRecord;
use crate::store::SqliteStore;

/// A stand-in for the transformer (the default build has none): counts words into hashed
/// buckets, so texts sharing words get similar vectors. It records the batch sizes it saw.
struct WordBuckets {
    calls: AtomicUsize,
    statements: AtomicUsize,
    fail: bool,
}

impl WordBuckets {
    fn new() -> WordBuckets {
        WordBuckets { calls: AtomicUsize::new(0), statements: AtomicUsize::new(0), fail: false }
    }
}

impl Embedder for WordBuckets {
    fn model(&self) -> &str {
        "word-buckets"
    }

    fn dimension(&self) -> usize {
        16
    }

    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if self.fail {
            return Err(EmbedError::Inference { batch: texts.len(), message: "out of memory".into() });
        }
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.statements.fetch_add(texts.len(), Ordering::SeqCst);
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = vec![0.01f32; 16];
                for word in t.split_whitespace() {
                    v[word.bytes().map(usize::from).sum::<usize>() % 16] += 1.0;
                }
                v
            })
            .collect())
    }
}

fn article(id: &str, quotes: usize) -> ArticleRecord {
    let texts: Vec<String> = (0..quotes).map(|i| format!("statement {i} of article {id}")).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    crate::model::fixtures::article(id, &format!("hash-{id}"), &texts)
}

fn store_with(path: &std::path::Path, articles: &[ArticleRecord]) {
    let mut store = SqliteStore::open(path).unwrap();
    for a in articles {
        store.put_article(&a.url, a).unwrap();
    }
}

fn open(path: &std::path::Path) -> Box<dyn DocumentStore> {
    Box::new(SqliteStore::open(path).unwrap())
}

#[test]
fn every_statement_is_embedded_in_batches_and_a_rerun_has_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let articles: Vec<ArticleRecord> = (0..150).map(|i| article(&format!("a{i:03}"), 1 + i % 4)).collect();
    let total: u64 = articles.iter().map(|a| a.quotes.len() as u64).sum();
    store_with(&path, &articles);
    let embedder = WordBuckets::new();
    let reported = AtomicUsize::new(0);
    let progress = |n: u64| {
        reported.fetch_add(n as usize, Ordering::SeqCst);
    };
    let stats = embed_pending(open(&path), &embedder, Until::Done, &CancellationToken::new(), &progress).unwrap();
    assert_eq!((stats.articles, stats.statements, stats.stale), (150, total, 0));
    assert_eq!(reported.load(Ordering::SeqCst) as u64, total);
    // Statements are gathered across articles: far fewer model calls than articles.
    let calls = embedder.calls.load(Ordering::SeqCst);
    assert!(calls <= 4, "{calls} model calls for {total} statements");
    let store = SqliteStore::open(&path).unwrap();
    let counts = store.embedding_counts("word-buckets").unwrap();
    assert_eq!((counts.articles_done, counts.articles_pending, counts.vectors), (150, 0, total));
    assert_eq!(store.quote_vector("a007#q3", "word-buckets").unwrap().map(|v| v.len()), Some(16));

    let again = embed_pending(open(&path), &embedder, Until::Done, &CancellationToken::new(), &|_| {}).unwrap();
    assert_eq!(again.statements, 0);
    assert_eq!(embedder.statements.load(Ordering::SeqCst) as u64, total, "nothing embedded twice");
}

#[test]
fn a_cancelled_stage_leaves_the_rest_pending() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    store_with(&path, &(0..20).map(|i| article(&format!("a{i:02}"), 2)).collect::<Vec<_>>());
    let cancel = CancellationToken::new();
    cancel.cancel();
    let stats = embed_pending(open(&path), &WordBuckets::new(), Until::Done, &cancel, &|_| {}).unwrap();
    assert_eq!(stats.statements, 0);
    let counts = SqliteStore::open(&path).unwrap().embedding_counts("word-buckets").unwrap();
    assert_eq!(counts.articles_pending, 20);
    // The next run finishes the job.
    let stats =
        embed_pending(open(&path), &WordBuckets::new(), Until::Done, &CancellationToken::new(), &|_| {}).unwrap();
    assert_eq!(stats.statements, 40);
}

#[test]
fn following_a_run_embeds_articles_stored_while_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    store_with(&path, &[article("m-first", 2)]);
    let ingest_done = CancellationToken::new();
    let embedder = WordBuckets::new();
    let stats = std::thread::scope(|scope| {
        let stage = scope.spawn(|| {
            embed_pending(
                open(&path),
                &embedder,
                Until::Following(ingest_done.clone()),
                &CancellationToken::new(),
                &|_| {},
            )
        });
        // The "run" stores articles before and after the stage's first pass, with ids
        // on both sides of the first one.
        let mut writer = SqliteStore::open(&path).unwrap();
        for id in ["a-early", "z-late"] {
            std::thread::sleep(Duration::from_millis(300));
            let a = article(id, 3);
            writer.put_article(&a.url, &a).unwrap();
        }
        ingest_done.cancel();
        stage.join().unwrap().unwrap()
    });
    assert_eq!((stats.articles, stats.statements), (3, 8));
    assert_eq!(SqliteStore::open(&path).unwrap().embedding_counts("word-buckets").unwrap().articles_pending, 0);
}

#[test]
fn a_failing_model_is_an_error_and_loses_nothing_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    store_with(&path, &(0..10).map(|i| article(&format!("a{i}"), 1)).collect::<Vec<_>>());
    let failing = WordBuckets { fail: true, ..WordBuckets::new() };
    let err = embed_pending(open(&path), &failing, Until::Done, &CancellationToken::new(), &|_| {}).unwrap_err();
    assert!(err.to_string().contains("out of memory"), "{err}");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.articles().unwrap().len(), 10);
    assert_eq!(store.embedding_counts("word-buckets").unwrap().articles_pending, 10);
}
