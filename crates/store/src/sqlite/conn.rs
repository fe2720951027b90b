//! The engine's [`Conn`] on a rusqlite [`Connection`]: statements run right away on the calling
//! thread (the futures are ready when first polled: [`ready`]), through each connection's cache
//! of prepared statements.

use crate::engine::{BoxFuture, Conn, Param, Row};
use crate::error::{Result, StoreError};
use rusqlite::types::{Null, ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, params_from_iter};
use std::task::{Context, Poll, Waker};

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == ErrorCode::ConstraintViolation
                    && matches!(
                        f.extended_code,
                        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                            | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    ) =>
            {
                StoreError::AlreadyExists(e.to_string())
            }
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(
                    f.code,
                    ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked | ErrorCode::CannotOpen
                ) =>
            {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Internal(e.to_string()),
        }
    }
}

/// The engine writes `$n`; SQLite's numbered placeholder is `?n` (it would read `$n` as a
/// named parameter, numbered by first appearance).
fn sqlite_text(sql: &str) -> String {
    sql.replace('$', "?")
}

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match *self {
            Param::Int(v) | Param::OptInt(Some(v)) => ToSqlOutput::from(v),
            Param::OptInt(None) | Param::OptText(None) => ToSqlOutput::from(Null),
            Param::Text(s) | Param::OptText(Some(s)) => {
                ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))
            }
            Param::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn wrong_type(i: usize, want: &str, got: ValueRef<'_>) -> StoreError {
    StoreError::Internal(format!(
        "column {i}: expected {want}, found {:?}",
        got.data_type()
    ))
}

impl Row for rusqlite::Row<'_> {
    fn int(&self, i: usize) -> Result<i64> {
        match self.get_ref(i)? {
            ValueRef::Integer(v) => Ok(v),
            other => Err(wrong_type(i, "an integer", other)),
        }
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.get_ref(i)? {
            ValueRef::Null => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    fn text(&self, i: usize) -> Result<&str> {
        match self.get_ref(i)? {
            ValueRef::Text(t) => {
                std::str::from_utf8(t).map_err(|e| StoreError::Internal(format!("column {i}: {e}")))
            }
            other => Err(wrong_type(i, "text", other)),
        }
    }

    fn opt_text(&self, i: usize) -> Result<Option<&str>> {
        match self.get_ref(i)? {
            ValueRef::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    fn bytes(&self, i: usize) -> Result<&[u8]> {
        match self.get_ref(i)? {
            ValueRef::Blob(b) | ValueRef::Text(b) => Ok(b),
            other => Err(wrong_type(i, "bytes", other)),
        }
    }
}

impl Conn for Connection {
    const FOR_UPDATE: &'static str = "";

    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        let mut stmt = self.prepare_cached(&sqlite_text(sql))?;
        Ok(stmt.execute(params_from_iter(params))? as u64)
    }

    async fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut (dyn FnMut(&dyn Row) -> Result<()> + Send),
    ) -> Result<()> {
        let mut stmt = self.prepare_cached(&sqlite_text(sql))?;
        let mut rows = stmt.query(params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            each(row)?;
        }
        Ok(())
    }
}

/// Runs an engine operation on a SQLite connection to its end: it never waits for anything
/// (every statement runs when called), so one poll finishes it.
pub(crate) fn ready<T>(op: BoxFuture<'_, Result<T>>) -> Result<T> {
    let mut op = op;
    match op.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(r) => r,
        Poll::Pending => Err(StoreError::Internal(
            "a SQLite operation waited for something".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_placeholders_bind_by_number() {
        let mut c = Connection::open_in_memory().unwrap();
        let sql = "SELECT $2 - $1, $1";
        let got = ready(Box::pin(async move {
            crate::engine::Conn::query(&mut c, sql, &[Param::Int(1), Param::Int(10)], &mut |r| {
                assert_eq!((r.int(0)?, r.int(1)?), (9, 1));
                Ok(())
            })
            .await
        }));
        assert!(got.is_ok(), "{got:?}");
    }
}
