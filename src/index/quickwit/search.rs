//! Searching a Quickwit index with our query language: the query is checked and its
//! highlights taken exactly as for the embedded index, translated (`query::quickwit`),
//! restricted by type, and sent to `POST /api/v1/{index}/search`. Hits are collapsed to the
//! newest version of each article (the highest `store_seq` among the article's documents)
//! and duplicates of one version (a batch resent after a crash) are dropped, so a search
//! sees what the embedded index would hold. Old versions are only found by reading the
//! matches, so the total is exact up to [`COUNT_EXACTLY_UP_TO`] matches and estimated
//! beyond. Quickwit does not return scores with hits:
//! hits come in its order (relevance, or newest first) with a score of 0.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::super::highlight::Highlighter;
use super::super::query::{self, Highlights, QueryError};
use super::super::schema::{self, Fields};
use super::super::search::{self, MAX_LIMIT, MAX_WINDOW, SearchHit, SearchRequest, SearchResults, Sort, StoredRecord};
use super::super::{DocType, IndexError};
use super::client::QuickwitClient;
use super::mapping::STORE_SEQ_FIELD;
use super::{QuickwitError, RetryPolicy};

/// Matches read to count exactly how many are current versions; beyond this the total is
/// estimated from the share of current versions among those read (each match read costs
/// its stored fields, about 2 KB).
const COUNT_EXACTLY_UP_TO: usize = 1_000;
/// Most hits asked for in one request (bounds one answer's size); deeper pages are read
/// with `start_offset`.
const MAX_HITS_PER_REQUEST: usize = 10_000;
/// Most matches one search reads (a deep page over many old versions).
const MAX_READ: usize = 4 * MAX_WINDOW;
/// Article ids asked about in one version lookup.
const VERSION_LOOKUP_IDS: usize = 50;
/// Versions of one article a lookup expects at most (more are read in a further request).
const VERSIONS_PER_ARTICLE: usize = 8;

/// A Quickwit index searched with our query language.
pub struct QuickwitSearch {
    client: QuickwitClient,
    index_id: String,
    fields: Fields,
}

fn usage(request: &SearchRequest, message: String) -> IndexError {
    IndexError::query(&request.query, QueryError { message, column: None })
}

impl QuickwitSearch {
    pub fn new(base_url: &str, index_id: &str) -> Result<QuickwitSearch, QuickwitError> {
        let config = super::QuickwitConfig::new(base_url, index_id, std::path::PathBuf::new())?;
        let client = QuickwitClient::new(&config.base_url, RetryPolicy::default(), config.timeout)?;
        // The schema is built from the field table, so every field exists.
        let fields = Fields::new(&schema::build()).unwrap_or_else(|e| unreachable!("{e}"));
        Ok(QuickwitSearch { client, index_id: index_id.to_string(), fields })
    }

    /// The Quickwit query for `request` (checked as for the embedded index).
    pub fn translate(&self, request: &SearchRequest) -> Result<String, IndexError> {
        self.checked(request).map(|(translated, _)| translated)
    }

