//! Training the tagger on the CoNLL corpus and scoring it on the dev split.
//!
//! Training is deterministic: sources are read in name order, documents are shuffled each
//! epoch by a seeded splitmix64 generator, features are `u32` hashes kept in a sorted index,
//! and weights are integers. Steps:
//!
//! 1. Each source file is cut into pseudo-documents of `doc_sentences` consecutive sentences
//!    (the files keep document order but not boundaries), spread round-robin over `folds`
//!    folds.
//! 2. Word statistics and an entity-name gazetteer are counted from the gold data. While
//!    training, a document sees only the counts of the *other* folds (jackknifing), so the
//!    model learns how far to trust these lexicons on text they were not built from; the
//!    shipped model holds the counts of all folds.
//! 3. Features seen fewer than `min_feature_count` times are dropped.
//! 4. Structured averaged-perceptron epochs (Collins 2002): Viterbi-decode each sentence with
//!    the current weights and move the weights from the decoded path towards the target path.
//!    Document memory features use the labels predicted for earlier sentences, as at run time.
//! 5. Averaged weights are pruned and quantised to `i16`.
//!
//! Steps 4-5 run `runs` times with differently seeded shuffles (in parallel up to `threads`),
//! and the averaged weights of the runs are averaged again: one shuffle order moves dev F1 by
//! up to a point, three runs smooth that out.
//!
//! The jackknife folds take blocks of [`FOLD_BLOCK_DOCS`] consecutive pseudo-documents, so a
//! long source document (cut into several pseudo-documents) rarely feeds the lexicons the
//! names of its own other parts; round-robin folds leaked them and over-trusted the lexicons.
//!
//! **Data inconsistencies, handled deliberately.**
//! * `uner_en`, `btc` and `multiner_en` do not annotate MISC. [`TrainConfig::no_misc_sources`]
//!   can mask MISC on them (partial-label training: the target path is the best one that keeps
//!   every gold PER/ORG/LOC tag and lets each gold `O` be `O` or MISC). Measured on dev, masking
//!   taught the model to call Title Case phrases MISC (precision 0.50, most false positives on
//!   exactly these sources), so the shipped settings train their `O` as `O` (MISC P 0.68,
//!   R 0.52; +1.4 F1 overall). The list is empty by default.
//! * Span conventions that differ from CoNLL's (`re3d_open` includes titles and descriptors)
//!   and noisy social-media text get a lower update weight ([`TrainConfig::source_weights`]).
//! * `btc` tags the `@` of an @-mention as an entity of its own (same type as the user name);
//!   `wnut17` leaves it `O`. Left as annotated: the conflict only concerns `@` tokens.
//!
//! **Stacking** (`stack_folds` >= 2, off by default): a second pass that sees the first pass's
//! labels in a window and document-wide label votes (see `features::stacked_features`). It did
//! not beat the single pass on dev, so it is not shipped; the option stays for larger data.

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::time::Instant;

use super::clusters;
use super::conll::{self, Sentence, SourceFile};
use super::decode::{self, Emission, PREV_STATES, START, Transition};
use super::features::{
    self, DocMemory, DocText, DocVotes, KeyMap, Lexicon, NameCounts, Templates, TokenInfo, WordCounts,
};
use super::perceptron::{self, AveragedWeights};
use super::scheme::{self, MISC, NUM_CLASSES, OUTSIDE};
use super::table::KeyTable;
use super::{NerError, NerModel};

/// Marks a transition feature that is not in the index.
const NO_ROW: u32 = u32::MAX;

/// Consecutive pseudo-documents given to the same jackknife fold, so that a long source
/// document (cut into several pseudo-documents) rarely feeds the lexicons its own names.
const FOLD_BLOCK_DOCS: usize = 8;

