//! Statement clusters: one statement reported by several outlets.
//!
//! Two quotes are reports of one statement when they have the same canonical speaker, were
//! published within [`STATEMENT_WINDOW_DAYS`] of each other, and their normalised words
//! (lower-case, punctuation and quotation marks dropped) are equal or nearly so (word-set
//! Jaccard at least [`NEAR_DUPLICATE_JACCARD`], or one report quoting at least
//! [`CONTAINMENT`] of a shorter one's words), or, when statement vectors are known (the
//! `transformers` feature, after `quotewire embed`), their embeddings are at least
//! [`PARAPHRASE_COSINE`] alike: paraphrased reports of one statement ("Huawei denies the
//! allegations" / "Huawei rejected the accusations"). A cluster's id is derived from its
//! first report, so ids survive re-indexing. Owns the decision only: the writer asks it for
//! the cluster of each quote it indexes and stores the answer.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use sha2::{Digest, Sha256};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, TantivyDocument, Value};
use tantivy::{Searcher, Term};

use super::schema::Fields;
use super::search::StoredRecord;

/// Outlets re-run a statement within days; the same words from the same speaker months
/// apart ("we deny the allegations") are a new statement.
pub const STATEMENT_WINDOW_DAYS: i64 = 14;
/// Shorter statements ("the allegations", "declined to comment") are formulas, not one
/// statement: each report stays its own cluster.
pub const MIN_CLUSTER_WORDS: usize = 5;
/// Word-set Jaccard similarity from which two reports are one statement (an outlet's
/// edit: a dropped clause, a changed tense).
pub const NEAR_DUPLICATE_JACCARD: f64 = 0.75;
/// Share of the shorter report's words the longer one must contain when an outlet quotes
/// only part of a statement.
pub const CONTAINMENT: f64 = 0.9;
/// Cosine similarity of statement embeddings (all-MiniLM-L6-v2) from which two reports of
/// one speaker within the window are one statement in other words. Chosen for precision (a
/// wrong merge hides a statement; a missed one only leaves two clusters) on the dev half of
/// `tests/fixtures/embeddings/paraphrases.jsonl`: its paraphrase pairs score 0.44 to 0.85,
/// its pairs of other statements on the same subject 0.17 to 0.63; 0.66 leaves a margin
/// above every one of those. The test half's figures are printed by
/// `paraphrase_threshold_on_held_out_pairs` (`tests/it/transformers.rs`).
pub const PARAPHRASE_COSINE: f32 = 0.66;
/// Reports shorter than this are not matched by containment (too little evidence).
const MIN_CONTAINED_WORDS: usize = 8;
/// Reports already in the index compared with a new one, at most (same speaker, same
/// weeks): bounds the work of one quote.
const MAX_INDEXED_CANDIDATES: usize = 200;

const SECONDS_PER_DAY: i64 = 86_400;

/// Lower-cased words of `text` (maximal runs of alphanumeric characters).
pub fn normalized_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// A statement as the clustering compares it.
#[derive(Debug, Clone)]
struct Report {
    /// Sorted, distinct word hashes.
    words: Vec<u64>,
    day: Option<i64>,
    cluster: String,
    /// The statement's embedding, when known.
    vector: Option<Vec<f32>>,
}

/// The stored embedding of a statement by id, if it has one.
pub type VectorLookup = Box<dyn Fn(&str) -> Option<Vec<f32>> + Send>;

/// Whether two embeddings are paraphrases of one statement.
fn paraphrase(a: Option<&[f32]>, b: Option<&[f32]>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) if a.len() == b.len() => crate::vectors::cosine(a, b) >= PARAPHRASE_COSINE,
        _ => false,
    }
}

fn word_set(words: &[String]) -> Vec<u64> {
    let mut set: Vec<u64> = words
        .iter()
        .map(|w| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect();
    set.sort_unstable();
    set.dedup();
    set
}

fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Whether two word sets are reports of one statement.
fn same_statement(a: &[u64], b: &[u64]) -> bool {
    if a == b {
        return true;
    }
    let common = intersection(a, b);
    let union = a.len() + b.len() - common;
    if union > 0 && common as f64 / union as f64 >= NEAR_DUPLICATE_JACCARD {
        return true;
    }
    let shorter = a.len().min(b.len());
    shorter >= MIN_CONTAINED_WORDS && common as f64 / shorter as f64 >= CONTAINMENT
}

fn within_window(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= STATEMENT_WINDOW_DAYS,
        // Undated reports join only undated ones (checked by the caller's exact match).
        _ => false,
    }
}

