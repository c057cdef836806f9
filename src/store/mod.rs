//! The document store: raw pages are the truth, everything else can be rebuilt from them.
//!
//! Owns per-URL fetch state (validators, content hash, failures, next due; feeds and sitemaps
//! are URLs like any page), compressed raw bodies, and the extracted article records with
//! their analysis, and the metadata records of pages that are not articles. Every article
//! write takes the next *store sequence number*; the index records the last number it holds,
//! so it can always catch up from here. The daemon's schedule state (last and next run of
//! each pipeline, failing sources; [`ScheduleStore`]), the watches ([`WatchStore`]) and the
//! statement embeddings (f32 vectors per quote, and which model embedded each article, so
//! vector search can be rebuilt and embedding resumes where it stopped) live here too.
//! [`DocumentStore`] is the plug point; [`SqliteStore`] the embedded default, [`PostgresStore`]
//! the one many workers share; [`Store`] is all three traits together, what a command opens
//! (`DataDir::open_store_at`). Every store has an identity ([`identity`]), so an index can
//! say which store it follows. It never fetches, extracts or indexes.

mod postgres;
mod schedule;
mod sqlite;
#[cfg(test)]
mod suite;
mod url;
mod vectors;
mod watches;

pub use postgres::PostgresStore;
pub use schedule::{FinishedRun, PipelineRun, ScheduleStore, SourceHealth};
pub use sqlite::SqliteStore;
pub use url::{StoreUrl, StoreUrlError};
pub use watches::{NewMatch, PendingDelivery, WatchRecord, WatchStore};

use crate::model::{ArticleRecord, QuoteRecord};

/// Everything a command may ask of a store: documents, schedule state and watches. Both
/// stores are one; a command holds `dyn Store` whichever `--store` named.
pub trait Store: DocumentStore + ScheduleStore + WatchStore {}

impl<T: DocumentStore + ScheduleStore + WatchStore + ?Sized> Store for T {}

/// A store shared by the tasks of one or more runs (and the indexer).
pub type SharedStore = std::sync::Arc<std::sync::Mutex<dyn Store>>;

/// The meta key holding a store's identity. PostgreSQL stores get one in their migration 3;
/// SQLite stores when first opened for writing.
pub const STORE_ID_KEY: &str = "store_id";

/// The store's identity, if it has one yet (a SQLite store written only by older builds and
/// opened read-only has none).
pub fn existing_identity(store: &dyn DocumentStore) -> Result<Option<String>, StoreError> {
    Ok(store.meta(STORE_ID_KEY)?.filter(|id| !id.is_empty()))
}

/// The store's identity, created (128 random bits, hex) if it has none yet.
pub fn identity(store: &mut dyn DocumentStore) -> Result<String, StoreError> {
    if let Some(id) = existing_identity(store)? {
        return Ok(id);
    }
    let id = new_identity();
    store.set_meta(STORE_ID_KEY, Some(&id))?;
    Ok(id)
}

/// 128 random bits as 32 hex digits: two of [`crate::ids::new_identity`].
fn new_identity() -> String {
    crate::ids::new_identity() + &crate::ids::new_identity()
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}: {message}")]
    Open { path: String, message: String },
    #[error("store at {path} has schema version {found}, this build reads {expected}{hint}")]
    Version { path: String, found: i64, expected: i64, hint: &'static str },
    #[error("store query failed: {}", describe_sqlite(.0))]
    Sqlite(#[from] rusqlite::Error),
    #[error("store query failed: {}", describe_postgres(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("stored record {id} is corrupt: {message}")]
    Corrupt { id: String, message: String },
    #[error("{0}")]
    Conflict(String),
}

impl StoreError {
    /// Whether the error comes from the environment (a full disk, a read-only file, an I/O
    /// failure) rather than from the data: the operator has to act, nothing stored was lost.
    pub fn is_environment(&self) -> bool {
        match self {
            StoreError::Sqlite(e) => sqlite_environment_hint(e).is_some(),
            StoreError::Postgres(e) => postgres_environment_hint(e).is_some(),
            StoreError::Open { .. } => true,
            _ => false,
        }
    }
}

/// What an SQLite error code means for the operator, for the codes that need their action.
fn sqlite_environment_hint(error: &rusqlite::Error) -> Option<&'static str> {
    use rusqlite::ErrorCode;
    let rusqlite::Error::SqliteFailure(failure, _) = error else { return None };
    match failure.code {
        ErrorCode::DiskFull => Some("the disk is full or a file-size limit was reached"),
        ErrorCode::ReadOnly => Some("the data directory is read-only"),
        ErrorCode::SystemIoFailure => {
            Some("the data directory cannot be written (disk full, file-size limit or I/O error)")
        }
        ErrorCode::CannotOpen => Some("the store file cannot be opened (permissions or a missing directory)"),
        ErrorCode::PermissionDenied => Some("permission denied"),
        _ => None,
    }
}

fn describe_sqlite(error: &rusqlite::Error) -> String {
    match sqlite_environment_hint(error) {
        Some(hint) => format!("{hint} ({error}); the write was rolled back and nothing stored before it is lost"),
        None => error.to_string(),
    }
}

