//! Searches: a compiled query, restricted by type, ranked by relevance or date, paged,
//! optionally collapsed by statement, returned as hits with marked snippets.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, TantivyDocument, Value};
use tantivy::{DateTime, DocAddress, Order, Searcher, Term};

use super::collapse::{CollapseCollector, Rank};
use super::highlight::{FRAGMENT_CHARS, Highlighter, fragment};
use super::query::{self, CompiledQuery};
use super::schema::Fields;
use super::{DocType, IndexError};
use crate::model::{ArticleRecord, PageKind, QuoteRecord};

/// Largest page of hits one request may ask for.
pub const MAX_LIMIT: usize = 10_000;
/// Deepest hit one request may page to (`offset + limit`): deeper pages cost a full sort
/// each; `export` streams every match instead.
pub const MAX_WINDOW: usize = 100_000;
/// Longest quote text shown whole in a hit; longer ones (transcript turns) are cut around
/// the marks.
const QUOTE_FRAGMENT_CHARS: usize = 400;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub doc_type: Option<DocType>,
    /// Hits to return (0: only count).
    pub limit: usize,
    pub offset: usize,
    pub sort: Sort,
    /// One hit per statement cluster.
    pub collapse: bool,
}

impl SearchRequest {
    /// The first `limit` hits by relevance.
    pub fn new(query: &str, doc_type: Option<DocType>, limit: usize) -> SearchRequest {
        SearchRequest { query: query.to_string(), doc_type, limit, offset: 0, sort: Sort::Relevance, collapse: false }
    }
}

/// The sentence(s) around a quote, with the quote's char range inside them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteContext {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// What is stored with every index document and returned with hits.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredRecord {
    pub article_id: String,
    pub url: String,
    pub title: Option<String>,
    pub site: Option<String>,
    pub published: Option<String>,
    pub kind: PageKind,
    pub language: String,
    /// Near-duplicate article cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<QuoteRecord>,
    /// The canonical speaker that facets, speaker pages and `speaker:` use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_canonical: Option<String>,
    /// Statement cluster of a quote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<QuoteContext>,
}

impl StoredRecord {
    pub fn summary(article: &ArticleRecord) -> StoredRecord {
        StoredRecord {
            article_id: article.id.clone(),
            url: article.url.clone(),
            title: article.title.clone(),
            site: article.site.clone(),
            published: article.published.clone(),
            kind: article.kind,
            language: article.language.clone(),
            cluster: article.cluster.clone(),
            quote: None,
            speaker_canonical: None,
            statement: None,
            context: None,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Publication time, seconds since the epoch.
    pub fn published_secs(&self) -> Option<i64> {
        Some(chrono::DateTime::parse_from_rfc3339(self.published.as_deref()?).ok()?.timestamp())
    }

    /// Whether the stored context says more than the quote itself (a short statement in a
    /// longer sentence, "Huawei denies *the allegations*").
    pub fn context_adds(&self) -> bool {
        match (&self.quote, &self.context) {
            (Some(quote), Some(context)) => quote.text.chars().count() * 10 < context.text.chars().count() * 8,
            _ => false,
        }
    }

    /// The site name, or the URL's host.
    pub fn outlet(&self) -> String {
        self.site.clone().unwrap_or_else(|| {
            url::Url::parse(&self.url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default()
        })
    }
}

/// One hit.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    #[serde(rename = "type")]
    pub doc_type: DocType,
    pub score: f32,
    pub id: String,
    #[serde(flatten)]
    pub record: StoredRecord,
    /// A fragment of the matching text: the quote, or part of the article.
    pub snippet: String,
    /// Char ranges of `snippet` that matched the query.
    pub highlights: Vec<Range<usize>>,
    /// Char ranges of `context.text` that matched the query.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context_highlights: Vec<Range<usize>>,
    /// Char ranges of the quote's speaker that matched the query.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub speaker_highlights: Vec<Range<usize>>,
    /// Reports of this hit's statement in the whole index (quotes only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports: Option<u64>,
    /// With `collapse`: reports of this statement that matched the query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_reports: Option<u64>,
    /// What the document reports (see `writer::report_key`): watches remember hits by it.
    #[serde(skip)]
    pub key: u64,
}

/// A page of hits and the total number of matches (of groups, when collapsed).
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub collapsed: bool,
    pub hits: Vec<SearchHit>,
}

/// `query` restricted to `doc_type`.
pub(super) fn restricted(f: &Fields, query: Box<dyn Query>, doc_type: Option<DocType>) -> Box<dyn Query> {
    match doc_type {
        None => query,
        Some(doc_type) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.doc_type, doc_type.as_str()),
                    IndexRecordOption::Basic,
                )),
            ),
        ])),
    }
}

/// Compiles a user query, mapping its errors to [`IndexError::Query`].
pub(super) fn compile(f: &Fields, query: &str) -> Result<CompiledQuery, IndexError> {
    query::compile(query.trim(), f).map_err(|e| IndexError::query(query, e))
}

