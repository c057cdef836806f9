//! What the index holds of the store, and opening an index without touching it.
//!
//! Each commit made through [`IndexSink::commit_through`](super::IndexSink::commit_through)
//! records, in tantivy's commit payload, the last store sequence number whose article the
//! index holds; a writer reads it back on start and catches up from the store. The payload
//! is written in the same atomic commit as the documents, so it can never run ahead of them.

use std::path::Path;

use tantivy::Index;

use super::schema;
use super::{IndexError, SearchIndex};

/// The commit payload: JSON so later fields can be added without breaking old readers.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct CommitPayload {
    store_sequence: u64,
}

/// The payload text recording `sequence`.
pub(super) fn payload(sequence: u64) -> String {
    serde_json::to_string(&CommitPayload { store_sequence: sequence }).unwrap_or_default()
}

impl SearchIndex {
    /// Opens an index that must already exist, for reading: creates and writes nothing, so a
    /// read-only data directory can be searched and a mistyped path is an error, not a new
    /// empty index.
    pub fn open_existing(dir: &Path) -> Result<SearchIndex, IndexError> {
        let open_error = |message: String| IndexError::Open { path: dir.to_path_buf(), message };
        if !dir.join("meta.json").is_file() {
            return Err(open_error("there is no search index here".to_string()));
        }
        schema::check_version(dir)?;
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(|e| open_error(e.to_string()))?;
        let index = if super::read_only::is_writable(dir) {
            Index::open(directory)
        } else {
            Index::open(super::read_only::ReadOnlyDirectory(directory))
        }
        .map_err(|e| open_error(e.to_string()))?;
        // The identity is created where it can be (an index from before identities existed);
        // a read-only index without one gets one for this process only.
        let identity = if super::read_only::is_writable(dir) {
            schema::identity(dir).map_err(|e| open_error(e.to_string()))?
        } else {
            std::fs::read_to_string(dir.join(schema::IDENTITY_FILE))
                .ok()
                .map(|id| id.trim().to_string())
                .filter(|id| !id.is_empty())
                .unwrap_or_else(crate::ids::new_identity)
        };
        SearchIndex::wrap(index, dir.to_path_buf(), identity).map_err(open_error)
    }

    /// The last store sequence number the index holds, as recorded by its last commit; `None`
    /// for an index never committed through a sequence (new, or written by an older build).
    pub fn indexed_through(&self) -> Result<Option<u64>, IndexError> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str::<CommitPayload>(p).ok())
            .map(|p| p.store_sequence))
    }

    /// Number of documents (articles and quotes) in the last commit.
    pub fn document_count(&self) -> Result<u64, IndexError> {
        let metas = self.index.load_metas()?;
        Ok(metas.segments.iter().map(|s| u64::from(s.num_docs())).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexSink;

    #[test]
    fn the_commit_payload_records_the_store_sequence() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        assert_eq!(index.indexed_through().unwrap(), None);
        let mut sink = index.writer(15_000_000).unwrap();
        sink.commit_through(42).unwrap();
        drop(sink);
        let reopened = SearchIndex::open_existing(dir.path()).unwrap();
        assert_eq!(reopened.indexed_through().unwrap(), Some(42));
        assert_eq!(reopened.document_count().unwrap(), 0);
    }

    #[test]
    fn opening_a_missing_index_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("tantivy");
        let err = SearchIndex::open_existing(&missing).err().unwrap();
        assert!(err.to_string().contains("no search index"), "{err}");
        assert!(!missing.exists());
    }
}
