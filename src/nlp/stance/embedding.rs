//! Stance from a statement's sentence embedding: a second opinion over the analyzer's own
//! decision, for builds that embed statements (feature `transformers`).
//!
//! A multinomial logistic regression reads the statement's embedding (the vector the
//! embedding stage stores, of `embed::statement_text`) concatenated with the analyzer's
//! decision (its stance and stance source, one-hot) and scores every label. It is trained on
//! the stance corpus's train split only, on the analyzer's *out-of-fold* decisions (each
//! train item decided by a content model trained without it), so it learns how far the
//! analyzer can be trusted on statements it has not seen, not on ones it memorised.
//!
//! Status: measured and switched off. On the corpus it scores 0.798 against the analyzer's
//! 0.787 over 5 item folds of the train split, but 0.798 against 0.798 on the test split, so
//! nothing in the pipeline calls it; `quotewire train-stance-embedding` retrains and scores
//! it, and `config/models/stance-embedding-en.bin` holds the trained weights.
//!
//! Invariant: training and scoring are deterministic (full-batch steps, sums in a fixed
//! order), so equal examples and settings give equal model bytes; a malformed file or a
//! vector of another length is an error, never a panic. This module never runs a model: the
//! caller hands it vectors (and, for training, an [`Embedder`]).

use std::io::{Read, Write};

use super::corpus::{self, FoldBy, Part, StanceItem, StanceReport};
use super::model::{LABELS, Scores, best, index};
use super::{StanceError, TrainConfig, train_on};
use crate::embed::{Embedder, statement_text};
use crate::model::{QuoteRecord, Stance, StanceSource};
use crate::nlp::Analyzer;

/// Where the trained classifier is shipped (not embedded in the binary: only builds with
/// the `transformers` feature can use it).
pub const EMBEDDING_STANCE_MODEL: &str = "config/models/stance-embedding-en.bin";

/// First bytes of a model file.
const MAGIC: &[u8; 8] = b"QWSTEMB1";

/// The stance sources, in one-hot order.
const SOURCES: [StanceSource; 3] = [StanceSource::Cue, StanceSource::Content, StanceSource::Both];

/// Inputs besides the embedding: the analyzer's stance and its source, one-hot.
const DECISION_INPUTS: usize = LABELS + SOURCES.len();

/// Adam's moment decay rates and the guard of its first steps.
const ADAM_BETA1: f32 = 0.9;
const ADAM_BETA2: f32 = 0.999;
const ADAM_EPSILON: f32 = 1e-8;

/// Training settings (chosen by 5-fold cross-validation on the train split).
#[derive(Debug, Clone, Copy)]
pub struct EmbeddingTrainConfig {
    /// Full-batch steps.
    pub steps: usize,
    /// Adam's step size.
    pub learning_rate: f32,
    /// L2 penalty on the weights (not the biases), per example.
    pub l2: f32,
    /// Factor on the embedding's values (unit vectors have values near 1/sqrt(dimension)).
    pub embedding_scale: f32,
    /// Factor on the analyzer's one-hot decision (0: the embedding alone decides).
    pub decision_scale: f32,
}

impl Default for EmbeddingTrainConfig {
    fn default() -> EmbeddingTrainConfig {
        EmbeddingTrainConfig { steps: 500, learning_rate: 0.02, l2: 0.01, embedding_scale: 5.0, decision_scale: 1.0 }
    }
}

/// The classifier: one weight row and bias per label.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingStanceModel {
    /// Free text saying how the model was trained.
    pub description: String,
    /// Length of the embeddings it reads.
    pub dimension: usize,
    /// Factors on the embedding's values and on the one-hot decision.
    embedding_scale: f32,
    decision_scale: f32,
    /// `LABELS` rows of `dimension + DECISION_INPUTS` weights.
    weights: Vec<f32>,
    bias: Scores,
}

/// One statement to learn from: its embedding, the analyzer's decision and the gold label.
#[derive(Debug, Clone)]
pub struct EmbeddingExample {
    pub vector: Vec<f32>,
    pub stance: Stance,
    pub source: StanceSource,
    pub gold: Stance,
}

impl EmbeddingStanceModel {
    fn inputs(&self) -> usize {
        self.dimension + DECISION_INPUTS
    }

