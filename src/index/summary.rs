//! Summaries built from several searches: a speaker's or an entity's record (first and last
//! statement, stances over time, co-mentioned entities, outlets, variants of the name),
//! one statement cluster with every report, and single documents by id.

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DateTime, Order, Searcher, Term};

use super::facets::{self, FacetValue};
use super::highlight::Highlighter;
use super::query::Highlights;
use super::schema::Fields;
use super::search::{SearchHit, compile, hit, restricted};
use super::timeline::{self, Interval, Timeline};
use super::{DocType, IndexError};

/// Values listed per part of a summary.
const SUMMARY_TOP: usize = 10;
/// Most reports a cluster view lists.
pub const MAX_CLUSTER_REPORTS: usize = 1_000;

/// Whose record a summary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    Speaker,
    Entity,
}

/// A speaker's or entity's record.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub subject: Subject,
    /// The canonical name.
    pub name: String,
    /// The query behind every figure (`speaker:"Huawei"`).
    pub query: String,
    /// Statements by the speaker (about the entity).
    pub quotes: u64,
    /// Articles mentioning the entity (entities only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub articles: Option<u64>,
    /// Spellings of the speaker's name and how often each appears.
    pub variants: Vec<FacetValue>,
    pub first: Option<SearchHit>,
    pub last: Option<SearchHit>,
    pub stances: Vec<FacetValue>,
    /// Statements per period, split by stance.
    pub timeline: Timeline,
    /// Entities mentioned in the statements (other than the subject).
    pub entities: Vec<FacetValue>,
    /// Who speaks about the entity (entities only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub speakers: Vec<FacetValue>,
    pub outlets: Vec<FacetValue>,
}

/// `name` quoted for a query.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The first or last hit of `query` by publication date.
fn by_date(searcher: &Searcher, f: &Fields, query: &dyn Query, order: Order) -> Result<Option<SearchHit>, IndexError> {
    let top = searcher.search(query, &TopDocs::with_limit(20).order_by_fast_field::<DateTime>("published", order))?;
    // Undated documents sort first in ascending order; a first statement has a date.
    let Some((_, address)) = top.into_iter().find(|(date, _)| date.is_some()) else { return Ok(None) };
    Ok(Some(hit(searcher, f, &mut Highlighter::new(Highlights::default()), 0.0, address)?))
}

/// The summary of `subject` `name`, or None when nothing matches.
pub fn summarize(
    searcher: &Searcher,
    f: &Fields,
    subject: Subject,
    name: &str,
    interval: Interval,
) -> Result<Option<Summary>, IndexError> {
    let field = match subject {
        Subject::Speaker => "speaker",
        Subject::Entity => "entity",
    };
    let query_text = format!("{field}:{}", quoted(name.trim()));
    let compiled = compile(f, &query_text)?;
    let quotes_query = restricted(f, compiled.query.box_clone(), Some(DocType::Quote));
    let parts = ["speaker", "stance", "entity", "site"];
    let mut counts = facets::count(searcher, &*quotes_query, &parts, SUMMARY_TOP + 1)?;
    let articles = match subject {
        Subject::Entity => {
            let articles_query = restricted(f, compiled.query.box_clone(), Some(DocType::Article));
            Some(searcher.search(&*articles_query, &tantivy::collector::Count)? as u64)
        }
        Subject::Speaker => None,
    };
    if counts.total == 0 && articles.unwrap_or(0) == 0 {
        return Ok(None);
    }
    let mut take = |facet: &str| counts.facets.remove(facet).unwrap_or_default();
    let speakers = take("speaker");
    let mut entities = take("entity");
    let (stances, mut outlets) = (take("stance"), take("site"));
    let (canonical, variants, speakers) = match subject {
        Subject::Speaker => {
            let top = speakers.into_iter().next();
            let canonical = top.as_ref().map_or_else(|| name.trim().to_string(), |t| t.value.clone());
            let mut variants = top.map(|t| t.variants).unwrap_or_default();
            if variants.is_empty() && counts.total > 0 {
                variants.push(FacetValue { value: canonical.clone(), count: counts.total, variants: Vec::new() });
            }
            (canonical, variants, Vec::new())
        }
        Subject::Entity => {
            let canonical = entities
                .iter()
                .find(|e| e.value.eq_ignore_ascii_case(name.trim()))
                .map_or_else(|| name.trim().to_string(), |e| e.value.clone());
            (canonical, Vec::new(), speakers.into_iter().take(SUMMARY_TOP).collect())
        }
    };
    let own = canonical.to_lowercase();
    entities.retain(|e| e.value.to_lowercase() != own);
    entities.truncate(SUMMARY_TOP);
    outlets.truncate(SUMMARY_TOP);
    Ok(Some(Summary {
        subject,
        name: canonical,
        query: query_text,
        quotes: counts.total,
        articles,
        variants,
        first: by_date(searcher, f, &*quotes_query, Order::Asc)?,
        last: by_date(searcher, f, &*quotes_query, Order::Desc)?,
        stances,
        timeline: timeline::count(searcher, &*quotes_query, interval, true)?,
        entities,
        speakers,
        outlets,
    }))
}

