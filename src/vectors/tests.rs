use super::synthetic::{Corpus, exact_top_k};
use super::*;

fn corpus(n: usize, seed: u64) -> Vec<(String, Vec<f32>)> {
    let mut corpus = Corpus::new(seed, 384, 200);
    (0..n).map(|i| (format!("q{i}"), corpus.next_vector())).collect()
}

fn no_exclusion(_: &str) -> bool {
    false
}

#[test]
fn a_small_index_ranks_exactly_like_brute_force() {
    let vectors = corpus(600, 1);
    let index = VectorIndex::build(384, vectors.clone()).unwrap();
    assert_eq!(index.len(), 600);
    let mut queries = Corpus::new(99, 384, 200);
    for (_, v) in vectors.iter().step_by(60) {
        let query = queries.perturb(v, 0.03);
        let found: Vec<String> = index.search(&query, 10, &no_exclusion).unwrap().into_iter().map(|n| n.id).collect();
        let exact = exact_top_k(&vectors, &query, 10);
        // Every candidate is re-ranked here; int8 rounding may only swap near-ties.
        let overlap = found.iter().filter(|id| exact.contains(id)).count();
        assert!(overlap >= 9, "{found:?} vs {exact:?}");
        assert_eq!(found[0], exact[0]);
    }
}

#[test]
fn scores_are_cosines_best_first() {
    let vectors = corpus(300, 2);
    let index = VectorIndex::build(384, vectors.clone()).unwrap();
    let hits = index.search(&vectors[7].1, 5, &no_exclusion).unwrap();
    assert_eq!(hits[0].id, "q7");
    assert!((hits[0].score - 1.0).abs() < 0.01, "{}", hits[0].score);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    for hit in &hits {
        let v = &vectors.iter().find(|(id, _)| *id == hit.id).unwrap().1;
        assert!((cosine(&vectors[7].1, v) - hit.score).abs() < 0.01);
    }
}

#[test]
fn excluded_ids_never_come_back() {
    let vectors = corpus(300, 3);
    let index = VectorIndex::build(384, vectors.clone()).unwrap();
    let hits = index.search(&vectors[7].1, 5, &|id: &str| id == "q7").unwrap();
    assert_eq!(hits.len(), 5);
    assert!(hits.iter().all(|h| h.id != "q7"));
}

#[test]
fn recall_stays_high_when_only_candidates_are_reranked() {
    // More vectors than re-ranked candidates and than the parallel-scan threshold, so the
    // sign-bit stage decides what is re-ranked and the scan runs on every core.
    let vectors = corpus(PARALLEL_SCAN_MIN + 2_000, 4);
    let index = VectorIndex::build(384, vectors.clone()).unwrap();
    let mut queries = Corpus::new(7, 384, 200);
    let (mut found_total, mut asked, mut worst_gap) = (0, 0, 0f32);
    for (_, v) in vectors.iter().step_by(5_000) {
        let query = queries.perturb(v, 0.03);
        let hits = index.search(&query, 10, &no_exclusion).unwrap();
        let exact = exact_top_k(&vectors, &query, 10);
        let exact_score = |id: &str| cosine(&query, &vectors.iter().find(|(i, _)| i == id).unwrap().1);
        let tenth = exact_score(&exact[9]);
        for id in &exact {
            if hits.iter().any(|h| &h.id == id) {
                found_total += 1;
            } else {
                // A miss is only acceptable as a near-tie with what was returned instead.
                let returned_worst = hits.iter().map(|h| exact_score(&h.id)).fold(f32::MAX, f32::min);
                worst_gap = worst_gap.max(exact_score(id) - returned_worst);
                assert!(exact_score(id) >= tenth);
            }
        }
        asked += exact.len();
    }
    let recall = found_total as f64 / asked as f64;
    assert!(recall >= 0.9, "recall@10 {recall}");
    assert!(worst_gap < 0.005, "a missed neighbour was {worst_gap} closer than a returned one");
}

#[test]
fn inserting_an_id_again_replaces_its_vector() {
    let vectors = corpus(50, 5);
    let mut index = VectorIndex::build(384, vectors.clone()).unwrap();
    index.insert("q0", &vectors[1].1).unwrap();
    assert_eq!(index.len(), 50);
    let hits = index.search(&vectors[1].1, 2, &no_exclusion).unwrap();
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    assert!(ids.contains(&"q0") && ids.contains(&"q1"), "{ids:?}");
    assert!(cosine(&index.vector("q0").unwrap(), &vectors[1].1) > 0.999);
}

#[test]
fn bad_vectors_are_clear_errors() {
    let mut index = VectorIndex::with_center(vec![0.0; 4]);
    let err = index.insert("a", &[1.0, 2.0]).unwrap_err();
    assert_eq!(err.to_string(), "vector `a` has 2 dimensions, the index holds 4");
    assert!(matches!(index.insert("b", &[0.0; 4]), Err(VectorError::Degenerate { .. })));
    assert!(matches!(index.insert("c", &[f32::NAN, 1.0, 0.0, 0.0]), Err(VectorError::Degenerate { .. })));
    assert!(index.is_empty());
    assert!(index.search(&[1.0, 0.0, 0.0, 0.0], 3, &no_exclusion).unwrap().is_empty());
}
