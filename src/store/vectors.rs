//! SQLite storage of statement vectors: the `quote_vectors` table, the articles'
//! `embedded_model` column, the migration step that adds them (v6), and their queries.
//!
//! Vectors are little-endian f32 blobs. An article's vectors are replaced in one
//! transaction with its `embedded_model`, and only while the article is still the version
//! that was embedded; storing a new version of an article forgets its vectors (see
//! `write_article`), so embedding resumes exactly where it is needed.

use rusqlite::{Connection, OptionalExtension, params};

use super::{EmbeddingCounts, PendingEmbedding, QuoteVector, StoreError};
use crate::model::{ArticleRecord, quote_id};

/// Schema version that introduced statement vectors.
#[cfg(test)]
const VECTORS_SCHEMA_VERSION: i64 = 6;

/// The vector table, created by the v5 → v6 migration (and for new stores, whose `articles`
/// table has `embedded_model` from the start).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS quote_vectors (
    quote_id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL,
    model TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS quote_vectors_article ON quote_vectors (article_id);
";

/// v5 → v6: statement vectors. Additive: the vector table and the articles' `embedded_model`
/// column (NULL: not embedded yet; the background stage fills it).
pub(super) fn migrate_v5_to_v6(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(SCHEMA)?;
    let has_column: bool =
        conn.prepare("SELECT 1 FROM pragma_table_info('articles') WHERE name = 'embedded_model'")?.exists([])?;
    if !has_column {
        conn.execute_batch("ALTER TABLE articles ADD COLUMN embedded_model TEXT;")?;
    }
    Ok(())
}

/// A new version of an article was stored: its statements need new vectors.
pub fn forget(conn: &Connection, article_id: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM quote_vectors WHERE article_id = ?1", [article_id])?;
    conn.execute("UPDATE articles SET embedded_model = NULL WHERE id = ?1", [article_id])?;
    Ok(())
}

pub(super) fn encode(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub(super) fn decode(id: &str, blob: &[u8]) -> Result<Vec<f32>, StoreError> {
    if !blob.len().is_multiple_of(4) {
        return Err(StoreError::Corrupt { id: id.to_string(), message: format!("vector of {} bytes", blob.len()) });
    }
    Ok(blob.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
}

pub fn pending(conn: &Connection, model: &str, after: &str, limit: usize) -> Result<Vec<PendingEmbedding>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, content_hash, record FROM articles
         WHERE id > ?1 AND (embedded_model IS NULL OR embedded_model != ?2)
         ORDER BY id LIMIT ?3",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![after, model, limit], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, content_hash, json) = row?;
        let record: ArticleRecord =
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt { id: id.clone(), message: e.to_string() })?;
        let quotes = record.quotes.into_iter().enumerate().map(|(i, q)| (quote_id(&id, i), q)).collect();
        out.push(PendingEmbedding { article_id: id, content_hash, quotes });
    }
    Ok(out)
}

pub fn put(
    conn: &mut Connection,
    article_id: &str,
    content_hash: &str,
    model: &str,
    vectors: &[QuoteVector],
) -> Result<bool, StoreError> {
    let tx = conn.transaction()?;
    let marked = tx.execute(
        "UPDATE articles SET embedded_model = ?3 WHERE id = ?1 AND content_hash = ?2",
        params![article_id, content_hash, model],
    )?;
    if marked == 0 {
        // The article changed (or went away) while its statements were embedded.
        return Ok(false);
    }
    tx.execute("DELETE FROM quote_vectors WHERE article_id = ?1", [article_id])?;
    {
        let mut insert =
            tx.prepare("INSERT INTO quote_vectors (quote_id, article_id, model, vector) VALUES (?1, ?2, ?3, ?4)")?;
        for v in vectors {
            insert.execute(params![v.quote_id, article_id, model, encode(&v.vector)])?;
        }
    }
    tx.commit()?;
    Ok(true)
}

pub fn for_each(conn: &Connection, model: &str, f: &mut dyn FnMut(&str, &[f32])) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("SELECT quote_id, vector FROM quote_vectors WHERE model = ?1 ORDER BY quote_id")?;
    let mut rows = stmt.query([model])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let blob =
            row.get_ref(1)?.as_blob().map_err(|e| StoreError::Corrupt { id: id.clone(), message: e.to_string() })?;
        f(&id, &decode(&id, blob)?);
    }
    Ok(())
}

pub fn one(conn: &Connection, quote_id: &str, model: &str) -> Result<Option<Vec<f32>>, StoreError> {
    let blob: Option<Vec<u8>> = conn
        .query_row("SELECT vector FROM quote_vectors WHERE quote_id = ?1 AND model = ?2", [quote_id, model], |r| {
            r.get(0)
        })
        .optional()?;
    blob.map(|b| decode(quote_id, &b)).transpose()
}

