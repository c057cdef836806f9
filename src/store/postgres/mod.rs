//! PostgreSQL implementation of [`DocumentStore`], for many workers on many machines
//! sharing one store. Same records and guarantees as [`super::SqliteStore`]: zlib raw
//! bodies, JSON article records, a page and its article in one transaction, statement
//! vectors forgotten when their article changes, and a store sequence number per article
//! write in commit order (`store_sequence`, a row each article write holds until it commits).
//!
//! The trait is synchronous and the pipeline calls it from async tasks as well as from
//! blocking threads. The store therefore talks to PostgreSQL through
//! [`crate::postgres::blocking`]: the connection runs on a thread of its own, and each call
//! parks the calling thread for its round trips instead of entering a runtime (which would
//! panic inside the pipeline's). One call is one short transaction or query; large reads
//! (`each_article`, `for_each_quote_vector`) stream rows instead of loading them all.
//!
//! Tables are `store_*` with their own versioned migrations (`schema.rs`), beside the
//! work queue's `queue_*` tables when both share a database. The daemon's schedule state
//! ([`super::ScheduleStore`]) is in `schedule.rs`, the watches ([`super::WatchStore`]) in
//! `watches.rs`. Migration 3 gives the store its identity (`store_meta.store_id`).

mod schedule;
mod schema;
mod statements;
mod watches;

use futures_util::{StreamExt, pin_mut};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row, Transaction};

use super::sqlite::{compress, decompress, parse_record};
use super::vectors::{decode, encode};
use super::{
    CacheValidators, DocumentStore, EmbeddingCounts, Fingerprint, PageState, PendingEmbedding, QuoteVector, RawPage,
    SequencedArticle, StoreCounts, StoreError, StoredBody, StoredPage,
};
use crate::model::{ArticleRecord, quote_id};
use crate::postgres::blocking::{self, block_on};
use crate::postgres::{self as pg, PostgresError};
use statements::Statements;

/// The PostgreSQL document store.
pub struct PostgresStore {
    client: Client,
    /// `user@host:port/dbname`, for messages.
    server: String,
    /// Every statement the store sends, prepared on `client` the first time.
    statements: Statements,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://...`) and brings the store's schema up to date; a
    /// schema newer than this build is refused.
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let (mut client, server) = blocking::connect(url).map_err(|e| open_error(url, e))?;
        block_on(pg::migrate(&mut client, schema::COMPONENT, &schema::MIGRATIONS)).map_err(|e| match e {
            PostgresError::NewerSchema { found, known, .. } => StoreError::Version {
                path: server.clone(),
                found: i64::from(found),
                expected: i64::from(known),
                hint: ": use a newer quotewire",
            },
            other => StoreError::Open { path: server.clone(), message: other.to_string() },
        })?;
        Ok(PostgresStore { client, server, statements: Statements::default() })
    }

    /// Connects to a store that [`PostgresStore::open`] has brought up to date before (in this
    /// process or another), without looking at its schema again: a connection `serve` adds to
    /// its pool costs only the connection.
    pub fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let (client, server) = blocking::connect(url).map_err(|e| open_error(url, e))?;
        Ok(PostgresStore { client, server, statements: Statements::default() })
    }

    /// Whether the connection is gone (the server closed it, or the network broke).
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// The server and database, without credentials.
    pub fn server(&self) -> &str {
        &self.server
    }

    fn rows(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, StoreError> {
        block_on(async { Ok(self.client.query(&self.statements.get(&self.client, sql).await?, params).await?) })
    }

    fn row(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>, StoreError> {
        block_on(async { Ok(self.client.query_opt(&self.statements.get(&self.client, sql).await?, params).await?) })
    }

    fn one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row, StoreError> {
        block_on(async { Ok(self.client.query_one(&self.statements.get(&self.client, sql).await?, params).await?) })
    }

    fn count(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, StoreError> {
        Ok(self.one(sql, params)?.get::<_, i64>(0) as u64)
    }

    /// Runs one statement outside a transaction; the number of rows it changed.
    fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, StoreError> {
        block_on(async { Ok(self.client.execute(&self.statements.get(&self.client, sql).await?, params).await?) })
    }

    fn stored_body(&self, sql: &str, key: &str) -> Result<Option<StoredBody>, StoreError> {
        match self.row(sql, &[&key])? {
            Some(row) => match row.get::<_, Option<Vec<u8>>>(0) {
                Some(raw) => {
                    let body = decompress(&raw)
                        .map_err(|e| StoreError::Corrupt { id: key.to_string(), message: e.to_string() })?;
                    Ok(Some(StoredBody { body, content_type: row.get(1) }))
                }
                None => Ok(None),
            },
            None => Ok(None),
        }
    }

    /// Runs `write` in one transaction, with the store's prepared statements.
    fn write<T>(
        &mut self,
        write: impl for<'t> AsyncFnOnce(&'t Tx<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        block_on(async {
            let tx = Tx { tx: self.client.transaction().await?, statements: &self.statements };
            let out = write(&tx).await?;
            let Tx { tx, .. } = tx;
            tx.commit().await?;
            Ok(out)
        })
    }
}

/// A transaction on the store's connection, running the store's prepared statements.
struct Tx<'a> {
    tx: Transaction<'a>,
    statements: &'a Statements,
}

impl Tx<'_> {
    async fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, StoreError> {
        Ok(self.tx.execute(&self.statements.get(&self.tx, sql).await?, params).await?)
    }

    async fn query_one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row, StoreError> {
        Ok(self.tx.query_one(&self.statements.get(&self.tx, sql).await?, params).await?)
    }
}

