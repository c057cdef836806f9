//! Vector search over statement embeddings: an in-memory index of quantised codes.
//!
//! Owns the search structure only. Vectors come from the store (which keeps the f32
//! originals) and queries from an [`Embedder`](crate::embed::Embedder); this module never
//! computes embeddings, reads the store or touches tantivy. Pure Rust, no feature needed.
//!
//! The method is an exact scan in two stages (see `ARCHITECTURE.md` for why not an ANN
//! graph): every vector is kept as a sign-bit code (one bit per dimension, thresholded at the
//! per-dimension mean so the bits split the data evenly) and as an int8 code with a
//! per-vector scale. A query is compared with every bit code by Hamming distance (popcount,
//! both cores), the closest [`rerank_candidates`] are re-scored by the dot product of the
//! f32 query with their int8 codes, and the best `k` are returned with that cosine score.
//! Memory per 384-dimension vector: 48 bytes of bits + 388 bytes of int8 + its id.

mod quantize;
pub mod synthetic;

use std::collections::HashMap;

pub use quantize::{dot_i8, hamming, sign_bits};

/// Vectors used to fix the per-dimension thresholds of the sign bits before the rest stream in.
pub const CENTER_SAMPLE: usize = 10_000;
/// Fewest candidates re-ranked with int8 codes, whatever `k`: sign bits alone are coarse, and
/// re-ranking a few thousand int8 codes costs about a millisecond.
pub const MIN_RERANK_CANDIDATES: usize = 4_000;
/// Candidates re-ranked per result asked for.
pub const RERANK_PER_RESULT: usize = 200;
/// Below this many vectors a scan runs on one thread (spawning costs more than it saves).
const PARALLEL_SCAN_MIN: usize = 50_000;

/// How many sign-bit candidates a search for `k` results re-ranks.
pub fn rerank_candidates(k: usize) -> usize {
    (k * RERANK_PER_RESULT).max(MIN_RERANK_CANDIDATES)
}

/// Errors of the vector index.
#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    #[error("vector `{id}` has {found} dimensions, the index holds {expected}")]
    Dimension { id: String, found: usize, expected: usize },
    #[error("vector `{id}` is not finite or is all zeros")]
    Degenerate { id: String },
}

/// One search result: the position of the vector in the index, its id and cosine similarity.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    pub id: String,
    pub score: f32,
}

/// An in-memory index of unit vectors with quantised codes.
pub struct VectorIndex {
    dim: usize,
    words: usize,
    center: Vec<f32>,
    ids: Vec<String>,
    positions: HashMap<String, usize>,
    bits: Vec<u64>,
    codes: Vec<i8>,
    scales: Vec<f32>,
}

impl VectorIndex {
    /// An empty index whose sign bits are thresholded at `center` (one value per dimension).
    pub fn with_center(center: Vec<f32>) -> VectorIndex {
        let dim = center.len();
        VectorIndex {
            dim,
            words: dim.div_ceil(64),
            center,
            ids: Vec::new(),
            positions: HashMap::new(),
            bits: Vec::new(),
            codes: Vec::new(),
            scales: Vec::new(),
        }
    }

    /// Builds an index from vectors, thresholding the bits at the mean of the first
    /// [`CENTER_SAMPLE`] of them.
    pub fn build<I, S>(dim: usize, vectors: I) -> Result<VectorIndex, VectorError>
    where
        I: IntoIterator<Item = (S, Vec<f32>)>,
        S: Into<String>,
    {
        let mut builder = VectorIndexBuilder::new(dim);
        for (id, vector) in vectors {
            builder.push(id, &vector)?;
        }
        Ok(builder.finish())
    }

    pub fn dimension(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.positions.contains_key(id)
    }

    /// Adds (or replaces) a vector; it is normalised to unit length first.
    pub fn insert(&mut self, id: impl Into<String>, vector: &[f32]) -> Result<(), VectorError> {
        let id = id.into();
        let unit = normalise(&id, vector, self.dim)?;
        let bits = sign_bits(&unit, &self.center);
        let (codes, scale) = quantize::int8(&unit);
        match self.positions.get(&id) {
            Some(&at) => {
                self.bits[at * self.words..(at + 1) * self.words].copy_from_slice(&bits);
                self.codes[at * self.dim..(at + 1) * self.dim].copy_from_slice(&codes);
                self.scales[at] = scale;
            }
            None => {
                self.positions.insert(id.clone(), self.ids.len());
                self.ids.push(id);
                self.bits.extend_from_slice(&bits);
                self.codes.extend_from_slice(&codes);
                self.scales.push(scale);
            }
        }
        Ok(())
    }

    /// The stored vector of `id`, decoded from its int8 code (unit length up to rounding).
    pub fn vector(&self, id: &str) -> Option<Vec<f32>> {
        let at = *self.positions.get(id)?;
        let scale = self.scales[at];
        Some(self.codes[at * self.dim..(at + 1) * self.dim].iter().map(|&c| f32::from(c) * scale).collect())
    }

