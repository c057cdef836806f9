//! The HTTP API and the web page (`quotewire serve`).
//!
//! Owns the routes (the table in [`api_routes`] is what `/api/v1/openapi.json` describes, a
//! test holds them to each other), parameter checking (`params.rs`), error → status mapping
//! (JSON bodies for the API, HTML for the page), the store connections handlers borrow
//! (`pool.rs`: PostgreSQL ones kept between requests), the JSON API (`api.rs`) and the
//! server-rendered page (`page/`: search with facets and an SVG timeline, speaker, entity
//! and cluster pages, stored copies of pages). It reads the index and the store; its only
//! writes are the watches the API adds, removes and runs.

mod api;
mod auth;
mod guard;
mod limits;
mod metrics;
mod page;
mod params;
mod pool;
mod similar;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::index::quickwit::QuickwitSearch;
use crate::index::{IndexError, SearchIndex};
use crate::similar::SimilarSearch;
use crate::store::{SqliteStore, StoreError};
use pool::{PostgresPool, StoreHandle};

pub use auth::{TOKEN_VARIABLE, Token};
pub use guard::{MetricsRefresh, Security, configure, configured, wrap_with};
pub use limits::{MAX_BODY_BYTES, MAX_QUERY_BYTES, MAX_URI_BYTES, serve_connections};
pub use metrics::{bind, serve_metrics};

/// Errors of the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {bind}: {source}")]
    Bind { bind: String, source: std::io::Error },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}

/// Where the server's store is.
#[derive(Clone)]
pub enum StoreSource {
    /// The SQLite store file of the data directory.
    Sqlite(PathBuf),
    /// A PostgreSQL store (`serve --store postgres://...`): opened (and so migrated) once
    /// before serving, then its connections are kept between requests (`pool.rs`).
    Postgres(Arc<PostgresPool>),
}

/// What the handlers read: the index and (for articles, stored pages and watches) the store.
#[derive(Clone)]
pub struct AppState {
    pub index: Arc<SearchIndex>,
    /// The store; None when serving an index alone (then articles, stored copies and
    /// watches answer 404).
    pub store: Option<StoreSource>,
    /// Statement vectors for similar-statement queries (`/api/v1/similar`).
    pub similar: Arc<SimilarSearch>,
    /// A Quickwit index that `/api/v1/search` (and `/api/search`) read instead of `index`.
    pub quickwit: Option<Arc<QuickwitSearch>>,
}

impl AppState {
    /// Similar statements from the stored vectors of the default model, by statement id.
    pub fn new(index: Arc<SearchIndex>, store: Option<PathBuf>) -> AppState {
        let model = crate::embed::model_name(std::path::Path::new(crate::embed::DEFAULT_MODEL_DIR));
        let store = store.map(StoreSource::Sqlite);
        AppState { index, store, similar: Arc::new(SimilarSearch::stored_only(&model)), quickwit: None }
    }

    /// Articles, stored copies and watches from the PostgreSQL store at `url` instead (the
    /// index is the local one following it).
    pub fn with_postgres_store(mut self, url: &str) -> AppState {
        self.store = Some(StoreSource::Postgres(Arc::new(PostgresPool::new(url))));
        self
    }

    /// Searches through the API read `quickwit` (facets, timelines, pages and summaries
    /// still read the local index).
    pub fn with_quickwit(mut self, quickwit: QuickwitSearch) -> AppState {
        self.quickwit = Some(Arc::new(quickwit));
        self
    }

    /// A search of the API's engine: Quickwit when configured, else the local index. Runs
    /// on the calling (blocking) thread.
    fn search(&self, request: &crate::index::SearchRequest) -> Result<crate::index::SearchResults, IndexError> {
        match &self.quickwit {
            Some(quickwit) => quickwit.search(request),
            None => self.index.search(request),
        }
    }

    /// Answers similar-statement queries with `similar` (its model, and text queries when
    /// it has an embedder).
    pub fn with_similar(mut self, similar: SimilarSearch) -> AppState {
        self.similar = Arc::new(similar);
        self
    }

    /// A connection to the store for the watches the API changes, for one request (SQLite
    /// opens in microseconds; PostgreSQL connections are kept between requests).
    fn store(&self) -> Result<StoreHandle, ApiError> {
        match self.store.as_ref().ok_or_else(|| ApiError::not_found("this server has no document store"))? {
            StoreSource::Sqlite(path) => Ok(StoreHandle::owned(Box::new(SqliteStore::open(path)?))),
            StoreSource::Postgres(pool) => Ok(pool.get()?),
        }
    }

