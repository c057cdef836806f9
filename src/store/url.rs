//! Where a store lives, as the `--store URL` option names it: `sqlite:PATH` (the embedded
//! store file) or `postgres://...` / `postgresql://...` (a shared PostgreSQL database).

use std::fmt;
use std::path::PathBuf;

use crate::postgres::redact;

/// A parsed `--store` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// The SQLite store file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL, kept as given (it may hold a password: print it with
    /// [`StoreUrl`]'s `Display`, which hides it).
    Postgres(String),
}

/// A `--store` value that names no store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid store URL `{shown}`: {reason}; expected `sqlite:PATH` or `postgres://USER@HOST:PORT/DATABASE`")]
pub struct StoreUrlError {
    shown: String,
    reason: &'static str,
}

impl std::str::FromStr for StoreUrl {
    type Err = StoreUrlError;

    fn from_str(value: &str) -> Result<StoreUrl, StoreUrlError> {
        let error = |reason| StoreUrlError { shown: redact(value), reason };
        if let Some(path) = value.strip_prefix("sqlite:") {
            // `sqlite://PATH` is accepted too, as other tools write it.
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(error("the SQLite path is empty"));
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            return match url::Url::parse(value) {
                Ok(parsed) if parsed.host_str().is_some_and(|h| !h.is_empty()) => {
                    Ok(StoreUrl::Postgres(value.to_string()))
                }
                Ok(_) => Err(error("the PostgreSQL URL names no host")),
                Err(_) => Err(error("the PostgreSQL URL cannot be parsed")),
            };
        }
        match value.split_once(':') {
            Some((scheme, _)) if !scheme.is_empty() && !scheme.contains('/') => Err(error("unknown scheme")),
            _ => Err(error("no scheme")),
        }
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            StoreUrl::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_parse_or_say_what_is_wrong() {
        let sqlite = |p: &str| Ok(StoreUrl::Sqlite(PathBuf::from(p)));
        let postgres = |u: &str| Ok(StoreUrl::Postgres(u.to_string()));
        let cases: [(&str, Result<StoreUrl, &str>); 11] = [
            ("sqlite:index/store.sqlite", sqlite("index/store.sqlite")),
            ("sqlite:/var/lib/quotewire/store.sqlite", sqlite("/var/lib/quotewire/store.sqlite")),
            ("sqlite:///var/lib/q.sqlite", sqlite("/var/lib/q.sqlite")),
            ("postgres://qw@127.0.0.1:5432/quotes", postgres("postgres://qw@127.0.0.1:5432/quotes")),
            (
                "postgresql://qw:pw@db.internal/quotes?sslmode=disable",
                postgres("postgresql://qw:pw@db.internal/quotes?sslmode=disable"),
            ),
            ("sqlite:", Err("the SQLite path is empty")),
            ("postgres:///quotes", Err("the PostgreSQL URL names no host")),
            ("postgres://[::1/quotes", Err("the PostgreSQL URL cannot be parsed")),
            ("mysql://127.0.0.1/quotes", Err("unknown scheme")),
            ("index/store.sqlite", Err("no scheme")),
            ("", Err("no scheme")),
        ];
        for (input, expected) in cases {
            let parsed = input.parse::<StoreUrl>();
            match expected {
                Ok(url) => assert_eq!(parsed, Ok(url), "{input}"),
                Err(reason) => {
                    let err = parsed.unwrap_err();
                    assert_eq!(err.reason, reason, "{input}");
                    assert!(err.to_string().contains("expected `sqlite:PATH`"), "{err}");
                }
            }
        }
    }

    #[test]
    fn passwords_never_show() {
        let url: StoreUrl = "postgres://qw:hunter2@127.0.0.1/quotes".parse().unwrap();
        assert_eq!(url.to_string(), "postgres://qw:***@127.0.0.1/quotes");
        let err = "postgres://qw:hunter2@/quotes".parse::<StoreUrl>().unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
