//! Training the stance model: a multinomial logistic regression over the hashed features of
//! the statements the analyzer finds in the stance corpus's train split, each labelled with
//! the gold stance of the statement it matches. (An averaged perceptron over the same
//! features scored 0.74 by topic folds, logistic regression 0.78.)
//!
//! Invariant: training is deterministic (examples in corpus order, shuffled each epoch by a
//! seeded generator; sums in a fixed order), so equal corpora and settings give equal
//! model bytes. It reads only the items it is given: the caller chooses the split.

use std::fmt;
use std::ops::Range;

use super::corpus::{StanceItem, match_statements};
use super::features::Evidence;
use super::model::{LABELS, Scores, StanceModel, index};
use crate::model::{PageKind, Stance};
use crate::nlp::{AnalysisInput, Analyzer};

/// Training settings (the defaults were chosen by the by-topic fold estimate on the train
/// split).
#[derive(Debug, Clone, Copy)]
pub struct TrainConfig {
    /// Passes over the examples.
    pub epochs: usize,
    /// Seed of the per-epoch shuffle.
    pub seed: u64,
    /// AdaGrad's base step.
    pub learning_rate: f32,
    /// L2 shrinkage per update.
    pub l2: f32,
}

impl Default for TrainConfig {
    fn default() -> TrainConfig {
        TrainConfig { epochs: 5, seed: 12, learning_rate: 0.1, l2: 1e-3 }
    }
}

/// Keeps AdaGrad's first steps finite.
const ADAGRAD_EPSILON: f32 = 1e-6;

/// Weights this close to zero on every label are dropped from the model.
const MIN_WEIGHT: f32 = 1e-6;

/// One statement to learn from: its features, the label the decision may not take (a
/// negated cue's own stance) and the gold label.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub features: Vec<u64>,
    pub excluded: Option<Stance>,
    pub gold: Stance,
}

/// What training saw.
#[derive(Debug, Clone, Default)]
pub struct TrainReport {
    pub items: usize,
    pub statements: usize,
    /// Statements a quote matched, the examples learnt from.
    pub examples: usize,
    pub features: usize,
}

impl fmt::Display for TrainReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} items, {} statements, {} matched by a quote and learnt from, {} features",
            self.items, self.statements, self.examples, self.features
        )
    }
}

/// The examples of `items`: each gold statement a quote of the analyzer matches, with that
/// quote's stance evidence.
pub(crate) fn examples<'a>(
    analyzer: &Analyzer,
    items: impl IntoIterator<Item = &'a StanceItem>,
) -> (Vec<Example>, TrainReport) {
    let mut out = Vec::new();
    let mut report = TrainReport::default();
    for item in items {
        report.items += 1;
        report.statements += item.statements.len();
        let input = AnalysisInput { text: &item.text, language: "en", kind: PageKind::News, publisher: None };
        let found = analyzer.found(&input);
        let spans: Vec<Range<usize>> = found.iter().map(|f| f.record.start..f.record.end).collect();
        for (statement, matched) in item.statements.iter().zip(match_statements(item, &spans)) {
            let Some(evidence) = matched.and_then(|q| found[q].evidence.as_ref()) else { continue };
            out.push(Example {
                features: joined(evidence),
                excluded: found[matched.unwrap_or(0)].excluded,
                gold: statement.stance,
            });
        }
    }
    report.examples = out.len();
    (out, report)
}

fn joined(evidence: &Evidence) -> Vec<u64> {
    evidence.cue.iter().chain(&evidence.content).copied().collect()
}

/// Trains a multinomial logistic regression on `examples`: AdaGrad steps on the log loss of
/// the allowed labels, with L2 shrinkage of the weights an example touches.
pub(crate) fn train(examples: &[Example], config: &TrainConfig, description: String) -> StanceModel {
    let mut model = StanceModel { description, ..StanceModel::default() };
    let mut g2: std::collections::HashMap<u64, Scores> = std::collections::HashMap::new();
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = config.seed.max(1);
    let (lr, l2) = (config.learning_rate, config.l2);
    for _ in 0..config.epochs {
        shuffle(&mut order, &mut rng);
        for &i in &order {
            let ex = &examples[i];
            let scores = model.sum(&ex.features);
            let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut p = [0.0f32; LABELS];
            let mut z = 0.0;
            for c in 0..LABELS {
                if Some(Stance::ALL[c]) != ex.excluded {
                    p[c] = (scores[c] - max).exp();
                    z += p[c];
                }
            }
            let gold = index(ex.gold);
            let grad: Scores = std::array::from_fn(|c| p[c] / z - if c == gold { 1.0 } else { 0.0 });
            for f in &ex.features {
                let w = model.weights.entry(*f).or_insert([0.0; LABELS]);
                let g = g2.entry(*f).or_insert([0.0; LABELS]);
                for c in 0..LABELS {
                    let d = grad[c] + l2 * w[c];
                    g[c] += d * d;
                    w[c] -= lr * d / (g[c].sqrt() + ADAGRAD_EPSILON);
                }
            }
        }
    }
    model.weights.retain(|_, w| w.iter().any(|x| x.abs() >= MIN_WEIGHT));
    model
}

/// Fisher-Yates with xorshift64.
fn shuffle(order: &mut [usize], rng: &mut u64) {
    for i in (1..order.len()).rev() {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        let j = (*rng % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
}

/// Trains on the `items` given, returning the model and what training saw.
pub fn train_on<'a>(
    analyzer: &Analyzer,
    items: impl IntoIterator<Item = &'a StanceItem>,
    config: &TrainConfig,
) -> (StanceModel, TrainReport) {
    let (examples, mut report) = examples(analyzer, items);
    let description = format!(
        "quotewire stance model: multinomial logistic regression (AdaGrad, rate {}, L2 {}), {} epochs, seed {}, trained on {} statements of the stance corpus's train split",
        config.learning_rate, config.l2, config.epochs, config.seed, report.examples
    );
    let model = train(&examples, config, description);
    report.features = model.len();
    (model, report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlp::stance::features::feature;
    use crate::nlp::stance::model::best;

    #[test]
    fn training_learns_separable_examples_deterministically() {
        let ex = |word: &str, gold: Stance| Example {
            features: vec![feature(&["bias"]), feature(&["w", word])],
            excluded: None,
            gold,
        };
        let examples = [ex("never", Stance::Deny), ex("welcome", Stance::Support), ex("tuesday", Stance::Neutral)];
        let a = train(&examples, &TrainConfig::default(), "t".into());
        let b = train(&examples, &TrainConfig::default(), "t".into());
        assert_eq!(a.to_bytes(), b.to_bytes());
        for e in &examples {
            assert_eq!(best(&a.sum(&e.features), |_| true).0, e.gold);
        }
    }

    #[test]
    fn an_excluded_label_is_never_predicted() {
        let ex = Example { features: vec![feature(&["w", "deny"])], excluded: Some(Stance::Deny), gold: Stance::Deny };
        let model = train(std::slice::from_ref(&ex), &TrainConfig::default(), "t".into());
        assert_ne!(best(&model.sum(&ex.features), |s| Some(s) != ex.excluded).0, Stance::Deny);
    }
}
