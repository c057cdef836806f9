//! Newsroom listing pages: the article links and the next-page link of a government or company
//! press-release list, picked with configured CSS selectors.
//!
//! Owns selector parsing (with messages for config validation) and link resolution for listing
//! pages (`<base href>`, fragments, schemes, duplicates). Pure: no network, no store; following
//! `next` pages (and bounding how many) is the pipeline's job, and whether a linked page is an
//! article is decided by extraction.

use std::collections::HashSet;

use scraper::{ElementRef, Html, Selector};
use url::Url;

/// Article links and the next page found on a listing page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListingPage {
    pub links: Vec<Url>,
    pub next: Option<Url>,
}

/// `link_selector` selects the `<a>` elements of articles (CSS, e.g. "ul.press-releases li h3 a");
/// `next_selector` the pagination link (e.g. "a[rel=next], .pager-next a"). Links are resolved
/// against `page_url` (and a `<base href>`), fragments dropped, http(s) only, deduplicated in order.
///
/// A selected element without `href` (a card `<article>`, a `<li class="pager-next">`) stands for
/// the first `<a href>` inside it. Links back to the listing page itself are dropped, and `next` is
/// the first selected link that leads to another page.
pub fn parse_listing(
    html: &str,
    page_url: &Url,
    link_selector: &Selector,
    next_selector: Option<&Selector>,
) -> ListingPage {
    let document = Html::parse_document(html);
    let base = document_base(&document, page_url);
    let mut page = page_url.clone();
    page.set_fragment(None);

    let mut seen = HashSet::new();
    let links = document
        .select(link_selector)
        .filter_map(|element| link_target(element, &base))
        .filter(|url| *url != page && seen.insert(url.clone()))
        .collect();
    let next = next_selector
        .and_then(|selector| document.select(selector).filter_map(|e| link_target(e, &base)).find(|url| *url != page));
    ListingPage { links, next }
}

