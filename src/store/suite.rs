//! The behaviour every [`DocumentStore`] (and [`ScheduleStore`]) must have, written once and
//! run against each implementation (`the_store_suite_passes_on_sqlite`, `..._on_postgres`).
//! Starts from an empty store.

use super::test_records::article;
use std::collections::HashSet;

use super::{
    CacheValidators, DocumentStore, FinishedRun, NewMatch, QuoteVector, RawPage, ScheduleStore, StoreCounts,
    StoreError, WatchRecord, WatchStore,
};
use crate::model::{NotArticleReason, fixtures};

fn raw<'a>(url: &'a str, body: &'a [u8], validators: &'a CacheValidators, hash: &'a str) -> RawPage<'a> {
    RawPage {
        url,
        final_url: url,
        content_type: Some("text/html"),
        body,
        validators,
        content_hash: hash,
        fetched_at: "2024-01-01T00:00:00Z",
    }
}

/// Runs every check on `store`, which must be empty.
pub(crate) fn check(store: &mut dyn DocumentStore) {
    assert_eq!(store.counts().unwrap(), StoreCounts::default());
    pages_keep_their_validators_through_failures(store);
    articles_are_numbered_in_write_order(store);
    non_articles_keep_metadata_apart(store);
    meta_values_are_set_and_removed(store);
    vectors_follow_their_article_version(store);
    pages_are_listed_in_store_order(store);
    store.check_integrity().unwrap();
}

fn pages_keep_their_validators_through_failures(store: &mut dyn DocumentStore) {
    let url = "http://127.0.0.1/a";
    let validators = CacheValidators { etag: Some("\"v1\"".into()), last_modified: Some("Mon, 01 Jan 2024".into()) };
    store.put_document(&raw(url, b"<p>hello</p>", &validators, "h1"), Some(&article("a1"))).unwrap();
    store.record_failure(url, "HTTP 500", "t2", "2024-01-02T00:00:00Z").unwrap();
    store.record_failure(url, "HTTP 500", "t3", "2024-01-03T00:00:00Z").unwrap();
    let state = store.page_state(url).unwrap().unwrap();
    assert_eq!((state.failures, state.next_due.as_deref()), (2, Some("2024-01-03T00:00:00Z")));
    assert_eq!(state.validators, validators);
    assert_eq!(state.clone().article_hash().as_deref(), Some("h1"));
    assert_eq!(store.counts().unwrap().failed_pages, 1);
    store.touch_page(url, "t4").unwrap();
    let state = store.page_state(url).unwrap().unwrap();
    assert_eq!((state.failures, state.next_due), (0, None));
    let body = store.raw_page(url).unwrap().unwrap();
    assert_eq!((body.body.as_slice(), body.content_type.as_deref()), (&b"<p>hello</p>"[..], Some("text/html")));
    assert_eq!(store.raw_page_of_article("a1").unwrap().unwrap().body, b"<p>hello</p>");
    assert_eq!(store.article_id_by_canonical("http://127.0.0.1/a").unwrap().as_deref(), Some("a1"));
    // A URL that only ever failed has a state but no body.
    store.record_failure("http://127.0.0.1/down", "timeout", "t", "t9").unwrap();
    assert_eq!(store.page_state("http://127.0.0.1/down").unwrap().unwrap().failures, 1);
    assert_eq!(store.raw_page("http://127.0.0.1/down").unwrap(), None);
    assert_eq!(store.page_state("http://127.0.0.1/never").unwrap(), None);
    assert_eq!(store.counts().unwrap().pages, 1);
}