pub fn counts(conn: &Connection, model: &str) -> Result<EmbeddingCounts, StoreError> {
    Ok(EmbeddingCounts {
        articles_done: conn
            .query_row("SELECT COUNT(*) FROM articles WHERE embedded_model = ?1", [model], |r| r.get(0))?,
        articles_pending: conn.query_row(
            "SELECT COUNT(*) FROM articles WHERE embedded_model IS NULL OR embedded_model != ?1",
            [model],
            |r| r.get(0),
        )?,
        vectors: conn.query_row("SELECT COUNT(*) FROM quote_vectors WHERE model = ?1", [model], |r| r.get(0))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::tests::SCHEMA_V3;
    use crate::store::{DocumentStore, SqliteStore};

    fn with_quotes(id: &str, hash: &str, texts: &[&str]) -> ArticleRecord {
        crate::model::fixtures::article(id, hash, texts)
    }

    fn vectors_of(p: &PendingEmbedding, value: f32) -> Vec<QuoteVector> {
        p.quotes.iter().map(|(id, _)| QuoteVector { quote_id: id.clone(), vector: vec![value, 1.0, -0.5] }).collect()
    }

    #[test]
    fn embedding_resumes_where_it_stopped_and_follows_new_versions() {
        let mut store = SqliteStore::in_memory().unwrap();
        store.put_article("u1", &with_quotes("a1", "h1", &["First.", "Second."])).unwrap();
        store.put_article("u2", &with_quotes("a2", "h2", &["Third."])).unwrap();
        let pending = store.pending_embeddings("m", "", 10).unwrap();
        assert_eq!(pending.len(), 2);
        let quotes: Vec<(&str, &str)> =
            pending[0].quotes.iter().map(|(id, q)| (id.as_str(), q.text.as_str())).collect();
        assert_eq!(quotes, [("a1#q0", "First."), ("a1#q1", "Second.")]);
        assert_eq!(store.pending_embeddings("m", "a1", 10).unwrap().len(), 1, "the cursor skips a1");

        assert!(store.put_embeddings("a1", "h1", "m", &vectors_of(&pending[0], 0.25)).unwrap());
        // Reopened later, only a2 is left; a1's vectors are there.
        assert_eq!(store.pending_embeddings("m", "", 10).unwrap()[0].article_id, "a2");
        assert_eq!(store.quote_vector("a1#q1", "m").unwrap(), Some(vec![0.25, 1.0, -0.5]));
        assert_eq!(
            store.embedding_counts("m").unwrap(),
            EmbeddingCounts { articles_done: 1, articles_pending: 1, vectors: 2 }
        );
        // Another model needs its own vectors.
        assert_eq!(store.pending_embeddings("other", "", 10).unwrap().len(), 2);

        // A new version of a1 forgets the old vectors; a stale embedding is refused.
        store.put_article("u1", &with_quotes("a1", "h1b", &["First, reworded."])).unwrap();
        assert_eq!(store.quote_vector("a1#q1", "m").unwrap(), None);
        assert!(!store.put_embeddings("a1", "h1", "m", &vectors_of(&pending[0], 0.5)).unwrap());
        assert_eq!(store.quote_vector("a1#q0", "m").unwrap(), None);
        let again = store.pending_embeddings("m", "", 10).unwrap();
        assert_eq!(again.iter().map(|p| p.article_id.as_str()).collect::<Vec<_>>(), ["a1", "a2"]);

        let mut seen = Vec::new();
        store.put_embeddings("a2", "h2", "m", &vectors_of(&again[1], 0.75)).unwrap();
        store.for_each_quote_vector("m", &mut |id, v| seen.push((id.to_string(), v[0]))).unwrap();
        assert_eq!(seen, vec![("a2#q0".to_string(), 0.75)]);
    }

    #[test]
    fn a_version_3_store_gains_watches_and_vectors_and_every_article_is_pending() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_V3).unwrap();
            let json = serde_json::to_string(&with_quotes("old", "h", &["Kept."])).unwrap();
            conn.execute("INSERT INTO articles VALUES ('old', 'u', 'u', 'h', ?1, 't', 1, NULL, NULL)", [json]).unwrap();
        }
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.article("old").unwrap().unwrap().quotes[0].text, "Kept.");
        // Indexing state is kept: an index from before sequence numbers holds the article.
        let indexed = store.legacy_index_position().unwrap().unwrap();
        assert_eq!(store.count_articles_after(indexed).unwrap(), 0, "indexing state is kept");
        let pending = store.pending_embeddings("m", "", 10).unwrap();
        assert_eq!(pending.len(), 1);
        assert!(store.put_embeddings("old", "h", "m", &vectors_of(&pending[0], 1.0)).unwrap());
        drop(store);
        let version: String = Connection::open(&path)
            .unwrap()
            .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0))
            .unwrap();
        assert!(version.parse::<i64>().unwrap() >= VECTORS_SCHEMA_VERSION, "migrated to {version}");
        // Opening again migrates nothing and keeps the vectors.
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.embedding_counts("m").unwrap().vectors, 1);
    }

    #[test]
    fn a_newer_store_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        drop(SqliteStore::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", [])
            .unwrap();
        let err = SqliteStore::open(&path).err().unwrap();
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }
}
