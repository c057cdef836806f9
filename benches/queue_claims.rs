//! Work-queue throughput: jobs claimed (and completed) per second by 1, 2, 4 and 8 concurrent
//! workers against one throwaway PostgreSQL server on this machine. Each worker is a thread
//! with its own runtime and connection (as a worker process would have), claiming one job at a time and
//! completing it; the jobs spread over many hosts with no interval, so politeness never
//! holds a claim back and the figure is the queue's own cost. Workers claim one job per
//! statement, then (a worker with 16 fetches in flight) 16. Each round gets a fresh
//! database; the median of the rounds is printed.
//!
//! `cargo bench --bench queue_claims` (`-- --jobs N --rounds N --hosts N` to change the load).
//! Prints a skip message and exits 0 where no PostgreSQL server binaries are installed.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use quotewire::postgres::throwaway::{self, Cluster};
use quotewire::queue::{JobKind, NewJob, Queue};

// Not every helper is used by every benchmark.
#[allow(dead_code)]
mod common;

const WORKER_COUNTS: [usize; 4] = [1, 2, 4, 8];
/// Jobs a batched worker claims at once (a worker with that many fetches in flight).
const BATCH: usize = 16;
/// Long enough that no lease expires during a round.
const LEASE: Duration = Duration::from_secs(300);

struct Options {
    jobs: usize,
    rounds: usize,
    hosts: usize,
}

fn options() -> Options {
    let mut options = Options { jobs: 5_000, rounds: 5, hosts: 1_000 };
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        let value = || pair[1].parse::<usize>().unwrap_or_else(|_| panic!("{} needs a number", pair[0]));
        match pair[0].as_str() {
            "--jobs" => options.jobs = value(),
            "--rounds" => options.rounds = value(),
            "--hosts" => options.hosts = value().max(1),
            _ => {}
        }
    }
    options
}

fn main() {
    if throwaway::find_binaries().is_none() {
        println!("queue_claims: skipped: no PostgreSQL server binaries (initdb, postgres)");
        return;
    }
    let options = options();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "queue_claims: {} jobs over {} hosts per round, {} rounds, {} CPUs, load average before: {}",
        options.jobs,
        options.hosts,
        options.rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    let cluster = Cluster::start().expect("start the throwaway PostgreSQL");
    for batch in [1, BATCH] {
        println!("claiming {batch} job(s) per statement, completing them in one statement:");
        println!("{:>8} {:>14} {:>10} {:>10}", "workers", "claims/s (p50)", "min", "max");
        let mut medians = Vec::new();
        for workers in WORKER_COUNTS {
            let mut rates = Vec::new();
            for round in 0..options.rounds {
                let name = format!("bench_{batch}_{workers}_{round}");
                let url = cluster.create_database(&name).expect("create database");
                rates.push(round_rate(&url, workers, batch, &options));
            }
            let (min, max) = rates.iter().fold((f64::MAX, 0.0f64), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
            let median = common::median(&mut rates);
            println!("{workers:>8} {median:>14.0} {min:>10.0} {max:>10.0}");
            medians.push((workers, median));
        }
        let single = medians[0].1;
        for (workers, median) in &medians[1..] {
            println!("  {workers} workers / 1 worker: {:.2}x", median / single);
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average after: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
}

/// Claims per second of one round: every job claimed and completed by `workers` workers,
/// `batch` jobs per claim.
/// Each worker is a thread with a single-threaded runtime of its own, as a worker process
/// would be (its connection is driven on the same thread as its claims).
fn round_rate(url: &str, workers: usize, batch: usize, options: &Options) -> f64 {
    let setup = current_thread_runtime();
    setup.block_on(async {
        let queue = Queue::connect(url, "bench-setup").await.expect("connect");
        let jobs: Vec<NewJob> = (0..options.jobs)
            .map(|i| {
                let url = format!("http://host{}.test/page/{i}", i % options.hosts);
                NewJob::new("bench", "bench", JobKind::Page, &url, Duration::ZERO)
            })
            .collect();
        for chunk in jobs.chunks(1_000) {
            queue.enqueue(chunk).await.expect("enqueue");
        }
    });
    let ready = Arc::new(Barrier::new(workers + 1));
    let threads: Vec<_> = (0..workers)
        .map(|w| {
            let (url, ready) = (url.to_string(), ready.clone());
            std::thread::spawn(move || {
                let runtime = current_thread_runtime();
                runtime.block_on(async {
                    let queue = Queue::connect(&url, &format!("bench-worker-{w}")).await.expect("connect");
                    ready.wait();
                    let mut claimed = 0usize;
                    loop {
                        let jobs = queue.claim_many(batch, LEASE).await.expect("claim");
                        if jobs.is_empty() {
                            // Every host with work may be locked by other claimers for a moment.
                            if queue.counts().await.expect("counts").queued > 0 {
                                continue;
                            }
                            return claimed;
                        }
                        if let [job] = jobs.as_slice() {
                            queue.complete(job).await.expect("complete");
                        } else {
                            assert!(queue.complete_many(&jobs).await.expect("complete").is_empty());
                        }
                        claimed += jobs.len();
                    }
                })
            })
        })
        .collect();
    ready.wait();
    let started = Instant::now();
    let total: usize = threads.into_iter().map(|t| t.join().expect("worker")).sum();
    let elapsed = started.elapsed();
    assert_eq!(total, options.jobs, "every job claimed exactly once");
    total as f64 / elapsed.as_secs_f64()
}

fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime")
}
