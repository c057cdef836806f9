//! SQLite implementation of [`DocumentStore`] (rusqlite, bundled SQLite, WAL mode).
//!
//! Raw bodies are zlib-compressed; articles are JSON in `articles.record`. Every write is its
//! own transaction, so a crash loses at most the document in flight. Each article write takes
//! the next sequence number (`articles.seq`, unique) inside its own write, so sequence order is
//! commit order and an index catching up from a number never misses a write.

use std::io::{Read, Write};
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::{
    CacheValidators, DocumentStore, EmbeddingCounts, Fingerprint, PageState, PendingEmbedding, QuoteVector, RawPage,
    SequencedArticle, StoreCounts, StoreError, StoredBody, StoredPage,
};
use super::{schedule, vectors};
use crate::model::ArticleRecord;

/// Bump when the schema changes; older stores are migrated in `migrate`.
pub(super) const SCHEMA_VERSION: i64 = 7;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    final_url TEXT,
    content_type TEXT,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    raw BLOB,
    fetched_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    article_id TEXT,
    next_due TEXT,
    metadata TEXT
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    canonical_url TEXT,
    content_hash TEXT NOT NULL,
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    indexed INTEGER NOT NULL DEFAULT 0,
    simhash INTEGER,
    cluster TEXT,
    embedded_model TEXT,
    seq INTEGER
);
CREATE INDEX IF NOT EXISTS articles_canonical ON articles (canonical_url);
";

/// How long a write waits for another connection's write to finish.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The embedded document store.
pub struct SqliteStore {
    pub(super) conn: Connection,
    path: String,
}

impl SqliteStore {
    /// Opens (creating if needed) the store file, migrating older schemas.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let display = path.display().to_string();
        let open_error = |e: rusqlite::Error| StoreError::Open { path: display.clone(), message: e.to_string() };
        let conn = Connection::open(path).map_err(open_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        // A corrupt or foreign file fails here with a clear error instead of later.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open_error)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(open_error)?;
        create_tables(&conn).map_err(open_error)?;
        let store = SqliteStore { conn, path: display };
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing store for reading only: nothing is created, migrated or written, so
    /// a read-only data directory (or a store another process is writing) can be read.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        let display = path.display().to_string();
        let open_error = |e: rusqlite::Error| StoreError::Open { path: display.clone(), message: e.to_string() };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        let conn = match read_version(&conn) {
            Ok(_) => conn,
            // A WAL store in a directory we cannot write has no shared-memory file to read
            // through; opened as immutable it can still be read (nobody can write it either).
            Err(_) => {
                let absolute = std::fs::canonicalize(path)
                    .map_err(|e| StoreError::Open { path: display.clone(), message: e.to_string() })?;
                let uri = url::Url::from_file_path(&absolute)
                    .map_err(|()| StoreError::Open { path: display.clone(), message: "not an absolute path".into() })?;
                Connection::open_with_flags(format!("{uri}?immutable=1"), flags).map_err(open_error)?
            }
        };
        let found = read_version(&conn).map_err(open_error)?;
        if found != Some(SCHEMA_VERSION) {
            let found = found.unwrap_or(0);
            let hint = if found < SCHEMA_VERSION {
                ": run `quotewire ingest` or `quotewire reindex` once with write access to migrate it"
            } else {
                ": use a newer quotewire"
            };
            return Err(StoreError::Version { path: display, found, expected: SCHEMA_VERSION, hint });
        }
        Ok(SqliteStore { conn, path: display })
    }

    /// An in-memory store (tests, `extract`).
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        let conn = Connection::open_in_memory()?;
        create_tables(&conn)?;
        let store = SqliteStore { conn, path: ":memory:".to_string() };
        store.migrate()?;
        Ok(store)
    }

    /// Where the store lives.
    pub fn path(&self) -> &str {
        &self.path
    }

    pub(super) fn connection(&self) -> &Connection {
        &self.conn
    }

    fn migrate(&self) -> Result<(), StoreError> {
        match read_version(&self.conn)? {
            None => {
                let tx = self.conn.unchecked_transaction()?;
                schedule::create_tables(&tx)?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                    [SCHEMA_VERSION.to_string()],
                )?;
                tx.commit()?;
                Ok(())
            }
            Some(SCHEMA_VERSION) => Ok(()),
            Some(found @ 1..SCHEMA_VERSION) => {
                // One transaction for every step: a store is at one version or the next, never
                // half-way.
                let tx = self.conn.unchecked_transaction()?;
                for step in &MIGRATIONS[(found - 1) as usize..] {
                    step(&tx)?;
                }
                tx.execute("UPDATE meta SET value = ?1 WHERE key = 'schema_version'", [SCHEMA_VERSION.to_string()])?;
                tx.commit()?;
                Ok(())
            }
            Some(found) => Err(StoreError::Version {
                path: self.path.clone(),
                found,
                expected: SCHEMA_VERSION,
                hint: ": use a newer quotewire",
            }),
        }
    }
}

