//! Queries: the query language of PRODUCT.md over the schema, hits with snippets.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, QueryParserError, TermQuery};
use tantivy::schema::{IndexRecordOption, TantivyDocument, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Index, Term};

use super::schema::Fields;
use super::{DocType, IndexError};
use crate::model::{ArticleRecord, PageKind, QuoteRecord};

/// Field names users may write in queries.
pub const QUERY_FIELDS: &[&str] = &[
    "type",
    "title",
    "text",
    "speaker",
    "speaker_kind",
    "stance",
    "quote_kind",
    "entity",
    "site",
    "kind",
    "language",
    "published",
    "url",
    "cluster",
];

/// Largest page of hits one request may ask for.
pub const MAX_LIMIT: usize = 10_000;

/// A search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub doc_type: Option<DocType>,
    pub limit: usize,
    pub offset: usize,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<QuoteRecord>,
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
            quote: None,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
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
    /// A fragment of the matching text.
    pub snippet: String,
    /// Char ranges of `snippet` that matched the query.
    pub highlights: Vec<Range<usize>>,
}

/// A page of hits and the total number of matches.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
}

pub fn run(index: &Index, f: &Fields, request: &SearchRequest) -> Result<SearchResults, IndexError> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let query_error = |message: String| IndexError::Query { query: request.query.clone(), message };
    let trimmed = request.query.trim();
    let user_query: Box<dyn Query> = if trimmed.is_empty() || trimmed == "*" {
        Box::new(AllQuery)
    } else {
        let mut parser = QueryParser::for_index(index, vec![f.text, f.title, f.speaker]);
        parser.set_conjunction_by_default();
        parser.parse_query(trimmed).map_err(|e| query_error(describe(&e)))?
    };
    let query: Box<dyn Query> = match request.doc_type {
        None => user_query,
        Some(doc_type) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, user_query),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.doc_type, doc_type.as_str()),
                    IndexRecordOption::Basic,
                )),
            ),
        ])),
    };
    let limit = request.limit.clamp(1, MAX_LIMIT);
    let (top, total) =
        searcher.search(&query, &(TopDocs::with_limit(limit).and_offset(request.offset).order_by_score(), Count))?;
    let snippets = SnippetGenerator::create(&searcher, &*query, f.text).ok();
    let mut hits = Vec::with_capacity(top.len());
    for (score, address) in top {
        hits.push(hit(&searcher, f, score, address, snippets.as_ref())?);
    }
    Ok(SearchResults { total, hits })
}

fn hit(
    searcher: &tantivy::Searcher,
    f: &Fields,
    score: f32,
    address: DocAddress,
    snippets: Option<&SnippetGenerator>,
) -> Result<SearchHit, IndexError> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let doc_type = if text_of(f.doc_type) == "quote" { DocType::Quote } else { DocType::Article };
    let record: StoredRecord = serde_json::from_str(&text_of(f.record)).map_err(|e| IndexError::Open {
        path: "index".into(),
        message: format!("stored record is corrupt: {e}; run `quotewire reindex`"),
    })?;
    let (snippet, highlights) = match snippets {
        Some(generator) => {
            let snippet = generator.snippet_from_doc(&doc);
            let fragment = snippet.fragment().to_string();
            if fragment.is_empty() {
                (lead(&text_of(f.text)), Vec::new())
            } else {
                let ranges = snippet
                    .highlighted()
                    .iter()
                    .map(|r| char_index(&fragment, r.start)..char_index(&fragment, r.end))
                    .collect();
                (fragment, ranges)
            }
        }
        None => (lead(&text_of(f.text)), Vec::new()),
    };
    Ok(SearchHit { doc_type, score, id: text_of(f.id), record, snippet, highlights })
}

fn char_index(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |prefix| prefix.chars().count())
}

/// The first ~200 characters, cut at a word boundary.
fn lead(text: &str) -> String {
    const LEAD_CHARS: usize = 200;
    if text.chars().count() <= LEAD_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(LEAD_CHARS).collect();
    match cut.rfind(' ') {
        Some(pos) => format!("{}…", &cut[..pos]),
        None => format!("{cut}…"),
    }
}

/// Turns parser errors into messages that point at the problem and suggest a fix.
fn describe(error: &QueryParserError) -> String {
    match error {
        QueryParserError::FieldDoesNotExist(field) => {
            format!("unknown field `{field}`: expected one of {}", QUERY_FIELDS.join(", "))
        }
        QueryParserError::SyntaxError(detail) => {
            format!("syntax error ({detail}); check quotes, parentheses and `field:value` pairs")
        }
        QueryParserError::DateFormatError(e) => {
            format!("bad date ({e}); write RFC 3339 such as 2019-01-01T00:00:00Z")
        }
        other => other.to_string(),
    }
}
