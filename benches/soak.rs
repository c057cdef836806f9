//! Soak benchmark: `quotewire run` (the release binary) ingesting a loopback site of 100,000
//! pages across 500 hosts (127.0.0.1 to 127.0.1.244) on a schedule for 30 minutes.
//!
//! Prints, every `--sample-secs`, the articles stored, pages/s since the last sample, resident
//! memory and open file descriptors of the daemon; at the end, the peak memory, the spread
//! of the descriptor count, and whether the store and the index agree.
//!
//! ```sh
//! cargo build --release
//! nice cargo bench --bench soak                                  # the full 30 minutes
//! cargo bench --bench soak -- --pages 5000 --hosts 50 --minutes 3  # a quick look
//! cargo bench --bench soak -- --publish-minutes 25 --every 2m       # pages appear over time
//! ```
//!
//! With `--publish-minutes M` each host's sitemap lists its pages progressively over M
//! minutes, so every scheduled run ingests new pages: memory that stays flat then is flat
//! while the store and the index keep growing, not only between runs that find nothing new.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use quotewire::data_dir::DataDir;
use quotewire::index::{DocType, SearchRequest};
use quotewire::store::DocumentStore;

struct Options {
    pages: usize,
    hosts: usize,
    minutes: u64,
    sample_secs: u64,
    every: String,
    binary: PathBuf,
    publish_minutes: u64,
}

fn options() -> Options {
    let mut o = Options {
        pages: 100_000,
        hosts: 500,
        minutes: 30,
        sample_secs: 60,
        every: "10m".into(),
        binary: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/quotewire"),
        publish_minutes: 0,
    };
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let mut i = 0;
    while i + 1 < args.len() {
        let value = &args[i + 1];
        match args[i].as_str() {
            "--pages" => o.pages = value.parse().expect("--pages N"),
            "--hosts" => o.hosts = value.parse().expect("--hosts N"),
            "--minutes" => o.minutes = value.parse().expect("--minutes N"),
            "--sample-secs" => o.sample_secs = value.parse().expect("--sample-secs N"),
            "--every" => o.every = value.clone(),
            "--binary" => o.binary = PathBuf::from(value),
            "--publish-minutes" => o.publish_minutes = value.parse().expect("--publish-minutes N"),
            _ => {}
        }
        i += 2;
    }
    o
}

/// The `n`th loopback address from 127.0.0.1: 127.0.0.1 .. 127.0.0.255, 127.0.1.0 ...
fn host_ip(n: usize) -> Ipv4Addr {
    let value = u32::from(Ipv4Addr::new(127, 0, 0, 1)) + n as u32;
    Ipv4Addr::from(value)
}

#[derive(Clone)]
struct Host {
    first: usize,
    count: usize,
    /// When the site went up and over how long its pages appear (zero: all at once).
    started: Instant,
    publish: Duration,
}

impl Host {
    /// Pages listed now.
    fn visible(&self) -> usize {
        if self.publish.is_zero() {
            return self.count;
        }
        let share = (self.started.elapsed().as_secs_f64() / self.publish.as_secs_f64()).min(1.0);
        ((self.count as f64 * share).ceil() as usize).min(self.count)
    }
}

const WORDS: [&str; 24] = [
    "regulator",
    "operator",
    "network",
    "outage",
    "spectrum",
    "auction",
    "licence",
    "vendor",
    "security",
    "review",
    "ministry",
    "parliament",
    "court",
    "ruling",
    "fibre",
    "rollout",
    "tariff",
    "consumers",
    "rural",
    "coverage",
    "investment",
    "audit",
    "contract",
    "deadline",
];
const SPEAKERS: [&str; 6] = ["Lena Ortiz", "Anna Berg", "Maria Lopez", "Tomas Novak", "Priya Raman", "Jon Okafor"];