fn read_version(conn: &Connection) -> Result<Option<i64>, rusqlite::Error> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get::<_, String>(0))
        .optional()?
        .and_then(|v| v.parse().ok()))
}

/// Creates what a new store needs at the current version; on an older store it adds only the
/// tables it lacks, and `migrate` then brings the existing ones up to date.
fn create_tables(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(super::watches::SCHEMA)?;
    conn.execute_batch(vectors::SCHEMA)
}

/// A step of the schema's history: takes a store from one version to the next.
type Migration = fn(&Connection) -> Result<(), StoreError>;

/// `MIGRATIONS[i]` takes a store from version `i + 1` to `i + 2`; a new schema version appends
/// its step here (and bumps `SCHEMA_VERSION`).
const MIGRATIONS: [Migration; (SCHEMA_VERSION - 1) as usize] = [
    migrate_v1_to_v2,
    migrate_v2_to_v3,
    migrate_v3_to_v4,
    super::watches::migrate_v4_to_v5,
    vectors::migrate_v5_to_v6,
    schedule::migrate_v6_to_v7,
];

/// v1 -> v2: articles learn whether they reached the index (assume they did).
fn migrate_v1_to_v2(tx: &Connection) -> Result<(), StoreError> {
    tx.execute_batch("ALTER TABLE articles ADD COLUMN indexed INTEGER NOT NULL DEFAULT 1;")?;
    Ok(())
}

/// v2 -> v3: near-duplicate fingerprints and clusters (filled by new runs), failure back-off;
/// the unused per-source table goes (feeds are pages like any other).
fn migrate_v2_to_v3(tx: &Connection) -> Result<(), StoreError> {
    tx.execute_batch(
        "ALTER TABLE articles ADD COLUMN simhash INTEGER;
         ALTER TABLE articles ADD COLUMN cluster TEXT;
         ALTER TABLE pages ADD COLUMN next_due TEXT;
         DROP TABLE IF EXISTS sources;",
    )?;
    Ok(())
}

/// v3 -> v4: pages that are not articles keep their metadata record (JSON, as an article
/// record with `not_article` set); existing pages have none until refetched or re-extracted.
fn migrate_v3_to_v4(tx: &Connection) -> Result<(), StoreError> {
    tx.execute_batch("ALTER TABLE pages ADD COLUMN metadata TEXT;")?;
    Ok(())
}

pub(super) fn compress(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

pub(super) fn decompress(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(data).read_to_end(&mut out)?;
    Ok(out)
}

pub(super) fn parse_record(id: &str, json: &str) -> Result<ArticleRecord, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt { id: id.to_string(), message: e.to_string() })
}

impl SqliteStore {
    /// A raw body selected by `sql` (raw, content_type) with one parameter.
    fn stored_body(&self, sql: &str, key: &str) -> Result<Option<StoredBody>, StoreError> {
        let row: Option<(Option<Vec<u8>>, Option<String>)> =
            self.conn.query_row(sql, [key], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        match row {
            Some((Some(raw), content_type)) => {
                let body = decompress(&raw)
                    .map_err(|e| StoreError::Corrupt { id: key.to_string(), message: e.to_string() })?;
                Ok(Some(StoredBody { body, content_type }))
            }
            _ => Ok(None),
        }
    }

    fn query_articles(&self, sql: &str) -> Result<Vec<ArticleRecord>, StoreError> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row?;
            out.push(parse_record(&id, &json)?);
        }
        Ok(out)
    }
}

fn write_page(conn: &Connection, page: &RawPage<'_>) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO pages (url, final_url, content_type, etag, last_modified, content_hash, raw, fetched_at, failures, last_error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, NULL)
         ON CONFLICT(url) DO UPDATE SET final_url = ?2, content_type = ?3, etag = ?4, last_modified = ?5,
           content_hash = ?6, raw = ?7, fetched_at = ?8, failures = 0, last_error = NULL, next_due = NULL,
           metadata = NULL",
        params![
            page.url,
            page.final_url,
            page.content_type,
            page.validators.etag,
            page.validators.last_modified,
            page.content_hash,
            compress(page.body),
            page.fetched_at
        ],
    )?;
    Ok(())
}