    /// The label scores of a statement with embedding `vector` that the analyzer judged
    /// `stance` (from `source`).
    pub fn scores(&self, vector: &[f32], stance: Stance, source: StanceSource) -> Result<Scores, StanceError> {
        if vector.len() != self.dimension {
            return Err(StanceError::Model {
                reason: format!(
                    "the embedding stance model reads vectors of {} values, got {} (another embedding model?)",
                    self.dimension,
                    vector.len()
                ),
            });
        }
        let n = self.inputs();
        let (s, o) = (self.dimension + index(stance), self.dimension + LABELS + source_index(source));
        Ok(std::array::from_fn(|c| {
            let row = &self.weights[c * n..(c + 1) * n];
            let dot: f32 = row[..self.dimension].iter().zip(vector).map(|(w, x)| w * x).sum();
            self.bias[c] + dot * self.embedding_scale + (row[s] + row[o]) * self.decision_scale
        }))
    }

    /// The stance of `quote` given its stored embedding `vector`.
    pub fn decide(&self, quote: &QuoteRecord, vector: &[f32]) -> Result<Stance, StanceError> {
        Ok(best(&self.scores(vector, quote.stance, quote.stance_source)?, |_| true).0)
    }

    /// Serialises the model: magic, description, dimension, biases, weights row by row
    /// (little-endian f32); gzip-compressed.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut raw = Vec::new();
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&(self.description.len() as u32).to_le_bytes());
        raw.extend_from_slice(self.description.as_bytes());
        raw.extend_from_slice(&(self.dimension as u32).to_le_bytes());
        for w in [self.embedding_scale, self.decision_scale].iter().chain(&self.bias).chain(&self.weights) {
            raw.extend_from_slice(&w.to_le_bytes());
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing to a Vec cannot fail.
        let _ = gz.write_all(&raw);
        gz.finish().unwrap_or_default()
    }

    /// Parses a model file written by [`EmbeddingStanceModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<EmbeddingStanceModel, StanceError> {
        let bad = |reason: String| StanceError::Model { reason: format!("embedding stance model: {reason}") };
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut raw).map_err(|e| bad(format!("not gzip: {e}")))?;
        let mut at = 0usize;
        let mut take = |n: usize| -> Result<&[u8], StanceError> {
            let s = raw.get(at..at.saturating_add(n)).ok_or_else(|| bad("truncated".into()))?;
            at += n;
            Ok(s)
        };
        if take(MAGIC.len())? != MAGIC {
            return Err(bad("not a quotewire embedding stance model".into()));
        }
        let u32_at = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let len = u32_at(take(4)?);
        let description = String::from_utf8_lossy(take(len)?).into_owned();
        let dimension = u32_at(take(4)?);
        let floats = LABELS
            .checked_mul(dimension + DECISION_INPUTS + 1)
            .and_then(|n| n.checked_add(2))
            .filter(|&n| n <= raw.len() / 4)
            .ok_or_else(|| bad(format!("dimension {dimension} does not fit the file")))?;
        let values: Vec<f32> =
            take(floats * 4)?.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        if at != raw.len() {
            return Err(bad("trailing bytes".into()));
        }
        let (embedding_scale, decision_scale) = (values[0], values[1]);
        let bias = std::array::from_fn(|c| values[2 + c]);
        let weights = values[2 + LABELS..].to_vec();
        Ok(EmbeddingStanceModel { description, dimension, embedding_scale, decision_scale, weights, bias })
    }
}

fn source_index(source: StanceSource) -> usize {
    SOURCES.iter().position(|s| *s == source).unwrap_or(1)
}

/// Trains the classifier on `examples` (all of one embedding length): full-batch Adam on
/// the mean log loss plus `l2` times the squared weights.
pub fn train_embedding_model(
    examples: &[EmbeddingExample],
    config: &EmbeddingTrainConfig,
    description: String,
) -> EmbeddingStanceModel {
    let dimension = examples.first().map_or(0, |e| e.vector.len());
    let n = dimension + DECISION_INPUTS;
    let mut model = EmbeddingStanceModel {
        description,
        dimension,
        embedding_scale: config.embedding_scale,
        decision_scale: config.decision_scale,
        weights: vec![0.0; LABELS * n],
        bias: [0.0; LABELS],
    };
    let (es, ds) = (config.embedding_scale, config.decision_scale);
    let examples: Vec<&EmbeddingExample> = examples.iter().filter(|e| e.vector.len() == dimension).collect();
    if examples.is_empty() {
        return model;
    }
    let params = LABELS * (n + 1);
    let (mut m, mut v) = (vec![0.0f32; params], vec![0.0f32; params]);
    let scale = 1.0 / examples.len() as f32;
    for step in 1..=config.steps {
        // Gradient: biases first, then weights, as in `to_bytes`.
        let mut grad = vec![0.0f32; params];
        for e in &examples {
            let scores = model.scores(&e.vector, e.stance, e.source).unwrap_or([0.0; LABELS]);
            let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let exp: Scores = std::array::from_fn(|c| (scores[c] - max).exp());
            let z: f32 = exp.iter().sum();
            let gold = index(e.gold);
            let (s, o) = (dimension + index(e.stance), dimension + LABELS + source_index(e.source));
            for c in 0..LABELS {
                let d = (exp[c] / z - if c == gold { 1.0 } else { 0.0 }) * scale;
                grad[c] += d;
                let row = &mut grad[LABELS + c * n..LABELS + (c + 1) * n];
                for (g, x) in row[..dimension].iter_mut().zip(&e.vector) {
                    *g += d * x * es;
                }
                row[s] += d * ds;
                row[o] += d * ds;
            }
        }
        for (g, w) in grad[LABELS..].iter_mut().zip(&model.weights) {
            *g += 2.0 * config.l2 * w;
        }
        let (c1, c2) = (1.0 - ADAM_BETA1.powi(step as i32), 1.0 - ADAM_BETA2.powi(step as i32));
        for (k, g) in grad.iter().enumerate() {
            m[k] = ADAM_BETA1 * m[k] + (1.0 - ADAM_BETA1) * g;
            v[k] = ADAM_BETA2 * v[k] + (1.0 - ADAM_BETA2) * g * g;
            let delta = config.learning_rate * (m[k] / c1) / ((v[k] / c2).sqrt() + ADAM_EPSILON);
            if k < LABELS {
                model.bias[k] -= delta;
            } else {
                model.weights[k - LABELS] -= delta;
            }
        }
    }
    model
}

