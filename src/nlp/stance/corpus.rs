//! The stance corpus (`tests/fixtures/stance/corpus/`): reading it, its fixed train/test
//! split, and scoring the analyzer on it.
//!
//! Scoring runs the real analyzer over each paragraph and matches its quotes to the gold
//! statements by span overlap (a quote covering at least half of a statement's content,
//! one quote per statement, the largest overlaps first), so it measures what a user gets:
//! how many statements are found at all, and the stance of those found.
//!
//! Invariant: the split depends on the item id alone ([`is_test_item`]), so adding or
//! editing other items never moves an item between parts. Nothing here tunes anything.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::StanceError;
use crate::model::{PageKind, QuoteKind, QuoteRecord, Stance};
use crate::nlp::{AnalysisInput, Analyzer};

/// Share of items in the test split, in percent of the id hash space.
const TEST_PERCENT: u64 = 25;

/// A quote matches a gold statement when it covers at least this share of its chars.
const MIN_OVERLAP: f64 = 0.5;

/// One paragraph of the corpus with its labelled statements.
#[derive(Debug, Clone, Deserialize)]
pub struct StanceItem {
    pub id: String,
    pub topic: String,
    pub text: String,
    pub statements: Vec<GoldStatement>,
}

/// One labelled statement.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldStatement {
    /// Exact substring of the item's text.
    pub content: String,
    pub speaker: String,
    pub cue: String,
    pub kind: QuoteKind,
    pub stance: Stance,
    #[serde(default)]
    pub target: Option<String>,
}

/// Which items to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The items models and rules may learn from (about 75%).
    Train,
    /// The fixed held-out items (about 25%).
    Test,
    All,
}

impl Part {
    /// Whether item `id` belongs to this part.
    pub fn keeps(self, id: &str) -> bool {
        match self {
            Part::Train => !is_test_item(id),
            Part::Test => is_test_item(id),
            Part::All => true,
        }
    }
}

/// Whether item `id` is in the test split: the FNV-1a hash of the id, modulo 100, is below
/// [`TEST_PERCENT`].
pub fn is_test_item(id: &str) -> bool {
    fnv1a(id.as_bytes()) % 100 < TEST_PERCENT
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Every item of the `*.jsonl` files in `dir`, files in name order.
pub fn read_corpus(dir: &Path) -> Result<Vec<StanceItem>, StanceError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StanceError::Io { path, source }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(StanceError::NoCorpus { dir: dir.to_path_buf() });
    }
    let mut items = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(io(&file))?;
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let item: StanceItem = serde_json::from_str(line).map_err(|e| StanceError::Corpus {
                path: file.clone(),
                line: n + 1,
                reason: e.to_string(),
            })?;
            items.push(item);
        }
    }
    Ok(items)
}

/// Scores of the analyzer on corpus items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StanceReport {
    /// Gold statements.
    pub statements: usize,
    /// Gold statements a quote matched.
    pub found: usize,
    /// Rows: gold label; columns: predicted label (in [`Stance::ALL`] order), found
    /// statements only.
    pub confusion: [[usize; 8]; 8],
}

impl StanceReport {
    pub(crate) fn add(&mut self, gold: Stance, predicted: Option<Stance>) {
        self.statements += 1;
        if let Some(p) = predicted {
            self.found += 1;
            self.confusion[label_index(gold)][label_index(p)] += 1;
        }
    }

    /// Statements whose matched quote has the gold stance.
    pub fn correct(&self) -> usize {
        (0..8).map(|i| self.confusion[i][i]).sum()
    }

    /// Stance accuracy given a matched quote.
    pub fn accuracy(&self) -> f64 {
        self.correct() as f64 / self.found.max(1) as f64
    }

    /// Share of gold statements a quote matched.
    pub fn found_share(&self) -> f64 {
        self.found as f64 / self.statements.max(1) as f64
    }

