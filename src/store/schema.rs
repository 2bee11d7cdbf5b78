//! The store's schema and its versioned migrations, one text for both engines.
//!
//! In: an open connection. Out: a store at [`SCHEMA_VERSION`], migrated on first use in one
//! transaction per step; a store written by a newer depgate is refused. The few differences
//! between the engines (the id column, `WITHOUT ROWID`, the byte type) are tokens filled from
//! constants, never from data.

use super::StoreError;
use super::sql::{Connection, Engine, Value};

/// The schema version this depgate reads and writes.
pub const SCHEMA_VERSION: i64 = 2;

/// Migration `n` (1-based) takes the store from version `n - 1` to `n`.
const MIGRATIONS: &[&str] = &[
    // 1: packages stored once by identity; releases point at them by position; monitor runs
    // keep their finding sets (themselves shared while unchanged) per release.
    "
    CREATE TABLE policies (
        id {id},
        digest TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        builtin BIGINT NOT NULL,
        files TEXT NOT NULL
    );
    CREATE TABLE packages (
        id {id},
        identity TEXT NOT NULL UNIQUE,
        ecosystem TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        reference TEXT NOT NULL,
        purl TEXT,
        license TEXT,
        facts TEXT NOT NULL
    );
    CREATE INDEX packages_by_name ON packages (ecosystem, name);
    CREATE TABLE releases (
        id {id},
        project TEXT NOT NULL,
        environment TEXT NOT NULL,
        release TEXT NOT NULL,
        commit_sha TEXT,
        deployed_at TEXT,
        recorded_at TEXT NOT NULL,
        source_kind TEXT NOT NULL,
        source_name TEXT NOT NULL,
        policy_id BIGINT NOT NULL REFERENCES policies (id),
        package_count BIGINT NOT NULL,
        graph TEXT NOT NULL
    );
    CREATE INDEX releases_by_project ON releases (project, environment, id);
    CREATE TABLE deployments (
        project TEXT NOT NULL,
        environment TEXT NOT NULL,
        release_id BIGINT NOT NULL REFERENCES releases (id),
        PRIMARY KEY (project, environment)
    );
    CREATE TABLE release_packages (
        release_id BIGINT NOT NULL REFERENCES releases (id),
        position BIGINT NOT NULL,
        package_id BIGINT NOT NULL REFERENCES packages (id),
        kind BIGINT NOT NULL,
        scope BIGINT NOT NULL,
        direct BIGINT NOT NULL,
        file BIGINT NOT NULL,
        line BIGINT,
        local_dir TEXT,
        PRIMARY KEY (release_id, position)
    ) {without_rowid};
    CREATE INDEX release_packages_by_package ON release_packages (package_id);
    CREATE TABLE approvals (
        release_id BIGINT NOT NULL PRIMARY KEY REFERENCES releases (id),
        verdict TEXT NOT NULL,
        policy_name TEXT NOT NULL,
        policy_digest TEXT NOT NULL,
        attested_at TEXT NOT NULL,
        key_id TEXT NOT NULL,
        components BIGINT NOT NULL,
        databases TEXT NOT NULL,
        violations TEXT NOT NULL,
        drift TEXT NOT NULL
    );
    CREATE TABLE runs (
        id {id},
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        today TEXT NOT NULL,
        databases TEXT NOT NULL,
        policy_override TEXT,
        releases BIGINT NOT NULL,
        new_violations BIGINT NOT NULL
    );
    CREATE TABLE findings (
        id {id},
        digest TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        code TEXT NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE TABLE finding_sets (
        id {id},
        digest TEXT NOT NULL UNIQUE
    );
    CREATE TABLE finding_set_members (
        set_id BIGINT NOT NULL REFERENCES finding_sets (id),
        finding_id BIGINT NOT NULL REFERENCES findings (id),
        PRIMARY KEY (set_id, finding_id)
    ) {without_rowid};
    CREATE TABLE run_releases (
        run_id BIGINT NOT NULL REFERENCES runs (id),
        release_id BIGINT NOT NULL REFERENCES releases (id),
        policy_digest TEXT NOT NULL,
        verdict TEXT NOT NULL,
        errors BIGINT NOT NULL,
        warnings BIGINT NOT NULL,
        notes BIGINT NOT NULL,
        waived BIGINT NOT NULL,
        new_violations BIGINT NOT NULL,
        finding_set BIGINT NOT NULL REFERENCES finding_sets (id),
        changes TEXT NOT NULL,
        drift TEXT NOT NULL,
        PRIMARY KEY (run_id, release_id)
    ) {without_rowid};
    CREATE INDEX run_releases_by_release ON run_releases (release_id, run_id);
    CREATE TABLE advisories (
        id TEXT NOT NULL PRIMARY KEY,
        published TEXT,
        first_seen TEXT NOT NULL
    );
    ",
    // 2: a run's `notes` count waived findings among the notes, as `check` does (version 1
    // counted them only under `waived`).
    "
    UPDATE run_releases SET notes = notes + waived;
    ",
];

/// The table that says which schema a store has and which depgate wrote it.
const META_TABLE: &str = "depgate_schema";

fn engine_sql(engine: Engine, template: &str) -> String {
    let (id, without_rowid) = match engine {
        Engine::Sqlite => ("INTEGER PRIMARY KEY", "WITHOUT ROWID"),
        Engine::Postgres => ("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", ""),
    };
    template
        .replace("{id}", id)
        .replace("{without_rowid}", without_rowid)
}

/// The schema version recorded in the store; `None` for a store never used.
fn recorded_version(
    connection: &mut dyn Connection,
    store: &str,
) -> Result<Option<i64>, StoreError> {
    let tables = user_tables(connection)?;
    if tables.is_empty() {
        return Ok(None);
    }
    if !tables.iter().any(|table| table == META_TABLE) {
        return Err(StoreError::NotAStore {
            store: store.to_string(),
            tables: tables.into_iter().take(5).collect(),
        });
    }
    let rows = connection.query("SELECT max(version) FROM depgate_schema", &[])?;
    Ok(rows
        .first()
        .and_then(|row| row.first())
        .and_then(Value::int))
}

/// The tables already in the database (the public schema for PostgreSQL).
fn user_tables(connection: &mut dyn Connection) -> Result<Vec<String>, StoreError> {
    let sql = match connection.engine() {
        Engine::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Engine::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
        }
    };
    let rows = connection.query(sql, &[])?;
    Ok(rows
        .into_iter()
        .filter_map(|mut row| row.first_mut().and_then(Value::take_text))
        .collect())
}

