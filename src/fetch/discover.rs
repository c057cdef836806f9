//! Feed and sitemap discovery: the feeds a site's home page advertises and the sitemaps its
//! robots.txt names.
//!
//! Owns recognising feed `<link>` elements and `Sitemap:` lines. Pure: no network, no store;
//! fetching the home page and robots.txt, and parsing what is found (`feed.rs`, `sitemap.rs`), is
//! done elsewhere.

use std::collections::HashSet;

use scraper::{Html, Selector};
use url::Url;

use super::listing::{document_base, resolve_href};

/// Media types of `<link rel="alternate">` elements that point at feeds. `application/json` is
/// JSON Feed 1.0's original type.
const FEED_TYPES: [&str; 4] =
    ["application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"];

/// `<link rel="alternate" type="application/rss+xml|application/atom+xml|application/feed+json|application/json">`
/// in a home page's head (resolved against page_url / <base>), deduplicated, in order.
///
/// `<link>` elements are accepted anywhere in the document: a stray element in `<head>` (a
/// tracking pixel, a `<noscript>` image) makes HTML parsers move the links after it into `<body>`.
/// WordPress's REST API alternates (`type="application/json"` pointing into `/wp-json/`) are not feeds.
pub fn feeds_in_html(html: &str, page_url: &Url) -> Vec<Url> {
    let document = Html::parse_document(html);
    let base = document_base(&document, page_url);
    let Ok(selector) = Selector::parse("link[rel][href][type]") else { return Vec::new() };
    let mut seen = HashSet::new();
    document
        .select(&selector)
        .filter(|link| {
            let element = link.value();
            let alternate = element
                .attr("rel")
                .is_some_and(|rel| rel.split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("alternate")));
            let media_type = element.attr("type").and_then(|t| t.split(';').next()).unwrap_or("").trim();
            alternate && FEED_TYPES.iter().any(|feed| media_type.eq_ignore_ascii_case(feed))
        })
        .filter_map(|link| resolve_href(link.value().attr("href")?, &base))
        .filter(|url| !is_wordpress_rest_link(url))
        .filter(|url| seen.insert(url.clone()))
        .collect()
}

fn is_wordpress_rest_link(url: &Url) -> bool {
    url.path().contains("/wp-json/") || url.query_pairs().any(|(key, _)| key == "rest_route")
}

/// `Sitemap:` lines of a robots.txt (case-insensitive key, absolute URLs only, http(s) only).
///
/// The lines may appear anywhere (they are not part of a user-agent group); `#` starts a comment.
pub fn sitemaps_in_robots(robots_txt: &str) -> Vec<Url> {
    let mut seen = HashSet::new();
    robots_txt
        .trim_start_matches('\u{feff}')
        .split(['\n', '\r'])
        .filter_map(|line| {
            let line = line.split('#').next().unwrap_or_default();
            let (key, value) = line.split_once(':')?;
            if !key.trim().eq_ignore_ascii_case("sitemap") {
                return None;
            }
            let url = Url::parse(value.trim()).ok()?;
            matches!(url.scheme(), "http" | "https").then_some(url)
        })
        .filter(|url| seen.insert(url.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(found: &[Url]) -> Vec<&str> {
        found.iter().map(Url::as_str).collect()
    }

    #[test]
    fn feed_links_in_a_home_page_head() {
        let html = r#"<!DOCTYPE html><html><head>
<meta charset="utf-8"><title>Harbour Herald</title>
<link rel="stylesheet" href="/css/site.css" type="text/css">
<link rel="alternate" type="application/rss+xml" title="All news" href="/feeds/all.rss">
<link rel="alternate" type="application/atom+xml" title="Business" href="business/atom.xml">
<link rel="alternate" hreflang="fr" href="https://harbourherald.example/fr/">
<link rel="alternate" type="text/html" hreflang="de" href="/de/">
<!-- <link rel="alternate" type="application/rss+xml" href="/old-feed.xml"> -->
<link rel="ALTERNATE" type="Application/RSS+XML; charset=utf-8" href="/feeds/all.rss#latest">
<link rel="alternate" type="application/feed+json" href="https://harbourherald.example/feed.json">
<link rel="alternate" type="application/json" href="https://harbourherald.example/wp-json/wp/v2/pages/12">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=x">
<link rel="alternate" type="application/rss+xml" href="">
<link rel="alternate" type="application/rss+xml" href="feed:https://harbourherald.example/x">
<link rel="preload alternate" type="application/json" href="//cdn.harbourherald.example/feed-v1.json">
</head><body><p>Home</p></body></html>"#;
        let page = Url::parse("https://harbourherald.example/news/").unwrap();
        assert_eq!(
            urls(&feeds_in_html(html, &page)),
            [
                "https://harbourherald.example/feeds/all.rss",
                "https://harbourherald.example/news/business/atom.xml",
                "https://harbourherald.example/feed.json",
                "https://cdn.harbourherald.example/feed-v1.json",
            ]
        );
    }

    #[test]
    fn base_href_and_links_pushed_into_the_body_are_honoured() {
        let html = r#"<html><head><base href="https://static.press.example/site/">
<img src="/pixel.gif">
<link rel="alternate" type="application/atom+xml" href="atom.xml">
</head><body><link rel="alternate" type="application/rss+xml" href="../rss.xml"></body></html>"#;
        let page = Url::parse("https://press.example/").unwrap();
        assert_eq!(
            urls(&feeds_in_html(html, &page)),
            ["https://static.press.example/site/atom.xml", "https://static.press.example/rss.xml",]
        );
        assert!(feeds_in_html("", &page).is_empty());
        assert!(feeds_in_html("<link rel=alternate type=application/rss+xml>", &page).is_empty());
    }

    #[test]
    fn sitemap_lines_of_robots_txt() {
        let robots = "\u{feff}# robots.txt for press.example\r\n\
User-agent: *\r\n\
Disallow: /search\r\n\
Sitemap: https://press.example/sitemap.xml\r\n\
sitemap:https://press.example/news-sitemap.xml # Google News\n\
SITEMAP :   http://press.example/sitemap.txt\n\
Sitemap: /relative-sitemap.xml\n\
Sitemap: ftp://press.example/sitemap.xml\n\
Sitemap: https://press.example/sitemap.xml\n\
# Sitemap: https://press.example/commented.xml\n\
Site-map: https://press.example/typo.xml\n\
Sitemap:\n\
Sitemap: not a url\n\
\x00\u{fffd}junk without colon\n\
User-agent: Googlebot\rDisallow: /drafts\rSitemap: https://press.example/cr-only.xml";
        assert_eq!(
            urls(&sitemaps_in_robots(robots)),
            [
                "https://press.example/sitemap.xml",
                "https://press.example/news-sitemap.xml",
                "http://press.example/sitemap.txt",
                "https://press.example/cr-only.xml",
            ]
        );
        assert!(sitemaps_in_robots("").is_empty());
    }
}
