//! Discovery: the article links a source gives. Feeds and sitemaps (fetched conditionally; a
//! 304 re-reads the stored copy, so an interrupted run still reaches every item), sites (feeds
//! on the home page, sitemaps in robots.txt) and newsroom listings with pagination.
//!
//! Each function returns the links and, when the source itself failed, why; page fetching is
//! `document.rs`'s job.

use std::collections::HashSet;
use std::sync::Arc;

use url::Url;

use super::context::{Shared, Stage, fetch_counted, now, to_fetch, to_store};
use super::process::content_hash;
use crate::config::CssSelector;
use crate::extract::decode_html;
use crate::fetch::{
    self, DiscoveredLink, Expect, FetchError, FetchOutcome, Fetcher, Sitemap, Validators, feeds_in_html, parse_listing,
    sitemaps_in_robots,
};
use crate::store::RawPage;

/// Sitemap indexes nest; deeper nesting than this is almost certainly a loop or a trap.
const MAX_SITEMAP_DEPTH: usize = 3;
/// Most links taken from one source in one run: the sitemaps.org limit for one sitemap. A
/// feed or sitemap listing more is cut here (the rest waits for a later run or a fix).
pub(super) const MAX_LINKS_PER_SOURCE: usize = 50_000;

/// What discovery found.
#[derive(Debug, Default)]
pub(super) struct Discovery {
    pub links: Vec<DiscoveredLink>,
    /// The first error that made (part of) the source unreadable.
    pub error: Option<String>,
}

impl Discovery {
    fn failed(error: String) -> Discovery {
        Discovery { links: Vec::new(), error: Some(error) }
    }

    fn merge(&mut self, other: Discovery) {
        self.links.extend(other.links);
        if self.error.is_none() {
            self.error = other.error;
        }
    }
}

#[derive(Clone, Copy)]
pub(super) enum SourceKind {
    Feed,
    Sitemap,
}

/// Fetches a feed or sitemap and returns its links (following sitemap indexes).
pub(super) async fn discover(
    shared: &Arc<Shared>,
    fetcher: &Fetcher,
    url: &Url,
    kind: SourceKind,
    depth: usize,
    visited: &mut HashSet<String>,
) -> Discovery {
    let key = url.as_str();
    if !visited.insert(key.to_string()) {
        // A sitemap index naming itself, or two indexes naming each other.
        return Discovery::default();
    }
    let previous = shared.store(|s| s.page_state(key)).ok().flatten();
    let validators = previous.map(|p| to_fetch(&p.validators)).unwrap_or_default();
    let body = match fetch_counted(fetcher, url, &validators, Expect::Feed).await {
        Ok(FetchOutcome::Fetched(page)) => {
            shared.stats(|s| s.fetched += 1);
            let stored = shared.store(|s| {
                s.put_page(&RawPage {
                    url: key,
                    final_url: page.final_url.as_str(),
                    content_type: page.content_type.as_deref(),
                    body: &page.body,
                    validators: &to_store(&page.validators),
                    content_hash: &content_hash(&page.body),
                    fetched_at: &now(),
                })
            });
            if let Err(e) = stored {
                shared.store_failed(key, e);
            }
            page.body
        }
        Ok(FetchOutcome::NotModified) => {
            shared.stats(|s| s.unchanged += 1);
            match shared.store(|s| s.raw_page(key)) {
                Ok(Some(stored)) => stored.body,
                _ => Vec::new(),
            }
        }
        Err(FetchError::Disallowed { .. }) => {
            shared.stats(|s| s.disallowed += 1);
            return Discovery::failed(format!("{url} is disallowed by robots.txt"));
        }
        Err(e) => {
            let message = e.to_string();
            shared.fail(Stage::Discovery, key, message.clone());
            return Discovery::failed(message);
        }
    };
    let parsed = match kind {
        SourceKind::Feed => fetch::parse_feed(&body, url).map(Sitemap::Urls),
        SourceKind::Sitemap => fetch::parse_sitemap(&body, url),
    };
    match parsed {
        Ok(Sitemap::Urls(links)) => Discovery { links: capped(links, url), error: None },
        Ok(Sitemap::Index(children)) if depth < MAX_SITEMAP_DEPTH => {
            let mut found = Discovery::default();
            for child in children {
                if found.links.len() >= MAX_LINKS_PER_SOURCE {
                    break;
                }
                let child = Box::pin(discover(shared, fetcher, &child, SourceKind::Sitemap, depth + 1, visited)).await;
                found.merge(child);
            }
            found.links = capped(found.links, url);
            found
        }
        Ok(Sitemap::Index(_)) => {
            let message = format!("{url}: sitemap indexes nest deeper than {MAX_SITEMAP_DEPTH} levels");
            shared.fail(Stage::Discovery, key, message.clone());
            Discovery::failed(message)
        }
        Err(e) => {
            let message = e.to_string();
            shared.fail(Stage::Discovery, key, message.clone());
            Discovery::failed(message)
        }
    }
}

