//! A run killed with SIGKILL mid-way resumes on the next run without losing or duplicating
//! anything: every page stored once, every article in the index once.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use quotewire::index::{DocType, SearchIndex, SearchRequest};
use quotewire::store::{DocumentStore, SqliteStore};

const PAGES: usize = 300;

fn page(n: usize) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><title>Outage report {n}</title>
<link rel="canonical" href="/a/{n}.html"></head><body><article><h1>Outage report {n}</h1>
<p>Engineers restored service to district {n} late on Monday after a fibre cut left thousands of homes offline
for most of the afternoon, the operator said in a statement.</p>
<p>"Crews worked through the night to reroute traffic," said Lena Ortiz, the operator's head of field operations.</p>
<p>The regulator said it would review the incident as part of its annual resilience report.</p>
</article></body></html>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ingest_killed_mid_run_resumes_without_losing_or_duplicating() {
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sitemap: String =
        std::iter::once(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#.to_string())
            .chain((0..PAGES).map(|n| format!("<url><loc>http://{addr}/a/{n}.html</loc></url>")))
            .chain(std::iter::once("</urlset>".to_string()))
            .collect();
    let router = Router::new()
        .route("/sitemap.xml", get(move || async move { ([(header::CONTENT_TYPE, "application/xml")], sitemap) }))
        .route(
            "/a/{file}",
            get(move |Path(file): Path<String>| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    let n: usize = file.trim_end_matches(".html").parse().unwrap_or(0);
                    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page(n)).into_response()
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await });

    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("resume.toml");
    std::fs::write(
        &pipeline,
        format!(
            "version = 1\nname = \"resume\"\n[[sources]]\ntype = \"sitemap\"\nurl = \"http://{addr}/sitemap.xml\"\n\
             [fetch]\nper_host_delay_ms = 0\nper_host_concurrency = 4\nper_domain_requests_per_second = 0\n"
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let command = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_quotewire"));
        c.arg("--data-dir").arg(&data).arg("ingest").arg("--pipeline").arg(&pipeline);
        c.stdout(Stdio::null()).stderr(Stdio::null());
        c
    };

    let mut child = command().spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while served.load(Ordering::SeqCst) < PAGES / 4 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL: no cleanup, no commit
    child.wait().unwrap();
    let at_kill = served.load(Ordering::SeqCst);
    assert!((PAGES / 4..PAGES).contains(&at_kill), "killed mid-run, after {at_kill} pages");

    let status = command().status().unwrap();
    assert_eq!(status.code(), Some(0));

    let store = SqliteStore::open(&data.join("store.sqlite")).unwrap();
    let articles = store.articles().unwrap();
    assert_eq!(articles.len(), PAGES, "every page stored");
    let urls: HashSet<&str> = articles.iter().filter_map(|a| a.canonical_url.as_deref()).collect();
    assert_eq!(urls.len(), PAGES, "each exactly once");
    assert!(store.pending_index().unwrap().is_empty(), "everything reached the index");
    let index = SearchIndex::open_or_create(&data.join("tantivy")).unwrap();
    let indexed = index.search(&SearchRequest::new("*", Some(DocType::Article), 1)).unwrap().total;
    assert_eq!(indexed, PAGES, "each article indexed exactly once");
}
