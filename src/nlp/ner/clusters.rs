//! Word clusters learnt from the training text alone (no labels): each frequent lower-cased
//! word is described by the distribution of its left and right neighbours among the most
//! frequent words, and spherical k-means groups words used alike ("Tuesday" with "Monday",
//! "minister" with "president").
//!
//! Deterministic: the vocabulary is ordered by (count desc, key asc), the initial centroids are
//! the most frequent words, sums run in a fixed order, and ties go to the lower cluster.

use super::features::KeyMap;

/// Words seen fewer times get no cluster.
const MIN_WORD_COUNT: u32 = 3;
/// Largest vocabulary clustered (the most frequent words).
const MAX_WORDS: usize = 40_000;
/// Context words: the most frequent ones; all others share one slot.
const CONTEXT_WORDS: usize = 400;
const ITERATIONS: usize = 12;
/// Number of fine and coarse clusters (ids fit in a byte).
pub(crate) const FINE: usize = 200;
pub(crate) const COARSE: usize = 40;

/// Clusters every frequent word; returns lower-cased key -> cluster id (1..=k) for each
/// requested `k`, packed per word as one id per `k` in order.
pub(crate) fn cluster_words(sentences: &[Vec<u32>], ks: &[usize]) -> KeyMap<Vec<u16>> {
    let mut counts: KeyMap<u32> = KeyMap::default();
    for s in sentences {
        for &w in s {
            *counts.entry(w).or_insert(0) += 1;
        }
    }
    let mut vocab: Vec<(u32, u32)> =
        counts.iter().filter(|&(_, &c)| c >= MIN_WORD_COUNT).map(|(&k, &c)| (k, c)).collect();
    vocab.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    vocab.truncate(MAX_WORDS);
    let index: KeyMap<usize> = vocab.iter().enumerate().map(|(i, &(k, _))| (k, i)).collect();
    // Context slots: 0..CONTEXT_WORDS frequent words, then "other", then sentence edge.
    let slots = CONTEXT_WORDS + 2;
    let context = |w: Option<&u32>| -> usize {
        match w {
            None => CONTEXT_WORDS + 1,
            Some(k) => match index.get(k) {
                Some(&i) if i < CONTEXT_WORDS => i,
                _ => CONTEXT_WORDS,
            },
        }
    };
    let mut vectors: Vec<KeyMap<f32>> = vec![KeyMap::default(); vocab.len()];
    for s in sentences {
        for (i, w) in s.iter().enumerate() {
            let Some(&row) = index.get(w) else { continue };
            let left = context(if i == 0 { None } else { s.get(i - 1) });
            let right = slots + context(s.get(i + 1));
            *vectors[row].entry(left as u32 + 1).or_insert(0.0) += 1.0;
            *vectors[row].entry(right as u32 + 1).or_insert(0.0) += 1.0;
        }
    }
    // Hellinger-style: square roots, then unit length; sorted by dimension for fixed sums.
    let vectors: Vec<Vec<(usize, f32)>> = vectors
        .into_iter()
        .map(|m| {
            let mut v: Vec<(usize, f32)> = m.into_iter().map(|(d, c)| (d as usize - 1, c.sqrt())).collect();
            v.sort_unstable_by_key(|e| e.0);
            let norm = v.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt().max(1e-9);
            for e in &mut v {
                e.1 /= norm;
            }
            v
        })
        .collect();
    let dims = 2 * slots;
    let mut out: KeyMap<Vec<u16>> = KeyMap::default();
    if vectors.is_empty() {
        return out;
    }
    for &k in ks {
        let k = k.min(vectors.len()).max(1);
        let assignment = kmeans(&vectors, dims, k);
        for (i, &(key, _)) in vocab.iter().enumerate() {
            out.entry(key).or_default().push(assignment[i] as u16 + 1);
        }
    }
    out
}

/// Spherical k-means, seeded deterministically farthest-first: the most frequent word, then
/// repeatedly the word least similar to every seed so far.
fn kmeans(vectors: &[Vec<(usize, f32)>], dims: usize, k: usize) -> Vec<usize> {
    let dense = |v: &[(usize, f32)]| {
        let mut c = vec![0.0; dims];
        for &(d, x) in v {
            c[d] = x;
        }
        c
    };
    let dot = |v: &[(usize, f32)], c: &[f32]| -> f32 { v.iter().map(|&(d, x)| x * c[d]).sum() };
    let mut centroids: Vec<Vec<f32>> = Vec::with_capacity(k);
    let mut closest = vec![f32::MIN; vectors.len()];
    let mut next = 0;
    while centroids.len() < k {
        let seed = dense(&vectors[next]);
        for (v, best) in vectors.iter().zip(closest.iter_mut()) {
            *best = best.max(dot(v, &seed));
        }
        centroids.push(seed);
        next = closest.iter().enumerate().fold((0, f32::MAX), |acc, (i, &s)| if s < acc.1 { (i, s) } else { acc }).0;
    }
    let mut assignment = vec![0usize; vectors.len()];
    for _ in 0..ITERATIONS {
        let mut changed = false;
        for (v, slot) in vectors.iter().zip(assignment.iter_mut()) {
            let mut best = (0usize, f32::MIN);
            for (c, centroid) in centroids.iter().enumerate() {
                let s = dot(v, centroid);
                if s > best.1 {
                    best = (c, s);
                }
            }
            if *slot != best.0 {
                changed = true;
                *slot = best.0;
            }
        }
        let mut sums = vec![vec![0.0f32; dims]; k];
        for (v, &c) in vectors.iter().zip(&assignment) {
            for &(d, x) in v {
                sums[c][d] += x;
            }
        }
        for (centroid, sum) in centroids.iter_mut().zip(sums) {
            let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                *centroid = sum.into_iter().map(|x| x / norm).collect();
            }
        }
        if !changed {
            break;
        }
    }
    assignment
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_the_same_contexts_share_a_cluster() {
        // a/b appear between x and y; c/d between p and q.
        let mut sentences = Vec::new();
        for _ in 0..5 {
            sentences.push(vec![10, 1, 20]);
            sentences.push(vec![10, 2, 20]);
            sentences.push(vec![30, 3, 40]);
            sentences.push(vec![30, 4, 40]);
        }
        let clusters = cluster_words(&sentences, &[4]);
        assert_eq!(clusters[&1], clusters[&2]);
        assert_eq!(clusters[&3], clusters[&4]);
        assert_ne!(clusters[&1], clusters[&3]);
    }

    #[test]
    fn too_little_text_gives_no_clusters() {
        assert!(cluster_words(&[vec![1, 2]], &[4]).is_empty());
    }
}
