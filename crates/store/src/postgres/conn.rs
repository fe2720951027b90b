//! The engine's [`Conn`] on a sqlx [`PgConnection`]: each statement is one round trip (sqlx
//! prepares it once per connection and caches it), rows are streamed to the callback as they
//! arrive.

use crate::engine::{Conn, Param, Row};
use crate::error::{Result, StoreError};
use futures::TryStreamExt;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{AssertSqlSafe, PgConnection, Postgres, Row as _};

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::AlreadyExists(d.message().to_string())
            }
            _ => StoreError::Internal(e.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Internal(format!("migration: {e}"))
    }
}

fn bind<'q>(
    q: Query<'q, Postgres, PgArguments>,
    p: &Param<'q>,
) -> Query<'q, Postgres, PgArguments> {
    match *p {
        Param::Int(v) => q.bind(v),
        Param::OptInt(v) => q.bind(v),
        Param::Text(s) => q.bind(s),
        Param::OptText(s) => q.bind(s),
        Param::Bytes(b) => q.bind(b),
    }
}

fn statement<'q>(sql: &'q str, params: &[Param<'q>]) -> Query<'q, Postgres, PgArguments> {
    params.iter().fold(sqlx::query(AssertSqlSafe(sql)), bind)
}

/// Whether column `i` is a 32-bit integer (`INTEGER`: `messages.internal_zone`); the others
/// are `BIGINT`.
fn is_int4(row: &PgRow, i: usize) -> bool {
    use sqlx::{Column, TypeInfo};
    row.columns()
        .get(i)
        .is_some_and(|c| c.type_info().name() == "INT4")
}

impl Row for PgRow {
    fn int(&self, i: usize) -> Result<i64> {
        if is_int4(self, i) {
            return Ok(self.try_get::<i32, _>(i)?.into());
        }
        Ok(self.try_get::<i64, _>(i)?)
    }

    fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        if is_int4(self, i) {
            return Ok(self.try_get::<Option<i32>, _>(i)?.map(i64::from));
        }
        Ok(self.try_get::<Option<i64>, _>(i)?)
    }

    fn text(&self, i: usize) -> Result<&str> {
        Ok(self.try_get::<&str, _>(i)?)
    }

    fn opt_text(&self, i: usize) -> Result<Option<&str>> {
        Ok(self.try_get::<Option<&str>, _>(i)?)
    }

    fn bytes(&self, i: usize) -> Result<&[u8]> {
        Ok(self.try_get::<&[u8], _>(i)?)
    }
}

impl Conn for PgConnection {
    const FOR_UPDATE: &'static str = " FOR UPDATE";

    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        Ok(statement(sql, params).execute(self).await?.rows_affected())
    }

    async fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut (dyn FnMut(&dyn Row) -> Result<()> + Send),
    ) -> Result<()> {
        let mut rows = statement(sql, params).fetch(self);
        while let Some(row) = rows.try_next().await? {
            each(&row)?;
        }
        Ok(())
    }
}
