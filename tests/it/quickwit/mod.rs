//! The Quickwit sink against a loopback server enforcing Quickwit's ingest contract
//! (`contract.rs`), and against a real Quickwit when `QUICKWIT_URL` is set.

mod contract;
mod evaluate;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use quotewire::data_dir::DataDir;
use quotewire::index::IndexError;
use quotewire::index::quickwit::{CommitMode, MAX_INGEST_BYTES, QuickwitConfig, QuickwitError, RetryPolicy};
use quotewire::model::ArticleRecord;
use quotewire::pipeline::{PipelineError, quickwit_checkpoint_path, sync_quickwit};
use quotewire::store::{DocumentStore, SqliteStore};
use serde_json::{Value, json};

use crate::support::{quotewire, stderr};
use contract::ContractServer;

/// An article with `quotes` statements (by two speakers, with entities) and `text_bytes`
/// of text.
fn article(n: usize, quotes: usize, text_bytes: usize, content_hash: &str) -> ArticleRecord {
    let sentence = "The ministry said the plan would go ahead. ";
    let mut text = sentence.repeat(text_bytes / sentence.len() + 1);
    text.truncate(text_bytes.max(sentence.len()));
    let quote_texts: Vec<String> =
        (0..quotes).map(|q| format!("We will never accept tariff number {q} on article {n}")).collect();
    let mut full = text.clone();
    let mut quote_json = Vec::new();
    for (q, quote) in quote_texts.iter().enumerate() {
        full.push_str(&format!(" \"{quote},\" said Ana Ruiz."));
        let start = full.chars().count() - quote.chars().count() - " ,\" said Ana Ruiz.".len() + 1;
        quote_json.push(json!({
            "text": quote, "start": start, "end": start + quote.chars().count(), "kind": "direct",
            "speaker": if q % 2 == 0 { "Ana Ruiz" } else { "Huawei Technologies Co., Ltd" },
            "speaker_kind": if q % 2 == 0 { "person" } else { "organization" },
            "speaker_start": null, "speaker_end": null,
            "speaker_entity": if q % 2 == 0 { Value::Null } else { json!("Huawei") },
            "cue": "said", "stance": "deny", "target": "the tariff", "stance_source": "both", "confidence": 0.8
        }));
    }
    serde_json::from_value(json!({
        "id": format!("{n:016x}"), "url": format!("http://127.0.0.1/news/{n}"), "canonical_url": null,
        "site": "Example News", "title": format!("Story {n}"), "authors": ["A. Writer"],
        "published": "2024-03-01T08:00:00Z", "published_source": "meta", "language": "en", "kind": "news",
        "text": full, "fetched_at": "2024-03-02T09:30:00Z", "content_hash": content_hash,
        "entities": [
            {"text": "Ana Ruiz", "label": "PER", "start": 0, "end": 3, "canonical": "Ana Ruiz"},
            {"text": "Huawei", "label": "ORG", "start": 4, "end": 9, "canonical": "Huawei"}
        ],
        "quotes": quote_json
    }))
    .unwrap()
}

/// A data dir whose store holds `articles`, in order.
fn data_with(dir: &Path, articles: &[ArticleRecord]) -> DataDir {
    let data = DataDir::new(dir.join("data"));
    data.create().unwrap();
    let mut store = SqliteStore::open(&data.store_path()).unwrap();
    for article in articles {
        store.put_article(&article.url, article).unwrap();
    }
    data
}

fn config(server: &ContractServer, data: &DataDir, index: &str) -> QuickwitConfig {
    let mut config = QuickwitConfig::new(&server.url(), index, quickwit_checkpoint_path(data, index)).unwrap();
    config.retry =
        RetryPolicy { max_attempts: 6, initial_delay: Duration::from_millis(5), max_delay: Duration::from_millis(40) };
    config
}