/// Training settings. [`TrainConfig::default`] gives the shipped model's settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Passes over the training data.
    pub epochs: usize,
    /// Seeds the per-epoch document shuffle.
    pub seed: u64,
    /// Sentences per pseudo-document (document-level features look within one).
    pub doc_sentences: usize,
    /// Jackknife folds for the lexicons built from the training data.
    pub folds: usize,
    /// Features seen fewer times than this (over the training data) are dropped.
    pub min_feature_count: u32,
    /// Whether to learn word clusters from the training text (see `clusters.rs`).
    pub word_clusters: bool,
    /// Averaged weights with a smaller magnitude are not shipped.
    pub prune_below: f64,
    /// Sources whose `O` tokens say nothing about MISC (MISC predictions there are not
    /// penalised).
    pub no_misc_sources: Vec<String>,
    /// Sources not used at all.
    pub exclude_sources: Vec<String>,
    /// Update weight per source (default [`TrainConfig::default_weight`]).
    pub source_weights: Vec<(String, u32)>,
    pub default_weight: u32,
    /// Independent training runs (document shuffles seeded from `seed`) whose averaged
    /// weights are averaged again: less dependence on one shuffle order.
    pub runs: usize,
    /// Most runs trained at once on parallel threads (the result does not depend on it).
    pub threads: usize,
    /// Folds for training a stacked two-pass model (0 or 1: a single-pass model).
    pub stack_folds: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 12,
            seed: 20_240_601,
            doc_sentences: 25,
            folds: 10,
            min_feature_count: 2,
            word_clusters: true,
            prune_below: 0.05,
            // Measured: masking MISC on btc/multiner_en/uner_en taught the model to call Title
            // Case phrases MISC (dev MISC precision 0.50); training their `O` as `O` gave MISC
            // P 0.67 / R 0.52 and +1.4 F1 overall. See the module docs.
            no_misc_sources: Vec::new(),
            exclude_sources: Vec::new(),
            // re3d spans include titles and descriptors; the social-media sources are noisy.
            source_weights: vec![("re3d_open".to_string(), 1), ("btc".to_string(), 1), ("wnut17".to_string(), 1)],
            default_weight: 2,
            runs: 3,
            threads: 2,
            // Measured: a stacked second pass gave no dev gain (0.707 vs 0.705-0.710) at half
            // the speed and five times the training time.
            stack_folds: 0,
        }
    }
}

impl TrainConfig {
    fn weight_of(&self, source: &str) -> u32 {
        self.source_weights.iter().find(|(s, _)| s == source).map_or(self.default_weight, |(_, w)| *w)
    }

    fn validate(&self) -> Result<(), NerError> {
        let bad = |reason: &str| Err(NerError::Config { reason: reason.to_string() });
        if self.epochs == 0 {
            return bad("`epochs` must be at least 1");
        }
        if self.doc_sentences == 0 {
            return bad("`doc_sentences` must be at least 1");
        }
        if self.folds < 2 {
            return bad("`folds` must be at least 2");
        }
        if self.default_weight == 0 && self.source_weights.iter().all(|(_, w)| *w == 0) {
            return bad("all source weights are 0");
        }
        if self.default_weight > 1000 || self.source_weights.iter().any(|(_, w)| *w > 1000) {
            return bad("source weights above 1000 risk overflow");
        }
        Ok(())
    }
}

/// What one source contributed to training.
#[derive(Debug, Clone)]
pub struct SourceStats {
    pub source: String,
    pub sentences: usize,
    pub tokens: usize,
    pub entities: usize,
    /// Whether MISC predictions were left unpenalised on this source.
    pub masks_misc: bool,
    pub weight: u32,
}

/// One training epoch.
#[derive(Debug, Clone)]
pub struct EpochStats {
    pub epoch: usize,
    /// Share of tokens whose greedy guess equalled the gold class, before updating.
    pub token_accuracy: f64,
    pub updates: u64,
    pub seconds: f64,
}

/// What training did.
#[derive(Debug, Clone)]
pub struct TrainReport {
    pub sources: Vec<SourceStats>,
    pub epochs: Vec<EpochStats>,
    /// Distinct features seen, and those frequent enough to train.
    pub candidate_features: usize,
    pub trained_features: usize,
    /// Feature rows left after pruning.
    pub model_features: usize,
    pub model_bytes: usize,
    pub seconds: f64,
}

impl fmt::Display for TrainReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<18} {:>9} {:>9} {:>9} {:>6} {:>10}",
            "source", "sentences", "tokens", "entities", "weight", "MISC"
        )?;
        for s in &self.sources {
            let misc = if s.masks_misc { "masked" } else { "trained" };
            writeln!(
                f,
                "{:<18} {:>9} {:>9} {:>9} {:>6} {:>10}",
                s.source, s.sentences, s.tokens, s.entities, s.weight, misc
            )?;
        }
        for e in &self.epochs {
            writeln!(
                f,
                "epoch {:>2}: token accuracy {:.4}, {} updates, {:.1}s",
                e.epoch, e.token_accuracy, e.updates, e.seconds
            )?;
        }
        write!(
            f,
            "features: {} seen, {} trained, {} shipped; model {} bytes; {:.1}s",
            self.candidate_features, self.trained_features, self.model_features, self.model_bytes, self.seconds
        )
    }
}