/// The id of a cluster whose first report this is: `s` and 15 hex digits (article ids are
/// 16 hex digits, so `cluster:` tells them apart).
pub fn statement_id(speaker_key: &str, words: &[String], day: Option<i64>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(speaker_key.as_bytes());
    hasher.update([0x1f]);
    hasher.update(words.join(" ").as_bytes());
    hasher.update([0x1f]);
    hasher.update(day.map_or_else(|| "undated".to_string(), |d| d.to_string()).as_bytes());
    let hex: String = hasher.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("s{}", &hex[1..])
}

/// Session reports kept in memory at most: past this many, the next commit moves them to
/// the committed side (looked up in the index), so a writer that lives for days (the
/// daemon's) holds bounded memory. Session matches are exhaustive and committed ones see the
/// [`MAX_INDEXED_CANDIDATES`] nearest reports, so only very prolific speakers notice.
pub const MAX_SESSION_REPORTS: usize = 100_000;

/// Clusters of the quotes one writer indexes: those of this session in memory, those
/// already committed looked up in an index snapshot (the one the writer opened with, renewed
/// when the session outgrows [`MAX_SESSION_REPORTS`]).
pub struct StatementClusters {
    /// Session reports by speaker key, then week number.
    recent: HashMap<String, HashMap<i64, Vec<Report>>>,
    /// Reports in `recent`.
    session_reports: usize,
    /// Session reports without a date, by (speaker key, exact words).
    undated: HashMap<(String, String), String>,
    committed: Option<(Searcher, Fields)>,
    vectors: Option<VectorLookup>,
}

impl StatementClusters {
    /// `committed` is the index as it was when the writer opened (None after a clear).
    pub fn new(committed: Option<(Searcher, Fields)>) -> StatementClusters {
        let committed = committed.filter(|(searcher, _)| searcher.num_docs() > 0);
        StatementClusters {
            recent: HashMap::new(),
            session_reports: 0,
            undated: HashMap::new(),
            committed,
            vectors: None,
        }
    }

    /// Reports of this session held in memory.
    pub fn session_reports(&self) -> usize {
        self.session_reports
    }

    /// Looks up everything committed so far in `committed` (a snapshot taken after the
    /// writer's last commit) and forgets the session's reports, which it now holds.
    pub fn renew_committed(&mut self, committed: (Searcher, Fields)) {
        self.committed = Some(committed).filter(|(searcher, _)| searcher.num_docs() > 0);
        self.recent.clear();
        self.session_reports = 0;
        // Undated clusters are a function of speaker and words: the map is only a cache.
        self.undated.clear();
    }

    /// Compares statement embeddings from `lookup` too, so paraphrases join one cluster.
    pub fn set_vectors(&mut self, lookup: VectorLookup) {
        self.vectors = Some(lookup);
    }

    fn vector_of(&self, quote_id: &str) -> Option<Vec<f32>> {
        self.vectors.as_ref().and_then(|lookup| lookup(quote_id))
    }

    /// Forgets the committed index (after every document was deleted).
    pub fn forget_committed(&mut self) {
        self.committed = None;
        self.recent.clear();
        self.session_reports = 0;
        self.undated.clear();
    }

