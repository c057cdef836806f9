//! Hostile HTTP: compression bombs, redirect traps, slow and endless bodies, lying headers.

use std::io::Write;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Redirect;
use futures_util::stream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

/// 64 MiB of spaces, compressed by `encode`.
fn bomb(encode: impl FnOnce(&[u8]) -> Vec<u8>) -> Vec<u8> {
    encode(&vec![b' '; 64 << 20])
}

fn encoded(encoding: &'static str, body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "text/html"), (header::CONTENT_ENCODING, encoding)], body).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb() {
    let body = bomb(|data| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    });
    let case = ingest_page(move || encoded("gzip", body.clone())).await;
    case.assert_error("is larger than the 10485760-byte cap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_brotli_bomb() {
    let body = bomb(|data| {
        let mut out = Vec::new();
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        writer.write_all(data).unwrap();
        drop(writer);
        out
    });
    let case = ingest_page(move || encoded("br", body.clone())).await;
    case.assert_error("is larger than the 10485760-byte cap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deflate_bomb() {
    let body = bomb(|data| {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    });
    let case = ingest_page(move || encoded("deflate", body.clone())).await;
    case.assert_error("is larger than the 10485760-byte cap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encoding_nobody_asked_for() {
    let case = ingest_page(|| encoded("zstd", vec![0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3])).await;
    case.assert_error("is sent with content encoding `zstd`, which quotewire cannot decode");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_loop() {
    let router = Router::new()
        .route("/page.html", get(|| async { Redirect::temporary("/b") }))
        .route("/b", get(|| async { Redirect::permanent("/page.html") }));
    let case = ingest_source(router, "url", "/page.html", "").await;
    case.assert_error("redirects in a loop back to");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_of_fifty_redirects() {
    let router =
        Router::new().route(
            "/r/{n}",
            get(|axum::extract::Path(n): axum::extract::Path<u32>| async move {
                Redirect::temporary(&format!("/r/{}", n + 1))
            }),
        );
    let case = ingest_source(router, "url", "/r/0", "").await;
    case.assert_error("redirects more than 5 times");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_a_local_file() {
    let case = ingest_page(|| Redirect::temporary("file:///etc/passwd").into_response()).await;
    case.assert_error("only http and https URLs are fetched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_to_a_private_address_under_the_daemon_guard() {
    // The guard refuses 10.0.0.1 at its decision point: no connection is attempted.
    let router = Router::new().route("/page.html", get(|| async { Redirect::temporary("http://10.0.0.1/admin") }));
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let sources = format!("[[sources]]\ntype = \"url\"\nurl = \"http://{addr}/page.html\"\n");
    let pipeline = write_pipeline(dir.path(), "guarded", &sources, "").to_string_lossy().into_owned();
    let text = std::fs::read_to_string(&pipeline)
        .unwrap()
        .replace("private_addresses = \"allow\"", "private_addresses = \"deny\"\nallow_addresses = [\"127.0.0.1/32\"]");
    std::fs::write(&pipeline, text).unwrap();
    let mut command = quotewire(&dir.path().join("data"));
    command.args(["run", "--once", "--pipeline", &pipeline]);
    let finished = tokio::task::spawn_blocking(move || child::run(command, Duration::from_secs(120))).await.unwrap();
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
    assert!(finished.stderr.contains("10.0.0.1 is not a public address"), "{}", finished.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slowloris_body_hits_the_timeout() {
    let case = ingest_page(|| {
        let drip = stream::unfold(0u32, |n| async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            Some((Ok::<_, std::convert::Infallible>(Bytes::from_static(b"<p>")), n + 1))
        });
        html_bytes(Body::from_stream(drip))
    })
    .await;
    case.assert_error("timed out after 3 s");
    assert!(case.finished.wall < Duration::from_secs(30), "{:?}", case.finished.wall);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_ends() {
    let case = ingest_page(|| {
        let endless = stream::repeat_with(|| Ok::<_, std::convert::Infallible>(Bytes::from(vec![b'x'; 1 << 16])));
        html_bytes(Body::from_stream(endless))
    })
    .await;
    case.assert_error("is larger than the 10485760-byte cap");
}

/// A raw TCP server answering every connection with `respond`.
async fn raw_server<F, Fut>(respond: F) -> SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(respond(stream));
        }
    });
    addr
}

async fn ingest_raw<F, Fut>(respond: F) -> Finished
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let addr = raw_server(respond).await;
    let dir = tempfile::tempdir().unwrap();
    let sources = format!("[[sources]]\ntype = \"url\"\nurl = \"http://{addr}/page.html\"\n");
    let pipeline = write_pipeline(dir.path(), "raw", &sources, "timeout_secs = 3\n");
    let mut command = quotewire(&dir.path().join("data"));
    command.args(["ingest", "--pipeline"]).arg(pipeline);
    tokio::task::spawn_blocking(move || child::run(command, Duration::from_secs(180))).await.unwrap()
}

async fn read_request(stream: &mut tokio::net::TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_headers_that_never_end() {
    let finished = ingest_raw(|mut stream| async move {
        read_request(&mut stream).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\n").await;
        for i in 0..1000 {
            if stream.write_all(format!("X-Drip-{i}: x\r\n").as_bytes()).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
    assert!(finished.stderr.contains("timed out after 3 s"), "{}", finished.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_content_length_that_lies() {
    let finished = ingest_raw(|mut stream| async move {
        read_request(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000000\r\n\r\n<html><p>short")
            .await;
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
    assert!(finished.stderr.contains("cannot reach") && finished.stderr.contains("page.html"), "{}", finished.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_megabyte_of_response_headers() {
    let finished = ingest_raw(|mut stream| async move {
        read_request(&mut stream).await;
        let mut response = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n".to_vec();
        for i in 0..20_000 {
            response.extend(format!("X-Filler-{i}: {}\r\n", "y".repeat(40)).as_bytes());
        }
        response.extend(b"Content-Length: 4\r\n\r\n<p>x");
        let _ = stream.write_all(&response).await;
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
    assert!(finished.stderr.contains("cannot reach"), "{}", finished.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_forever_is_retried_a_bounded_number_of_times() {
    let attempts = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = attempts.clone();
    let router = Router::new().route(
        "/page.html",
        get(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async { StatusCode::SERVICE_UNAVAILABLE }
        }),
    );
    let case = ingest_source(router, "url", "/page.html", "retries = 3\n").await;
    case.assert_error("answered HTTP 503");
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 4, "one try and three retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_of_eleven_days_is_not_waited_for() {
    let router = Router::new().route(
        "/page.html",
        get(|| async { (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "999999")], "slow down") }),
    );
    let case = ingest_source(router, "url", "/page.html", "retries = 2\n").await;
    case.assert_error("answered HTTP 429");
    assert!(case.finished.wall < Duration::from_secs(30), "{:?}", case.finished.wall);
}
