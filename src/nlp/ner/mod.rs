//! Named-entity tagging (PER, ORG, LOC, MISC) of tokenised sentences with an averaged
//! perceptron, plus training and evaluation of that model on CoNLL data.
//!
//! The tagger is a first-order structured perceptron over BILOU classes (17: `O` plus B/I/L/U
//! of each type), decoded per sentence with Viterbi restricted to valid BILOU sequences. Token
//! features cover the token and its neighbours (words, shapes, affixes, char trigrams, case
//! patterns, word clusters learnt from the training text, the run of capitalised words the
//! token belongs to), lexicons built from the training data (how often
//! a word is capitalised, its usual label, known entity names), and document context (the
//! labels given to the same word in earlier sentences; whether a capitalised word also appears
//! in lower case). Transition features pair the previous class with the current word and
//! shape. See `features.rs` for the templates and `train.rs` for training, including how
//! the sources' annotation differences are handled. A model may be stacked: a first-pass
//! model labels the whole document, and this model reads those labels as features.
//!
//! Tagging is bound by memory reads of the large weight table, so it does as few as it can:
//! each distinct word of a document is described and scored once (its word-only features and
//! its transition features), only the features that look at neighbours are scored per token,
//! and lookups are batched so their cache misses overlap (see `table.rs`).
//!
//! The shipped model (`config/models/ner-en.bin`, credits in `config/models/NOTICE`) is made
//! with `TrainConfig::default()` from the `ner-train` dataset; training is deterministic, so
//! the same data and settings give the same bytes.
//!
//! This module only tags: it neither tokenises nor resolves canonical entities, does no I/O
//! except reading training data in [`train`]/[`evaluate`], and never panics on input.

mod clusters;
mod conll;
mod decode;
mod evaluate;
mod features;
mod model_io;
mod perceptron;
mod scheme;
mod table;
mod train;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::model::EntityLabel;

use features::{DocMemory, DocText, DocVotes, Lexicon, Templates, TokenInfo};
use scheme::{NUM_CLASSES, TYPES};
use table::KeyTable;

pub use evaluate::{EVAL_DOC_SENTENCES, EvalReport, Prf, SourceEval, evaluate, write_dev_predictions};
pub use train::{EpochStats, SourceStats, TrainConfig, TrainReport, train};

/// The shipped English model (trained by `quotewire train-ner`), embedded in the binary.
static SHIPPED_BYTES: &[u8] = include_bytes!("../../../config/models/ner-en.bin");

/// Errors of training, evaluation and model loading.
#[derive(Debug, thiserror::Error)]
pub enum NerError {
    #[error("cannot read `{path}`: {source}; check that the path exists and is readable")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "malformed CoNLL in `{path}` at line {line}: {reason}; expected `token<TAB>tag` lines with BIO tags over PER, ORG, LOC, MISC and blank lines between sentences"
    )]
    Conll { path: PathBuf, line: usize, reason: String },
    #[error("no `*.{split}.conll.gz` files in `{dir}`: point the data directory at the ner-train dataset")]
    NoData { dir: PathBuf, split: String },
    #[error(
        "invalid NER model: {reason}; retrain it with `quotewire train-ner` or use the shipped config/models/ner-en.bin"
    )]
    Model { reason: String },
    #[error("invalid NER training configuration: {reason}")]
    Config { reason: String },
}

/// A trained tagger. Cheap to share: tagging takes `&self`.
#[derive(Clone)]
pub struct NerModel {
    /// Free text saying how the model was trained.
    pub(crate) description: String,
    /// Feature key -> row in `weights`.
    pub(crate) features: KeyTable,
    /// Row-major, [`NUM_CLASSES`] weights per feature.
    pub(crate) weights: Vec<i16>,
    /// Lower-cased word key -> word statistics (see `features::word_value`).
    pub(crate) words: KeyTable,
    /// Lower-cased token-sequence key -> bitmask of entity types.
    pub(crate) names: KeyTable,
    /// For a stacked (two-pass) model: the first-pass model, whose labels for the whole
    /// document feed this model's second-pass features (see `features::stacked_features`).
    pub(crate) first_pass: Option<Box<NerModel>>,
}