fn article(n: usize) -> String {
    let word = |k: usize| WORDS[(n * 7 + k * 13) % WORDS.len()];
    let speaker = SPEAKERS[n % SPEAKERS.len()];
    let sentences: String = (0..8)
        .map(|k| {
            format!(
                "<p>The {} said the {} {} would follow the {} of {} {}.</p>",
                word(k),
                word(k + 1),
                word(k + 2),
                word(k + 3),
                word(k + 4),
                n + k
            )
        })
        .collect();
    format!(
        "<!doctype html><html lang=\"en\"><head><title>Report {n}: {} {}</title><link rel=\"canonical\" href=\"/a/{n}.html\">\
         <meta property=\"article:published_time\" content=\"2024-{:02}-{:02}T08:00:00Z\"></head><body><article>\
         <h1>Report {n}: {} {}</h1>{sentences}<p>\"We will not accept further delays to the {},\" said {speaker}, a spokeswoman \
         for the {}.</p></article></body></html>",
        word(20),
        word(21),
        n % 12 + 1,
        n % 28 + 1,
        word(20),
        word(21),
        word(5),
        word(9)
    )
}

async fn sitemap(State(host): State<Host>) -> Response {
    let visible = host.visible();
    let urls: String =
        (host.first..host.first + visible).map(|n| format!("<url><loc>/a/{n}.html</loc></url>")).collect();
    (
        [(header::CONTENT_TYPE, "application/xml".to_string()), (header::ETAG, format!("\"sitemap-{visible}\""))],
        format!("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{urls}</urlset>"),
    )
        .into_response()
}

async fn page(UrlPath(file): UrlPath<String>, headers: HeaderMap) -> Response {
    let n: usize = file.trim_end_matches(".html").parse().unwrap_or(0);
    let etag = format!("\"a-{n}\"");
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()), (header::ETAG, etag)], article(n)).into_response()
}

async fn start_hosts(o: &Options) -> Vec<SocketAddr> {
    let per_host = o.pages / o.hosts;
    let (started, publish) = (Instant::now(), Duration::from_secs(o.publish_minutes * 60));
    let mut addrs = Vec::new();
    for h in 0..o.hosts {
        let ip = IpAddr::V4(host_ip(h));
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.expect("loopback address binds");
        addrs.push(listener.local_addr().unwrap());
        let router = Router::new().route("/sitemap.xml", get(sitemap)).route("/a/{file}", get(page)).with_state(Host {
            first: h * per_host,
            count: per_host,
            started,
            publish,
        });
        tokio::spawn(async move { axum::serve(listener, router).await });
    }
    addrs
}

fn write_pipeline(dir: &Path, addrs: &[SocketAddr], every: &str) -> PathBuf {
    let sources: String =
        addrs.iter().map(|a| format!("[[sources]]\ntype = \"sitemap\"\nurl = \"http://{a}/sitemap.xml\"\n")).collect();
    let path = dir.join("soak.toml");
    std::fs::write(
        &path,
        format!(
            "version = 1\nname = \"soak\"\n[schedule]\nevery = \"{every}\"\njitter = \"0s\"\nsource_deadline = \"60m\"\n{sources}\
             [fetch]\nper_host_delay_ms = 0\nper_domain_requests_per_second = 0\nconcurrency = 32\nprivate_addresses = \"allow\"\n"
        ),
    )
    .unwrap();
    path
}

fn proc_status_kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count()).unwrap_or(0)
}

fn stored_articles(data: &Path) -> u64 {
    DataDir::new(data).open_store().ok().and_then(|s| s.counts().ok()).map_or(0, |c| c.articles)
}

