//! What every route of the server goes through: the per-request limits, the bearer token
//! when one is configured, and the `/metrics` route. `router()` wraps its routes here, so no
//! route can be served without them.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use super::auth::{Token, require_token};
use super::limits;
use crate::metrics;

/// Called before `/metrics` is rendered, to refresh gauges read from disk.
pub type MetricsRefresh = Arc<dyn Fn() + Send + Sync>;

/// The server's protection settings.
#[derive(Clone, Default)]
pub struct Security {
    /// Required on every route but `/healthz` when set.
    pub token: Option<Token>,
    pub refresh: Option<MetricsRefresh>,
}

static CONFIGURED: OnceLock<Security> = OnceLock::new();

/// Sets the settings [`super::router`] applies (once, by the command line, before serving).
pub fn configure(security: Security) {
    let _ = CONFIGURED.set(security);
}

/// The settings given to [`configure`] (none: no token, no refresh).
pub fn configured() -> Security {
    CONFIGURED.get().cloned().unwrap_or_default()
}

/// Adds `/metrics`, then the token check and the request limits, to `routes`.
pub fn wrap_with(routes: Router, security: &Security) -> Router {
    let refresh = security.refresh.clone();
    let mut router = routes.route(
        "/metrics",
        get(move || {
            let refresh = refresh.clone();
            async move {
                if let Some(refresh) = refresh {
                    // Reads the store: keep it off the async workers.
                    let _ = tokio::task::spawn_blocking(move || refresh()).await;
                }
                ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], metrics::render()).into_response()
            }
        }),
    );
    if let Some(token) = &security.token {
        router = router.layer(axum::middleware::from_fn_with_state(Arc::new(token.clone()), require_token));
    }
    limits::layer(router)
}

/// Warns when a server without a token listens beyond loopback.
pub(super) fn warn_if_exposed(address: std::net::SocketAddr, security: &Security) {
    if !address.ip().is_loopback() && security.token.is_none() {
        tracing::warn!(
            "listening on {address} without a token: anyone who can reach it can search; set QUOTEWIRE_TOKEN or --token-file"
        );
    }
}