impl std::fmt::Debug for NerModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NerModel")
            .field("features", &self.features.len())
            .field("words", &self.words.len())
            .field("names", &self.names.len())
            .field("description", &self.description)
            .field("first_pass", &self.first_pass.is_some())
            .finish()
    }
}

impl Lexicon for NerModel {
    fn word(&self, lower_key: u32) -> u32 {
        self.words.get(lower_key).unwrap_or(0)
    }
    fn gazetteer(&self, span_key: u32) -> u8 {
        self.names.get(span_key).map_or(0, |v| v as u8)
    }
    fn gazetteer_many(&self, span_keys: &[u32], out: &mut Vec<u8>) {
        let mut found = Vec::with_capacity(span_keys.len());
        self.names.get_many(span_keys, &mut found);
        out.clear();
        out.extend(found.iter().map(|v| v.map_or(0, |v| v as u8)));
    }
}

/// Reusable buffers for tagging one document.
#[derive(Default)]
struct Scratch {
    keys: Vec<u32>,
    offsets: Vec<usize>,
    emission: Vec<decode::Emission>,
    stacked: Vec<Vec<u32>>,
    /// All feature keys of a batch, and where each token's (or word's) keys end.
    batch: Vec<u32>,
    ends: Vec<usize>,
    /// The weight row of each key in `batch`.
    rows: Vec<Option<u32>>,
}

/// Words scored in one batch by `NerModel::word_scores`: enough lookups to overlap many
/// cache misses, few enough that the touched lines stay in cache until they are read.
const WORD_BATCH: usize = 32;

/// FxHash-style hasher for the token strings of one document (not for keys that must be
/// stable: only used to find repeated tokens).
#[derive(Default, Clone, Copy)]
struct TextHasher(u64);

impl Hasher for TextHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(SEED);
        }
    }
}

/// The distinct tokens of a document: each is described once, and per-word scores are
/// computed once however often the word recurs.
struct DocWords {
    /// Per sentence, each token's index in `infos`.
    ids: Vec<Vec<u32>>,
    /// Description of each distinct token (word value from the model that built it).
    infos: Vec<TokenInfo>,
}

impl DocWords {
    fn new(sentences: &[Vec<&str>], lex: &impl Lexicon) -> Self {
        let mut index: HashMap<&str, u32, BuildHasherDefault<TextHasher>> = HashMap::default();
        let mut infos = Vec::new();
        let ids = sentences
            .iter()
            .map(|sentence| {
                sentence
                    .iter()
                    .map(|&token| {
                        *index.entry(token).or_insert_with(|| {
                            infos.push(features::describe(token, lex));
                            (infos.len() - 1) as u32
                        })
                    })
                    .collect()
            })
            .collect();
        DocWords { ids, infos }
    }
}

/// One model's scores for the distinct words of a document.
struct WordScores {
    /// Per distinct word: the sum of its [`features::word_features`] rows.
    emission: Vec<decode::Emission>,
    /// Full transition scores (bare class pairs plus the pairs with a shape, and with a
    /// word where it has any): one table per distinct short shape, then one per word with
    /// word-specific transition weights.
    transition: Vec<decode::Transition>,
    /// Per distinct word: its table in `transition`.
    transition_of: Vec<u32>,
}

