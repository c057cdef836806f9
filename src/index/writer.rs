//! Turning article records into index documents, and the writer behind [`IndexSink`].
//!
//! Each document gets a sequence number (`seq`): a report (an article, or a quote by its
//! article, speaker and words) seen for the first time gets the next number, one indexed
//! again (a re-fetched article, a `reindex`) keeps the number it had. So a watch that
//! remembers the highest number it has read finds exactly the reports committed since.
//! Each quote gets its statement cluster (`statements.rs`) and the sentence around it.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use sha2::Digest;
use tantivy::schema::TantivyDocument;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexWriter, ReloadPolicy, Searcher, Term};

use super::analysis;
use super::names::canonical_name;
use super::schema::Fields;
use super::search::{QuoteContext, StoredRecord};
use super::statements::{MAX_SESSION_REPORTS, StatementClusters, VectorLookup};
use super::{DocType, IndexError};
use crate::model::{ArticleRecord, EntityLabel, QuoteRecord, SpeakerKind};

/// Separates a canonical speaker from one spelling in `speaker_variant` (U+001F UNIT
/// SEPARATOR: never part of a name).
pub const VARIANT_SEPARATOR: char = '\u{1f}';
/// Longest context stored around a quote, in chars: a sentence or two, not a paragraph.
const MAX_CONTEXT_CHARS: usize = 600;

/// Where analysed articles go to become searchable.
pub trait IndexSink: Send {
    /// Adds an article and its quotes, replacing any earlier version of the same article.
    fn upsert_article(&mut self, article: &ArticleRecord) -> Result<(), IndexError>;
    /// Adds an article stored under store sequence `sequence` (the indexer's call). A sink
    /// that keeps versions rather than replacing them (Quickwit is append-only) orders an
    /// article's versions by it; the embedded index replaces by article id and ignores it.
    fn upsert_at(&mut self, sequence: u64, article: &ArticleRecord) -> Result<(), IndexError> {
        let _ = sequence;
        self.upsert_article(article)
    }
    /// Makes everything added so far visible to searches.
    fn commit(&mut self) -> Result<(), IndexError>;
    /// Commits and records that the index now holds every article up to store sequence
    /// `sequence` (see `SearchIndex::indexed_through`). A sink that cannot record it only
    /// commits: the next start then re-sends articles, which upserts make harmless.
    fn commit_through(&mut self, sequence: u64) -> Result<(), IndexError> {
        let _ = sequence;
        self.commit()
    }
    /// Removes every document (before a full reindex).
    fn clear(&mut self) -> Result<(), IndexError>;
}

/// The embedded tantivy writer.
pub struct TantivySink {
    writer: IndexWriter<TantivyDocument>,
    fields: Fields,
    sequence: Sequence,
    statements: StatementClusters,
    keyword: TextAnalyzer,
}

/// Sequence numbers: known reports keep theirs, new ones get the next.
pub(super) struct Sequence {
    last: u64,
    known: HashMap<u64, u64, BuildHasherDefault<KeyHasher>>,
}

/// Report keys are already uniform hashes: hashing them again is wasted work.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

impl Sequence {
    /// The numbers of the reports in `searcher` (the index as the writer opened it).
    fn load(searcher: &Searcher) -> Sequence {
        let mut known = HashMap::default();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (Ok(keys), Ok(seqs)) = (fast.u64("key"), fast.u64("seq")) else { continue };
            for doc in segment.doc_ids_alive() {
                if let (Some(key), Some(seq)) = (keys.first(doc), seqs.first(doc)) {
                    known.insert(key, seq);
                }
            }
        }
        Sequence { last: max_seq(searcher), known }
    }

    /// Numbers after `last`, for a sink that cannot read back what it holds.
    pub(super) fn starting_after(last: u64) -> Sequence {
        Sequence { last, known: HashMap::default() }
    }

    /// The highest number given so far.
    pub(super) fn last(&self) -> u64 {
        self.last
    }

    fn number(&mut self, key: u64) -> u64 {
        *self.known.entry(key).or_insert_with(|| {
            self.last += 1;
            self.last
        })
    }
}

