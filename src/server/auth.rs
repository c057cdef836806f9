//! Bearer-token protection of the API, the page and `/metrics`.
//!
//! The token comes from `--token-file FILE` or the `QUOTEWIRE_TOKEN` environment variable. It
//! is never logged (its `Debug` is redacted) and is compared in constant time (SHA-256 of
//! both sides, then a branch-free comparison of the digests, so neither content nor length
//! leaks through timing). `/healthz` stays open for load balancers.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Paths anyone may request: liveness checks carry no data.
const OPEN_PATHS: [&str; 2] = ["/healthz", "/api/health"];
/// Environment variable holding the token when no file is given.
pub const TOKEN_VARIABLE: &str = "QUOTEWIRE_TOKEN";
/// Shortest token accepted: anything shorter can be guessed.
const MIN_TOKEN_CHARS: usize = 16;

/// A secret bearer token.
#[derive(Clone)]
pub struct Token {
    digest: [u8; 32],
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(redacted)")
    }
}

fn digest(text: &[u8]) -> [u8; 32] {
    Sha256::digest(text).into()
}

impl Token {
    /// A token from its text (surrounding whitespace, such as a file's last newline, ignored).
    pub fn new(secret: &str) -> Result<Token, String> {
        let secret = secret.trim();
        if secret.chars().count() < MIN_TOKEN_CHARS {
            return Err(format!(
                "the token is shorter than {MIN_TOKEN_CHARS} characters: use a long random one, e.g. `openssl rand -hex 32`"
            ));
        }
        if secret.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("the token contains whitespace or control characters".to_string());
        }
        Ok(Token { digest: digest(secret.as_bytes()) })
    }

    /// The token from `file` if given, else from `QUOTEWIRE_TOKEN`; `None` when neither is set.
    pub fn load(file: Option<&Path>) -> Result<Option<Token>, String> {
        if let Some(file) = file {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read --token-file {}: {e}", file.display()))?;
            warn_if_readable_by_others(file);
            return Token::new(&text).map(Some).map_err(|e| format!("--token-file {}: {e}", file.display()));
        }
        match std::env::var(TOKEN_VARIABLE) {
            Ok(text) if !text.trim().is_empty() => {
                Token::new(&text).map(Some).map_err(|e| format!("{TOKEN_VARIABLE}: {e}"))
            }
            _ => Ok(None),
        }
    }

    /// Whether `presented` is the token, in time independent of where they differ.
    pub fn matches(&self, presented: &str) -> bool {
        let other = digest(presented.as_bytes());
        let difference = self.digest.iter().zip(other.iter()).fold(0_u8, |acc, (a, b)| acc | (a ^ b));
        std::hint::black_box(difference) == 0
    }
}

fn warn_if_readable_by_others(file: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(file)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!("--token-file {} can be read by other users: `chmod 600` it", file.display());
    }
}

fn unauthorized(message: &str) -> Response {
    let mut response = super::ApiError::new(StatusCode::UNAUTHORIZED, message).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer realm=\"quotewire\""));
    response
}

/// Middleware: lets requests with the right `Authorization: Bearer` header (or to an open
/// path) through; answers 401 with a JSON error otherwise.
pub async fn require_token(State(token): State<Arc<Token>>, request: Request, next: Next) -> Response {
    if OPEN_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let presented = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| {
        let (scheme, credentials) = v.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| credentials.trim())
    });
    match presented {
        None => unauthorized("this server requires a token: send `Authorization: Bearer <token>`"),
        Some(credentials) if !token.matches(credentials) => unauthorized("the bearer token is not valid"),
        Some(_) => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_exactly_and_never_print() {
        let token = Token::new("  s3cret-token-0123456789\n").unwrap();
        assert!(token.matches("s3cret-token-0123456789"));
        assert!(!token.matches("s3cret-token-012345678"));
        assert!(!token.matches("s3cret-token-01234567890"));
        assert!(!token.matches(""));
        assert_eq!(format!("{token:?}"), "Token(redacted)");
        assert!(Token::new("short").unwrap_err().contains("shorter"));
        assert!(Token::new("has a space in the middle!").is_err());
    }

    #[test]
    fn a_token_file_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "0123456789abcdef0123\n").unwrap();
        let token = Token::load(Some(&file)).unwrap().unwrap();
        assert!(token.matches("0123456789abcdef0123"));
        let err = Token::load(Some(&dir.path().join("missing"))).unwrap_err();
        assert!(err.contains("--token-file"), "{err}");
    }
}