/// At most [`MAX_LINKS_PER_SOURCE`] links, with a warning when some are dropped.
fn capped(mut links: Vec<DiscoveredLink>, source: &Url) -> Vec<DiscoveredLink> {
    if links.len() > MAX_LINKS_PER_SOURCE {
        tracing::warn!(
            %source,
            "{source} lists {} links; only the first {MAX_LINKS_PER_SOURCE} are followed this run",
            links.len()
        );
        links.truncate(MAX_LINKS_PER_SOURCE);
    }
    links
}

/// GETs a page for discovery (no validators: listings and home pages change all the time).
async fn get_text(shared: &Shared, fetcher: &Fetcher, url: &Url) -> Result<(String, Url), String> {
    match fetch_counted(fetcher, url, &Validators::default(), Expect::Html).await {
        Ok(FetchOutcome::Fetched(page)) => {
            shared.stats(|s| s.fetched += 1);
            Ok((decode_html(&page.body, page.content_type.as_deref()).text, page.final_url))
        }
        Ok(FetchOutcome::NotModified) => Err(format!("{url} answered 304 to an unconditional request")),
        Err(FetchError::Disallowed { .. }) => {
            shared.stats(|s| s.disallowed += 1);
            Err(format!("{url} is disallowed by robots.txt"))
        }
        Err(e) => {
            let message = e.to_string();
            shared.fail(Stage::Discovery, url.as_str(), message.clone());
            Err(message)
        }
    }
}

/// Feeds linked from the home page and sitemaps named in robots.txt, then their links.
pub(super) async fn discover_site(shared: &Arc<Shared>, fetcher: &Fetcher, url: &Url) -> Discovery {
    let mut sitemaps = Vec::new();
    if let Ok(robots) = url.join("/robots.txt") {
        // A missing robots.txt is normal here: it only means no sitemaps are named.
        if let Ok(FetchOutcome::Fetched(page)) = fetcher.fetch(&robots, &Validators::default(), Expect::Text).await {
            sitemaps = sitemaps_in_robots(&String::from_utf8_lossy(&page.body));
        }
    }
    let feeds = match get_text(shared, fetcher, url).await {
        Ok((html, final_url)) => feeds_in_html(&html, &final_url),
        Err(error) if sitemaps.is_empty() => return Discovery::failed(error),
        Err(_) => Vec::new(),
    };
    if feeds.is_empty() && sitemaps.is_empty() {
        let message = format!(
            "{url}: no feed (<link rel=alternate>) or sitemap (robots.txt Sitemap:) found; add them as sources"
        );
        shared.fail(Stage::Discovery, url.as_str(), message.clone());
        return Discovery::failed(message);
    }
    tracing::info!(%url, feeds = feeds.len(), sitemaps = sitemaps.len(), "discovered");
    let mut found = Discovery::default();
    let mut visited = HashSet::new();
    for feed in &feeds {
        found.merge(discover(shared, fetcher, feed, SourceKind::Feed, 0, &mut visited).await);
    }
    for sitemap in &sitemaps {
        found.merge(discover(shared, fetcher, sitemap, SourceKind::Sitemap, 0, &mut visited).await);
    }
    found.links = capped(found.links, url);
    found
}

/// Article links of a listing page and the pages after it, up to `max_pages`.
pub(super) async fn discover_listing(
    shared: &Arc<Shared>,
    fetcher: &Fetcher,
    url: &Url,
    links: &CssSelector,
    next: Option<&CssSelector>,
    max_pages: usize,
) -> Discovery {
    let mut found = Discovery::default();
    let mut visited = HashSet::new();
    let mut page_url = url.clone();
    for _ in 0..max_pages {
        if !visited.insert(page_url.to_string()) {
            break;
        }
        let (html, final_url) = match get_text(shared, fetcher, &page_url).await {
            Ok(page) => page,
            Err(error) => {
                found.error.get_or_insert(error);
                break;
            }
        };
        let listing = parse_listing(&html, &final_url, links.selector(), next.map(CssSelector::selector));
        found.links.extend(listing.links.into_iter().map(|url| DiscoveredLink { url, title: None, published: None }));
        match listing.next {
            Some(next) => page_url = next,
            None => break,
        }
    }
    if found.links.is_empty() && found.error.is_none() {
        tracing::warn!(%url, "listing page gave no article links; check the `links` selector `{}`", links.as_str());
    }
    found.links = capped(found.links, url);
    found
}
