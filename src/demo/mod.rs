//! The bundled sample corpus and the loopback server that serves it.
//!
//! `tests/fixtures/sites/<site>/` is served at `http://127.0.0.1:<port>/`, one listener per
//! site, with `{{origin}}` / `{{origin:SITE}}` placeholders in text files replaced by the
//! origins. Responses carry an ETag and Last-Modified and answer conditional requests with
//! 304, like a well-behaved news site. Used by `quotewire demo` and the integration tests;
//! it serves files and does nothing else.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Errors of the fixture server.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot read the sample corpus at {path}: {message} (run from the repository root or pass --corpus)")]
    Corpus { path: PathBuf, message: String },
    #[error("cannot listen on 127.0.0.1: {0}")]
    Bind(std::io::Error),
}

/// Fixed Last-Modified of every fixture, so validators are stable across runs.
const LAST_MODIFIED: &str = "Mon, 03 Jun 2024 08:00:00 GMT";

/// The corpus shipped in the repository.
pub fn default_corpus_dir() -> PathBuf {
    let local = PathBuf::from("tests/fixtures/sites");
    if local.is_dir() {
        return local;
    }
    // The project the binary was built in, wherever it is run from.
    if let Some(project) = std::env::current_exe().ok().as_deref().and_then(crate::config::project_of)
        && project.join("tests/fixtures/sites").is_dir()
    {
        return project.join("tests/fixtures/sites");
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites")
}

/// One request as the server saw it (tests assert on these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenRequest {
    pub site: String,
    pub path: String,
    pub if_none_match: Option<String>,
    pub status: u16,
}

/// Running fixture sites; dropping it stops them.
pub struct FixtureServer {
    origins: BTreeMap<String, String>,
    log: Arc<Mutex<Vec<SeenRequest>>>,
    stop: CancellationToken,
}

struct SiteState {
    name: String,
    root: PathBuf,
    origins: Arc<BTreeMap<String, String>>,
    log: Arc<Mutex<Vec<SeenRequest>>>,
}

impl FixtureServer {
    /// Serves every directory under `corpus` as its own site on a random loopback port.
    pub async fn start(corpus: &Path) -> Result<FixtureServer, DemoError> {
        let corpus_error = |e: std::io::Error| DemoError::Corpus { path: corpus.to_path_buf(), message: e.to_string() };
        let mut sites: Vec<PathBuf> = std::fs::read_dir(corpus)
            .map_err(corpus_error)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        sites.sort();
        let mut listeners = Vec::new();
        let mut origins = BTreeMap::new();
        for dir in sites {
            let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("site").to_string();
            let listener = TcpListener::bind("127.0.0.1:0").await.map_err(DemoError::Bind)?;
            let addr: SocketAddr = listener.local_addr().map_err(DemoError::Bind)?;
            origins.insert(name.clone(), format!("http://{addr}"));
            listeners.push((name, dir, listener));
        }
        let shared_origins = Arc::new(origins.clone());
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = CancellationToken::new();
        for (name, root, listener) in listeners {
            let state = Arc::new(SiteState { name, root, origins: shared_origins.clone(), log: log.clone() });
            let app = Router::new().fallback(serve_file).with_state(state);
            let stop = stop.clone();
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).with_graceful_shutdown(async move { stop.cancelled().await }).await;
            });
        }
        Ok(FixtureServer { origins, log, stop })
    }

    /// `site name -> http://127.0.0.1:PORT`.
    pub fn origins(&self) -> &BTreeMap<String, String> {
        &self.origins
    }

    /// The origin of one site.
    pub fn origin(&self, site: &str) -> Option<&str> {
        self.origins.get(site).map(String::as_str)
    }

    /// Every request served so far.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Variable lookup for pipeline files: `DEMO_GLOBE_WIRE` -> origin of `globe-wire`.
    pub fn variable(&self, name: &str) -> Option<String> {
        let site = name.strip_prefix("DEMO_")?.to_ascii_lowercase().replace('_', "-");
        self.origins.get(&site).cloned()
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn content_type(path: &Path, body: &[u8]) -> &'static str {
    let name = path.to_string_lossy().to_ascii_lowercase();
    let utf8 = std::str::from_utf8(body).is_ok();
    if name.ends_with(".html") || name.ends_with(".htm") {
        // Legacy-charset pages are served without a charset, as many old CMSes do.
        if utf8 { "text/html; charset=utf-8" } else { "text/html" }
    } else if name.ends_with(".rss") {
        "application/rss+xml; charset=utf-8"
    } else if name.ends_with(".atom") || name.ends_with("atom.xml") {
        "application/atom+xml; charset=utf-8"
    } else if name.ends_with(".xml") {
        "application/xml; charset=utf-8"
    } else if name.ends_with(".json") {
        "application/json"
    } else if name.ends_with(".gz") {
        "application/gzip"
    } else {
        "text/plain; charset=utf-8"
    }
}

fn substitute(text: &str, own: &str, origins: &BTreeMap<String, String>) -> String {
    let mut out = text.replace("{{origin}}", own);
    for (name, origin) in origins {
        out = out.replace(&format!("{{{{origin:{name}}}}}"), origin);
    }
    out
}

async fn serve_file(State(site): State<Arc<SiteState>>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).map(str::to_string);
    let response = respond(&site, &path, if_none_match.as_deref()).await;
    site.log.lock().unwrap_or_else(|p| p.into_inner()).push(SeenRequest {
        site: site.name.clone(),
        path,
        if_none_match,
        status: response.status().as_u16(),
    });
    response
}

async fn respond(site: &SiteState, path: &str, if_none_match: Option<&str>) -> Response {
    let relative = path.trim_start_matches('/');
    // Refuse anything that could leave the site directory.
    if relative.split('/').any(|part| part == ".." || part.starts_with('.')) || relative.contains('\\') {
        return status(StatusCode::NOT_FOUND);
    }
    let mut file = site.root.join(relative);
    if relative.is_empty() || relative.ends_with('/') || file.is_dir() {
        file = file.join("index.html");
    }
    let Ok(raw) = tokio::fs::read(&file).await else {
        return status(StatusCode::NOT_FOUND);
    };
    let own = site.origins.get(&site.name).cloned().unwrap_or_default();
    let body = match std::str::from_utf8(&raw) {
        Ok(text) if text.contains("{{origin") => substitute(text, &own, &site.origins).into_bytes(),
        _ => raw,
    };
    let etag = format!("\"{}\"", &crate::pipeline::content_hash(&body)[..16]);
    let mut builder = Response::builder().header(header::ETAG, &etag).header(header::LAST_MODIFIED, LAST_MODIFIED);
    if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR));
    }
    builder = builder.header(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&file, &body)));
    builder.status(StatusCode::OK).body(Body::from(body)).unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR))
}

fn status(code: StatusCode) -> Response {
    let mut response = Response::new(Body::from(code.canonical_reason().unwrap_or("error")));
    *response.status_mut() = code;
    response
}
