//! Scoring the tagger on the CoNLL dev split: entity-level precision, recall and F1 overall,
//! per type and per source, and the dev predictions written out for the shared scorer.
//!
//! Owns how a model is judged; training (`train.rs`) does not call it.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::model::EntityLabel;

use super::conll::{self, Sentence};
use super::scheme::{self, TYPES};
use super::{NerError, NerModel};

/// Sentences per pseudo-document when scoring dev files (they carry no document boundaries;
/// the dataset holds dev documents out as blocks of about this size).
pub const EVAL_DOC_SENTENCES: usize = 25;

/// Entity-level counts: true positives, predicted and gold entities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prf {
    pub tp: usize,
    pub predicted: usize,
    pub gold: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 { 0.0 } else { self.tp as f64 / self.predicted as f64 }
    }
    pub fn recall(&self) -> f64 {
        if self.gold == 0 { 0.0 } else { self.tp as f64 / self.gold as f64 }
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
    fn add(&mut self, other: &Prf) {
        self.tp += other.tp;
        self.predicted += other.predicted;
        self.gold += other.gold;
    }
}

/// Scores on one source's dev file.
#[derive(Debug, Clone)]
pub struct SourceEval {
    pub source: String,
    pub overall: Prf,
    /// PER, ORG, LOC, MISC in that order.
    pub per_type: Vec<(EntityLabel, Prf)>,
}

/// Entity-level scores on the dev split (exact type and boundaries, as `score_ner.py` and
/// conlleval count them).
#[derive(Debug, Clone)]
pub struct EvalReport {
    pub overall: Prf,
    pub per_type: Vec<(EntityLabel, Prf)>,
    pub per_source: Vec<SourceEval>,
    pub tokens: usize,
    /// Time spent tagging (not reading).
    pub seconds: f64,
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let row = |f: &mut fmt::Formatter<'_>, name: &str, p: &Prf| {
            writeln!(
                f,
                "{:<18} {:>6.3} {:>6.3} {:>6.3} {:>6} {:>6}",
                name,
                p.precision(),
                p.recall(),
                p.f1(),
                p.gold,
                p.predicted
            )
        };
        writeln!(f, "{:<18} {:>6} {:>6} {:>6} {:>6} {:>6}", "", "P", "R", "F1", "gold", "pred")?;
        for (label, p) in &self.per_type {
            row(f, label.as_str(), p)?;
        }
        row(f, "overall", &self.overall)?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<18} {:>6} {:>6} {:>6} {:>6} {:>6}  F1 PER/ORG/LOC/MISC",
            "source", "P", "R", "F1", "gold", "pred"
        )?;
        for s in &self.per_source {
            let p = &s.overall;
            let types: Vec<String> = s
                .per_type
                .iter()
                .map(|(_, t)| if t.gold == 0 { "-".to_string() } else { format!("{:.3}", t.f1()) })
                .collect();
            writeln!(
                f,
                "{:<18} {:>6.3} {:>6.3} {:>6.3} {:>6} {:>6}  {}",
                s.source,
                p.precision(),
                p.recall(),
                p.f1(),
                p.gold,
                p.predicted,
                types.join(" ")
            )?;
        }
        let rate = self.tokens as f64 / self.seconds.max(1e-9);
        write!(f, "{} tokens tagged in {:.2}s ({rate:.0} tokens/s)", self.tokens, self.seconds)
    }
}

/// Predicted spans (token range, type index) for every sentence of a file, tagging blocks of
/// [`EVAL_DOC_SENTENCES`] sentences as documents.
fn tag_file(model: &NerModel, sentences: &[Sentence]) -> Vec<Vec<(Range<usize>, u8)>> {
    let mut out = Vec::with_capacity(sentences.len());
    for block in sentences.chunks(EVAL_DOC_SENTENCES) {
        let doc: Vec<Vec<&str>> = block.iter().map(|s| s.tokens.iter().map(String::as_str).collect()).collect();
        for spans in model.tag_document(&doc) {
            out.push(spans.into_iter().map(|(r, label)| (r, scheme::type_index(label))).collect());
        }
    }
    out
}