fn articles_are_numbered_in_write_order(store: &mut dyn DocumentStore) {
    let start = store.counts().unwrap().last_sequence;
    let mut b = article("b1");
    b.simhash = Some("00ff00ff00ff00ff".into());
    b.cluster = Some("b1".into());
    store.put_article("http://127.0.0.1/b", &b).unwrap();
    let mut c = article("c1");
    c.simhash = Some("ffffffffffffffff".into());
    store.put_article("http://127.0.0.1/c", &c).unwrap();
    // Rewriting an article moves it after the others.
    b.title = Some("B, corrected".into());
    store.put_article("http://127.0.0.1/b", &b).unwrap();
    let after = store.articles_after(start, 10).unwrap();
    let ids: Vec<&str> = after.iter().map(|a| a.article.id.as_str()).collect();
    assert_eq!(ids, ["c1", "b1"]);
    assert!(after[0].sequence < after[1].sequence);
    assert_eq!(after[1].article.title.as_deref(), Some("B, corrected"));
    assert_eq!(store.count_articles_after(start).unwrap(), 2);
    assert_eq!(store.articles_after(after[1].sequence, 10).unwrap(), vec![]);
    assert_eq!(store.counts().unwrap().last_sequence, after[1].sequence);
    // Every article, in id order, however read.
    let all: Vec<String> = store.articles().unwrap().into_iter().map(|a| a.id).collect();
    assert_eq!(all, ["a1", "b1", "c1"]);
    let mut visited = Vec::new();
    let n = store
        .each_article(&mut |a| {
            visited.push(a.id);
            Ok(())
        })
        .unwrap();
    assert_eq!((n, visited), (3, all));
    // Fingerprints: oldest first, the simhash's bits intact (the high bit too).
    let prints = store.fingerprints().unwrap();
    let summary: Vec<(&str, u64, &str)> =
        prints.iter().map(|f| (f.id.as_str(), f.simhash, f.cluster.as_str())).collect();
    assert_eq!(summary, [("b1", 0x00ff_00ff_00ff_00ff, "b1"), ("c1", u64::MAX, "c1")]);
    assert_eq!(store.article("nope").unwrap(), None);
}

fn non_articles_keep_metadata_apart(store: &mut dyn DocumentStore) {
    let before = store.counts().unwrap();
    let mut listing = article("listing");
    listing.not_article = Some(NotArticleReason::Listing);
    let validators = CacheValidators::default();
    let url = "http://127.0.0.1/section/";
    store.put_non_article(&raw(url, b"<ul></ul>", &validators, "h2"), &listing).unwrap();
    assert_eq!(store.page_metadata(url).unwrap(), Some(listing.clone()));
    assert_eq!(store.page_metadata("http://127.0.0.1/a").unwrap(), None);
    listing.title = Some("Section".into());
    store.set_page_metadata(url, &listing).unwrap();
    assert_eq!(store.page_metadata(url).unwrap().unwrap().title.as_deref(), Some("Section"));
    let after = store.counts().unwrap();
    // A page, not an article, and nothing for the index.
    assert_eq!(
        (after.pages, after.articles, after.last_sequence),
        (before.pages + 1, before.articles, before.last_sequence)
    );
    assert_eq!(store.page_state(url).unwrap().unwrap().article_id, None);
    // Refetching the page forgets the old metadata record.
    store.put_page(&raw(url, b"<ul><li></li></ul>", &validators, "h3")).unwrap();
    assert_eq!(store.page_metadata(url).unwrap(), None);
}

fn meta_values_are_set_and_removed(store: &mut dyn DocumentStore) {
    assert_eq!(store.meta("reanalyse.position").unwrap(), None);
    store.set_meta("reanalyse.position", Some("12")).unwrap();
    store.set_meta("reanalyse.position", Some("13")).unwrap();
    assert_eq!(store.meta("reanalyse.position").unwrap().as_deref(), Some("13"));
    store.set_meta("reanalyse.position", None).unwrap();
    assert_eq!(store.meta("reanalyse.position").unwrap(), None);
}