/// What a PostgreSQL error means for the operator, for the errors that need their action:
/// the server went away, or it is out of disk, memory or connections.
fn postgres_environment_hint(error: &tokio_postgres::Error) -> Option<&'static str> {
    if error.is_closed() {
        return Some("the connection to PostgreSQL was lost");
    }
    let code = error.code()?.code();
    match &code[..2] {
        "08" => Some("the connection to PostgreSQL failed"),
        "53" => Some("PostgreSQL is out of resources (disk full, memory or connections)"),
        "57" => Some("PostgreSQL is shutting down or cancelled the query"),
        "58" => Some("PostgreSQL cannot write its files (I/O error)"),
        _ => None,
    }
}

fn describe_postgres(error: &tokio_postgres::Error) -> String {
    // The server's own message (with its detail) says more than the client's summary.
    let message = match error.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {detail}", db.message()),
            None => db.message().to_string(),
        },
        None => error.to_string(),
    };
    match postgres_environment_hint(error) {
        Some(hint) => format!("{hint} ({message}); the write was rolled back and nothing stored before it is lost"),
        None => message,
    }
}

/// HTTP cache validators remembered for a URL; the pipeline sends them back as a conditional
/// GET. The store's own type: the store knows nothing about fetching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheValidators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl CacheValidators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// What is known about one URL from earlier runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageState {
    pub validators: CacheValidators,
    pub content_hash: Option<String>,
    /// The article this page produced, if any.
    pub article_id: Option<String>,
    pub failures: u32,
    /// After a failure: when the URL is worth trying again (RFC 3339).
    pub next_due: Option<String>,
}

impl PageState {
    /// The content hash of the body that produced the stored article, if there is one: a new
    /// body with this hash needs no re-extraction.
    pub fn article_hash(self) -> Option<String> {
        self.content_hash.filter(|_| self.article_id.is_some())
    }
}

/// A fetched body to remember.
#[derive(Debug, Clone)]
pub struct RawPage<'a> {
    pub url: &'a str,
    pub final_url: &'a str,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
    pub validators: &'a CacheValidators,
    pub content_hash: &'a str,
    pub fetched_at: &'a str,
}

/// An article's near-duplicate fingerprint and cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub id: String,
    pub simhash: u64,
    pub cluster: String,
}

/// A stored raw body and its content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBody {
    pub body: Vec<u8>,
    pub content_type: Option<String>,
}

/// Counts for `quotewire status` and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StoreCounts {
    /// URLs with a stored body (articles, other pages, feeds and sitemaps).
    pub pages: u64,
    pub articles: u64,
    /// URLs whose last attempt failed.
    pub failed_pages: u64,
    /// The highest store sequence number (0 for an empty store).
    pub last_sequence: u64,
}

/// A stored article with the store sequence number of its last write.
#[derive(Debug, Clone, PartialEq)]
pub struct SequencedArticle {
    pub sequence: u64,
    pub article: ArticleRecord,
}

/// A stored raw page, for re-analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPage {
    /// Position of the page in store order: pass it back to continue after it.
    pub position: i64,
    pub url: String,
    pub final_url: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub fetched_at: Option<String>,
    /// The article the page produced, if any.
    pub article_id: Option<String>,
}

/// An article whose statements still need vectors from the current model.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEmbedding {
    pub article_id: String,
    /// The stored version: vectors are only kept if the article is still this version.
    pub content_hash: String,
    /// `(quote id, quote)` of every quote of the article.
    pub quotes: Vec<(String, QuoteRecord)>,
}

/// The vector of one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteVector {
    pub quote_id: String,
    pub vector: Vec<f32>,
}

/// How far the embedding of stored statements has come, for one model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct EmbeddingCounts {
    /// Articles whose statements all have vectors from the model.
    pub articles_done: u64,
    /// Articles still waiting (new, changed, or embedded by another model).
    pub articles_pending: u64,
    /// Stored statement vectors from the model.
    pub vectors: u64,
}

