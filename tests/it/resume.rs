//! A run killed with SIGKILL mid-way resumes on the next run without losing or duplicating
//! anything: every page stored once, every article in the index once.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use quotewire::data_dir::DataDir;
use quotewire::index::{DocType, SearchRequest};
use quotewire::store::DocumentStore;

use crate::support::*;

const PAGES: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ingest_killed_mid_run_resumes_without_losing_or_duplicating() {
    let (router, served) = article_site(PAGES, Duration::from_millis(5));
    let addr = serve(router).await;

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

    let store = DataDir::new(&data).open_store().unwrap();
    let articles = store.articles().unwrap();
    assert_eq!(articles.len(), PAGES, "every page stored");
    let urls: HashSet<&str> = articles.iter().filter_map(|a| a.canonical_url.as_deref()).collect();
    assert_eq!(urls.len(), PAGES, "each exactly once");
    let index = DataDir::new(&data).open_index().unwrap();
    let through = index.indexed_through().unwrap().expect("the commit records its store sequence");
    assert_eq!(store.count_articles_after(through).unwrap(), 0, "everything reached the index");
    let indexed = index.search(&SearchRequest::new("*", Some(DocType::Article), 1)).unwrap().total;
    assert_eq!(indexed, PAGES, "each article indexed exactly once");
}