fn vectors_follow_their_article_version(store: &mut dyn DocumentStore) {
    let mut quoted = fixtures::article("q1", "v1", &["first", "second"]);
    store.put_article("http://127.0.0.1/q", &quoted).unwrap();
    let pending = store.pending_embeddings("model-a", "", 100).unwrap();
    let q1 = pending.iter().find(|p| p.article_id == "q1").unwrap();
    assert_eq!((q1.content_hash.as_str(), q1.quotes.len()), ("v1", 2));
    let vectors: Vec<QuoteVector> = q1
        .quotes
        .iter()
        .enumerate()
        .map(|(i, (id, _))| QuoteVector { quote_id: id.clone(), vector: vec![i as f32, -0.5, 1e-3] })
        .collect();
    assert!(store.put_embeddings("q1", "v1", "model-a", &vectors).unwrap());
    // Paged after an id, and done for this model only.
    assert!(store.pending_embeddings("model-a", "", 100).unwrap().iter().all(|p| p.article_id != "q1"));
    assert!(store.pending_embeddings("model-b", "p", 100).unwrap().iter().any(|p| p.article_id == "q1"));
    assert!(store.pending_embeddings("model-b", "q1", 100).unwrap().iter().all(|p| p.article_id != "q1"));
    assert_eq!(store.quote_vector(&vectors[1].quote_id, "model-a").unwrap(), Some(vec![1.0, -0.5, 1e-3]));
    assert_eq!(store.quote_vector(&vectors[1].quote_id, "model-b").unwrap(), None);
    let mut seen = Vec::new();
    store.for_each_quote_vector("model-a", &mut |id, v| seen.push((id.to_string(), v.to_vec()))).unwrap();
    assert_eq!(seen, vectors.iter().map(|v| (v.quote_id.clone(), v.vector.clone())).collect::<Vec<_>>());
    let counts = store.embedding_counts("model-a").unwrap();
    assert_eq!((counts.articles_done, counts.vectors), (1, 2));
    assert_eq!(counts.articles_done + counts.articles_pending, store.counts().unwrap().articles);
    // Vectors of a version that is no longer stored are refused; a new version forgets them.
    assert!(!store.put_embeddings("q1", "stale", "model-a", &vectors).unwrap());
    quoted.content_hash = "v2".into();
    store.put_article("http://127.0.0.1/q", &quoted).unwrap();
    assert_eq!(store.quote_vector(&vectors[0].quote_id, "model-a").unwrap(), None);
    assert_eq!(store.embedding_counts("model-a").unwrap().vectors, 0);
    assert!(!store.put_embeddings("q1", "v1", "model-a", &vectors).unwrap());
    assert!(store.put_embeddings("q1", "v2", "model-a", &vectors).unwrap());
}

fn pages_are_listed_in_store_order(store: &mut dyn DocumentStore) {
    let mut urls = Vec::new();
    let mut position = 0;
    loop {
        let batch = store.pages_after(position, 2).unwrap();
        let Some(last) = batch.last() else { break };
        position = last.position;
        urls.extend(batch.into_iter().map(|p| p.url));
    }
    // Pages with a body, in the order they were first stored (a refetch keeps its place).
    assert_eq!(urls, ["http://127.0.0.1/a", "http://127.0.0.1/section/"]);
}

/// Schedule state: a run's record survives a crash mid-run and keeps the last success.
pub(crate) fn runs_are_recorded_and_survive_a_crash_mid_run(store: &mut dyn ScheduleStore) {
    store.run_started("news", "2024-01-01T00:00:00Z").unwrap();
    let run = store.pipeline_run("news").unwrap().unwrap();
    assert_eq!(run.last_end, None, "in progress");
    store
        .run_finished(
            "news",
            &FinishedRun {
                ended_at: "2024-01-01T00:01:00Z",
                outcome: "ok",
                summary: "fetched 1",
                stats_json: "{}",
                completed: true,
            },
        )
        .unwrap();
    store.set_next_run("news", Some("2024-01-01T00:30:00Z")).unwrap();
    // A later run that stops with an error keeps the last success.
    store.run_started("news", "2024-01-01T00:30:00Z").unwrap();
    store
        .run_finished(
            "news",
            &FinishedRun {
                ended_at: "2024-01-01T00:30:05Z",
                outcome: "error: disk full",
                summary: "",
                stats_json: "{}",
                completed: false,
            },
        )
        .unwrap();
    let run = store.pipeline_run("news").unwrap().unwrap();
    assert_eq!(run.last_success.as_deref(), Some("2024-01-01T00:01:00Z"));
    assert_eq!(run.last_outcome.as_deref(), Some("error: disk full"));
    assert_eq!(run.next_run.as_deref(), Some("2024-01-01T00:30:00Z"));
    assert_eq!(store.pipeline_runs().unwrap().len(), 1);
}

