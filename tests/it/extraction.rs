//! Extraction at the edges, end to end: every page gets a record (non-articles keep their
//! metadata in `extract --json` and in the store), binary input is refused per file while the
//! rest of a directory goes through, dependency warnings stay quiet, and a 100 MB page streamed
//! from a loopback server costs well under a second of CPU.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use quotewire::config::Config;
use quotewire::fetch::{Expect, FetchError, Fetcher, Validators};
use quotewire::model::{ArticleRecord, NotArticleReason};
use quotewire::store::{DocumentStore, SqliteStore};
use url::Url;

use crate::support::*;

fn quotewire(data: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quotewire"));
    command.current_dir(repo()).arg("--data-dir").arg(data).args(args);
    command.env_remove("RUST_LOG").env_remove("QUOTEWIRE_LOG");
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().expect("binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const ARTICLE: &str = r#"<!doctype html><html lang="en"><head><title>Operator fined over outage</title>
<meta property="article:published_time" content="2021-03-04T09:00:00Z"></head><body><article>
<h1>Operator fined over outage</h1>
<p>The regulator fined the operator on Thursday after a nationwide outage left millions of customers
without service for most of a day, the largest penalty it has imposed.</p>
<p>"The failure was avoidable and the response was slow," said Mara Lind, the regulator's chair, adding
that the operator had ignored earlier warnings about the same equipment.</p>
<p>The operator said it would appeal, and that it had already replaced the faulty routers.</p>
</article></body></html>"#;

/// A page whose table holds text outside its cells: html5ever logs "foster parenting not
/// implemented" for it.
const TABLE_PAGE: &str = r#"<html><head><title>Results table</title></head><body><article>
<p>The committee published the results of the vote on Monday, with every member's position listed.</p>
<table><tr><td>Yes</td></tr>stray text<b>bold</b><tr><td>No</td></tr></table></article></body></html>"#;

fn write_dir(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut state: u32 = 99;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) as u8
        })
        .collect()
}

#[test]
fn dependency_warnings_are_quiet_by_default_and_shown_with_verbose_or_rust_log() {
    let pages = write_dir(&[("table.html", TABLE_PAGE.as_bytes())]);
    let data = tempfile::tempdir().unwrap();
    let file = pages.path().join("table.html");
    let file = file.to_str().unwrap();
    let quiet = quotewire(data.path(), &["extract", file], &[]);
    assert!(quiet.status.success(), "{}", text(&quiet.stderr));
    assert!(!text(&quiet.stderr).contains("foster parenting"), "{}", text(&quiet.stderr));
    let verbose = quotewire(data.path(), &["-v", "extract", file], &[]);
    assert!(text(&verbose.stderr).contains("foster parenting"), "{}", text(&verbose.stderr));
    let rust_log = quotewire(data.path(), &["extract", file], &[("RUST_LOG", "warn")]);
    assert!(text(&rust_log.stderr).contains("foster parenting"), "{}", text(&rust_log.stderr));
}

