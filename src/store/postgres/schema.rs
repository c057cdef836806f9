//! The PostgreSQL store's tables, as versioned migrations (component `store` in
//! `schema_migrations`). A new version appends a step; released steps never change.
//!
//! Keys compare as bytes (`COLLATE "C"`), as SQLite's do, so "in id order" and "after id"
//! mean the same on both stores whatever the database's locale.

use crate::postgres::Migration;

/// The `schema_migrations` component name of the store.
pub(super) const COMPONENT: &str = "store";

pub(super) const MIGRATIONS: [Migration; 3] = [
    Migration {
        version: 1,
        name: "pages, articles, statement vectors, store sequence",
        sql: r#"
CREATE TABLE store_meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE store_pages (
    position BIGSERIAL UNIQUE,
    url TEXT COLLATE "C" PRIMARY KEY,
    final_url TEXT,
    content_type TEXT,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    raw BYTEA,
    fetched_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    article_id TEXT COLLATE "C",
    next_due TEXT,
    metadata TEXT
);
CREATE INDEX store_pages_article ON store_pages (article_id);
CREATE TABLE store_articles (
    position BIGSERIAL UNIQUE,
    id TEXT COLLATE "C" PRIMARY KEY,
    url TEXT NOT NULL,
    canonical_url TEXT,
    content_hash TEXT NOT NULL,
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    simhash BIGINT,
    cluster TEXT,
    embedded_model TEXT,
    seq BIGINT NOT NULL UNIQUE
);
CREATE INDEX store_articles_canonical ON store_articles (canonical_url);
-- The store sequence: one row, taken by each article write and held until it commits, so
-- sequence order is commit order (a BIGSERIAL is not: a later number can commit first, and
-- an index catching up past it would never see the earlier one).
CREATE TABLE store_sequence (singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton), value BIGINT NOT NULL);
INSERT INTO store_sequence (singleton, value) VALUES (TRUE, 0);
CREATE TABLE store_quote_vectors (
    quote_id TEXT COLLATE "C" PRIMARY KEY,
    article_id TEXT COLLATE "C" NOT NULL,
    model TEXT NOT NULL,
    vector BYTEA NOT NULL
);
CREATE INDEX store_quote_vectors_article ON store_quote_vectors (article_id);
CREATE INDEX store_quote_vectors_model ON store_quote_vectors (model, quote_id);
"#,
    },
    Migration {
        version: 2,
        name: "pipeline runs and source health",
        sql: r#"
CREATE TABLE store_pipeline_runs (
    pipeline TEXT COLLATE "C" PRIMARY KEY,
    last_start TEXT,
    last_end TEXT,
    last_outcome TEXT,
    last_summary TEXT,
    last_stats TEXT,
    last_success TEXT,
    next_run TEXT
);
CREATE TABLE store_source_health (
    pipeline TEXT COLLATE "C" NOT NULL,
    source TEXT COLLATE "C" NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_failure TEXT,
    last_success TEXT,
    PRIMARY KEY (pipeline, source)
);
"#,
    },
    Migration {
        version: 3,
        name: "watches, their seen sets and delivery outbox; the store's identity",
        sql: r#"
CREATE TABLE store_watches (
    name TEXT COLLATE "C" PRIMARY KEY,
    query TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    webhook TEXT,
    created_at TEXT NOT NULL,
    index_id TEXT,
    cursor BIGINT NOT NULL DEFAULT 0,
    last_run_at TEXT,
    lock_owner TEXT,
    lock_until TEXT
);
CREATE TABLE store_watch_seen (
    watch TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (watch, key)
);
CREATE TABLE store_watch_outbox (
    id BIGSERIAL PRIMARY KEY,
    watch TEXT COLLATE "C" NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX store_watch_outbox_watch ON store_watch_outbox (watch, id);
-- Which store a local index follows is checked against this (`store::STORE_ID_KEY`).
INSERT INTO store_meta (key, value) VALUES ('store_id', gen_random_uuid()::text) ON CONFLICT (key) DO NOTHING;
"#,
    },
];