/// Storage of pages and articles.
pub trait DocumentStore: Send {
    fn page_state(&self, url: &str) -> Result<Option<PageState>, StoreError>;
    /// Remembers a fetched body and its validators; resets the failure count.
    fn put_page(&mut self, page: &RawPage<'_>) -> Result<(), StoreError>;
    /// Records that a URL was revalidated (304 or unchanged hash).
    fn touch_page(&mut self, url: &str, fetched_at: &str) -> Result<(), StoreError>;
    /// Records a failure without losing what the URL had before; the URL is not due again
    /// before `next_due` (RFC 3339).
    fn record_failure(&mut self, url: &str, error: &str, at: &str, next_due: &str) -> Result<(), StoreError>;
    /// Stores (or replaces) an article and links the page URL to it; the article takes the
    /// next store sequence number.
    fn put_article(&mut self, page_url: &str, article: &ArticleRecord) -> Result<(), StoreError>;
    /// Stores a fetched page and what it became (an article, or nothing for non-articles) in
    /// one transaction, so a crash never leaves validators without their article.
    fn put_document(&mut self, page: &RawPage<'_>, article: Option<&ArticleRecord>) -> Result<(), StoreError>;
    /// Stores a fetched page that is not an article together with its metadata record (title,
    /// dates, language, kind, the reason), in one transaction. The record is not an article:
    /// it is never returned by [`DocumentStore::articles`] or sent to the index.
    fn put_non_article(&mut self, page: &RawPage<'_>, record: &ArticleRecord) -> Result<(), StoreError>;
    /// Replaces the metadata record of a stored page that is not an article (re-analysis).
    fn set_page_metadata(&mut self, url: &str, record: &ArticleRecord) -> Result<(), StoreError>;
    /// The metadata record of a page stored as not an article.
    fn page_metadata(&self, url: &str) -> Result<Option<ArticleRecord>, StoreError>;
    /// Up to `limit` articles written after store sequence `after`, in sequence order: what an
    /// index holding everything up to `after` still needs.
    fn articles_after(&self, after: u64, limit: usize) -> Result<Vec<SequencedArticle>, StoreError>;
    /// How many articles were written after store sequence `after`.
    fn count_articles_after(&self, after: u64) -> Result<u64, StoreError>;
    /// For an index written before sequence numbers existed: the sequence it holds everything
    /// up to (articles a migrated store knew as indexed come first).
    fn legacy_index_position(&self) -> Result<Option<u64>, StoreError>;
    /// Near-duplicate fingerprints of stored articles, oldest first.
    fn fingerprints(&self) -> Result<Vec<Fingerprint>, StoreError>;
    /// Up to `limit` stored raw pages after position `after` (0: from the start).
    fn pages_after(&self, after: i64, limit: usize) -> Result<Vec<StoredPage>, StoreError>;
    /// A small named value kept with the store (progress of resumable commands).
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Sets (or with `None` removes) a named value.
    fn set_meta(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError>;
    fn article(&self, id: &str) -> Result<Option<ArticleRecord>, StoreError>;
    /// The id of an article already stored under this canonical URL.
    fn article_id_by_canonical(&self, canonical_url: &str) -> Result<Option<String>, StoreError>;
    /// Every stored article, in id order.
    fn articles(&self) -> Result<Vec<ArticleRecord>, StoreError>;
    /// Calls `visit` with every stored article in id order, one at a time (exports).
    fn each_article(&self, visit: &mut dyn FnMut(ArticleRecord) -> Result<(), StoreError>) -> Result<u64, StoreError> {
        let articles = self.articles()?;
        let n = articles.len() as u64;
        for article in articles {
            visit(article)?;
        }
        Ok(n)
    }
    /// The raw body of the page an article was extracted from.
    fn raw_page_of_article(&self, article_id: &str) -> Result<Option<StoredBody>, StoreError>;
    /// The raw body of a page, decompressed, with its content type.
    fn raw_page(&self, url: &str) -> Result<Option<StoredBody>, StoreError>;
    fn counts(&self) -> Result<StoreCounts, StoreError>;
    /// Checks the file for corruption (SQLite `integrity_check`); `Ok` when intact.
    fn check_integrity(&self) -> Result<(), StoreError>;

    /// Up to `limit` articles, in id order after `after`, whose statements have no vectors
    /// from `model` yet (new or changed since, or embedded by another model).
    fn pending_embeddings(&self, model: &str, after: &str, limit: usize) -> Result<Vec<PendingEmbedding>, StoreError>;
    /// Stores the vectors of an article's statements (replacing older ones) and marks it
    /// embedded by `model`, in one transaction. Stores nothing and returns false when the
    /// article changed or went away since `content_hash` was read.
    fn put_embeddings(
        &mut self,
        article_id: &str,
        content_hash: &str,
        model: &str,
        vectors: &[QuoteVector],
    ) -> Result<bool, StoreError>;
    /// Calls `f` with every statement vector from `model`, in statement id order.
    fn for_each_quote_vector(&self, model: &str, f: &mut dyn FnMut(&str, &[f32])) -> Result<(), StoreError>;
    /// The vector of one statement from `model`.
    fn quote_vector(&self, quote_id: &str, model: &str) -> Result<Option<Vec<f32>>, StoreError>;
    fn embedding_counts(&self, model: &str) -> Result<EmbeddingCounts, StoreError>;
}

/// Records for tests of the store and of what reads it.
#[cfg(test)]
pub(crate) mod test_records {
    use crate::model::{ArticleRecord, PageKind, PublishedSource};

    /// A minimal article with id `id` at `http://127.0.0.1/a`.
    pub fn article(id: &str) -> ArticleRecord {
        ArticleRecord {
            id: id.to_string(),
            url: "http://127.0.0.1/a".into(),
            canonical_url: Some("http://127.0.0.1/a".into()),
            site: None,
            title: Some("T".into()),
            authors: vec![],
            published: None,
            published_source: PublishedSource::None,
            published_confidence: None,
            modified: None,
            language: "en".into(),
            kind: PageKind::News,
            text: "body".into(),
            fetched_at: "2024-01-01T00:00:00Z".into(),
            content_hash: "h".into(),
            simhash: None,
            cluster: None,
            not_article: None,
            entities: vec![],
            quotes: vec![],
        }
    }
}
