//! The metrics endpoint of `quotewire run --metrics-bind ADDR`: `/metrics` and `/healthz` on
//! their own small server, with the same limits and token as `serve`.

use axum::Json;
use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::ServerError;
use super::guard::{Security, warn_if_exposed, wrap_with};
use super::limits::serve_connections;

/// Binds `bind` (the error names the address) and returns the listener and its address.
pub async fn bind(bind: &str) -> Result<(TcpListener, std::net::SocketAddr), ServerError> {
    let listener =
        TcpListener::bind(bind).await.map_err(|source| ServerError::Bind { bind: bind.to_string(), source })?;
    let address = listener.local_addr().map_err(ServerError::Serve)?;
    Ok((listener, address))
}

/// Serves `/metrics` (and an open `/healthz`) on `listener` until `cancel`.
pub async fn serve_metrics(
    listener: TcpListener,
    security: &Security,
    cancel: CancellationToken,
) -> Result<(), ServerError> {
    if let Ok(address) = listener.local_addr() {
        warn_if_exposed(address, security);
    }
    let routes = Router::new().route("/healthz", get(|| async { Json(serde_json::json!({"status": "ok"})) }));
    serve_connections(listener, wrap_with(routes, security), cancel).await.map_err(ServerError::Serve)
}