fn write_article(conn: &Connection, page_url: &str, article: &ArticleRecord) -> Result<(), StoreError> {
    let json = serde_json::to_string(article)
        .map_err(|e| StoreError::Corrupt { id: article.id.clone(), message: e.to_string() })?;
    // SQLite integers are signed: the fingerprint's bits are stored as an i64.
    let simhash = article.simhash.as_deref().and_then(|h| u64::from_str_radix(h, 16).ok()).map(|h| h as i64);
    // The sequence number is taken inside the write itself, under SQLite's write lock.
    conn.execute(
        "INSERT INTO articles (id, url, canonical_url, content_hash, record, updated_at, indexed, simhash, cluster, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8, (SELECT COALESCE(MAX(seq), 0) + 1 FROM articles))
         ON CONFLICT(id) DO UPDATE SET url = ?2, canonical_url = ?3, content_hash = ?4, record = ?5,
           updated_at = ?6, indexed = 0, simhash = ?7, cluster = ?8, seq = excluded.seq",
        params![
            article.id,
            article.url,
            article.canonical_url,
            article.content_hash,
            json,
            article.fetched_at,
            simhash,
            article.cluster
        ],
    )?;
    conn.execute("UPDATE pages SET article_id = ?2 WHERE url = ?1", params![page_url, article.id])?;
    // This version's statements need vectors of their own.
    vectors::forget(conn, &article.id)?;
    Ok(())
}

impl DocumentStore for SqliteStore {
    fn page_state(&self, url: &str) -> Result<Option<PageState>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT etag, last_modified, content_hash, article_id, failures, next_due FROM pages WHERE url = ?1",
                [url],
                |r| {
                    Ok(PageState {
                        validators: CacheValidators { etag: r.get(0)?, last_modified: r.get(1)? },
                        content_hash: r.get(2)?,
                        article_id: r.get(3)?,
                        failures: r.get(4)?,
                        next_due: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    fn put_page(&mut self, page: &RawPage<'_>) -> Result<(), StoreError> {
        write_page(&self.conn, page)
    }

    fn put_document(&mut self, page: &RawPage<'_>, article: Option<&ArticleRecord>) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        write_page(&tx, page)?;
        if let Some(article) = article {
            write_article(&tx, page.url, article)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn put_non_article(&mut self, page: &RawPage<'_>, record: &ArticleRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(record)
            .map_err(|e| StoreError::Corrupt { id: record.id.clone(), message: e.to_string() })?;
        let tx = self.conn.transaction()?;
        write_page(&tx, page)?;
        tx.execute("UPDATE pages SET metadata = ?2 WHERE url = ?1", params![page.url, json])?;
        tx.commit()?;
        Ok(())
    }

    fn set_page_metadata(&mut self, url: &str, record: &ArticleRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(record)
            .map_err(|e| StoreError::Corrupt { id: record.id.clone(), message: e.to_string() })?;
        self.conn.execute("UPDATE pages SET metadata = ?2 WHERE url = ?1", params![url, json])?;
        Ok(())
    }

    fn page_metadata(&self, url: &str) -> Result<Option<ArticleRecord>, StoreError> {
        let json: Option<Option<String>> =
            self.conn.query_row("SELECT metadata FROM pages WHERE url = ?1", [url], |r| r.get(0)).optional()?;
        json.flatten().map(|j| parse_record(url, &j)).transpose()
    }

    fn articles_after(&self, after: u64, limit: usize) -> Result<Vec<SequencedArticle>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT seq, id, record FROM articles WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
        let rows = stmt.query_map(params![after as i64, limit as i64], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (sequence, id, json) = row?;
            out.push(SequencedArticle { sequence: sequence as u64, article: parse_record(&id, &json)? });
        }
        Ok(out)
    }

    fn count_articles_after(&self, after: u64) -> Result<u64, StoreError> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM articles WHERE seq > ?1", [after as i64], |r| r.get(0))?)
    }

    fn legacy_index_position(&self) -> Result<Option<u64>, StoreError> {
        Ok(self.meta(schedule::LEGACY_INDEXED_KEY)?.and_then(|v| v.parse().ok()))
    }

    fn pages_after(&self, after: i64, limit: usize) -> Result<Vec<StoredPage>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT rowid, url, final_url, content_type, raw, fetched_at, article_id FROM pages
             WHERE rowid > ?1 AND raw IS NOT NULL ORDER BY rowid LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Vec<u8>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (position, url, final_url, content_type, raw, fetched_at, article_id) = row?;
            let body = decompress(&raw).map_err(|e| StoreError::Corrupt { id: url.clone(), message: e.to_string() })?;
            out.push(StoredPage { position, url, final_url, content_type, body, fetched_at, article_id });
        }
        Ok(out)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    fn set_meta(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(value) => self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
                params![key, value],
            )?,
            None => self.conn.execute("DELETE FROM meta WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    fn check_integrity(&self) -> Result<(), StoreError> {
        let result: String = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if result == "ok" { Ok(()) } else { Err(StoreError::Corrupt { id: self.path.clone(), message: result }) }
    }

    fn fingerprints(&self) -> Result<Vec<Fingerprint>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, simhash, COALESCE(cluster, id) FROM articles WHERE simhash IS NOT NULL ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Fingerprint { id: r.get(0)?, simhash: r.get::<_, i64>(1)? as u64, cluster: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn touch_page(&mut self, url: &str, fetched_at: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE pages SET fetched_at = ?2, failures = 0, last_error = NULL, next_due = NULL WHERE url = ?1",
            params![url, fetched_at],
        )?;
        Ok(())
    }

    fn record_failure(&mut self, url: &str, error: &str, at: &str, next_due: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO pages (url, failures, last_error, fetched_at, next_due) VALUES (?1, 1, ?2, ?3, ?4)
             ON CONFLICT(url) DO UPDATE SET failures = failures + 1, last_error = ?2, next_due = ?4",
            params![url, error, at, next_due],
        )?;
        Ok(())
    }

    fn put_article(&mut self, page_url: &str, article: &ArticleRecord) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        write_article(&tx, page_url, article)?;
        tx.commit()?;
        Ok(())
    }

