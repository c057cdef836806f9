//! The queue against a real PostgreSQL (the throwaway cluster; skipped with a message where
//! no server binaries are installed, unless `QUOTEWIRE_PG_REQUIRED` is set).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use super::*;
use crate::postgres::throwaway;

const LEASE: Duration = Duration::from_secs(60);

async fn queue(url: &str, worker: &str) -> Queue {
    Queue::connect(url, worker).await.unwrap()
}

fn page(url: &str, interval: Duration) -> NewJob {
    NewJob::new("news", "front page", JobKind::Page, url, interval)
}

/// A page of a host with no interval and `slots` jobs in flight at once.
fn page_with_slots(url: &str, slots: u32) -> NewJob {
    let mut job = page(url, Duration::ZERO);
    job.host_concurrency = slots;
    job
}

/// `queue_hosts.ready` must equal the queued jobs of each host after any operation, and
/// `in_flight` its running jobs that hold it.
async fn assert_ready_counts_agree(q: &Queue) {
    let rows = q
        .client
        .query(
            "SELECT h.host, h.ready, (SELECT count(*) FROM queue_jobs j WHERE j.host = h.host AND j.state = 'queued'),
                 h.in_flight::bigint,
                 (SELECT count(*) FROM queue_jobs j WHERE j.host = h.host AND j.state = 'running' AND j.holds_host)
             FROM queue_hosts h",
            &[],
        )
        .await
        .unwrap();
    for row in rows {
        let (host, ready, actual): (String, i64, i64) = (row.get(0), row.get(1), row.get(2));
        assert_eq!(ready, actual, "ready count of {host}");
        let (in_flight, holding): (i64, i64) = (row.get(3), row.get(4));
        assert_eq!(in_flight, holding, "jobs in flight on {host}");
    }
}

#[tokio::test]
async fn migrating_again_is_a_no_op() {
    let Some(url) = throwaway::test_database("queue_migrating_again_is_a_no_op") else { return };
    let q = queue(&url, "w1").await;
    q.enqueue(&[page("http://127.0.0.1:8001/a", Duration::ZERO)]).await.unwrap();
    // A second worker connecting migrates nothing and sees the job.
    let mut client = crate::postgres::connect(&url).await.unwrap();
    let applied = crate::postgres::migrate(&mut client, schema::COMPONENT, &schema::MIGRATIONS).await.unwrap();
    assert!(applied.is_empty());
    assert_eq!(queue(&url, "w2").await.counts().await.unwrap().queued, 1);
}

