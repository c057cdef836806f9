//! Discovery for the richer source kinds: sites (feeds and sitemaps found on the home page and
//! in robots.txt), newsroom listing pages with pagination, and WARC archives.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use url::Url;

use super::run::{Shared, SourceKind, discover, process};
use crate::extract::decode_html;
use crate::fetch::{
    self, DiscoveredLink, Expect, FetchOutcome, Fetcher, Validators, feeds_in_html, parse_listing, parse_selector,
    read_warc, sitemaps_in_robots,
};

fn link(url: Url) -> DiscoveredLink {
    DiscoveredLink { url, title: None, published: None }
}

/// GETs a page for discovery (no validators: listings and home pages change all the time).
async fn get_text(shared: &Shared, fetcher: &Fetcher, url: &Url, expect: Expect) -> Option<(String, Url)> {
    match fetcher.fetch(url, &Validators::default(), expect).await {
        Ok(FetchOutcome::Fetched(page)) => {
            shared.stats(|s| s.fetched += 1);
            Some((decode_html(&page.body, page.content_type.as_deref()).text, page.final_url))
        }
        Ok(FetchOutcome::NotModified) => None,
        Err(fetch::FetchError::Disallowed { .. }) => {
            shared.stats(|s| s.disallowed += 1);
            None
        }
        Err(e) => {
            shared.fail(url.as_str(), e.to_string());
            None
        }
    }
}

/// Feeds linked from the home page and sitemaps named in robots.txt, then their links.
pub(super) async fn discover_site(shared: &Arc<Shared>, fetcher: &Fetcher, url: &Url) -> Vec<DiscoveredLink> {
    let mut sitemaps = Vec::new();
    if let Ok(robots) = url.join("/robots.txt") {
        // A missing robots.txt is normal here: it only means no sitemaps are named.
        if let Ok(FetchOutcome::Fetched(page)) = fetcher.fetch(&robots, &Validators::default(), Expect::Text).await {
            sitemaps = sitemaps_in_robots(&String::from_utf8_lossy(&page.body));
        }
    }
    let feeds = match get_text(shared, fetcher, url, Expect::Html).await {
        Some((html, final_url)) => feeds_in_html(&html, &final_url),
        None => Vec::new(),
    };
    if feeds.is_empty() && sitemaps.is_empty() {
        shared.fail(
            url.as_str(),
            format!(
                "{url}: no feed (<link rel=alternate>) or sitemap (robots.txt Sitemap:) found; add them as sources"
            ),
        );
        return Vec::new();
    }
    tracing::info!(%url, feeds = feeds.len(), sitemaps = sitemaps.len(), "discovered");
    let mut links = Vec::new();
    for feed in &feeds {
        links.extend(discover(shared, fetcher, feed, SourceKind::Feed, 0).await);
    }
    for sitemap in &sitemaps {
        links.extend(discover(shared, fetcher, sitemap, SourceKind::Sitemap, 0).await);
    }
    links
}

/// Article links of a listing page and the pages after it, up to `max_pages`.
pub(super) async fn discover_listing(
    shared: &Arc<Shared>,
    fetcher: &Fetcher,
    url: &Url,
    links: &str,
    next: Option<&str>,
    max_pages: usize,
) -> Vec<DiscoveredLink> {
    // Selectors were validated with the pipeline; a failure here is a bug worth reporting.
    let (link_selector, next_selector) = match (parse_selector(links), next.map(parse_selector).transpose()) {
        (Ok(l), Ok(n)) => (l, n),
        (Err(e), _) | (_, Err(e)) => {
            shared.fail(url.as_str(), format!("{url}: {e}"));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let mut visited = HashSet::new();
    let mut page_url = url.clone();
    for _ in 0..max_pages {
        if !visited.insert(page_url.to_string()) {
            break;
        }
        let Some((html, final_url)) = get_text(shared, fetcher, &page_url, Expect::Html).await else { break };
        let listing = parse_listing(&html, &final_url, &link_selector, next_selector.as_ref());
        out.extend(listing.links.into_iter().map(link));
        match listing.next {
            Some(next) => page_url = next,
            None => break,
        }
    }
    if out.is_empty() {
        tracing::warn!(%url, "listing page gave no article links; check the `links` selector");
    }
    out
}

/// Ingests the HTML responses of a WARC archive, on a blocking thread.
pub(super) async fn ingest_warc(
    shared: &Arc<Shared>,
    path: &Path,
    max_body_bytes: usize,
    strip_query_params: &[String],
    cancel: &CancellationToken,
) {
    let (shared, path, strip, cancel) =
        (shared.clone(), path.to_path_buf(), strip_query_params.to_vec(), cancel.clone());
    let work = move || {
        let mut seen = HashSet::new();
        let result = read_warc(&path, max_body_bytes, |response| {
            if cancel.is_cancelled() {
                return;
            }
            let html =
                response.content_type.as_deref().is_none_or(|ct| ct.contains("html") || ct.starts_with("text/plain"));
            if !html {
                return;
            }
            let url = fetch::canonicalize(&response.url, &strip);
            let key = url.to_string();
            if !seen.insert(key.clone()) {
                return;
            }
            shared.progress.queued(1);
            let previous_hash = shared.article_hash(&key);
            shared.stats(|s| s.fetched += 1);
            process(
                &shared,
                &key,
                &response.url,
                &response.body,
                response.content_type.as_deref(),
                &Validators::default(),
                None,
                previous_hash,
            );
            shared.progress.finished(&key);
        });
        match result {
            Ok(summary) if summary.skipped > 0 => {
                shared.progress.note(&format!("{}: skipped {} unusable record(s)", path.display(), summary.skipped));
            }
            Ok(_) => {}
            Err(e) => shared.fail(&path.display().to_string(), e.to_string()),
        }
    };
    if let Err(e) = tokio::task::spawn_blocking(work).await {
        tracing::error!("WARC task failed: {e}");
    }
}
