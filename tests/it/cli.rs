//! The command line: exit statuses, error messages, and the commands' outputs.

use std::io::Write;
use std::process::{Command, Stdio};

use quotewire::model::ArticleRecord;

use crate::support::*;

#[test]
fn validate_reports_every_error_with_key_paths_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "version = 1\nname = \"x\"\n[schedule]\nevery = \"often\"\n[[sources]]\ntype = \"feed\"\nurl = \"gopher://x\"\n",
    )
    .unwrap();
    let out = quotewire(dir.path(), &["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("schedule.every") && err.contains("`often`"), "{err}");
    assert!(err.contains("sources[0].url") && err.contains("gopher"), "{err}");

    let ok = quotewire(
        dir.path(),
        &["validate", "pipelines/demo.toml", "pipelines/telecom-security.toml", "config/default.toml"],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

#[test]
fn bad_usage_exits_2_with_a_pointed_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = quotewire(dir.path(), &["search", "colour:red"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown field `colour`"), "{}", stderr(&out));
    let out = quotewire(dir.path(), &["ingest"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nothing to ingest"));
    let out = quotewire(dir.path(), &["ingest", "--feed", "file:///etc/passwd"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unreachable_source_exits_1_after_completing_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}/story.html", closed_port());
    let out = quotewire(dir.path(), &["ingest", "--url", &url]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("failed 1"), "{summary}");
}

#[test]
fn ingest_dir_then_export_jsonl_and_csv_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let out = quotewire(dir.path(), &["ingest", "--dir", "tests/fixtures/sites/globe-wire/technology"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = quotewire(dir.path(), &["export"]);
    assert!(out.status.success());
    let records: Vec<ArticleRecord> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("export lines are article records"))
        .collect();
    assert_eq!(records.len(), 4);
    assert!(records.iter().all(|r| r.url.starts_with("file://")));

    let csv = quotewire(dir.path(), &["export", "--format", "csv", "--query", "speaker:huawei"]);
    assert!(csv.status.success());
    let text = String::from_utf8(csv.stdout).unwrap();
    assert!(text.starts_with("article_id,url,site,title,published"));
    assert!(text.lines().count() > 1, "{text}");

    let hits = quotewire(dir.path(), &["search", "stance:deny", "--type", "quote", "--json"]);
    assert!(hits.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8(hits.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|h| h["type"] == "quote" && h["quote"]["stance"] == "deny"));
}

#[test]
fn analyze_reads_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "analyze"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"{\"id\": 1, \"text\": \"\\\"We have done nothing wrong,\\\" said Anna Berg, a spokeswoman for Northway Mobile.\"}\nnot json\n",
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the bad line is reported");
    assert!(stderr(&out).contains("line 2"));
    let line: serde_json::Value = serde_json::from_str(String::from_utf8(out.stdout).unwrap().trim()).unwrap();
    assert_eq!(line["id"], 1);
    assert_eq!(line["language"], "en");
    assert_eq!(line["quotes"][0]["speaker"], "Anna Berg");
    assert!(line["quotes"][0]["text"].as_str().unwrap().starts_with("We have done nothing wrong"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_runs_pipelines_on_schedule_and_guards_private_addresses() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    let feeds = Arc::new(AtomicUsize::new(0));
    let counter = feeds.clone();
    let router = axum::Router::new().route(
        "/feed.xml",
        axum::routing::get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/rss+xml")],
                    "<rss version=\"2.0\"><channel><title>t</title></channel></rss>",
                )
            }
        }),
    );
    let addr = serve(router).await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, extra: &str| {
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(
            &path,
            format!(
                "version = 1\nname = \"{name}\"\n[schedule]\nevery = \"1s\"\n[[sources]]\ntype = \"feed\"\n\
                 url = \"http://{addr}/feed.xml\"\n[fetch]\nper_host_delay_ms = 0\n{extra}"
            ),
        )
        .unwrap();
        path
    };
    let allowed = write("allowed", "private_addresses = \"allow\"\n");
    let guarded = write("guarded", "");
    let mut child = Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["run", "--pipeline", allowed.to_str().unwrap(), "--pipeline", guarded.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // A fourth request means the third run finished and printed its summary.
    let deadline = Instant::now() + Duration::from_secs(30);
    while feeds.load(Ordering::SeqCst) < 4 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(feeds.load(Ordering::SeqCst) >= 4, "the allowed pipeline ran repeatedly");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().filter(|l| l.starts_with("allowed: fetched")).count() >= 3, "{stdout}");
    // `run` denies loopback unless the pipeline allows it: the guarded pipeline never fetched.
    let guarded_runs: Vec<&str> = stdout.lines().filter(|l| l.starts_with("guarded: ")).collect();
    assert!(!guarded_runs.is_empty(), "{stdout}");
    assert!(guarded_runs.iter().all(|l| l.contains("fetched 0") && l.contains("failed 1")), "{stdout}");
}