/// The identity of a report (see the module docs), as a stable 64-bit hash.
pub fn report_key(article_id: &str, quote: Option<(&str, &str)>) -> u64 {
    let mut hasher = sha2::Sha256::new();
    match quote {
        Some((speaker_key, text)) => {
            let words = super::statements::normalized_words(text).join(" ");
            hasher.update(format!("quote\u{1f}{article_id}\u{1f}{speaker_key}\u{1f}{words}"));
        }
        None => hasher.update(format!("article\u{1f}{article_id}")),
    }
    let digest = hasher.finalize();
    u64::from_be_bytes([digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7]])
}

/// The highest sequence number in `searcher`'s segments (0 for an empty index).
pub(super) fn max_seq(searcher: &Searcher) -> u64 {
    searcher
        .segment_readers()
        .iter()
        .filter_map(|segment| segment.fast_fields().u64("seq").ok())
        .filter(|column| column.num_docs() > 0)
        .map(|column| column.max_value())
        .max()
        .unwrap_or(0)
}

impl TantivySink {
    pub(super) fn new(index: &Index, fields: Fields, memory_bytes: usize) -> Result<TantivySink, IndexError> {
        let writer = index.writer(memory_bytes)?;
        // The writer holds the index lock: what is committed now is all there is.
        let searcher = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?.searcher();
        let sequence = Sequence::load(&searcher);
        let statements = StatementClusters::new(Some((searcher, fields.clone())));
        Ok(TantivySink { writer, fields, sequence, statements, keyword: analysis::keyword_analyzer() })
    }
}

impl IndexSink for TantivySink {
    fn upsert_article(&mut self, article: &ArticleRecord) -> Result<(), IndexError> {
        self.writer.delete_term(Term::from_field_text(self.fields.article_id, &article.id));
        let mut builder = Builder {
            f: &self.fields,
            statements: &mut self.statements,
            keyword: &mut self.keyword,
            sequence: &mut self.sequence,
        };
        let docs = builder.documents(article);
        for doc in docs {
            self.writer.add_document(doc)?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), IndexError> {
        self.writer.commit()?;
        self.bound_session(MAX_SESSION_REPORTS)
    }

    fn commit_through(&mut self, sequence: u64) -> Result<(), IndexError> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&super::sequence::payload(sequence));
        prepared.commit()?;
        self.bound_session(MAX_SESSION_REPORTS)
    }

    fn clear(&mut self) -> Result<(), IndexError> {
        self.writer.delete_all_documents()?;
        // Clusters start over; sequence numbers do not (re-added reports keep theirs).
        self.statements.forget_committed();
        Ok(())
    }
}

impl TantivySink {
    /// Statement clusters compare stored embeddings from `lookup` too (paraphrases of one
    /// speaker join one cluster; see `statements.rs`).
    pub fn set_statement_vectors(&mut self, lookup: VectorLookup) {
        self.statements.set_vectors(lookup);
    }

    /// Reports the statement clusters hold in memory.
    #[cfg(test)]
    pub(super) fn session_reports(&self) -> usize {
        self.statements.session_reports()
    }

    /// After a commit: when the statement clusters hold more than `max` session reports,
    /// they look those up in the index from now on (see `statements::MAX_SESSION_REPORTS`).
    pub(super) fn bound_session(&mut self, max: usize) -> Result<(), IndexError> {
        if self.statements.session_reports() > max {
            let searcher =
                self.writer.index().reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?.searcher();
            self.statements.renew_committed((searcher, self.fields.clone()));
        }
        Ok(())
    }
}

fn published(article: &ArticleRecord) -> Option<i64> {
    Some(chrono::DateTime::parse_from_rfc3339(article.published.as_deref()?).ok()?.timestamp())
}

