//! Saved searches ("watches") and what they have reported: the store side of alerts.
//!
//! A watch is a named query with a cursor (the index sequence number it has read up to, and
//! the identity of the index that number belongs to). Matches are recorded in one
//! transaction that adds them to the watch's `watch_seen` set and its delivery outbox and
//! moves the cursor; deliveries leave the outbox only once delivered. So a crash before the
//! transaction re-reads the same matches, a crash after it delivers them from the outbox,
//! and the seen set keeps a match from being recorded twice (after a reindex, say).
//! Schema version 5 adds these tables to the v4 store (`migrate_v4_to_v5`).

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqliteStore, StoreError};

/// Tables of the watches, created by the v4 → v5 migration (and for new stores).
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS watches (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    webhook TEXT,
    created_at TEXT NOT NULL,
    index_id TEXT,
    cursor INTEGER NOT NULL DEFAULT 0,
    last_run_at TEXT,
    lock_owner TEXT,
    lock_until TEXT
);
CREATE TABLE IF NOT EXISTS watch_seen (
    watch TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (watch, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS watch_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    watch TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS watch_outbox_watch ON watch_outbox (watch, id);
";

/// v4 → v5: the watch tables. Additive: nothing existing changes.
pub(super) fn migrate_v4_to_v5(tx: &Connection) -> Result<(), StoreError> {
    tx.execute_batch(SCHEMA)?;
    Ok(())
}

/// A watch as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchRecord {
    pub name: String,
    pub query: String,
    /// `quote`, `article` or `all`.
    pub doc_type: String,
    /// Where new matches are POSTed; None: printed by `watch run`.
    pub webhook: Option<String>,
    pub created_at: String,
    /// Identity of the index `cursor` refers to.
    pub index_id: Option<String>,
    pub cursor: u64,
    pub last_run_at: Option<String>,
    /// Matches recorded but not yet delivered.
    pub pending: u64,
}

/// A recorded match waiting to be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDelivery {
    pub id: i64,
    pub payload: String,
    pub attempts: u32,
}

/// One new match: its dedup key and what to deliver.
#[derive(Debug, Clone)]
pub struct NewMatch {
    pub key: String,
    pub payload: String,
}

/// Storage of watches.
pub trait WatchStore: Send {
    /// Adds a watch; fails with [`StoreError::Conflict`] when the name is taken.
    fn add_watch(&mut self, watch: &WatchRecord) -> Result<(), StoreError>;
    fn watches(&self) -> Result<Vec<WatchRecord>, StoreError>;
    fn watch(&self, name: &str) -> Result<Option<WatchRecord>, StoreError>;
    /// Removes a watch with its history; false when there was none.
    fn remove_watch(&mut self, name: &str) -> Result<bool, StoreError>;
    /// Takes the watch's lock until `until` (RFC 3339) unless another owner holds it.
    fn lock_watch(&mut self, name: &str, owner: &str, now: &str, until: &str) -> Result<bool, StoreError>;
    fn unlock_watch(&mut self, name: &str, owner: &str) -> Result<(), StoreError>;
    /// Who holds the watch's lock, if anyone.
    fn watch_lock_owner(&self, name: &str) -> Result<Option<String>, StoreError>;
    /// Takes the lock from `stale` (a crashed run) if it still holds it.
    fn take_stale_lock(&mut self, name: &str, stale: &str, owner: &str, until: &str) -> Result<bool, StoreError>;
    /// Which of `keys` the watch has recorded before.
    fn seen(&self, watch: &str, keys: &[String]) -> Result<HashSet<String>, StoreError>;
    /// In one transaction: remembers `matches` as seen, queues them for delivery and moves
    /// the cursor. Keys seen before are skipped.
    fn record_matches(
        &mut self,
        watch: &str,
        index_id: &str,
        cursor: u64,
        matches: &[NewMatch],
        now: &str,
    ) -> Result<(), StoreError>;
    /// Undelivered matches, oldest first.
    fn pending_deliveries(&self, watch: &str) -> Result<Vec<PendingDelivery>, StoreError>;
    /// Removes delivered matches from the outbox.
    fn delivered(&mut self, ids: &[i64]) -> Result<(), StoreError>;
    /// Counts a failed attempt; the matches stay queued.
    fn delivery_failed(&mut self, ids: &[i64], error: &str) -> Result<(), StoreError>;
}

/// `Ok` when the insert of watch `name` added a row (`inserted`), else the name conflict.
pub(super) fn added(inserted: usize, name: &str) -> Result<(), StoreError> {
    if inserted == 0 {
        return Err(StoreError::Conflict(format!(
            "a watch named `{name}` exists: remove it first or pick another name"
        )));
    }
    Ok(())
}

fn watch_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WatchRecord> {
    Ok(WatchRecord {
        name: r.get(0)?,
        query: r.get(1)?,
        doc_type: r.get(2)?,
        webhook: r.get(3)?,
        created_at: r.get(4)?,
        index_id: r.get(5)?,
        cursor: r.get::<_, i64>(6)?.max(0) as u64,
        last_run_at: r.get(7)?,
        pending: r.get::<_, i64>(8)?.max(0) as u64,
    })
}