fn open_error(url: &str, error: PostgresError) -> StoreError {
    let path = pg::parse_url(url).map(|(_, server)| server).unwrap_or_else(|_| "PostgreSQL".to_string());
    StoreError::Open { path, message: error.to_string() }
}

fn to_json(record: &ArticleRecord) -> Result<String, StoreError> {
    serde_json::to_string(record).map_err(|e| StoreError::Corrupt { id: record.id.clone(), message: e.to_string() })
}

async fn write_page(tx: &Tx<'_>, page: &RawPage<'_>) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO store_pages (url, final_url, content_type, etag, last_modified, content_hash, raw, fetched_at,
             failures, last_error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, NULL)
         ON CONFLICT (url) DO UPDATE SET final_url = $2, content_type = $3, etag = $4, last_modified = $5,
           content_hash = $6, raw = $7, fetched_at = $8, failures = 0, last_error = NULL, next_due = NULL,
           metadata = NULL",
        &[
            &page.url,
            &page.final_url,
            &page.content_type,
            &page.validators.etag,
            &page.validators.last_modified,
            &page.content_hash,
            &compress(page.body),
            &page.fetched_at,
        ],
    )
    .await?;
    Ok(())
}

async fn write_article(tx: &Tx<'_>, page_url: &str, article: &ArticleRecord) -> Result<(), StoreError> {
    let json = to_json(article)?;
    // The fingerprint's bits are stored as a signed 64-bit integer, as in SQLite.
    let simhash = article.simhash.as_deref().and_then(|h| u64::from_str_radix(h, 16).ok()).map(|h| h as i64);
    // Taking the number locks the sequence row until this transaction ends: article writes
    // commit in sequence order.
    let seq: i64 = tx.query_one("UPDATE store_sequence SET value = value + 1 RETURNING value", &[]).await?.get(0);
    tx.execute(
        "INSERT INTO store_articles (id, url, canonical_url, content_hash, record, updated_at, simhash, cluster, seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET url = $2, canonical_url = $3, content_hash = $4, record = $5,
           updated_at = $6, simhash = $7, cluster = $8, seq = $9, embedded_model = NULL",
        &[
            &article.id,
            &article.url,
            &article.canonical_url,
            &article.content_hash,
            &json,
            &article.fetched_at,
            &simhash,
            &article.cluster,
            &seq,
        ],
    )
    .await?;
    tx.execute("UPDATE store_pages SET article_id = $2 WHERE url = $1", &[&page_url, &article.id]).await?;
    // This version's statements need vectors of their own.
    tx.execute("DELETE FROM store_quote_vectors WHERE article_id = $1", &[&article.id]).await?;
    Ok(())
}

