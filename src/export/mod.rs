//! Exports: every stored article, or every match of a query, as JSON lines or CSV
//! (RFC 4180: comma-separated, `"`-quoted where needed, CRLF line ends, UTF-8), streamed
//! record by record with no cap on the number of matches.
//!
//! A quote export returns the matching quotes only; an article export returns the articles
//! that match or hold matching quotes, each with only its matching quotes. Reads the index
//! (which documents match) and the store (full article records); writes nothing.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use crate::index::{DocType, IndexError, Match, SearchIndex};
use crate::model::ArticleRecord;
use crate::store::{DocumentStore, StoreError};

/// Errors of an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the export: {0}")]
    Write(String),
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> ExportError {
        ExportError::Write(e.to_string())
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> ExportError {
        ExportError::Write(e.to_string())
    }
}

impl From<serde_json::Error> for ExportError {
    fn from(e: serde_json::Error) -> ExportError {
        ExportError::Write(e.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

/// What one record of the export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Article,
    Quote,
}

/// Columns of a quote CSV.
pub const QUOTE_COLUMNS: [&str; 21] = [
    "article_id",
    "url",
    "site",
    "title",
    "published",
    "language",
    "kind",
    "quote_id",
    "quote_text",
    "quote_start",
    "quote_end",
    "quote_kind",
    "speaker",
    "speaker_canonical",
    "speaker_kind",
    "cue",
    "stance",
    "stance_source",
    "target",
    "confidence",
    "statement",
];

/// Columns of an article CSV.
pub const ARTICLE_COLUMNS: [&str; 11] = [
    "article_id",
    "url",
    "canonical_url",
    "site",
    "title",
    "authors",
    "published",
    "language",
    "kind",
    "quotes",
    "cluster",
];

fn csv_writer(out: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out)
}

fn quote_row(m: &Match) -> Option<Vec<String>> {
    let r = &m.record;
    let q = r.quote.as_ref()?;
    Some(vec![
        r.article_id.clone(),
        r.url.clone(),
        r.outlet(),
        r.title.clone().unwrap_or_default(),
        r.published.clone().unwrap_or_default(),
        r.language.clone(),
        r.kind.as_str().to_string(),
        m.id.clone(),
        q.text.clone(),
        q.start.to_string(),
        q.end.to_string(),
        q.kind.as_str().to_string(),
        q.speaker.clone().unwrap_or_default(),
        r.speaker_canonical.clone().unwrap_or_default(),
        q.speaker_kind.as_str().to_string(),
        q.cue.clone().unwrap_or_default(),
        q.stance.as_str().to_string(),
        q.stance_source.as_str().to_string(),
        q.target.clone().unwrap_or_default(),
        format!("{:.2}", q.confidence),
        r.statement.clone().unwrap_or_default(),
    ])
}

fn article_row(a: &ArticleRecord) -> Vec<String> {
    vec![
        a.id.clone(),
        a.url.clone(),
        a.canonical_url.clone().unwrap_or_default(),
        a.site.clone().unwrap_or_default(),
        a.title.clone().unwrap_or_default(),
        a.authors.join("; "),
        a.published.clone().unwrap_or_default(),
        a.language.clone(),
        a.kind.as_str().to_string(),
        a.quotes.len().to_string(),
        a.cluster.clone().unwrap_or_default(),
    ]
}

/// One JSON line of a quote export: the search hit's record with its id and type.
#[derive(serde::Serialize)]
struct QuoteLine<'a> {
    #[serde(rename = "type")]
    doc_type: DocType,
    id: &'a str,
    #[serde(flatten)]
    record: &'a crate::index::StoredRecord,
}

/// Writes the export; returns the number of records (quotes or articles) written.
pub fn write(
    store: &dyn DocumentStore,
    index: &SearchIndex,
    query: Option<&str>,
    unit: Unit,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    match unit {
        Unit::Quote => write_quotes(index, query.unwrap_or("*"), format, out),
        Unit::Article => match query {
            None => write_articles(store, format, out),
            Some(query) => write_matching_articles(store, index, query, format, out),
        },
    }
}