    /// The cluster of a quote by `speaker_key` (lower-cased canonical speaker; empty when
    /// unknown) published at `published` (seconds since the epoch).
    pub fn assign(&mut self, speaker_key: &str, text: &str, published: Option<i64>, quote_id: &str) -> String {
        let words = normalized_words(text);
        let day = published.map(|s| s.div_euclid(SECONDS_PER_DAY));
        if speaker_key.is_empty() || words.len() < MIN_CLUSTER_WORDS {
            // A report of its own: the id still names one quote, stably.
            return statement_id(&format!("{speaker_key}\u{1f}{quote_id}"), &words, day);
        }
        let set = word_set(&words);
        let Some(day) = day else {
            let key = (speaker_key.to_string(), words.join(" "));
            return self.undated.entry(key).or_insert_with(|| statement_id(speaker_key, &words, None)).clone();
        };
        let week = day.div_euclid(7);
        let window_weeks = STATEMENT_WINDOW_DAYS.div_euclid(7) + 1;
        let vector = self.vector_of(quote_id);
        let session = self.recent.get(speaker_key).and_then(|weeks| {
            let nearby = || (week - window_weeks..=week + window_weeks).filter_map(|w| weeks.get(&w)).flatten();
            let in_window = |r: &&Report| within_window(r.day, Some(day));
            // Same words first; a paraphrase only when no report has them.
            nearby()
                .filter(in_window)
                .find(|r| same_statement(&r.words, &set))
                .or_else(|| nearby().filter(in_window).find(|r| paraphrase(r.vector.as_deref(), vector.as_deref())))
                .map(|r| r.cluster.clone())
        });
        let cluster = session
            .or_else(|| self.committed_match(speaker_key, &set, vector.as_deref(), day))
            .unwrap_or_else(|| statement_id(speaker_key, &words, Some(day)));
        let weeks = match self.recent.get_mut(speaker_key) {
            Some(weeks) => weeks,
            None => self.recent.entry(speaker_key.to_string()).or_default(),
        };
        weeks.entry(week).or_default().push(Report { words: set, day: Some(day), cluster: cluster.clone(), vector });
        self.session_reports += 1;
        cluster
    }

