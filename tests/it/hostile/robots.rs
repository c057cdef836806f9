//! Hostile robots.txt files: huge, binary, endless, looping, silent.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::Redirect;
use futures_util::stream;

use super::*;

fn site_with_robots<F>(robots: F) -> Router
where
    F: Fn() -> Response + Clone + Send + Sync + 'static,
{
    Router::new().route("/a/{n}", get(|| async { html(article_page(1)) })).route(
        "/robots.txt",
        get(move || {
            let robots = robots.clone();
            async move { robots() }
        }),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_megabyte_robots_txt_is_read_only_to_its_first_500_kib() {
    let case = ingest_source(
        site_with_robots(|| {
            let head = stream::once(async {
                Ok::<_, std::convert::Infallible>(Bytes::from_static(b"User-agent: *\nDisallow: /private/\n"))
            });
            let rest = stream::iter((0..1600).map(|_| Ok(Bytes::from(vec![b'#'; 65_536]))));
            typed("text/plain", Body::from_stream(futures_util::StreamExt::chain(head, rest)))
        }),
        "url",
        "/a/1.html",
        "",
    )
    .await;
    case.assert_sane();
    assert_eq!(case.articles().len(), 1, "the rules that were read allow the page");
    assert_rss_within(&case, ordinary_ingest_rss_mb().await, 50.0, "the 100 MB robots.txt was not buffered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_binary_robots_txt_allows_everything() {
    let noise: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let case =
        ingest_source(site_with_robots(move || typed("text/plain", noise.clone())), "url", "/a/1.html", "").await;
    case.assert_sane();
    assert_eq!(case.articles().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robots_txt_of_a_hundred_thousand_rules() {
    let rules: String = std::iter::once("User-agent: *\n".to_string())
        .chain((0..100_000).map(|i| format!("Disallow: /section-{i}/*.php$\n")))
        .collect();
    let case =
        ingest_source(site_with_robots(move || typed("text/plain", rules.clone())), "url", "/a/1.html", "").await;
    case.assert_sane();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robots_txt_that_redirects_in_a_loop() {
    let case =
        ingest_source(site_with_robots(|| Redirect::temporary("/robots.txt").into_response()), "url", "/a/1.html", "")
            .await;
    case.assert_error("robots.txt redirects more than 5 times");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robots_txt_that_never_answers() {
    let router = site_with_robots(|| {
        let silence = stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            None::<(Result<Bytes, std::convert::Infallible>, ())>
        });
        typed("text/plain", Body::from_stream(silence))
    });
    let case = ingest_source(router, "url", "/a/1.html", "").await;
    case.assert_error("timed out after 3 s");
    assert!(case.finished.stderr.contains("/a/1.html"), "the page's error names the page: {}", case.finished.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_robots_txt_failing_with_a_server_error_blocks_the_site_for_the_run() {
    let case = ingest_source(
        site_with_robots(|| (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response()),
        "url",
        "/a/1.html",
        "",
    )
    .await;
    case.assert_error("the site's robots.txt answered HTTP 500");
    assert!(case.articles().is_empty());
}