/// Brings the store to [`SCHEMA_VERSION`]; refuses a foreign database or a newer schema.
pub fn migrate(connection: &mut dyn Connection, store: &str) -> Result<(), StoreError> {
    let found = recorded_version(connection, store)?;
    if let Some(found) = found
        && found > SCHEMA_VERSION
    {
        return Err(StoreError::NewerSchema {
            store: store.to_string(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == Some(SCHEMA_VERSION) {
        return Ok(());
    }
    connection.transaction(|connection| {
        if connection.engine() == Engine::Postgres {
            // Two first runs at once: the second waits here, then sees the migrated schema.
            connection.execute("SELECT pg_advisory_xact_lock(4242001)", &[])?;
        }
        // Read again inside the lock: another process may have migrated meanwhile.
        let mut version = recorded_version(connection, store)?.unwrap_or(0);
        if version == 0 {
            connection.batch(
                "CREATE TABLE IF NOT EXISTS depgate_schema (version BIGINT NOT NULL, written_by TEXT NOT NULL, applied_at TEXT NOT NULL)",
            )?;
        }
        while version < SCHEMA_VERSION {
            let index = usize::try_from(version).unwrap_or(usize::MAX);
            let Some(migration) = MIGRATIONS.get(index) else {
                break;
            };
            connection.batch(&engine_sql(connection.engine(), migration))?;
            version += 1;
            connection.execute(
                "INSERT INTO depgate_schema (version, written_by, applied_at) VALUES ($1, $2, $3)",
                &[
                    Value::Int(version),
                    Value::from(concat!("depgate ", env!("CARGO_PKG_VERSION"))),
                    Value::from(crate::util::rfc3339(time::OffsetDateTime::now_utc())),
                ],
            )?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_fills_its_engine_tokens() {
        for migration in MIGRATIONS {
            for engine in [Engine::Sqlite, Engine::Postgres] {
                let sql = engine_sql(engine, migration);
                assert!(!sql.contains('{'), "{sql}");
            }
        }
        assert_eq!(MIGRATIONS.len() as i64, SCHEMA_VERSION);
    }
}
