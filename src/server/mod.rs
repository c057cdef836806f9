//! The HTTP API and the web page (`quotewire serve`).
//!
//! Routes: `GET /api/search?q=&type=&limit=&offset=` (JSON hits), `GET /api/health`, and `GET /`
//! (a search page using the API). Maps errors to status codes; it searches the index and does
//! nothing else (no fetching, no writes).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::index::{DocType, IndexError, SearchIndex, SearchRequest};

mod auth;
mod guard;
mod limits;
mod metrics;

pub use auth::{TOKEN_VARIABLE, Token};
pub use guard::{MetricsRefresh, Security, configure, configured, wrap_with};
pub use limits::{MAX_BODY_BYTES, MAX_QUERY_BYTES, MAX_URI_BYTES, serve_connections};
pub use metrics::{bind, serve_metrics};

/// Default page size of the API.
const DEFAULT_LIMIT: usize = 20;

/// Errors of the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {bind}: {source}")]
    Bind { bind: String, source: std::io::Error },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}

/// The routes over an opened index, behind the configured limits and token (see `guard`).
pub fn router(index: Arc<SearchIndex>) -> Router {
    let routes = Router::new()
        .route("/", get(page))
        .route("/api/health", get(|| async { Json(serde_json::json!({"status": "ok"})) }))
        .route("/api/search", get(search))
        .with_state(index);
    guard::wrap_with(routes, &guard::configured())
}

/// Serves until `cancel` fires.
pub async fn serve(index: Arc<SearchIndex>, bind: &str, cancel: CancellationToken) -> Result<(), ServerError> {
    let listener =
        TcpListener::bind(bind).await.map_err(|source| ServerError::Bind { bind: bind.to_string(), source })?;
    let address = listener.local_addr().map_err(ServerError::Serve)?;
    tracing::info!("listening on http://{address}");
    guard::warn_if_exposed(address, &guard::configured());
    limits::serve_connections(listener, router(index), cancel).await.map_err(ServerError::Serve)
}

#[derive(Debug, Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(rename = "type")]
    doc_type: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn search(State(index): State<Arc<SearchIndex>>, Query(params): Query<SearchParams>) -> Response {
    let doc_type = match params.doc_type.as_deref() {
        None | Some("") | Some("all") => None,
        Some("quote") => Some(DocType::Quote),
        Some("article") => Some(DocType::Article),
        Some(other) => {
            return error(StatusCode::BAD_REQUEST, format!("unknown type `{other}`: expected quote or article"));
        }
    };
    let request = SearchRequest {
        query: params.q,
        doc_type,
        limit: params.limit.unwrap_or(DEFAULT_LIMIT),
        offset: params.offset.unwrap_or(0),
    };
    let result = tokio::task::spawn_blocking(move || index.search(&request)).await;
    match result {
        Ok(Ok(results)) => Json(results).into_response(),
        Ok(Err(e @ IndexError::Query { .. })) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}

async fn page() -> Html<&'static str> {
    Html(include_str!("page.html"))
}
