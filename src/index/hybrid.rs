//! Hybrid search: BM25 and statement vectors fused by reciprocal rank (RRF).
//!
//! The lexical side is the query as written; the vector side is the nearest statements to
//! the query's free words (`query/meaning.rs`), computed by the caller (this module never
//! sees vectors or models), kept only when they match the query's filters. Each document
//! scores `Σ 1 / (RRF_K + rank)` over the lists it is in, so a paraphrase sharing no word
//! with the query still ranks, and a statement both lists agree on ranks first. Statements
//! only: vectors are per statement.

use std::collections::HashMap;

use tantivy::collector::DocSetCollector;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, TantivyDocument};
use tantivy::{DocAddress, Searcher, Term};

use super::highlight::Highlighter;
use super::query::{self, QueryError};
use super::schema::Fields;
use super::search::{self, Sort, text_of};
use super::{DocType, IndexError, SearchHit, SearchRequest, SearchResults};

/// The rank constant of reciprocal rank fusion (Cormack et al. 2009): damps the weight of
/// the very first ranks so neither list dominates.
pub const RRF_K: f32 = 60.0;
/// Hits taken from each side before fusing: deeper than any page a person reads, small
/// enough to answer at once.
pub const HYBRID_DEPTH: usize = 100;

/// A statement's fused score, its lexical hit (if BM25 found it) and its document.
type Fused = (f32, Option<SearchHit>, Option<DocAddress>);

fn usage(request: &SearchRequest, message: &str) -> IndexError {
    IndexError::query(&request.query, QueryError { message: message.to_string(), column: None })
}

/// The free words of `query` to embed for its vector side (empty: none, search lexically).
pub fn meaning(f: &Fields, query: &str) -> Result<String, IndexError> {
    Ok(query::split(query.trim(), f).map_err(|e| IndexError::query(query, e))?.text)
}

/// `nearest` (statement ids, best first) restricted to the statements matching the query's
/// filters, with their documents.
fn matching_candidates(
    searcher: &Searcher,
    f: &Fields,
    filter: Option<Box<dyn Query>>,
    nearest: &[String],
) -> Result<Vec<(String, DocAddress)>, IndexError> {
    let mut articles: Vec<&str> = nearest.iter().filter_map(|id| id.split_once("#q").map(|(a, _)| a)).collect();
    articles.sort_unstable();
    articles.dedup();
    let in_articles: Box<dyn Query> = Box::new(BooleanQuery::new(
        articles
            .iter()
            .map(|a| {
                let term = TermQuery::new(Term::from_field_text(f.article_id, a), IndexRecordOption::Basic);
                (Occur::Should, Box::new(term) as Box<dyn Query>)
            })
            .collect(),
    ));
    let quotes = TermQuery::new(Term::from_field_text(f.doc_type, DocType::Quote.as_str()), IndexRecordOption::Basic);
    let query = BooleanQuery::new(vec![
        (Occur::Must, filter.unwrap_or_else(|| Box::new(AllQuery))),
        (Occur::Must, in_articles),
        (Occur::Must, Box::new(quotes)),
    ]);
    let mut found: HashMap<String, DocAddress> = HashMap::new();
    for address in searcher.search(&query, &DocSetCollector)? {
        let doc: TantivyDocument = searcher.doc(address)?;
        found.insert(text_of(&doc, f.id), address);
    }
    Ok(nearest.iter().filter_map(|id| found.get(id).map(|a| (id.clone(), *a))).collect())
}

/// The statements of `request` ranked by fusing its BM25 ranking with `nearest`, the ids of
/// the statements nearest in meaning to its free words (best first, at most
/// [`HYBRID_DEPTH`] are used).
pub fn run(
    searcher: &Searcher,
    f: &Fields,
    request: &SearchRequest,
    nearest: &[String],
) -> Result<SearchResults, IndexError> {
    if request.sort == Sort::Date {
        return Err(usage(request, "hybrid search ranks by relevance: leave out the date sort"));
    }
    if request.doc_type == Some(DocType::Article) {
        return Err(usage(request, "hybrid search ranks statements: use type quote"));
    }
    let parts = query::split(request.query.trim(), f).map_err(|e| IndexError::query(&request.query, e))?;
    let lexical_request = SearchRequest {
        query: request.query.clone(),
        doc_type: Some(DocType::Quote),
        limit: HYBRID_DEPTH,
        offset: 0,
        sort: Sort::Relevance,
        collapse: false,
    };
    let lexical = search::run(searcher, f, &lexical_request)?.hits;
    let nearest = &nearest[..nearest.len().min(HYBRID_DEPTH)];
    let semantic = matching_candidates(searcher, f, parts.filter, nearest)?;

    let mut fused: HashMap<String, Fused> = HashMap::new();
    for (rank, hit) in lexical.into_iter().enumerate() {
        let entry = fused.entry(hit.id.clone()).or_insert((0.0, None, None));
        entry.0 += 1.0 / (RRF_K + rank as f32 + 1.0);
        entry.1 = Some(hit);
    }
    for (rank, (id, address)) in semantic.into_iter().enumerate() {
        let entry = fused.entry(id).or_insert((0.0, None, None));
        entry.0 += 1.0 / (RRF_K + rank as f32 + 1.0);
        entry.2 = Some(address);
    }
    let mut ranked: Vec<(String, Fused)> = fused.into_iter().collect();
    ranked.sort_by(|a, b| b.1.0.total_cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));

    let compiled = search::compile(f, &request.query)?;
    let mut highlighter = Highlighter::new(compiled.highlights);
    let mut hits = Vec::new();
    let mut seen_statements = std::collections::HashSet::new();
    let mut total = 0;
    for (_, (score, lexical, address)) in ranked {
        let hit = match (lexical, address) {
            (Some(hit), _) => hit,
            (None, Some(address)) => search::hit(searcher, f, &mut highlighter, score, address)?,
            (None, None) => continue,
        };
        if request.collapse
            && let Some(statement) = &hit.record.statement
            && !seen_statements.insert(statement.clone())
        {
            continue;
        }
        total += 1;
        if total > request.offset && hits.len() < request.limit {
            hits.push(SearchHit { score, ..hit });
        }
    }
    Ok(SearchResults { total, offset: request.offset, limit: request.limit, collapsed: request.collapse, hits })
}
