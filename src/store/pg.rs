//! The server engine: PostgreSQL through the synchronous `postgres` client, without TLS.
//!
//! In: a `postgres://` URL. Out: a [`Connection`] with prepared statements cached per SQL text
//! and rows streamed from the server.

use std::collections::HashMap;
use std::error::Error;

use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use super::StoreError;
use super::sql::{Connection, Engine, RowSink, Value, hand_row};

/// An open PostgreSQL store.
pub struct PostgresConnection {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
    /// The URL without its password, for messages.
    display: String,
}

type BoxError = Box<dyn Error + Sync + Send>;

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, BoxError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(value) if *ty == Type::INT4 => i32::try_from(*value)?.to_sql(ty, out),
            Value::Int(value) if *ty == Type::BOOL => (*value != 0).to_sql(ty, out),
            Value::Int(value) => value.to_sql(ty, out),
            Value::Text(value) => value.as_str().to_sql(ty, out),
            Value::Blob(value) => value.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        [
            Type::INT8,
            Type::INT4,
            Type::BOOL,
            Type::TEXT,
            Type::VARCHAR,
            Type::BYTEA,
        ]
        .contains(ty)
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Int(i64::from(i16::from_sql(ty, raw)?)),
            Type::BOOL => Value::Int(i64::from(bool::from_sql(ty, raw)?)),
            Type::BYTEA => Value::Blob(Vec::<u8>::from_sql(ty, raw)?),
            _ => Value::Text(String::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Value::Null)
    }

    fn accepts(ty: &Type) -> bool {
        <i64 as FromSql>::accepts(ty)
            || <i32 as FromSql>::accepts(ty)
            || <i16 as FromSql>::accepts(ty)
            || <bool as FromSql>::accepts(ty)
            || <Vec<u8> as FromSql>::accepts(ty)
            || <String as FromSql>::accepts(ty)
    }
}

/// `postgres://user:secret@host/db` -> `postgres://user:***@host/db`, for messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl PostgresConnection {
    /// Connects to the server named by `url` (no TLS; see the documentation).
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let display = redact(url);
        let mut config: postgres::Config = url.parse().map_err(|source| StoreError::Open {
            store: display.clone(),
            source: Box::new(source),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(30));
        }
        config.application_name("depgate");
        let client = config
            .connect(postgres::NoTls)
            .map_err(|source| StoreError::Open {
                store: display.clone(),
                source: Box::new(source),
            })?;
        let mut connection = Self {
            client,
            statements: HashMap::new(),
            display,
        };
        // The store's messages are read by people; keep the server's notices out of them.
        connection.batch("SET client_min_messages TO warning")?;
        Ok(connection)
    }

    fn error(&self, source: postgres::Error) -> StoreError {
        StoreError::Query {
            store: self.display.clone(),
            source: Box::new(source),
        }
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, StoreError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .client
            .prepare(sql)
            .map_err(|source| self.error(source))?;
        // Multi-row inserts have one text per row count; keep the cache bounded.
        if self.statements.len() > 256 {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }
}

fn parameters(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|value| value as &(dyn ToSql + Sync))
        .collect()
}

impl Connection for PostgresConnection {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client
            .batch_execute(sql)
            .map_err(|source| self.error(source))
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        self.client
            .execute(&statement, &parameters(params))
            .map_err(|source| self.error(source))
    }

    fn begin(&mut self) -> Result<(), StoreError> {
        self.batch("BEGIN")
    }

    fn each_row(&mut self, sql: &str, params: &[Value], each: RowSink) -> Result<(), StoreError> {
        let statement = self.statement(sql)?;
        let width = statement.columns().len();
        let display = self.display.clone();
        let error = |source: postgres::Error| StoreError::Query {
            store: display.clone(),
            source: Box::new(source),
        };
        let mut rows = self
            .client
            .query_raw(&statement, parameters(params))
            .map_err(error)?;
        let mut values = vec![Value::Null; width];
        while let Some(row) = rows.next().map_err(error)? {
            hand_row(&mut values, |index| row.try_get(index).map_err(error), each)?;
        }
        Ok(())
    }

    fn max_parameters(&self) -> usize {
        // The protocol's limit is 65535 parameters per statement.
        60_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact("postgres://ci:s3cret@127.0.0.1:5432/depgate"),
            "postgres://ci:***@127.0.0.1:5432/depgate"
        );
        assert_eq!(
            redact("postgres://ci@localhost/depgate"),
            "postgres://ci@localhost/depgate"
        );
        assert_eq!(redact("postgresql://h"), "postgresql://h");
    }
}
