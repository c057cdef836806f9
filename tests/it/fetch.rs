//! Fetching at production grade, against loopback servers only: retries and Retry-After,
//! the address guard, body caps, decompression bombs, every source format, Crawl-delay.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use quotewire::config::{Config, PrivateAddresses, Source};
use quotewire::fetch::{Expect, FetchError, Fetcher, Validators};
use quotewire::store::DocumentStore;
use url::Url;

use crate::support::*;

fn article(title: &str, n: usize) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><title>{title}</title>
<meta property="article:published_time" content="2022-05-0{d}T09:00:00Z"></head><body><article><h1>{title}</h1>
<p>The regional telecom regulator published its annual review of network resilience on Tuesday, number {n}, and said
operators had improved their response times after last year's storms.</p>
<p>"We have seen real progress, but there is more to do," said Joan Ivers, the regulator's director of networks.</p>
<p>Operators welcomed the review and said they would publish their own recovery plans before the winter.</p>
</article></body></html>"#,
        d = n % 9 + 1
    )
}

fn fetch_config() -> quotewire::config::FetchConfig {
    let mut c = Config::default().fetch;
    c.per_host_delay = Duration::ZERO;
    c.retries = 0;
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_waited_before_the_retry() {
    let hits = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let h = hits.clone();
    let router = Router::new().route(
        "/busy.html",
        get(move || {
            let h = h.clone();
            async move {
                let n = {
                    let mut hits = h.lock().unwrap();
                    hits.push(Instant::now());
                    hits.len()
                };
                if n == 1 {
                    (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "1")], "busy").into_response()
                } else {
                    html(article("Regulator reviews resilience", 1))
                }
            }
        }),
    );
    let addr = serve(router).await;
    let mut pipeline = ad_hoc(vec![Source::Page { url: Url::parse(&format!("http://{addr}/busy.html")).unwrap() }]);
    pipeline.fetch.retries = 2;
    let data = tempfile::tempdir().unwrap();
    let stats = ingest(&pipeline, data.path()).await;
    assert_eq!((stats.articles, stats.failed), (1, 0), "{:?}", stats.errors);
    let hits = hits.lock().unwrap();
    assert_eq!(hits.len(), 2);
    assert!(hits[1] - hits[0] >= Duration::from_millis(950), "waited only {:?}", hits[1] - hits[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_refuses_private_feed_items_and_redirects_before_connecting() {
    let feed = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><link>http://10.0.0.1/internal.html</link></item>
<item><link>http://169.254.169.254/latest/meta-data/</link></item>
<item><link>http://192.168.1.10/router.html</link></item>
<item><link>http://[fd00::1]/x.html</link></item>
<item><link>{{origin}}/jump.html</link></item>
</channel></rss>"#;
    // The listener is bound first so the feed can name this server's own redirect page.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let feed = feed.replace("{{origin}}", &format!("http://{addr}"));
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let s = seen.clone();
    let router = Router::new()
        .route("/feed.xml", get(move || async move { ([(header::CONTENT_TYPE, "application/rss+xml")], feed) }))
        .route("/jump.html", get(|| async { Redirect::temporary("http://10.0.0.2/secret.html") }))
        .fallback(move |uri: axum::http::Uri| {
            let s = s.clone();
            async move {
                s.lock().unwrap().push(uri.path().to_string());
                StatusCode::NOT_FOUND
            }
        });
    tokio::spawn(async move { axum::serve(listener, router).await });
    let mut pipeline = ad_hoc(vec![Source::Feed { url: Url::parse(&format!("http://{addr}/feed.xml")).unwrap() }]);
    pipeline.fetch.private_addresses = PrivateAddresses::Deny;
    pipeline.fetch.allow_addresses = vec!["127.0.0.1/32".parse().unwrap()];
    let data = tempfile::tempdir().unwrap();
    let stats = ingest(&pipeline, data.path()).await;
    assert_eq!(stats.failed, 5, "{:#?}", stats.errors);
    for (url, error) in &stats.errors {
        assert!(error.contains("is not a public address"), "{url}: {error}");
    }
    let jump = stats.errors.iter().find(|(u, _)| u.contains("jump.html")).unwrap();
    assert!(jump.1.contains("10.0.0.2"), "the redirect target is what was refused: {}", jump.1);
    assert_eq!(*seen.lock().unwrap(), ["/robots.txt"], "only robots.txt was requested besides the feed and jump");

    // Without the exception, even the loopback feed itself is refused.
    let fetcher = Fetcher::new(&{
        let mut c = fetch_config();
        c.private_addresses = PrivateAddresses::Deny;
        c
    })
    .unwrap();
    let err = fetcher
        .fetch(&Url::parse(&format!("http://{addr}/feed.xml")).unwrap(), &Validators::default(), Expect::Feed)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Forbidden { .. }), "{err}");
}

/// Peak resident memory of this process (Linux), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_1_gb_body_is_cut_at_the_cap_without_buffering_it() {
    const CHUNK: usize = 64 * 1024;
    const CHUNKS: usize = 16 * 1024; // 1 GiB in all
    let router = Router::new().route(
        "/huge.html",
        get(|| async {
            let chunk = bytes_of(CHUNK);
            let stream = futures_util::stream::iter((0..CHUNKS).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
            ([(header::CONTENT_TYPE, "text/html")], Body::from_stream(stream)).into_response()
        }),
    );
    let addr = serve(router).await;
    let before = peak_rss();
    let mut config = fetch_config();
    config.max_body_bytes = 8 * 1024 * 1024;
    let fetcher = Fetcher::new(&config).unwrap();
    let started = Instant::now();
    let err = fetcher
        .fetch(&Url::parse(&format!("http://{addr}/huge.html")).unwrap(), &Validators::default(), Expect::Html)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { limit: 8388608, .. }), "{err}");
    let grown = peak_rss().saturating_sub(before);
    assert!(grown < 128 * 1024 * 1024, "peak RSS grew by {grown} bytes");
    assert!(started.elapsed() < Duration::from_secs(20), "the rest of the body is not read");
}

