//! PostgreSQL plumbing shared by the work queue ([`crate::queue`]) and the PostgreSQL store:
//! connecting (`tokio-postgres`, pure Rust, no libpq), describing a server without its
//! password, versioned schema migrations (`migrate.rs`), a client for synchronous callers
//! (`blocking.rs`), and a throwaway cluster for tests and benchmarks (`throwaway.rs`).
//!
//! It owns no tables of its own except `schema_migrations`, and decides nothing about jobs
//! or documents.

pub mod blocking;
mod migrate;
pub mod throwaway;

pub use migrate::{Migration, migrate};

use tokio_postgres::{Client, NoTls};

/// Errors of connecting to PostgreSQL and migrating its schemas.
#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    #[error("invalid PostgreSQL URL `{url}`: {message}")]
    Url { url: String, message: String },
    #[error("cannot connect to PostgreSQL at {server}: {source}")]
    Connect { server: String, source: tokio_postgres::Error },
    #[error(
        "the {component} schema in PostgreSQL is at version {found}, this build knows up to {known}: use a newer quotewire"
    )]
    NewerSchema { component: String, found: i32, known: i32 },
    #[error("migration {version} ({name}) of the {component} schema failed and was rolled back: {source}")]
    Migration { component: String, version: i32, name: &'static str, source: tokio_postgres::Error },
    #[error("cannot connect to PostgreSQL at {server}: {message}")]
    Unreachable { server: String, message: String },
    #[error("cannot start the PostgreSQL connection thread: {0}")]
    Thread(String),
    #[error("PostgreSQL query failed: {0}")]
    Query(#[from] tokio_postgres::Error),
}

/// A PostgreSQL URL parsed, and how to name its server in messages (never the password).
pub fn parse_url(url: &str) -> Result<(tokio_postgres::Config, String), PostgresError> {
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| PostgresError::Url { url: redact(url), message: e.to_string() })?;
    Ok((config.clone(), describe(&config)))
}

/// `user@host:port/dbname` of a configuration, for messages.
pub fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or("(default user)"),
        config.get_dbname().unwrap_or("(default database)")
    )
}

/// A URL with any password replaced by `***` (one that cannot be parsed is shown only if it
/// has no user part that could hold a password).
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) if url.contains('@') => "(unparsable URL)".to_string(),
        Err(_) => url.to_string(),
    }
}

/// Connects and drives the connection on the current tokio runtime (a spawned task that
/// ends when the client is dropped or the server goes away).
pub async fn connect(url: &str) -> Result<Client, PostgresError> {
    let (config, server) = parse_url(url)?;
    let (client, connection) =
        config.connect(NoTls).await.map_err(|source| PostgresError::Connect { server: server.clone(), source })?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(%server, "PostgreSQL connection ended: {e}");
        }
    });
    Ok(client)
}

/// Whether an error is a deadlock or serialization failure: the transaction was rolled back
/// and running it again is the documented remedy.
pub fn is_retryable(error: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    matches!(error.code(), Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_show_the_password() {
        let err = parse_url("postgres://u:secret@127.0.0.1:5432/db?sslmode=bogus").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(err.to_string().contains("***"), "{err}");
        let (_, server) = parse_url("postgres://u:secret@127.0.0.1:6543/quotes").unwrap();
        assert_eq!(server, "u@127.0.0.1:6543/quotes");
    }
}
