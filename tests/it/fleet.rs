//! The fleet's scheduler: a pipeline registered with `quotewire enqueue --schedule` is
//! queued when due by whichever of several `quotewire worker` processes leads the scheduler
//! role; the leader killed with SIGKILL is replaced once its lease runs out; each due time is
//! queued exactly once, and the workers fetch the feed of every run.

use std::collections::HashSet;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use quotewire::postgres::throwaway;
use quotewire::queue::{Queue, SCHEDULER_ROLE};

use crate::distributed::quotewire;
use crate::support::write_pipeline;

const EVERY: Duration = Duration::from_secs(1);
const SCHEDULER_LEASE: Duration = Duration::from_secs(3);

fn worker(store: &str, pipeline: &std::path::Path, dir: &std::path::Path, n: usize) -> Child {
    let log = std::fs::File::create(dir.join(format!("worker-{n}.log"))).unwrap();
    quotewire()
        .args(["worker", "--store", store, "--lease-seconds", "2", "--scheduler-lease-seconds"])
        .arg(SCHEDULER_LEASE.as_secs_f64().to_string())
        .arg("--pipeline")
        .arg(pipeline)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leading_worker_queues_each_due_run_once_and_another_takes_over_when_it_is_killed() {
    let Some(store) = throwaway::test_database("fleet scheduler processes") else { return };
    let feeds = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counter = feeds.clone();
    let router = Router::new().route(
        "/feed.xml",
        axum::routing::get(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {
                let empty = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>"#;
                ([(header::CONTENT_TYPE, "application/rss+xml")], empty)
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    let dir = tempfile::tempdir().unwrap();
    let sources = format!(
        "[[sources]]\ntype = \"feed\"\nurl = \"http://{addr}/feed.xml\"\n[schedule]\nevery = \"{}s\"\njitter = \"0s\"\n",
        EVERY.as_secs()
    );
    let pipeline = write_pipeline(dir.path(), "wire", &sources, "");
    let registered =
        quotewire().args(["enqueue", "--schedule", "--store", &store, "--pipeline"]).arg(&pipeline).output().unwrap();
    let said = String::from_utf8_lossy(&registered.stdout);
    assert!(registered.status.success(), "{said}{}", String::from_utf8_lossy(&registered.stderr));
    assert!(said.contains("scheduled pipeline `wire` (1 job(s), every 1s)"), "{said}");

    let mut workers: Vec<Option<Child>> = (0..3).map(|n| Some(worker(&store, &pipeline, dir.path(), n))).collect();
    let queue = Queue::connect(&store, "test").await.unwrap();
    let started = Instant::now();
    while queue.scheduled_runs().await.unwrap().len() < 4 {
        assert!(started.elapsed() < Duration::from_secs(60), "the scheduled runs do not come");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // SIGKILL the leader: no resignation, its lease has to run out.
    let leader = queue.leader(SCHEDULER_ROLE).await.unwrap().expect("a leader");
    let pid: u32 = leader.rsplit(':').next().unwrap().parse().unwrap();
    let slot = workers.iter().position(|w| w.as_ref().is_some_and(|c| c.id() == pid)).expect("the leader is ours");
    let mut killed = workers[slot].take().unwrap();
    killed.kill().unwrap();
    killed.wait().unwrap();
    let died = chrono::Utc::now();
    let before = queue.scheduled_runs().await.unwrap().len();
    while queue.scheduled_runs().await.unwrap().len() < before + 3 {
        assert!(started.elapsed() < Duration::from_secs(90), "nobody took over");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for mut child in workers.into_iter().flatten() {
        // SAFETY: kill(2) on our own child: SIGTERM, a clean stop.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        assert!(child.wait().unwrap().success());
    }

    let runs = queue.scheduled_runs().await.unwrap();
    let dues: HashSet<i64> = runs.iter().map(|r| r.due.timestamp_millis()).collect();
    assert_eq!(dues.len(), runs.len(), "each due time once: {runs:#?}");
    for pair in runs.windows(2) {
        assert!(pair[1].due - pair[0].due >= chrono::Duration::from_std(EVERY).unwrap(), "{runs:#?}");
    }
    let (old, new): (Vec<_>, Vec<_>) = runs.iter().partition(|r| r.due <= died);
    assert!(old.iter().all(|r| r.leader == leader), "one leader before the kill: {runs:#?}");
    let successor = &new[0];
    assert_ne!(successor.leader, leader, "{runs:#?}");
    assert!(successor.term > old[0].term, "{runs:#?}");
    // The dead leader had renewed within a cadence of dying: nobody led before its lease ran out.
    let waited = (successor.due - died).to_std().unwrap_or_default();
    assert!(waited >= SCHEDULER_LEASE - EVERY - Duration::from_millis(500), "took over after {waited:?}");
    // The workers did the runs: a run finds the feed still pending only when the one before
    // is in flight (or was held by the killed worker until its lease ran out).
    let fetched = feeds.load(Ordering::SeqCst);
    let added: u64 = runs.iter().map(|r| r.jobs_added).sum();
    assert_eq!(runs[0].jobs_added, 1);
    assert!(added as usize * 2 >= runs.len(), "{added} feed jobs for {} runs", runs.len());
    assert!(fetched * 2 >= runs.len() && fetched <= added as usize + 1, "{fetched} fetches, {added} jobs");

    // Unscheduling removes the registration, once; ad-hoc sources cannot be scheduled.
    let unschedule = || quotewire().args(["enqueue", "--store", &store, "--unschedule", "wire"]).output().unwrap();
    let output = unschedule();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(queue.schedules().await.unwrap().is_empty());
    let output = unschedule();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("pipeline `wire` is not scheduled"));
    let output = quotewire()
        .args(["enqueue", "--schedule", "--store", &store, "--feed", "http://127.0.0.1:9/feed.xml", "--pipeline"])
        .arg(&pipeline)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--schedule registers pipeline files"));
}