impl NerModel {
    /// The model shipped in `config/models/ner-en.bin`, parsed on first use.
    pub fn shipped() -> Result<&'static NerModel, NerError> {
        static SHIPPED: OnceLock<Result<NerModel, String>> = OnceLock::new();
        SHIPPED
            .get_or_init(|| NerModel::from_bytes(SHIPPED_BYTES).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|reason| NerError::Model { reason: format!("the embedded model does not load ({reason})") })
    }

    /// Parses a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<NerModel, NerError> {
        model_io::from_bytes(bytes)
    }

    /// Serialises the model (deterministic: equal models give equal bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        model_io::to_bytes(self)
    }

    /// How the model was trained (sources, epochs, sizes).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Number of feature rows.
    pub fn feature_count(&self) -> usize {
        self.features.len()
    }

    /// A model with no weights (tags nothing); for tests of the file format.
    #[cfg(test)]
    pub(crate) fn empty() -> NerModel {
        NerModel {
            description: String::new(),
            features: KeyTable::default(),
            weights: Vec::new(),
            words: KeyTable::default(),
            names: KeyTable::default(),
            first_pass: None,
        }
    }

    /// Tags one document given as sentences of tokens; returns per sentence the entity spans
    /// as token-index ranges with labels, in order.
    pub fn tag_document(&self, sentences: &[Vec<&str>]) -> Vec<Vec<(Range<usize>, EntityLabel)>> {
        self.tag_classes(sentences)
            .iter()
            .map(|classes| {
                scheme::classes_to_spans(classes).into_iter().map(|(range, ty)| (range, TYPES[ty as usize])).collect()
            })
            .collect()
    }

    /// BILOU classes for every token of a document (running the first pass first when the
    /// model is stacked).
    pub(crate) fn tag_classes(&self, sentences: &[Vec<&str>]) -> Vec<Vec<u8>> {
        self.tag_words(&DocWords::new(sentences, self))
    }

    /// [`NerModel::tag_classes`] of a document whose distinct words are already described.
    fn tag_words(&self, words: &DocWords) -> Vec<Vec<u8>> {
        let first = self.first_pass.as_ref().map(|m| m.tag_words(words));
        // `describe` output with this model's word lexicon.
        let lexicon: Vec<TokenInfo> =
            words.infos.iter().map(|t| TokenInfo { word: self.word(t.lower_key), ..*t }).collect();
        let infos: Vec<Vec<TokenInfo>> =
            words.ids.iter().map(|s| s.iter().map(|&id| lexicon[id as usize]).collect()).collect();
        let doc = DocText::new(&infos);
        let votes = first.as_ref().map(|classes| DocVotes::new(&infos, classes));
        let mut memory = DocMemory::default();
        let mut scratch = Scratch::default();
        let scores = self.word_scores(&lexicon, &mut scratch);
        infos
            .iter()
            .zip(&words.ids)
            .enumerate()
            .map(|(s, (sentence, ids))| {
                let stacked = match (&first, &votes) {
                    (Some(classes), Some(votes)) => classes.get(s).map(|c| (c.as_slice(), votes)),
                    _ => None,
                };
                self.decode(sentence, ids, &scores, &doc, stacked, &mut memory, &mut scratch)
            })
            .collect()
    }

    /// Scores every distinct word of a document once.
    fn word_scores(&self, lexicon: &[TokenInfo], scratch: &mut Scratch) -> WordScores {
        // Scores of the bare (previous class, class) pairs, shared by all tokens.
        let mut base: decode::Transition = [[0; NUM_CLASSES]; decode::PREV_STATES];
        for (p, row) in base.iter_mut().enumerate() {
            self.add_row(features::bare_transition_key(p as u8), row);
        }
        // Bare pairs plus the pairs with each distinct short shape (few per document).
        let mut shape_index: HashMap<u64, usize, BuildHasherDefault<TextHasher>> = HashMap::default();
        let mut shapes: Vec<u64> = Vec::new();
        for t in lexicon {
            shape_index.entry(t.short_shape).or_insert_with(|| {
                shapes.push(t.short_shape);
                shapes.len() - 1
            });
        }
        // Room for a table per shape and per word up front: a table is 2 KiB, and growing the
        // vector would copy them all again.
        let mut transition: Vec<decode::Transition> = Vec::with_capacity(shapes.len() + lexicon.len());
        for chunk in shapes.chunks(WORD_BATCH) {
            scratch.batch.clear();
            for &shape in chunk {
                scratch.batch.extend((0..decode::PREV_STATES).map(|p| features::shape_transition_key(shape, p as u8)));
            }
            self.find_rows(&scratch.batch, &mut scratch.rows);
            for rows in scratch.rows.chunks_exact(decode::PREV_STATES) {
                let mut tr = base;
                for (row, found) in tr.iter_mut().zip(rows) {
                    self.add_rows(std::slice::from_ref(found), row);
                }
                transition.push(tr);
            }
        }
        let mut emission = Vec::with_capacity(lexicon.len());
        let mut transition_of = Vec::with_capacity(lexicon.len());
        for words in lexicon.chunks(WORD_BATCH) {
            scratch.batch.clear();
            scratch.ends.clear();
            for t in words {
                features::word_features(t, &mut scratch.batch);
                scratch.ends.push(scratch.batch.len());
            }
            self.find_rows(&scratch.batch, &mut scratch.rows);
            let mut start = 0;
            for &end in &scratch.ends {
                let mut e = [0i64; NUM_CLASSES];
                self.add_rows(&scratch.rows[start..end], &mut e);
                emission.push(e);
                start = end;
            }
            // Word transition keys, one per previous state, in state order.
            scratch.batch.clear();
            for t in words {
                scratch.batch.extend((0..decode::PREV_STATES).map(|p| features::word_transition_key(t, p as u8)));
            }
            self.find_rows(&scratch.batch, &mut scratch.rows);
            for (t, rows) in words.iter().zip(scratch.rows.chunks_exact(decode::PREV_STATES)) {
                // Every word's shape is in `shape_index`.
                let shape = shape_index.get(&t.short_shape).copied().unwrap_or(0);
                if rows.iter().all(Option::is_none) {
                    transition_of.push(shape as u32);
                    continue;
                }
                // The shape's table, copied in place (once) and then adjusted.
                transition_of.push(transition.len() as u32);
                if shape < transition.len() {
                    transition.extend_from_within(shape..shape + 1);
                } else {
                    transition.push(base);
                }
                if let Some(tr) = transition.last_mut() {
                    for (row, found) in tr.iter_mut().zip(rows) {
                        self.add_rows(std::slice::from_ref(found), row);
                    }
                }
            }
        }
        WordScores { emission, transition, transition_of }
    }

    #[inline]
    fn add_row(&self, key: u32, scores: &mut [i64; NUM_CLASSES]) {
        self.add_rows(&[self.features.get(key)], scores);
    }

    /// Adds the weights of `rows` (found by [`NerModel::find_rows`]) to `scores`.
    #[inline]
    fn add_rows(&self, rows: &[Option<u32>], scores: &mut [i64; NUM_CLASSES]) {
        for &row in rows.iter().flatten() {
            let start = row as usize * NUM_CLASSES;
            if let Some(weights) = self.weights.get(start..start + NUM_CLASSES) {
                for (s, w) in scores.iter_mut().zip(weights) {
                    *s += i64::from(*w);
                }
            }
        }
    }

    /// The weight row of each of `keys`. Prefetches every row found before returning, so
    /// that the cache misses of a whole batch overlap rather than stall one by one.
    fn find_rows(&self, keys: &[u32], rows: &mut Vec<Option<u32>>) {
        self.features.get_many(keys, rows);
        for &row in rows.iter().flatten() {
            let start = row as usize * NUM_CLASSES;
            if let (Some(first), Some(last)) = (self.weights.get(start), self.weights.get(start + NUM_CLASSES - 1)) {
                table::prefetch(first);
                // A row is 34 bytes: its end is often on the same cache line.
                if (first as *const i16 as usize) / 64 != (last as *const i16 as usize) / 64 {
                    table::prefetch(last);
                }
            }
        }
    }

    /// Viterbi decoding of one sentence (`ids` index the document's distinct words in
    /// `scores`); records its labels in `memory`.
    #[allow(clippy::too_many_arguments)]
    fn decode(
        &self,
        infos: &[TokenInfo],
        ids: &[u32],
        scores: &WordScores,
        doc: &DocText,
        stacked: Option<(&[u8], &DocVotes)>,
        memory: &mut DocMemory,
        scratch: &mut Scratch,
    ) -> Vec<u8> {
        if infos.is_empty() {
            return Vec::new();
        }
        features::static_features(infos, self, doc, Templates::Context, &mut scratch.keys, &mut scratch.offsets);
        scratch.stacked.resize_with(infos.len().max(scratch.stacked.len()), Vec::new);
        for keys in &mut scratch.stacked {
            keys.clear();
        }
        if let Some((classes, votes)) = stacked {
            features::stacked_features(infos, classes, votes, &mut scratch.stacked);
        }
        // Every key of the sentence, then one batched lookup.
        scratch.batch.clear();
        scratch.ends.clear();
        for (i, t) in infos.iter().enumerate() {
            scratch.batch.extend_from_slice(&scratch.keys[scratch.offsets[i]..scratch.offsets[i + 1]]);
            scratch.batch.extend_from_slice(&scratch.stacked[i]);
            features::memory_features(t, memory.get(t), &mut scratch.batch);
            scratch.ends.push(scratch.batch.len());
        }
        self.find_rows(&scratch.batch, &mut scratch.rows);
        scratch.emission.clear();
        let mut transition: Vec<&decode::Transition> = Vec::with_capacity(infos.len());
        let mut start = 0;
        for (&id, &end) in ids.iter().zip(&scratch.ends) {
            let mut e = scores.emission[id as usize];
            self.add_rows(&scratch.rows[start..end], &mut e);
            start = end;
            scratch.emission.push(e);
            transition.push(&scores.transition[scores.transition_of[id as usize] as usize]);
        }
        let classes = decode::viterbi(&scratch.emission, &transition, None);
        memory.record(infos, classes.iter().map(|&c| scheme::type_of(c).unwrap_or(4)));
        classes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<&str> {
        text.split_whitespace().collect()
    }

    fn labelled(sentence: &[&str], spans: &[(Range<usize>, EntityLabel)]) -> Vec<(String, &'static str)> {
        spans.iter().map(|(r, l)| (sentence[r.clone()].join(" "), l.as_str())).collect()
    }

    #[test]
    fn batched_gazetteer_lookups_agree_with_single_ones() {
        let model = NerModel::shipped().expect("shipped model loads");
        let words = tokens("the European Union and New York City said Angela Merkel met Microsoft");
        let infos: Vec<TokenInfo> = words.iter().map(|w| features::describe(w, model)).collect();
        let mut keys = Vec::new();
        for start in 0..infos.len() {
            let mut acc = features::SPAN_KEY_START;
            for t in &infos[start..] {
                acc = features::span_key_step(acc, t.lower);
                keys.push(features::fold(acc));
            }
        }
        let mut batched = Vec::new();
        model.gazetteer_many(&keys, &mut batched);
        let single: Vec<u8> = keys.iter().map(|&k| model.gazetteer(k)).collect();
        assert_eq!(batched, single);
        assert!(single.iter().any(|&m| m != 0), "some span of the sentence is a known name");
    }

    #[test]
    fn shipped_model_tags_a_news_paragraph() {
        let model = NerModel::shipped().expect("shipped model loads");
        let doc = vec![
            tokens(
                "Satya Nadella , the chief executive of Microsoft , told reporters in Seattle on Tuesday that the company would expand its data centres in Germany .",
            ),
            tokens(
                "Nadella said the British government had approved the plan , according to a statement from the Department for Business and Trade .",
            ),
            tokens("The Olympic Games will open in Paris next summer , organisers said ."),
        ];
        let tagged = model.tag_document(&doc);
        let found: Vec<(String, &str)> = doc.iter().zip(&tagged).flat_map(|(s, spans)| labelled(s, spans)).collect();
        for expected in [
            ("Satya Nadella", "PER"),
            ("Microsoft", "ORG"),
            ("Seattle", "LOC"),
            ("Germany", "LOC"),
            ("Nadella", "PER"),
            ("British", "MISC"),
            ("Paris", "LOC"),
        ] {
            assert!(found.contains(&(expected.0.to_string(), expected.1)), "missing {expected:?} in {found:?}");
        }
        assert!(
            found.iter().any(|(text, label)| text.contains("Department for Business") && *label == "ORG"),
            "{found:?}"
        );
        assert!(!found.iter().any(|(text, _)| text == "Tuesday" || text == "the"));
    }

    #[test]
    fn odd_input_does_not_panic() {
        let model = NerModel::shipped().expect("shipped model loads");
        let long = "x".repeat(10_000);
        let doc = vec![vec![], vec![""], vec!["\u{0}", "İstanbul", "ǅ", long.as_str(), "🙂"], vec!["A"; 500]];
        let tagged = model.tag_document(&doc);
        assert_eq!(tagged.len(), doc.len());
        for (sentence, spans) in doc.iter().zip(&tagged) {
            for (range, _) in spans {
                assert!(range.start < range.end && range.end <= sentence.len());
            }
        }
    }

    #[test]
    fn shipped_model_round_trips_through_bytes() {
        let model = NerModel::shipped().expect("shipped model loads");
        let bytes = model.to_bytes();
        let again = NerModel::from_bytes(&bytes).expect("round trip");
        assert_eq!(again.to_bytes(), bytes);
        assert_eq!(again.weights, model.weights);
    }
}