    /// Precision, recall and F1 of one label over found statements.
    pub fn prf(&self, label: Stance) -> (f64, f64, f64) {
        let i = label_index(label);
        let tp = self.confusion[i][i] as f64;
        let predicted: usize = (0..8).map(|g| self.confusion[g][i]).sum();
        let gold: usize = self.confusion[i].iter().sum();
        let p = tp / predicted.max(1) as f64;
        let r = tp / gold.max(1) as f64;
        let f = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        (p, r, f)
    }

    /// Adds another report's counts.
    pub fn merge(&mut self, other: &StanceReport) {
        self.statements += other.statements;
        self.found += other.found;
        for g in 0..8 {
            for p in 0..8 {
                self.confusion[g][p] += other.confusion[g][p];
            }
        }
    }
}

impl fmt::Display for StanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "statements {}, found {} ({:.3}); stance correct {} of found: accuracy {:.3}",
            self.statements,
            self.found,
            self.found_share(),
            self.correct(),
            self.accuracy()
        )?;
        write!(f, "{:>10}", "gold\\pred")?;
        for s in Stance::ALL {
            write!(f, "{:>10}", s.as_str())?;
        }
        writeln!(f, "{:>8}{:>8}{:>8}", "P", "R", "F1")?;
        for (g, row) in self.confusion.iter().enumerate() {
            write!(f, "{:>10}", Stance::ALL[g].as_str())?;
            for n in row {
                write!(f, "{n:>10}")?;
            }
            let (p, r, f1) = self.prf(Stance::ALL[g]);
            writeln!(f, "{p:>8.3}{r:>8.3}{f1:>8.3}")?;
        }
        Ok(())
    }
}

fn label_index(stance: Stance) -> usize {
    Stance::ALL.iter().position(|s| *s == stance).unwrap_or(7)
}

/// The char span of `content` in `text` (its first occurrence), if it occurs.
fn char_span(text: &str, content: &str) -> Option<Range<usize>> {
    let byte = text.find(content)?;
    let start = text[..byte].chars().count();
    Some(start..start + content.chars().count())
}