impl DocumentStore for PostgresStore {
    fn page_state(&self, url: &str) -> Result<Option<PageState>, StoreError> {
        let row = self.row(
            "SELECT etag, last_modified, content_hash, article_id, failures, next_due FROM store_pages WHERE url = $1",
            &[&url],
        )?;
        Ok(row.map(|r| PageState {
            validators: CacheValidators { etag: r.get(0), last_modified: r.get(1) },
            content_hash: r.get(2),
            article_id: r.get(3),
            failures: r.get::<_, i32>(4).max(0) as u32,
            next_due: r.get(5),
        }))
    }

    fn put_page(&mut self, page: &RawPage<'_>) -> Result<(), StoreError> {
        self.write(async |tx| write_page(tx, page).await)
    }

    fn touch_page(&mut self, url: &str, fetched_at: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE store_pages SET fetched_at = $2, failures = 0, last_error = NULL, next_due = NULL WHERE url = $1",
            &[&url, &fetched_at],
        )?;
        Ok(())
    }

    fn record_failure(&mut self, url: &str, error: &str, at: &str, next_due: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO store_pages (url, failures, last_error, fetched_at, next_due) VALUES ($1, 1, $2, $3, $4)
             ON CONFLICT (url) DO UPDATE SET failures = store_pages.failures + 1, last_error = $2, next_due = $4",
            &[&url, &error, &at, &next_due],
        )?;
        Ok(())
    }

    fn put_article(&mut self, page_url: &str, article: &ArticleRecord) -> Result<(), StoreError> {
        self.write(async |tx| write_article(tx, page_url, article).await)
    }

    fn put_document(&mut self, page: &RawPage<'_>, article: Option<&ArticleRecord>) -> Result<(), StoreError> {
        self.write(async |tx| {
            write_page(tx, page).await?;
            if let Some(article) = article {
                write_article(tx, page.url, article).await?;
            }
            Ok(())
        })
    }

    fn put_non_article(&mut self, page: &RawPage<'_>, record: &ArticleRecord) -> Result<(), StoreError> {
        let json = to_json(record)?;
        self.write(async |tx| {
            write_page(tx, page).await?;
            tx.execute("UPDATE store_pages SET metadata = $2 WHERE url = $1", &[&page.url, &json]).await?;
            Ok(())
        })
    }

    fn set_page_metadata(&mut self, url: &str, record: &ArticleRecord) -> Result<(), StoreError> {
        let json = to_json(record)?;
        self.execute("UPDATE store_pages SET metadata = $2 WHERE url = $1", &[&url, &json])?;
        Ok(())
    }

    fn page_metadata(&self, url: &str) -> Result<Option<ArticleRecord>, StoreError> {
        let json: Option<String> =
            self.row("SELECT metadata FROM store_pages WHERE url = $1", &[&url])?.and_then(|r| r.get(0));
        json.map(|j| parse_record(url, &j)).transpose()
    }

    fn articles_after(&self, after: u64, limit: usize) -> Result<Vec<SequencedArticle>, StoreError> {
        let (after, limit) = (after as i64, i64::try_from(limit).unwrap_or(i64::MAX));
        self.rows("SELECT seq, id, record FROM store_articles WHERE seq > $1 ORDER BY seq LIMIT $2", &[&after, &limit])?
            .iter()
            .map(|r| {
                Ok(SequencedArticle { sequence: r.get::<_, i64>(0) as u64, article: parse_record(r.get(1), r.get(2))? })
            })
            .collect()
    }

    fn count_articles_after(&self, after: u64) -> Result<u64, StoreError> {
        self.count("SELECT count(*) FROM store_articles WHERE seq > $1", &[&(after as i64)])
    }

    fn legacy_index_position(&self) -> Result<Option<u64>, StoreError> {
        // Every PostgreSQL store numbers its articles from the start: no index predates it.
        Ok(None)
    }

    fn fingerprints(&self) -> Result<Vec<Fingerprint>, StoreError> {
        Ok(self
            .rows(
                "SELECT id, simhash, COALESCE(cluster, id) FROM store_articles WHERE simhash IS NOT NULL ORDER BY position",
                &[],
            )?
            .iter()
            .map(|r| Fingerprint { id: r.get(0), simhash: r.get::<_, i64>(1) as u64, cluster: r.get(2) })
            .collect())
    }

    fn pages_after(&self, after: i64, limit: usize) -> Result<Vec<StoredPage>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.rows(
            "SELECT position, url, final_url, content_type, raw, fetched_at, article_id FROM store_pages
             WHERE position > $1 AND raw IS NOT NULL ORDER BY position LIMIT $2",
            &[&after, &limit],
        )?
        .iter()
        .map(|r| {
            let url: String = r.get(1);
            let body = decompress(r.get::<_, &[u8]>(4))
                .map_err(|e| StoreError::Corrupt { id: url.clone(), message: e.to_string() })?;
            Ok(StoredPage {
                position: r.get(0),
                url,
                final_url: r.get(2),
                content_type: r.get(3),
                body,
                fetched_at: r.get(5),
                article_id: r.get(6),
            })
        })
        .collect()
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.row("SELECT value FROM store_meta WHERE key = $1", &[&key])?.map(|r| r.get(0)))
    }

    fn set_meta(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(value) => self.execute(
                "INSERT INTO store_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
                &[&key, &value],
            )?,
            None => self.execute("DELETE FROM store_meta WHERE key = $1", &[&key])?,
        };
        Ok(())
    }

    fn article(&self, id: &str) -> Result<Option<ArticleRecord>, StoreError> {
        let json: Option<String> =
            self.row("SELECT record FROM store_articles WHERE id = $1", &[&id])?.map(|r| r.get(0));
        json.map(|j| parse_record(id, &j)).transpose()
    }

    fn article_id_by_canonical(&self, canonical_url: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .row("SELECT id FROM store_articles WHERE canonical_url = $1 ORDER BY position LIMIT 1", &[&canonical_url])?
            .map(|r| r.get(0)))
    }

    fn articles(&self) -> Result<Vec<ArticleRecord>, StoreError> {
        self.rows("SELECT id, record FROM store_articles ORDER BY id", &[])?
            .iter()
            .map(|r| parse_record(r.get(0), r.get(1)))
            .collect()
    }

    fn each_article(&self, visit: &mut dyn FnMut(ArticleRecord) -> Result<(), StoreError>) -> Result<u64, StoreError> {
        block_on(async {
            let no_params: [&str; 0] = [];
            let sql = "SELECT id, record FROM store_articles ORDER BY id";
            let rows = self.client.query_raw(&self.statements.get(&self.client, sql).await?, no_params).await?;
            pin_mut!(rows);
            let mut n = 0;
            while let Some(row) = rows.next().await {
                let row = row?;
                visit(parse_record(row.get(0), row.get(1))?)?;
                n += 1;
            }
            Ok(n)
        })
    }

    fn raw_page_of_article(&self, article_id: &str) -> Result<Option<StoredBody>, StoreError> {
        self.stored_body(
            "SELECT raw, content_type FROM store_pages WHERE article_id = $1 AND raw IS NOT NULL
             ORDER BY fetched_at DESC LIMIT 1",
            article_id,
        )
    }

    fn raw_page(&self, url: &str) -> Result<Option<StoredBody>, StoreError> {
        self.stored_body("SELECT raw, content_type FROM store_pages WHERE url = $1", url)
    }

    fn counts(&self) -> Result<StoreCounts, StoreError> {
        let row = self.one(
            "SELECT (SELECT count(*) FROM store_pages WHERE raw IS NOT NULL),
                    (SELECT count(*) FROM store_articles),
                    (SELECT count(*) FROM store_pages WHERE failures > 0),
                    (SELECT COALESCE(MAX(seq), 0) FROM store_articles)",
            &[],
        )?;
        let n = |i: usize| row.get::<_, i64>(i) as u64;
        Ok(StoreCounts { pages: n(0), articles: n(1), failed_pages: n(2), last_sequence: n(3) })
    }

    fn check_integrity(&self) -> Result<(), StoreError> {
        // PostgreSQL checks its own pages; what can be wrong here is the connection or the schema.
        let version: i32 = self
            .one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = $1", &[&schema::COMPONENT])?
            .get(0);
        let expected = schema::MIGRATIONS.len() as i32;
        if version == expected {
            Ok(())
        } else {
            Err(StoreError::Version {
                path: self.server.clone(),
                found: i64::from(version),
                expected: i64::from(expected),
                hint: ": another quotewire changed the schema while this one ran",
            })
        }
    }

    fn pending_embeddings(&self, model: &str, after: &str, limit: usize) -> Result<Vec<PendingEmbedding>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.rows(
            "SELECT id, content_hash, record FROM store_articles
             WHERE id > $1 AND (embedded_model IS NULL OR embedded_model <> $2)
             ORDER BY id LIMIT $3",
            &[&after, &model, &limit],
        )?
        .iter()
        .map(|r| {
            let id: String = r.get(0);
            let record = parse_record(&id, r.get(2))?;
            let quotes = record.quotes.into_iter().enumerate().map(|(i, q)| (quote_id(&id, i), q)).collect();
            Ok(PendingEmbedding { article_id: id, content_hash: r.get(1), quotes })
        })
        .collect()
    }

    fn put_embeddings(
        &mut self,
        article_id: &str,
        content_hash: &str,
        model: &str,
        vectors: &[QuoteVector],
    ) -> Result<bool, StoreError> {
        self.write(async |tx| {
            let marked = tx
                .execute(
                    "UPDATE store_articles SET embedded_model = $3 WHERE id = $1 AND content_hash = $2",
                    &[&article_id, &content_hash, &model],
                )
                .await?;
            if marked == 0 {
                // The article changed (or went away) while its statements were embedded.
                return Ok(false);
            }
            tx.execute("DELETE FROM store_quote_vectors WHERE article_id = $1", &[&article_id]).await?;
            let insert =
                "INSERT INTO store_quote_vectors (quote_id, article_id, model, vector) VALUES ($1, $2, $3, $4)";
            for v in vectors {
                tx.execute(insert, &[&v.quote_id, &article_id, &model, &encode(&v.vector)]).await?;
            }
            Ok(true)
        })
    }

    fn for_each_quote_vector(&self, model: &str, f: &mut dyn FnMut(&str, &[f32])) -> Result<(), StoreError> {
        block_on(async {
            let sql = "SELECT quote_id, vector FROM store_quote_vectors WHERE model = $1 ORDER BY quote_id";
            let rows = self.client.query_raw(&self.statements.get(&self.client, sql).await?, [model]).await?;
            pin_mut!(rows);
            while let Some(row) = rows.next().await {
                let row = row?;
                let id: &str = row.get(0);
                f(id, &decode(id, row.get(1))?);
            }
            Ok(())
        })
    }

    fn quote_vector(&self, quote_id: &str, model: &str) -> Result<Option<Vec<f32>>, StoreError> {
        self.row("SELECT vector FROM store_quote_vectors WHERE quote_id = $1 AND model = $2", &[&quote_id, &model])?
            .map(|r| decode(quote_id, r.get(0)))
            .transpose()
    }

    fn embedding_counts(&self, model: &str) -> Result<EmbeddingCounts, StoreError> {
        let row = self.one(
            "SELECT (SELECT count(*) FROM store_articles WHERE embedded_model = $1),
                    (SELECT count(*) FROM store_articles WHERE embedded_model IS NULL OR embedded_model <> $1),
                    (SELECT count(*) FROM store_quote_vectors WHERE model = $1)",
            &[&model],
        )?;
        let n = |i: usize| row.get::<_, i64>(i) as u64;
        Ok(EmbeddingCounts { articles_done: n(0), articles_pending: n(1), vectors: n(2) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postgres::throwaway;

    #[test]
    fn the_store_suite_passes_on_postgres() {
        let Some(url) = throwaway::test_database("the_store_suite_passes_on_postgres") else { return };
        let mut store = PostgresStore::open(&url).unwrap();
        super::super::suite::check(&mut store);
        drop(store);
        // Reopening migrates nothing and keeps everything.
        let store = PostgresStore::open(&url).unwrap();
        assert!(store.counts().unwrap().articles > 0);
        store.check_integrity().unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_store_works_from_inside_a_runtime() {
        let Some(url) = throwaway::test_database("the_store_works_from_inside_a_runtime") else { return };
        // Opened and used on an executor thread, as the pipeline's tasks use the store.
        let mut store = PostgresStore::open(&url).unwrap();
        store.set_meta("k", Some("v")).unwrap();
        assert_eq!(store.meta("k").unwrap().as_deref(), Some("v"));
        let shared: std::sync::Arc<std::sync::Mutex<dyn DocumentStore>> =
            std::sync::Arc::new(std::sync::Mutex::new(store));
        let mut tasks = Vec::new();
        for i in 0..8 {
            let shared = shared.clone();
            tasks.push(tokio::spawn(async move {
                let mut article = super::super::test_records::article(&format!("a{i}"));
                article.canonical_url = Some(format!("http://127.0.0.1/a{i}"));
                shared.lock().unwrap().put_article(&format!("http://127.0.0.1/a{i}"), &article).unwrap();
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(shared.lock().unwrap().counts().unwrap().last_sequence, 8);
    }

    #[test]
    fn the_schedule_suite_passes_on_postgres() {
        let Some(url) = throwaway::test_database("the_schedule_suite_passes_on_postgres") else { return };
        let mut store = PostgresStore::open(&url).unwrap();
        super::super::suite::runs_are_recorded_and_survive_a_crash_mid_run(&mut store);
        super::super::suite::sources_failing_for_several_runs_are_listed_until_they_recover(&mut store);
    }

    #[test]
    fn the_watch_suite_passes_on_postgres() {
        let Some(url) = throwaway::test_database("the_watch_suite_passes_on_postgres") else { return };
        let mut store = PostgresStore::open(&url).unwrap();
        super::super::suite::check_watches(&mut store);
    }

    #[test]
    fn a_postgres_store_has_an_identity_from_its_first_migration() {
        let Some(url) = throwaway::test_database("a_postgres_store_has_an_identity") else { return };
        let store = PostgresStore::open(&url).unwrap();
        let id = crate::store::existing_identity(&store).unwrap().expect("created by migration 3");
        assert_eq!(id.len(), 36, "{id}");
        // Reopening keeps it; another database has another.
        assert_eq!(crate::store::existing_identity(&PostgresStore::open(&url).unwrap()).unwrap(), Some(id.clone()));
        let Some(other) = throwaway::test_database("a_postgres_store_has_an_identity_2") else { return };
        assert_ne!(crate::store::existing_identity(&PostgresStore::open(&other).unwrap()).unwrap(), Some(id));
    }

    #[test]
    fn a_store_schema_newer_than_this_build_is_refused() {
        let Some(url) = throwaway::test_database("a_store_schema_newer_than_this_build") else { return };
        let store = PostgresStore::open(&url).unwrap();
        block_on(
            store.client.execute(
                "INSERT INTO schema_migrations (component, version, name) VALUES ('store', 42, 'future')",
                &[],
            ),
        )
        .unwrap();
        let err = PostgresStore::open(&url).err().unwrap();
        assert!(matches!(err, StoreError::Version { found: 42, .. }), "{err:?}");
        assert!(err.to_string().contains("use a newer quotewire"), "{err}");
    }

    #[test]
    fn each_statement_is_prepared_once_per_connection() {
        let Some(url) = throwaway::test_database("each_statement_is_prepared_once") else { return };
        let prepared = |store: &PostgresStore| -> Vec<(String, i64)> {
            // Asked without the cache; the client prepares this query too, for the one call.
            block_on(store.client.query(
                "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements
                 WHERE statement NOT LIKE '%pg_prepared_statements%' ORDER BY statement",
                &[],
            ))
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
        };
        let mut store = PostgresStore::open(&url).unwrap();
        let validators = CacheValidators::default();
        for i in 0..3 {
            let page_url = format!("http://127.0.0.1/a{i}");
            let page = RawPage {
                url: &page_url,
                final_url: &page_url,
                content_type: Some("text/html"),
                body: b"<p>body</p>",
                validators: &validators,
                content_hash: "h",
                fetched_at: "2026-01-01T00:00:00Z",
            };
            assert!(store.page_state(&page_url).unwrap().is_none());
            store.put_document(&page, Some(&super::super::test_records::article(&format!("a{i}")))).unwrap();
            assert_eq!(store.articles_after(i, 10).unwrap().len(), 1);
        }
        let statements = prepared(&store);
        // Each text once on this connection, each run three times: parsed once, used thrice.
        let texts: std::collections::BTreeSet<_> = statements.iter().map(|(sql, _)| sql).collect();
        assert_eq!(texts.len(), statements.len(), "{statements:?}");
        let sequence = statements.iter().find(|(sql, _)| sql.starts_with("UPDATE store_sequence")).expect("prepared");
        assert_eq!(sequence.1, 3, "{statements:?}");
        assert!(statements.iter().any(|(sql, _)| sql.starts_with("SELECT seq, id, record")), "{statements:?}");
        // A statement belongs to its connection: another store prepares its own.
        let other = PostgresStore::connect(&url).unwrap();
        assert!(prepared(&other).is_empty());
        assert_eq!(other.articles_after(0, 10).unwrap().len(), 3);
        assert_eq!(prepared(&other).len(), 1);
    }

    #[test]
    fn concurrent_article_writes_commit_in_sequence_order() {
        let Some(url) = throwaway::test_database("concurrent_article_writes_commit_in_sequence") else { return };
        let reader = PostgresStore::open(&url).unwrap();
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let url = url.clone();
                std::thread::spawn(move || {
                    let mut store = PostgresStore::open(&url).unwrap();
                    for i in 0..25 {
                        let id = format!("w{w}-{i}");
                        store.put_article(&id, &super::super::test_records::article(&id)).unwrap();
                    }
                })
            })
            .collect();
        // An indexer following the store: whatever it has seen up to a number, nothing with a
        // lower number may show up later.
        let mut seen = 0u64;
        let mut total = 0usize;
        while total < 100 {
            // Whether the writers had finished before this read: only then does an empty
            // batch mean there is nothing more to come.
            let finished = writers.iter().all(|w| w.is_finished());
            let batch = reader.articles_after(seen, 1000).unwrap();
            for article in &batch {
                // No gap: a gap would be a lower number committing after a higher one was
                // read, the very thing the sequence row's lock prevents.
                assert_eq!(article.sequence, seen + 1);
                seen = article.sequence;
            }
            total += batch.len();
            if finished && batch.is_empty() {
                break;
            }
        }
        for writer in writers {
            writer.join().unwrap();
        }
        // Following by sequence number missed nothing.
        assert_eq!(total, 100);
        assert_eq!(reader.articles_after(0, 1000).unwrap().len(), 100);
        assert!(reader.articles_after(seen, 1000).unwrap().is_empty());
    }
}