pub fn run(searcher: &Searcher, f: &Fields, request: &SearchRequest) -> Result<SearchResults, IndexError> {
    let compiled = compile(f, &request.query)?;
    let query = restricted(f, compiled.query, request.doc_type);
    let limit = request.limit.min(MAX_LIMIT);
    if request.offset.saturating_add(limit) > MAX_WINDOW {
        return Err(IndexError::query(
            &request.query,
            query::QueryError {
                message: format!("pages end at hit {MAX_WINDOW}: narrow the query or use `quotewire export`"),
                column: None,
            },
        ));
    }
    let mut highlighter = Highlighter::new(compiled.highlights);
    let (total, page): (usize, Vec<(f32, DocAddress, Option<u64>)>) = if request.collapse {
        let rank = if request.sort == Sort::Date { Rank::Date } else { Rank::Score };
        let groups = searcher.search(&*query, &CollapseCollector { rank })?;
        let page = groups
            .iter()
            .skip(request.offset)
            .take(limit)
            .map(|g| (if rank == Rank::Score { g.key as f32 } else { 0.0 }, g.address, Some(g.matched)))
            .collect();
        (groups.len(), page)
    } else if limit == 0 {
        (searcher.search(&*query, &Count)?, Vec::new())
    } else {
        match request.sort {
            Sort::Relevance => {
                let top = TopDocs::with_limit(limit).and_offset(request.offset).order_by_score();
                let (top, total) = searcher.search(&*query, &(top, Count))?;
                (total, top.into_iter().map(|(score, a)| (score, a, None)).collect())
            }
            Sort::Date => {
                let top = TopDocs::with_limit(limit)
                    .and_offset(request.offset)
                    .order_by_fast_field::<DateTime>("published", Order::Desc);
                let (top, total) = searcher.search(&*query, &(top, Count))?;
                (total, top.into_iter().map(|(_, a)| (0.0, a, None)).collect())
            }
        }
    };
    let mut hits = Vec::with_capacity(page.len());
    for (score, address, matched) in page {
        let mut hit = hit(searcher, f, &mut highlighter, score, address)?;
        hit.matched_reports = matched;
        hits.push(hit);
    }
    Ok(SearchResults { total, offset: request.offset, limit, collapsed: request.collapse, hits })
}

/// The stored record of a document.
pub(super) fn stored(doc: &TantivyDocument, f: &Fields) -> Result<StoredRecord, IndexError> {
    let json = doc.get_first(f.record).and_then(|v| v.as_str()).unwrap_or("");
    serde_json::from_str(json).map_err(|e| IndexError::Corrupt(format!("stored record: {e}")))
}

pub(super) fn text_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string()
}

/// Number of documents of a statement cluster.
pub(super) fn reports(searcher: &Searcher, f: &Fields, statement: &str) -> Result<u64, IndexError> {
    let query = TermQuery::new(Term::from_field_text(f.cluster, statement), IndexRecordOption::Basic);
    Ok(searcher.search(&query, &Count)? as u64)
}

/// Builds a hit: record, marked snippet, context and speaker marks, statement reports.
pub(super) fn hit(
    searcher: &Searcher,
    f: &Fields,
    highlighter: &mut Highlighter,
    score: f32,
    address: DocAddress,
) -> Result<SearchHit, IndexError> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let doc_type = if text_of(&doc, f.doc_type) == "quote" { DocType::Quote } else { DocType::Article };
    let record = stored(&doc, f)?;
    let key = doc.get_first(f.key).and_then(|v| v.as_u64()).unwrap_or_default();
    let text = if record.quote.is_some() { String::new() } else { text_of(&doc, f.text) };
    let mut hit = SearchHit::marked(doc_type, score, text_of(&doc, f.id), key, record, highlighter, &text);
    if let Some(statement) = &hit.record.statement
        && hit.record.quote.is_some()
    {
        hit.reports = Some(reports(searcher, f, statement)?);
    }
    Ok(hit)
}

impl SearchHit {
    /// A hit of `record` with its snippet and marks (`article_text`: an article's text,
    /// unused for quotes). Every engine's hits are made here.
    pub(super) fn marked(
        doc_type: DocType,
        score: f32,
        id: String,
        key: u64,
        record: StoredRecord,
        highlighter: &mut Highlighter,
        article_text: &str,
    ) -> SearchHit {
        let mut hit = SearchHit {
            doc_type,
            score,
            id,
            snippet: String::new(),
            highlights: Vec::new(),
            context_highlights: Vec::new(),
            speaker_highlights: Vec::new(),
            reports: None,
            matched_reports: None,
            key,
            record,
        };
        mark(&mut hit, highlighter, article_text);
        hit
    }
}

fn mark(hit: &mut SearchHit, highlighter: &mut Highlighter, article_text: &str) {
    match &hit.record.quote {
        Some(quote) => {
            let marks = highlighter.mark(&quote.text);
            (hit.snippet, hit.highlights) = fragment(&quote.text, &marks, QUOTE_FRAGMENT_CHARS);
            if let Some(context) = &hit.record.context {
                hit.context_highlights = highlighter.mark(&context.text);
            }
            if let Some(speaker) = &quote.speaker {
                hit.speaker_highlights = highlighter.mark_name(speaker);
            }
        }
        None => {
            let marks = highlighter.mark(article_text);
            (hit.snippet, hit.highlights) = fragment(article_text, &marks, FRAGMENT_CHARS);
        }
    }
}
