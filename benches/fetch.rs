//! Fetch + store throughput: 10,000 pages over 100 loopback hosts, per-host limits disabled
//! vs enabled, in one run. Reports pages per second (wall) and the peak resident memory of the
//! fetching process (the servers run in a child process so they are not counted).
//!
//! Hosts are 127.0.0.1 … 127.0.0.100 (all loopback on Linux), one port each, each serving 100
//! article pages of about 12 KB. The measured path is the product's own: `Fetcher` (robots.txt,
//! politeness, capped streaming bodies) and `SqliteStore::put_page` (compressed raw page,
//! validators, hash), one writer thread fed by a bounded channel.
//!
//! Run: `cargo bench --bench fetch` (options after `--`: `--pages-per-host N`, `--hosts N`,
//! `--concurrency N`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use quotewire::config::{Config, FetchConfig, PrivateAddresses};
use quotewire::fetch::{Expect, FetchOutcome, Fetcher, Validators};
use quotewire::pipeline::content_hash;
use quotewire::store::{CacheValidators, DocumentStore, RawPage, SqliteStore};
use url::Url;

const DEFAULT_HOSTS: usize = 100;
const DEFAULT_PAGES_PER_HOST: usize = 100;
/// Pages queued for the store writer; fetchers wait when it is full.
const STORE_CHANNEL_CAPACITY: usize = 256;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn page(host: usize, n: usize) -> String {
    let paragraph = "Operators said the new rules would require them to replace equipment in hundreds of \
        sites over the next three years, and regulators promised a fund to cover part of the cost. ";
    format!(
        "<!doctype html><html><head><title>Story {host}-{n}</title></head><body><article><h1>Story {host}-{n}</h1>{}\
         </article></body></html>",
        (0..60).map(|i| format!("<p>{i}. {paragraph}</p>")).collect::<String>()
    )
}

/// Child process: serve `hosts` loopback hosts; print each base URL, then wait for stdin EOF.
fn serve(hosts: usize, pages: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async move {
        for h in 0..hosts {
            let ip = format!("127.0.0.{}", h + 1);
            let listener = tokio::net::TcpListener::bind((ip.as_str(), 0)).await.unwrap();
            let addr = listener.local_addr().unwrap();
            let bodies: Arc<Vec<String>> = Arc::new((0..pages).map(|n| page(h, n)).collect());
            let app = axum::Router::new().route(
                "/p/{n}",
                axum::routing::get(move |axum::extract::Path(n): axum::extract::Path<usize>| {
                    let bodies = bodies.clone();
                    async move {
                        let body = bodies.get(n).cloned().unwrap_or_default();
                        ([(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
                    }
                }),
            );
            tokio::spawn(async move { axum::serve(listener, app).await });
            println!("http://{addr}");
        }
        println!("ready");
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin().read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {}
        })
        .await
        .ok();
    });
}

/// Resets the kernel's peak-RSS counter (Linux >= 4.0) so each phase reports its own peak.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

struct Outcome {
    pages: usize,
    seconds: f64,
    peak_rss_mb: f64,
}

fn measure(urls: &[Url], config: &FetchConfig) -> Outcome {
    reset_peak_rss();
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("store.sqlite")).unwrap();
    let (tx, rx) =
        std::sync::mpsc::sync_channel::<(String, Vec<u8>, Option<String>, Validators)>(STORE_CHANNEL_CAPACITY);
    let writer = std::thread::spawn(move || {
        let mut n = 0;
        for (url, body, content_type, validators) in rx {
            let hash = content_hash(&body);
            store
                .put_page(&RawPage {
                    url: &url,
                    final_url: &url,
                    content_type: content_type.as_deref(),
                    body: &body,
                    validators: &CacheValidators { etag: validators.etag, last_modified: validators.last_modified },
                    content_hash: &hash,
                    fetched_at: "2024-01-01T00:00:00Z",
                })
                .unwrap();
            n += 1;
        }
        n
    });
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let started = Instant::now();
    runtime.block_on(async {
        let fetcher = Fetcher::new(config).unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        let limit = config.concurrency * 2;
        for url in urls {
            while tasks.len() >= limit {
                tasks.join_next().await;
            }
            let (fetcher, tx, url) = (fetcher.clone(), tx.clone(), url.clone());
            tasks.spawn(async move {
                match fetcher.fetch(&url, &Validators::default(), Expect::Html).await {
                    Ok(FetchOutcome::Fetched(page)) => {
                        let tx = tx.clone();
                        let item = (url.to_string(), page.body, page.content_type, page.validators);
                        tokio::task::spawn_blocking(move || tx.send(item)).await.ok();
                    }
                    other => panic!("{url}: {other:?}"),
                }
            });
        }
        while tasks.join_next().await.is_some() {}
    });
    drop(tx);
    let pages = writer.join().unwrap();
    Outcome { pages, seconds: started.elapsed().as_secs_f64(), peak_rss_mb: peak_rss_mb() }
}

fn main() {
    let hosts = arg("--hosts", DEFAULT_HOSTS).clamp(1, 250);
    let pages = arg("--pages-per-host", DEFAULT_PAGES_PER_HOST).max(1);
    let concurrency = arg("--concurrency", 64).max(1);
    if std::env::args().any(|a| a == "--serve") {
        serve(hosts, pages);
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args(["--serve", "--hosts", &hosts.to_string(), "--pages-per-host", &pages.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut bases = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line == "ready" {
            break;
        }
        bases.push(line);
    }
    // Interleave hosts, as discovery over many feeds does.
    let urls: Vec<Url> =
        (0..pages).flat_map(|n| bases.iter().map(move |b| Url::parse(&format!("{b}/p/{n}")).unwrap())).collect();

    let mut unlimited = Config::default().fetch;
    unlimited.per_host_delay = Duration::ZERO;
    unlimited.per_host_concurrency = concurrency;
    unlimited.per_domain_requests_per_second = 0;
    unlimited.concurrency = concurrency;
    unlimited.retries = 0;
    unlimited.private_addresses = PrivateAddresses::Allow;
    let mut limited = unlimited.clone();
    limited.per_host_concurrency = 1;
    limited.per_domain_requests_per_second = 20;

    println!("fetch+store: {} pages over {hosts} loopback hosts, {concurrency} in flight", urls.len());
    let mut results = Vec::new();
    for (name, config) in [("limits disabled", &unlimited), ("limits enabled (1/host, 20 req/s/domain)", &limited)] {
        let o = measure(&urls, config);
        assert_eq!(o.pages, urls.len());
        println!(
            "  {name:<42} {:>8.0} pages/s  {:>6.2} s  peak RSS {:>6.1} MB",
            o.pages as f64 / o.seconds,
            o.seconds,
            o.peak_rss_mb
        );
        results.push(o);
    }
    println!(
        "  ratio disabled/enabled: {:.2}x",
        (results[0].pages as f64 / results[0].seconds) / (results[1].pages as f64 / results[1].seconds)
    );
    drop(child.stdin.take());
    let _ = child.wait();
}