    fn article(&self, id: &str) -> Result<Option<ArticleRecord>, StoreError> {
        let json: Option<String> =
            self.conn.query_row("SELECT record FROM articles WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        json.map(|j| parse_record(id, &j)).transpose()
    }

    fn article_id_by_canonical(&self, canonical_url: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT id FROM articles WHERE canonical_url = ?1 LIMIT 1", [canonical_url], |r| r.get(0))
            .optional()?)
    }

    fn articles(&self) -> Result<Vec<ArticleRecord>, StoreError> {
        self.query_articles("SELECT id, record FROM articles ORDER BY id")
    }

    fn raw_page(&self, url: &str) -> Result<Option<StoredBody>, StoreError> {
        self.stored_body("SELECT raw, content_type FROM pages WHERE url = ?1", url)
    }

    fn raw_page_of_article(&self, article_id: &str) -> Result<Option<StoredBody>, StoreError> {
        self.stored_body(
            "SELECT raw, content_type FROM pages WHERE article_id = ?1 AND raw IS NOT NULL ORDER BY fetched_at DESC LIMIT 1",
            article_id,
        )
    }

    fn each_article(&self, visit: &mut dyn FnMut(ArticleRecord) -> Result<(), StoreError>) -> Result<u64, StoreError> {
        let mut stmt = self.conn.prepare("SELECT id, record FROM articles ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            let (id, json): (String, String) = (row.get(0)?, row.get(1)?);
            visit(parse_record(&id, &json)?)?;
            n += 1;
        }
        Ok(n)
    }

    fn counts(&self) -> Result<StoreCounts, StoreError> {
        Ok(StoreCounts {
            pages: self.conn.query_row("SELECT COUNT(*) FROM pages WHERE raw IS NOT NULL", [], |r| r.get(0))?,
            articles: self.conn.query_row("SELECT COUNT(*) FROM articles", [], |r| r.get(0))?,
            failed_pages: self.conn.query_row("SELECT COUNT(*) FROM pages WHERE failures > 0", [], |r| r.get(0))?,
            last_sequence: self
                .conn
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM articles", [], |r| r.get::<_, i64>(0))?
                as u64,
        })
    }

    fn pending_embeddings(&self, model: &str, after: &str, limit: usize) -> Result<Vec<PendingEmbedding>, StoreError> {
        vectors::pending(&self.conn, model, after, limit)
    }