/// For each gold statement of `item`, the index of the quote (among `quotes`, as char
/// spans) matched to it: one-to-one, the largest overlaps first, each covering at least
/// [`MIN_OVERLAP`] of the statement.
pub fn match_statements(item: &StanceItem, quotes: &[Range<usize>]) -> Vec<Option<usize>> {
    let gold: Vec<Option<Range<usize>>> = item.statements.iter().map(|s| char_span(&item.text, &s.content)).collect();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (g, span) in gold.iter().enumerate() {
        let Some(span) = span.as_ref().filter(|s| !s.is_empty()) else { continue };
        for (q, quote) in quotes.iter().enumerate() {
            let overlap = span.end.min(quote.end).saturating_sub(span.start.max(quote.start));
            let share = overlap as f64 / span.len() as f64;
            if share >= MIN_OVERLAP {
                pairs.push((share, g, q));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut matched = vec![None; gold.len()];
    let mut taken = vec![false; quotes.len()];
    for (_, g, q) in pairs {
        if matched[g].is_none() && !taken[q] {
            matched[g] = Some(q);
            taken[q] = true;
        }
    }
    matched
}

/// Runs `analyzer` over each item (English news) and hands every gold statement to `each`
/// with the quote matched to it, if any.
pub fn for_each_match<'a>(
    analyzer: &Analyzer,
    items: impl IntoIterator<Item = &'a StanceItem>,
    mut each: impl FnMut(&GoldStatement, Option<&QuoteRecord>),
) {
    for item in items {
        let input = AnalysisInput { text: &item.text, language: "en", kind: PageKind::News, publisher: None };
        let quotes = analyzer.analyze(&input).quotes;
        let spans: Vec<Range<usize>> = quotes.iter().map(|q| q.start..q.end).collect();
        for (statement, matched) in item.statements.iter().zip(match_statements(item, &spans)) {
            each(statement, matched.map(|q| &quotes[q]));
        }
    }
}

/// Runs `analyzer` over each item (English news) and scores its quotes' stances against the
/// gold statements.
pub fn evaluate<'a>(analyzer: &Analyzer, items: impl IntoIterator<Item = &'a StanceItem>) -> StanceReport {
    let mut report = StanceReport::default();
    for_each_match(analyzer, items, |statement, quote| report.add(statement.stance, quote.map(|q| q.stance)));
    report
}

/// The stance set of `tests/fixtures/stance/statements.jsonl` (one statement per line:
/// `{"text","stance","target"}`) scored as its unit test does: the statement of a line is its
/// most confident quote. Returns the report (found = lines with a quote) and the lines
/// whose target was found among those that name one.
pub fn evaluate_statement_lines(analyzer: &Analyzer, lines: &str) -> Result<(StanceReport, usize, usize), StanceError> {
    let mut report = StanceReport::default();
    let (mut targets, mut targets_found) = (0usize, 0usize);
    for (n, line) in lines.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line).map_err(|e| StanceError::Corpus {
            path: PathBuf::from("statements.jsonl"),
            line: n + 1,
            reason: e.to_string(),
        })?;
        let text = row["text"].as_str().unwrap_or("");
        let gold = row["stance"].as_str().and_then(Stance::parse).unwrap_or(Stance::Neutral);
        let input = AnalysisInput { text, language: "en", kind: PageKind::News, publisher: None };
        let quotes = analyzer.analyze(&input).quotes;
        let best = quotes.iter().fold(None, |best: Option<&crate::model::QuoteRecord>, q| match best {
            Some(b) if b.confidence >= q.confidence => Some(b),
            _ => Some(q),
        });
        report.add(gold, best.map(|q| q.stance));
        if let Some(want) = row["target"].as_str() {
            targets += 1;
            let got = best.and_then(|q| q.target.as_deref()).unwrap_or("");
            targets_found += usize::from(!got.is_empty() && (want.contains(got) || got.contains(want)));
        }
    }
    Ok((report, targets_found, targets))
}

/// Statements whose matched quote has another stance, or that no quote matched: one line
/// each, `id [gold -> predicted] cue | content`.
pub fn errors<'a>(analyzer: &Analyzer, items: impl IntoIterator<Item = &'a StanceItem>) -> Vec<String> {
    let mut out = Vec::new();
    for item in items {
        let input = AnalysisInput { text: &item.text, language: "en", kind: PageKind::News, publisher: None };
        let quotes = analyzer.analyze(&input).quotes;
        let spans: Vec<Range<usize>> = quotes.iter().map(|q| q.start..q.end).collect();
        for (s, matched) in item.statements.iter().zip(match_statements(item, &spans)) {
            let predicted = matched.map(|q| quotes[q].stance);
            if predicted != Some(s.stance) {
                let p = predicted.map_or("(not found)", Stance::as_str);
                out.push(format!("{} [{} -> {}] {} | {}", item.id, s.stance.as_str(), p, s.cue, s.content));
            }
        }
    }
    out
}

/// How [`folds`] groups items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldBy {
    /// Whole topics (sorted by name, dealt round-robin): an estimate on unseen topics.
    Topic,
    /// Items by a hash of their id: an estimate on unseen items of known topics, as the
    /// test split is.
    Item,
}

