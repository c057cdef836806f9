//! The stance model: a linear scorer of every stance label from a statement's hashed
//! features (see `features`), trained by `train` (an averaged perceptron) on the project's
//! stance corpus and shipped in `config/models/stance-en.bin`.
//!
//! Invariant: loading, scoring and saving are deterministic; equal models give equal bytes
//! (features sorted by id, weights as little-endian f32). A malformed file is an error,
//! never a panic.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};
use std::sync::OnceLock;

use super::StanceError;
use super::features::Evidence;
use crate::model::Stance;

/// Number of stance labels, in [`Stance::ALL`] order.
pub(crate) const LABELS: usize = 8;

/// The model shipped with the binary.
const SHIPPED_BYTES: &[u8] = include_bytes!("../../../config/models/stance-en.bin");

/// First bytes of a model file.
const MAGIC: &[u8; 8] = b"QWSTANC1";

/// Scores for every label.
pub(crate) type Scores = [f32; LABELS];

/// Weights per hashed feature.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StanceModel {
    /// Free text saying how the model was trained.
    pub description: String,
    pub(crate) weights: HashMap<u64, Scores, BuildHasherDefault<IdHasher>>,
}

impl StanceModel {
    /// The model shipped in `config/models/stance-en.bin`.
    pub fn shipped() -> Result<&'static StanceModel, StanceError> {
        static SHIPPED: OnceLock<Result<StanceModel, String>> = OnceLock::new();
        SHIPPED
            .get_or_init(|| StanceModel::from_bytes(SHIPPED_BYTES).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|reason| StanceError::Model { reason: format!("the embedded model does not load ({reason})") })
    }

    /// The scores of the cue's features and of the content's.
    pub(crate) fn score(&self, evidence: &Evidence) -> (Scores, Scores) {
        (self.sum(&evidence.cue), self.sum(&evidence.content))
    }

    /// The summed weights of `features`.
    pub(crate) fn sum(&self, features: &[u64]) -> Scores {
        let mut s = [0.0f32; LABELS];
        for f in features {
            if let Some(w) = self.weights.get(f) {
                for (a, b) in s.iter_mut().zip(w) {
                    *a += b;
                }
            }
        }
        s
    }

    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Serialises the model: magic, description, feature count, then each feature id and
    /// its weights, sorted by id; gzip-compressed.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut raw = Vec::new();
        raw.extend_from_slice(MAGIC);
        let description = self.description.as_bytes();
        raw.extend_from_slice(&(description.len() as u32).to_le_bytes());
        raw.extend_from_slice(description);
        let mut ids: Vec<&u64> = self.weights.keys().collect();
        ids.sort_unstable();
        raw.extend_from_slice(&(ids.len() as u32).to_le_bytes());
        for id in ids {
            raw.extend_from_slice(&id.to_le_bytes());
            for w in &self.weights[id] {
                raw.extend_from_slice(&w.to_le_bytes());
            }
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing to a Vec cannot fail.
        let _ = gz.write_all(&raw);
        gz.finish().unwrap_or_default()
    }

    /// Parses a model file written by [`StanceModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<StanceModel, StanceError> {
        let bad = |reason: &str| StanceError::Model { reason: reason.to_string() };
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut raw).map_err(|e| bad(&format!("not gzip: {e}")))?;
        let mut r = Reader { bytes: &raw, at: 0 };
        if r.take(MAGIC.len()).ok_or_else(|| bad("truncated"))? != MAGIC {
            return Err(bad("not a quotewire stance model"));
        }
        let len = r.u32().ok_or_else(|| bad("truncated description"))? as usize;
        let description =
            String::from_utf8_lossy(r.take(len).ok_or_else(|| bad("truncated description"))?).into_owned();
        let count = r.u32().ok_or_else(|| bad("truncated feature count"))? as usize;
        let mut weights = HashMap::with_capacity_and_hasher(count, BuildHasherDefault::default());
        for _ in 0..count {
            let id = r.u64().ok_or_else(|| bad("truncated feature"))?;
            let mut w = [0.0f32; LABELS];
            for x in &mut w {
                *x = f32::from_bits(r.u32().ok_or_else(|| bad("truncated weights"))?);
            }
            weights.insert(id, w);
        }
        if r.at != raw.len() {
            return Err(bad("trailing bytes"));
        }
        Ok(StanceModel { description, weights })
    }
}

/// Little-endian reads over a byte slice.
struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// The label with the highest score among `allowed` (ties: the earlier label in
/// [`Stance::ALL`] order, neutral last), with its margin over the runner-up.
pub(crate) fn best(scores: &Scores, allowed: impl Fn(Stance) -> bool) -> (Stance, f32) {
    let mut top: Option<(usize, f32)> = None;
    let mut second = f32::NEG_INFINITY;
    for (i, &s) in scores.iter().enumerate() {
        if !allowed(Stance::ALL[i]) {
            continue;
        }
        match top {
            Some((_, t)) if s <= t => second = second.max(s),
            Some((_, t)) => {
                second = second.max(t);
                top = Some((i, s));
            }
            None => top = Some((i, s)),
        }
    }
    match top {
        Some((i, s)) => (Stance::ALL[i], if second.is_finite() { s - second } else { f32::INFINITY }),
        None => (Stance::Neutral, 0.0),
    }
}

/// The position of `stance` in [`Stance::ALL`] (and in [`Scores`]).
pub(crate) fn index(stance: Stance) -> usize {
    Stance::ALL.iter().position(|x| *x == stance).unwrap_or(LABELS - 1)
}

/// Feature ids are already hashes: use them as they are.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_round_trip_to_equal_bytes() {
        let mut model = StanceModel { description: "test".into(), ..StanceModel::default() };
        model.weights.insert(7, [1.0, -2.5, 0.0, 0.0, 0.0, 0.0, 0.0, 3.25]);
        model.weights.insert(3, [0.5; LABELS]);
        let bytes = model.to_bytes();
        let back = StanceModel::from_bytes(&bytes).expect("loads");
        assert_eq!(back, model);
        assert_eq!(back.to_bytes(), bytes);
        assert!(StanceModel::from_bytes(b"not a model").is_err());
        assert!(StanceModel::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    }

    #[test]
    fn the_shipped_model_loads() {
        assert!(StanceModel::shipped().is_ok());
    }

    #[test]
    fn best_skips_disallowed_labels_and_reports_the_margin() {
        let scores = [3.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0];
        assert_eq!(best(&scores, |_| true), (Stance::Deny, 1.0));
        assert_eq!(best(&scores, |s| s != Stance::Deny), (Stance::Neutral, 1.0));
    }
}