#[test]
fn binary_files_are_refused_one_by_one_and_the_rest_of_the_directory_goes_through() {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(random_bytes(4096));
    let pages = write_dir(&[
        ("article.html", ARTICLE.as_bytes()),
        ("noise.html", &random_bytes(64 * 1024)),
        ("picture.html", &png),
    ]);
    let data = tempfile::tempdir().unwrap();
    let dir = pages.path().to_str().unwrap();

    let out = quotewire(data.path(), &["extract", "--json", dir], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let records: Vec<ArticleRecord> =
        text(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("a record")).collect();
    assert_eq!(records.len(), 1, "{}", text(&out.stdout));
    assert_eq!(records[0].title.as_deref(), Some("Operator fined over outage"));
    assert!(!records[0].quotes.is_empty());
    let errors = text(&out.stderr);
    assert!(errors.contains("noise.html: not an HTML document"), "{errors}");
    assert!(errors.contains("picture.html: not an HTML document: it is a PNG image"), "{errors}");

    let out = quotewire(data.path(), &["ingest", "--dir", dir], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("failed 2") && summary.contains("articles 1"), "{summary}");
    let export = quotewire(data.path(), &["export"], &[]);
    assert_eq!(text(&export.stdout).lines().count(), 1, "{}", text(&export.stdout));
}

#[test]
fn a_page_that_is_not_an_article_keeps_its_metadata_in_extract_and_in_the_store() {
    let listing = std::fs::read(repo().join("src/extract/testdata/listing.html")).unwrap();
    let pages = write_dir(&[("section.html", &listing), ("article.html", ARTICLE.as_bytes())]);
    let data = tempfile::tempdir().unwrap();
    let dir = pages.path().to_str().unwrap();

    let out = quotewire(data.path(), &["extract", "--json", dir], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let records: Vec<serde_json::Value> =
        text(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert_eq!(records.len(), 2, "{}", text(&out.stdout));
    let section = records.iter().find(|r| r["file"].as_str().unwrap().ends_with("section.html")).unwrap();
    assert_eq!(section["not_article"], "listing");
    assert_eq!(section["kind"], "other");
    assert_eq!(section["title"], "Business");
    assert_eq!(section["language"], "en");
    assert_eq!(section["text"], "");
    assert!(section["quotes"].as_array().unwrap().is_empty());
    let article = records.iter().find(|r| r["file"].as_str().unwrap().ends_with("article.html")).unwrap();
    assert_eq!(article["not_article"], serde_json::Value::Null);
    assert_eq!(article["published_source"], "meta");
    assert!(article["published_confidence"].as_f64().unwrap() > 0.8);

    let out = quotewire(data.path(), &["ingest", "--dir", dir], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("not articles 1"), "{}", text(&out.stdout));
    let store = SqliteStore::open(&data.path().join("store.sqlite")).unwrap();
    let url = Url::from_file_path(std::fs::canonicalize(pages.path().join("section.html")).unwrap()).unwrap();
    let stored = store.page_metadata(url.as_str()).unwrap().expect("the listing's metadata is stored");
    assert_eq!(stored.not_article, Some(NotArticleReason::Listing));
    assert_eq!(stored.title.as_deref(), Some("Business"));
    // Out of the articles and the index.
    assert_eq!(store.articles().unwrap().len(), 1);
    let hits = quotewire(data.path(), &["search", "title:business", "--json"], &[]);
    assert!(text(&hits.stdout).trim().is_empty(), "{}", text(&hits.stdout));
}

/// Seconds this thread has run on a CPU.
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_ascii_whitespace().next().and_then(|n| n.parse::<u64>().ok()))
        .map_or(0.0, |nanos| nanos as f64 / 1e9)
}

#[test]
fn a_100_mb_single_line_page_streamed_from_loopback_costs_under_a_second_of_cpu() {
    // One thread runs the server and the fetcher, so its CPU time is all the work.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        const CHUNK: usize = 64 * 1024;
        const CHUNKS: usize = 1600; // 100 MiB, one line
        let router = Router::new().route(
            "/one-line.html",
            get(|| async {
                let mut first = b"<html><body><p>".to_vec();
                first.resize(CHUNK, b'w');
                let first = axum::body::Bytes::from(first);
                let rest = axum::body::Bytes::from(b"word ".repeat(CHUNK / 5));
                let stream = futures_util::stream::iter(
                    (0..CHUNKS)
                        .map(move |i| Ok::<_, std::io::Error>(if i == 0 { first.clone() } else { rest.clone() })),
                );
                ([(header::CONTENT_TYPE, "text/html")], Body::from_stream(stream)).into_response()
            }),
        );
        let addr = serve(router).await;
        let mut config = Config::default().fetch;
        config.per_host_delay = Duration::ZERO;
        config.retries = 0;
        let fetcher = Fetcher::new(&config).unwrap();
        let before = thread_cpu_seconds();
        let url = Url::parse(&format!("http://{addr}/one-line.html")).unwrap();
        let result = fetcher.fetch(&url, &Validators::default(), Expect::Html).await;
        let seconds = thread_cpu_seconds() - before;
        let Err(error) = result else { panic!("the body is over the cap") };
        assert!(matches!(error, FetchError::TooLarge { .. }), "{error}");
        assert!(error.to_string().contains("max_body_bytes"), "{error}");
        assert!(seconds < 1.0, "{seconds:.3} s of CPU");
    });
}