/// The items of `part`, grouped into `n` folds, for a cross-validated estimate: a model
/// trained without a fold is scored on it.
pub fn folds(items: &[StanceItem], part: Part, n: usize, by: FoldBy) -> Vec<Vec<&StanceItem>> {
    let mut topics: Vec<&str> = items.iter().map(|i| i.topic.as_str()).collect();
    topics.sort_unstable();
    topics.dedup();
    let n = n.max(1);
    let mut out = vec![Vec::new(); n];
    for item in items.iter().filter(|i| part.keeps(&i.id)) {
        let k = match by {
            FoldBy::Topic => topics.iter().position(|t| *t == item.topic).unwrap_or(0),
            // A different hash than the split's, so folds cut across it evenly.
            FoldBy::Item => (fnv1a(item.id.as_bytes()) / 100) as usize,
        };
        out[k % n].push(item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(text: &str, contents: &[&str]) -> StanceItem {
        StanceItem {
            id: "t-001".into(),
            topic: "t".into(),
            text: text.into(),
            statements: contents
                .iter()
                .map(|c| GoldStatement {
                    content: c.to_string(),
                    speaker: "x".into(),
                    cue: "said".into(),
                    kind: QuoteKind::Indirect,
                    stance: Stance::Neutral,
                    target: None,
                })
                .collect(),
        }
    }

    #[test]
    fn the_split_depends_on_the_id_alone_and_holds_out_about_a_quarter() {
        assert_eq!(is_test_item("courts-001"), is_test_item("courts-001"));
        let ids: Vec<String> = (0..2000).map(|i| format!("topic-{i:03}")).collect();
        let test = ids.iter().filter(|id| is_test_item(id)).count();
        assert!((400..600).contains(&test), "{test} of 2000 held out");
        assert!(Part::Test.keeps("a") != Part::Train.keeps("a"));
    }

    #[test]
    fn statements_match_the_quote_covering_most_of_them_one_to_one() {
        let it = item("Ana said the vote was fair. “No comment,” Bo said.", &["the vote was fair", "No comment"]);
        let quotes = [10..27, 29..39, 0..5];
        assert_eq!(match_statements(&it, &quotes), [Some(0), Some(1)]);
        // A quote covering under half of a statement does not match it.
        assert_eq!(match_statements(&it, std::slice::from_ref(&(10..13))), [None, None]);
        // One quote matches one statement only.
        let it = item("the vote was fair", &["the vote", "vote was fair"]);
        assert_eq!(
            match_statements(&it, std::slice::from_ref(&(0..17))),
            [Some(0), None],
            "equal overlaps: the first statement"
        );
        assert_eq!(match_statements(&it, std::slice::from_ref(&(4..17))), [None, Some(0)], "the larger overlap wins");
    }

    fn corpus_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stance/corpus")
    }

    /// The held-out test split, scored exactly: a change in either direction is a deliberate
    /// edit here, with the printed confusion matrix to explain it.
    #[test]
    fn test_split_figures() {
        let items = read_corpus(&corpus_dir()).expect("the corpus reads");
        let report = evaluate(&Analyzer::new(), items.iter().filter(|i| Part::Test.keeps(&i.id)));
        println!("{report}");
        assert_eq!((report.statements, report.found, report.correct()), (543, 520, 415), "{report}");
    }

    /// `quotewire train-stance` with its defaults reproduces the shipped model byte for byte.
    #[test]
    fn training_reproduces_the_shipped_model() {
        let items = read_corpus(&corpus_dir()).expect("the corpus reads");
        let train = items.iter().filter(|i| Part::Train.keeps(&i.id));
        let (model, _) = crate::nlp::stance::train_on(&Analyzer::new(), train, &Default::default());
        let shipped = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config/models/stance-en.bin"))
            .expect("the shipped model reads");
        assert!(
            model.to_bytes() == shipped,
            "config/models/stance-en.bin is stale: retrain it with `cargo run --release -- train-stance`"
        );
    }

    #[test]
    fn reports_count_found_statements_and_per_label_scores() {
        let mut r = StanceReport::default();
        r.add(Stance::Deny, Some(Stance::Deny));
        r.add(Stance::Deny, Some(Stance::Neutral));
        r.add(Stance::Warn, None);
        assert_eq!((r.statements, r.found, r.correct()), (3, 2, 1));
        assert_eq!(r.accuracy(), 0.5);
        let (p, rec, _) = r.prf(Stance::Deny);
        assert_eq!((p, rec), (1.0, 0.5));
    }
}