    /// A read-only connection to the store: reads never create or migrate anything in a
    /// SQLite store, so a read-only data directory can be served.
    fn read_store(&self) -> Result<StoreHandle, ApiError> {
        match self.store.as_ref().ok_or_else(|| ApiError::not_found("this server has no document store"))? {
            StoreSource::Sqlite(path) => Ok(StoreHandle::owned(Box::new(SqliteStore::open_read_only(path)?))),
            StoreSource::Postgres(pool) => Ok(pool.get()?),
        }
    }
}

/// An error answered as JSON `{"error": ..., "status": ...}` with its status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
}

impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> ApiError {
        let status = if e.is_usage() { StatusCode::BAD_REQUEST } else { StatusCode::INTERNAL_SERVER_ERROR };
        ApiError::new(status, e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let status = match e {
            StoreError::Conflict(_) => StatusCode::CONFLICT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message, "status": self.status.as_u16() });
        (self.status, axum::Json(body)).into_response()
    }
}

/// Runs blocking work (index and store reads) off the async executor.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("request failed: {e}")))?
}

/// The JSON routes: (method, path as in OpenAPI, handler). `/api/v1/openapi.json` describes
/// exactly these.
pub fn api_routes() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    use axum::routing::{delete, post};
    vec![
        ("get", "/healthz", get(api::healthz)),
        ("get", "/api/v1/openapi.json", get(api::openapi)),
        ("get", "/api/v1/search", get(api::search)),
        ("get", "/api/v1/facets", get(api::facets)),
        ("get", "/api/v1/timeline", get(api::timeline)),
        ("get", "/api/v1/quotes/{id}", get(api::quote)),
        ("get", "/api/v1/articles/{id}", get(api::article)),
        ("get", "/api/v1/speakers/{name}", get(api::speaker)),
        ("get", "/api/v1/entities/{name}", get(api::entity)),
        ("get", "/api/v1/clusters/{id}", get(api::cluster)),
        ("get", "/api/v1/similar", get(similar::similar)),
        ("get", "/api/v1/watches", get(api::list_watches)),
        ("post", "/api/v1/watches", post(api::add_watch)),
        ("get", "/api/v1/watches/{name}", get(api::get_watch)),
        ("delete", "/api/v1/watches/{name}", delete(api::remove_watch)),
        ("post", "/api/v1/watches/{name}/run", post(api::run_watch)),
        ("get", "/api/search", get(api::legacy_search)),
        ("get", "/api/health", get(api::healthz)),
    ]
}

/// The routes over an opened index (and store), behind the configured limits and token (see
/// `guard`): no route is served without them.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    // Routes sharing a path are merged into one method router.
    let mut by_path: Vec<(&str, MethodRouter<AppState>)> = Vec::new();
    for (_, path, handler) in api_routes() {
        match by_path.iter_mut().find(|(p, _)| *p == path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(handler),
            None => by_path.push((path, handler)),
        }
    }
    for (path, handler) in by_path {
        router = router.route(path, handler);
    }
    guard::wrap_with(page::routes(router).fallback(fallback).with_state(state), &guard::configured())
}

/// Unknown paths: JSON under `/api/`, a page elsewhere.
async fn fallback(uri: axum::http::Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || path == "/healthz" {
        ApiError::not_found(format!("no route `{path}`: see /api/v1/openapi.json")).into_response()
    } else {
        page::not_found(&format!("There is no page at {path}."))
    }
}

/// Serves until `cancel` fires.
pub async fn serve(state: AppState, bind: &str, cancel: CancellationToken) -> Result<(), ServerError> {
    let listener =
        TcpListener::bind(bind).await.map_err(|source| ServerError::Bind { bind: bind.to_string(), source })?;
    serve_on(listener, state, cancel).await
}

/// Serves on a bound listener until `cancel` fires (the command line binds first, so it can
/// print the real address).
pub async fn serve_on(listener: TcpListener, state: AppState, cancel: CancellationToken) -> Result<(), ServerError> {
    let address = listener.local_addr().map_err(ServerError::Serve)?;
    tracing::info!("listening on http://{address}");
    guard::warn_if_exposed(address, &guard::configured());
    limits::serve_connections(listener, router(state), cancel).await.map_err(ServerError::Serve)
}
