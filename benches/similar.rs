//! Similar-statement search latency on many stored vectors: the quantised two-stage scan
//! of `quotewire::vectors` against an exact f32 scan, in the same run, with recall@10.
//!
//! Vectors are synthetic (`vectors::synthetic`: 384-dimension unit vectors in clusters with
//! a shared direction, like sentence embeddings); queries are stored vectors perturbed,
//! as paraphrases are. Latency is wall-clock per query (k = 10) with both cores, p50 and
//! p99. Options (after `--`): `--vectors N` (default 1,000,000), `--queries N` (default 200),
//! `--exact N` (queries also run through the exact scan, default 20).

use std::time::Instant;

use quotewire::vectors::VectorIndexBuilder;
use quotewire::vectors::synthetic::Corpus;

// Not every helper is used by every benchmark.
#[allow(dead_code)]
mod common;
use common::median;

const DIM: usize = 384;
const K: usize = 10;

fn flag(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    let at = ((sorted_ms.len() as f64 - 1.0) * p).round() as usize;
    sorted_ms.get(at).copied().unwrap_or(0.0)
}

/// The exact top k by f32 dot product over all vectors (unit length), on both cores.
fn exact_scan(all: &[f32], query: &[f32]) -> Vec<usize> {
    let n = all.len() / DIM;
    let threads = 2;
    let chunk = n.div_ceil(threads);
    let mut best: Vec<(f32, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut top: Vec<(f32, usize)> = Vec::with_capacity(K + 1);
                    for i in t * chunk..((t + 1) * chunk).min(n) {
                        let v = &all[i * DIM..(i + 1) * DIM];
                        let score: f32 = v.iter().zip(query).map(|(a, b)| a * b).sum();
                        if top.len() < K || score > top[K - 1].0 {
                            top.push((score, i));
                            top.sort_by(|a, b| b.0.total_cmp(&a.0));
                            top.truncate(K);
                        }
                    }
                    top
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    best.sort_by(|a, b| b.0.total_cmp(&a.0));
    best.into_iter().take(K).map(|(_, i)| i).collect()
}

fn main() {
    let n = flag("--vectors", 1_000_000);
    let queries = flag("--queries", 200);
    let exact_queries = flag("--exact", 20).min(queries);
    let mut corpus = Corpus::new(17, DIM, 2_000);

    let started = Instant::now();
    let mut all = Vec::with_capacity(n * DIM);
    for _ in 0..n {
        all.extend(corpus.next_vector());
    }
    let generated = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut builder = VectorIndexBuilder::new(DIM);
    for i in 0..n {
        builder.push(i.to_string(), &all[i * DIM..(i + 1) * DIM]).expect("unit vectors");
    }
    let index = builder.finish();
    let built = started.elapsed().as_secs_f64();
    println!("{n} vectors of {DIM} dimensions: generated in {generated:.1} s, index built in {built:.1} s");

    let step = (n / queries.max(1)).max(1);
    let query_vectors: Vec<Vec<f32>> =
        (0..queries).map(|q| corpus.perturb(&all[(q * step % n) * DIM..(q * step % n + 1) * DIM], 0.03)).collect();
    // Warm-up: page in the codes.
    let _ = index.search(&query_vectors[0], K, &|_| false);

    let mut latencies = Vec::with_capacity(queries);
    let mut results = Vec::with_capacity(queries);
    for query in &query_vectors {
        let started = Instant::now();
        let hits = index.search(query, K, &|_| false).expect("search");
        latencies.push(started.elapsed().as_secs_f64() * 1e3);
        results.push(hits);
    }
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);

    let mut exact_ms = Vec::new();
    let (mut found, mut asked, mut worst_gap) = (0, 0, 0f32);
    let score =
        |query: &[f32], i: usize| -> f32 { all[i * DIM..(i + 1) * DIM].iter().zip(query).map(|(a, b)| a * b).sum() };
    for (query, hits) in query_vectors.iter().zip(&results).take(exact_queries) {
        let started = Instant::now();
        let exact = exact_scan(&all, query);
        exact_ms.push(started.elapsed().as_secs_f64() * 1e3);
        let returned: Vec<usize> = hits.iter().filter_map(|h| h.id.parse().ok()).collect();
        let returned_worst = returned.iter().map(|&i| score(query, i)).fold(f32::MAX, f32::min);
        for &i in &exact {
            if returned.contains(&i) {
                found += 1;
            } else {
                worst_gap = worst_gap.max(score(query, i) - returned_worst);
            }
        }
        asked += exact.len();
    }
    let exact_median = median(&mut exact_ms);
    println!(
        "quantised scan (sign bits + int8 re-rank of {} candidates), k = {K}, {queries} queries: p50 {:.1} ms, p99 {:.1} ms",
        quotewire::vectors::rerank_candidates(K),
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.99)
    );
    println!(
        "exact f32 scan (2 threads), {exact_queries} queries: median {exact_median:.1} ms; quantised p50 is {:.1}x faster",
        exact_median / percentile(&sorted, 0.5).max(1e-9)
    );
    println!(
        "recall@{K} of the quantised scan against the exact scan: {:.3}; a missed neighbour was at most {worst_gap:.4} closer (cosine) than the worst returned one",
        found as f64 / asked.max(1) as f64
    );
}
