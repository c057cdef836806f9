//! Bad input gets a clear error, the run completes, and nothing stored is lost.

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use quotewire::config::Source;
use quotewire::store::DocumentStore;
use url::Url;

use crate::support::*;

const ARTICLE: &str = r#"<!doctype html><html lang="en"><head><title>Regulator fines carrier | Test Wire</title>
<meta property="article:published_time" content="2022-04-01T09:00:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Regulator fines carrier over outage</h1>
<p>The national regulator fined Northway Mobile on Friday after a nationwide outage left millions of customers without service for most of a day, officials said.</p>
<p>"This outage was entirely avoidable," said Maria Lopez, the regulator's chair. "Customers deserve networks that work when they need them most."</p>
<p>Northway Mobile denied that its network design was at fault and said it would appeal the decision in the coming weeks.</p>
</article><footer>Copyright Test Wire</footer></body></html>"#;

fn good_site() -> Router {
    Router::new()
        .route("/ok.html", get(|| async { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], ARTICLE) }))
        .route("/missing.html", get(|| async { StatusCode::NOT_FOUND }))
        .route("/broken.html", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route(
            "/report.pdf",
            get(|| async { ([(header::CONTENT_TYPE, "application/pdf")], b"%PDF-1.4 fake".to_vec()) }),
        )
        .route("/huge.html", get(|| async { ([(header::CONTENT_TYPE, "text/html")], vec![b'a'; 2 * 1024 * 1024]) }))
        .route("/loop-a", get(|| async { Redirect::temporary("/loop-b") }))
        .route("/loop-b", get(|| async { Redirect::temporary("/loop-a") }))
        .route(
            "/bad-feed.xml",
            get(|| async { ([(header::CONTENT_TYPE, "application/rss+xml")], "<rss><channel><item><title>cut off") }),
        )
}

fn page(addr: std::net::SocketAddr, path: &str) -> Source {
    Source::Page { url: Url::parse(&format!("http://{addr}{path}")).unwrap() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_counted_with_clear_errors_and_nothing_stored_is_lost() {
    let addr = serve(good_site()).await;
    let data = tempfile::tempdir().unwrap();
    let first = ingest(&ad_hoc(vec![page(addr, "/ok.html")]), data.path()).await;
    assert_eq!((first.articles, first.failed), (1, 0), "{first:?}");

    let mut pipeline = ad_hoc(vec![
        page(addr, "/missing.html"),
        page(addr, "/broken.html"),
        page(addr, "/report.pdf"),
        page(addr, "/huge.html"),
        page(addr, "/loop-a"),
        Source::Feed { url: Url::parse(&format!("http://{addr}/bad-feed.xml")).unwrap() },
        Source::Page { url: Url::parse(&format!("http://127.0.0.1:{}/gone.html", closed_port())).unwrap() },
        page(addr, "/ok.html"),
    ]);
    pipeline.fetch.max_body_bytes = 1024 * 1024;
    pipeline.fetch.connect_timeout = Duration::from_secs(2);
    let stats = ingest(&pipeline, data.path()).await;
    assert_eq!(stats.failed, 7, "{:#?}", stats.errors);
    let error_for = |needle: &str| {
        stats
            .errors
            .iter()
            .find(|(url, _)| url.contains(needle))
            .map(|(_, e)| e.clone())
            .unwrap_or_else(|| panic!("no error for {needle}: {:?}", stats.errors))
    };
    assert!(error_for("missing.html").contains("404"));
    assert!(error_for("broken.html").contains("500"));
    assert!(error_for("report.pdf").contains("application/pdf"));
    assert!(error_for("huge.html").contains("cap"));
    assert!(error_for("loop-a").contains("loop"));
    assert!(error_for("bad-feed.xml").contains("not a valid feed"));
    assert!(error_for("gone.html").contains("cannot reach"));

    // Failed pages wait before they are tried again; the feed is re-read every run.
    let again = ingest(&pipeline, data.path()).await;
    assert_eq!(again.deferred, 6, "{again:?}");
    assert_eq!(again.failed, 1, "only the malformed feed fails again: {:?}", again.errors);

    // The article stored by the first run is still there, unchanged.
    let store = open_store(data.path());
    let articles = store.articles().unwrap();
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0].title.as_deref(), Some("Regulator fines carrier over outage"));
    assert!(articles[0].quotes.iter().any(|q| q.speaker.as_deref() == Some("Maria Lopez")));
    assert_eq!(store.counts().unwrap().failed_pages, 7, "each failing URL is recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn politeness_spaces_requests_to_one_host() {
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    let times = Arc::new(Mutex::new(Vec::new()));
    let t = times.clone();
    let router = Router::new().fallback(move || {
        let t = t.clone();
        async move {
            t.lock().unwrap().push(Instant::now());
            ([(header::CONTENT_TYPE, "text/html")], ARTICLE).into_response()
        }
    });
    let addr = serve(router).await;
    let data = tempfile::tempdir().unwrap();
    let mut pipeline = ad_hoc((0..4).map(|i| page(addr, &format!("/p{i}.html"))).collect());
    pipeline.fetch.per_host_delay = Duration::from_millis(150);
    ingest(&pipeline, data.path()).await;
    let times = times.lock().unwrap();
    assert_eq!(times.len(), 5, "robots.txt and four pages");
    for pair in times.windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_millis(140), "requests too close: {:?}", pair[1] - pair[0]);
    }
}
