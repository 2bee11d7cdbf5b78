//! The one SQL surface both engines offer the store: statements with `$1`-style parameters,
//! rows of [`Value`]s, transactions, and multi-row inserts.
//!
//! In: constant SQL text and parameter values. Out: rows. Every value travels as a bound
//! parameter: nothing read from the store or the command line is ever spliced into SQL text.
//! The only SQL built at run time is placeholder lists (`($1, $2), ($3, $4)`) for multi-row
//! inserts, made from counts, never from data.

use super::StoreError;

/// A value bound to a parameter or read from a column. The store uses only these three
/// column types (integers, text, bytes), so both engines map them exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A 64-bit integer (`BIGINT`; SQLite `INTEGER`).
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes (`BYTEA`; SQLite `BLOB`).
    Blob(Vec<u8>),
}

impl Value {
    /// The integer, if this is one.
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(value) => Some(*value),
            _ => None,
        }
    }

    /// The text, if this is text.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(value) => Some(value),
            _ => None,
        }
    }

    /// Moves the text out, if this is text.
    pub fn take_text(&mut self) -> Option<String> {
        match std::mem::replace(self, Value::Null) {
            Value::Text(value) => Some(value),
            other => {
                *self = other;
                None
            }
        }
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}

impl From<usize> for Value {
    fn from(value: usize) -> Self {
        Value::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Int(i64::from(value))
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(value.to_string())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(value)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// What receives each row of a query: the row's values, reused from row to row (copy what
/// you keep).
pub type RowSink<'a> = &'a mut dyn FnMut(&mut [Value]) -> Result<(), StoreError>;

/// A connection to one engine. Implementations translate `$n` placeholders as the engine
/// needs and stream rows to the callback, so a million-row read never sits in memory as rows.
pub trait Connection: Send {
    /// The engine behind this connection.
    fn engine(&self) -> Engine;
    /// Runs several statements without parameters (schema changes).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// Runs one statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    /// Runs one query and hands each row to `each`, in order.
    fn each_row(&mut self, sql: &str, params: &[Value], each: RowSink) -> Result<(), StoreError>;
    /// Starts a transaction that writes. SQLite takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so two writers queue instead of failing on a lock upgrade.
    fn begin(&mut self) -> Result<(), StoreError>;
    /// The largest number of parameters one statement may carry.
    fn max_parameters(&self) -> usize;
}

/// Fills `values` with one row's columns, read through `column`, and hands them to `each`: the
/// loop body both engines share, so the buffer is reused for every row.
pub(super) fn hand_row(
    values: &mut [Value],
    mut column: impl FnMut(usize) -> Result<Value, StoreError>,
    each: RowSink,
) -> Result<(), StoreError> {
    for (index, slot) in values.iter_mut().enumerate() {
        *slot = column(index)?;
    }
    each(values)
}

impl dyn Connection + '_ {
    /// Runs one query and collects its rows.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, StoreError> {
        let mut rows = Vec::new();
        self.each_row(sql, params, &mut |row| {
            rows.push(row.to_vec());
            Ok(())
        })?;
        Ok(rows)
    }

    /// Runs `body` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    /// A process killed inside leaves nothing of it behind (the engines roll back an
    /// uncommitted transaction).
    pub fn transaction<T>(
        &mut self,
        body: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.begin()?;
        match body(self) {
            Ok(value) => {
                self.batch("COMMIT")?;
                Ok(value)
            }
            Err(error) => {
                // The rollback's own failure would hide the error that caused it.
                let _ = self.batch("ROLLBACK");
                Err(error)
            }
        }
    }

    /// Inserts `rows` (each `columns` wide) with as few statements as the engine's parameter
    /// limit allows: `{head} VALUES ($1, $2), ($3, $4) {tail}`. `head` and `tail` are
    /// constant SQL (`INSERT INTO t (a, b)`, `ON CONFLICT DO NOTHING`). Returns the number of
    /// rows inserted.
    pub fn insert_rows(
        &mut self,
        head: &str,
        tail: &str,
        columns: usize,
        rows: &[Value],
    ) -> Result<u64, StoreError> {
        let mut inserted = 0;
        if columns == 0 || rows.is_empty() {
            return Ok(inserted);
        }
        let per_statement = (self.max_parameters() / columns).clamp(1, 500) * columns;
        for chunk in rows.chunks(per_statement) {
            let sql = format!(
                "{head} VALUES {} {tail}",
                placeholders(chunk.len() / columns, columns)
            );
            inserted += self.execute(&sql, chunk)?;
        }
        Ok(inserted)
    }
}

/// `($1, $2), ($3, $4)` for `rows` rows of `columns` parameters.
pub fn placeholders(rows: usize, columns: usize) -> String {
    let mut text = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for column in 0..columns {
            if column > 0 {
                text.push_str(", ");
            }
            text.push('$');
            text.push_str(&(row * columns + column + 1).to_string());
        }
        text.push(')');
    }
    text
}

/// `$1, $2, $3` for an `IN (...)` list of `count` parameters.
pub fn parameter_list(count: usize) -> String {
    (1..=count)
        .map(|index| format!("${index}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQLite reads `$1` as a *named* parameter numbered by first appearance; `?1` is positional
/// as in PostgreSQL. The store's SQL contains no `$` other than placeholders.
pub fn positional_for_sqlite(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(character) = chars.next() {
        if character == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(character);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 1), "($1)");
        assert_eq!(parameter_list(3), "$1, $2, $3");
    }

    #[test]
    fn sqlite_placeholders_are_positional() {
        assert_eq!(
            positional_for_sqlite("SELECT a FROM t WHERE b = $2 AND c = $1 AND d = $12"),
            "SELECT a FROM t WHERE b = ?2 AND c = ?1 AND d = ?12"
        );
        assert_eq!(positional_for_sqlite("SELECT '$'"), "SELECT '$'");
    }
}
