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

    let out = quotewire(dir.path(), &["search", "colour:red"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown field `colour`"), "{}", stderr(&out));

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

#[test]
fn read_commands_on_a_path_without_data_say_so_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("mistyped");
    for args in [&["search", "huawei"][..], &["export"][..], &["status"][..], &["serve", "--bind", "127.0.0.1:0"][..]] {
        let out = quotewire(&missing, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("there is no quotewire data at"), "{args:?}: {}", stderr(&out));
        assert!(!missing.exists(), "{args:?} created the data directory");
    }
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    for args in [&["search", "huawei"][..], &["ingest", "--url", "http://127.0.0.1:9/"][..]] {
        let out = quotewire(&file, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(&format!("{} is a file", file.display())), "{}", stderr(&out));
    }
}

#[test]
fn validate_reports_every_problem_at_its_line_and_checks_paths_as_ingest_will() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "version = 1\nname = \"x\"\n\n[[sources]]\ntype = \"feed\"\nurl = \"http://a.example/rss\"\n\n\
         [[sources]]\ntype = \"dir\"\npath = \"../saved-pages\"\n\n[[sources]]\ntype = \"podcast\"\nurl = \"http://a.example/\"\n",
    )
    .unwrap();
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "version = 1\nname = \"nothing\"\n").unwrap();
    let out = quotewire(dir.path(), &["validate", bad.to_str().unwrap(), empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("line 8: sources[1].path"), "the dir source, at its own entry: {err}");
    assert!(err.contains("line 12: sources[2]") && err.contains("podcast"), "{err}");
    assert!(err.contains("at least one source"), "an empty pipeline fails: {err}");
    assert_eq!(err.matches("error:").count(), 2, "one report per file: {err}");
}

#[test]
fn failures_are_one_line_each_without_colour_and_name_the_real_cause() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://127.0.0.1:{}/story.html", closed_port());
    let out = quotewire(dir.path(), &["ingest", "--url", &url]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line per failure: {err}");
    assert_eq!(err.trim(), format!("warning: ad-hoc: failed: cannot reach {url}: connection refused"));
    assert!(!err.contains('\u{1b}'), "no colour codes into a file: {err:?}");
    // Asked again at once, the URL waits for its retry time and says how to force it.
    let again = quotewire(dir.path(), &["ingest", "--url", &url]);
    let summary = String::from_utf8_lossy(&again.stdout);
    assert!(summary.contains("deferred 1 (failed recently; next try from "), "{summary}");
    assert!(summary.contains("--refetch"), "{summary}");
    let forced = quotewire(dir.path(), &["ingest", "--url", &url, "--refetch"]);
    assert!(String::from_utf8_lossy(&forced.stdout).contains("failed 1"));
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let out = quotewire(dir.path(), &["ingest", "--dir", "tests/fixtures/sites/globe-wire/technology"]);
    assert_eq!(out.status.code(), Some(0));
    for args in [&["search", "stance:deny", "--limit", "100"][..], &["export"][..], &["completions", "bash"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_quotewire"))
            .current_dir(repo())
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // like `| head` exiting at once
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(!err.contains("Broken pipe") && !err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn completions_and_the_man_page_come_from_the_command_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let bash = quotewire(dir.path(), &["completions", "bash"]);
    assert!(bash.status.success());
    let bash = String::from_utf8_lossy(&bash.stdout);
    assert!(bash.contains("reanalyse") && bash.contains("--metrics-bind"), "every command and flag");
    let man = quotewire(dir.path(), &["man"]);
    assert!(man.status.success());
    let man = String::from_utf8_lossy(&man.stdout);
    assert!(man.starts_with(".ie") && man.contains(".SH SUBCOMMANDS") && man.contains("status"), "{man}");
}

#[test]
fn a_port_in_use_is_an_environment_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = quotewire(dir.path(), &["ingest", "--dir", "tests/fixtures/sites/globe-wire/technology"]);
    assert_eq!(out.status.code(), Some(0));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let out = quotewire(dir.path(), &["serve", "--bind", &bind]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("cannot listen on {bind}")), "{}", stderr(&out));
}
