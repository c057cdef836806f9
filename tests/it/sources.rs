//! The richer source kinds end to end: newsroom listings with pagination, site discovery
//! from the home page and robots.txt, and WARC archives (read locally, nothing fetched).

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::routing::get;
use quotewire::config::{CssSelector, Source};
use url::Url;

use crate::support::*;

fn story(title: &str) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><title>{title}</title></head><body><main><article><h1>{title}</h1>
<p>The ministry announced new rules on Thursday requiring operators to audit their suppliers every year and to
report any incident affecting more than ten thousand customers within a day.</p>
<p>"Security cannot be an afterthought," said Priya Natarajan, the ministry's digital security director.</p>
<p>Operators said they supported the goal but warned that the timetable was too short for smaller carriers.</p>
</article></main></body></html>"#
    )
}

fn article_route() -> Router {
    Router::new().route("/news/{slug}", get(|Path(slug): Path<String>| async move { html(story(&slug)) }))
}

#[derive(serde::Deserialize)]
struct PageQuery {
    page: Option<u32>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_pages_are_followed_through_pagination() {
    let router = article_route().route(
        "/press/",
        get(|Query(q): Query<PageQuery>| async move {
            let body = match q.page.unwrap_or(1) {
                1 => {
                    r#"<html><body><nav><a href="/about">About</a></nav><ul class="releases">
<li><h3><a href="/news/rules-one">Rules one</a></h3></li><li><h3><a href="/news/rules-two">Rules two</a></h3></li>
<li><h3><a href="/news/rules-three#top">Rules three</a></h3></li></ul>
<div class="pager"><a rel="next" href="/press/?page=2">Next</a></div></body></html>"#
                }
                _ => {
                    r#"<html><body><ul class="releases"><li><h3><a href="/news/rules-four">Rules four</a></h3></li>
<li><h3><a href="/news/rules-one">Rules one again</a></h3></li></ul></body></html>"#
                }
            };
            html(body.to_string())
        }),
    );
    let addr = serve(router).await;
    let pipeline = ad_hoc(vec![Source::Listing {
        url: Url::parse(&format!("http://{addr}/press/")).unwrap(),
        links: CssSelector::parse("ul.releases li h3 a").unwrap(),
        next: Some(CssSelector::parse("a[rel=next]").unwrap()),
        max_pages: 5,
    }]);
    let data = tempfile::tempdir().unwrap();
    let stats = ingest(&pipeline, data.path()).await;
    assert_eq!(stats.failed, 0, "{:?}", stats.errors);
    let mut titles: Vec<String> = stored(data.path()).into_iter().filter_map(|a| a.title).collect();
    titles.sort();
    assert_eq!(titles, ["rules-four", "rules-one", "rules-three", "rules-two"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_are_discovered_from_home_page_feeds_and_robots_sitemaps() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let origin = format!("http://{addr}");
    let (o1, o2, o3) = (origin.clone(), origin.clone(), origin.clone());
    let router = article_route()
        .route(
            "/",
            get(|| async {
                html(r#"<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">
<link rel="alternate" hreflang="fr" href="/fr/"></head><body>Home</body></html>"#
                    .to_string())
            }),
        )
        .route("/robots.txt", get(move || async move { format!("User-agent: *\nAllow: /\nSitemap: {o1}/sitemap.xml\n") }))
        .route(
            "/rss.xml",
            get(move || async move {
                let body = format!(
                    r#"<rss version="2.0"><channel><title>t</title><item><link>{o2}/news/feed-story</link></item>
<item><link>{o2}/news/shared-story</link></item></channel></rss>"#
                );
                ([(header::CONTENT_TYPE, "application/rss+xml")], body)
            }),
        )
        .route(
            "/sitemap.xml",
            get(move || async move {
                let body = format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{o3}/news/sitemap-story</loc></url>
<url><loc>{o3}/news/shared-story</loc></url></urlset>"#
                );
                ([(header::CONTENT_TYPE, "application/xml")], body)
            }),
        );
    tokio::spawn(async move { axum::serve(listener, router).await });
    let pipeline = ad_hoc(vec![Source::Site { url: Url::parse(&origin).unwrap() }]);
    let data = tempfile::tempdir().unwrap();
    let stats = ingest(&pipeline, data.path()).await;
    assert_eq!(stats.failed, 0, "{:?}", stats.errors);
    assert_eq!(stats.articles, 3, "{stats:?}");
}

fn warc_record(uri: &str, http: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-03-01T10:00:00Z\r\n\
         WARC-Record-ID: <urn:uuid:{:08x}-0000-0000-0000-000000000000>\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        uri.len(),
        http.len()
    )
    .into_bytes();
    out.extend_from_slice(http);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warc_archives_are_ingested_without_fetching() {
    let dir = tempfile::tempdir().unwrap();
    let mut warc = Vec::new();
    for (uri, http) in [
        (
            "http://news.example.org/2024/03/rules.html",
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{}",
                story("Ministry sets rules")
            ),
        ),
        (
            "http://news.example.org/2024/03/audit.html?utm_source=x",
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{}", story("Operators face audits")),
        ),
        ("http://news.example.org/logo.png", "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\u{1}PNG".to_string()),
        (
            "http://news.example.org/gone.html",
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\nmissing".to_string(),
        ),
    ] {
        warc.extend(warc_record(uri, http.as_bytes()));
    }
    let path = dir.path().join("crawl.warc");
    std::fs::write(&path, &warc).unwrap();
    let data = dir.path().join("data");
    let stats = ingest(&ad_hoc(vec![Source::Warc { path }]), &data).await;
    assert_eq!((stats.articles, stats.failed), (2, 0), "{:?}", stats.errors);
    let articles = stored(&data);
    assert!(articles.iter().any(|a| a.url == "http://news.example.org/2024/03/audit.html"), "tracking removed");
    assert!(articles.iter().all(|a| a.quotes.iter().any(|q| q.speaker.as_deref() == Some("Priya Natarajan"))));

    // A truncated archive is an error naming the file; what came before it is kept.
    let cut = dir.path().join("cut.warc");
    std::fs::write(&cut, &warc[..warc.len() / 3]).unwrap();
    let stats = ingest(&ad_hoc(vec![Source::Warc { path: cut }]), &data).await;
    assert_eq!(stats.failed, 1, "{stats:?}");
    assert!(stats.errors[0].1.contains("cut.warc"), "{:?}", stats.errors);
    assert_eq!(stored(&data).len(), 2);
}

const WIRE_STORY: &[&str] = &[
    "Telecom regulators across the region agreed on Tuesday to phase out equipment from vendors deemed high risk.",
    "The agreement gives operators five years to replace core network gear and seven years for radio equipment.",
    "Officials said the timetable balanced security concerns against the cost of ripping out installed hardware.",
    "Smaller rural carriers, which rely heavily on cheaper equipment, asked for a fund to cover replacement costs.",
    "The ministry said it would publish detailed guidance on which suppliers fall under the new rules next month.",
    "Industry groups welcomed the clarity but warned that supply chains for alternative vendors remain stretched.",
    "Analysts estimated the total cost of replacement at between two and three billion euros over the period.",
    "Several operators said they had already begun testing equipment from other suppliers in their networks.",
    "The rules also require operators to report security incidents within twenty-four hours of detection.",
    "A review of the policy is scheduled for two years after it takes effect, officials said on Tuesday.",
    "Consumer groups said they feared the costs would eventually be passed on to customers through higher bills.",
    "The vendors named in earlier reports have repeatedly said their equipment poses no threat to any country.",
];

fn outlet_page(headline: &str, byline: &str, sentences: &[&str]) -> String {
    let paragraphs: String = sentences.iter().map(|s| format!("<p>{s}</p>\n")).collect();
    format!(
        r#"<!doctype html><html lang="en"><head><title>{headline}</title></head><body><article><h1>{headline}</h1>
<div class="byline">By {byline}</div>{paragraphs}</article></body></html>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_duplicates_across_outlets_share_a_cluster() {
    let mut edited: Vec<&str> = WIRE_STORY.to_vec();
    edited[6] = "Analysts put the bill for replacing the equipment at up to three billion euros.";
    let original = outlet_page("Regulators agree to phase out high-risk vendors", "Ana Ruiz", WIRE_STORY);
    let copy = outlet_page("Region sets five-year deadline for telecom gear swap", "Staff and agencies", &edited);
    let other = story("Ministry opens consultation on spectrum fees");
    let router = Router::new()
        .route("/wire/a.html", get(move || async move { html(original) }))
        .route("/daily/b.html", get(move || async move { html(copy) }))
        .route("/daily/c.html", get(move || async move { html(other) }));
    let addr = serve(router).await;
    let page = |p: &str| Source::Page { url: Url::parse(&format!("http://{addr}{p}")).unwrap() };
    let data = tempfile::tempdir().unwrap();
    // One at a time, so "first stored" is well defined.
    let first = ingest(&ad_hoc(vec![page("/wire/a.html")]), data.path()).await;
    assert_eq!(first.articles, 1);
    ingest(&ad_hoc(vec![page("/daily/b.html"), page("/daily/c.html")]), data.path()).await;
    let articles = stored(data.path());
    let by_url = |p: &str| articles.iter().find(|a| a.url.ends_with(p)).unwrap();
    let (a, b, c) = (by_url("/wire/a.html"), by_url("/daily/b.html"), by_url("/daily/c.html"));
    assert_eq!(a.cluster.as_deref(), Some(a.id.as_str()));
    assert_eq!(b.cluster, a.cluster, "the edited copy joins the original's cluster");
    assert_eq!(c.cluster.as_deref(), Some(c.id.as_str()), "a different story is its own cluster");

    let index = open_index(data.path());
    let hits = index
        .search(&quotewire::index::SearchRequest::new(
            &format!("cluster:{}", a.id),
            Some(quotewire::index::DocType::Article),
            10,
        ))
        .unwrap();
    assert_eq!(hits.total, 2);
}
