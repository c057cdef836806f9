//! Shared helpers: the bundled fixture sites, ad-hoc axum servers on 127.0.0.1, runs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use axum::Router;
use quotewire::config::{Config, Pipeline, Source};
use quotewire::demo::FixtureServer;
use quotewire::index::SearchIndex;
use quotewire::nlp::Analyzer;
use quotewire::pipeline::{self, RunStats, SilentProgress};
use quotewire::store::SqliteStore;
use tokio_util::sync::CancellationToken;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub async fn fixture_sites() -> FixtureServer {
    FixtureServer::start(&repo().join("tests/fixtures/sites")).await.expect("fixture sites start")
}

/// The demo pipeline pointed at the running fixture sites.
pub fn demo_pipeline(server: &FixtureServer) -> Pipeline {
    Pipeline::load_with_vars(&repo().join("pipelines/demo.toml"), &Config::default(), &|name| server.variable(name))
        .expect("demo pipeline is valid")
}

/// A pipeline of ad-hoc sources with fast loopback settings.
pub fn ad_hoc(sources: Vec<Source>) -> Pipeline {
    let mut p = Pipeline::ad_hoc(sources, &Config::default());
    p.fetch.per_host_delay = std::time::Duration::ZERO;
    p.fetch.per_domain_requests_per_second = 0;
    p.fetch.retries = 0;
    p.fetch.timeout = std::time::Duration::from_secs(5);
    p
}

/// Runs a pipeline against the store and index in `data`.
pub async fn ingest(pipeline: &Pipeline, data: &Path) -> RunStats {
    std::fs::create_dir_all(data).unwrap();
    let store = SqliteStore::open(&data.join("store.sqlite")).unwrap();
    let index = SearchIndex::open_or_create(&data.join("tantivy")).unwrap();
    let sink = index.writer(20_000_000).unwrap();
    pipeline::run(
        pipeline,
        Box::new(store),
        Box::new(sink),
        Analyzer::new(),
        Arc::new(SilentProgress),
        CancellationToken::new(),
        false,
    )
    .await
    .expect("run completes")
}

/// Serves `router` on a random 127.0.0.1 port until the test ends.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// A 127.0.0.1 port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// An HTML response, as a well-behaved site sends it.
pub fn html(body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// Runs the `quotewire` binary on the data dir `data`, from the repository root.
pub fn quotewire(data: &Path, args: &[&str]) -> Output {
    quotewire_with_env(data, args, &[])
}

/// [`quotewire`] with extra environment variables.
pub fn quotewire_with_env(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .current_dir(repo())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The bundled corpus ingested through the fixture sites into a fresh data dir. The sites
/// stop when the returned server drops (as after a demo).
pub async fn corpus_data() -> (tempfile::TempDir, quotewire::demo::FixtureServer) {
    let server = fixture_sites().await;
    let data = tempfile::tempdir().unwrap();
    let stats = ingest(&demo_pipeline(&server), data.path()).await;
    assert_eq!(stats.failed, 0, "{:?}", stats.errors);
    (data, server)
}
