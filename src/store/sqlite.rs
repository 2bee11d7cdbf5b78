//! The embedded engine: one SQLite file (rusqlite, SQLite compiled in).
//!
//! In: a file path. Out: a [`Connection`] in WAL mode with a long busy timeout, so several
//! processes (parallel CI jobs on one runner) queue for the write lock instead of failing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};

use super::StoreError;
use super::sql::{Connection, Engine, RowSink, Value, hand_row, positional_for_sqlite};

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(120);

/// An open SQLite store file.
pub struct SqliteConnection {
    connection: rusqlite::Connection,
    path: PathBuf,
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            Value::Int(value) => ToSqlOutput::from(*value),
            Value::Text(value) => ToSqlOutput::from(value.as_str()),
            Value::Blob(value) => ToSqlOutput::from(value.as_slice()),
        })
    }
}

impl SqliteConnection {
    /// Opens (creating when missing) the store file. A file that is not SQLite is refused
    /// here, naming it, before anything is written to it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let error = |source: rusqlite::Error| StoreError::from_sqlite(path, source);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs_err::create_dir_all(parent).map_err(|source| StoreError::Open {
                store: path.display().to_string(),
                source: Box::new(source),
            })?;
        }
        let connection = rusqlite::Connection::open(path).map_err(error)?;
        connection.busy_timeout(BUSY_TIMEOUT).map_err(error)?;
        // Reading the schema is the first access to the file's header: a foreign file fails
        // here ("file is not a database") before the journal mode would rewrite anything.
        connection
            .query_row("SELECT count(*) FROM sqlite_master", [], |row| {
                row.get::<_, i64>(0)
            })
            .map_err(error)?;
        // WAL: readers never block the writer; NORMAL sync is durable at each checkpoint and
        // never corrupts (a power cut may lose the last commits, not the file).
        set_wal(&connection).map_err(error)?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(error)?;
        connection
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(error)?;
        Ok(Self {
            connection,
            path: path.to_path_buf(),
        })
    }
}

/// Switches a store to WAL once. The switch needs the file to itself, and SQLite answers a
/// busy file at once here rather than through the busy handler, so several first runs at once
/// (parallel `record`s on a new store) retry until one of them has switched it.
fn set_wal(connection: &rusqlite::Connection) -> rusqlite::Result<()> {
    let started = std::time::Instant::now();
    loop {
        let mode: String = connection.pragma_query_value(None, "journal_mode", |row| row.get(0))?;
        if mode.eq_ignore_ascii_case("wal") {
            return Ok(());
        }
        match connection.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

impl Connection for SqliteConnection {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.connection
            .execute_batch(sql)
            .map_err(|source| StoreError::from_sqlite(&self.path, source))
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let error = |source| StoreError::from_sqlite(&self.path, source);
        let mut statement = self
            .connection
            .prepare_cached(&positional_for_sqlite(sql))
            .map_err(error)?;
        let changed = statement
            .execute(rusqlite::params_from_iter(params.iter()))
            .map_err(error)?;
        Ok(changed as u64)
    }

    fn each_row(&mut self, sql: &str, params: &[Value], each: RowSink) -> Result<(), StoreError> {
        let error = |source| StoreError::from_sqlite(&self.path, source);
        let mut statement = self
            .connection
            .prepare_cached(&positional_for_sqlite(sql))
            .map_err(error)?;
        let width = statement.column_count();
        let mut rows = statement
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(error)?;
        let mut values = vec![Value::Null; width];
        while let Some(row) = rows.next().map_err(error)? {
            let column = |index| {
                Ok(match row.get_ref(index).map_err(error)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(value) => Value::Int(value),
                    // The schema has no REAL columns; a float here is a foreign value.
                    ValueRef::Real(value) => Value::Text(value.to_string()),
                    ValueRef::Text(bytes) => Value::Text(String::from_utf8_lossy(bytes).into()),
                    ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
                })
            };
            hand_row(&mut values, column, each)?;
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<(), StoreError> {
        self.batch("BEGIN IMMEDIATE")
    }

    fn max_parameters(&self) -> usize {
        // SQLITE_MAX_VARIABLE_NUMBER is 32766 since SQLite 3.32; stay well below it.
        30_000
    }
}
