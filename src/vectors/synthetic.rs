//! Deterministic synthetic embeddings for tests and benchmarks of the vector index: unit
//! vectors in clusters around random topics, with a direction shared by all of them, as
//! sentence embeddings have (they are far from uniformly spread over the sphere).

/// A small deterministic generator (SplitMix64), so tests need no seeded RNG crate.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Approximately standard normal (sum of uniforms, plenty for test data).
    pub fn normal(&mut self) -> f32 {
        (0..4).map(|_| self.unit()).sum::<f32>() * 3f32.sqrt() - 2.0 * 3f32.sqrt()
    }
}

/// Generator of clustered unit vectors.
pub struct Corpus {
    rng: SplitMix,
    dim: usize,
    shared: Vec<f32>,
    topics: Vec<Vec<f32>>,
}

/// Spread of a vector around its topic (per dimension): nearest neighbours land near cosine
/// 0.5–0.8, as paraphrases do with small sentence-embedding models.
const TOPIC_SPREAD: f32 = 0.045;

impl Corpus {
    pub fn new(seed: u64, dim: usize, topics: usize) -> Corpus {
        let mut rng = SplitMix::new(seed);
        let mut random_unit = |scale: f32| {
            let v: Vec<f32> = (0..dim).map(|_| rng.normal()).collect();
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.into_iter().map(|x| x / norm * scale).collect::<Vec<f32>>()
        };
        let shared = random_unit(0.6);
        let topics = (0..topics.max(1)).map(|_| random_unit(1.0)).collect();
        Corpus { rng, dim, shared, topics }
    }

    /// The next vector: a random topic plus noise plus the shared direction, unit length.
    pub fn next_vector(&mut self) -> Vec<f32> {
        let topic = (self.rng.next_u64() % self.topics.len() as u64) as usize;
        let v: Vec<f32> =
            (0..self.dim).map(|i| self.topics[topic][i] + self.shared[i] + self.rng.normal() * TOPIC_SPREAD).collect();
        unit(v)
    }

    /// A query near `vector`: the same statement in other words, roughly.
    pub fn perturb(&mut self, vector: &[f32], spread: f32) -> Vec<f32> {
        unit(vector.iter().map(|x| x + self.rng.normal() * spread).collect())
    }
}

fn unit(v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
    v.into_iter().map(|x| x / norm).collect()
}

/// The exact top `k` of `vectors` by cosine with `query` (brute force in f32), best first.
pub fn exact_top_k(vectors: &[(String, Vec<f32>)], query: &[f32], k: usize) -> Vec<String> {
    let mut scored: Vec<(f32, &str)> = vectors.iter().map(|(id, v)| (super::cosine(query, v), id.as_str())).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(k).map(|(_, id)| id.to_string()).collect()
}
