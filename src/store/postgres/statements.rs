//! The statements a [`super::PostgresStore`] has prepared on its connection, by their SQL
//! text: each is parsed and planned by the server once per connection instead of on every
//! call, and a call costs one round trip instead of two (an unprepared query first prepares
//! an unnamed statement). A prepared statement belongs to the connection that prepared it;
//! the store keeps one connection for its whole life (it never reconnects), so the cache
//! lives and dies with the store and its connection. The SQL texts are the store's own
//! constants, so the cache holds a few dozen statements at most.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use tokio_postgres::{Error, GenericClient, Statement};

/// Prepared statements by SQL text, for one connection.
#[derive(Default)]
pub(super) struct Statements(Mutex<HashMap<String, Statement>>);

impl Statements {
    /// The statement for `sql`, prepared through `client` (the connection itself or a
    /// transaction on it) the first time it is asked for.
    pub(super) async fn get(&self, client: &impl GenericClient, sql: &str) -> Result<Statement, Error> {
        if let Some(statement) = self.cached(sql) {
            return Ok(statement);
        }
        let statement = client.prepare(sql).await?;
        self.lock().insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    fn cached(&self, sql: &str) -> Option<Statement> {
        self.lock().get(sql).cloned()
    }

    /// A panic elsewhere cannot leave the map half-written: its entries stay valid.
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Statement>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
