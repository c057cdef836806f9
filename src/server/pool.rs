//! The store connections handlers borrow: a SQLite store is opened per request (it opens in
//! microseconds), PostgreSQL connections are kept between requests, up to [`MAX_IDLE`]
//! idle ones, so a request costs no handshake and finds its statements already prepared.
//! A connection the server has closed is not kept.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

use crate::store::{PostgresStore, Store, StoreError};

/// Idle PostgreSQL connections kept for the next requests; more at once are opened as
/// needed and closed when their request ends.
pub const MAX_IDLE: usize = 8;

/// Idle connections to one PostgreSQL store.
pub struct PostgresPool {
    url: String,
    idle: Mutex<Vec<PostgresStore>>,
}

impl PostgresPool {
    pub fn new(url: &str) -> PostgresPool {
        PostgresPool { url: url.to_string(), idle: Mutex::new(Vec::new()) }
    }

    /// An idle connection, or a new one when none is idle.
    pub fn get(self: &Arc<Self>) -> Result<StoreHandle, StoreError> {
        let idle = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.retain(|store| !store.is_closed());
            idle.pop()
        };
        let store = match idle {
            Some(store) => store,
            None => PostgresStore::connect(&self.url)?,
        };
        Ok(StoreHandle(Held::Pooled(Some(Box::new(store)), self.clone())))
    }

    /// Connections idle now.
    pub fn idle(&self) -> usize {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

enum Held {
    Owned(Box<dyn Store>),
    /// Always `Some` until dropped.
    Pooled(Option<Box<PostgresStore>>, Arc<PostgresPool>),
}

/// A store a handler holds for one request; a pooled connection goes back when dropped.
pub struct StoreHandle(Held);

impl StoreHandle {
    pub fn owned(store: Box<dyn Store>) -> StoreHandle {
        StoreHandle(Held::Owned(store))
    }
}

impl Deref for StoreHandle {
    type Target = dyn Store;

    fn deref(&self) -> &(dyn Store + 'static) {
        match &self.0 {
            Held::Owned(store) => store.as_ref(),
            Held::Pooled(store, _) => store.as_deref().expect("held until dropped"),
        }
    }
}

impl DerefMut for StoreHandle {
    fn deref_mut(&mut self) -> &mut (dyn Store + 'static) {
        match &mut self.0 {
            Held::Owned(store) => store.as_mut(),
            Held::Pooled(store, _) => store.as_deref_mut().expect("held until dropped"),
        }
    }
}

impl Drop for StoreHandle {
    fn drop(&mut self) {
        if let Held::Pooled(store, pool) = &mut self.0
            && let Some(store) = store.take()
            && !store.is_closed()
        {
            let mut idle = pool.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < MAX_IDLE {
                idle.push(*store);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postgres::blocking;
    use crate::postgres::throwaway;

    /// Runs `sql` (one bigint) on the observer's own connection.
    fn ask(observer: &tokio_postgres::Client, sql: &str) -> i64 {
        blocking::block_on(observer.query_one(sql, &[])).unwrap().get(0)
    }

    /// Connections to this database other than the observer's, once they settle at `want`
    /// (a closed client's backend goes away a moment later).
    fn connections(observer: &tokio_postgres::Client, want: i64) -> i64 {
        let sql =
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
        for _ in 0..100 {
            if ask(observer, sql) == want {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        ask(observer, sql)
    }

    #[test]
    fn connections_are_kept_between_requests_up_to_the_idle_limit() {
        let Some(url) = throwaway::test_database("server_pool_keeps_connections") else { return };
        drop(PostgresStore::open(&url).unwrap());
        let observer = blocking::connect(&url).unwrap().0;
        let pool = Arc::new(PostgresPool::new(&url));
        for _ in 0..20 {
            let store = pool.get().unwrap();
            assert_eq!(store.counts().unwrap().articles, 0);
        }
        // Twenty requests one after the other: one connection, kept.
        assert_eq!(pool.idle(), 1);
        assert_eq!(connections(&observer, 1), 1);
        // Twelve at once: twelve connections, eight kept afterwards, the rest closed.
        let held: Vec<StoreHandle> = (0..12).map(|_| pool.get().unwrap()).collect();
        assert_eq!(connections(&observer, 12), 12);
        drop(held);
        assert_eq!(pool.idle(), MAX_IDLE);
        assert_eq!(connections(&observer, MAX_IDLE as i64), MAX_IDLE as i64);
        // Kept connections the server closed are replaced, not handed out.
        ask(
            &observer,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        );
        for _ in 0..100 {
            if pool.idle.lock().unwrap().iter().all(PostgresStore::is_closed) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let store = pool.get().unwrap();
        assert_eq!(store.counts().unwrap().articles, 0);
        drop(store);
        assert_eq!(pool.idle(), 1, "the closed ones are dropped, the new one kept");
    }
}
