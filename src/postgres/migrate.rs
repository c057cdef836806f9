//! Versioned schema migrations for PostgreSQL: each component (the queue, the store) lists
//! its steps; `schema_migrations` records which ran. Every step runs once, in its own
//! transaction with its record, under an advisory lock, so workers starting together
//! migrate once and a failed step leaves the schema at the version before it.

use tokio_postgres::Client;

use super::PostgresError;

/// One step of a component's schema history.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// 1, 2, 3, ... in order, never reused.
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// The advisory lock every migrating session takes: one migration at a time per database.
const MIGRATION_LOCK: i64 = 0x7175_6f74_656d_6967; // "quotemig"

const CREATE_TABLE: &str = "
CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (component, version)
)";

/// Brings `component`'s schema up to the last of `migrations`; returns the versions applied
/// now (empty when it was up to date). A database already past the last known version is
/// refused: this build would misread it.
pub async fn migrate(
    client: &mut Client,
    component: &str,
    migrations: &[Migration],
) -> Result<Vec<i32>, PostgresError> {
    debug_assert!(migrations.iter().enumerate().all(|(i, m)| m.version == i as i32 + 1));
    let known = migrations.last().map_or(0, |m| m.version);
    {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
        tx.batch_execute(CREATE_TABLE).await?;
        let found = current_version(&tx, component).await?;
        if found > known {
            return Err(PostgresError::NewerSchema { component: component.to_string(), found, known });
        }
        tx.commit().await?;
    }
    let mut applied = Vec::new();
    for migration in migrations {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
        if current_version(&tx, component).await? >= migration.version {
            continue;
        }
        let failed = |source| PostgresError::Migration {
            component: component.to_string(),
            version: migration.version,
            name: migration.name,
            source,
        };
        tx.batch_execute(migration.sql).await.map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_migrations (component, version, name) VALUES ($1, $2, $3)",
            &[&component, &migration.version, &migration.name],
        )
        .await?;
        tx.commit().await?;
        applied.push(migration.version);
    }
    Ok(applied)
}

async fn current_version(tx: &tokio_postgres::Transaction<'_>, component: &str) -> Result<i32, PostgresError> {
    let row = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE component = $1", &[&component])
        .await?;
    Ok(row.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postgres::{connect, throwaway};

    const STEPS: [Migration; 2] = [
        Migration { version: 1, name: "things", sql: "CREATE TABLE things (id INTEGER PRIMARY KEY)" },
        Migration { version: 2, name: "thing names", sql: "ALTER TABLE things ADD COLUMN name TEXT" },
    ];

    #[tokio::test]
    async fn migrating_twice_applies_each_step_once() {
        let Some(url) = throwaway::test_database("migrating_twice_applies_each_step_once") else { return };
        let mut client = connect(&url).await.unwrap();
        assert_eq!(migrate(&mut client, "test", &STEPS[..1]).await.unwrap(), vec![1]);
        assert_eq!(migrate(&mut client, "test", &STEPS).await.unwrap(), vec![2]);
        assert!(migrate(&mut client, "test", &STEPS).await.unwrap().is_empty());
        // Another component's history is its own.
        assert_eq!(migrate(&mut client, "other", &[]).await.unwrap(), Vec::<i32>::new());
        client.execute("INSERT INTO things (id, name) VALUES (1, 'a')", &[]).await.unwrap();
        let rows: i64 = client.query_one("SELECT count(*) FROM schema_migrations", &[]).await.unwrap().get(0);
        assert_eq!(rows, 2);
    }

    #[tokio::test]
    async fn a_schema_newer_than_this_build_is_refused() {
        let Some(url) = throwaway::test_database("a_schema_newer_than_this_build_is_refused") else { return };
        let mut client = connect(&url).await.unwrap();
        migrate(&mut client, "test", &STEPS).await.unwrap();
        let err = migrate(&mut client, "test", &STEPS[..1]).await.unwrap_err();
        assert!(matches!(err, PostgresError::NewerSchema { found: 2, known: 1, .. }), "{err:?}");
        assert!(err.to_string().contains("use a newer quotewire"), "{err}");
    }

    #[tokio::test]
    async fn a_failing_step_leaves_the_previous_version() {
        let Some(url) = throwaway::test_database("a_failing_step_leaves_the_previous_version") else { return };
        let mut client = connect(&url).await.unwrap();
        let broken = [
            STEPS[0],
            Migration {
                version: 2,
                name: "half done",
                sql: "CREATE TABLE extra (id INTEGER); ALTER TABLE missing ADD COLUMN x TEXT",
            },
        ];
        let err = migrate(&mut client, "test", &broken).await.unwrap_err();
        assert!(err.to_string().contains("migration 2 (half done)"), "{err}");
        // Step 1 stays, nothing of step 2 does.
        let extra: i64 =
            client.query_one("SELECT count(*) FROM pg_tables WHERE tablename = 'extra'", &[]).await.unwrap().get(0);
        assert_eq!(extra, 0);
        assert_eq!(migrate(&mut client, "test", &STEPS).await.unwrap(), vec![2]);
    }

    #[tokio::test]
    async fn sessions_migrating_at_once_apply_each_step_once() {
        let Some(url) = throwaway::test_database("sessions_migrating_at_once_apply_each_step_once") else { return };
        let mut sessions = Vec::new();
        for _ in 0..4 {
            let url = url.clone();
            sessions.push(tokio::spawn(async move {
                let mut client = connect(&url).await.unwrap();
                migrate(&mut client, "test", &STEPS).await.unwrap()
            }));
        }
        let mut applied = Vec::new();
        for session in sessions {
            applied.extend(session.await.unwrap());
        }
        applied.sort_unstable();
        assert_eq!(applied, vec![1, 2]);
    }
}