/// A gold statement of the corpus that a quote of the analyzer matched.
#[derive(Debug, Clone)]
pub struct MatchedStatement {
    /// The text the embedding stage embeds for the quote.
    pub text: String,
    pub stance: Stance,
    pub source: StanceSource,
    pub gold: Stance,
}

/// The gold statements of `items` that a quote of `analyzer` matches, with its decision.
pub fn matched_statements<'a>(
    analyzer: &Analyzer,
    items: impl IntoIterator<Item = &'a StanceItem>,
) -> Vec<MatchedStatement> {
    let mut out = Vec::new();
    corpus::for_each_match(analyzer, items, |statement, quote| {
        if let Some(q) = quote {
            out.push(MatchedStatement {
                text: statement_text(q),
                stance: q.stance,
                source: q.stance_source,
                gold: statement.stance,
            });
        }
    });
    out
}

/// Rules-only against rules plus the embedding classifier, on the same statements.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// The analyzer's own stances.
    pub rules: StanceReport,
    /// The embedding classifier's stances.
    pub embedding: StanceReport,
}

/// What [`train_and_evaluate`] measured and trained.
#[derive(Debug, Clone)]
pub struct EmbeddingStanceRun {
    /// Cross-validation over item folds of the train split.
    pub cross_validation: Comparison,
    /// The fixed test split (never tuned on).
    pub test: Comparison,
    /// Trained on every train statement.
    pub model: EmbeddingStanceModel,
    /// Train statements learnt from.
    pub examples: usize,
}

/// Trains the classifier on the train split of `items` and scores it beside the analyzer.
///
/// Each train item is first decided by a content model trained on the other `folds - 1`
/// item folds (out-of-fold decisions, as on unseen text); the classifier's cross-validation
/// trains on the other folds' statements and scores each fold. The shipped model trains on
/// all train statements; the test split is decided by the shipped stance model and scored
/// once.
pub fn train_and_evaluate(
    items: &[StanceItem],
    embedder: &dyn Embedder,
    folds: usize,
    config: &EmbeddingTrainConfig,
) -> Result<EmbeddingStanceRun, crate::embed::EmbedError> {
    let groups = corpus::folds(items, Part::Train, folds.max(2), FoldBy::Item);
    let mut train: Vec<(usize, EmbeddingExample)> = Vec::new();
    for (k, held) in groups.iter().enumerate() {
        let rest = groups.iter().enumerate().filter(|(j, _)| *j != k).flat_map(|(_, g)| g.iter().copied());
        let (content_model, _) = train_on(&Analyzer::new(), rest, &TrainConfig::default());
        let analyzer = Analyzer::new().with_stance_model(content_model);
        let statements = matched_statements(&analyzer, held.iter().copied());
        train.extend(embed_examples(embedder, statements)?.into_iter().map(|e| (k, e)));
    }
    let test = embed_examples(
        embedder,
        matched_statements(&Analyzer::new(), items.iter().filter(|i| Part::Test.keeps(&i.id))),
    )?;

    let mut cross_validation = Comparison::default();
    for k in 0..groups.len() {
        let rest: Vec<EmbeddingExample> = train.iter().filter(|(j, _)| *j != k).map(|(_, e)| e.clone()).collect();
        let model = train_embedding_model(&rest, config, String::new());
        let held = train.iter().filter(|(j, _)| *j == k).map(|(_, e)| e);
        add_comparison(&mut cross_validation, &model, held);
    }
    let all: Vec<EmbeddingExample> = train.into_iter().map(|(_, e)| e).collect();
    let description = format!(
        "quotewire embedding stance model: multinomial logistic regression over the {} embedding of a statement (times {}) and the analyzer's stance and stance source (one-hot, times {}), full-batch Adam, rate {}, L2 {}, {} steps, trained on {} statements of the stance corpus's train split with out-of-fold decisions from {} item folds",
        embedder.model(),
        config.embedding_scale,
        config.decision_scale,
        config.learning_rate,
        config.l2,
        config.steps,
        all.len(),
        groups.len()
    );
    let model = train_embedding_model(&all, config, description);
    let mut test_comparison = Comparison::default();
    add_comparison(&mut test_comparison, &model, test.iter());
    Ok(EmbeddingStanceRun { cross_validation, test: test_comparison, model, examples: all.len() })
}