/// Evaluates on the `*.dev.conll.gz` files of `data_dir`: overall, per type and per source
/// entity-level precision, recall and F1.
pub fn evaluate(model: &NerModel, data_dir: &Path) -> Result<EvalReport, NerError> {
    let files = conll::read_split(data_dir, "dev")?;
    let mut overall = Prf::default();
    let mut per_type = [Prf::default(); 4];
    let mut per_source = Vec::new();
    let mut tokens = 0;
    let mut seconds = 0.0;
    for file in &files {
        let started = Instant::now();
        let predicted = tag_file(model, &file.sentences);
        seconds += started.elapsed().as_secs_f64();
        let mut source_types = [Prf::default(); 4];
        for (sentence, pred) in file.sentences.iter().zip(&predicted) {
            tokens += sentence.tokens.len();
            let gold: BTreeMap<(usize, usize, u8), ()> =
                sentence.spans.iter().map(|(r, t)| ((r.start, r.end, *t), ())).collect();
            for (_, _, t) in gold.keys() {
                source_types[*t as usize].gold += 1;
            }
            for (r, t) in pred {
                source_types[*t as usize].predicted += 1;
                if gold.contains_key(&(r.start, r.end, *t)) {
                    source_types[*t as usize].tp += 1;
                }
            }
        }
        let mut source_overall = Prf::default();
        for (t, p) in source_types.iter().enumerate() {
            source_overall.add(p);
            per_type[t].add(p);
        }
        overall.add(&source_overall);
        per_source.push(SourceEval {
            source: file.source.clone(),
            overall: source_overall,
            per_type: TYPES.iter().copied().zip(source_types).collect(),
        });
    }
    Ok(EvalReport { overall, per_type: TYPES.iter().copied().zip(per_type).collect(), per_source, tokens, seconds })
}

/// Writes, for each dev file of `data_dir`, `<source>.gold.conll` and `<source>.pred.conll`
/// (`token tag` lines, BIO) into `out_dir`, plus `all.gold.conll` and `all.pred.conll`, for
/// scoring with `score_ner.py score GOLD PRED`. Returns the paths written.
pub fn write_dev_predictions(model: &NerModel, data_dir: &Path, out_dir: &Path) -> Result<Vec<PathBuf>, NerError> {
    let files = conll::read_split(data_dir, "dev")?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| NerError::Io { path, source }
    };
    std::fs::create_dir_all(out_dir).map_err(io(out_dir))?;
    let (mut all_gold, mut all_pred) = (Vec::new(), Vec::new());
    let mut written = Vec::new();
    for file in &files {
        let predicted = tag_file(model, &file.sentences);
        let (mut gold_text, mut pred_text) = (Vec::new(), Vec::new());
        for (sentence, pred) in file.sentences.iter().zip(&predicted) {
            let n = sentence.tokens.len();
            let to_labels = |spans: &[(Range<usize>, u8)]| -> Vec<(Range<usize>, EntityLabel)> {
                spans.iter().map(|(r, t)| (r.clone(), TYPES[*t as usize])).collect()
            };
            let gold_tags = scheme::spans_to_bio(n, &to_labels(&sentence.spans));
            let pred_tags = scheme::spans_to_bio(n, &to_labels(pred));
            for ((token, g), p) in sentence.tokens.iter().zip(&gold_tags).zip(&pred_tags) {
                let token: String = token.chars().map(|c| if c.is_whitespace() { '_' } else { c }).collect();
                let _ = writeln!(gold_text, "{token} {g}");
                let _ = writeln!(pred_text, "{token} {p}");
            }
            gold_text.push(b'\n');
            pred_text.push(b'\n');
        }
        for (kind, text) in [("gold", &gold_text), ("pred", &pred_text)] {
            let path = out_dir.join(format!("{}.{kind}.conll", file.source));
            std::fs::write(&path, text).map_err(io(&path))?;
            written.push(path);
        }
        all_gold.extend_from_slice(&gold_text);
        all_pred.extend_from_slice(&pred_text);
    }
    for (kind, text) in [("gold", &all_gold), ("pred", &all_pred)] {
        let path = out_dir.join(format!("all.{kind}.conll"));
        std::fs::write(&path, text).map_err(io(&path))?;
        written.push(path);
    }
    Ok(written)
}