/// Fold-excluded lexicon: the counts of all training data minus one fold.
struct FoldLexicon<'a> {
    words: &'a KeyMap<WordCounts>,
    words_out: Option<&'a KeyMap<WordCounts>>,
    /// Cluster bits per word (already shifted, see `features::with_clusters`).
    clusters: &'a KeyMap<u32>,
    names: &'a KeyMap<NameCounts>,
    names_out: Option<&'a KeyMap<NameCounts>>,
}

impl Lexicon for FoldLexicon<'_> {
    fn word(&self, lower_key: u32) -> u32 {
        let clusters = self.clusters.get(&lower_key).copied().unwrap_or(0);
        let Some(total) = self.words.get(&lower_key) else {
            return clusters;
        };
        let mut counts = *total;
        if let Some(out) = self.words_out.and_then(|m| m.get(&lower_key)) {
            counts.sub(out);
        }
        counts.value() | clusters
    }

    fn gazetteer(&self, span_key: u32) -> u8 {
        let Some(total) = self.names.get(&span_key) else {
            return 0;
        };
        let mut counts = *total;
        if let Some(out) = self.names_out.and_then(|m| m.get(&span_key)) {
            for (a, b) in counts.0.iter_mut().zip(out.0) {
                *a -= b;
            }
        }
        counts.value()
    }
}

/// A lexicon that knows nothing (for counting).
struct NoLexicon;

impl Lexicon for NoLexicon {
    fn word(&self, _: u32) -> u32 {
        0
    }
    fn gazetteer(&self, _: u32) -> u8 {
        0
    }
}

/// Deterministic pseudo-random numbers (splitmix64).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        features::mix(self.0)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// A pseudo-document: a block of consecutive sentences of one source.
struct Doc {
    source: usize,
    sentences: Range<usize>,
    fold: usize,
}

/// Reads `*.train.conll.gz` from `data_dir`, trains, returns the model and a report.
pub fn train(data_dir: &Path, config: &TrainConfig) -> Result<(NerModel, TrainReport), NerError> {
    config.validate()?;
    let files: Vec<SourceFile> = conll::read_split(data_dir, "train")?
        .into_iter()
        .filter(|f| !config.exclude_sources.contains(&f.source))
        .collect();
    if files.is_empty() {
        return Err(NerError::Config {
            reason: format!("every source in `{}` is excluded by `exclude_sources`", data_dir.display()),
        });
    }
    if config.stack_folds >= 2 { train_stacked(&files, config) } else { train_on(&files, config, None) }
}

/// First-pass classes of one held-out pseudo-document: file index, first sentence, classes.
type HeldOutLabels = (usize, usize, Vec<Vec<u8>>);

