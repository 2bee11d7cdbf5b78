//! The monitoring store: deployed releases, their inventories and every monitor run, in SQLite
//! (one file, the default) or PostgreSQL (`postgres://…`), behind one API and one schema.
//!
//! In: a store location and what the commands record (releases, runs). Out: what `monitor`,
//! `history` and `dashboard` read back. Packages shared between releases are stored once (by
//! the identity of their facts); a monitor run's findings are stored once per distinct set.
//! Every write is one transaction, and every value is a bound parameter.
//!
//! - [`sql`]: the SQL surface both engines offer. [`sqlite`], [`pg`]: the engines.
//! - [`schema`]: versioned migrations. [`codec`]: inventories to rows and back.
//! - [`releases`]: `record` and reading releases back. [`runs`]: monitor runs.
//!   [`queries`]: history and the dashboard's data.

pub mod codec;
pub mod pg;
pub mod queries;
pub mod releases;
pub mod runs;
pub mod schema;
pub mod sql;
pub mod sqlite;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use queries::{CurrentRelease, DashboardData, HistoryEntry, HistoryRun, RunSummary};
pub use releases::{
    ApprovalRecord, Deployment, NewRelease, PolicyFile, PolicyRecord, Recorded, StoredRelease,
};
pub use runs::{Counts, NewRun, PreviousRun, RunDatabase, RunRelease};
use sql::{Connection, RowSink, Value};

/// The environment variable naming the store when `--store` is not given.
pub const STORE_ENV: &str = "DEPGATE_STORE";

/// Why the store could not be used. Every variant names the store (file or redacted URL).
#[derive(Debug, Error)]
pub enum StoreError {
    /// The file could not be opened or created, or the server not reached.
    #[error("cannot open the store `{store}`")]
    Open {
        /// The store.
        store: String,
        /// The engine's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The file is not an SQLite database, or is damaged.
    #[error("`{store}` is not a depgate store: not an SQLite database, or a damaged one")]
    Corrupt {
        /// The store.
        store: String,
        /// The engine's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The database holds other tables and no depgate schema.
    #[error("`{store}` is not a depgate store: it holds other tables ({})", tables.join(", "))]
    NotAStore {
        /// The store.
        store: String,
        /// Some of the tables found.
        tables: Vec<String>,
    },
    /// A newer depgate wrote the store.
    #[error(
        "the store `{store}` has schema version {found}, written by a newer depgate; this depgate reads versions up to {supported}: upgrade depgate"
    )]
    NewerSchema {
        /// The store.
        store: String,
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A statement failed.
    #[error("store `{store}`: a statement failed")]
    Query {
        /// The store.
        store: String,
        /// The engine's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Stored data does not decode (damaged, or written by hand).
    #[error("store `{store}`: {message}")]
    Data {
        /// The store.
        store: String,
        /// What does not decode, and where.
        message: String,
    },
}

impl StoreError {
    /// Maps an SQLite error: a file that is not a database (or is damaged) says so.
    pub fn from_sqlite(path: &Path, source: rusqlite::Error) -> Self {
        let store = path.display().to_string();
        let code = match &source {
            rusqlite::Error::SqliteFailure(error, _) => Some(error.code),
            _ => None,
        };
        match code {
            Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
                StoreError::Corrupt {
                    store,
                    source: Box::new(source),
                }
            }
            Some(rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::PermissionDenied) => {
                StoreError::Open {
                    store,
                    source: Box::new(source),
                }
            }
            _ => StoreError::Query {
                store,
                source: Box::new(source),
            },
        }
    }
}

/// Where the store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl StoreLocation {
    /// `postgres://…` and `postgresql://…` name a server; anything else is a file path.
    pub fn parse(text: &str) -> Self {
        let lower = text.trim().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            StoreLocation::Postgres(text.trim().to_string())
        } else {
            StoreLocation::Sqlite(PathBuf::from(text))
        }
    }

    /// `--store`, else `DEPGATE_STORE`, else `store.sqlite` in the user data directory
    /// (`$XDG_DATA_HOME/depgate` on Linux). `None` when there is no data directory.
    pub fn resolve(flag: Option<&str>) -> Option<Self> {
        if let Some(text) = flag.filter(|text| !text.trim().is_empty()) {
            return Some(Self::parse(text));
        }
        if let Ok(text) = std::env::var(STORE_ENV)
            && !text.trim().is_empty()
        {
            return Some(Self::parse(&text));
        }
        dirs::data_dir().map(|dir| StoreLocation::Sqlite(dir.join("depgate").join("store.sqlite")))
    }

    /// The location for messages (a URL's password hidden).
    pub fn display(&self) -> String {
        match self {
            StoreLocation::Sqlite(path) => path.display().to_string(),
            StoreLocation::Postgres(url) => pg::redact(url),
        }
    }
}

