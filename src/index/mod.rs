//! The search index: the only module that uses tantivy.
//!
//! Owns the versioned schema (`schema.rs`), the case-insensitive keyword analyzer, the
//! writer (`IndexSink`, one writer per index, commits when told) and search with snippets.
//! Articles and quotes are separate documents of one index, told apart by the `type` field.
//! It never fetches or reads the store; it indexes the records it is given.

mod read_only;
mod schema;
mod search;
mod sequence;
mod writer;

pub use search::{MAX_LIMIT, QUERY_FIELDS, SearchHit, SearchRequest, SearchResults, StoredRecord};
pub use writer::{IndexSink, TantivySink};

use std::path::{Path, PathBuf};

use tantivy::Index;

use schema::Fields;

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
    Query { query: String, message: String },
    #[error("index operation failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Document type of an index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
}

/// An opened index.
pub struct SearchIndex {
    index: Index,
    fields: Fields,
    path: PathBuf,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when the directory is empty or missing.
    pub fn open_or_create(dir: &Path) -> Result<SearchIndex, IndexError> {
        let open_error = |message: String| IndexError::Open { path: dir.to_path_buf(), message };
        std::fs::create_dir_all(dir).map_err(|e| open_error(e.to_string()))?;
        schema::check_version(dir)?;
        let schema = schema::build();
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(|e| open_error(e.to_string()))?;
        let index = Index::open_or_create(directory, schema.clone()).map_err(|e| open_error(e.to_string()))?;
        schema::register_analyzers(&index);
        schema::write_version(dir).map_err(|e| open_error(e.to_string()))?;
        let fields = Fields::new(&index.schema()).map_err(open_error)?;
        Ok(SearchIndex { index, fields, path: dir.to_path_buf() })
    }

    /// An index in memory (tests, `extract`).
    pub fn in_memory() -> SearchIndex {
        let index = Index::create_in_ram(schema::build());
        schema::register_analyzers(&index);
        // The schema was just built from `schema::build`, so every field exists.
        let fields = Fields::new(&index.schema()).unwrap_or_else(|e| unreachable!("{e}"));
        SearchIndex { index, fields, path: PathBuf::from(":memory:") }
    }

    /// Where the index lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the single writer of this index.
    pub fn writer(&self, memory_bytes: usize) -> Result<TantivySink, IndexError> {
        TantivySink::new(&self.index, self.fields.clone(), memory_bytes)
    }

    /// Runs a query.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        search::run(&self.index, &self.fields, request)
    }
}

#[cfg(test)]
mod tests;
