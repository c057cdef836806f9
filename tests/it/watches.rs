//! Saved searches: new matches only, each reported exactly once, across ingests, crashes
//! at the worst moments, concurrent runs, webhooks that fail, and the daemon.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use quotewire::config::Source;
use quotewire::index::SearchIndex;
use quotewire::store::SqliteStore;
use quotewire::watch::{self, NewWatch, WatchType};

use crate::support::*;

const TECHNOLOGY: &str = "tests/fixtures/sites/globe-wire/technology";
const NEWSROOM: &str = "tests/fixtures/sites/huawei-newsroom/press-releases";
const BRIEFINGS: &str = "tests/fixtures/sites/state-briefings";
const DENIALS: &str = "speaker:huawei AND stance:deny";

fn lines(text: &str) -> Vec<serde_json::Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn ids(lines: &[serde_json::Value]) -> Vec<String> {
    lines.iter().map(|l| l["id"].as_str().unwrap().to_string()).collect()
}

fn ingest_dir(data: &Path, dir: &str) {
    let out = quotewire(data, &["ingest", "--dir", dir]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Quote ids matching `query` in the data dir's index.
fn all_matches(data: &Path, query: &str) -> Vec<String> {
    let out = quotewire(data, &["search", query, "--type", "quote", "--limit", "1000", "--json"]);
    let mut ids = ids(&lines(&stdout(&out)));
    ids.sort();
    ids
}

#[test]
fn a_watch_reports_what_each_ingest_adds_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    // A watch added to an empty data dir reports the first ingest.
    let out = quotewire(data, &["watch", "add", "early", DENIALS]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    ingest_dir(data, TECHNOLOGY);
    let out = quotewire(data, &["watch", "add", "denials", DENIALS]);
    assert!(stdout(&out).contains("from now on"));
    let out = quotewire(data, &["watch", "add", "articles", "huawei", "--type", "article"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first = lines(&stdout(&quotewire(data, &["watch", "run", "early"])));
    assert_eq!(ids(&first).len(), all_matches(data, DENIALS).len());
    assert!(first.iter().all(|l| l["watch"] == "early" && l["delivery"].as_str().unwrap().starts_with("early/")));
    let before = all_matches(data, DENIALS);
    assert!(lines(&stdout(&quotewire(data, &["watch", "run", "denials"]))).is_empty(), "nothing new yet");

    ingest_dir(data, NEWSROOM);
    let after = all_matches(data, DENIALS);
    let mut expected: Vec<String> = after.iter().filter(|id| !before.contains(id)).cloned().collect();
    assert!(!expected.is_empty());
    let out = quotewire(data, &["watch", "run"]);
    let reported = lines(&stdout(&out));
    let mut denials: Vec<String> =
        ids(&reported.iter().filter(|l| l["watch"] == "denials").cloned().collect::<Vec<_>>());
    denials.sort();
    expected.sort();
    assert_eq!(denials, expected, "exactly the quotes the second ingest added");
    let articles: Vec<&serde_json::Value> = reported.iter().filter(|l| l["watch"] == "articles").collect();
    assert_eq!(articles.len(), 3, "the three press releases");
    assert!(articles.iter().all(|a| a["type"] == "article"));
    assert!(lines(&stdout(&quotewire(data, &["watch", "run"]))).is_empty(), "nothing is reported twice");

    // Re-ingesting the same pages, or rebuilding the index, reports nothing again.
    let out = quotewire(data, &["reindex"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(lines(&stdout(&quotewire(data, &["watch", "run"]))).is_empty(), "a rebuilt index is not news");

    let list = stdout(&quotewire(data, &["watch", "list"]));
    assert_eq!(list.lines().count(), 3);
    assert!(quotewire(data, &["watch", "remove", "early"]).status.success());
    assert_eq!(quotewire(data, &["watch", "remove", "early"]).status.code(), Some(2));
    assert_eq!(quotewire(data, &["watch", "run", "early"]).status.code(), Some(2));
    let bad = quotewire(data, &["watch", "add", "bad", "stance:denial"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("did you mean `deny`?"));
    assert_eq!(quotewire(data, &["watch", "add", "denials", "huawei"]).status.code(), Some(2), "names are unique");
}

#[test]
fn a_crash_between_matching_and_recording_neither_skips_nor_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    ingest_dir(data, TECHNOLOGY);
    assert!(quotewire(data, &["watch", "add", "w", DENIALS]).status.success());
    let before = all_matches(data, DENIALS);
    ingest_dir(data, NEWSROOM);
    let new: Vec<String> = all_matches(data, DENIALS).into_iter().filter(|id| !before.contains(id)).collect();
    assert!(!new.is_empty());

    // Killed after reading the matches, before recording them: nothing reported.
    let crashed = quotewire_with_env(data, &["watch", "run", "w"], &[(watch::FAILPOINT_VAR, "after-match")]);
    assert!(!crashed.status.success());
    assert!(stdout(&crashed).is_empty());
    // Killed after recording, before delivering: nothing reported yet either.
    let crashed = quotewire_with_env(data, &["watch", "run", "w"], &[(watch::FAILPOINT_VAR, "after-record")]);
    assert!(!crashed.status.success());
    assert!(stdout(&crashed).is_empty());
    // The next run reports every match once (the crashed runs' locks are taken over).
    let out = quotewire(data, &["watch", "run", "w"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut reported = ids(&lines(&stdout(&out)));
    reported.sort();
    let mut expected = new.clone();
    expected.sort();
    assert_eq!(reported, expected);
    assert!(stdout(&quotewire(data, &["watch", "run", "w"])).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingests_and_watch_runs_interleave_without_skips_or_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    ingest(&ad_hoc(vec![]), &data).await;
    let index = SearchIndex::open_or_create(&data.join("tantivy")).unwrap();
    let mut store = SqliteStore::open(&data.join("store.sqlite")).unwrap();
    let new = |name: &str, query: &str| NewWatch {
        name: name.into(),
        query: query.into(),
        doc_type: WatchType::All,
        webhook: None,
    };
    watch::add(&mut store, &index, &new("everything", "*")).unwrap();
    drop((index, store));

    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (data, done) = (data.clone(), done.clone());
        tokio::spawn(async move {
            let index = SearchIndex::open_or_create(&data.join("tantivy")).unwrap();
            let mut store = SqliteStore::open(&data.join("store.sqlite")).unwrap();
            let mut reported = Vec::new();
            let mut runs = 0;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let mut out = Vec::new();
                watch::run(&mut store, &index, "everything", &mut out).await.unwrap();
                reported.extend(ids(&lines(&String::from_utf8(out).unwrap())));
                runs += 1;
                if finished {
                    return (reported, runs);
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };
    for source in [TECHNOLOGY, NEWSROOM, BRIEFINGS] {
        ingest(&ad_hoc(vec![Source::Dir { path: repo().join(source) }]), &data).await;
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (mut reported, runs) = watcher.await.unwrap();
    assert!(runs > 3, "the watch ran while ingests were under way ({runs} runs)");
    let total = reported.len();
    reported.sort();
    reported.dedup();
    assert_eq!(reported.len(), total, "nothing reported twice");
    let out = quotewire(&data, &["search", "*", "--limit", "1000", "--json"]);
    let mut everything = ids(&lines(&stdout(&out)));
    everything.sort();
    assert_eq!(reported, everything, "nothing skipped");
}

#[derive(Clone, Default)]
struct Hook {
    /// Requests answered with 500 before the first success.
    failures: Arc<Mutex<usize>>,
    received: Arc<Mutex<Vec<(HeaderMap, serde_json::Value)>>>,
    attempts: Arc<Mutex<usize>>,
}

async fn hook(State(hook): State<Hook>, headers: HeaderMap, body: String) -> StatusCode {
    *hook.attempts.lock().unwrap() += 1;
    let mut failures = hook.failures.lock().unwrap();
    if *failures > 0 {
        *failures -= 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    hook.received.lock().unwrap().push((headers, serde_json::from_str(&body).unwrap()));
    StatusCode::NO_CONTENT
}

async fn hook_server(failures: usize) -> (Hook, std::net::SocketAddr) {
    let state = Hook { failures: Arc::new(Mutex::new(failures)), ..Hook::default() };
    let router = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(state.clone());
    (state, serve(router).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_get_new_matches_with_retries_and_the_secret_is_never_shown() {
    const SECRET: &str = "s3cr3t-t0ken";
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    ingest_dir(data, TECHNOLOGY);
    let (hook, addr) = hook_server(2).await;
    let url = format!("http://127.0.0.1:{}/hook?token={SECRET}", addr.port());
    let out = quotewire(data, &["watch", "add", "alerts", DENIALS, "--webhook", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (dead, dead_addr) = hook_server(usize::MAX).await;
    let dead_url = format!("http://127.0.0.1:{}/hook?token={SECRET}", dead_addr.port());
    assert!(quotewire(data, &["watch", "add", "broken", DENIALS, "--webhook", &dead_url]).status.success());
    ingest_dir(data, NEWSROOM);

    let env = [("QUOTEWIRE_LOG", "debug")];
    let out = quotewire_with_env(data, &["-vv", "watch", "run"], &env);
    let everything = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!everything.contains(SECRET), "the secret leaked: {everything}");
    assert_eq!(out.status.code(), Some(1), "one webhook failed: {}", stderr(&out));
    assert!(stderr(&out).contains("webhook http://127.0.0.1:") && stderr(&out).contains("?…"), "{}", stderr(&out));
    assert_eq!(*hook.attempts.lock().unwrap(), 3, "two failures, then success");
    let received = hook.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "one batch");
    let (headers, body) = &received[0];
    assert!(headers.contains_key("x-quotewire-delivery"));
    assert_eq!(body["watch"], "alerts");
    let matches = body["matches"].as_array().unwrap();
    assert!(!matches.is_empty() && matches.iter().all(|m| m["quote"]["stance"] == "deny"));
    let printed = lines(&stdout(&out)).iter().filter(|l| l["watch"] == "alerts").count();
    assert_eq!(printed, matches.len(), "what was posted is also printed");

    // The failed deliveries wait; the next run after the hook recovers sends them, once.
    let pending: HashMap<String, u64> = lines(&stdout(&quotewire(data, &["watch", "list", "--json"])))
        .into_iter()
        .map(|w| (w["name"].as_str().unwrap().to_string(), w["pending"].as_u64().unwrap()))
        .collect();
    assert_eq!(pending["alerts"], 0);
    assert_eq!(pending["broken"], matches.len() as u64);
    assert!(!stdout(&quotewire(data, &["watch", "list"])).contains(SECRET));
    *dead.failures.lock().unwrap() = 0;
    let out = quotewire(data, &["watch", "run", "broken"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(dead.received.lock().unwrap()[0].1["matches"].as_array().unwrap().len(), matches.len());
    quotewire(data, &["watch", "run"]);
    assert_eq!(hook.received.lock().unwrap().len(), 1, "nothing sent twice");
    assert_eq!(dead.received.lock().unwrap().len(), 1);
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_runs_every_watch_after_each_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (hook, addr) = hook_server(0).await;
    let out = quotewire(
        &data,
        &["watch", "add", "alerts", DENIALS, "--webhook", &format!("http://127.0.0.1:{}/hook", addr.port())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Pipeline files may read directories beside them only (or under `run.local_roots`).
    copy_tree(&repo().join(NEWSROOM), &dir.path().join("press-releases"));
    let pipeline = dir.path().join("newsroom.toml");
    std::fs::write(
        &pipeline,
        "version = 1\nname = \"newsroom\"\n[schedule]\nevery = \"1h\"\n[[sources]]\ntype = \"dir\"\npath = \"press-releases\"\n",
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .arg("--data-dir")
        .arg(&data)
        .args(["run", "--pipeline", pipeline.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while hook.received.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let received = hook.received.lock().unwrap();
    assert_eq!(received.len(), 1, "the run after the first ingest posted its matches");
    assert!(!received[0].1["matches"].as_array().unwrap().is_empty());
}