/// The document's base URL: the first `<base href>` (resolved against the page URL) if it is
/// http(s), else the page URL.
pub(super) fn document_base(document: &Html, page_url: &Url) -> Url {
    let Ok(selector) = Selector::parse("base[href]") else { return page_url.clone() };
    document
        .select(&selector)
        .next()
        .and_then(|base| base.value().attr("href"))
        .and_then(|href| page_url.join(href.trim()).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

/// Resolves an `href` found on a page: fragment dropped, http(s) only.
pub(super) fn resolve_href(href: &str, base: &Url) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let mut url = base.join(href).ok()?;
    url.set_fragment(None);
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// The URL an element links to: its own `href`, or that of the first `<a href>` inside it.
fn link_target(element: ElementRef<'_>, base: &Url) -> Option<Url> {
    let href = element.value().attr("href").or_else(|| {
        element
            .descendants()
            .filter_map(ElementRef::wrap)
            .find(|e| e.value().name() == "a" && e.value().attr("href").is_some())
            .and_then(|a| a.value().attr("href"))
    })?;
    resolve_href(href, base)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOVERNMENT_LIST: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Press releases | Ministry of Transport</title></head>
<body>
<nav><a href="/">Home</a> <a href="/news/press-releases">Press releases</a></nav>
<main>
  <h1>Press releases</h1>
  <ul class="press-releases">
    <li><span class="date">12 March 2024</span>
      <h3><a href="/news/press-releases/2024/03/rail-fares-frozen">Rail fares frozen for 2024</a></h3>
      <p>The Minister announced that regulated fares will not rise this year.</p></li>
    <li><span class="date">11 March 2024</span>
      <h3><a href="2024/03/new-port-investment#summary">New investment in northern ports</a></h3></li>
    <li><span class="date">8 March 2024</span>
      <h3><a href="https://www.transport.example.gov/news/press-releases/2024/03/road-safety-week">
        Road Safety Week</a></h3></li>
    <li><span class="date">8 March 2024</span>
      <h3><a href="/news/press-releases/2024/03/rail-fares-frozen#comments">Rail fares frozen (comments)</a></h3></li>
    <li><h3><a href="mailto:press@transport.example.gov">Contact the press office</a></h3></li>
    <li><h3><a href="javascript:void(0)">Load more</a></h3></li>
    <li><h3><a>Draft (no link)</a></h3></li>
  </ul>
  <nav class="pager">
    <a href="?page=1" class="pager-current">1</a>
    <a href="?page=2" rel="next">Next page</a>
  </nav>
</main></body></html>"##;

    fn parse_selector_for_test(css: &str) -> Result<Selector, String> {
        crate::config::CssSelector::parse(css).map(|s| s.selector().clone())
    }

    fn gov_url() -> Url {
        Url::parse("https://www.transport.example.gov/news/press-releases/").unwrap()
    }

    #[test]
    fn government_press_release_list_with_pagination() {
        let links = parse_selector_for_test("ul.press-releases li h3 a").unwrap();
        let next = parse_selector_for_test("a[rel=next], .pager-next a").unwrap();
        let page = parse_listing(GOVERNMENT_LIST, &gov_url(), &links, Some(&next));
        let urls: Vec<&str> = page.links.iter().map(Url::as_str).collect();
        assert_eq!(
            urls,
            [
                "https://www.transport.example.gov/news/press-releases/2024/03/rail-fares-frozen",
                "https://www.transport.example.gov/news/press-releases/2024/03/new-port-investment",
                "https://www.transport.example.gov/news/press-releases/2024/03/road-safety-week",
            ]
        );
        assert_eq!(page.next.unwrap().as_str(), "https://www.transport.example.gov/news/press-releases/?page=2");

        let last_page = GOVERNMENT_LIST.replace(r#"<a href="?page=2" rel="next">Next page</a>"#, "");
        assert_eq!(parse_listing(&last_page, &gov_url(), &links, Some(&next)).next, None);
        assert_eq!(parse_listing(GOVERNMENT_LIST, &gov_url(), &links, None).next, None);
    }

    const COMPANY_NEWSROOM: &str = r#"<!DOCTYPE html>
<html><head><base href="https://newsroom.acme-energy.example/en/"><title>Newsroom</title></head>
<body>
<header><a class="logo" href="/">ACME Energy</a></header>
<section class="news-grid">
  <article class="card">
    <a class="card__link" href="releases/acme-q4-results?utm_source=newsroom">
      <img src="/img/q4.jpg" alt=""><h2>ACME reports fourth-quarter results</h2></a>
    <time datetime="2024-02-01">1 February 2024</time>
  </article>
  <article class="card">
    <a class="card__link" href="/en/releases/offshore-wind-contract"><h2>ACME wins offshore wind contract</h2></a>
  </article>
  <article class="card card--external">
    <a class="card__link" href="https://www.reuters.example/business/acme-ceo-interview"><h2>Interview</h2></a>
  </article>
  <article class="card"><h2>Coming soon</h2></article>
  <article class="card">
    <a class="card__link" href="releases/acme-q4-results?utm_source=newsroom"><h2>Duplicate tile</h2></a>
  </article>
</section>
<div class="pagination"><ul>
  <li class="pager-prev"><a href="./">Previous</a></li>
  <li class="pager-next"><a href="?p=2#top">More news</a></li>
</ul></div>
</body></html>"#;

    #[test]
    fn company_newsroom_grid_with_base_href_and_card_selectors() {
        let page_url = Url::parse("https://www.acme-energy.example/newsroom").unwrap();
        let next = parse_selector_for_test("a[rel=next], .pager-next a").unwrap();
        let expected = [
            "https://newsroom.acme-energy.example/en/releases/acme-q4-results?utm_source=newsroom",
            "https://newsroom.acme-energy.example/en/releases/offshore-wind-contract",
            "https://www.reuters.example/business/acme-ceo-interview",
        ];
        // Selecting the anchors, or the cards that contain them, gives the same links.
        for css in ["section.news-grid article a.card__link", "section.news-grid article.card"] {
            let page = parse_listing(COMPANY_NEWSROOM, &page_url, &parse_selector_for_test(css).unwrap(), Some(&next));
            let urls: Vec<&str> = page.links.iter().map(Url::as_str).collect();
            assert_eq!(urls, expected, "{css}");
            assert_eq!(page.next.as_ref().map(Url::as_str), Some("https://newsroom.acme-energy.example/en/?p=2"));
        }
        // The card whose own <li> is selected resolves through its anchor as well.
        let next_li = parse_selector_for_test(".pager-next").unwrap();
        let page =
            parse_listing(COMPANY_NEWSROOM, &page_url, &parse_selector_for_test("nothing").unwrap(), Some(&next_li));
        assert!(page.links.is_empty());
        assert_eq!(page.next.unwrap().as_str(), "https://newsroom.acme-energy.example/en/?p=2");
    }

    #[test]
    fn links_to_the_listing_itself_and_bad_bases_are_ignored() {
        let page_url = Url::parse("https://press.example.org/list?page=2").unwrap();
        let html = r#"<base href="javascript:alert(1)"><a class="x" href="?page=2#top">this page</a>
            <a class="x" href="/a">A</a><a class="x" href="http://[::1">bad</a><a class="x" href="  /b  ">B</a>"#;
        let selector = parse_selector_for_test("a.x").unwrap();
        let page = parse_listing(html, &page_url, &selector, Some(&selector));
        let urls: Vec<&str> = page.links.iter().map(Url::as_str).collect();
        assert_eq!(urls, ["https://press.example.org/a", "https://press.example.org/b"]);
        assert_eq!(page.next.unwrap().as_str(), "https://press.example.org/a");
    }

    #[test]
    fn garbage_html_does_not_panic() {
        let selector = parse_selector_for_test("a").unwrap();
        for html in
            ["", "<", "<a href>", "<a href=\"\u{0}\">x</a>", &"<div>".repeat(5000), "\u{feff}<a href=//x.example/y>"]
        {
            let page = parse_listing(html, &gov_url(), &selector, Some(&selector));
            assert!(page.links.iter().all(|u| matches!(u.scheme(), "http" | "https")));
        }
    }
}