/// A statement cluster: every report, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterView {
    pub id: String,
    pub speaker: Option<String>,
    /// The first report's words.
    pub text: String,
    pub reports: u64,
    pub first_seen: Option<String>,
    pub outlets: Vec<FacetValue>,
    pub hits: Vec<SearchHit>,
}

/// The statement cluster `id`, or None.
pub fn cluster(searcher: &Searcher, f: &Fields, id: &str) -> Result<Option<ClusterView>, IndexError> {
    if !id.starts_with('s') {
        return Ok(None);
    }
    let query = TermQuery::new(Term::from_field_text(f.cluster, id), IndexRecordOption::Basic);
    let mut counts = facets::count(searcher, &query, &["site"], facets::MAX_FACET_SIZE)?;
    if counts.total == 0 {
        return Ok(None);
    }
    let top = TopDocs::with_limit(MAX_CLUSTER_REPORTS).order_by_fast_field::<DateTime>("published", Order::Asc);
    let mut highlighter = Highlighter::new(Highlights::default());
    let mut hits = Vec::new();
    for (_, address) in searcher.search(&query, &top)? {
        hits.push(hit(searcher, f, &mut highlighter, 0.0, address)?);
    }
    // Dated reports first (oldest first), then undated ones.
    hits.sort_by_key(|h| (h.record.published_secs().is_none(), h.record.published_secs()));
    let first = hits.first();
    Ok(Some(ClusterView {
        id: id.to_string(),
        speaker: first.and_then(|h| h.record.speaker_canonical.clone()),
        text: first.and_then(|h| h.record.quote.as_ref()).map(|q| q.text.clone()).unwrap_or_default(),
        reports: counts.total,
        first_seen: first.and_then(|h| h.record.published.clone()),
        outlets: counts.facets.remove("site").unwrap_or_default(),
        hits,
    }))
}

/// Most documents one article has in the index (itself and its quotes) that a lookup by id
/// reads: far above any article's quote count.
const MAX_DOCUMENTS_PER_ARTICLE: usize = 10_000;

/// The quote or article document with `id` (`ARTICLE#qN` or an article id), found among
/// its article's documents.
pub fn document(searcher: &Searcher, f: &Fields, id: &str) -> Result<Option<SearchHit>, IndexError> {
    let article = id.split_once("#q").map_or(id, |(article, _)| article);
    let query = TermQuery::new(Term::from_field_text(f.article_id, article), IndexRecordOption::Basic);
    let top = searcher.search(&query, &TopDocs::with_limit(MAX_DOCUMENTS_PER_ARTICLE).order_by_score())?;
    for (_, address) in top {
        let doc: tantivy::schema::TantivyDocument = searcher.doc(address)?;
        if super::search::text_of(&doc, f.id) == id {
            return Ok(Some(hit(searcher, f, &mut Highlighter::new(Highlights::default()), 0.0, address)?));
        }
    }
    Ok(None)
}