fn bytes_of(n: usize) -> axum::body::Bytes {
    axum::body::Bytes::from(vec![b'a'; n])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_feed_and_sitemap_format_is_followed() {
    let origin = Arc::new(Mutex::new(String::new()));
    let o = origin.clone();
    let body = move |template: &'static str| {
        let o = o.clone();
        move || {
            let text = template.replace("{o}", &o.lock().unwrap());
            async move { ([(header::CONTENT_TYPE, "application/xml")], text).into_response() }
        }
    };
    let rss091 = r#"<?xml version="1.0"?><rss version="0.91"><channel><title>t</title><link>{o}/</link><description>d</description>
<item><title>a</title><link>{o}/a/1.html</link></item></channel></rss>"#;
    let rss10 = r#"<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="{o}/"><title>t</title><link>{o}/</link><description>d</description></channel>
<item rdf:about="{o}/a/2.html"><title>b</title><link>{o}/a/2.html</link></item></rdf:RDF>"#;
    let atom = r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id>
<updated>2022-05-01T00:00:00Z</updated><entry><title>c</title><id>urn:c</id><updated>2022-05-01T00:00:00Z</updated>
<link href="{o}/a/3.html"/></entry></feed>"#;
    let json = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t",
"items": [{"id": "4", "url": "{o}/a/4.html", "title": "d", "date_published": "2022-05-01T00:00:00Z"}]}"#;
    let index = r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{o}/sm/child.xml.gz</loc></sitemap><sitemap><loc>{o}/sm/text.txt</loc></sitemap></sitemapindex>"#;
    let o2 = origin.clone();
    let router = Router::new()
        .route("/f/rss091.xml", get(body(rss091)))
        .route("/f/rss10.xml", get(body(rss10)))
        .route("/f/atom.xml", get(body(atom)))
        .route("/f/feed.json", get(body(json)))
        .route("/sm/index.xml", get(body(index)))
        .route(
            "/sm/child.xml.gz",
            get(move || {
                let text = format!(
                    r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{}/a/5.html</loc></url></urlset>"#,
                    o2.lock().unwrap()
                );
                async move {
                    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                    std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
                    ([(header::CONTENT_TYPE, "application/gzip")], gz.finish().unwrap()).into_response()
                }
            }),
        )
        .route("/sm/text.txt", get(body("{o}/a/6.html\n{o}/a/1.html\n")))
        .route(
            "/a/{n}",
            get(|axum::extract::Path(n): axum::extract::Path<String>| async move {
                let n: usize = n.trim_end_matches(".html").parse().unwrap_or(0);
                html(article(&format!("Resilience review part {n}"), n))
            }),
        );
    let addr = serve(router).await;
    *origin.lock().unwrap() = format!("http://{addr}");
    let url = |p: &str| Url::parse(&format!("http://{addr}{p}")).unwrap();
    let pipeline = ad_hoc(vec![
        Source::Feed { url: url("/f/rss091.xml") },
        Source::Feed { url: url("/f/rss10.xml") },
        Source::Feed { url: url("/f/atom.xml") },
        Source::Feed { url: url("/f/feed.json") },
        Source::Sitemap { url: url("/sm/index.xml") },
    ]);
    let data = tempfile::tempdir().unwrap();
    let stats = ingest(&pipeline, data.path()).await;
    assert_eq!(stats.failed, 0, "{:?}", stats.errors);
    assert_eq!(stats.articles, 6, "one article per format, /a/1.html deduplicated: {stats:?}");
    let store = open_store(data.path());
    assert_eq!(store.articles().unwrap().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_delay_spaces_requests() {
    let times = Arc::new(Mutex::new(Vec::<Instant>::new()));
    let t = times.clone();
    let router = Router::new()
        .route("/robots.txt", get(|| async { "User-agent: *\nCrawl-delay: 1\nAllow: /\n" }))
        .fallback(move || {
            let t = t.clone();
            async move {
                t.lock().unwrap().push(Instant::now());
                html(article("Crawl delay", 3))
            }
        });
    let addr = serve(router).await;
    let data = tempfile::tempdir().unwrap();
    let pipeline = ad_hoc(
        (0..3).map(|i| Source::Page { url: Url::parse(&format!("http://{addr}/p{i}.html")).unwrap() }).collect(),
    );
    ingest(&pipeline, data.path()).await;
    let times = times.lock().unwrap();
    assert_eq!(times.len(), 3);
    for pair in times.windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_millis(950), "{:?}", pair[1] - pair[0]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_sitemap_is_reported_and_the_run_goes_on() {
    let router = Router::new()
        .route("/sitemap.xml", get(|| async { ([(header::CONTENT_TYPE, "application/xml")], "<urlset><url><loc>") }))
        .route("/ok.html", get(|| async { html(article("Still fetched", 4)) }));
    let addr = serve(router).await;
    let pipeline = ad_hoc(vec![
        Source::Sitemap { url: Url::parse(&format!("http://{addr}/sitemap.xml")).unwrap() },
        Source::Page { url: Url::parse(&format!("http://{addr}/ok.html")).unwrap() },
    ]);
    let data = tempfile::tempdir().unwrap();
    let stats = ingest(&pipeline, data.path()).await;
    assert_eq!((stats.failed, stats.articles), (1, 1), "{:?}", stats.errors);
    assert!(stats.errors[0].1.contains("sitemap.xml") && stats.errors[0].1.contains("not a valid sitemap"));
}