    /// The `k` vectors most similar to `query` (cosine), best first, leaving out the ids
    /// for which `exclude` is true (the query's own statement, say).
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        exclude: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<Neighbour>, VectorError> {
        let query = normalise("query", query, self.dim)?;
        if k == 0 || self.is_empty() {
            return Ok(Vec::new());
        }
        let query_bits = sign_bits(&query, &self.center);
        let candidates = self.closest_bits(&query_bits, rerank_candidates(k));
        let mut scored: Vec<(usize, f32)> = candidates
            .into_iter()
            .filter(|&at| !exclude(&self.ids[at]))
            .map(|at| (at, dot_i8(&query, &self.codes[at * self.dim..(at + 1) * self.dim]) * self.scales[at]))
            .collect();
        scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        Ok(scored.into_iter().map(|(at, score)| Neighbour { id: self.ids[at].clone(), score }).collect())
    }

    /// Positions of (about) the `count` codes nearest to `query_bits` by Hamming distance:
    /// every code strictly closer than the cut-off distance, then ties in index order.
    fn closest_bits(&self, query_bits: &[u64], count: usize) -> Vec<usize> {
        let n = self.len();
        if count >= n {
            return (0..n).collect();
        }
        let distances = self.hamming_all(query_bits);
        // Distances are at most `dim`: a histogram finds the cut-off in two passes.
        let mut histogram = vec![0usize; self.dim + 2];
        for &d in &distances {
            histogram[usize::from(d)] += 1;
        }
        let (mut cutoff, mut below) = (0, 0);
        while below + histogram[cutoff] < count {
            below += histogram[cutoff];
            cutoff += 1;
        }
        let mut ties = count - below;
        let mut out = Vec::with_capacity(count);
        for (at, &d) in distances.iter().enumerate() {
            let d = usize::from(d);
            if d < cutoff {
                out.push(at);
            } else if d == cutoff && ties > 0 {
                out.push(at);
                ties -= 1;
            }
        }
        out
    }

    /// Hamming distance from `query_bits` to every code, on all cores for large indexes.
    fn hamming_all(&self, query_bits: &[u64]) -> Vec<u16> {
        let n = self.len();
        let mut distances = vec![0u16; n];
        let threads =
            if n < PARALLEL_SCAN_MIN { 1 } else { std::thread::available_parallelism().map_or(1, |p| p.get()).min(8) };
        let chunk = n.div_ceil(threads);
        let words = self.words;
        std::thread::scope(|scope| {
            for (part, out) in distances.chunks_mut(chunk).enumerate() {
                let start = part * chunk;
                let bits = &self.bits[start * words..(start + out.len()) * words];
                let mut work = move || quantize::hamming_many(query_bits, bits, out);
                if threads == 1 {
                    work();
                } else {
                    scope.spawn(work);
                }
            }
        });
        distances
    }
}

/// Builds a [`VectorIndex`] from a stream of vectors: the first [`CENTER_SAMPLE`] are held
/// back until their mean fixes the thresholds of the sign bits.
pub struct VectorIndexBuilder {
    dim: usize,
    sample: Vec<(String, Vec<f32>)>,
    index: Option<VectorIndex>,
}

impl VectorIndexBuilder {
    pub fn new(dim: usize) -> VectorIndexBuilder {
        VectorIndexBuilder { dim, sample: Vec::new(), index: None }
    }

    pub fn push(&mut self, id: impl Into<String>, vector: &[f32]) -> Result<(), VectorError> {
        let id = id.into();
        if let Some(index) = &mut self.index {
            return index.insert(id, vector);
        }
        let unit = normalise(&id, vector, self.dim)?;
        self.sample.push((id, unit));
        if self.sample.len() >= CENTER_SAMPLE {
            self.fix_center()?;
        }
        Ok(())
    }

    fn fix_center(&mut self) -> Result<(), VectorError> {
        let mut center = vec![0f32; self.dim];
        for (_, v) in &self.sample {
            for (c, x) in center.iter_mut().zip(v) {
                *c += x;
            }
        }
        let count = self.sample.len().max(1) as f32;
        center.iter_mut().for_each(|c| *c /= count);
        let mut index = VectorIndex::with_center(center);
        for (id, v) in self.sample.drain(..) {
            index.insert(id, &v)?;
        }
        self.index = Some(index);
        Ok(())
    }

    pub fn finish(mut self) -> VectorIndex {
        if self.index.is_none() {
            // Every sample vector was checked on push, so inserting cannot fail.
            if self.fix_center().is_err() {
                return VectorIndex::with_center(vec![0.0; self.dim]);
            }
        }
        self.index.unwrap_or_else(|| VectorIndex::with_center(vec![0.0; self.dim]))
    }
}

/// `vector` scaled to unit length, or an error for a wrong length, NaN or zero vector.
fn normalise(id: &str, vector: &[f32], dim: usize) -> Result<Vec<f32>, VectorError> {
    if vector.len() != dim {
        return Err(VectorError::Dimension { id: id.to_string(), found: vector.len(), expected: dim });
    }
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if !norm.is_finite() || norm == 0.0 {
        return Err(VectorError::Degenerate { id: id.to_string() });
    }
    Ok(vector.iter().map(|x| x / norm).collect())
}

/// Cosine similarity of two vectors of equal length (0 when either is zero).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na * nb) }
}

#[cfg(test)]
mod tests;
