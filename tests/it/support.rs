//! Shared helpers: the bundled fixture sites, ad-hoc axum servers on 127.0.0.1, runs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
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

/// A short news article with one quote, canonical URL `/a/{n}.html`.
pub fn article_page(n: usize) -> String {
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

/// A site of `pages` articles listed in `/sitemap.xml`, each answered after `delay`; the
/// counter counts article requests.
pub fn article_site(pages: usize, delay: std::time::Duration) -> (Router, Arc<std::sync::atomic::AtomicUsize>) {
    use axum::http::header;
    use axum::response::IntoResponse;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let served = Arc::new(AtomicUsize::new(0));
    let counter = served.clone();
    let sitemap: String =
        std::iter::once(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#.to_string())
            .chain((0..pages).map(|n| format!("<url><loc>/a/{n}.html</loc></url>")))
            .chain(std::iter::once("</urlset>".to_string()))
            .collect();
    let router = Router::new()
        .route(
            "/sitemap.xml",
            axum::routing::get(move || async move { ([(header::CONTENT_TYPE, "application/xml")], sitemap) }),
        )
        .route(
            "/a/{file}",
            axum::routing::get(move |axum::extract::Path(file): axum::extract::Path<String>| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(delay).await;
                    let n: usize = file.trim_end_matches(".html").parse().unwrap_or(0);
                    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], article_page(n)).into_response()
                }
            }),
        );
    (router, served)
}

/// Writes a pipeline file `NAME.toml` into `dir`: `sources` are `[[sources]]` tables (and any
/// `[schedule]`), the `[fetch]` table is fast and allows loopback, plus `fetch_extra` lines.
pub fn write_pipeline(dir: &Path, name: &str, sources: &str, fetch_extra: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    let defaults =
        ["per_host_delay_ms = 0", "per_domain_requests_per_second = 0", "private_addresses = \"allow\"", "retries = 0"];
    // `fetch_extra` wins over a default of the same key.
    let overridden = |line: &str| fetch_extra.lines().any(|l| l.split('=').next() == line.split('=').next());
    let fetch: Vec<&str> = defaults.into_iter().filter(|line| !overridden(line)).collect();
    std::fs::write(
        &path,
        format!("version = 1\nname = \"{name}\"\n{sources}\n[fetch]\n{}\n{fetch_extra}\n", fetch.join("\n")),
    )
    .unwrap();
    path
}

/// A temporary directory holding a data directory (not yet created) and a pipeline file.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub data: PathBuf,
    pub pipeline: PathBuf,
}

/// A pipeline `name` of one `kind` source at `url`, with `schedule` lines (may be empty) and
/// `fetch_extra` settings (see [`write_pipeline`]).
pub fn one_source(name: &str, schedule: &str, kind: &str, url: &str, fetch_extra: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let sources = format!("[schedule]\n{schedule}\n[[sources]]\ntype = \"{kind}\"\nurl = \"{url}\"\n");
    let pipeline = write_pipeline(dir.path(), name, &sources, fetch_extra);
    Setup { data: dir.path().join("data"), pipeline, dir }
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
