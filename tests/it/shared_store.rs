//! `--store postgres://...` on every command, through the real binary against a throwaway
//! PostgreSQL and a loopback site: `ingest` stores there, `search`, `export`, `status` and
//! `watch` in other data directories read it (their local index caught up with the store
//! first), and an index that follows one store is never searched as another's.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use quotewire::postgres::throwaway;
use quotewire::store::{DocumentStore, PostgresStore, WatchStore};

use crate::support::{article_page, write_pipeline};

/// A site whose feed lists the first `listed` of its articles (`/a/N.html`).
fn growing_site(listed: Arc<AtomicUsize>) -> Router {
    Router::new()
        .route(
            "/feed.xml",
            axum::routing::get(move || {
                let items: String = (0..listed.load(Ordering::SeqCst))
                    .map(|n| format!("<item><title>Outage report {n}</title><link>/a/{n}.html</link></item>"))
                    .collect();
                let body = format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>"#
                );
                async move { ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response() }
            }),
        )
        .route(
            "/a/{file}",
            axum::routing::get(|axum::extract::Path(file): axum::extract::Path<String>| async move {
                let n: usize = file.trim_end_matches(".html").parse().unwrap_or(0);
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], article_page(n)).into_response()
            }),
        )
}

/// The binary over data directory `data`, without a developer's configuration or store.
fn quotewire(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("QUOTEWIRE_CONFIG")
        .env_remove("QUOTEWIRE_STORE")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// A usage error (exit 2) and its message.
fn usage_error(output: Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    stderr
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_reads_and_writes_the_postgres_store_that_store_names() {
    let Some(store) = throwaway::test_database("every command takes --store") else { return };
    let listed = Arc::new(AtomicUsize::new(3));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = growing_site(listed.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let dir = tempfile::tempdir().unwrap();
    let pipeline = write_pipeline(
        dir.path(),
        "wire",
        &format!("[[sources]]\ntype = \"feed\"\nurl = \"http://{addr}/feed.xml\"\n"),
        "",
    );
    let pipeline = pipeline.to_str().unwrap().to_string();
    let (ingester, reader) = (dir.path().join("ingester"), dir.path().join("reader"));

    let run = {
        let store = store.clone();
        move |data: &Path, args: &[&str]| {
            let mut all = args.to_vec();
            all.extend(["--store", &store]);
            tokio::task::block_in_place(|| quotewire(data, &all))
        }
    };

    // `ingest --store` stores in PostgreSQL; the data directory only holds the index.
    let said = ok(run(&ingester, &["ingest", "--pipeline", &pipeline]));
    assert!(said.contains("wire:"), "{said}");
    let shared = PostgresStore::open(&store).unwrap();
    assert_eq!(shared.counts().unwrap().articles, 3);
    assert!(!ingester.join("store.sqlite").exists(), "no SQLite store beside a PostgreSQL one");

    // `search` in a fresh data directory builds its index from the store first.
    let hits = json_lines(&ok(run(&reader, &["search", "Ortiz", "--type", "quote", "--json"])));
    assert_eq!(hits.len(), 3, "{hits:?}");
    assert!(!reader.join("store.sqlite").exists());
    // The same store given through the environment.
    let from_env = tokio::task::block_in_place(|| {
        Command::new(env!("CARGO_BIN_EXE_quotewire"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("QUOTEWIRE_STORE", &store)
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .arg("--data-dir")
            .arg(&reader)
            .args(["search", "Ortiz", "--type", "quote", "--limit", "0"])
            .output()
            .unwrap()
    });
    assert!(ok(from_env).starts_with("3 matches"));

    // `export` and `status` read the store.
    let exported = json_lines(&ok(run(&reader, &["export"])));
    let mut urls: Vec<String> = exported.iter().map(|a| a["url"].as_str().unwrap().to_string()).collect();
    urls.sort();
    assert_eq!(urls, (0..3).map(|n| format!("http://{addr}/a/{n}.html")).collect::<Vec<_>>());
    let status: serde_json::Value = serde_json::from_str(&ok(run(&reader, &["status", "--json"]))).unwrap();
    assert_eq!(status["store"]["articles"], 3, "{status}");
    assert!(status["store_url"].as_str().is_some_and(|u| u.starts_with("postgres")), "{status}");

    // A watch saved in PostgreSQL reports what is stored after it, once.
    ok(run(&reader, &["watch", "add", "ortiz", "Ortiz"]));
    assert_eq!(shared.watches().unwrap().iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["ortiz"]);
    assert!(ok(run(&reader, &["watch", "run", "ortiz"])).is_empty(), "nothing new yet");
    listed.store(5, Ordering::SeqCst);
    ok(run(&ingester, &["ingest", "--pipeline", &pipeline]));
    assert_eq!(shared.counts().unwrap().articles, 5);
    let news = json_lines(&ok(run(&reader, &["watch", "run", "ortiz"])));
    let mut new_urls: Vec<&str> = news.iter().map(|m| m["url"].as_str().unwrap()).collect();
    new_urls.sort();
    assert_eq!(new_urls, [format!("http://{addr}/a/3.html"), format!("http://{addr}/a/4.html")], "{news:?}");
    assert!(ok(run(&reader, &["watch", "run", "ortiz"])).is_empty(), "reported once");
    let listed_watches = json_lines(&ok(run(&reader, &["watch", "list", "--json"])));
    assert_eq!(listed_watches[0]["name"], "ortiz");

    // The daemon records its runs in the store; `timeline` and `reanalyse` work on it too.
    ok(run(&ingester, &["run", "--pipeline", &pipeline, "--once"]));
    let status: serde_json::Value = serde_json::from_str(&ok(run(&reader, &["status", "--json"]))).unwrap();
    let runs = status["pipelines"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{status}");
    assert_eq!(runs[0]["pipeline"], "wire");
    assert!(runs[0]["last_success"].is_string(), "{status}");
    let timeline: serde_json::Value =
        serde_json::from_str(&ok(run(&reader, &["timeline", "Ortiz", "--by", "year", "--json"]))).unwrap();
    let matches = timeline["total"].as_u64().unwrap() + timeline["undated"].as_u64().unwrap();
    assert_eq!(matches, 5, "{timeline}");
    let said = ok(run(&ingester, &["reanalyse"]));
    assert!(said.starts_with("reanalysed"), "{said}");
    assert!(said.contains("5 unchanged"), "{said}");

    // `serve --store` answers from the store and keeps following it while it serves.
    let served = dir.path().join("served");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("QUOTEWIRE_CONFIG")
        .env_remove("QUOTEWIRE_TOKEN")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .arg("--data-dir")
        .arg(&served)
        .args(["serve", "--bind", &bind, "--store", &store])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    while client.get(format!("http://{bind}/healthz")).send().await.is_err() {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "serve did not start");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let search = async |client: &reqwest::Client| -> serde_json::Value {
        let url = format!("http://{bind}/api/v1/search?q=Ortiz&type=quote");
        serde_json::from_str(&client.get(url).send().await.unwrap().text().await.unwrap()).unwrap()
    };
    let page = search(&client).await;
    assert_eq!(page["total"], 5, "{page}");
    let article_id = page["hits"][0]["article_id"].as_str().unwrap().to_string();
    let article: serde_json::Value = serde_json::from_str(
        &client.get(format!("http://{bind}/api/v1/articles/{article_id}")).send().await.unwrap().text().await.unwrap(),
    )
    .unwrap();
    assert_eq!(article["id"], article_id.as_str(), "{article}");
    assert!(!served.join("store.sqlite").exists(), "the article came from PostgreSQL");
    listed.store(6, Ordering::SeqCst);
    ok(run(&ingester, &["ingest", "--pipeline", &pipeline]));
    let started = std::time::Instant::now();
    while search(&client).await["total"] != 6 {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "serve's index did not follow the store");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    crate::child::send(&server, libc::SIGTERM);
    assert!(tokio::task::block_in_place(|| server.wait()).unwrap().success());

    // An index following this store is not searched as another's, nor as a SQLite store's.
    let Some(other) = throwaway::test_database("every command takes --store, another") else { return };
    let error =
        usage_error(tokio::task::block_in_place(|| quotewire(&reader, &["search", "Ortiz", "--store", &other])));
    assert!(error.contains("follows another store"), "{error}");
    assert!(error.contains("reindex --store"), "{error}");
    let error = usage_error(tokio::task::block_in_place(|| quotewire(&reader, &["search", "Ortiz"])));
    assert!(error.contains("follows the PostgreSQL store") && error.contains("--store"), "{error}");
    // An embedded data directory's index is not taken for the PostgreSQL store's.
    let embedded = dir.path().join("embedded");
    ok(tokio::task::block_in_place(|| quotewire(&embedded, &["ingest", "--pipeline", &pipeline])));
    let error = usage_error(run(&embedded, &["search", "Ortiz"]));
    assert!(error.contains("follows this directory's SQLite store"), "{error}");
    // `reindex --store` makes it that store's index.
    ok(run(&embedded, &["reindex"]));
    let hits = json_lines(&ok(run(&embedded, &["search", "Ortiz", "--type", "quote", "--json"])));
    assert_eq!(hits.len(), 6);
}

#[test]
fn commands_that_read_no_store_refuse_store_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for args in [
        &["validate", "pipelines/example.toml", "--store", "postgres://qw@127.0.0.1:1/quotes"][..],
        &["--store", "sqlite:x.sqlite", "completions", "bash"][..],
        &["extract", "tests/fixtures", "--store", "postgres://qw@127.0.0.1:1/quotes"][..],
    ] {
        let error = usage_error(quotewire(&data, args));
        assert!(error.contains("reads no store"), "{args:?}: {error}");
    }
    // From the environment (set for a whole deployment) it is ignored.
    let output = Command::new(env!("CARGO_BIN_EXE_quotewire"))
        .env("QUOTEWIRE_STORE", "postgres://qw@127.0.0.1:1/quotes")
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    // Another SQLite file than the data directory's is refused before anything is created.
    let error = usage_error(quotewire(&data, &["search", "x", "--store", "sqlite:/tmp/elsewhere.sqlite"]));
    assert!(error.contains("the SQLite store is the one in --data-dir"), "{error}");
    assert!(!data.exists());
}