/// A listing job and its parameters (JSON the queue carries without reading).
fn listing(pipeline: &str, url: &str) -> NewJob {
    let mut job = NewJob::new(pipeline, "listing", JobKind::Listing, url, Duration::ZERO);
    job.params = Some(r#"{"links":"ul.news a","next":"a.next","max_pages":3}"#.into());
    job
}

fn json(text: Option<&str>) -> serde_json::Value {
    serde_json::from_str(text.expect("parameters")).unwrap()
}

#[tokio::test]
async fn migration_3_adds_site_and_listing_jobs_to_a_queue_in_use_and_runs_once() {
    let Some(url) = throwaway::test_database("queue_migration_3") else { return };
    let mut client = crate::postgres::connect(&url).await.unwrap();
    // A queue at version 2 with a pending page, which refuses the new kinds.
    crate::postgres::migrate(&mut client, schema::COMPONENT, &schema::MIGRATIONS[..2]).await.unwrap();
    let insert = "INSERT INTO queue_jobs (pipeline, source, kind, url, host, max_attempts) VALUES ('news', 's', $1, $2, '127.0.0.1:8001', 5)";
    client.execute(insert, &[&"page", &"http://127.0.0.1:8001/a"]).await.unwrap();
    assert!(client.execute(insert, &[&"site", &"http://127.0.0.1:8001/"]).await.is_err());

    // Connecting applies version 3 only; the page stays queued.
    let q = queue(&url, "w1").await;
    let versions = client
        .query("SELECT version FROM schema_migrations WHERE component = 'queue' ORDER BY version", &[])
        .await
        .unwrap();
    assert_eq!(versions.iter().map(|r| r.get::<_, i32>(0)).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(q.counts().await.unwrap().queued, 1);
    // Rerun-safe: migrating again applies nothing.
    let applied = crate::postgres::migrate(&mut client, schema::COMPONENT, &schema::MIGRATIONS).await.unwrap();
    assert!(applied.is_empty());

    // Site and listing jobs go in and come back out with their parameters.
    let site = NewJob::new("news", "site", JobKind::Site, "http://127.0.0.1:8002/", Duration::ZERO);
    let news = listing("news", "http://127.0.0.1:8003/news");
    assert_eq!(q.enqueue(&[site, news.clone()]).await.unwrap(), 2);
    let mut claimed = q.claim_many(4, LEASE).await.unwrap();
    claimed.sort_by_key(|j| j.url.clone());
    let kinds: Vec<(JobKind, bool)> = claimed.iter().map(|j| (j.kind, j.params.is_some())).collect();
    assert_eq!(kinds, [(JobKind::Site, false), (JobKind::Listing, true)]);
    assert_eq!(json(claimed[1].params.as_deref()), json(news.params.as_deref()));
    // A listing without its parameters, or with parameters that are not JSON, is refused.
    let mut bare = listing("news", "http://127.0.0.1:8003/other");
    bare.params = None;
    assert!(q.enqueue(&[bare.clone()]).await.is_err());
    bare.params = Some("ul.news a".into());
    assert!(q.enqueue(&[bare]).await.is_err());
    assert_ready_counts_agree(&q).await;
}

#[tokio::test]
async fn a_queue_schema_newer_than_this_build_is_refused() {
    let Some(url) = throwaway::test_database("a_queue_schema_newer_than_this_build_is_refused") else { return };
    let q = queue(&url, "w1").await;
    q.client
        .execute("INSERT INTO schema_migrations (component, version, name) VALUES ('queue', 99, 'future')", &[])
        .await
        .unwrap();
    let err = Queue::connect(&url, "w2").await.err().unwrap();
    assert!(err.to_string().contains("queue schema in PostgreSQL is at version 99"), "{err}");
    assert!(err.to_string().contains("use a newer quotewire"), "{err}");
}

#[tokio::test]
async fn a_url_pending_in_a_pipeline_is_queued_once() {
    let Some(url) = throwaway::test_database("a_url_pending_in_a_pipeline_is_queued_once") else { return };
    let q = queue(&url, "w1").await;
    let job = page("http://127.0.0.1:8001/a", Duration::ZERO);
    assert_eq!(q.enqueue(&[job.clone(), job.clone()]).await.unwrap(), 1);
    assert_eq!(q.enqueue(std::slice::from_ref(&job)).await.unwrap(), 0);
    // Another pipeline may want the same URL.
    let mut other = job.clone();
    other.pipeline = "statements".into();
    assert_eq!(q.enqueue(&[other]).await.unwrap(), 1);
    // Once done, the URL can be queued again (the next run).
    while let Some(claimed) = q.claim(LEASE).await.unwrap() {
        q.complete(&claimed).await.unwrap();
    }
    assert_eq!(q.enqueue(&[job]).await.unwrap(), 1);
    assert_ready_counts_agree(&q).await;
    let err = q.enqueue(&[page("not a url", Duration::ZERO)]).await.unwrap_err();
    assert!(err.to_string().contains("cannot queue `not a url`"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claimers_never_get_the_same_job() {
    let Some(url) = throwaway::test_database("concurrent_claimers_never_get_the_same_job") else { return };
    let jobs: Vec<NewJob> =
        (0..400).map(|i| page(&format!("http://127.0.0.1:{}/p{i}", 9000 + i % 25), Duration::ZERO)).collect();
    queue(&url, "setup").await.enqueue(&jobs).await.unwrap();
    let mut workers = Vec::new();
    for w in 0..8 {
        let url = url.clone();
        workers.push(tokio::spawn(async move {
            let q = queue(&url, &format!("worker-{w}")).await;
            let mut mine = Vec::new();
            loop {
                match q.claim(LEASE).await.unwrap() {
                    Some(job) => {
                        q.complete(&job).await.unwrap();
                        mine.push(job.id);
                    }
                    // Nothing claimable right now: every host with work may be held by others.
                    None if q.counts().await.unwrap().queued > 0 => tokio::task::yield_now().await,
                    None => return mine,
                }
            }
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let distinct: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), 400, "every job claimed once");
    assert_eq!(distinct.len(), 400, "no job claimed twice");
    let q = queue(&url, "check").await;
    assert_eq!(q.counts().await.unwrap(), QueueCounts { done: 400, ..QueueCounts::default() });
    assert_ready_counts_agree(&q).await;
}

#[tokio::test]
async fn an_expired_lease_is_reclaimed_and_the_old_holder_cannot_record() {
    let Some(url) = throwaway::test_database("an_expired_lease_is_reclaimed") else { return };
    let dead = queue(&url, "dead-worker").await;
    dead.enqueue(&[page("http://127.0.0.1:8001/a", Duration::ZERO)]).await.unwrap();
    let first = dead.claim(Duration::from_millis(200)).await.unwrap().unwrap();
    assert_eq!(first.attempt, 1);
    let alive = queue(&url, "alive-worker").await;
    // Leased: nobody else gets it.
    assert_eq!(alive.claim(LEASE).await.unwrap(), None);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reclaimed = alive.reclaim_expired().await.unwrap();
    assert_eq!(reclaimed, Reclaimed { requeued: 1, failed: 0 });
    let second = alive.claim(LEASE).await.unwrap().unwrap();
    assert_eq!((second.id, second.attempt), (first.id, 2));
    // The worker that lost the lease learns it and records nothing.
    assert!(matches!(dead.complete(&first).await, Err(QueueError::LeaseLost { .. })));
    assert!(matches!(dead.renew(&first, LEASE).await, Err(QueueError::LeaseLost { .. })));
    alive.complete(&second).await.unwrap();
    assert_eq!(alive.counts().await.unwrap().done, 1);
    assert_ready_counts_agree(&alive).await;
}

#[tokio::test]
async fn a_claim_sweeps_expired_leases_by_itself() {
    let Some(url) = throwaway::test_database("a_claim_sweeps_expired_leases_by_itself") else { return };
    let dead = queue(&url, "dead-worker").await;
    dead.enqueue(&[page("http://127.0.0.1:8001/a", Duration::ZERO)]).await.unwrap();
    dead.claim(Duration::from_millis(100)).await.unwrap().unwrap();
    drop(dead);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A fresh worker's first claim sweeps: no leader or sweeper process is needed.
    let job = queue(&url, "alive").await.claim(LEASE).await.unwrap().unwrap();
    assert_eq!(job.attempt, 2);
}

#[tokio::test]
async fn a_job_whose_leases_keep_expiring_fails_for_good() {
    let Some(url) = throwaway::test_database("a_job_whose_leases_keep_expiring_fails") else { return };
    let q = queue(&url, "w").await;
    let mut job = page("http://127.0.0.1:8001/poison", Duration::ZERO);
    job.max_attempts = 2;
    q.enqueue(&[job]).await.unwrap();
    for _ in 0..2 {
        q.claim(Duration::from_millis(50)).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        q.reclaim_expired().await.unwrap();
    }
    assert_eq!(q.counts().await.unwrap(), QueueCounts { failed: 1, ..QueueCounts::default() });
    let error: String = q.client.query_one("SELECT last_error FROM queue_jobs", &[]).await.unwrap().get(0);
    assert!(error.contains("lease of w expired"), "{error}");
    assert_ready_counts_agree(&q).await;
}

#[tokio::test]
async fn two_claims_on_one_host_respect_its_interval() {
    let Some(url) = throwaway::test_database("two_claims_on_one_host_respect_its_interval") else { return };
    let interval = Duration::from_millis(400);
    let a = queue(&url, "a").await;
    let b = queue(&url, "b").await;
    a.enqueue(&[page("http://127.0.0.1:8001/1", interval), page("http://127.0.0.1:8001/2", interval)]).await.unwrap();
    let first = a.claim(LEASE).await.unwrap().unwrap();
    // Another worker, another connection: the host is not due yet.
    assert_eq!(b.claim(LEASE).await.unwrap(), None);
    // Another host is not held back by this one.
    a.enqueue(&[page("http://127.0.0.1:8002/x", interval)]).await.unwrap();
    assert_eq!(b.claim(LEASE).await.unwrap().unwrap().host, "127.0.0.1:8002");
    let second = loop {
        if let Some(job) = b.claim(LEASE).await.unwrap() {
            break job;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(second.host, first.host);
    let gap = second.claimed_at.duration_since(first.claimed_at).unwrap();
    assert!(gap >= interval, "claims {gap:?} apart, interval {interval:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_workers_never_claim_one_host_faster_than_its_interval() {
    let Some(url) = throwaway::test_database("many_workers_never_claim_one_host_faster") else { return };
    let interval = Duration::from_millis(60);
    let jobs: Vec<NewJob> =
        (0..30).map(|i| page(&format!("http://127.0.0.1:{}/p{i}", 8100 + i % 3), interval)).collect();
    queue(&url, "setup").await.enqueue(&jobs).await.unwrap();
    let mut workers = Vec::new();
    for w in 0..6 {
        let url = url.clone();
        workers.push(tokio::spawn(async move {
            let q = queue(&url, &format!("worker-{w}")).await;
            let mut claims = Vec::new();
            while q.counts().await.unwrap().queued > 0 {
                match q.claim(LEASE).await.unwrap() {
                    Some(job) => {
                        q.complete(&job).await.unwrap();
                        claims.push((job.host, job.claimed_at));
                    }
                    None => tokio::time::sleep(Duration::from_millis(5)).await,
                }
            }
            claims
        }));
    }
    let mut by_host: HashMap<String, Vec<SystemTime>> = HashMap::new();
    for worker in workers {
        for (host, at) in worker.await.unwrap() {
            by_host.entry(host).or_default().push(at);
        }
    }
    assert_eq!(by_host.values().map(Vec::len).sum::<usize>(), 30);
    for (host, mut times) in by_host {
        times.sort();
        for pair in times.windows(2) {
            let gap = pair[1].duration_since(pair[0]).unwrap();
            assert!(gap >= interval, "{host}: two claims {gap:?} apart, interval {interval:?}");
        }
    }
}

#[tokio::test]
async fn failures_back_off_then_give_up() {
    let Some(url) = throwaway::test_database("failures_back_off_then_give_up") else { return };
    let q = queue(&url, "w").await;
    let mut job = page("http://127.0.0.1:8001/flaky", Duration::ZERO);
    job.max_attempts = 3;
    q.enqueue(&[job, page("http://127.0.0.1:8001/gone", Duration::ZERO)]).await.unwrap();
    let flaky = q.claim(LEASE).await.unwrap().unwrap();
    let gone = q.claim(LEASE).await.unwrap().unwrap();
    assert_eq!(q.fail(&gone, "HTTP 404", Retry::Never).await.unwrap(), FailOutcome::Failed);
    let outcome = q.fail(&flaky, "HTTP 503", Retry::Backoff).await.unwrap();
    assert_eq!(outcome, FailOutcome::Requeued { after: RETRY_BASE });
    // Not due before its back-off.
    assert_eq!(q.claim(LEASE).await.unwrap(), None);
    assert_ready_counts_agree(&q).await;
    // A server's Retry-After is taken as it is.
    q.client.execute("UPDATE queue_jobs SET not_before = now() WHERE state = 'queued'", &[]).await.unwrap();
    let again = q.claim(LEASE).await.unwrap().unwrap();
    assert_eq!(again.attempt, 2);
    let outcome = q.fail(&again, "HTTP 429", Retry::After(Duration::from_millis(1))).await.unwrap();
    assert_eq!(outcome, FailOutcome::Requeued { after: Duration::from_millis(1) });
    tokio::time::sleep(Duration::from_millis(20)).await;
    let last = q.claim(LEASE).await.unwrap().unwrap();
    assert_eq!(last.attempt, 3);
    assert_eq!(q.fail(&last, "HTTP 503", Retry::Backoff).await.unwrap(), FailOutcome::Failed);
    assert_eq!(q.counts().await.unwrap(), QueueCounts { failed: 2, ..QueueCounts::default() });
    assert_ready_counts_agree(&q).await;
}

#[test]
fn backoff_doubles_up_to_its_cap() {
    assert_eq!(backoff(1), RETRY_BASE);
    assert_eq!(backoff(2), RETRY_BASE * 2);
    assert_eq!(backoff(4), RETRY_BASE * 8);
    assert_eq!(backoff(30), RETRY_MAX);
    assert_eq!(backoff(i32::MAX), RETRY_MAX);
}

#[test]
fn hosts_are_keyed_by_name_and_port() {
    let key = |u: &str| host_key(&url::Url::parse(u).unwrap());
    assert_eq!(key("https://Example.COM./a").as_deref(), Some("example.com:443"));
    assert_eq!(key("http://example.com/a").as_deref(), Some("example.com:80"));
    assert_eq!(key("http://127.0.0.1:8080/").as_deref(), Some("127.0.0.1:8080"));
    assert_eq!(key("mailto:a@b.c"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_worker_leads_and_another_takes_over_when_it_stops_renewing() {
    let Some(url) = throwaway::test_database("exactly_one_worker_leads") else { return };
    let lease = Duration::from_millis(300);
    let mut contenders = Vec::new();
    for w in 0..4 {
        let url = url.clone();
        contenders.push(tokio::spawn(async move {
            let q = queue(&url, &format!("worker-{w}")).await;
            let leads = q.try_lead("scheduler", lease).await.unwrap();
            (q, leads)
        }));
    }
    let mut queues = Vec::new();
    for contender in contenders {
        queues.push(contender.await.unwrap());
    }
    let leaders: Vec<&Queue> = queues.iter().filter(|(_, leads)| *leads).map(|(q, _)| q).collect();
    assert_eq!(leaders.len(), 1, "exactly one leader");
    let leader = leaders[0];
    let follower = &queues.iter().find(|(q, _)| q.worker() != leader.worker()).unwrap().0;
    assert_eq!(follower.leader("scheduler").await.unwrap().as_deref(), Some(leader.worker()));
    // The leader renews; the others still cannot take the role.
    assert!(leader.try_lead("scheduler", lease).await.unwrap());
    assert!(!follower.try_lead("scheduler", lease).await.unwrap());
    // The leader stops renewing (dies or hangs): after its lease another takes over, and the
    // old leader learns it lost the role.
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    assert!(follower.try_lead("scheduler", lease).await.unwrap());
    assert!(!leader.try_lead("scheduler", lease).await.unwrap());
    // Resigning hands the role over at once.
    follower.resign("scheduler").await.unwrap();
    assert!(leader.try_lead("scheduler", lease).await.unwrap());
}

#[tokio::test]
async fn a_batch_claim_takes_one_job_per_host_and_completes_what_it_still_holds() {
    let Some(url) = throwaway::test_database("a_batch_claim_takes_one_job_per_host") else { return };
    let interval = Duration::from_secs(60);
    let q = queue(&url, "batcher").await;
    let jobs: Vec<NewJob> =
        (0..9).map(|i| page(&format!("http://127.0.0.1:{}/p{i}", 8200 + i % 3), interval)).collect();
    q.enqueue(&jobs).await.unwrap();
    let batch = q.claim_many(10, LEASE).await.unwrap();
    let hosts: HashSet<&str> = batch.iter().map(|j| j.host.as_str()).collect();
    assert_eq!((batch.len(), hosts.len()), (3, 3), "one job per host");
    // Every host just had a claim: nothing more until their intervals pass.
    assert!(q.claim_many(10, LEASE).await.unwrap().is_empty());
    assert_ready_counts_agree(&q).await;
    // One of the three leases is lost (expired and reclaimed by another worker).
    q.client
        .execute("UPDATE queue_jobs SET lease_owner = 'someone-else' WHERE id = $1", &[&batch[1].id])
        .await
        .unwrap();
    assert_eq!(q.complete_many(&batch).await.unwrap(), vec![batch[1].id]);
    assert_eq!(q.counts().await.unwrap(), QueueCounts { queued: 6, running: 1, done: 2, failed: 0 });
}

#[tokio::test]
async fn a_holding_claim_keeps_the_host_until_released_then_one_interval() {
    let Some(url) = throwaway::test_database("a_holding_claim_keeps_the_host_until_released") else { return };
    let (a, b) = (queue(&url, "a").await, queue(&url, "b").await);
    let interval = Duration::from_millis(200);
    let jobs: Vec<NewJob> = (0..4).map(|n| page(&format!("http://127.0.0.1:8001/{n}"), interval)).collect();
    a.enqueue(&jobs).await.unwrap();
    let first = a.claim_holding(4, LEASE).await.unwrap();
    assert_eq!(first.len(), 1, "a host with an interval: one job at a time");
    // Long past the interval, the host is still held by the job in flight.
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    assert!(b.claim_holding(4, LEASE).await.unwrap().is_empty());
    assert_eq!(a.outstanding().await.unwrap(), (1, 3));
    assert_ready_counts_agree(&a).await;
    // Released (the request is over): the next claim waits one interval from the release,
    // not from the claim, while the job itself goes on.
    a.release_host(&first[0]).await.unwrap();
    let released = std::time::Instant::now();
    assert_ready_counts_agree(&a).await;
    let second = wait_for_claim(&b).await;
    assert!(released.elapsed() >= interval - Duration::from_millis(5), "{:?}", released.elapsed());
    // Completing a released job releases nothing again.
    a.complete(&first[0]).await.unwrap();
    assert!(b.claim_holding(4, LEASE).await.unwrap().is_empty(), "the second job holds the host");
    // Completing a job that still holds its host lets go of it in the same statement.
    b.complete(&second).await.unwrap();
    let completed = std::time::Instant::now();
    let third = wait_for_claim(&a).await;
    assert!(completed.elapsed() >= interval - Duration::from_millis(5), "{:?}", completed.elapsed());
    assert_ready_counts_agree(&a).await;
    // A worker that lost its job cannot release the host of the job's new holder.
    a.client.execute("UPDATE queue_jobs SET lease_owner = 'c' WHERE id = $1", &[&third.id]).await.unwrap();
    a.release_host(&third).await.unwrap();
    assert!(matches!(a.complete(&third).await, Err(QueueError::LeaseLost { .. })));
    tokio::time::sleep(interval + Duration::from_millis(50)).await;
    assert!(b.claim_holding(4, LEASE).await.unwrap().is_empty());
}

async fn wait_for_claim(q: &Queue) -> ClaimedJob {
    loop {
        if let Some(job) = q.claim_holding(4, LEASE).await.unwrap().into_iter().next() {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_host_without_an_interval_admits_its_concurrency_of_held_jobs_fleet_wide() {
    let Some(url) = throwaway::test_database("a_host_without_an_interval_admits_its_concurrency") else { return };
    let (a, b) = (queue(&url, "a").await, queue(&url, "b").await);
    let jobs: Vec<NewJob> = (0..8)
        .map(|n| page_with_slots(&format!("http://127.0.0.1:8001/{n}"), 3))
        .chain((0..2).map(|n| page(&format!("http://127.0.0.1:8002/{n}"), Duration::ZERO)))
        .collect();
    a.enqueue(&jobs).await.unwrap();
    // One statement takes up to the host's free slots; the other host (concurrency 1) one.
    let first = a.claim_holding(10, LEASE).await.unwrap();
    let on = |jobs: &[ClaimedJob], host: &str| jobs.iter().filter(|j| j.host == host).count();
    assert_eq!((on(&first, "127.0.0.1:8001"), on(&first, "127.0.0.1:8002")), (3, 1), "{first:?}");
    // Another worker: every slot is taken.
    assert!(b.claim_holding(10, LEASE).await.unwrap().is_empty());
    assert_ready_counts_agree(&a).await;
    // Each job let go of frees one slot, whichever way it ends.
    a.release_host(&first[0]).await.unwrap();
    a.fail(&first[1], "HTTP 503", Retry::Backoff).await.unwrap();
    let second = b.claim_holding(10, LEASE).await.unwrap();
    assert_eq!(on(&second, "127.0.0.1:8001"), 2, "{second:?}");
    assert_ready_counts_agree(&a).await;
    // A dead worker's slots come back with its jobs when their lease is reclaimed.
    let dead = queue(&url, "dead").await;
    a.complete_many(&first).await.unwrap();
    b.complete_many(&second).await.unwrap();
    let held = dead.claim_holding(10, Duration::from_millis(100)).await.unwrap();
    assert_eq!(on(&held, "127.0.0.1:8001"), 3);
    assert!(b.claim_holding(10, LEASE).await.unwrap().iter().all(|j| j.host != "127.0.0.1:8001"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    // (with the other host's last job, which it held too)
    assert_eq!(held.len(), 4);
    assert_eq!(b.reclaim_expired().await.unwrap().requeued, 4);
    assert_ready_counts_agree(&b).await;
    assert_eq!(on(&b.claim_holding(10, LEASE).await.unwrap(), "127.0.0.1:8001"), 3);
    assert_ready_counts_agree(&b).await;
}

fn registration(pipeline: &str, every: Duration) -> Registration {
    Registration {
        pipeline: pipeline.to_string(),
        cadence: crate::config::Cadence::Every(every),
        jitter: Duration::ZERO,
        jobs: vec![NewJob::new(pipeline, "feed", JobKind::Feed, "http://127.0.0.1:8001/feed.xml", Duration::ZERO)],
        last_due: None,
    }
}

#[tokio::test]
async fn a_registered_pipeline_round_trips_and_registering_again_keeps_its_last_run() {
    let Some(url) = throwaway::test_database("a_registered_pipeline_round_trips") else { return };
    let q = queue(&url, "w").await;
    let mut news = registration("news", Duration::from_secs(3600));
    news.jobs[0].host_concurrency = 4;
    news.jobs[0].host_interval = Duration::from_millis(250);
    news.jobs.push(listing("news", "http://127.0.0.1:8002/news"));
    q.register_schedule(&news).await.unwrap();
    let mut statements = registration("statements", Duration::ZERO);
    statements.cadence = crate::config::Cadence::cron("*/15 * * * *").unwrap();
    statements.jitter = Duration::from_secs(30);
    q.register_schedule(&statements).await.unwrap();
    assert_eq!(q.schedules().await.unwrap(), vec![news.clone(), statements]);
    let term = q.lead(SCHEDULER_ROLE, LEASE).await.unwrap().unwrap();
    let due = chrono::DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
    assert_eq!(q.queue_due(SCHEDULER_ROLE, term, &news, due).await.unwrap(), Some(2));
    // The scheduled listing job keeps its parameters for the worker.
    let claimed = q.claim_many(4, LEASE).await.unwrap();
    let job = claimed.iter().find(|j| j.kind == JobKind::Listing).unwrap();
    assert_eq!(json(job.params.as_deref()), json(news.jobs[1].params.as_deref()));
    q.register_schedule(&news).await.unwrap();
    assert_eq!(q.schedules().await.unwrap()[0].last_due, Some(due));
    assert!(q.unregister_schedule("statements").await.unwrap());
    assert!(!q.unregister_schedule("statements").await.unwrap());
    assert_eq!(q.schedules().await.unwrap().len(), 1);
    // A bad URL is refused when registering, not at every run.
    let mut bad = registration("bad", Duration::from_secs(60));
    bad.jobs[0].url = "not a url".into();
    assert!(matches!(q.register_schedule(&bad).await, Err(QueueError::InvalidUrl { .. })));
}

#[tokio::test]
async fn a_due_time_is_queued_once_and_a_deposed_leader_is_fenced_out() {
    let Some(url) = throwaway::test_database("a_due_time_is_queued_once_and_a_deposed_leader") else { return };
    let (a, b) = (queue(&url, "a").await, queue(&url, "b").await);
    a.register_schedule(&registration("news", Duration::from_secs(60))).await.unwrap();
    let lease = Duration::from_millis(300);
    let first_term = a.lead(SCHEDULER_ROLE, lease).await.unwrap().unwrap();
    assert_eq!(b.lead(SCHEDULER_ROLE, lease).await.unwrap(), None);
    // Both read the schedule before the run is queued.
    let read = a.schedules().await.unwrap().remove(0);
    let due = chrono::Utc::now();
    assert_eq!(a.queue_due(SCHEDULER_ROLE, first_term, &read, due).await.unwrap(), Some(1));
    // Queuing the same due time again (a retry, a second round on stale data) does nothing.
    assert_eq!(a.queue_due(SCHEDULER_ROLE, first_term, &read, due).await.unwrap(), None);
    // Not the leader: nothing, whatever term it names.
    let fresh = b.schedules().await.unwrap().remove(0);
    let later = due + chrono::Duration::seconds(60);
    assert_eq!(b.queue_due(SCHEDULER_ROLE, first_term, &fresh, later).await.unwrap(), None);
    // The leader's lease runs out and b takes over in a new term: a, deposed, is fenced out
    // even with fresh data, and b queues the run.
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    let second_term = b.lead(SCHEDULER_ROLE, lease).await.unwrap().unwrap();
    assert!(second_term > first_term);
    assert_eq!(a.queue_due(SCHEDULER_ROLE, first_term, &fresh, later).await.unwrap(), None);
    assert_eq!(b.queue_due(SCHEDULER_ROLE, second_term, &fresh, later).await.unwrap(), Some(0), "the feed is pending");
    let runs = a.scheduled_runs().await.unwrap();
    let seen: Vec<(&str, i64, u64)> = runs.iter().map(|r| (r.leader.as_str(), r.term, r.jobs_added)).collect();
    assert_eq!(seen, vec![("a", first_term, 1), ("b", second_term, 0)]);
    assert_eq!(runs[1].due.timestamp_millis(), later.timestamp_millis());
    // Resigning keeps the term counting: the next leader is in a newer term.
    b.resign(SCHEDULER_ROLE).await.unwrap();
    assert!(a.lead(SCHEDULER_ROLE, lease).await.unwrap().unwrap() > second_term);
}

#[tokio::test]
async fn a_servers_retry_after_holds_the_whole_host_back_fleet_wide() {
    let Some(url) = throwaway::test_database("a_servers_retry_after_holds_the_host") else { return };
    let (a, b) = (queue(&url, "a").await, queue(&url, "b").await);
    let jobs: Vec<NewJob> = (0..3)
        .map(|n| page_with_slots(&format!("http://127.0.0.1:8001/{n}"), 4))
        .chain([page("http://127.0.0.1:8002/x", Duration::ZERO)])
        .collect();
    a.enqueue(&jobs).await.unwrap();
    let first = a.claim_holding(1, LEASE).await.unwrap().remove(0);
    assert_eq!(first.host, "127.0.0.1:8001");
    let wait = Duration::from_millis(400);
    let asked = std::time::Instant::now();
    a.fail(&first, "HTTP 429", Retry::After(wait)).await.unwrap();
    // The host's other jobs wait too, for every worker; another host does not.
    let others = b.claim_holding(10, LEASE).await.unwrap();
    assert_eq!(others.iter().map(|j| j.host.as_str()).collect::<Vec<_>>(), ["127.0.0.1:8002"]);
    let next = wait_for_claim(&b).await;
    assert_eq!(next.host, "127.0.0.1:8001");
    assert!(asked.elapsed() >= wait - Duration::from_millis(5), "{:?}", asked.elapsed());
    assert_ready_counts_agree(&a).await;
}
