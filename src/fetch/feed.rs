//! RSS (0.9x, 1.0, 2.0), Atom and JSON Feed parsing via `feed-rs`.
//!
//! Yields the linked article URLs (resolved against the feed URL) with the dates the feed
//! gives; the feed's own metadata is not kept.

use chrono::{DateTime, Utc};
use url::Url;

use super::FetchError;

/// A URL found by discovery (feed item or sitemap entry).
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveredLink {
    pub url: Url,
    pub title: Option<String>,
    /// Publication (or last modification) date the feed or sitemap states.
    pub published: Option<DateTime<Utc>>,
}

/// Earliest date a feed or sitemap may state for an item: before the web, a date is an error.
const EARLIEST_STATED_YEAR: i32 = 1990;
/// How far ahead of now a stated date may lie (time zones, clock skew); later is an error.
const FUTURE_TOLERANCE: chrono::Duration = chrono::Duration::days(2);

/// A date a feed or sitemap states, if it is plausible (year 0 and 9999 are not).
pub(super) fn plausible_stated_date(date: DateTime<Utc>) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    (date.year() >= EARLIEST_STATED_YEAR && date <= Utc::now() + FUTURE_TOLERANCE).then_some(date)
}

/// Parses a feed body; `feed_url` resolves relative links and names the feed in errors.
pub fn parse_feed(body: &[u8], feed_url: &Url) -> Result<Vec<DiscoveredLink>, FetchError> {
    let feed = feed_rs::parser::parse(body)
        .map_err(|e| FetchError::Feed { url: feed_url.to_string(), message: e.to_string() })?;
    let mut links = Vec::with_capacity(feed.entries.len());
    for entry in feed.entries {
        // Prefer rel=alternate (Atom) or the first link; RSS guids that are permalinks
        // appear as the entry id.
        let href = entry
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or_else(|| entry.links.first())
            .map(|l| l.href.clone())
            .or_else(|| entry.id.starts_with("http").then(|| entry.id.clone()));
        let Some(href) = href else { continue };
        let Ok(url) = feed_url.join(href.trim()) else { continue };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        links.push(DiscoveredLink {
            url,
            title: entry.title.map(|t| t.content),
            published: entry.published.or(entry.updated).and_then(plausible_stated_date),
        });
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_and_atom_items_are_resolved() {
        let base = Url::parse("http://127.0.0.1:1/feed.xml").unwrap();
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>A</title><link>http://127.0.0.1:1/a.html</link><pubDate>Tue, 14 May 2019 10:00:00 GMT</pubDate></item>
            <item><title>B</title><link>/b.html</link></item></channel></rss>"#;
        let links = parse_feed(rss, &base).unwrap();
        assert_eq!(links.len(), 2);
        assert_eq!(links[1].url.as_str(), "http://127.0.0.1:1/b.html");
        assert_eq!(links[0].published.unwrap().to_rfc3339(), "2019-05-14T10:00:00+00:00");

        let atom = br#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
            <title>t</title><id>urn:x</id><updated>2019-05-14T10:00:00Z</updated>
            <entry><title>C</title><id>urn:c</id><updated>2019-05-15T10:00:00Z</updated>
            <link rel="alternate" href="http://127.0.0.1:1/c.html"/></entry></feed>"#;
        let links = parse_feed(atom, &base).unwrap();
        assert_eq!(links[0].url.as_str(), "http://127.0.0.1:1/c.html");
    }

    #[test]
    fn implausible_item_dates_are_dropped() {
        let base = Url::parse("http://127.0.0.1:1/feed.xml").unwrap();
        let rss = br#"<rss version="2.0"><channel><title>t</title>
            <item><link>/a</link><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>
            <item><link>/b</link><pubDate>Sat, 01 Jan 1000 00:00:00 GMT</pubDate></item>
            <item><link>/c</link><pubDate>Tue, 14 May 2019 10:00:00 GMT</pubDate></item></channel></rss>"#;
        let dates: Vec<bool> = parse_feed(rss, &base).unwrap().iter().map(|l| l.published.is_some()).collect();
        assert_eq!(dates, [false, false, true]);
    }

    #[test]
    fn malformed_feed_names_the_source() {
        let base = Url::parse("http://127.0.0.1:1/broken.xml").unwrap();
        let err = parse_feed(b"<rss><channel><item><title>unclosed", &base).unwrap_err();
        assert!(err.to_string().contains("broken.xml"), "{err}");
        assert!(parse_feed(b"\xff\xfe garbage", &base).is_err());
    }
}