/// Documents the server holds, by (id, store sequence): each must be there once.
fn counted(server: &ContractServer, index: &str) -> HashMap<(String, u64), usize> {
    let mut counts = HashMap::new();
    for doc in server.state.accepted(index) {
        let key = (doc["id"].as_str().unwrap().to_string(), doc["store_seq"].as_u64().unwrap());
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

fn expected_documents(articles: &[ArticleRecord]) -> usize {
    articles.iter().map(|a| 1 + a.quotes.len()).sum()
}

#[test]
fn batches_stay_under_ten_megabytes_documents_fit_the_mapping_and_an_oversized_one_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    // 26 articles of 1 MB (3+ requests of 10 MB), some with quotes, and one of 11 MB.
    let mut articles: Vec<ArticleRecord> = (0..26).map(|n| article(n, n % 3, 1_000_000, "h1")).collect();
    articles.push(article(26, 1, 11_000_000, "h1"));
    let data = data_with(dir.path(), &articles);
    let server = ContractServer::start();
    server.create_quotewire_index("news");

    let report = sync_quickwit(&data, None, config(&server, &data, "news")).unwrap();

    let log = server.state.log();
    assert!(log.len() >= 3, "{} requests", log.len());
    for request in &log {
        assert!(request.bytes <= MAX_INGEST_BYTES, "{} bytes", request.bytes);
        assert_eq!((request.status, request.commit.as_str()), (200, "auto"));
    }
    assert!(log.iter().any(|r| r.bytes > MAX_INGEST_BYTES * 8 / 10), "batches are filled, not one per article");
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert_eq!(report.skipped[0].id, format!("{:016x}", 26), "the 11 MB article document, named");
    assert!(
        report.skipped[0].reason.contains("more than one ingest request may carry"),
        "{}",
        report.skipped[0].reason
    );
    assert_eq!(report.rejected, 0, "every document fits the generated strict mapping");
    let counts = counted(&server, "news");
    assert_eq!(counts.len(), expected_documents(&articles) - 1, "all but the oversized document");
    assert!(counts.values().all(|&n| n == 1));
    assert_eq!(report.through, 27);
    let quote = server
        .state
        .accepted("news")
        .into_iter()
        .find(|d| d["type"] == "quote" && d["speaker_kind"] == "organization")
        .unwrap();
    assert_eq!(quote["speaker_key"], "Huawei");
    assert!(quote["speaker"].as_array().unwrap().iter().any(|s| s == "Huawei Technologies Co., Ltd"));
    assert_eq!((quote["version"].as_str(), quote["published"].as_str()), (Some("h1"), Some("2024-03-01T08:00:00Z")));
}

#[test]
fn back_pressure_is_retried_and_nothing_is_lost_or_duplicated() {
    let dir = tempfile::tempdir().unwrap();
    let articles: Vec<ArticleRecord> = (0..40).map(|n| article(n, 2, 2_000, "h1")).collect();
    let data = data_with(dir.path(), &articles);
    let server = ContractServer::start();
    server.create_quotewire_index("news");
    let mut config = config(&server, &data, "news");
    config.max_batch_bytes = 30_000;
    server.state.refuse(3, 429);

    let first = sync_quickwit(&data, None, config.clone()).unwrap();
    // 503 (a node restarting) is back-pressure too.
    server.state.refuse(2, 503);
    let more: Vec<ArticleRecord> = (40..50).map(|n| article(n, 1, 2_000, "h1")).collect();
    let mut store = SqliteStore::open(&data.store_path()).unwrap();
    for article in &more {
        store.put_article(&article.url, article).unwrap();
    }
    let second = sync_quickwit(&data, None, config).unwrap();

    let log = server.state.log();
    assert_eq!(log.iter().filter(|r| r.status == 429).count(), 3);
    assert_eq!(log.iter().filter(|r| r.status == 503).count(), 2);
    assert!(log.iter().filter(|r| r.status == 200).count() > 5, "several batches");
    let acknowledged_lines: usize = log.iter().filter(|r| r.status == 200).map(|r| r.lines).sum();
    let counts = counted(&server, "news");
    let all: Vec<ArticleRecord> = articles.into_iter().chain(more).collect();
    assert_eq!(counts.len(), expected_documents(&all), "nothing lost");
    assert_eq!(acknowledged_lines, expected_documents(&all), "refused requests were sent again whole");
    assert!(counts.values().all(|&n| n == 1), "nothing duplicated");
    assert_eq!((first.articles, second.articles), (40, 10), "the second sync resumed after the first");
    assert_eq!(second.acknowledged_total as usize, expected_documents(&all));
}

#[test]
fn a_restart_resumes_after_the_acknowledged_position() {
    let dir = tempfile::tempdir().unwrap();
    let articles: Vec<ArticleRecord> = (0..30).map(|n| article(n, 3, 3_000, "h1")).collect();
    let data = data_with(dir.path(), &articles);
    let server = ContractServer::start();
    server.create_quotewire_index("news");
    let mut config = config(&server, &data, "news");
    config.max_batch_bytes = 25_000;
    // Quickwit takes four requests, then refuses everything until the retries run out.
    server.state.refuse_status.store(429, std::sync::atomic::Ordering::SeqCst);
    server.state.accept_then_refuse.store(4, std::sync::atomic::Ordering::SeqCst);

    let error = sync_quickwit(&data, None, config.clone()).unwrap_err();
    assert!(
        matches!(
            error,
            PipelineError::Index(IndexError::Quickwit(QuickwitError::Backpressure { status: 429, attempts: 6, .. }))
        ),
        "{error}"
    );
    let checkpoint: Value =
        serde_json::from_str(&std::fs::read_to_string(quickwit_checkpoint_path(&data, "news")).unwrap()).unwrap();
    let through = checkpoint["through"].as_u64().unwrap();
    let acknowledged = server.state.accepted("news");
    assert!(through > 0 && through < 30, "{checkpoint}");
    assert_eq!(checkpoint["acknowledged_docs"].as_u64().unwrap() as usize, acknowledged.len());
    assert!(
        acknowledged.iter().all(|d| d["store_seq"].as_u64().unwrap() <= through),
        "nothing past the checkpoint acknowledged"
    );
    assert_eq!(acknowledged.len(), through as usize * 4, "every article up to it, whole");

    server.state.accept_then_refuse.store(0, std::sync::atomic::Ordering::SeqCst);
    let resumed = sync_quickwit(&data, None, config).unwrap();
    assert_eq!(resumed.articles, 30 - through, "resumed after the acknowledged position");
    let counts = counted(&server, "news");
    assert_eq!(counts.len(), expected_documents(&articles));
    assert!(counts.values().all(|&n| n == 1), "no document sent twice across the restart");
}

#[test]
fn commit_modes_reach_quickwit_and_decide_when_documents_are_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let articles: Vec<ArticleRecord> = (0..5).map(|n| article(n, 1, 1_000, "h1")).collect();
    let data = data_with(dir.path(), &articles);
    let server = ContractServer::start();
    for (index, mode, committed) in
        [("auto-idx", CommitMode::Auto, 0), ("wait-idx", CommitMode::WaitFor, 10), ("force-idx", CommitMode::Force, 10)]
    {
        server.create_quotewire_index(index);
        let mut config = config(&server, &data, index);
        config.commit = mode;
        sync_quickwit(&data, None, config).unwrap();
        assert_eq!(server.state.committed(index), committed, "{index}");
        assert_eq!(server.state.accepted(index).len(), 10, "{index}");
        assert!(server.state.log().iter().filter(|r| r.index == index).all(|r| r.commit == mode.as_str()));
    }
}

