//! [`WatchStore`] on PostgreSQL: saved searches, their seen sets and delivery outbox in
//! `store_watches`, `store_watch_seen` and `store_watch_outbox` (store migration 3), with
//! the same statements' meaning as the SQLite store's (`super::super::watches`): matches are
//! recorded with the new cursor in one transaction, a key is recorded once per watch, and a
//! watch's lock is taken only when free, held by the caller, or expired.

use std::collections::HashSet;

use tokio_postgres::Row;

use super::PostgresStore;
use crate::store::{NewMatch, PendingDelivery, StoreError, WatchRecord, WatchStore};

const SELECT_WATCH: &str = "SELECT name, query, doc_type, webhook, created_at, index_id, cursor, last_run_at,
    (SELECT COUNT(*) FROM store_watch_outbox o WHERE o.watch = w.name) FROM store_watches w";

fn watch_row(r: &Row) -> WatchRecord {
    WatchRecord {
        name: r.get(0),
        query: r.get(1),
        doc_type: r.get(2),
        webhook: r.get(3),
        created_at: r.get(4),
        index_id: r.get(5),
        cursor: r.get::<_, i64>(6).max(0) as u64,
        last_run_at: r.get(7),
        pending: r.get::<_, i64>(8).max(0) as u64,
    }
}

impl WatchStore for PostgresStore {
    fn add_watch(&mut self, watch: &WatchRecord) -> Result<(), StoreError> {
        let inserted = self.execute(
            "INSERT INTO store_watches (name, query, doc_type, webhook, created_at, index_id, cursor)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING",
            &[
                &watch.name,
                &watch.query,
                &watch.doc_type,
                &watch.webhook,
                &watch.created_at,
                &watch.index_id,
                &(watch.cursor as i64),
            ],
        )?;
        super::super::watches::added(inserted as usize, &watch.name)
    }

    fn watches(&self) -> Result<Vec<WatchRecord>, StoreError> {
        Ok(self.rows(&format!("{SELECT_WATCH} ORDER BY name"), &[])?.iter().map(watch_row).collect())
    }

    fn watch(&self, name: &str) -> Result<Option<WatchRecord>, StoreError> {
        Ok(self.row(&format!("{SELECT_WATCH} WHERE name = $1"), &[&name])?.as_ref().map(watch_row))
    }

    fn remove_watch(&mut self, name: &str) -> Result<bool, StoreError> {
        self.write(async |tx| {
            let removed = tx.execute("DELETE FROM store_watches WHERE name = $1", &[&name]).await?;
            tx.execute("DELETE FROM store_watch_seen WHERE watch = $1", &[&name]).await?;
            tx.execute("DELETE FROM store_watch_outbox WHERE watch = $1", &[&name]).await?;
            Ok(removed > 0)
        })
    }

    fn lock_watch(&mut self, name: &str, owner: &str, now: &str, until: &str) -> Result<bool, StoreError> {
        let taken = self.execute(
            "UPDATE store_watches SET lock_owner = $2, lock_until = $4
             WHERE name = $1 AND (lock_owner IS NULL OR lock_owner = $2 OR lock_until IS NULL OR lock_until < $3)",
            &[&name, &owner, &now, &until],
        )?;
        Ok(taken > 0)
    }

    fn unlock_watch(&mut self, name: &str, owner: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE store_watches SET lock_owner = NULL, lock_until = NULL WHERE name = $1 AND lock_owner = $2",
            &[&name, &owner],
        )?;
        Ok(())
    }

    fn watch_lock_owner(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.row("SELECT lock_owner FROM store_watches WHERE name = $1", &[&name])?.and_then(|r| r.get(0)))
    }

    fn take_stale_lock(&mut self, name: &str, stale: &str, owner: &str, until: &str) -> Result<bool, StoreError> {
        let taken = self.execute(
            "UPDATE store_watches SET lock_owner = $3, lock_until = $4 WHERE name = $1 AND lock_owner = $2",
            &[&name, &stale, &owner, &until],
        )?;
        Ok(taken > 0)
    }

    fn seen(&self, watch: &str, keys: &[String]) -> Result<HashSet<String>, StoreError> {
        let rows =
            self.rows("SELECT key FROM store_watch_seen WHERE watch = $1 AND key = ANY($2)", &[&watch, &keys])?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn record_matches(
        &mut self,
        watch: &str,
        index_id: &str,
        cursor: u64,
        matches: &[NewMatch],
        now: &str,
    ) -> Result<(), StoreError> {
        self.write(async |tx| {
            let seen = "INSERT INTO store_watch_seen (watch, key) VALUES ($1, $2) ON CONFLICT DO NOTHING";
            let outbox = "INSERT INTO store_watch_outbox (watch, payload, created_at) VALUES ($1, $2, $3)";
            for m in matches {
                if tx.execute(seen, &[&watch, &m.key]).await? > 0 {
                    tx.execute(outbox, &[&watch, &m.payload, &now]).await?;
                }
            }
            let updated = tx
                .execute(
                    "UPDATE store_watches SET cursor = $2, index_id = $3, last_run_at = $4 WHERE name = $1",
                    &[&watch, &(cursor as i64), &index_id, &now],
                )
                .await?;
            if updated == 0 {
                return Err(StoreError::Conflict(format!("watch `{watch}` was removed while it ran")));
            }
            Ok(())
        })
    }

    fn pending_deliveries(&self, watch: &str) -> Result<Vec<PendingDelivery>, StoreError> {
        let rows =
            self.rows("SELECT id, payload, attempts FROM store_watch_outbox WHERE watch = $1 ORDER BY id", &[&watch])?;
        Ok(rows
            .iter()
            .map(|r| PendingDelivery { id: r.get(0), payload: r.get(1), attempts: r.get::<_, i32>(2).max(0) as u32 })
            .collect())
    }

    fn delivered(&mut self, ids: &[i64]) -> Result<(), StoreError> {
        self.execute("DELETE FROM store_watch_outbox WHERE id = ANY($1)", &[&ids])?;
        Ok(())
    }

    fn delivery_failed(&mut self, ids: &[i64], error: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE store_watch_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1)",
            &[&ids, &error],
        )?;
        Ok(())
    }
}