/// An open, migrated store.
pub struct Store {
    connection: Box<dyn Connection>,
    display: String,
}

impl Store {
    /// Opens the store (creating an SQLite file when missing) and migrates it to this
    /// depgate's schema. A foreign or damaged file, or a newer schema, is refused.
    pub fn open(location: &StoreLocation) -> Result<Self, StoreError> {
        let display = location.display();
        let mut connection: Box<dyn Connection> = match location {
            StoreLocation::Sqlite(path) => Box::new(sqlite::SqliteConnection::open(path)?),
            StoreLocation::Postgres(url) => Box::new(pg::PostgresConnection::connect(url)?),
        };
        schema::migrate(connection.as_mut(), &display)?;
        Ok(Self {
            connection,
            display,
        })
    }

    /// The store's name for messages.
    pub fn display(&self) -> &str {
        &self.display
    }

    fn data_error(&self, message: String) -> StoreError {
        StoreError::Data {
            store: self.display.clone(),
            message,
        }
    }

    /// `(id, JSON)` rows selected by id (`sql` has an `{ids}` token), decoded; a row that
    /// does not decode is an error naming `what` and its id.
    fn json_by_id<T: serde::de::DeserializeOwned>(
        &mut self,
        sql: &str,
        ids: &[i64],
        what: &str,
    ) -> Result<HashMap<i64, T>, StoreError> {
        let mut decoded = HashMap::with_capacity(ids.len());
        let mut bad = None;
        for_each_in(self.connection.as_mut(), sql, ids, &mut |row| {
            let id = int(row, 0);
            match serde_json::from_str::<T>(row[1].text().unwrap_or_default()) {
                Ok(value) => {
                    decoded.insert(id, value);
                }
                Err(error) => bad = Some(format!("{what} {id} does not decode: {error}")),
            }
            Ok(())
        })?;
        match bad {
            Some(message) => Err(self.data_error(message)),
            None => Ok(decoded),
        }
    }
}

/// Runs `sql` once per chunk of `ids` (its `{ids}` token becomes `$1, $2, …`) and hands every
/// row to `each`. Chunks keep each statement within the engines' parameter limits.
pub(crate) fn for_each_in(
    connection: &mut dyn Connection,
    sql: &str,
    ids: &[i64],
    each: RowSink,
) -> Result<(), StoreError> {
    for chunk in ids.chunks(900) {
        let text = sql.replace("{ids}", &sql::parameter_list(chunk.len()));
        let params: Vec<Value> = chunk.iter().map(|id| Value::Int(*id)).collect();
        connection.each_row(&text, &params, each)?;
    }
    Ok(())
}

/// Ids of `(id, text key)` rows selected by key, in chunks: `sql` has a `{keys}` token.
pub(crate) fn ids_by_key(
    connection: &mut dyn Connection,
    sql: &str,
    keys: &[String],
) -> Result<HashMap<String, i64>, StoreError> {
    let mut found = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(900) {
        let text = sql.replace("{keys}", &sql::parameter_list(chunk.len()));
        let params: Vec<Value> = chunk.iter().map(|key| Value::Text(key.clone())).collect();
        connection.each_row(&text, &params, &mut |row| {
            if let (Some(id), Some(key)) = (row[0].int(), row[1].take_text()) {
                found.insert(key, id);
            }
            Ok(())
        })?;
    }
    Ok(found)
}

/// A row's column as text (`""` when NULL).
pub(crate) fn text(row: &mut [Value], index: usize) -> String {
    row.get_mut(index)
        .and_then(Value::take_text)
        .unwrap_or_default()
}

/// A row's column as optional text.
pub(crate) fn optional_text(row: &mut [Value], index: usize) -> Option<String> {
    row.get_mut(index).and_then(Value::take_text)
}

/// A row's column as an integer (0 when NULL).
pub(crate) fn int(row: &[Value], index: usize) -> i64 {
    row.get(index).and_then(Value::int).unwrap_or_default()
}

/// A count column as `usize`.
pub(crate) fn count(row: &[Value], index: usize) -> usize {
    usize::try_from(int(row, index)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_by_scheme() {
        assert_eq!(
            StoreLocation::parse("postgres://u@h/db"),
            StoreLocation::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            StoreLocation::parse("PostgreSQL://h/db"),
            StoreLocation::Postgres("PostgreSQL://h/db".into())
        );
        assert_eq!(
            StoreLocation::parse("./store.sqlite"),
            StoreLocation::Sqlite("./store.sqlite".into())
        );
        assert_eq!(
            StoreLocation::resolve(Some("x.db")),
            Some(StoreLocation::Sqlite("x.db".into()))
        );
    }
}
