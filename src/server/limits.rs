//! Limits that keep one client from taking the server down: URI, query, body and time
//! limits per request (JSON errors with 413, 414 and 503), a cap on connections, and a
//! deadline for reading request headers (slowloris). Also counts requests for `/metrics`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::metrics;

/// Longest request target (path and query): longer ones are not searches but attacks.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Longest search query (`q`, decoded): far above any query a person writes, and short
/// enough that parsing stays cheap.
pub const MAX_QUERY_BYTES: usize = 4 * 1024;
/// Deepest page a request may ask for (`offset`) and most hits per page (`limit`): the
/// index collects `offset + limit` hits to answer, so unbounded values exhaust memory.
pub const MAX_OFFSET: u64 = 100_000;
pub const MAX_PAGE_SIZE: u64 = 10_000;
/// Largest request body: the API takes small JSON documents at most.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest time one request may take before the client gets a 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest time a client may take to send its request headers (slowloris).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once; more wait in the listen backlog.
pub const MAX_CONNECTIONS: usize = 512;
/// At shutdown, how long open connections may finish their requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Routes named in the request counter; any other path counts as `other`, so clients
/// cannot create unbounded label values.
const KNOWN_ROUTES: [&str; 19] = [
    "/api/v1/search",
    "/api/v1/facets",
    "/api/v1/timeline",
    "/api/v1/quotes",
    "/api/v1/articles",
    "/api/v1/speakers",
    "/api/v1/entities",
    "/api/v1/clusters",
    "/api/v1/watches",
    "/api/v1/openapi.json",
    "/api/search",
    "/api/health",
    "/healthz",
    "/metrics",
    "/speakers",
    "/entities",
    "/clusters",
    "/stored",
    "/",
];

fn route_label(path: &str) -> &'static str {
    KNOWN_ROUTES
        .iter()
        .find(|route| path == **route || (route.len() > 1 && path.starts_with(&format!("{route}/"))))
        .copied()
        .unwrap_or("other")
}

/// The API's error shape (`{"error", "status"}`), as `ApiError` answers.
fn error(status: StatusCode, message: String) -> Response {
    super::ApiError::new(status, message).into_response()
}

/// Middleware: rejects oversized requests, bounds the time of the rest, counts them all.
pub async fn limit_requests(request: Request, next: Next) -> Response {
    let route = route_label(request.uri().path());
    let response = check_and_run(request, next).await;
    metrics::HTTP_REQUESTS.inc(&[route, response.status().as_str()]);
    response
}

async fn check_and_run(request: Request, next: Next) -> Response {
    let uri_length = request.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_length > MAX_URI_BYTES {
        return error(
            StatusCode::URI_TOO_LONG,
            format!("the request target is {uri_length} bytes long; the limit is {MAX_URI_BYTES}"),
        );
    }
    if let Some(query) = request.uri().query() {
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let bound = match key.as_ref() {
                "q" if value.len() > MAX_QUERY_BYTES => {
                    return error(
                        StatusCode::URI_TOO_LONG,
                        format!(
                            "the query is {} bytes long; the limit is {MAX_QUERY_BYTES}: split it into several searches",
                            value.len()
                        ),
                    );
                }
                "offset" => MAX_OFFSET,
                "limit" => MAX_PAGE_SIZE,
                _ => continue,
            };
            if value.parse::<u64>().map_or(true, |n| n > bound) {
                return error(
                    StatusCode::BAD_REQUEST,
                    format!("`{key}` must be a whole number from 0 to {bound}, not `{value}`"),
                );
            }
        }
    }
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return error(StatusCode::PAYLOAD_TOO_LARGE, format!("the request body is over {MAX_BODY_BYTES} bytes"));
    }
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the request took longer than {} s; narrow the query", REQUEST_TIMEOUT.as_secs()),
        ),
    }
}

/// Adds the per-request limits to `router` (outermost, so oversized requests cost nothing).
pub fn layer(router: Router) -> Router {
    router.layer(DefaultBodyLimit::max(MAX_BODY_BYTES)).layer(middleware::from_fn(limit_requests))
}

/// Serves `router` on `listener` until `cancel`: HTTP/1.1 with a header-read deadline, at
/// most [`MAX_CONNECTIONS`] at once; at shutdown open connections finish their requests.
pub async fn serve_connections(
    listener: TcpListener,
    router: Router,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = cancel.cancelled() => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: wait, go on.
                    tracing::debug!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = cancel.cancelled() => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let cancel = cancel.clone();
        connections.spawn(async move {
            let _permit = permit;
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = cancel.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, connection).await;
                }
            }
        });
        while connections.try_join_next().is_some() {}
    }
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async { while connections.join_next().await.is_some() {} }).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_labels_are_a_closed_set() {
        assert_eq!(route_label("/api/v1/quotes/abc#q1"), "/api/v1/quotes");
        assert_eq!(route_label("/api/search"), "/api/search");
        assert_eq!(route_label("/"), "/");
        assert_eq!(route_label("/wp-login.php"), "other");
        assert_eq!(route_label("/api/v1/quotesX"), "other");
    }
}