    /// The Quickwit query for `request` and the highlights of the embedded compiler, which
    /// checks the query first (so errors read as with the embedded index).
    fn checked(&self, request: &SearchRequest) -> Result<(String, Highlights), IndexError> {
        let highlights = search::compile(&self.fields, &request.query)?.highlights;
        let translated =
            query::translate_for_quickwit(request.query.trim()).map_err(|e| IndexError::query(&request.query, e))?;
        let translated = match request.doc_type {
            Some(doc_type) => format!("({translated}) AND type:\"{}\"", doc_type.as_str()),
            None => translated,
        };
        Ok((translated, highlights))
    }

    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        if request.collapse {
            return Err(usage(request, "collapsing by statement is not available with Quickwit yet".into()));
        }
        let limit = request.limit.min(MAX_LIMIT);
        let window = request.offset.saturating_add(limit);
        if window > MAX_WINDOW {
            return Err(usage(request, format!("pages end at hit {MAX_WINDOW}: narrow the query")));
        }
        let (quickwit_query, highlights) = self.checked(request)?;
        let mut raw: Vec<Value> = Vec::new();
        let mut newest: HashMap<String, u64> = HashMap::new();
        let mut target = window * 2 + 20;
        let (kept, total) = loop {
            let want = target.saturating_sub(raw.len()).clamp(1, MAX_HITS_PER_REQUEST);
            let mut body = json!({ "query": quickwit_query, "max_hits": want, "start_offset": raw.len() });
            if request.sort == Sort::Date {
                body["sort_by"] = json!("-published");
            }
            let answer = self.client.search(&self.index_id, &body)?;
            let hits = answer["hits"].as_array().cloned().unwrap_or_default();
            let num_hits = answer["num_hits"].as_u64().map_or(raw.len() + hits.len(), |n| n as usize);
            let unknown: Vec<Value> = hits
                .iter()
                .filter(|d| !newest.contains_key(d["article_id"].as_str().unwrap_or_default()))
                .cloned()
                .collect();
            newest.extend(self.newest_versions(&unknown)?);
            let got = hits.len();
            raw.extend(hits);
            let kept = current(&raw, &newest);
            if raw.len() >= num_hits || got == 0 {
                let total = kept.len();
                break (kept, total);
            }
            if (kept.len() >= window && raw.len() >= COUNT_EXACTLY_UP_TO) || raw.len() >= MAX_READ {
                // Too many to read every one: the share of current versions among those
                // read, applied to all.
                let total = (num_hits as f64 * kept.len() as f64 / raw.len() as f64).round() as usize;
                break (kept, total);
            }
            target = if kept.len() < window { raw.len() * 2 } else { COUNT_EXACTLY_UP_TO };
        };
        let mut highlighter = Highlighter::new(highlights);
        let hits = kept
            .iter()
            .skip(request.offset)
            .take(limit)
            .map(|doc| hit(doc, &mut highlighter))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchResults { total, offset: request.offset, limit, collapsed: false, hits })
    }

    /// The newest store sequence of each article the hits belong to.
    fn newest_versions(&self, hits: &[Value]) -> Result<HashMap<String, u64>, IndexError> {
        let ids: Vec<&str> = {
            let mut seen = HashSet::new();
            hits.iter().filter_map(|d| d["article_id"].as_str()).filter(|id| seen.insert(*id)).collect()
        };
        let mut newest = HashMap::new();
        for chunk in ids.chunks(VERSION_LOOKUP_IDS) {
            let terms: Vec<String> =
                chunk.iter().map(|id| format!("article_id:{}", crate::index::query::quickwit_quoted(id, 0))).collect();
            let query = format!("type:\"article\" AND ({})", terms.join(" OR "));
            let mut max_hits = chunk.len() * VERSIONS_PER_ARTICLE;
            loop {
                let answer = self.client.search(&self.index_id, &json!({ "query": query, "max_hits": max_hits }))?;
                let versions = answer["hits"].as_array().cloned().unwrap_or_default();
                for doc in &versions {
                    if let (Some(id), Some(seq)) = (doc["article_id"].as_str(), doc[STORE_SEQ_FIELD].as_u64()) {
                        let entry = newest.entry(id.to_string()).or_insert(seq);
                        *entry = (*entry).max(seq);
                    }
                }
                if answer["num_hits"].as_u64().is_none_or(|n| n as usize <= versions.len()) {
                    break;
                }
                max_hits *= 4;
            }
        }
        Ok(newest)
    }
}

/// The documents of `raw` that belong to their article's newest version, each once.
fn current(raw: &[Value], newest: &HashMap<String, u64>) -> Vec<Value> {
    let mut seen = HashSet::new();
    raw.iter()
        .filter(|doc| {
            let article = doc["article_id"].as_str().unwrap_or_default();
            let current = newest.get(article).is_none_or(|&n| doc[STORE_SEQ_FIELD].as_u64() == Some(n));
            current && seen.insert(doc["id"].as_str().unwrap_or_default().to_string())
        })
        .cloned()
        .collect()
}

/// A hit from a Quickwit document (its stored fields).
fn hit(doc: &Value, highlighter: &mut Highlighter) -> Result<SearchHit, IndexError> {
    let record: StoredRecord = serde_json::from_str(doc["record"].as_str().unwrap_or_default())
        .map_err(|e| IndexError::Corrupt(format!("a Quickwit document's stored record: {e}")))?;
    let doc_type = if doc["type"] == "quote" { DocType::Quote } else { DocType::Article };
    let id = doc["id"].as_str().unwrap_or_default().to_string();
    let key = doc["key"].as_u64().unwrap_or_default();
    let text = doc["text"].as_str().unwrap_or_default();
    let hit = SearchHit::marked(doc_type, 0.0, id, key, record, highlighter, text);
    Ok(hit)
}