/// The canonical name of a quote's speaker, capitalised for display ("analysts" and
/// "Analysts" are one group).
pub fn canonical_speaker(quote: &QuoteRecord) -> Option<String> {
    let name = quote.speaker_entity.as_deref().or(quote.speaker.as_deref())?;
    let canonical = canonical_name(name, quote.speaker_kind != SpeakerKind::Person);
    let mut chars = canonical.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// The sentence(s) holding the quote at `quote` (char range), at most `MAX_CONTEXT_CHARS`.
fn context(
    chars: &[(usize, char)],
    text: &str,
    sentences: &[Range<usize>],
    quote: Range<usize>,
) -> Option<QuoteContext> {
    let covering: Vec<&Range<usize>> =
        sentences.iter().filter(|s| s.start < quote.end.max(quote.start + 1) && s.end > quote.start).collect();
    let mut start = covering.first().map_or(quote.start, |s| s.start.min(quote.start));
    let mut end = covering.last().map_or(quote.end, |s| s.end.max(quote.end));
    if end - start > MAX_CONTEXT_CHARS {
        let spare = MAX_CONTEXT_CHARS.saturating_sub(quote.end - quote.start) / 2;
        start = start.max(quote.start.saturating_sub(spare));
        end = end.min(quote.end + spare).max(start);
    }
    let byte = |i: usize| chars.get(i).map_or(text.len(), |(b, _)| *b);
    if end > chars.len() || start >= end || end - start <= quote.end.saturating_sub(quote.start) {
        return None;
    }
    Some(QuoteContext {
        text: text[byte(start)..byte(end)].to_string(),
        start: quote.start - start,
        end: quote.end - start,
    })
}

/// Turns an article into its documents (shared by every sink).
pub(super) struct Builder<'a> {
    pub(super) f: &'a Fields,
    pub(super) statements: &'a mut StatementClusters,
    pub(super) keyword: &'a mut TextAnalyzer,
    pub(super) sequence: &'a mut Sequence,
}

