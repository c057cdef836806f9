//! Hostile requests to `quotewire serve`: injection attempts, deep nesting, huge queries and
//! bodies, slow clients, bad encodings, wrong tokens. The server answers each with a JSON
//! error or a sane result and stays up.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

async fn get_status(addr: SocketAddr, path_and_query: &str) -> (u16, String) {
    let response = reqwest::Client::new().get(format!("http://{addr}{path_and_query}")).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn error_json(body: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    value["error"].as_str().unwrap_or_else(|| panic!("no error field: {body}")).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_that_try_sql_and_query_injection() {
    let finished = against_serve(None, |addr| async move {
        for q in [
            "'; DROP TABLE articles; --",
            "\" OR 1=1 --",
            "speaker:huawei) OR (type:*",
            "*:*",
            "text:\\\"",
            "stance:deny\u{0} OR stance:accuse",
        ] {
            let (status, body) = get_status(addr, &format!("/api/search?q={}", urlencode(q))).await;
            assert!(status == 200 || status == 400, "{q}: {status} {body}");
            if status == 400 {
                assert!(!error_json(&body).is_empty());
            }
        }
        // The store and index are untouched: the real query still finds the corpus.
        let (status, body) = get_status(addr, "/api/search?q=stance%3Adeny").await;
        assert_eq!(status, 200);
        assert!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["total"].as_u64().unwrap() >= 1);
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_five_hundred_nested_parentheses() {
    let finished = against_serve(None, |addr| async move {
        let q = format!("{}huawei{}", "(".repeat(2500), ")".repeat(2500));
        let (status, body) = get_status(addr, &format!("/api/search?q={}", urlencode(&q))).await;
        assert!((400..500).contains(&status), "{status} {body}");
        assert!(!error_json(&body).is_empty());
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sixty_kilobyte_query() {
    let finished = against_serve(None, |addr| async move {
        let q = "huawei OR ".repeat(6_000);
        let response = reqwest::Client::new()
            .get(format!("http://{addr}/api/search"))
            .query(&[("q", q.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 414);
        assert!(error_json(&response.text().await.unwrap()).contains("limit"));
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_in_a_query_comes_back_as_json_never_as_markup() {
    let finished = against_serve(None, |addr| async move {
        let response = reqwest::Client::new()
            .get(format!("http://{addr}/api/search?q={}", urlencode("<script>alert(1)</script> speaker:")))
            .send()
            .await
            .unwrap();
        let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
        assert!(content_type.starts_with("application/json"), "{content_type}");
        let body = response.text().await.unwrap();
        assert!(serde_json::from_str::<serde_json::Value>(&body).is_ok(), "{body}");
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_limits_and_offsets() {
    let finished = against_serve(None, |addr| async move {
        for query in
            ["limit=18446744073709551615", "offset=18446744073709551615", "limit=-1", "limit=1e9", "offset=999999999"]
        {
            let (status, body) = get_status(addr, &format!("/api/search?q=huawei&{query}")).await;
            assert_eq!(status, 400, "{query}: {body}");
            assert!(!error_json(&body).is_empty(), "{query}");
        }
        let (status, _) = get_status(addr, "/api/search?q=huawei&limit=5&offset=3").await;
        assert_eq!(status, 200, "ordinary paging still works");
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_megabyte_request_body() {
    let finished = against_serve(None, |addr| async move {
        let response =
            reqwest::Client::new().post(format!("http://{addr}/api/search")).body(vec![b'{'; 100 << 20]).send().await;
        // Refused from its Content-Length before the body is read; the connection may close.
        if let Ok(response) = response {
            assert_eq!(response.status(), 413);
        }
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
    assert!(finished.max_rss_mb < 150.0 + MODEL_RSS_MB, "the body was not buffered: {:.0} MB", finished.max_rss_mb);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slowloris_client_is_cut_off() {
    let finished = against_serve(None, |addr| async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        let started = std::time::Instant::now();
        let mut closed = false;
        for i in 0..60 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if stream.write_all(format!("X-Slow-{i}: y\r\n").as_bytes()).await.is_err() {
                closed = true;
                break;
            }
            let mut probe = [0u8; 512];
            if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe)).await {
                closed = true;
                let _ = n;
                break;
            }
        }
        assert!(closed, "a client trickling headers must be cut off");
        assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_percent_encoding_in_a_query() {
    let finished = against_serve(None, |addr| async move {
        let (status, body) = get_status(addr, "/api/search?q=%ff%fe%c3%28&type=%00").await;
        assert!(status == 200 || status == 400, "{status} {body}");
        assert!(serde_json::from_str::<serde_json::Value>(&body).is_ok(), "{body}");
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_traversal_reaches_no_file() {
    let finished = against_serve(None, |addr| async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut response = String::new();
        let _ = stream.read_to_string(&mut response).await;
        assert!(!response.contains("root:"), "{response}");
        assert!(response.starts_with("HTTP/1.1 404") || response.starts_with("HTTP/1.1 400"), "{response}");
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_guards_the_api_the_page_and_metrics_but_not_health() {
    let token = "serve-token-abcdefghijklmnop";
    let finished = against_serve(Some(token), |addr| async move {
        let client = reqwest::Client::new();
        for path in ["/api/search?q=huawei", "/", "/metrics"] {
            let response = client.get(format!("http://{addr}{path}")).send().await.unwrap();
            assert_eq!(response.status(), 401, "{path}");
            assert!(error_json(&response.text().await.unwrap()).contains("token"), "{path}");
            let wrong = client
                .get(format!("http://{addr}{path}"))
                .bearer_auth("serve-token-abcdefghijklmnoX")
                .send()
                .await
                .unwrap();
            assert_eq!(wrong.status(), 401, "{path}");
            let right = client.get(format!("http://{addr}{path}")).bearer_auth(token).send().await.unwrap();
            assert_eq!(right.status(), 200, "{path}");
        }
        let metrics = client.get(format!("http://{addr}/metrics")).bearer_auth(token).send().await.unwrap();
        let text = metrics.text().await.unwrap();
        assert!(text.contains("quotewire_http_requests_total{route=\"/api/search\",status=\"401\"}"), "{text}");
        assert!(text.contains("quotewire_store_bytes "), "{text}");
    })
    .await;
    finished.assert_bounded(MAX_RSS_MB, MAX_CPU);
    assert!(!finished.stderr.contains(token), "the token is never logged");
}
