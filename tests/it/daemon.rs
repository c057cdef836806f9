//! The daemon (`quotewire run`): schedules kept across restarts, one catch-up after downtime,
//! a two-step shutdown, metrics behind the token, structured logs.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use quotewire::data_dir::DataDir;
use quotewire::store::{FinishedRun, ScheduleStore};

use crate::child::{self, quotewire};
use crate::faults::assert_store_and_index_agree;
use crate::support::*;

/// A feed with one item; counts the requests for the feed.
fn counted_feed() -> (axum::Router, Arc<AtomicUsize>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    let router = axum::Router::new()
        .route(
            "/feed.xml",
            axum::routing::get(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/rss+xml")],
                        "<rss version=\"2.0\"><channel><title>t</title><item><link>/a/1.html</link></item></channel></rss>",
                    )
                }
            }),
        )
        .route("/a/{n}", axum::routing::get(|| async { html(article_page(1)) }));
    (router, requests)
}

async fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn stop(daemon: Child, signal: i32) -> child::Finished {
    child::send(&daemon, signal);
    tokio::task::spawn_blocking(move || child::wait_measured(daemon, Instant::now(), Duration::from_secs(60)))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_downtime_a_missed_run_is_caught_up_once_and_the_schedule_survives_restarts() {
    let (router, requests) = counted_feed();
    let addr = serve(router).await;
    let Setup { data, pipeline, dir: _dir } =
        one_source("hourly", "every = \"1h\"", "feed", &format!("http://{addr}/feed.xml"), "");
    // The last run started five hours ago: five slots were missed while nothing ran.
    {
        let mut store = DataDir::new(&data).open_store_for_writing().unwrap();
        let long_ago = (Utc::now() - chrono::Duration::hours(5)).to_rfc3339();
        store.run_started("hourly", &long_ago).unwrap();
        let finished =
            FinishedRun { ended_at: &long_ago, outcome: "ok", summary: "", stats_json: "{}", completed: true };
        store.run_finished("hourly", &finished).unwrap();
    }
    let spawn = || {
        quotewire(&data)
            .args(["run", "--pipeline"])
            .arg(&pipeline)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let daemon = spawn();
    wait_for("the catch-up run", Duration::from_secs(60), || requests.load(Ordering::SeqCst) >= 1).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(requests.load(Ordering::SeqCst), 1, "one catch-up run, not one per missed slot");
    let run = DataDir::new(&data).open_store().unwrap().pipeline_run("hourly").unwrap().unwrap();
    let next = chrono::DateTime::parse_from_rfc3339(run.next_run.as_deref().unwrap()).unwrap();
    let wait = next.with_timezone(&Utc) - Utc::now();
    assert!(wait > chrono::Duration::minutes(55) && wait <= chrono::Duration::minutes(65), "next run in {wait}");
    assert_eq!(stop(daemon, libc::SIGTERM).await.code, Some(0));

    // A restart keeps the schedule: the next run is still an hour away.
    let daemon = spawn();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(requests.load(Ordering::SeqCst), 1, "a restart does not run a pipeline that is not due");
    assert_eq!(stop(daemon, libc::SIGTERM).await.code, Some(0));
    assert_store_and_index_agree(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_signal_drains_and_commits_within_the_grace_period_and_a_second_exits_at_once() {
    const PAGES: usize = 60;
    let (router, served) = article_site(PAGES, Duration::from_millis(400));
    let addr = serve(router).await;
    let Setup { data, pipeline, dir } =
        one_source("slow", "", "sitemap", &format!("http://{addr}/sitemap.xml"), "per_host_concurrency = 4\n");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[run]\nshutdown_grace_secs = 2\n").unwrap();
    let spawn = || {
        quotewire(&data)
            .arg("--config")
            .arg(&config)
            .args(["run", "--pipeline"])
            .arg(&pipeline)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };

    let daemon = spawn();
    wait_for("a few pages", Duration::from_secs(60), || served.load(Ordering::SeqCst) >= 8).await;
    let stopped = stop(daemon, libc::SIGTERM).await;
    assert_eq!(stopped.code, Some(0), "{stopped:#?}");
    assert!(stopped.wall < Duration::from_secs(10), "stopped within the 2 s grace: {:?}", stopped.wall);
    let stored = assert_store_and_index_agree(&data);
    assert!((1..PAGES).contains(&stored), "stopped mid-run with {stored} pages stored and indexed");

    let daemon = spawn();
    let before = served.load(Ordering::SeqCst);
    wait_for("more pages", Duration::from_secs(60), || served.load(Ordering::SeqCst) >= before + 4).await;
    child::send(&daemon, libc::SIGTERM);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let forced = stop(daemon, libc::SIGINT).await;
    assert_eq!(forced.code, Some(130), "{forced:#?}");
    assert!(forced.wall < Duration::from_secs(2), "the second signal exits at once: {:?}", forced.wall);
    // Nothing is corrupt; the next start catches the index up with the store.
    let mut once = quotewire(&data);
    once.args(["run", "--once", "--pipeline"]).arg(&pipeline);
    let finished = tokio::task::spawn_blocking(move || child::run(once, Duration::from_secs(300))).await.unwrap();
    assert_eq!(finished.code, Some(0), "{finished:#?}");
    assert_eq!(assert_store_and_index_agree(&data), PAGES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_behind_the_token_and_logs_can_be_json() {
    let (router, _) = counted_feed();
    let addr = serve(router).await;
    let Setup { data, pipeline, dir: _dir } =
        one_source("observed", "every = \"1h\"", "feed", &format!("http://{addr}/feed.xml"), "");
    let token = "metrics-token-0123456789abcdef";
    let mut daemon = quotewire(&data)
        .args(["--log-format", "json", "run", "--metrics-bind", "127.0.0.1:0", "--pipeline"])
        .arg(&pipeline)
        .env("QUOTEWIRE_TOKEN", token)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    let stderr = daemon.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut lines = Vec::new();
    let mut metrics_url = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    while metrics_url.is_none() || !lines.iter().any(|l: &String| l.contains("fetched 1") || l.contains("next run at"))
    {
        assert!(Instant::now() < deadline, "no metrics address in {lines:#?}");
        let Ok(line) = lines_rx.recv_timeout(Duration::from_millis(200)) else { continue };
        let event: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(event["level"].is_string(), "{line}");
        if let Some(url) = event["message"].as_str().and_then(|m| m.strip_prefix("metrics at ")) {
            metrics_url = Some(url.to_string());
        }
        lines.push(line);
    }
    let metrics_url = metrics_url.unwrap();
    assert!(!lines.iter().any(|l| l.contains(token)), "the token is never logged");
    let client = reqwest::Client::new();
    wait_for_feed_run(&data).await;

    let denied = client.get(&metrics_url).send().await.unwrap();
    assert_eq!(denied.status(), 401);
    assert!(denied.headers().contains_key("www-authenticate"));
    let body: serde_json::Value = serde_json::from_str(&denied.text().await.unwrap()).unwrap();
    assert!(body["error"].as_str().unwrap().contains("Bearer"), "{body}");
    let wrong = client.get(&metrics_url).bearer_auth("metrics-token-0123456789abcdeX").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let health = client.get(metrics_url.replace("/metrics", "/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "/healthz stays open");
    let metrics = client.get(&metrics_url).bearer_auth(token).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = metrics.text().await.unwrap();
    for expected in [
        "quotewire_fetches_total{outcome=\"fetched\"}",
        "quotewire_fetch_duration_seconds_bucket{le=\"+Inf\"}",
        "quotewire_pages_total{kind=\"news\"} 1",
        "quotewire_quotes_total{stance=",
        "quotewire_runs_total{pipeline=\"observed\",outcome=\"ok\"} 1",
        "quotewire_last_success_timestamp_seconds{pipeline=\"observed\"}",
        "quotewire_index_lag_documents",
        "quotewire_fetches_in_flight",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
    assert_eq!(stop(daemon, libc::SIGTERM).await.code, Some(0));
}

async fn wait_for_feed_run(data: &std::path::Path) {
    let data = data.to_path_buf();
    wait_for("the first run to be recorded", Duration::from_secs(60), || {
        DataDir::new(&data)
            .open_store()
            .ok()
            .and_then(|s| s.pipeline_run("observed").ok().flatten())
            .is_some_and(|r| r.last_success.is_some())
    })
    .await;
}
