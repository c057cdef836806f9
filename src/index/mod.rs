//! The search index: the only module that uses tantivy.
//!
//! Owns the versioned schema (`schema.rs`) and analyzers (`analysis.rs`), the writer (`writer.rs`,
//! [`IndexSink`]: one writer per index, sequence numbers, statement clusters from
//! `statements.rs`, canonical names from `names.rs`), the query language (`query/`), and
//! everything that reads: ranked and collapsed search with marked snippets (`search.rs`,
//! `collapse.rs`, `highlight.rs`), facets (`facets.rs`), timelines (`timeline.rs`),
//! speaker, entity and cluster summaries (`summary.rs`) and full match lists for exports
//! and watches (`matches.rs`). Articles and quotes are separate documents of one index,
//! told apart by the `type` field. `quickwit/` sends the same documents to Quickwit instead
//! (a second [`IndexSink`]) with an index config generated from the same field table. It never fetches or reads the store; it indexes the
//! records it is given.

mod analysis;
mod collapse;
mod facets;
mod highlight;
mod hybrid;
mod matches;
mod names;
mod query;
pub mod quickwit;
mod read_only;
mod schema;
pub(crate) use schema::write_atomically;
mod search;
mod sequence;
mod statements;
mod summary;
mod timeline;
mod writer;

pub use facets::{FACET_FIELDS, FacetValue, Facets, MAX_FACET_SIZE};
pub use hybrid::{HYBRID_DEPTH, RRF_K};
pub use matches::Match;
pub use names::canonical_name;
pub use query::{MAX_CLAUSES, MAX_DEPTH, MAX_QUERY_CHARS, QUERY_FIELDS, QueryError, edit_distance, vocabulary};
pub use search::{MAX_LIMIT, MAX_WINDOW, QuoteContext, SearchHit, SearchRequest, SearchResults, Sort, StoredRecord};
pub use statements::{PARAPHRASE_COSINE, VectorLookup};
pub use summary::{ClusterView, MAX_CLUSTER_REPORTS, Subject, Summary, quoted};
pub use timeline::{Bucket, Interval, MAX_BUCKETS, Timeline};
pub use writer::{IndexSink, TantivySink, canonical_speaker};

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use schema::Fields;

/// Longest excerpt of a query quoted in an error message.
const QUERY_EXCERPT_CHARS: usize = 100;

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("cannot open the index at {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error(
        "the index at {path} has schema version {found}, this build uses {expected}: run `quotewire reindex` to rebuild it from the store"
    )]
    Version { path: PathBuf, found: u32, expected: u32 },
    #[error("bad query `{query}`: {message}")]
    Query { query: String, message: String, column: Option<usize> },
    #[error("a {interval} timeline of these matches would have more than {max} buckets: use a longer interval")]
    TooManyBuckets { interval: &'static str, max: usize },
    #[error("the index is corrupt ({0}); run `quotewire reindex`")]
    Corrupt(String),
    #[error("index operation failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Quickwit(#[from] quickwit::QuickwitError),
}

impl IndexError {
    /// A query error, quoting at most the start of a long query.
    pub fn query(query: &str, error: QueryError) -> IndexError {
        let length = query.chars().count();
        let excerpt = if length > QUERY_EXCERPT_CHARS {
            let start: String = query.chars().take(QUERY_EXCERPT_CHARS).collect();
            format!("{start}… ({length} characters)")
        } else {
            query.to_string()
        };
        IndexError::Query { query: excerpt, message: error.to_string(), column: error.column }
    }

    /// Whether the user must change the request (bad query, too fine a timeline).
    pub fn is_usage(&self) -> bool {
        matches!(self, IndexError::Query { .. } | IndexError::TooManyBuckets { .. })
    }
}

/// Checks a query without an index (bad queries are reported before anything is opened).
pub fn check_query(query: &str) -> Result<(), IndexError> {
    let schema = schema::build();
    let fields = Fields::new(&schema).map_err(IndexError::Corrupt)?;
    search::compile(&fields, query).map(|_| ())
}

/// Document type of an index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocType {
    Article,
    Quote,
}

impl DocType {
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Article => "article",
            DocType::Quote => "quote",
        }
    }

    pub fn parse(text: &str) -> Option<DocType> {
        match text {
            "article" => Some(DocType::Article),
            "quote" => Some(DocType::Quote),
            _ => None,
        }
    }
}

