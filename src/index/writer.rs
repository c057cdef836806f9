//! Turning article records into index documents, and the writer behind [`IndexSink`].

use std::collections::BTreeSet;

use tantivy::schema::TantivyDocument;
use tantivy::{DateTime, Index, IndexWriter, Term};

use super::schema::Fields;
use super::search::StoredRecord;
use super::{DocType, IndexError};
use crate::model::ArticleRecord;

/// Where analysed articles go to become searchable.
pub trait IndexSink: Send {
    /// Adds an article and its quotes, replacing any earlier version of the same article.
    fn upsert_article(&mut self, article: &ArticleRecord) -> Result<(), IndexError>;
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
}

impl TantivySink {
    pub(super) fn new(index: &Index, fields: Fields, memory_bytes: usize) -> Result<TantivySink, IndexError> {
        let writer = index.writer(memory_bytes)?;
        Ok(TantivySink { writer, fields })
    }
}

impl IndexSink for TantivySink {
    fn upsert_article(&mut self, article: &ArticleRecord) -> Result<(), IndexError> {
        self.writer.delete_term(Term::from_field_text(self.fields.article_id, &article.id));
        for doc in documents(&self.fields, article) {
            self.writer.add_document(doc)?;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), IndexError> {
        self.writer.commit()?;
        Ok(())
    }

    fn commit_through(&mut self, sequence: u64) -> Result<(), IndexError> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&super::sequence::payload(sequence));
        prepared.commit()?;
        Ok(())
    }

    fn clear(&mut self) -> Result<(), IndexError> {
        self.writer.delete_all_documents()?;
        Ok(())
    }
}

fn published(article: &ArticleRecord) -> Option<DateTime> {
    let parsed = chrono::DateTime::parse_from_rfc3339(article.published.as_deref()?).ok()?;
    Some(DateTime::from_timestamp_secs(parsed.timestamp()))
}

/// The article document followed by one document per quote.
fn documents(f: &Fields, article: &ArticleRecord) -> Vec<TantivyDocument> {
    let date = published(article);
    let host = url::Url::parse(&article.url).ok().and_then(|u| u.host_str().map(str::to_string));
    let common = |doc: &mut TantivyDocument, doc_type: DocType| {
        doc.add_text(f.doc_type, doc_type.as_str());
        doc.add_text(f.article_id, &article.id);
        doc.add_text(f.url, &article.url);
        if let Some(title) = &article.title {
            doc.add_text(f.title, title);
        }
        for site in article.site.iter().chain(host.iter()) {
            doc.add_text(f.site, site);
        }
        doc.add_text(f.kind, article.kind.as_str());
        if let Some(cluster) = &article.cluster {
            doc.add_text(f.cluster, cluster);
        }
        doc.add_text(f.language, &article.language);
        if let Some(date) = date {
            doc.add_date(f.published, date);
        }
    };
    let summary = StoredRecord::summary(article);

    let mut docs = Vec::with_capacity(1 + article.quotes.len());
    let mut doc = TantivyDocument::new();
    common(&mut doc, DocType::Article);
    doc.add_text(f.id, &article.id);
    doc.add_text(f.text, &article.text);
    let entities: BTreeSet<&str> = article.entities.iter().map(|e| e.canonical.as_str()).collect();
    for entity in &entities {
        doc.add_text(f.entity, entity);
    }
    doc.add_text(f.record, summary.to_json());
    docs.push(doc);

    for (i, quote) in article.quotes.iter().enumerate() {
        let mut doc = TantivyDocument::new();
        common(&mut doc, DocType::Quote);
        doc.add_text(f.id, format!("{}#q{}", article.id, i));
        doc.add_text(f.text, &quote.text);
        for name in quote.speaker.iter().chain(quote.speaker_entity.iter()) {
            doc.add_text(f.speaker, name);
        }
        doc.add_text(f.speaker_kind, quote.speaker_kind.as_str());
        doc.add_text(f.stance, quote.stance.as_str());
        doc.add_text(f.quote_kind, quote.kind.as_str());
        // Entities the statement is about: those mentioned inside it, and its target.
        let inside: BTreeSet<&str> = article
            .entities
            .iter()
            .filter(|e| e.start >= quote.start && e.end <= quote.end)
            .map(|e| e.canonical.as_str())
            .chain(quote.speaker_entity.as_deref())
            .collect();
        for entity in inside {
            doc.add_text(f.entity, entity);
        }
        let record = StoredRecord { quote: Some(quote.clone()), ..summary.clone() };
        doc.add_text(f.record, record.to_json());
        docs.push(doc);
    }
    docs
}
