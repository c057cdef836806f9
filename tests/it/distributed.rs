//! Distributed runs: `quotewire enqueue` and four `quotewire worker` processes against one
//! throwaway PostgreSQL and a loopback site of 2,000 pages over 20 hosts (127.0.0.1 to
//! 127.0.0.20), two workers killed mid-run.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use quotewire::postgres::throwaway;
use quotewire::store::{DocumentStore, PostgresStore};

use crate::support::{article_page, write_pipeline};

const HOSTS: usize = 20;
const PAGES_PER_HOST: usize = 100;
/// The per-host interval the pipeline asks for (`fetch.per_host_delay_ms`).
const INTERVAL: Duration = Duration::from_millis(30);

/// One request as the server saw it: host, path, when its handler started.
#[derive(Debug, Clone)]
struct Seen {
    host: usize,
    path: String,
    at: Instant,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// Host `h`'s site: a feed of its pages, the pages, and a robots.txt allowing everything.
fn host_site(h: usize, addr: SocketAddr, log: Log) -> Router {
    let record = move |path: String| {
        log.lock().unwrap().push(Seen { host: h, path, at: Instant::now() });
    };
    let (r1, r2, r3) = (record.clone(), record.clone(), record);
    Router::new()
        .route(
            "/robots.txt",
            axum::routing::get(move || {
                r1("/robots.txt".into());
                async { "User-agent: *\nAllow: /\n" }
            }),
        )
        .route(
            "/feed.xml",
            axum::routing::get(move || {
                r2("/feed.xml".into());
                let items: String = (0..PAGES_PER_HOST)
                    .map(|k| {
                        let n = h * PAGES_PER_HOST + k;
                        format!("<item><title>Report {n}</title><link>http://{addr}/a/{n}.html</link></item>")
                    })
                    .collect();
                let body = format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Host {h}</title>{items}</channel></rss>"#
                );
                async move { ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response() }
            }),
        )
        .route(
            "/a/{file}",
            axum::routing::get(move |axum::extract::Path(file): axum::extract::Path<String>| {
                r3(format!("/a/{file}"));
                let n: usize = file.trim_end_matches(".html").parse().unwrap_or(0);
                async move { ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], article_page(n)).into_response() }
            }),
        )
}

/// The `quotewire` binary from the repository root, without a developer's configuration.
pub(crate) fn quotewire() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quotewire"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("QUOTEWIRE_CONFIG")
        .env("XDG_CONFIG_HOME", "/nonexistent")
        .env_remove("QUOTEWIRE_LOG");
    command
}

