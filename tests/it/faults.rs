//! Faults a scheduled service meets: kill -9 at random points, a read-only data directory, a
//! full disk, a source that never answers, a second daemon on the same data directory. After
//! each, the store opens intact and the index agrees with it.

use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use quotewire::data_dir::DataDir;
use quotewire::index::{DocType, SearchRequest};
use quotewire::store::{DocumentStore, ScheduleStore};

use crate::child::{self, Rng, quotewire};
use crate::support::*;

/// Asserts that the store is intact and that the index holds exactly the stored articles
/// and their quotes, once each; returns the number of articles.
pub fn assert_store_and_index_agree(data: &Path) -> usize {
    let dir = DataDir::new(data);
    let store = dir.open_store().expect("the store opens");
    store.check_integrity().expect("the store passes SQLite's integrity check");
    let articles = store.articles().unwrap();
    let index = dir.open_index().expect("the index opens");
    let through = index.indexed_through().unwrap().expect("the index records its store sequence");
    assert_eq!(through, store.counts().unwrap().last_sequence, "the index holds everything stored");
    let count = |doc_type| index.search(&SearchRequest::new("*", Some(doc_type), 1)).unwrap().total;
    assert_eq!(count(DocType::Article), articles.len(), "each article indexed exactly once");
    let quotes: usize = articles.iter().map(|a| a.quotes.len()).sum();
    assert_eq!(count(DocType::Quote), quotes, "each quote indexed exactly once");
    articles.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_of_scheduled_runs_loses_and_duplicates_nothing() {
    const PAGES: usize = 400;
    const KILLS: usize = 20;
    let (router, served) = article_site(PAGES, Duration::from_millis(15));
    let addr = serve(router).await;
    let sitemap = format!("http://{addr}/sitemap.xml");
    let Setup { data, pipeline, dir: _dir } =
        one_source("faults", "every = \"1s\"", "sitemap", &sitemap, "per_host_concurrency = 2\n");
    let mut rng = Rng::seeded();
    for kill in 0..KILLS {
        let mut daemon = quotewire(&data)
            .args(["run", "--pipeline"])
            .arg(&pipeline)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(150 + rng.below(1200))).await;
        daemon.kill().unwrap(); // SIGKILL: no shutdown, no commit
        daemon.wait().unwrap();
        eprintln!("kill {kill}: {} pages served so far", served.load(std::sync::atomic::Ordering::SeqCst));
    }
    let mut restart = quotewire(&data);
    restart.args(["run", "--once", "--pipeline"]).arg(&pipeline);
    let finished = tokio::task::spawn_blocking(move || child::run(restart, Duration::from_secs(300))).await.unwrap();
    assert_eq!(finished.code, Some(0), "{finished:#?}");

    assert_eq!(assert_store_and_index_agree(&data), PAGES, "every page stored");
    let store = DataDir::new(&data).open_store().unwrap();
    let urls: HashSet<String> = store.articles().unwrap().into_iter().filter_map(|a| a.canonical_url).collect();
    assert_eq!(urls.len(), PAGES, "each page stored exactly once");
    assert_eq!(store.counts().unwrap().pages, PAGES as u64 + 1, "one row per page, plus the sitemap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_daemon_on_the_same_data_directory_is_refused() {
    let (router, _) = article_site(5, Duration::ZERO);
    let addr = serve(router).await;
    let Setup { data, pipeline, dir: _dir } =
        one_source("locked", "every = \"1h\"", "sitemap", &format!("http://{addr}/sitemap.xml"), "");
    let first = quotewire(&data)
        .args(["run", "--pipeline"])
        .arg(&pipeline)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while DataDir::new(&data).writer().is_none() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let holder = DataDir::new(&data).writer().expect("the first daemon holds the lock");
    // And it is running its pipeline (its signal handlers are in place).
    while !DataDir::new(&data).open_store().is_ok_and(|s| s.pipeline_run("locked").is_ok_and(|r| r.is_some())) {
        assert!(std::time::Instant::now() < deadline, "the first daemon never started its run");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(holder.contains(&format!("pid {}", first.id())) && holder.contains("quotewire run"), "{holder}");

    for command in [&["run", "--pipeline"][..], &["ingest", "--pipeline"][..]] {
        let mut second = quotewire(&data);
        second.args(command).arg(&pipeline);
        let refused = tokio::task::spawn_blocking(move || child::run(second, Duration::from_secs(60))).await.unwrap();
        assert_eq!(refused.code, Some(2), "{refused:#?}");
        assert!(refused.stderr.contains("is in use by another quotewire process"), "{}", refused.stderr);
        assert!(refused.stderr.contains(&format!("pid {}", first.id())), "{}", refused.stderr);
    }
    child::send(&first, libc::SIGTERM);
    let stopped = tokio::task::spawn_blocking(move || {
        child::wait_measured(first, std::time::Instant::now(), Duration::from_secs(60))
    })
    .await
    .unwrap();
    assert_eq!(stopped.code, Some(0), "{stopped:#?}");
    assert_store_and_index_agree(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_never_answers_does_not_delay_the_others_beyond_its_deadline() {
    // Accepts connections and never says a word.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let (router, _) = article_site(10, Duration::ZERO);
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sources = format!(
        "[schedule]\nsource_deadline = \"2s\"\n[[sources]]\ntype = \"feed\"\nurl = \"http://{silent_addr}/feed.xml\"\n\
         [[sources]]\ntype = \"sitemap\"\nurl = \"http://{addr}/sitemap.xml\"\n"
    );
    // The fetch timeout alone would hold the silent source for 60 s.
    let pipeline = write_pipeline(dir.path(), "deadline", &sources, "timeout_secs = 60\n");
    let mut ingest = quotewire(&data);
    ingest.args(["ingest", "--pipeline"]).arg(&pipeline);
    let finished = tokio::task::spawn_blocking(move || child::run(ingest, Duration::from_secs(120))).await.unwrap();
    assert_eq!(finished.code, Some(1), "the silent source counts as failed: {finished:#?}");
    assert!(finished.wall < Duration::from_secs(20), "bounded by the 2 s deadline: {:?}", finished.wall);
    assert!(finished.stdout.contains("articles 10,"), "the other source was not held up: {}", finished.stdout);
    assert!(finished.stderr.contains("did not finish within its deadline of 2s"), "{}", finished.stderr);
    assert_eq!(assert_store_and_index_agree(&data), 10);
    // The next status names it among the sources that failed.
    let status = child::run(
        {
            let mut c = quotewire(&data);
            c.args(["status", "--json", "--failing-after", "1"]);
            c
        },
        Duration::from_secs(60),
    );
    let report: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    let failing = report["failing_sources"].as_array().unwrap();
    assert_eq!(failing.len(), 1, "{report}");
    assert!(failing[0]["source"].as_str().unwrap().starts_with("feed http://"), "{report}");
}

/// Makes `path` and everything under it read-only (and readable by anyone).
fn make_read_only(path: &Path, read_only: bool) {
    use std::os::unix::fs::PermissionsExt;
    for entry in walk(path) {
        let dir = entry.is_dir();
        let mode = match (dir, read_only) {
            (true, true) => 0o555,
            (true, false) => 0o755,
            (false, true) => 0o444,
            (false, false) => 0o644,
        };
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

fn walk(path: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![path.to_path_buf()];
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            out.extend(walk(&entry.unwrap().path()));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_data_directory_can_be_searched_and_refuses_writes_clearly() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data = dir.path().join("data");
    let pages = repo().join("tests/fixtures/sites/globe-wire/technology");
    let stats = ingest(&ad_hoc(vec![quotewire::config::Source::Dir { path: pages.clone() }]), &data).await;
    assert_eq!(stats.articles, 4);
    make_read_only(&data, true);
    let unprivileged = |args: &[&str]| {
        let mut command = quotewire(&data);
        command.args(args);
        child::as_unprivileged(&mut command);
        child::run(command, Duration::from_secs(120))
    };
    let search = unprivileged(&["search", "stance:deny", "--type", "quote"]);
    assert_eq!(search.code, Some(0), "{search:#?}");
    assert!(!search.stdout.starts_with("0 matches"), "{}", search.stdout);
    let export = unprivileged(&["export"]);
    assert_eq!(export.code, Some(0), "{export:#?}");
    assert_eq!(export.stdout.lines().count(), 4);
    assert_eq!(unprivileged(&["status"]).code, Some(0));

    let write = unprivileged(&["ingest", "--dir", pages.to_str().unwrap()]);
    assert_eq!(write.code, Some(2), "{write:#?}");
    assert!(write.stderr.contains("cannot write to the data directory"), "{}", write.stderr);
    assert!(!write.stderr.contains("panicked"));

    make_read_only(&data, false);
    assert_eq!(assert_store_and_index_agree(&data), 4, "nothing lost, nothing half-written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_stops_the_run_with_a_clear_error_and_corrupts_nothing() {
    // Pages that do not compress: each adds about 150 KB to the store.
    let router = axum::Router::new().route(
        "/big/{n}",
        axum::routing::get(|axum::extract::Path(n): axum::extract::Path<u64>| async move {
            let mut rng = Rng(n * 7919 + 1);
            let noise: String = (0..200_000).map(|_| char::from(b'a' + rng.below(26) as u8)).collect();
            html(format!(
                "<html><head><title>Report {n}</title></head><body><article><h1>Report {n}</h1>\
                 <p>\"We are reviewing the findings,\" said Maria Lopez, a spokeswoman for the regulator.</p>\
                 <p>{noise}</p></article></body></html>"
            ))
        }),
    );
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pages = repo().join("tests/fixtures/sites/globe-wire/technology");
    ingest(&ad_hoc(vec![quotewire::config::Source::Dir { path: pages }]), &data).await;
    let sources: String =
        (0..40).map(|n| format!("[[sources]]\ntype = \"url\"\nurl = \"http://{addr}/big/{n}\"\n")).collect();
    let pipeline = write_pipeline(dir.path(), "big", &sources, "");

    let mut full = quotewire(&data);
    full.args(["ingest", "--pipeline"]).arg(&pipeline);
    let store_size = std::fs::metadata(data.join("store.sqlite")).unwrap().len();
    child::limit_file_size(&mut full, store_size + 1_000_000);
    let finished = tokio::task::spawn_blocking(move || child::run(full, Duration::from_secs(300))).await.unwrap();
    assert!(matches!(finished.code, Some(1 | 2)), "{finished:#?}");
    assert!(!finished.stderr.contains("panicked"), "{}", finished.stderr);
    let clear = ["the disk is full or a file-size limit", "cannot be written", "File too large"];
    assert!(clear.iter().any(|m| finished.stderr.contains(m)), "{}", finished.stderr);

    // The store opens intact, with what it had; a run with room finishes the job.
    let store = DataDir::new(&data).open_store_for_writing().unwrap();
    store.check_integrity().unwrap();
    assert!(store.articles().unwrap().len() >= 4);
    drop(store);
    let mut again = quotewire(&data);
    again.args(["ingest", "--pipeline"]).arg(&pipeline);
    let finished = tokio::task::spawn_blocking(move || child::run(again, Duration::from_secs(300))).await.unwrap();
    assert_eq!(finished.code, Some(0), "{finished:#?}");
    assert_eq!(assert_store_and_index_agree(&data), 44);
}