    fn put_embeddings(
        &mut self,
        article_id: &str,
        content_hash: &str,
        model: &str,
        vectors: &[QuoteVector],
    ) -> Result<bool, StoreError> {
        vectors::put(&mut self.conn, article_id, content_hash, model, vectors)
    }

    fn for_each_quote_vector(&self, model: &str, f: &mut dyn FnMut(&str, &[f32])) -> Result<(), StoreError> {
        vectors::for_each(&self.conn, model, f)
    }

    fn quote_vector(&self, quote_id: &str, model: &str) -> Result<Option<Vec<f32>>, StoreError> {
        vectors::one(&self.conn, quote_id, model)
    }

    fn embedding_counts(&self, model: &str) -> Result<EmbeddingCounts, StoreError> {
        vectors::counts(&self.conn, model)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::store::test_records::article;

    #[test]
    fn failures_do_not_lose_stored_pages() {
        let mut store = SqliteStore::in_memory().unwrap();
        let validators = CacheValidators { etag: Some("\"v1\"".into()), last_modified: None };
        store
            .put_page(&RawPage {
                url: "http://127.0.0.1/a",
                final_url: "http://127.0.0.1/a",
                content_type: Some("text/html"),
                body: b"<p>hello</p>",
                validators: &validators,
                content_hash: "h",
                fetched_at: "t",
            })
            .unwrap();
        store.put_article("http://127.0.0.1/a", &article("a1")).unwrap();
        store.record_failure("http://127.0.0.1/a", "HTTP 500", "t2", "t3").unwrap();
        let state = store.page_state("http://127.0.0.1/a").unwrap().unwrap();
        assert_eq!(state.failures, 1);
        assert_eq!(state.next_due.as_deref(), Some("t3"));
        assert_eq!(state.validators, validators);
        assert_eq!(state.article_id.as_deref(), Some("a1"));
        assert_eq!(store.raw_page("http://127.0.0.1/a").unwrap().unwrap().body, b"<p>hello</p>");
        assert_eq!(store.article("a1").unwrap().unwrap().title.as_deref(), Some("T"));
        assert_eq!(store.article_id_by_canonical("http://127.0.0.1/a").unwrap().as_deref(), Some("a1"));
    }

    #[test]
    fn corrupt_store_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        std::fs::write(&path, b"this is not a database, just some bytes that happen to be here").unwrap();
        let err = SqliteStore::open(&path).err().unwrap();
        assert!(err.to_string().contains("store.sqlite"), "{err}");
        // The file is left as it was for the user to inspect.
        assert!(std::fs::read(&path).unwrap().starts_with(b"this is not"));
    }