/// Schedule state: sources failing run after run are listed until they recover.
pub(crate) fn sources_failing_for_several_runs_are_listed_until_they_recover(store: &mut dyn ScheduleStore) {
    for at in ["t1", "t2", "t3"] {
        store.record_source("news", "feed http://a/", Some("HTTP 500"), at).unwrap();
        store.record_source("news", "feed http://b/", None, at).unwrap();
    }
    let failing = store.failing_sources(3).unwrap();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0].failures, 3);
    assert_eq!(failing[0].last_error.as_deref(), Some("HTTP 500"));
    assert!(store.failing_sources(4).unwrap().is_empty());
    store.record_source("news", "feed http://a/", None, "t4").unwrap();
    assert!(store.failing_sources(1).unwrap().is_empty());
}

/// Runs every watch check on `store`, which must hold no watches.
pub(crate) fn check_watches(store: &mut dyn WatchStore) {
    recording_is_once_per_key_and_delivery_empties_the_outbox(store);
    a_lock_is_held_until_released_or_expired(store);
}

fn watch(name: &str) -> WatchRecord {
    WatchRecord {
        name: name.into(),
        query: "stance:deny".into(),
        doc_type: "quote".into(),
        webhook: None,
        created_at: "2024-01-01T00:00:00Z".into(),
        index_id: Some("i1".into()),
        cursor: 7,
        last_run_at: None,
        pending: 0,
    }
}

fn m(key: &str) -> NewMatch {
    NewMatch { key: key.into(), payload: format!("{{\"k\":\"{key}\"}}") }
}

fn recording_is_once_per_key_and_delivery_empties_the_outbox(store: &mut dyn WatchStore) {
    store.add_watch(&watch("huawei")).unwrap();
    assert!(matches!(store.add_watch(&watch("huawei")), Err(StoreError::Conflict(_))));
    store.record_matches("huawei", "i1", 9, &[m("a"), m("b")], "t1").unwrap();
    store.record_matches("huawei", "i2", 12, &[m("b"), m("c")], "t2").unwrap();
    let w = store.watch("huawei").unwrap().unwrap();
    assert_eq!((w.cursor, w.index_id.as_deref(), w.pending), (12, Some("i2"), 3));
    let pending = store.pending_deliveries("huawei").unwrap();
    assert_eq!(
        pending.iter().map(|p| p.payload.as_str()).collect::<Vec<_>>(),
        ["{\"k\":\"a\"}", "{\"k\":\"b\"}", "{\"k\":\"c\"}"]
    );
    assert_eq!(store.seen("huawei", &["a".into(), "z".into()]).unwrap(), HashSet::from(["a".to_string()]));
    store.delivery_failed(&[pending[0].id], "HTTP 500").unwrap();
    assert_eq!(store.pending_deliveries("huawei").unwrap()[0].attempts, 1);
    store.delivered(&pending.iter().map(|p| p.id).collect::<Vec<_>>()).unwrap();
    assert!(store.pending_deliveries("huawei").unwrap().is_empty());
    assert!(store.remove_watch("huawei").unwrap());
    assert!(!store.remove_watch("huawei").unwrap());
    assert!(store.seen("huawei", &["a".into()]).unwrap().is_empty(), "history goes with the watch");
}

fn a_lock_is_held_until_released_or_expired(store: &mut dyn WatchStore) {
    store.add_watch(&watch("w")).unwrap();
    assert!(store.lock_watch("w", "p1", "2024-01-01T00:00:00Z", "2024-01-01T00:05:00Z").unwrap());
    assert!(!store.lock_watch("w", "p2", "2024-01-01T00:01:00Z", "2024-01-01T00:06:00Z").unwrap());
    assert!(store.lock_watch("w", "p2", "2024-01-01T00:06:00Z", "2024-01-01T00:11:00Z").unwrap(), "expired");
    store.unlock_watch("w", "p2").unwrap();
    assert!(store.lock_watch("w", "p1", "2024-01-01T00:07:00Z", "2024-01-01T00:12:00Z").unwrap());
    assert_eq!(store.watch_lock_owner("w").unwrap().as_deref(), Some("p1"));
    assert!(!store.take_stale_lock("w", "p9", "p3", "2024-01-01T00:13:00Z").unwrap(), "only from its holder");
    assert!(store.take_stale_lock("w", "p1", "p3", "2024-01-01T00:13:00Z").unwrap());
}
