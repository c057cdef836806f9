//! End to end, pages per second: `quotewire ingest` (the embedded single process: SQLite and
//! local tantivy) against `quotewire enqueue` and 4 `quotewire worker --once` processes
//! (one throwaway PostgreSQL), on the same loopback site: `--pages` article pages over
//! `--hosts` hosts (127.0.0.1 upwards), one RSS feed per host, no per-host interval, so the
//! figure is the pipeline's own cost. Side by side in one run, each `--rounds` times; the
//! median wall time of each is printed with pages/s and the ratio.
//!
//! ```sh
//! cargo build --release
//! cargo bench --bench distributed                          # 2,000 pages, 20 hosts, 3 rounds
//! cargo bench --bench distributed -- --pages 5000 --hosts 50 --workers 4
//! ```
//!
//! Prints a skip message and exits 0 where no PostgreSQL server binaries are installed.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path as UrlPath;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use quotewire::postgres::throwaway;

// Not every helper is used by every benchmark.
#[allow(dead_code)]
mod common;

struct Options {
    pages: usize,
    hosts: usize,
    rounds: usize,
    workers: usize,
    binary: PathBuf,
}

fn options() -> Options {
    let mut o = Options {
        pages: 2_000,
        hosts: 20,
        rounds: 3,
        workers: 4,
        binary: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/quotewire"),
    };
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    for pair in args.windows(2) {
        let number = || pair[1].parse::<usize>().unwrap_or_else(|_| panic!("{} needs a number", pair[0]));
        match pair[0].as_str() {
            "--pages" => o.pages = number(),
            "--hosts" => o.hosts = number().clamp(1, 250),
            "--rounds" => o.rounds = number().max(1),
            "--workers" => o.workers = number().max(1),
            "--binary" => o.binary = PathBuf::from(&pair[1]),
            _ => {}
        }
    }
    o
}

/// A short news article with one quote.
fn article(n: usize) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><title>Outage report {n}</title></head><body><article>
<h1>Outage report {n}</h1>
<p>Engineers restored service to district {n} late on Monday after a fibre cut left thousands of homes
offline for most of the afternoon, the operator said in a statement.</p>
<p>"Crews worked through the night to reroute traffic," said Lena Ortiz, the operator's head of field operations.</p>
<p>The regulator said it would review the incident as part of its annual resilience report.</p>
</article></body></html>"#
    )
}

/// Host `h` of `hosts`: a feed of its share of the pages, and the pages.
fn host_site(h: usize, hosts: usize, pages: usize, addr: SocketAddr) -> Router {
    let feed: String = (0..pages)
        .filter(|n| n % hosts == h)
        .map(|n| format!("<item><title>Report {n}</title><link>http://{addr}/a/{n}.html</link></item>"))
        .collect();
    let feed =
        format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Host {h}</title>{feed}</channel></rss>"#);
    Router::new()
        .route("/robots.txt", get(|| async { "User-agent: *\nAllow: /\n" }))
        .route(
            "/feed.xml",
            get(move || {
                let feed = feed.clone();
                async move { ([(header::CONTENT_TYPE, "application/rss+xml")], feed) }
            }),
        )
        .route(
            "/a/{file}",
            get(|UrlPath(file): UrlPath<String>| async move {
                let n: usize = file.trim_end_matches(".html").parse().unwrap_or(0);
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], article(n)).into_response()
            }),
        )
}

fn quotewire(binary: &Path) -> Command {
    let mut command = Command::new(binary);
    command.env_remove("QUOTEWIRE_CONFIG").env("XDG_CONFIG_HOME", "/nonexistent").env_remove("QUOTEWIRE_LOG");
    command
}

fn must(command: &mut Command, what: &str) -> String {
    let output = command.stderr(Stdio::piped()).output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(output.status.success(), "{what} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    if throwaway::find_binaries().is_none() {
        println!("distributed: skipped: no PostgreSQL server binaries (initdb, postgres)");
        return;
    }
    let o = options();
    assert!(o.binary.is_file(), "{} is missing: run `cargo build --release` first", o.binary.display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut sources = String::new();
    for h in 0..o.hosts {
        let ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + h as u8));
        let listener = runtime.block_on(tokio::net::TcpListener::bind(SocketAddr::new(ip, 0))).unwrap();
        let addr = listener.local_addr().unwrap();
        let router = host_site(h, o.hosts, o.pages, addr);
        runtime.spawn(async move { axum::serve(listener, router).await });
        sources.push_str(&format!("[[sources]]\ntype = \"feed\"\nurl = \"http://{addr}/feed.xml\"\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("bench.toml");
    std::fs::write(
        &pipeline,
        format!(
            "version = 1\nname = \"bench\"\n{sources}\n[fetch]\nper_host_delay_ms = 0\nper_domain_requests_per_second = 0\nprivate_addresses = \"allow\"\nretries = 0\n"
        ),
    )
    .unwrap();
    let cluster = throwaway::shared().expect("a PostgreSQL cluster");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "distributed: {} pages over {} hosts, {} rounds, {} workers, {} CPUs, load average before: {}",
        o.pages,
        o.hosts,
        o.rounds,
        o.workers,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.trim()
    );
    let (mut embedded, mut fleet) = (Vec::new(), Vec::new());
    for round in 0..o.rounds {
        let data = dir.path().join(format!("embedded-{round}"));
        let started = Instant::now();
        let said = must(
            quotewire(&o.binary).arg("--data-dir").arg(&data).arg("ingest").arg("--pipeline").arg(&pipeline),
            "ingest",
        );
        embedded.push(started.elapsed());
        assert!(said.contains(&format!("articles {}", o.pages)), "ingest stored too little: {said}");

        let store = cluster.create_database(&format!("distributed bench {round}")).unwrap();
        let started = Instant::now();
        must(quotewire(&o.binary).args(["enqueue", "--store", &store, "--pipeline"]).arg(&pipeline), "enqueue");
        let workers: Vec<_> = (0..o.workers)
            .map(|_| {
                quotewire(&o.binary)
                    .args(["worker", "--once", "--concurrency", "8", "--store", &store, "--pipeline"])
                    .arg(&pipeline)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut articles = 0;
        for worker in workers {
            let output = worker.wait_with_output().unwrap();
            assert!(output.status.success(), "worker failed: {}", String::from_utf8_lossy(&output.stderr));
            let said = String::from_utf8_lossy(&output.stdout);
            articles += said
                // ", articles N," and not the "not articles N" before it.
                .split(", articles ")
                .nth(1)
                .and_then(|rest| rest.split(',').next())
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
        }
        fleet.push(started.elapsed());
        assert_eq!(articles, o.pages, "the workers stored {articles} articles");
        println!(
            "  round {}: embedded {:.2} s, {} workers {:.2} s",
            round + 1,
            embedded[round].as_secs_f64(),
            o.workers,
            fleet[round].as_secs_f64()
        );
    }
    let (embedded, fleet) = (median(embedded), median(fleet));
    let rate = |d: Duration| o.pages as f64 / d.as_secs_f64();
    println!(
        "median: embedded `ingest` {:.0} pages/s ({:.2} s); {} workers {:.0} pages/s ({:.2} s); workers/embedded {:.2}",
        rate(embedded),
        embedded.as_secs_f64(),
        o.workers,
        rate(fleet),
        fleet.as_secs_f64(),
        rate(fleet) / rate(embedded)
    );
}