/// Trains a two-pass model: `stack_folds` first-pass models, each trained without one fold
/// of pseudo-documents, label that fold (so the second pass learns from first-pass labels
/// of text the first pass has not seen, as at run time); a first-pass model trained on all
/// data becomes the shipped first pass; the second pass is trained on all data with the
/// held-out labels as extra features.
fn train_stacked(files: &[SourceFile], config: &TrainConfig) -> Result<(NerModel, TrainReport), NerError> {
    let started = Instant::now();
    let k = config.stack_folds;
    // Fold of each pseudo-document, numbered as `train_on` cuts them.
    let mut doc_folds: Vec<Vec<(Range<usize>, usize)>> = Vec::with_capacity(files.len());
    let mut counter = 0usize;
    for file in files {
        let mut cuts = Vec::new();
        let mut start = 0;
        while start < file.sentences.len() {
            let end = (start + config.doc_sentences).min(file.sentences.len());
            cuts.push((start..end, (counter / FOLD_BLOCK_DOCS) % k));
            counter += 1;
            start = end;
        }
        doc_folds.push(cuts);
    }
    let fold_config = TrainConfig { stack_folds: 0, runs: 1, ..config.clone() };
    let train_fold = |fold: usize| -> Result<Vec<HeldOutLabels>, NerError> {
        let subset: Vec<SourceFile> = files
            .iter()
            .zip(&doc_folds)
            .map(|(file, cuts)| SourceFile {
                source: file.source.clone(),
                sentences: cuts
                    .iter()
                    .filter(|(_, f)| *f != fold)
                    .flat_map(|(r, _)| file.sentences[r.clone()].iter().cloned())
                    .collect(),
            })
            .filter(|f| !f.sentences.is_empty())
            .collect();
        let (model, _) = train_on(&subset, &fold_config, None)?;
        let mut labelled = Vec::new();
        for (f, (file, cuts)) in files.iter().zip(&doc_folds).enumerate() {
            for (range, _) in cuts.iter().filter(|(_, d)| *d == fold) {
                let doc: Vec<Vec<&str>> = file.sentences[range.clone()]
                    .iter()
                    .map(|s| s.tokens.iter().map(String::as_str).collect())
                    .collect();
                labelled.push((f, range.start, model.tag_classes(&doc)));
            }
        }
        Ok(labelled)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(config.threads.max(1));
    let folds: Vec<usize> = (0..k).collect();
    let mut first: Vec<Vec<Vec<u8>>> = files.iter().map(|f| vec![Vec::new(); f.sentences.len()]).collect();
    for chunk in folds.chunks(threads) {
        let outputs: Vec<Result<_, NerError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk.iter().map(|&fold| scope.spawn(move || train_fold(fold))).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| Err(NerError::Config { reason: "a training thread failed".into() }))
                })
                .collect()
        });
        for output in outputs {
            for (f, start, classes) in output? {
                for (i, c) in classes.into_iter().enumerate() {
                    first[f][start + i] = c;
                }
            }
        }
    }
    let first: Vec<Vec<u8>> = first.into_iter().flatten().collect();
    let single = TrainConfig { stack_folds: 0, ..config.clone() };
    let (first_pass, _) = train_on(files, &single, None)?;
    let (mut model, mut report) = train_on(files, config, Some(&first))?;
    model.first_pass = Some(Box::new(first_pass));
    let bytes = model.to_bytes();
    let model = NerModel::from_bytes(&bytes)?;
    report.model_bytes = bytes.len();
    report.seconds = started.elapsed().as_secs_f64();
    Ok((model, report))
}