const SELECT_WATCH: &str = "SELECT name, query, doc_type, webhook, created_at, index_id, cursor, last_run_at,
    (SELECT COUNT(*) FROM watch_outbox o WHERE o.watch = w.name) FROM watches w";

impl WatchStore for SqliteStore {
    fn add_watch(&mut self, watch: &WatchRecord) -> Result<(), StoreError> {
        let inserted = self.conn.execute(
            "INSERT INTO watches (name, query, doc_type, webhook, created_at, index_id, cursor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(name) DO NOTHING",
            params![
                watch.name,
                watch.query,
                watch.doc_type,
                watch.webhook,
                watch.created_at,
                watch.index_id,
                watch.cursor as i64
            ],
        )?;
        added(inserted, &watch.name)
    }

    fn watches(&self) -> Result<Vec<WatchRecord>, StoreError> {
        let mut stmt = self.conn.prepare(&format!("{SELECT_WATCH} ORDER BY name"))?;
        let rows = stmt.query_map([], watch_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn watch(&self, name: &str) -> Result<Option<WatchRecord>, StoreError> {
        Ok(self.conn.query_row(&format!("{SELECT_WATCH} WHERE name = ?1"), [name], watch_from_row).optional()?)
    }

    fn remove_watch(&mut self, name: &str) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let removed = tx.execute("DELETE FROM watches WHERE name = ?1", [name])?;
        tx.execute("DELETE FROM watch_seen WHERE watch = ?1", [name])?;
        tx.execute("DELETE FROM watch_outbox WHERE watch = ?1", [name])?;
        tx.commit()?;
        Ok(removed > 0)
    }

    fn lock_watch(&mut self, name: &str, owner: &str, now: &str, until: &str) -> Result<bool, StoreError> {
        let taken = self.conn.execute(
            "UPDATE watches SET lock_owner = ?2, lock_until = ?4
             WHERE name = ?1 AND (lock_owner IS NULL OR lock_owner = ?2 OR lock_until IS NULL OR lock_until < ?3)",
            params![name, owner, now, until],
        )?;
        Ok(taken > 0)
    }

    fn unlock_watch(&mut self, name: &str, owner: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE watches SET lock_owner = NULL, lock_until = NULL WHERE name = ?1 AND lock_owner = ?2",
            params![name, owner],
        )?;
        Ok(())
    }

    fn watch_lock_owner(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT lock_owner FROM watches WHERE name = ?1", [name], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    fn take_stale_lock(&mut self, name: &str, stale: &str, owner: &str, until: &str) -> Result<bool, StoreError> {
        let taken = self.conn.execute(
            "UPDATE watches SET lock_owner = ?3, lock_until = ?4 WHERE name = ?1 AND lock_owner = ?2",
            params![name, stale, owner, until],
        )?;
        Ok(taken > 0)
    }

    fn seen(&self, watch: &str, keys: &[String]) -> Result<HashSet<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT 1 FROM watch_seen WHERE watch = ?1 AND key = ?2")?;
        let mut out = HashSet::new();
        for key in keys {
            if stmt.exists(params![watch, key])? {
                out.insert(key.clone());
            }
        }
        Ok(out)
    }

    fn record_matches(
        &mut self,
        watch: &str,
        index_id: &str,
        cursor: u64,
        matches: &[NewMatch],
        now: &str,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut seen = tx.prepare("INSERT INTO watch_seen (watch, key) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?;
            let mut outbox = tx.prepare("INSERT INTO watch_outbox (watch, payload, created_at) VALUES (?1, ?2, ?3)")?;
            for m in matches {
                if seen.execute(params![watch, m.key])? > 0 {
                    outbox.execute(params![watch, m.payload, now])?;
                }
            }
        }
        let updated = tx.execute(
            "UPDATE watches SET cursor = ?2, index_id = ?3, last_run_at = ?4 WHERE name = ?1",
            params![watch, cursor as i64, index_id, now],
        )?;
        if updated == 0 {
            return Err(StoreError::Conflict(format!("watch `{watch}` was removed while it ran")));
        }
        tx.commit()?;
        Ok(())
    }

    fn pending_deliveries(&self, watch: &str) -> Result<Vec<PendingDelivery>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT id, payload, attempts FROM watch_outbox WHERE watch = ?1 ORDER BY id")?;
        let rows = stmt
            .query_map([watch], |r| Ok(PendingDelivery { id: r.get(0)?, payload: r.get(1)?, attempts: r.get(2)? }))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    fn delivered(&mut self, ids: &[i64]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare("DELETE FROM watch_outbox WHERE id = ?1")?;
            for id in ids {
                stmt.execute([id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn delivery_failed(&mut self, ids: &[i64], error: &str) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt =
                tx.prepare("UPDATE watch_outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1")?;
            for id in ids {
                stmt.execute(params![id, error])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watch_suite_passes_on_sqlite() {
        let mut store = SqliteStore::in_memory().unwrap();
        crate::store::suite::check_watches(&mut store);
    }
}