#[test]
fn an_index_unknown_to_quickwit_is_a_clear_error_and_exit_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_with(dir.path(), &[article(1, 1, 500, "h1")]);
    let server = ContractServer::start();
    let error = sync_quickwit(&data, None, config(&server, &data, "missing")).unwrap_err();
    assert!(
        matches!(error, PipelineError::Index(IndexError::Quickwit(QuickwitError::IndexNotFound { .. }))),
        "{error}"
    );
    assert!(error.to_string().contains("no index `missing`"), "{error}");

    let output = quotewire(data.root(), &["quickwit", "sync", "--url", &server.url(), "--index", "missing"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("quotewire quickwit config --index missing"), "{}", stderr(&output));
    assert!(server.state.log().iter().all(|r| r.status == 404), "nothing accepted");
}

#[test]
fn the_config_command_prints_the_generated_index_config() {
    let dir = tempfile::tempdir().unwrap();
    let output = quotewire(dir.path(), &["quickwit", "config", "--index", "news"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let config: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(config, quotewire::index::quickwit::index_config("news"));
    assert_eq!(quotewire(dir.path(), &["quickwit", "config", "--index", "../x"]).status.code(), Some(2));
}

/// Against a real Quickwit: `QUICKWIT_URL=http://127.0.0.1:7280/ cargo test --test it quickwit::live`.
#[test]
fn live_quickwit_takes_the_generated_config_and_the_documents() {
    let Ok(url) = std::env::var("QUICKWIT_URL") else {
        println!("skipped: QUICKWIT_URL is not set (a real Quickwit to test against)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let articles: Vec<ArticleRecord> = (0..20).map(|n| article(n, 2, 2_000, "h1")).collect();
    let data = data_with(dir.path(), &articles);
    let index = format!("quotewire-test-{}", std::process::id());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let http = reqwest::Client::new();
    let base = url.trim_end_matches('/').to_string();
    let created = runtime.block_on(async {
        let response = http
            .post(format!("{base}/api/v1/indexes"))
            .header("content-type", "application/json")
            .body(quotewire::index::quickwit::index_config(&index).to_string())
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    });
    assert!(created.0.is_success(), "Quickwit refused the generated config: {}", created.1);
    let mut config = QuickwitConfig::new(&url, &index, quickwit_checkpoint_path(&data, &index)).unwrap();
    config.commit = CommitMode::Force;
    let report = sync_quickwit(&data, None, config);
    let client = quotewire::index::quickwit::QuickwitClient::new(
        &url::Url::parse(&format!("{base}/")).unwrap(),
        RetryPolicy::default(),
        Duration::from_secs(30),
    )
    .unwrap();
    let hits = client.search(&index, &json!({ "query": "stance:deny", "max_hits": 0 }));
    let translated = quotewire::index::quickwit::QuickwitSearch::new(&url, &index)
        .unwrap()
        .search(&quotewire::index::SearchRequest::new("stance:deny AND speaker:\"Ana Ruiz\"", None, 100));
    runtime.block_on(async { http.delete(format!("{base}/api/v1/indexes/{index}")).send().await.unwrap() });
    let report = report.unwrap();
    assert_eq!((report.rejected, report.documents), (0, 60));
    assert_eq!(hits.unwrap()["num_hits"], 40);
    let translated = translated.unwrap();
    assert_eq!((translated.total, translated.hits.len()), (20, 20), "our query language through Quickwit's");
}

/// Articles with varied stances, kinds, titles and dates.
fn varied_articles() -> Vec<ArticleRecord> {
    use quotewire::model::{PageKind, Stance};
    (0..12)
        .map(|n| {
            let mut a = article(n, 2, 800, "h1");
            a.published = Some(format!("2024-0{}-15T08:00:00Z", 1 + n % 6));
            a.kind = if n % 4 == 0 { PageKind::PressRelease } else { PageKind::News };
            a.title = Some(if n % 2 == 0 { "Tariff talks stall".into() } else { "Budget vote delayed".into() });
            a.quotes[0].stance = [Stance::Deny, Stance::Warn, Stance::Support][n % 3];
            a.quotes[1].cue = Some(if n % 2 == 0 { "warned".into() } else { "said".into() });
            a
        })
        .collect()
}

/// The embedded index over the store's current articles.
fn embedded_index(data: &DataDir) -> quotewire::index::SearchIndex {
    use quotewire::index::IndexSink;
    let index = quotewire::index::SearchIndex::in_memory();
    let mut sink = index.writer(20_000_000).unwrap();
    for entry in SqliteStore::open(&data.store_path()).unwrap().articles_after(0, 10_000).unwrap() {
        sink.upsert_article(&entry.article).unwrap();
    }
    sink.commit().unwrap();
    index
}

fn ids(results: &quotewire::index::SearchResults) -> Vec<String> {
    let mut ids: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
    ids.sort();
    ids
}

#[test]
fn searching_quickwit_finds_what_the_embedded_index_finds_in_the_newest_version_only() {
    use quotewire::index::quickwit::QuickwitSearch;
    use quotewire::index::{DocType, SearchRequest};
    let dir = tempfile::tempdir().unwrap();
    let articles = varied_articles();
    let data = data_with(dir.path(), &articles);
    let server = ContractServer::start();
    server.create_quotewire_index("news");
    let mut config = config(&server, &data, "news");
    config.commit = CommitMode::Force;
    sync_quickwit(&data, None, config.clone()).unwrap();
    // A new version of article 3: other statements; and a resend of everything (a lost
    // checkpoint), which adds duplicates of the same versions.
    let mut changed = articles[3].clone();
    changed.content_hash = "h2".into();
    changed.quotes[0].text = "Budgets must be balanced within the decade".into();
    changed.quotes.truncate(1);
    SqliteStore::open(&data.store_path()).unwrap().put_article(&changed.url, &changed).unwrap();
    std::fs::remove_file(quickwit_checkpoint_path(&data, "news")).unwrap();
    sync_quickwit(&data, None, config).unwrap();
    let resent = expected_documents(&articles) - 1;
    assert_eq!(
        server.state.accepted("news").len(),
        expected_documents(&articles) + resent,
        "old versions and duplicates"
    );

    let local = embedded_index(&data);
    let quickwit = QuickwitSearch::new(&server.url(), "news").unwrap();
    let queries = [
        "stance:deny",
        "speaker:\"Ana Ruiz\"",
        "speaker:huawei",
        "published:[2024-02-01 TO 2024-03-31]",
        "tariff",
        "\"never accept\"",
        "-stance:deny",
        "title:tariff AND type:article",
        "kind:press-release OR stance:support",
        "entity:huawei",
        "cue:said AND published:>=2024-04",
        "accep*",
        "budgets",
        "*",
    ];
    for query in queries {
        let request = SearchRequest::new(query, None, 500);
        let (expected, found) = (local.search(&request).unwrap(), quickwit.search(&request).unwrap());
        assert!(!expected.hits.is_empty(), "{query}: a query that finds something");
        assert_eq!(ids(&found), ids(&expected), "{query}");
        assert_eq!(found.total, expected.total, "{query}");
    }
    let quotes = SearchRequest::new("tariff", Some(DocType::Quote), 500);
    assert_eq!(ids(&quickwit.search(&quotes).unwrap()), ids(&local.search(&quotes).unwrap()));
    let changed_hits = quickwit.search(&SearchRequest::new("budgets", Some(DocType::Quote), 10)).unwrap();
    assert_eq!(changed_hits.hits.len(), 1);
    assert_eq!(changed_hits.hits[0].snippet, "Budgets must be balanced within the decade");
    assert!(!changed_hits.hits[0].highlights.is_empty(), "marked as the embedded index marks");
    let old = quickwit.search(&SearchRequest::new("\"article 3\"", Some(DocType::Quote), 10)).unwrap();
    assert!(old.hits.is_empty(), "statements of the old version are gone: {:?}", ids(&old));
    let paged = quickwit.search(&SearchRequest { offset: 5, ..SearchRequest::new("*", None, 5) }).unwrap();
    assert_eq!((paged.hits.len(), paged.total), (5, local.search(&SearchRequest::new("*", None, 1)).unwrap().total));
}

#[test]
fn the_search_command_reads_quickwit_with_the_same_query_checks() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_with(dir.path(), &varied_articles());
    let server = ContractServer::start();
    server.create_quotewire_index("news");
    let mut config = config(&server, &data, "news");
    config.commit = CommitMode::Force;
    sync_quickwit(&data, None, config).unwrap();
    let search = |query: &str| {
        quotewire(
            data.root(),
            &["search", query, "--json", "--limit", "100", "--quickwit", &server.url(), "--quickwit-index", "news"],
        )
    };
    let output = search("stance:deny");
    assert!(output.status.success(), "{}", stderr(&output));
    let hits: Vec<Value> = crate::support::stdout(&output).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(hits.len(), 16, "4 first statements and every second one");
    assert!(hits.iter().all(|h| h["quote"]["stance"] == "deny"));
    let bad = search("stance:denies");
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("Expected one of deny"), "{}", stderr(&bad));
    let missing = quotewire(data.root(), &["search", "x", "--quickwit", &server.url(), "--quickwit-index", "nope"]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
}

#[test]
fn a_request_over_the_payload_limit_gets_413_and_a_clear_error_not_a_retry() {
    use quotewire::index::quickwit::QuickwitClient;
    let server = ContractServer::start();
    server.create_quotewire_index("news");
    let policy =
        RetryPolicy { max_attempts: 3, initial_delay: Duration::from_millis(1), max_delay: Duration::from_millis(2) };
    let client =
        QuickwitClient::new(&url::Url::parse(&server.url()).unwrap(), policy, Duration::from_secs(30)).unwrap();
    let line = format!("{}\n", json!({ "type": "article", "text": "x".repeat(1_000_000) }));
    let body = line.repeat(11).into_bytes();
    let error = client.ingest("news", CommitMode::Auto, body, 11).unwrap_err();
    assert!(matches!(error, QuickwitError::PayloadTooLarge { bytes } if bytes > contract::PAYLOAD_LIMIT), "{error}");
    assert_eq!(server.state.log().iter().map(|r| r.status).collect::<Vec<_>>(), [413], "sent once");
    let ack = client.ingest("news", CommitMode::Auto, line.repeat(9).into_bytes(), 9).unwrap();
    assert_eq!((ack.docs, ack.rejected), (9, 0));
}

#[test]
fn the_search_api_answers_from_quickwit_when_serve_is_given_one() {
    use quotewire::index::SearchIndex;
    use quotewire::index::quickwit::QuickwitSearch;
    use quotewire::server::{AppState, router};
    let dir = tempfile::tempdir().unwrap();
    let data = data_with(dir.path(), &varied_articles());
    let server = ContractServer::start();
    server.create_quotewire_index("news");
    let mut config = config(&server, &data, "news");
    config.commit = CommitMode::Force;
    sync_quickwit(&data, None, config).unwrap();
    // An empty local index: every hit must come from Quickwit.
    let state = AppState::new(std::sync::Arc::new(SearchIndex::in_memory()), None)
        .with_quickwit(QuickwitSearch::new(&server.url(), "news").unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (page, bad) = runtime.block_on(async {
        let addr = crate::support::serve(router(state)).await;
        let get = |query: &str| {
            let url = format!("http://{addr}/api/v1/search?q={query}&limit=5&type=quote");
            async move {
                let response = reqwest::get(url).await.unwrap();
                (response.status().as_u16(), serde_json::from_str::<Value>(&response.text().await.unwrap()).unwrap())
            }
        };
        (get("stance%3Adeny").await, get("stance%3Adenies").await)
    });
    assert_eq!(page.0, 200, "{}", page.1);
    assert_eq!((page.1["total"].as_u64(), page.1["hits"].as_array().unwrap().len()), (Some(16), 5));
    assert!(page.1["next"].as_str().unwrap().contains("offset=5"));
    assert_eq!(bad.0, 400, "{}", bad.1);
}

#[test]
fn a_checkpoint_is_never_used_for_another_store() {
    let dir = tempfile::tempdir().unwrap();
    let with_identity = |data: &DataDir| {
        let mut store = SqliteStore::open(&data.store_path()).unwrap();
        quotewire::store::identity(&mut store).unwrap()
    };
    let data = data_with(dir.path(), &[article(0, 1, 2_000, "h1")]);
    let first_store = with_identity(&data);
    let server = ContractServer::start();
    server.create_quotewire_index("news");
    assert_eq!(sync_quickwit(&data, None, config(&server, &data, "news")).unwrap().articles, 1);
    let sent = server.state.log().len();

    // The store replaced by another (a new identity) while the checkpoint stays.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", data.store_path().display()));
    }
    let data = data_with(dir.path(), &[article(1, 1, 2_000, "h2")]);
    assert_ne!(with_identity(&data), first_store);
    let error = sync_quickwit(&data, None, config(&server, &data, "news")).unwrap_err().to_string();
    assert!(error.contains(&format!("was made for store {first_store}")), "{error}");
    assert!(error.contains("remove the checkpoint"), "{error}");
    assert_eq!(server.state.log().len(), sent, "nothing sent");
}