fn embed_examples(
    embedder: &dyn Embedder,
    statements: Vec<MatchedStatement>,
) -> Result<Vec<EmbeddingExample>, crate::embed::EmbedError> {
    let texts: Vec<&str> = statements.iter().map(|s| s.text.as_str()).collect();
    let vectors = embedder.embed(&texts)?;
    Ok(statements
        .iter()
        .zip(vectors)
        .map(|(s, vector)| EmbeddingExample { vector, stance: s.stance, source: s.source, gold: s.gold })
        .collect())
}

fn add_comparison<'a>(
    comparison: &mut Comparison,
    model: &EmbeddingStanceModel,
    examples: impl IntoIterator<Item = &'a EmbeddingExample>,
) {
    for e in examples {
        comparison.rules.add(e.gold, Some(e.stance));
        let scores = model.scores(&e.vector, e.stance, e.source).unwrap_or([0.0; LABELS]);
        comparison.embedding.add(e.gold, Some(best(&scores, |_| true).0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(vector: [f32; 3], stance: Stance, gold: Stance) -> EmbeddingExample {
        EmbeddingExample { vector: vector.to_vec(), stance, source: StanceSource::Content, gold }
    }

    /// Statements whose embedding says more than the analyzer's (neutral) decision.
    fn examples() -> Vec<EmbeddingExample> {
        vec![
            example([1.0, 0.0, 0.0], Stance::Neutral, Stance::Deny),
            example([0.9, 0.1, 0.0], Stance::Neutral, Stance::Deny),
            example([0.0, 1.0, 0.0], Stance::Neutral, Stance::Warn),
            example([0.1, 0.9, 0.0], Stance::Neutral, Stance::Warn),
            example([0.0, 0.0, 1.0], Stance::Neutral, Stance::Neutral),
            example([0.0, 0.1, 0.9], Stance::Support, Stance::Support),
        ]
    }

    #[test]
    fn training_learns_separable_examples_deterministically() {
        let config = EmbeddingTrainConfig { steps: 200, learning_rate: 0.1, l2: 0.0, ..Default::default() };
        let a = train_embedding_model(&examples(), &config, "t".into());
        let b = train_embedding_model(&examples(), &config, "t".into());
        assert_eq!(a.to_bytes(), b.to_bytes());
        for e in examples() {
            let scores = a.scores(&e.vector, e.stance, e.source).unwrap();
            assert_eq!(best(&scores, |_| true).0, e.gold, "{:?}", e.vector);
        }
    }

    #[test]
    fn models_round_trip_and_bad_files_are_errors() {
        let model = train_embedding_model(&examples(), &EmbeddingTrainConfig::default(), "test".into());
        let bytes = model.to_bytes();
        let back = EmbeddingStanceModel::from_bytes(&bytes).expect("loads");
        assert_eq!(back, model);
        assert_eq!(back.to_bytes(), bytes);
        assert!(EmbeddingStanceModel::from_bytes(b"not a model").is_err());
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut raw).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&raw[..raw.len() - 3]).unwrap();
        assert!(EmbeddingStanceModel::from_bytes(&gz.finish().unwrap()).is_err(), "a truncated file");
    }

    #[test]
    fn a_vector_of_another_length_is_an_error() {
        let model = train_embedding_model(&examples(), &EmbeddingTrainConfig::default(), "t".into());
        let err = model.scores(&[0.0; 4], Stance::Neutral, StanceSource::Cue).unwrap_err();
        assert!(err.to_string().contains("reads vectors of 3 values, got 4"), "{err}");
    }
}
