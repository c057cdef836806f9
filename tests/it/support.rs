//! Shared helpers: the bundled fixture sites, ad-hoc axum servers on 127.0.0.1, runs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use quotewire::config::{Config, Pipeline, Source};
use quotewire::data_dir::DataDir;
use quotewire::demo::FixtureServer;
use quotewire::index::SearchIndex;
use quotewire::model::ArticleRecord;
use quotewire::pipeline::{RunControl, RunOptions, RunStats, SilentProgress, Workspace};
use quotewire::store::{DocumentStore, SqliteStore};

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

/// Runs a pipeline against the store and index in `data`, as `quotewire ingest` does: the
/// index is committed when this returns.
pub async fn ingest(pipeline: &Pipeline, data: &Path) -> RunStats {
    let workspace = Workspace::open(&DataDir::new(data), "test", 20_000_000).expect("data directory opens");
    let stats = workspace
        .run(pipeline, Arc::new(SilentProgress), &RunControl::default(), RunOptions::default())
        .await
        .expect("run completes");
    workspace.close().expect("index commits");
    stats
}

/// The store of a data directory, read-only.
pub fn open_store(data: &Path) -> SqliteStore {
    DataDir::new(data).open_store().expect("store opens")
}

/// The index of a data directory, read-only.
pub fn open_index(data: &Path) -> SearchIndex {
    DataDir::new(data).open_index().expect("index opens")
}

/// Every stored article.
pub fn stored(data: &Path) -> Vec<ArticleRecord> {
    open_store(data).articles().expect("articles read")
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