/// An opened index.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    path: PathBuf,
    identity: String,
    reader: IndexReader,
    /// Segments (id, delete opstamp) the reader's searcher was opened on.
    loaded: Mutex<Vec<(tantivy::index::SegmentId, Option<tantivy::Opstamp>)>>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when the directory is empty or missing.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, IndexError> {
        let open_error = |message: String| IndexError::Open { path: dir.to_path_buf(), message };
        std::fs::create_dir_all(dir).map_err(|e| open_error(e.to_string()))?;
        schema::check_version(dir)?;
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(|e| open_error(e.to_string()))?;
        let index = Index::open_or_create(directory, schema::build()).map_err(|e| open_error(e.to_string()))?;
        schema::write_version(dir).map_err(|e| open_error(e.to_string()))?;
        let identity = schema::identity(dir).map_err(|e| open_error(e.to_string()))?;
        SearchIndex::wrap(index, dir.to_path_buf(), identity).map_err(open_error)
    }

    /// An index in memory (tests, `extract`).
    pub fn in_memory() -> SearchIndex {
        let index = Index::create_in_ram(schema::build());
        // The schema was just built from `schema::build`, so every field exists.
        SearchIndex::wrap(index, PathBuf::from(":memory:"), crate::ids::new_identity())
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn wrap(index: Index, path: PathBuf, identity: String) -> Result<SearchIndex, String> {
        schema::register_analyzers(&index);
        let fields = Fields::new(&index.schema())?;
        let reader =
            index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(|e| e.to_string())?;
        Ok(SearchIndex { index, fields, path, identity, reader, loaded: Mutex::new(Vec::new()) })
    }

    /// Where the index lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A random id given to the index when it was created.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Opens the single writer of this index.
    pub fn writer(&self, memory_bytes: usize) -> Result<TantivySink, IndexError> {
        TantivySink::new(&self.index, self.fields.clone(), memory_bytes)
    }

    /// A searcher over the last commit (of any process): reloaded only when it changed.
    pub fn searcher(&self) -> Result<Searcher, IndexError> {
        let metas = self.index.load_metas()?;
        let current: Vec<_> = metas.segments.iter().map(|s| (s.id(), s.delete_opstamp())).collect();
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if *loaded != current {
            self.reader.reload()?;
            *loaded = current;
        }
        Ok(self.reader.searcher())
    }

    /// Runs a query.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        search::run(&self.searcher()?, &self.fields, request)
    }

    /// Facet counts (`names`; all when empty) of a query's matches.
    pub fn facets(
        &self,
        query: &str,
        doc_type: Option<DocType>,
        names: &[&str],
        size: usize,
    ) -> Result<Facets, IndexError> {
        let compiled = search::compile(&self.fields, query)?;
        let query = search::restricted(&self.fields, compiled.query, doc_type);
        facets::count(&self.searcher()?, &*query, names, size)
    }

    /// Matches per period of publication, optionally split by stance.
    pub fn timeline(
        &self,
        query: &str,
        doc_type: Option<DocType>,
        interval: Interval,
        by_stance: bool,
    ) -> Result<Timeline, IndexError> {
        let compiled = search::compile(&self.fields, query)?;
        let query = search::restricted(&self.fields, compiled.query, doc_type);
        timeline::count(&self.searcher()?, &*query, interval, by_stance)
    }

    /// A speaker's or an entity's record; None when nothing matches.
    pub fn summary(&self, subject: Subject, name: &str, interval: Interval) -> Result<Option<Summary>, IndexError> {
        summary::summarize(&self.searcher()?, &self.fields, subject, name, interval)
    }

    /// A statement cluster with every report.
    pub fn cluster(&self, id: &str) -> Result<Option<ClusterView>, IndexError> {
        summary::cluster(&self.searcher()?, &self.fields, id)
    }

    /// The free words of `query`: what its hybrid search embeds (empty: none).
    pub fn meaning(&self, query: &str) -> Result<String, IndexError> {
        hybrid::meaning(&self.fields, query)
    }

    /// Statements matching `request`, ranked by fusing BM25 with `nearest` (the ids of the
    /// statements nearest in meaning to the query's free words, best first).
    pub fn hybrid_search(&self, request: &SearchRequest, nearest: &[String]) -> Result<SearchResults, IndexError> {
        hybrid::run(&self.searcher()?, &self.fields, request, nearest)
    }

    /// A quote (`ARTICLE#qN`) or article by id.
    pub fn document(&self, id: &str) -> Result<Option<SearchHit>, IndexError> {
        summary::document(&self.searcher()?, &self.fields, id)
    }

    /// Calls `visit` with every match of `query`, in index order; returns how many.
    pub fn each_match(
        &self,
        query: &str,
        doc_type: Option<DocType>,
        visit: &mut dyn FnMut(Match) -> Result<(), IndexError>,
    ) -> Result<u64, IndexError> {
        matches::each(&self.searcher()?, &self.fields, query, doc_type, visit)
    }

    /// The highest sequence number committed so far (0 for an empty index).
    pub fn last_seq(&self) -> Result<u64, IndexError> {
        Ok(writer::max_seq(&self.searcher()?))
    }

    /// Matches committed after sequence number `after` (and fetched at or after
    /// `fetched_since`, seconds, when given), oldest first, at most `limit`, and the highest
    /// sequence number of the snapshot they were read from.
    pub fn matches_since(
        &self,
        query: &str,
        doc_type: Option<DocType>,
        after: u64,
        fetched_since: Option<i64>,
        limit: usize,
    ) -> Result<(Vec<(u64, SearchHit)>, u64), IndexError> {
        let searcher = self.searcher()?;
        let hits = matches::since(&searcher, &self.fields, query, doc_type, after, fetched_since, limit)?;
        Ok((hits, writer::max_seq(&searcher)))
    }

    /// Documents in the index.
    pub fn num_docs(&self) -> Result<u64, IndexError> {
        Ok(self.searcher()?.num_docs())
    }
}

#[cfg(test)]
mod tests;