    /// A committed report of the same statement, if any.
    fn committed_match(&self, speaker_key: &str, set: &[u64], vector: Option<&[f32]>, day: i64) -> Option<String> {
        let (searcher, f) = self.committed.as_ref()?;
        let from = super::schema::date_value((day - STATEMENT_WINDOW_DAYS) * SECONDS_PER_DAY);
        let to = super::schema::date_value((day + STATEMENT_WINDOW_DAYS + 1) * SECONDS_PER_DAY);
        let speaker = Term::from_field_text(f.speaker_key, speaker_key);
        let range = RangeQuery::new(
            std::ops::Bound::Included(Term::from_field_date(f.published, from)),
            std::ops::Bound::Excluded(Term::from_field_date(f.published, to)),
        );
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(TermQuery::new(speaker, IndexRecordOption::Basic)) as Box<dyn Query>),
            (Occur::Must, Box::new(range)),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(MAX_INDEXED_CANDIDATES).order_by_score()).ok()?;
        let mut paraphrased = None;
        for (_, address) in top {
            let Ok(doc) = searcher.doc::<TantivyDocument>(address) else { continue };
            let record = doc.get_first(f.record).and_then(|v| v.as_str()).unwrap_or_default();
            let Ok(record) = serde_json::from_str::<StoredRecord>(record) else { continue };
            let (Some(quote), Some(statement)) = (record.quote.as_ref(), record.statement.as_ref()) else {
                continue;
            };
            let other_day = record.published_secs().map(|s| s.div_euclid(SECONDS_PER_DAY));
            if !within_window(other_day, Some(day)) {
                continue;
            }
            if same_statement(&word_set(&normalized_words(&quote.text)), set) {
                return Some(statement.clone());
            }
            if paraphrased.is_none() && vector.is_some() {
                let id = doc.get_first(f.id).and_then(|v| v.as_str()).unwrap_or_default();
                if paraphrase(self.vector_of(id).as_deref(), vector) {
                    paraphrased = Some(statement.clone());
                }
            }
        }
        paraphrased
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = SECONDS_PER_DAY;

    #[test]
    fn near_duplicates_of_one_speaker_within_the_window_share_a_cluster() {
        let mut c = StatementClusters::new(None);
        let t0 = 18_000 * DAY;
        let a = c.assign("huawei", "We have never shared user data with any government.", Some(t0), "a#q0");
        let b = c.assign("huawei", "“We have never shared user data with any government”", Some(t0 + DAY), "b#q0");
        assert_eq!(a, b, "punctuation and quotation marks do not matter");
        let edited = c.assign("huawei", "We have never shared user data with any foreign government", Some(t0), "c#q0");
        assert_eq!(a, edited, "an outlet's edit is the same statement");
        let partial = c.assign(
            "huawei",
            "We have never shared user data with any government, and we never will, whatever Washington says",
            Some(t0 + 2 * DAY),
            "d#q0",
        );
        assert_eq!(a, partial, "a longer report containing the statement");
        let other_speaker = c.assign("zte", "We have never shared user data with any government.", Some(t0), "e#q0");
        assert_ne!(a, other_speaker, "same words, other speaker");
        let later =
            c.assign("huawei", "We have never shared user data with any government.", Some(t0 + 90 * DAY), "f#q0");
        assert_ne!(a, later, "months later it is a new statement");
        let different =
            c.assign("huawei", "Our equipment has passed every security audit in Europe.", Some(t0), "g#q0");
        assert_ne!(a, different);
    }

    #[test]
    fn short_formulas_and_unknown_speakers_are_not_clustered() {
        let mut c = StatementClusters::new(None);
        let t0 = Some(18_000 * DAY);
        assert_ne!(
            c.assign("huawei", "the allegations", t0, "a#q0"),
            c.assign("huawei", "the allegations", t0, "b#q0")
        );
        let text = "The meeting will take place on Tuesday in Brussels";
        assert_ne!(c.assign("", text, t0, "a#q1"), c.assign("", text, t0, "b#q1"));
        // The same quote indexed again keeps its id.
        assert_eq!(
            c.assign("huawei", "the allegations", t0, "a#q0"),
            c.assign("huawei", "the allegations", t0, "a#q0")
        );
    }

    #[test]
    fn paraphrases_of_one_speaker_merge_when_their_embeddings_agree() {
        const NEVER: &str = "We have never shared user data with any government.";
        const PARAPHRASE: &str = "Our company did not hand customer information to state authorities.";
        const OTHER: &str = "Our equipment has passed every security audit in Europe.";
        let vectors: HashMap<&str, Vec<f32>> = [
            ("a#q0", vec![1.0, 0.0, 0.0]),
            ("b#q0", vec![0.95, 0.31, 0.0]),
            ("c#q0", vec![0.95, 0.31, 0.0]),
            ("d#q0", vec![0.0, 0.2, 0.98]),
            ("e#q0", vec![0.6, -0.8, 0.0]),
        ]
        .into_iter()
        .collect();
        let lookup = move |id: &str| vectors.get(id).cloned();
        let t0 = 18_000 * DAY;
        let mut c = StatementClusters::new(None);
        c.set_vectors(Box::new(lookup.clone()));
        let a = c.assign("huawei", NEVER, Some(t0), "a#q0");
        assert_eq!(a, c.assign("huawei", PARAPHRASE, Some(t0 + DAY), "b#q0"), "a paraphrase by the same speaker");
        assert_ne!(a, c.assign("zte", PARAPHRASE, Some(t0), "c#q0"), "another speaker's paraphrase");
        assert_ne!(a, c.assign("huawei", OTHER, Some(t0), "d#q0"), "another statement");
        let loosely = "Officials never received any records of our clients from us.";
        assert_ne!(a, c.assign("huawei", loosely, Some(t0), "e#q0"), "cosine 0.6 is below the threshold");
        assert_ne!(a, c.assign("huawei", PARAPHRASE, Some(t0 + 60 * DAY), "b#q0"), "outside the window");
        // Without vectors, paraphrases stay apart.
        let mut plain = StatementClusters::new(None);
        let a = plain.assign("huawei", NEVER, Some(t0), "a#q0");
        assert_ne!(a, plain.assign("huawei", PARAPHRASE, Some(t0), "b#q0"));
    }

    #[test]
    fn similarity_table() {
        let set = |t: &str| word_set(&normalized_words(t));
        let cases = [
            ("a b c d e f g h", "a b c d e f g h", true),
            ("a b c d e f g h", "a b c d e f g x", true),
            ("a b c d e f g h", "a b c d x y z w", false),
            ("a b c d e f g h", "a b c d e f g h i j k l m n o p", true),
            ("a b c d e", "a b c d e f g h i j k l m n o p", false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(same_statement(&set(a), &set(b)), expected, "{a} / {b}");
        }
    }
}