impl Builder<'_> {
    /// The article document followed by one document per quote.
    pub(super) fn documents(&mut self, article: &ArticleRecord) -> Vec<TantivyDocument> {
        let f = self.f;
        let date = published(article);
        let host = url::Url::parse(&article.url).ok().and_then(|u| u.host_str().map(str::to_string));
        let site_name = article.site.clone().or_else(|| host.clone());
        let fetched = chrono::DateTime::parse_from_rfc3339(&article.fetched_at).ok().map(|t| t.timestamp());
        let common = |doc: &mut TantivyDocument, doc_type: DocType, key: u64, seq: u64| {
            doc.add_text(f.doc_type, doc_type.as_str());
            doc.add_text(f.article_id, &article.id);
            doc.add_text(f.url, &article.url);
            doc.add_u64(f.seq, seq);
            doc.add_u64(f.key, key);
            if let Some(fetched) = fetched {
                doc.add_date(f.fetched, super::schema::date_value(fetched));
            }
            if let Some(title) = &article.title {
                doc.add_text(f.title, title);
            }
            for site in article.site.iter().chain(host.iter()) {
                doc.add_text(f.site, site);
            }
            if let Some(name) = &site_name {
                doc.add_text(f.site_name, name);
            }
            doc.add_text(f.kind, article.kind.as_str());
            if let Some(cluster) = &article.cluster {
                doc.add_text(f.cluster, cluster);
            }
            doc.add_text(f.language, &article.language);
            if let Some(date) = date {
                doc.add_date(f.published, super::schema::date_value(date));
            }
        };
        let add_entity = |doc: &mut TantivyDocument, name: &str, organisation: bool| {
            let canonical = canonical_name(name, organisation);
            doc.add_text(f.entity, name);
            doc.add_text(f.entity_key, &canonical);
            doc.add_text(f.entity_canonical, &canonical);
        };
        let summary = StoredRecord::summary(article);

        let mut docs = Vec::with_capacity(1 + article.quotes.len());
        let mut doc = TantivyDocument::new();
        let key = report_key(&article.id, None);
        common(&mut doc, DocType::Article, key, self.sequence.number(key));
        doc.add_text(f.id, &article.id);
        doc.add_text(f.text, &article.text);
        let entities: BTreeSet<(&str, bool)> =
            article.entities.iter().map(|e| (e.canonical.as_str(), e.label != EntityLabel::Person)).collect();
        for (entity, organisation) in &entities {
            add_entity(&mut doc, entity, *organisation);
        }
        doc.add_text(f.record, summary.to_json());
        docs.push(doc);

        let chars: Vec<(usize, char)> =
            if article.quotes.is_empty() { Vec::new() } else { article.text.char_indices().collect() };
        let sentences = if article.quotes.is_empty() { Vec::new() } else { crate::nlp::split_sentences(&article.text) };
        for (i, quote) in article.quotes.iter().enumerate() {
            let mut doc = TantivyDocument::new();
            let canonical = canonical_speaker(quote);
            let speaker_key =
                canonical.as_deref().map(|c| analysis::keyword_value(self.keyword, c)).unwrap_or_default();
            let key = report_key(&article.id, Some((&speaker_key, &quote.text)));
            common(&mut doc, DocType::Quote, key, self.sequence.number(key));
            let id = format!("{}#q{}", article.id, i);
            doc.add_text(f.id, &id);
            doc.add_text(f.text, &quote.text);
            // The name as written, the linked entity and the canonical name, each once.
            let mut names: Vec<&str> = Vec::with_capacity(3);
            for name in quote.speaker.iter().chain(quote.speaker_entity.iter()).chain(canonical.iter()) {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    names.push(name);
                }
            }
            for name in names {
                doc.add_text(f.speaker, name);
            }
            if let Some(canonical) = &canonical {
                doc.add_text(f.speaker_key, canonical);
                doc.add_text(f.speaker_canonical, canonical);
            }
            if let Some(name) = &quote.speaker {
                doc.add_text(f.speaker_name, name);
                if let Some(canonical) = &canonical {
                    doc.add_text(f.speaker_variant, format!("{canonical}{VARIANT_SEPARATOR}{name}"));
                }
            }
            doc.add_text(f.speaker_kind, quote.speaker_kind.as_str());
            doc.add_text(f.stance, quote.stance.as_str());
            doc.add_text(f.quote_kind, quote.kind.as_str());
            if let Some(cue) = &quote.cue {
                doc.add_text(f.cue, cue);
            }
            if let Some(target) = &quote.target {
                doc.add_text(f.target, target);
            }
            // Entities the statement is about: those mentioned inside it, and its speaker.
            let inside: BTreeSet<(&str, bool)> = article
                .entities
                .iter()
                .filter(|e| e.start >= quote.start && e.end <= quote.end)
                .map(|e| (e.canonical.as_str(), e.label != EntityLabel::Person))
                .collect();
            for (entity, organisation) in inside {
                add_entity(&mut doc, entity, organisation);
            }
            if let Some(entity) = &quote.speaker_entity {
                add_entity(&mut doc, entity, quote.speaker_kind != SpeakerKind::Person);
            }
            let statement = self.statements.assign(&speaker_key, &quote.text, date, &id);
            doc.add_text(f.cluster, &statement);
            doc.add_text(f.statement, &statement);
            let record = StoredRecord {
                quote: Some(quote.clone()),
                statement: Some(statement),
                speaker_canonical: canonical,
                context: context(&chars, &article.text, &sentences, quote.start..quote.end),
                ..summary.clone()
            };
            doc.add_text(f.record, record.to_json());
            docs.push(doc);
        }
        docs
    }
}