fn worker(store: &str, pipeline: &Path, dir: &Path, n: usize) -> Child {
    let log = std::fs::File::create(dir.join(format!("worker-{n}.log"))).unwrap();
    quotewire()
        .args(["worker", "--once", "--concurrency", "8", "--lease-seconds", "3", "--store", store, "--pipeline"])
        .arg(pipeline)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn articles_requested(log: &Log) -> usize {
    log.lock().unwrap().iter().filter(|s| s.path.starts_with("/a/")).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_workers_two_killed_store_every_page_once_and_keep_each_hosts_interval() {
    let Some(store_url) = throwaway::test_database("distributed four workers") else { return };
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let mut sources = String::new();
    for h in 0..HOSTS {
        let ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + h as u8));
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = host_site(h, addr, log.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        sources.push_str(&format!("[[sources]]\ntype = \"feed\"\nurl = \"http://{addr}/feed.xml\"\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let pipeline = write_pipeline(
        dir.path(),
        "fleet",
        &sources,
        &format!("per_host_delay_ms = {}\nretries = 0", INTERVAL.as_millis()),
    );

    let queued = quotewire().args(["enqueue", "--store", &store_url, "--pipeline"]).arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&queued.stdout);
    assert!(queued.status.success(), "{said}{}", String::from_utf8_lossy(&queued.stderr));
    assert!(said.contains("queued 20 job(s) (20 feed(s)"), "{said}");

    let mut workers: Vec<Child> = (0..4).map(|n| worker(&store_url, &pipeline, dir.path(), n)).collect();
    // Kill two workers once a fifth of the pages were asked for: each holds jobs in flight.
    let started = Instant::now();
    while articles_requested(&log) < 400 {
        assert!(started.elapsed() < Duration::from_secs(120), "the workers fetched too little: {:?}", workers);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for child in &mut workers[..2] {
        child.kill().unwrap(); // SIGKILL: no clean-up, its leases must run out
        child.wait().unwrap();
    }
    let killed_at = articles_requested(&log);
    workers.push(worker(&store_url, &pipeline, dir.path(), 4));
    let survivors: Vec<Child> = workers.drain(2..).collect();
    let outputs: Vec<_> =
        tokio::task::spawn_blocking(move || survivors.into_iter().map(|c| c.wait_with_output().unwrap()).collect())
            .await
            .unwrap();
    for (n, output) in outputs.iter().enumerate() {
        let stderr = std::fs::read_to_string(dir.path().join(format!("worker-{}.log", n + 2))).unwrap_or_default();
        assert!(
            output.status.success(),
            "worker {} failed: {}{stderr}",
            n + 2,
            String::from_utf8_lossy(&output.stdout)
        );
    }
    assert!(killed_at < HOSTS * PAGES_PER_HOST, "the workers were killed after the run ended");

    // Stored exactly once: 2,000 articles, and the store's sequence (one number per article
    // write) says 2,000 writes: no page was stored twice, none is missing.
    let store = PostgresStore::open(&store_url).unwrap();
    let counts = store.counts().unwrap();
    assert_eq!(counts.articles, (HOSTS * PAGES_PER_HOST) as u64, "{counts:?}");
    assert_eq!(counts.last_sequence, (HOSTS * PAGES_PER_HOST) as u64, "{counts:?}");

    // The queue: every job done; those claimed more than once were taken back from a killed
    // worker when its lease ran out.
    let client = quotewire::postgres::blocking::connect(&store_url).unwrap().0;
    let rows = quotewire::postgres::blocking::block_on(
        client.query("SELECT url, state, attempts, coalesce(last_error, '') FROM queue_jobs", &[]),
    )
    .unwrap();
    assert_eq!(rows.len(), HOSTS * PAGES_PER_HOST + HOSTS);
    let mut reclaimed = HashSet::new();
    for row in &rows {
        let (url, state, attempts): (String, String, i32) = (row.get(0), row.get(1), row.get(2));
        assert_eq!(state, "done", "{url}: {}", row.get::<_, String>(3));
        if attempts > 1 {
            reclaimed.insert(url.rsplit_once('/').map(|(_, f)| format!("/a/{f}")).unwrap_or(url));
        }
    }
    // At most the jobs the two killed workers held: 8 each.
    assert!(reclaimed.len() <= 16, "{} jobs claimed twice: {reclaimed:?}", reclaimed.len());

    // Fetches per page from the server's side: every page at least once; a page twice only if
    // a killed worker had fetched it and died before storing it (its job was reclaimed).
    let seen = log.lock().unwrap().clone();
    let mut fetches: HashMap<&str, usize> = HashMap::new();
    for s in seen.iter().filter(|s| s.path.starts_with("/a/")) {
        *fetches.entry(&s.path).or_default() += 1;
    }
    assert_eq!(fetches.len(), HOSTS * PAGES_PER_HOST);
    for (path, n) in &fetches {
        assert!(*n == 1 || (*n == 2 && reclaimed.contains(*path)), "{path} fetched {n} times");
    }
    let robots = seen.iter().filter(|s| s.path == "/robots.txt").count();
    // One robots.txt per host per worker process at most (each caches it).
    assert!(robots <= HOSTS * 5, "{robots} robots.txt requests");

    let refetched = fetches.values().filter(|n| **n > 1).count();
    let mut closest = Duration::MAX;
    // Politeness from the server's own clock: on each host, a request follows the one before
    // it by at least the interval, except the request right after a robots.txt (the fetcher
    // reads robots.txt within the job's turn, just before the job's own request).
    for h in 0..HOSTS {
        let mut times: Vec<&Seen> = seen.iter().filter(|s| s.host == h).collect();
        times.sort_by_key(|s| s.at);
        for pair in times.windows(2) {
            if pair[0].path == "/robots.txt" {
                continue;
            }
            let gap = pair[1].at - pair[0].at;
            closest = closest.min(gap);
            assert!(
                gap >= INTERVAL,
                "host {h}: {} then {} only {gap:?} apart (interval {INTERVAL:?})",
                pair[0].path,
                pair[1].path
            );
        }
    }
    eprintln!(
        "killed two workers after {killed_at} page requests; {} jobs reclaimed, {refetched} pages fetched twice, {robots} robots.txt requests; closest requests on a host {closest:?} apart; {:?} in all",
        reclaimed.len(),
        started.elapsed()
    );
    for output in &outputs {
        eprintln!("{}", String::from_utf8_lossy(&output.stdout).trim());
    }
}

#[test]
fn enqueue_and_worker_refuse_the_sqlite_store_and_name_the_embedded_commands() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("store.sqlite").display());
    for args in [
        vec!["enqueue", "--store", &store, "--feed", "http://127.0.0.1:9/feed.xml"],
        vec!["worker", "--store", &store, "--once"],
    ] {
        let output = quotewire().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("needs a PostgreSQL store"), "{stderr}");
        assert!(stderr.contains("quotewire ingest"), "{stderr}");
        assert!(!dir.path().join("store.sqlite").exists(), "nothing is created");
    }
}