fn stop(child: &mut Child) {
    // SAFETY: kill on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let _ = child.wait();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = options();
    assert!(o.binary.is_file(), "{} is missing: run `cargo build --release` first", o.binary.display());
    let addrs = start_hosts(&o).await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let pipeline = write_pipeline(dir.path(), &addrs, &o.every);
    println!(
        "soak: {} pages on {} hosts ({} .. {}), published over {} minutes, schedule every {}, {} minutes, binary {}",
        o.pages / o.hosts * o.hosts,
        o.hosts,
        host_ip(0),
        host_ip(o.hosts - 1),
        o.publish_minutes,
        o.every,
        o.minutes,
        o.binary.display()
    );
    let mut child = Command::new(&o.binary)
        .arg("--data-dir")
        .arg(&data)
        .args(["--log-level", "warn", "run", "--pipeline"])
        .arg(&pipeline)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("quotewire starts");
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("  run: {line}");
        }
    });
    let started = Instant::now();
    let end = started + Duration::from_secs(o.minutes * 60);
    let (mut last_articles, mut last_at) = (0_u64, started);
    let (mut peak_rss_kb, mut fd_min, mut fd_max) = (0_u64, usize::MAX, 0_usize);
    let mut anon_samples_kb: Vec<u64> = Vec::new();
    let mut first_complete: Option<f64> = None;
    // Resident memory splits into anonymous pages (heap, stacks: what the process holds) and
    // file pages (the memory-mapped index segments and binary: page cache the kernel reclaims).
    println!(
        "{:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6}",
        "minutes", "articles", "pages/s", "RSS MB", "anon MB", "file MB", "fds"
    );
    while Instant::now() < end {
        tokio::time::sleep(Duration::from_secs(o.sample_secs).min(end - Instant::now())).await;
        let articles = stored_articles(&data);
        let rss = proc_status_kb(pid, "VmRSS:");
        let anon = proc_status_kb(pid, "RssAnon:");
        let file = proc_status_kb(pid, "RssFile:");
        anon_samples_kb.push(anon);
        peak_rss_kb = peak_rss_kb.max(proc_status_kb(pid, "VmHWM:"));
        let fds = open_fds(pid);
        fd_min = fd_min.min(fds);
        fd_max = fd_max.max(fds);
        let rate = (articles - last_articles.min(articles)) as f64 / last_at.elapsed().as_secs_f64();
        if first_complete.is_none() && articles as usize >= o.pages / o.hosts * o.hosts {
            first_complete = Some(started.elapsed().as_secs_f64());
        }
        println!(
            "{:>8.1} {:>9} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>6}",
            started.elapsed().as_secs_f64() / 60.0,
            articles,
            rate,
            rss as f64 / 1024.0,
            anon as f64 / 1024.0,
            file as f64 / 1024.0,
            fds
        );
        (last_articles, last_at) = (articles, Instant::now());
    }
    stop(&mut child);
    let elapsed = started.elapsed().as_secs_f64();
    let dir_data = DataDir::new(&data);
    let store = dir_data.open_store().expect("store opens");
    let counts = store.counts().unwrap();
    store.check_integrity().expect("store intact");
    let index = dir_data.open_index().expect("index opens");
    let indexed = index.search(&SearchRequest::new("*", Some(DocType::Article), 1)).unwrap().total as u64;
    let through = index.indexed_through().unwrap();
    println!("\nsummary");
    println!("  articles stored: {} of {} pages in {:.0} s", counts.articles, o.pages / o.hosts * o.hosts, elapsed);
    match first_complete {
        Some(t) => println!("  first run complete after {t:.0} s: {:.1} pages/s", counts.articles as f64 / t),
        None => println!("  overall: {:.1} pages/s (the first run did not finish)", counts.articles as f64 / elapsed),
    }
    println!("  peak RSS: {:.1} MB", peak_rss_kb as f64 / 1024.0);
    if let (Some(max), Some(last)) = (anon_samples_kb.iter().max(), anon_samples_kb.last()) {
        let second_half = &anon_samples_kb[anon_samples_kb.len() / 2..];
        let (lo, hi) = (second_half.iter().min().unwrap(), second_half.iter().max().unwrap());
        println!(
            "  anonymous memory: peak {:.1} MB, last {:.1} MB, second half of the run {:.1} to {:.1} MB",
            *max as f64 / 1024.0,
            *last as f64 / 1024.0,
            *lo as f64 / 1024.0,
            *hi as f64 / 1024.0
        );
    }
    println!("  open file descriptors: {fd_min} to {fd_max}");
    println!(
        "  store/index agreement: store {} articles (sequence {}), index {} articles through sequence {:?}: {}",
        counts.articles,
        counts.last_sequence,
        indexed,
        through,
        if indexed == counts.articles && through == Some(counts.last_sequence) { "agree" } else { "DISAGREE" }
    );
}