/// Writes every stored article (no index needed: a PostgreSQL store without a local index
/// exports so); returns how many.
pub fn write_articles(store: &dyn DocumentStore, format: Format, out: &mut dyn Write) -> Result<u64, ExportError> {
    let mut writer = ArticleWriter::new(format, out)?;
    let mut failed = None;
    let result = store.each_article(&mut |a| {
        writer.write(&a).map_err(|e| {
            let message = e.to_string();
            failed = Some(e);
            StoreError::Corrupt { id: a.id.clone(), message }
        })
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let n = result?;
    writer.finish()?;
    Ok(n)
}

fn write_quotes(index: &SearchIndex, query: &str, format: Format, out: &mut dyn Write) -> Result<u64, ExportError> {
    match format {
        Format::Jsonl => index
            .each_match(query, Some(DocType::Quote), &mut |m| {
                let line = QuoteLine { doc_type: m.doc_type, id: &m.id, record: &m.record };
                serde_json::to_writer(&mut *out, &line).map_err(|e| IndexError::Corrupt(e.to_string()))?;
                out.write_all(b"\n").map_err(|e| IndexError::Corrupt(e.to_string()))
            })
            .map_err(write_error),
        Format::Csv => {
            let mut w = csv_writer(out);
            w.write_record(QUOTE_COLUMNS)?;
            let n = index
                .each_match(query, Some(DocType::Quote), &mut |m| match quote_row(&m) {
                    Some(row) => w.write_record(&row).map_err(|e| IndexError::Corrupt(e.to_string())),
                    None => Ok(()),
                })
                .map_err(write_error)?;
            w.flush()?;
            Ok(n)
        }
    }
}

/// Index errors raised by the writing closures carry the write error's text.
fn write_error(e: IndexError) -> ExportError {
    match e {
        IndexError::Corrupt(message) => ExportError::Write(message),
        other => ExportError::Index(other),
    }
}

/// Article records one at a time, as JSON lines or CSV rows.
struct ArticleWriter<'a> {
    format: Format,
    csv: Option<csv::Writer<&'a mut dyn Write>>,
    out: Option<&'a mut dyn Write>,
}

impl<'a> ArticleWriter<'a> {
    fn new(format: Format, out: &'a mut dyn Write) -> Result<ArticleWriter<'a>, ExportError> {
        Ok(match format {
            Format::Jsonl => ArticleWriter { format, csv: None, out: Some(out) },
            Format::Csv => {
                let mut w = csv_writer(out);
                w.write_record(ARTICLE_COLUMNS)?;
                ArticleWriter { format, csv: Some(w), out: None }
            }
        })
    }

    fn write(&mut self, article: &ArticleRecord) -> Result<(), ExportError> {
        match (self.format, &mut self.csv, &mut self.out) {
            (Format::Csv, Some(w), _) => w.write_record(article_row(article))?,
            (_, _, Some(out)) => {
                serde_json::to_writer(&mut **out, article)?;
                out.write_all(b"\n")?;
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<(), ExportError> {
        if let Some(mut w) = self.csv {
            w.flush()?;
        }
        if let Some(out) = self.out {
            out.flush()?;
        }
        Ok(())
    }
}

/// Articles matching `query` themselves or through their quotes, each with its matching
/// quotes only, in index order.
fn write_matching_articles(
    store: &dyn DocumentStore,
    index: &SearchIndex,
    query: &str,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let mut order: Vec<String> = Vec::new();
    let mut quotes: HashMap<String, BTreeSet<usize>> = HashMap::new();
    index.each_match(query, None, &mut |m| {
        let entry = quotes.entry(m.record.article_id.clone()).or_insert_with(|| {
            order.push(m.record.article_id.clone());
            BTreeSet::new()
        });
        if let Some(position) = m.id.rsplit_once("#q").and_then(|(_, n)| n.parse::<usize>().ok()) {
            entry.insert(position);
        }
        Ok(())
    })?;
    let mut writer = ArticleWriter::new(format, out)?;
    let mut n = 0;
    for id in order {
        let Some(mut article) = store.article(&id)? else { continue };
        let keep = quotes.remove(&id).unwrap_or_default();
        article.quotes = std::mem::take(&mut article.quotes)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| keep.contains(i))
            .map(|(_, q)| q)
            .collect();
        writer.write(&article)?;
        n += 1;
    }
    writer.finish()?;
    Ok(n)
}
