//! Hostile feeds and sitemaps: entity bombs, external entities, giant and looping lists,
//! compression bombs, broken documents, impossible dates.

use std::io::Write;

use super::*;

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"#;

fn xml_router(path: &'static str, content_type: &'static str, body: impl Into<axum::body::Bytes>) -> Router {
    let body = body.into();
    Router::new()
        .route(
            path,
            get(move || {
                let body = body.clone();
                async move { typed(content_type, body) }
            }),
        )
        .route("/a/{n}", get(|| async { html(article_page(1)) }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn billion_laughs_in_a_feed() {
    let feed = format!(
        "{BILLION_LAUGHS}<rss version=\"2.0\"><channel><title>&lol9;</title><item><title>&lol9;</title><link>/a/1.html</link></item></channel></rss>"
    );
    let case = ingest_source(xml_router("/feed.xml", "application/rss+xml", feed), "feed", "/feed.xml", "").await;
    case.finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
    assert_rss_within(&case, ordinary_ingest_rss_mb().await, 70.0, "entities are not expanded into memory");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn billion_laughs_in_a_sitemap() {
    let sitemap = format!(
        "{BILLION_LAUGHS}<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>/a/&lol9;</loc></url></urlset>"
    );
    let case =
        ingest_source(xml_router("/sitemap.xml", "application/xml", sitemap), "sitemap", "/sitemap.xml", "").await;
    case.finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
    assert_rss_within(&case, ordinary_ingest_rss_mb().await, 70.0, "entities are not expanded into memory");
}

const EXTERNAL_ENTITY: &str = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_entity_in_a_feed_reads_no_local_file() {
    let feed = format!(
        "{EXTERNAL_ENTITY}<rss version=\"2.0\"><channel><title>t</title><item><title>&secret;</title><link>/a/1.html</link><description>&secret;</description></item></channel></rss>"
    );
    let case = ingest_source(xml_router("/feed.xml", "application/rss+xml", feed), "feed", "/feed.xml", "").await;
    case.finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
    let everything = format!("{}{}{:?}", case.finished.stdout, case.finished.stderr, case.articles());
    assert!(!everything.contains("root:"), "the file was read: {everything}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_entity_in_a_sitemap_reads_no_local_file() {
    let sitemap = format!(
        "{EXTERNAL_ENTITY}<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>/a/1.html?&secret;</loc></url></urlset>"
    );
    let case =
        ingest_source(xml_router("/sitemap.xml", "application/xml", sitemap), "sitemap", "/sitemap.xml", "").await;
    case.finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
    let everything = format!("{}{}{:?}", case.finished.stdout, case.finished.stderr, case.articles());
    assert!(!everything.contains("root:"), "the file was read: {everything}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_with_a_hundred_thousand_items() {
    // The items point at a path robots.txt disallows: each is checked, none fetched.
    let items: String =
        (0..100_000).map(|i| format!("<item><title>Item {i}</title><link>/private/{i}.html</link></item>")).collect();
    let feed = format!("<rss version=\"2.0\"><channel><title>big</title>{items}</channel></rss>");
    let router = xml_router("/feed.xml", "application/rss+xml", feed)
        .route("/robots.txt", get(|| async { "User-agent: *\nDisallow: /private/\n" }));
    let case = ingest_source(router, "feed", "/feed.xml", "").await;
    case.assert_sane();
    assert!(
        case.finished.stderr.contains("lists 100000 links; only the first 50000 are followed"),
        "{}",
        case.finished.stderr
    );
    assert!(case.finished.stdout.contains("disallowed 50000"), "{}", case.finished.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sitemap_index_that_names_itself() {
    let index = "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>/sitemap.xml</loc></sitemap><sitemap><loc>/sitemap.xml?again</loc></sitemap></sitemapindex>";
    let case = ingest_source(xml_router("/sitemap.xml", "application/xml", index), "sitemap", "/sitemap.xml", "").await;
    case.assert_sane();
    assert!(case.finished.stdout.contains("fetched 2,"), "each sitemap URL once: {}", case.finished.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitemap_indexes_nested_too_deep() {
    let router = Router::new().route(
        "/s/{n}",
        get(|axum::extract::Path(n): axum::extract::Path<u32>| async move {
            typed(
                "application/xml",
                format!("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>/s/{}</loc></sitemap></sitemapindex>", n + 1),
            )
        }),
    );
    let case = ingest_source(router, "sitemap", "/s/0", "").await;
    case.assert_error("sitemap indexes nest deeper than 3 levels");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_sitemap_that_inflates_to_a_gigabyte() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..60 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    let case =
        ingest_source(xml_router("/sitemap.xml.gz", "application/gzip", bomb), "sitemap", "/sitemap.xml.gz", "").await;
    case.assert_error("decompresses to more than");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_that_is_an_html_page() {
    let page = article_page(3);
    let case = ingest_source(xml_router("/feed.xml", "text/html", page), "feed", "/feed.xml", "").await;
    case.assert_error("is not a valid feed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_feed() {
    let feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>cut he";
    let case = ingest_source(xml_router("/feed.xml", "application/rss+xml", feed), "feed", "/feed.xml", "").await;
    case.assert_error("is not a valid feed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_feed_nested_ten_thousand_levels() {
    let feed = format!(
        "{{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"t\",\"items\":{}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let case = ingest_source(xml_router("/feed.json", "application/feed+json", feed), "feed", "/feed.json", "").await;
    case.assert_error("is not a valid feed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_links_to_local_files_and_scripts_are_never_followed() {
    let feed = "<rss version=\"2.0\"><channel><title>t</title>\
        <item><link>file:///etc/passwd</link></item><item><link>javascript:alert(1)</link></item>\
        <item><link>data:text/html,&lt;p&gt;x</link></item><item><link>ftp://127.0.0.1/x</link></item>\
        <item><link>/a/1.html</link></item></channel></rss>";
    let case = ingest_source(xml_router("/feed.xml", "application/rss+xml", feed), "feed", "/feed.xml", "").await;
    case.assert_sane();
    let articles = case.articles();
    assert_eq!(articles.len(), 1, "only the http link");
    assert!(articles[0].url.starts_with("http://"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_dates_in_year_zero_and_9999() {
    let feed = "<rss version=\"2.0\"><channel><title>t</title>\
        <item><link>/a/1.html</link><pubDate>Sat, 01 Jan 0000 00:00:00 GMT</pubDate></item>\
        <item><link>/a/2.html</link><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate></item>\
        <item><link>/a/3.html</link><pubDate>Mon, 99 Foo 12345678 99:99:99 +9999</pubDate></item></channel></rss>";
    let case = ingest_source(xml_router("/feed.xml", "application/rss+xml", feed), "feed", "/feed.xml", "").await;
    case.assert_sane();
    assert_eq!(case.articles().len(), 1, "the three items are one canonical article");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_item_with_a_five_megabyte_title() {
    let feed = format!(
        "<rss version=\"2.0\"><channel><title>t</title><item><title>{}</title><link>/a/1.html</link></item></channel></rss>",
        "T".repeat(5 << 20)
    );
    let case = ingest_source(xml_router("/feed.xml", "application/rss+xml", feed), "feed", "/feed.xml", "").await;
    case.assert_sane();
    assert_eq!(case.articles().len(), 1);
}