/// Trains one pass. `first_pass`, when given, holds first-pass classes for every sentence
/// of `files` in order, and the model learns the second-pass features from them.
fn train_on(
    files: &[SourceFile],
    config: &TrainConfig,
    first_pass: Option<&[Vec<u8>]>,
) -> Result<(NerModel, TrainReport), NerError> {
    let started = Instant::now();
    let folds = config.folds;

    // 1. Flatten sentences, cut pseudo-documents.
    let mut sentences: Vec<&Sentence> = Vec::new();
    let mut docs: Vec<Doc> = Vec::new();
    let mut sources = Vec::new();
    for (s, file) in files.iter().enumerate() {
        let first = sentences.len();
        sentences.extend(file.sentences.iter());
        let mut start = first;
        while start < sentences.len() {
            let end = (start + config.doc_sentences).min(sentences.len());
            docs.push(Doc { source: s, sentences: start..end, fold: (docs.len() / FOLD_BLOCK_DOCS) % folds });
            start = end;
        }
        sources.push(SourceStats {
            source: file.source.clone(),
            sentences: file.sentences.len(),
            tokens: file.sentences.iter().map(|x| x.tokens.len()).sum(),
            entities: file.sentences.iter().map(|x| x.spans.len()).sum(),
            masks_misc: config.no_misc_sources.contains(&file.source),
            weight: config.weight_of(&file.source),
        });
    }
    let gold: Vec<Vec<u8>> = sentences.iter().map(|s| scheme::spans_to_classes(s.tokens.len(), &s.spans)).collect();

    // 2. Word clusters from the training text, lexicon counts in total and per fold.
    let lower_keys: Vec<Vec<u32>> = sentences
        .iter()
        .map(|s| s.tokens.iter().map(|t| features::describe(t, &NoLexicon).lower_key).collect())
        .collect();
    let clusters: KeyMap<u32> = if config.word_clusters {
        clusters::cluster_words(&lower_keys, &[clusters::FINE, clusters::COARSE])
            .into_iter()
            .map(|(k, ids)| {
                let id = |i: usize| ids.get(i).map_or(0, |&c| u8::try_from(c).unwrap_or(0));
                (k, features::with_clusters(0, id(0), id(1)))
            })
            .collect()
    } else {
        KeyMap::default()
    };
    drop(lower_keys);
    let mut words: KeyMap<WordCounts> = KeyMap::default();
    let mut words_fold: Vec<KeyMap<WordCounts>> = (0..folds).map(|_| KeyMap::default()).collect();
    let mut names: KeyMap<NameCounts> = KeyMap::default();
    let mut names_fold: Vec<KeyMap<NameCounts>> = (0..folds).map(|_| KeyMap::default()).collect();
    for doc in &docs {
        for s in doc.sentences.clone() {
            let sentence = sentences[s];
            let infos: Vec<TokenInfo> = sentence.tokens.iter().map(|t| features::describe(t, &NoLexicon)).collect();
            for (i, t) in infos.iter().enumerate() {
                let mut counts = WordCounts::default();
                if i > 0 && !matches!(t.case, features::case::PUNCT | features::case::DIGIT) {
                    counts.non_initial = 1;
                    counts.capitalised = u32::from(features::case::is_capitalised(t.case));
                }
                let label = scheme::type_of(gold[s][i]).map_or(0, |ty| ty as usize + 1);
                counts.labels[label] = 1;
                words.entry(t.lower_key).or_default().add(&counts);
                words_fold[doc.fold].entry(t.lower_key).or_default().add(&counts);
            }
            for (range, ty) in &sentence.spans {
                if range.len() > features::MAX_GAZ_TOKENS || range.end > infos.len() {
                    continue;
                }
                let mut acc = features::SPAN_KEY_START;
                for t in &infos[range.clone()] {
                    acc = features::span_key_step(acc, t.lower);
                }
                let key = features::fold(acc);
                names.entry(key).or_default().0[*ty as usize] += 1;
                names_fold[doc.fold].entry(key).or_default().0[*ty as usize] += 1;
            }
        }
    }

    // 3. Token descriptions and static features with fold-excluded lexicons; count features
    //    (dynamic ones under gold history).
    let mut infos: Vec<TokenInfo> = Vec::new();
    let mut token_start: Vec<usize> = vec![0; sentences.len() + 1];
    let mut static_keys: Vec<u32> = Vec::new();
    let mut key_offsets: Vec<u32> = vec![0];
    let mut counts: KeyMap<u32> = KeyMap::default();
    let (mut keys, mut offsets, mut dynamic) = (Vec::new(), Vec::new(), Vec::new());
    let mut stacked: Vec<Vec<u32>> = Vec::new();
    for doc in &docs {
        let lexicon = FoldLexicon {
            words: &words,
            words_out: Some(&words_fold[doc.fold]),
            clusters: &clusters,
            names: &names,
            names_out: Some(&names_fold[doc.fold]),
        };
        let doc_infos: Vec<Vec<TokenInfo>> = doc
            .sentences
            .clone()
            .map(|s| sentences[s].tokens.iter().map(|t| features::describe(t, &lexicon)).collect())
            .collect();
        let text = DocText::new(&doc_infos);
        let doc_first: Option<&[Vec<u8>]> = first_pass.and_then(|f| f.get(doc.sentences.clone()));
        let votes = doc_first.map(|classes| DocVotes::new(&doc_infos, classes));
        let mut memory = DocMemory::default();
        for (s, sentence_infos) in doc.sentences.clone().zip(&doc_infos) {
            token_start[s] = infos.len();
            features::static_features(sentence_infos, &lexicon, &text, Templates::All, &mut keys, &mut offsets);
            stacked.resize_with(sentence_infos.len().max(stacked.len()), Vec::new);
            for k in &mut stacked {
                k.clear();
            }
            if let (Some(classes), Some(votes)) = (doc_first.and_then(|c| c.get(s - doc.sentences.start)), &votes) {
                features::stacked_features(sentence_infos, classes, votes, &mut stacked);
            }
            let mut prev = features::START_CLASS;
            for (i, t) in sentence_infos.iter().enumerate() {
                static_keys.extend_from_slice(&keys[offsets[i]..offsets[i + 1]]);
                static_keys.extend_from_slice(&stacked[i]);
                let own = &static_keys[key_offsets[key_offsets.len() - 1] as usize..];
                key_offsets.push(static_keys.len() as u32);
                dynamic.clear();
                features::memory_features(t, memory.get(t), &mut dynamic);
                dynamic.extend(features::transition_keys(t, prev));
                for &k in own.iter().chain(&dynamic) {
                    *counts.entry(k).or_insert(0) += 1;
                }
                prev = gold[s][i];
            }
            memory.record(sentence_infos, gold[s].iter().map(|&c| scheme::type_of(c).unwrap_or(4)));
            infos.extend_from_slice(sentence_infos);
        }
    }
    token_start[sentences.len()] = infos.len();
    if static_keys.len() > u32::MAX as usize {
        return Err(NerError::Config {
            reason: "training data too large for one run (over 4 billion feature slots)".into(),
        });
    }
    // Sentences were visited in document order, which is file order: starts are monotone.

    // 4. Feature index: frequent keys, sorted, numbered.
    let candidate_features = counts.len();
    let mut kept: Vec<u32> = counts.iter().filter(|&(_, &c)| c >= config.min_feature_count).map(|(&k, _)| k).collect();
    drop(counts);
    kept.sort_unstable();
    let index: KeyMap<u32> = kept.iter().enumerate().map(|(row, &k)| (k, row as u32)).collect();
    let mut static_rows: Vec<u32> = Vec::with_capacity(static_keys.len());
    let mut row_offsets: Vec<u32> = Vec::with_capacity(key_offsets.len());
    row_offsets.push(0);
    for w in key_offsets.windows(2) {
        for k in &static_keys[w[0] as usize..w[1] as usize] {
            if let Some(&row) = index.get(k) {
                static_rows.push(row);
            }
        }
        row_offsets.push(static_rows.len() as u32);
    }
    drop(static_keys);

    // 5. Structured perceptron epochs with Viterbi decoding, once per shuffle seed; the
    //    averaged weights of the runs are averaged again (runs are independent, so they may
    //    run on parallel threads and are summed in run order: the result is deterministic).
    let prepared = Prepared {
        docs: &docs,
        sources: &sources,
        token_start: &token_start,
        infos: &infos,
        static_rows: &static_rows,
        row_offsets: &row_offsets,
        index: &index,
        gold: &gold,
        rows: kept.len(),
    };
    let seeds: Vec<u64> =
        (0..config.runs as u64).map(|r| config.seed.wrapping_add(r.wrapping_mul(0x9e37_79b9))).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(config.threads.max(1));
    let mut results: Vec<(Vec<f64>, Vec<EpochStats>)> = Vec::with_capacity(seeds.len());
    for chunk in seeds.chunks(threads) {
        let outputs: Vec<(Vec<f64>, Vec<EpochStats>)> = std::thread::scope(|scope| {
            let handles: Vec<_> =
                chunk.iter().map(|&seed| scope.spawn(move || run_epochs(&prepared, config, seed))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        results.extend(outputs);
    }
    let mut averaged = vec![0.0f64; kept.len() * NUM_CLASSES];
    let mut epochs = Vec::new();
    for (run, (weights, stats)) in results.into_iter().enumerate() {
        for (a, w) in averaged.iter_mut().zip(weights) {
            *a += w;
        }
        if run == 0 {
            epochs = stats;
        }
    }
    let runs = config.runs.max(1) as f64;
    for a in &mut averaged {
        *a /= runs;
    }

    // 6. Average, prune, quantise; keep rows with any weight left.
    let quantised = perceptron::quantise(&averaged, config.prune_below);
    drop(averaged);
    let mut model_keys = Vec::new();
    let mut model_weights: Vec<i16> = Vec::new();
    for (row, &key) in kept.iter().enumerate() {
        let slice = &quantised[row * NUM_CLASSES..(row + 1) * NUM_CLASSES];
        if slice.iter().any(|&w| w != 0) {
            model_keys.push(key);
            model_weights.extend_from_slice(slice);
        }
    }
    let final_lexicon =
        FoldLexicon { words: &words, words_out: None, clusters: &clusters, names: &names, names_out: None };
    let mut word_entries: Vec<(u32, u32)> =
        words.keys().map(|&k| (k, final_lexicon.word(k))).filter(|&(_, v)| v != 0).collect();
    word_entries.sort_unstable();
    let mut name_entries: Vec<(u32, u32)> =
        names.keys().map(|&k| (k, u32::from(final_lexicon.gazetteer(k)))).filter(|&(_, v)| v != 0).collect();
    name_entries.sort_unstable();
    let description = describe_training(config, &sources);
    let model = NerModel {
        description,
        features: KeyTable::build(model_keys.iter().enumerate().map(|(row, &k)| (k, row as u32))),
        weights: model_weights,
        words: KeyTable::build(word_entries.into_iter()),
        names: KeyTable::build(name_entries.into_iter()),
        first_pass: None,
    };
    // Normalise row order to the on-disk order so a trained model equals its reloaded self.
    let bytes = model.to_bytes();
    let model = NerModel::from_bytes(&bytes)?;
    let report = TrainReport {
        sources,
        epochs,
        candidate_features,
        trained_features: kept.len(),
        model_features: model.features.len(),
        model_bytes: bytes.len(),
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((model, report))
}

/// The prepared training data shared by every run of [`run_epochs`].
#[derive(Clone, Copy)]
struct Prepared<'a> {
    docs: &'a [Doc],
    sources: &'a [SourceStats],
    token_start: &'a [usize],
    infos: &'a [TokenInfo],
    /// Feature rows of each token's static features: `static_rows[row_offsets[t]..row_offsets[t + 1]]`.
    static_rows: &'a [u32],
    row_offsets: &'a [u32],
    index: &'a KeyMap<u32>,
    gold: &'a [Vec<u8>],
    /// Number of feature rows.
    rows: usize,
}

/// Structured averaged-perceptron epochs over the documents in an order shuffled by `seed`;
/// returns the averaged weights and per-epoch statistics.
fn run_epochs(p: &Prepared<'_>, config: &TrainConfig, seed: u64) -> (Vec<f64>, Vec<EpochStats>) {
    let mut dynamic: Vec<u32> = Vec::new();
    let mut weights = AveragedWeights::new(p.rows);
    let mut rng = SplitMix(seed);
    let mut order: Vec<usize> = (0..p.docs.len()).collect();
    let mut epochs = Vec::new();
    let mut rows: Vec<u32> = Vec::new();
    let mut row_offsets_sentence: Vec<usize> = Vec::new();
    let mut transition_rows: Vec<[[u32; 3]; PREV_STATES]> = Vec::new();
    let mut emission: Vec<Emission> = Vec::new();
    let mut transition: Vec<Transition> = Vec::new();
    let misc_mask: u32 =
        (0..NUM_CLASSES as u8).filter(|&c| scheme::type_of(c) == Some(MISC)).fold(1 << OUTSIDE, |m, c| m | (1 << c));
    for epoch in 1..=config.epochs {
        let epoch_started = Instant::now();
        rng.shuffle(&mut order);
        let (mut seen, mut correct, mut updates) = (0u64, 0u64, 0u64);
        for &d in &order {
            let doc = &p.docs[d];
            let stats = &p.sources[doc.source];
            let delta = stats.weight as i32;
            let mut memory = DocMemory::default();
            for s in doc.sentences.clone() {
                let first = p.token_start[s];
                let sentence_infos = &p.infos[first..p.token_start[s + 1]];
                let n = sentence_infos.len();
                rows.clear();
                row_offsets_sentence.clear();
                transition_rows.clear();
                emission.clear();
                transition.clear();
                for (i, t) in sentence_infos.iter().enumerate() {
                    let token = first + i;
                    let start = rows.len();
                    row_offsets_sentence.push(start);
                    rows.extend_from_slice(
                        &p.static_rows[p.row_offsets[token] as usize..p.row_offsets[token + 1] as usize],
                    );
                    dynamic.clear();
                    features::memory_features(t, memory.get(t), &mut dynamic);
                    rows.extend(dynamic.iter().filter_map(|k| p.index.get(k).copied()));
                    let mut e = [0i64; NUM_CLASSES];
                    weights.score(&rows[start..], &mut e);
                    emission.push(e);
                    let mut tr_rows = [[NO_ROW; 3]; PREV_STATES];
                    let mut tr: Transition = [[0; NUM_CLASSES]; PREV_STATES];
                    for prev in 0..PREV_STATES {
                        for (slot, k) in features::transition_keys(t, prev as u8).iter().enumerate() {
                            if let Some(&row) = p.index.get(k) {
                                tr_rows[prev][slot] = row;
                                weights.score(&[row], &mut tr[prev]);
                            }
                        }
                    }
                    transition_rows.push(tr_rows);
                    transition.push(tr);
                }
                row_offsets_sentence.push(rows.len());
                let guess = decode::viterbi(&emission, &transition, None);
                let gold_classes = &p.gold[s];
                let target = if stats.masks_misc {
                    let masks: Vec<u32> =
                        gold_classes.iter().map(|&c| if c == OUTSIDE { misc_mask } else { 1 << c }).collect();
                    decode::viterbi(&emission, &transition, Some(&masks))
                } else {
                    gold_classes.clone()
                };
                if guess != target && delta > 0 {
                    updates += 1;
                    for i in 0..n {
                        let prev_guess = if i == 0 { START } else { guess[i - 1] as usize };
                        let prev_target = if i == 0 { START } else { target[i - 1] as usize };
                        if guess[i] != target[i] {
                            let own = &rows[row_offsets_sentence[i]..row_offsets_sentence[i + 1]];
                            weights.update(own, target[i], delta);
                            weights.update(own, guess[i], -delta);
                        }
                        if guess[i] != target[i] || prev_guess != prev_target {
                            let trs = &transition_rows[i];
                            for &row in trs[prev_target].iter().filter(|&&r| r != NO_ROW) {
                                weights.update(&[row], target[i], delta);
                            }
                            for &row in trs[prev_guess].iter().filter(|&&r| r != NO_ROW) {
                                weights.update(&[row], guess[i], -delta);
                            }
                        }
                    }
                }
                weights.tick();
                seen += n as u64;
                correct += guess.iter().zip(gold_classes).filter(|(a, b)| a == b).count() as u64;
                memory.record(sentence_infos, guess.iter().map(|&c| scheme::type_of(c).unwrap_or(4)));
            }
        }
        epochs.push(EpochStats {
            epoch,
            token_accuracy: correct as f64 / seen.max(1) as f64,
            updates,
            seconds: epoch_started.elapsed().as_secs_f64(),
        });
    }

    (weights.averaged(), epochs)
}

fn describe_training(config: &TrainConfig, sources: &[SourceStats]) -> String {
    let list: Vec<String> = sources
        .iter()
        .map(|s| {
            let misc = if s.masks_misc { ", MISC masked" } else { "" };
            format!("{} (weight {}{misc})", s.source, s.weight)
        })
        .collect();
    format!(
        "quotewire averaged-perceptron BILOU tagger; sources: {}; epochs {}, seed {}, \
         pseudo-documents of {} sentences, {} lexicon folds, min feature count {}, prune below {}",
        list.join(", "),
        config.epochs,
        config.seed,
        config.doc_sentences,
        config.folds,
        config.min_feature_count,
        config.prune_below
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::ner::evaluate::evaluate;
    use std::path::PathBuf;

    fn testdata() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/nlp/ner/testdata")
    }

    fn tiny_config() -> TrainConfig {
        TrainConfig { epochs: 3, doc_sentences: 3, folds: 2, min_feature_count: 1, ..TrainConfig::default() }
    }

    #[test]
    fn training_is_reproducible() {
        let (first, report) = train(&testdata(), &tiny_config()).expect("trains");
        let (second, _) = train(&testdata(), &tiny_config()).expect("trains");
        assert_eq!(first.to_bytes(), second.to_bytes());
        assert_eq!(report.epochs.len(), 3);
        assert!(report.model_features > 0);
    }

    #[test]
    fn trained_model_round_trips_and_scores() {
        let (model, _) = train(&testdata(), &tiny_config()).expect("trains");
        let again = NerModel::from_bytes(&model.to_bytes()).expect("loads");
        assert_eq!(again.to_bytes(), model.to_bytes());
        let report = evaluate(&again, &testdata()).expect("evaluates");
        assert!(report.overall.gold > 0);
        // The tiny corpus's dev file repeats training names; a model that learned anything
        // finds some of them.
        assert!(report.overall.tp > 0, "{report}");
    }

    #[test]
    fn stacked_training_is_reproducible_and_round_trips() {
        let config = TrainConfig { stack_folds: 2, ..tiny_config() };
        let (first, _) = train(&testdata(), &config).expect("trains");
        let (second, _) = train(&testdata(), &config).expect("trains");
        assert_eq!(first.to_bytes(), second.to_bytes());
        assert!(first.first_pass.is_some());
        let again = NerModel::from_bytes(&first.to_bytes()).expect("loads");
        assert_eq!(again.to_bytes(), first.to_bytes());
        assert!(evaluate(&again, &testdata()).expect("evaluates").overall.gold > 0);
    }

    #[test]
    fn malformed_training_file_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("qw-ner-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("bad.train.conll"), "Paris\tB-LOC\nis\n").unwrap();
        let error = train(&dir, &tiny_config()).unwrap_err();
        let _ = std::fs::remove_dir_all(&dir);
        let message = error.to_string();
        assert!(message.contains("bad.train.conll") && message.contains("line 2"), "{message}");
    }

    #[test]
    fn empty_directory_names_the_missing_files() {
        let dir = std::env::temp_dir().join(format!("qw-ner-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let error = train(&dir, &tiny_config()).unwrap_err();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(error.to_string().contains("train.conll.gz"), "{error}");
    }
}