/// One loopback host serving `host_site(0)`, and its feed queued as pipeline `name` with
/// `delay_ms` between requests.
struct OneHost {
    log: Log,
    dir: tempfile::TempDir,
    pipeline: std::path::PathBuf,
}

async fn one_host_feed_queued(store_url: &str, name: &str, delay_ms: u64) -> OneHost {
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = host_site(0, addr, log.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let dir = tempfile::tempdir().unwrap();
    let sources = format!("[[sources]]\ntype = \"feed\"\nurl = \"http://{addr}/feed.xml\"\n");
    let pipeline = write_pipeline(dir.path(), name, &sources, &format!("per_host_delay_ms = {delay_ms}"));
    let queued = quotewire().args(["enqueue", "--store", store_url, "--pipeline"]).arg(&pipeline).output().unwrap();
    assert!(queued.status.success(), "{}", String::from_utf8_lossy(&queued.stderr));
    OneHost { log, dir, pipeline }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_stopped_by_sigterm_leaves_the_rest_queued_for_a_worker_keeping_a_local_index() {
    let Some(store_url) = throwaway::test_database("worker sigterm") else { return };
    // One host, 200 ms apart: the run takes 20 s, so the signal comes mid-run.
    let OneHost { log, dir, pipeline } = one_host_feed_queued(&store_url, "slow", 200).await;
    let child = worker(&store_url, &pipeline, dir.path(), 0);
    let started = Instant::now();
    while articles_requested(&log) < 3 {
        assert!(started.elapsed() < Duration::from_secs(60), "no pages fetched");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    let stderr = std::fs::read_to_string(dir.path().join("worker-0.log")).unwrap_or_default();
    assert!(output.status.success(), "{stderr}");
    let fetched = articles_requested(&log);
    assert!(fetched < PAGES_PER_HOST, "the worker did not stop: {fetched} pages");

    // Nothing left running; every fetched page stored; the rest queued for the next worker.
    let client = quotewire::postgres::blocking::connect(&store_url).unwrap().0;
    let rows = quotewire::postgres::blocking::block_on(
        client.query("SELECT state, count(*) FROM queue_jobs WHERE kind = 'page' GROUP BY state", &[]),
    )
    .unwrap();
    let states: HashMap<String, i64> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(states.get("running"), None, "{states:?}");
    assert_eq!(states.get("done").copied().unwrap_or(0) as usize, fetched, "{states:?}");
    assert_eq!(states.get("queued").copied().unwrap_or(0) as usize, PAGES_PER_HOST - fetched, "{states:?}");
    let store = PostgresStore::open(&store_url).unwrap();
    assert_eq!(store.counts().unwrap().articles as usize, fetched);

    // A second worker given a data directory finishes the queue and keeps a local index of
    // the whole store, the first worker's articles included.
    let data = dir.path().join("data");
    let output = quotewire()
        .arg("--data-dir")
        .arg(&data)
        .args(["worker", "--once", "--store", &store_url, "--pipeline"])
        .arg(&pipeline)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains(&format!("{PAGES_PER_HOST} article(s) indexed")), "{said}");
    let index =
        quotewire::index::SearchIndex::open_existing(&quotewire::data_dir::DataDir::new(&data).index_path()).unwrap();
    assert_eq!(index.indexed_through().unwrap(), Some(PAGES_PER_HOST as u64));

    // `reindex --store URL --data-dir DIR` builds the same index from PostgreSQL.
    let rebuilt = dir.path().join("rebuilt");
    let output = quotewire().arg("--data-dir").arg(&rebuilt).args(["reindex", "--store", &store_url]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains(&format!("reindexed {PAGES_PER_HOST} articles")), "{said}");
    let index = quotewire::index::SearchIndex::open_existing(&quotewire::data_dir::DataDir::new(&rebuilt).index_path())
        .unwrap();
    assert_eq!(index.indexed_through().unwrap(), Some(PAGES_PER_HOST as u64));
    assert!(!rebuilt.join("store.sqlite").exists(), "no SQLite store is made beside a PostgreSQL one");

    // `export` and `status` read the shared store (and the queue) with --store.
    let run = |args: &[&str]| {
        let output = quotewire().arg("--data-dir").arg(&rebuilt).args(args).output().unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let exported = run(&["export", "--store", &store_url]);
    assert_eq!(exported.lines().count(), PAGES_PER_HOST, "{exported}");
    let quotes = run(&["export", "--store", &store_url, "--type", "quote", "--query", "Ortiz"]);
    assert!(quotes.lines().count() >= PAGES_PER_HOST, "{quotes}");
    let status: serde_json::Value = serde_json::from_str(&run(&["status", "--store", &store_url, "--json"])).unwrap();
    assert_eq!(status["store"]["articles"], PAGES_PER_HOST as u64, "{status}");
    assert_eq!(status["queue"]["done"], PAGES_PER_HOST as u64 + 1, "{status}");
    assert_eq!(status["queue"]["running"], 0, "{status}");
    assert_eq!(status["not_indexed"], 0, "{status}");
    assert!(!status["store_url"].as_str().unwrap().is_empty());
}

/// A newsroom's site: a home page naming its feed (`<link rel=alternate>`), the feed (three
/// articles), a listing of two pages joined by a next link (four more), a sitemap index of
/// two sitemaps (two more), the articles.
fn newsroom(addr: SocketAddr, log: Log) -> Router {
    let record = move |path: String| log.lock().unwrap().push(Seen { host: 0, path, at: Instant::now() });
    let html = |body: String| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    let xml = |body: String| ([(header::CONTENT_TYPE, "application/xml")], body).into_response();
    let listing = |articles: [usize; 2], next: &str| {
        let items: String =
            articles.iter().map(|n| format!(r#"<li><a href="/a/{n}.html">Report {n}</a></li>"#)).collect();
        format!(r#"<html><body><ul class="news">{items}</ul>{next}<a href="/about">About us</a></body></html>"#)
    };
    let pages = Arc::new(move |path: String| {
        record(path.clone());
        match path.as_str() {
            "/" => html(
                r#"<html><head><title>Newsroom</title><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>News</body></html>"#.into(),
            ),
            "/feed.xml" => {
                let items: String = (1..=3)
                    .map(|n| format!("<item><title>Report {n}</title><link>http://{addr}/a/{n}.html</link></item>"))
                    .collect();
                let body = format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{items}</channel></rss>"#);
                ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
            }
            "/news" => html(listing([4, 5], r#"<a class="next" href="/news/2">Older</a>"#)),
            "/news/2" => html(listing([6, 7], "")),
            "/sitemap.xml" => {
                let children: String =
                    (1..=2).map(|k| format!("<sitemap><loc>http://{addr}/sitemaps/{k}.xml</loc></sitemap>")).collect();
                xml(format!(r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}</sitemapindex>"#))
            }
            child if child.starts_with("/sitemaps/") => {
                let n = if child == "/sitemaps/1.xml" { 8 } else { 9 };
                xml(format!(r#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://{addr}/a/{n}.html</loc></url></urlset>"#))
            }
            article if article.starts_with("/a/") => {
                let n: usize = article.trim_start_matches("/a/").trim_end_matches(".html").parse().unwrap_or(0);
                html(article_page(n))
            }
            _ => axum::http::StatusCode::NOT_FOUND.into_response(),
        }
    });
    Router::new().fallback(move |uri: axum::http::Uri| {
        let pages = pages.clone();
        async move { pages(uri.path().to_string()) }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipeline_with_a_site_a_listing_and_a_sitemap_index_is_queued_and_the_workers_store_every_article_once() {
    let Some(store_url) = throwaway::test_database("distributed site and listing") else { return };
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = newsroom(addr, log.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let dir = tempfile::tempdir().unwrap();
    let sources = format!(
        "[[sources]]\ntype = \"site\"\nurl = \"http://{addr}/\"\n\n[[sources]]\ntype = \"listing\"\nurl = \"http://{addr}/news\"\nlinks = \"ul.news a\"\nnext = \"a.next\"\nmax_pages = 5\n\n[[sources]]\ntype = \"sitemap\"\nurl = \"http://{addr}/sitemap.xml\"\n"
    );
    // One host, its requests 150 ms apart: a site or listing job's own requests too.
    let interval = Duration::from_millis(150);
    let pipeline =
        write_pipeline(dir.path(), "newsroom", &sources, &format!("per_host_delay_ms = {}", interval.as_millis()));

    let queued = quotewire().args(["enqueue", "--store", &store_url, "--pipeline"]).arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&queued.stdout);
    assert!(queued.status.success(), "{said}{}", String::from_utf8_lossy(&queued.stderr));
    assert!(said.contains("queued 3 job(s) (0 feed(s), 1 sitemap(s), 1 site(s), 1 listing(s), 0 page(s)"), "{said}");

    // Two workers at once, as a fleet would run them.
    let workers: Vec<Child> = (0..2).map(|n| worker(&store_url, &pipeline, dir.path(), n)).collect();
    let outputs: Vec<_> =
        tokio::task::spawn_blocking(move || workers.into_iter().map(|c| c.wait_with_output().unwrap()).collect())
            .await
            .unwrap();
    let mut done = 0;
    for (n, output) in outputs.iter().enumerate() {
        let stderr = std::fs::read_to_string(dir.path().join(format!("worker-{n}.log"))).unwrap_or_default();
        assert!(output.status.success(), "worker {n} failed: {}{stderr}", String::from_utf8_lossy(&output.stdout));
        let said = String::from_utf8_lossy(&output.stdout);
        let jobs = said.split("jobs: ").nth(1).and_then(|rest| rest.split(' ').next()).unwrap_or("0");
        done += jobs.parse::<usize>().unwrap_or(0);
    }
    assert_eq!(done, 12, "three discovery jobs and nine pages");

    // Every article stored once: nine articles in nine writes.
    let store = PostgresStore::open(&store_url).unwrap();
    let counts = store.counts().unwrap();
    assert_eq!((counts.articles, counts.last_sequence), (9, 9), "{counts:?}");

    // The queue: the site, the listing, the sitemap and the nine pages they found, all done.
    let client = quotewire::postgres::blocking::connect(&store_url).unwrap().0;
    let rows = quotewire::postgres::blocking::block_on(
        client.query("SELECT kind, state, count(*) FROM queue_jobs GROUP BY kind, state ORDER BY kind", &[]),
    )
    .unwrap();
    let jobs: Vec<(String, String, i64)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    let expected = [("listing", "done", 1), ("page", "done", 9), ("site", "done", 1), ("sitemap", "done", 1)];
    assert_eq!(jobs, expected.map(|(k, s, n)| (k.to_string(), s.to_string(), n)));

    // From the server's side: the home page, the feed, both listing pages and the three
    // sitemaps read once each (the about page never: it is no article link), every article
    // fetched exactly once.
    let seen = log.lock().unwrap().clone();
    let mut fetches: HashMap<&str, usize> = HashMap::new();
    for s in &seen {
        *fetches.entry(&s.path).or_default() += 1;
    }
    for path in ["/", "/feed.xml", "/news", "/news/2", "/sitemap.xml", "/sitemaps/1.xml", "/sitemaps/2.xml"] {
        assert_eq!(fetches.get(path), Some(&1), "{path}: {fetches:?}");
    }
    assert_eq!(fetches.get("/about"), None);
    for n in 1..=9 {
        assert_eq!(fetches.get(format!("/a/{n}.html").as_str()), Some(&1), "article {n}: {fetches:?}");
    }
    // Politeness on the server's clock, across both workers and within the discovery jobs
    // (home page then feed, listing page then the next, sitemap index then its children), a robots.txt read just before the
    // request it is for excepted as in the fleet test above.
    let mut times: Vec<&Seen> = seen.iter().collect();
    times.sort_by_key(|s| s.at);
    for pair in times.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            pair[0].path == "/robots.txt" || gap >= interval,
            "{} then {} only {gap:?} apart (interval {interval:?})",
            pair[0].path,
            pair[1].path
        );
    }

    // A site given on the command line is queued as `ingest --site` would run it.
    let home = format!("http://{addr}/");
    let queued = quotewire().args(["enqueue", "--store", &store_url, "--site", &home]).output().unwrap();
    let said = String::from_utf8_lossy(&queued.stdout);
    assert!(queued.status.success(), "{said}{}", String::from_utf8_lossy(&queued.stderr));
    assert!(said.contains("queued 1 job(s) (0 feed(s), 0 sitemap(s), 1 site(s), 0 listing(s)"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_lived_workers_run_state_is_renewed_and_its_counts_still_add_up() {
    let Some(store_url) = throwaway::test_database("distributed renewed run state") else { return };
    let OneHost { log, pipeline, dir: _dir } = one_host_feed_queued(&store_url, "renewed", 0).await;

    // The feed and its 100 pages: 101 jobs, a fresh run state every 10 of them.
    let output = tokio::task::spawn_blocking(move || {
        quotewire()
            .args(["worker", "--once", "--concurrency", "4", "--renew-after-jobs", "10", "--store", &store_url])
            .arg("--pipeline")
            .arg(&pipeline)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{said}{}", String::from_utf8_lossy(&output.stderr));
    assert!(said.contains(&format!("jobs: {} done", PAGES_PER_HOST + 1)), "{said}");
    assert!(said.contains("; 11 run state(s);"), "{said}");
    // The counts of the ten retired run states and the last one: every article, once.
    assert!(said.contains(&format!(", articles {PAGES_PER_HOST},")), "{said}");
    let requested = articles_requested(&log);
    assert_eq!(requested, PAGES_PER_HOST, "every page fetched once");
}
