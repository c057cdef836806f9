//! Work-queue throughput: jobs claimed (and completed) per second by 1, 2, 4 and 8 concurrent
//! workers against one throwaway PostgreSQL server on this machine. Each worker is a task
//! with its own connection (as a worker process would have), claiming one job at a time and
//! completing it; the jobs spread over many hosts with no interval, so politeness never
//! holds a claim back and the figure is the queue's own cost. Each round gets a fresh
//! database; the median of the rounds is printed.
//!
//! `cargo bench --bench queue_claims` (`-- --jobs N --rounds N --hosts N` to change the load).
//! Prints a skip message and exits 0 where no PostgreSQL server binaries are installed.

use std::time::{Duration, Instant};

use quotewire::postgres::throwaway::{self, Cluster};
use quotewire::queue::{JobKind, NewJob, Queue};

// Not every helper is used by every benchmark.
#[allow(dead_code)]
mod common;

const WORKER_COUNTS: [usize; 4] = [1, 2, 4, 8];
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
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    println!("{:>8} {:>14} {:>10} {:>10}", "workers", "claims/s (p50)", "min", "max");
    let mut medians = Vec::new();
    for workers in WORKER_COUNTS {
        let mut rates = Vec::new();
        for round in 0..options.rounds {
            let url = cluster.create_database(&format!("bench_{workers}_{round}")).expect("create database");
            rates.push(runtime.block_on(round_rate(&url, workers, &options)));
        }
        let (min, max) = rates.iter().fold((f64::MAX, 0.0f64), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
        let median = common::median(&mut rates);
        println!("{workers:>8} {median:>14.0} {min:>10.0} {max:>10.0}");
        medians.push((workers, median));
    }
    let single = medians[0].1;
    for (workers, median) in &medians[1..] {
        println!("{workers} workers / 1 worker: {:.2}x", median / single);
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average after: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
}

/// Claims per second of one round: every job claimed and completed by `workers` workers.
async fn round_rate(url: &str, workers: usize, options: &Options) -> f64 {
    let setup = Queue::connect(url, "bench-setup").await.expect("connect");
    let jobs: Vec<NewJob> = (0..options.jobs)
        .map(|i| {
            let url = format!("http://host{}.test/page/{i}", i % options.hosts);
            NewJob::new("bench", "bench", JobKind::Page, &url, Duration::ZERO)
        })
        .collect();
    for chunk in jobs.chunks(1_000) {
        setup.enqueue(chunk).await.expect("enqueue");
    }
    let mut queues = Vec::new();
    for w in 0..workers {
        queues.push(Queue::connect(url, &format!("bench-worker-{w}")).await.expect("connect"));
    }
    let started = Instant::now();
    let tasks: Vec<_> = queues
        .into_iter()
        .map(|queue| {
            tokio::spawn(async move {
                let mut claimed = 0usize;
                loop {
                    match queue.claim(LEASE).await.expect("claim") {
                        Some(job) => {
                            queue.complete(&job).await.expect("complete");
                            claimed += 1;
                        }
                        // Every host with work may be locked by other claimers for a moment.
                        None if queue.counts().await.expect("counts").queued > 0 => tokio::task::yield_now().await,
                        None => return claimed,
                    }
                }
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("worker");
    }
    let elapsed = started.elapsed();
    assert_eq!(total, options.jobs, "every job claimed exactly once");
    total as f64 / elapsed.as_secs_f64()
}
