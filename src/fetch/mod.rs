//! Fetching: the only module that touches the network.
//!
//! Owns the HTTP client (rustls, capped streaming bodies, manual redirects so that every hop
//! is checked against robots.txt and the scheme rules), per-host politeness, robots.txt,
//! feed and sitemap parsing and discovery, newsroom listing pages, WARC archives, URL
//! canonicalisation and reading local files. It returns raw
//! bytes and metadata; it never decodes, extracts, stores or indexes. It also POSTs watch
//! alerts to their webhooks (`webhook.rs`), the one request that sends data out.

mod canonical;
mod client;
mod discover;
mod feed;
mod guard;
mod listing;
mod local;
mod politeness;
mod robots;
mod sitemap;
mod warc;
mod webhook;

pub use canonical::canonicalize;
pub(crate) use client::parse_retry_after;
pub use client::{Expect, FetchOutcome, FetchedPage, Fetcher, Validators};
pub use discover::{feeds_in_html, sitemaps_in_robots};
pub use feed::{DiscoveredLink, parse_feed};
pub use guard::{AddressPolicy, is_non_public};
pub use listing::{ListingPage, parse_listing};
pub use local::{MAX_LOCAL_FILE_BYTES, list_html_files, read_html_file};
pub use politeness::{domain_key, host_key};
pub use robots::robots_allows;
pub use sitemap::{Sitemap, parse_sitemap};
pub use warc::{ArchivedResponse, WarcSummary, read_warc};
pub use webhook::{DELIVERY_HEADER, WebhookError, parse_webhook, post_json, redact};

/// Errors of the fetch stage. Each names the URL (or file) it is about.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("refusing `{url}`: only http and https URLs are fetched")]
    Scheme { url: String },
    #[error("refusing {url}: {address} is not a public address (set fetch.private_addresses = \"allow\" to fetch it)")]
    Forbidden { url: String, address: String },
    #[error("{url} is disallowed by robots.txt")]
    Disallowed { url: String },
    #[error(
        "{url} was not fetched: the site's robots.txt {message}, and a site whose robots.txt fails is not crawled; it is tried again on the next run"
    )]
    RobotsUnavailable { url: String, message: String },
    #[error("cannot reach {url}: {message}")]
    Network { url: String, message: String },
    #[error("{url} timed out after {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("{url} answered HTTP {status}")]
    Status {
        url: String,
        status: u16,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<std::time::Duration>,
    },
    #[error("{url} is larger than the {limit}-byte cap (raise fetch.max_body_bytes if it is legitimate)")]
    TooLarge { url: String, limit: usize },
    #[error("{url} redirects in a loop back to {target}")]
    RedirectLoop { url: String, target: String },
    #[error("{url} redirects more than {limit} times (fetch.max_redirects)")]
    TooManyRedirects { url: String, limit: usize },
    #[error("{url} sent a redirect without a usable Location header")]
    BadRedirect { url: String },
    #[error("{url} is sent with content encoding `{encoding}`, which quotewire cannot decode")]
    Encoding { url: String, encoding: String },
    #[error("{url} has content type `{content_type}`, expected {expected}")]
    ContentType { url: String, content_type: String, expected: &'static str },
    #[error("{url} is not a valid feed: {message}")]
    Feed { url: String, message: String },
    #[error("{url} is not a valid sitemap: {message}")]
    Sitemap { url: String, message: String },
    #[error("cannot read {path}: {message}")]
    File { path: String, message: String },
}

impl FetchError {
    /// The same failure reported for `url` (robots.txt trouble reported for the page that
    /// could not be fetched because of it).
    pub(crate) fn for_url(&self, url: &url::Url) -> FetchError {
        let url = url.to_string();
        match self {
            FetchError::Network { message, .. } => FetchError::Network { url, message: message.clone() },
            FetchError::Timeout { seconds, .. } => FetchError::Timeout { url, seconds: *seconds },
            FetchError::Forbidden { address, .. } => FetchError::Forbidden { url, address: address.clone() },
            other => FetchError::RobotsUnavailable { url, message: other.to_string() },
        }
    }

    /// How long the server asked us to wait before trying again (`Retry-After` on the last
    /// answer), if it did.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether trying again later may succeed (network trouble, timeouts, 5xx, 429).
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Network { .. } | FetchError::Timeout { .. } | FetchError::RobotsUnavailable { .. } => true,
            FetchError::Status { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}