    /// The v1 schema as shipped in the first release, kept to prove old stores still open.
    const SCHEMA_V1: &str = "
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sources (kind TEXT NOT NULL, url TEXT NOT NULL, etag TEXT, last_modified TEXT,
            last_fetched TEXT, last_error TEXT, PRIMARY KEY (kind, url));
        CREATE TABLE pages (url TEXT PRIMARY KEY, final_url TEXT, content_type TEXT, etag TEXT, last_modified TEXT,
            content_hash TEXT, raw BLOB, fetched_at TEXT, failures INTEGER NOT NULL DEFAULT 0, last_error TEXT,
            article_id TEXT);
        CREATE TABLE articles (id TEXT PRIMARY KEY, url TEXT NOT NULL, canonical_url TEXT, content_hash TEXT NOT NULL,
            record TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX articles_canonical ON articles (canonical_url);
        INSERT INTO meta VALUES ('schema_version', '1');";

    #[test]
    fn a_version_1_store_is_migrated_and_keeps_its_articles() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            // A v1 record: no simhash or cluster keys.
            let mut json = serde_json::to_value(article("old")).unwrap();
            json.as_object_mut().unwrap().retain(|k, _| k != "simhash" && k != "cluster");
            conn.execute(
                "INSERT INTO articles VALUES ('old', 'u', 'u', 'h', ?1, 't')",
                [serde_json::to_string(&json).unwrap()],
            )
            .unwrap();
        }
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.article("old").unwrap().unwrap().title.as_deref(), Some("T"));
        // v1 articles were indexed: an index without a recorded sequence holds them.
        let position = store.legacy_index_position().unwrap().unwrap();
        assert!(store.articles_after(position, 10).unwrap().is_empty());
        store.put_article("u2", &article("new")).unwrap();
        let pending = store.articles_after(position, 10).unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].article.id, "new");
        drop(store);
        // Opening again is a no-op.
        assert_eq!(SqliteStore::open(&path).unwrap().articles().unwrap().len(), 2);
    }

    /// The v3 schema as shipped (before non-article pages kept their metadata, watches and
    /// statement vectors), kept to prove such stores open.
    pub(in crate::store) const SCHEMA_V3: &str = "
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE pages (url TEXT PRIMARY KEY, final_url TEXT, content_type TEXT, etag TEXT, last_modified TEXT,
            content_hash TEXT, raw BLOB, fetched_at TEXT, failures INTEGER NOT NULL DEFAULT 0, last_error TEXT,
            article_id TEXT, next_due TEXT);
        CREATE TABLE articles (id TEXT PRIMARY KEY, url TEXT NOT NULL, canonical_url TEXT, content_hash TEXT NOT NULL,
            record TEXT NOT NULL, updated_at TEXT NOT NULL, indexed INTEGER NOT NULL DEFAULT 0, simhash INTEGER,
            cluster TEXT);
        CREATE INDEX articles_canonical ON articles (canonical_url);
        INSERT INTO meta VALUES ('schema_version', '3');";

    #[test]
    fn a_version_3_store_is_migrated_and_keeps_non_article_metadata_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_V3).unwrap();
            // A v3 record: no published_confidence, modified or not_article keys.
            let mut json = serde_json::to_value(article("old")).unwrap();
            json.as_object_mut()
                .unwrap()
                .retain(|k, _| !matches!(k.as_str(), "published_confidence" | "modified" | "not_article"));
            conn.execute(
                "INSERT INTO articles VALUES ('old', 'u', 'u', 'h', ?1, 't', 1, NULL, NULL)",
                [serde_json::to_string(&json).unwrap()],
            )
            .unwrap();
            conn.execute("INSERT INTO pages (url, content_hash, article_id) VALUES ('u', 'h', 'old')", []).unwrap();
        }
        let mut store = SqliteStore::open(&path).unwrap();
        let old = store.article("old").unwrap().unwrap();
        assert_eq!(old.title.as_deref(), Some("T"));
        assert_eq!((old.modified, old.not_article), (None, None));
        assert_eq!(store.page_state("u").unwrap().unwrap().article_id.as_deref(), Some("old"));
        // The v3 article was indexed: it is numbered first, and an index from before sequence
        // numbers holds it.
        assert_eq!(store.legacy_index_position().unwrap(), Some(1));

        let mut listing = article("listing");
        listing.not_article = Some(crate::model::NotArticleReason::Listing);
        listing.published = Some("2019-05-14T00:00:00+00:00".into());
        let validators = CacheValidators::default();
        let page = RawPage {
            url: "http://127.0.0.1/section/",
            final_url: "http://127.0.0.1/section/",
            content_type: Some("text/html"),
            body: b"<ul><li><a href=/a>A</a></li></ul>",
            validators: &validators,
            content_hash: "h2",
            fetched_at: "t",
        };
        store.put_non_article(&page, &listing).unwrap();
        assert_eq!(store.page_metadata("http://127.0.0.1/section/").unwrap(), Some(listing));
        assert_eq!(store.page_metadata("u").unwrap(), None);
        // Not an article: not listed, not waiting for the index.
        assert_eq!(store.articles().unwrap().len(), 1);
        assert_eq!(store.count_articles_after(0).unwrap(), 1);
        assert_eq!(store.page_state("http://127.0.0.1/section/").unwrap().unwrap().article_id, None);
        drop(store);
        let conn = Connection::open(&path).unwrap();
        let version: String =
            conn.query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION.to_string());
        // Every later step ran too: the watch tables of v5, the vectors of v6, the schedule
        // tables and sequence index of v7.
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name IN ('watches', 'watch_seen', 'watch_outbox',
                 'quote_vectors', 'pipeline_runs', 'source_health', 'articles_seq')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 7);
    }

    #[test]
    fn the_store_suite_passes_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("store.sqlite")).unwrap();
        crate::store::suite::check(&mut store);
    }

    #[test]
    fn reopening_keeps_articles() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        {
            let mut store = SqliteStore::open(&path).unwrap();
            store.put_article("u", &article("x")).unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.articles().unwrap().len(), 1);
    }
}
