//! The driver seam: what the storage logic needs from a database connection, and nothing more.
//! A statement is SQL text with `$1`, `$2`, … placeholders (both backends read them; SQLite as
//! `?1`, `?2`, …) and a slice of [`Param`]s; a query hands each row to a callback as a [`Row`]
//! that is read by column position. Every statement's text is written once, in the engine, for
//! both backends: the schemas are the same (migrations/sqlite and migrations/postgres differ
//! only in type names), and the SQL keeps to what both accept (`RETURNING`, `ON CONFLICT`,
//! `CAST(… AS BIGINT)` for aggregates, no booleans).

use crate::error::{Result, StoreError};
use std::future::Future;
use std::pin::Pin;

/// A boxed future that may move between threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A value for a statement's placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param<'a> {
    /// An integer column (`INTEGER` / `BIGINT`).
    Int(i64),
    /// An integer column that may be NULL.
    OptInt(Option<i64>),
    /// A text column.
    Text(&'a str),
    /// A text column that may be NULL.
    OptText(Option<&'a str>),
    /// A byte column (`BLOB` / `BYTEA`).
    Bytes(&'a [u8]),
}

/// One row of a query's result, read by column position (from 0).
pub trait Row {
    /// An integer column.
    fn int(&self, i: usize) -> Result<i64>;
    /// An integer column that may be NULL.
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    /// A text column.
    fn text(&self, i: usize) -> Result<&str>;
    /// A text column that may be NULL.
    fn opt_text(&self, i: usize) -> Result<Option<&str>>;
    /// A byte column.
    fn bytes(&self, i: usize) -> Result<&[u8]>;
}

/// A connection (inside a transaction when the driver opened one). Errors are mapped by the
/// driver: a unique-constraint violation is [`StoreError::AlreadyExists`], a busy or
/// unreachable database [`StoreError::Unavailable`].
pub trait Conn: Send {
    /// Appended to a `SELECT` that must lock the rows it reads until the transaction ends:
    /// ` FOR UPDATE` on PostgreSQL; nothing on SQLite, whose one writer holds the database.
    const FOR_UPDATE: &'static str;

    /// Runs a statement; returns how many rows it changed.
    fn execute(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> impl Future<Output = Result<u64>> + Send;

    /// Runs a query, handing every row to `each` in order; stops at the first error.
    fn query(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
        each: &mut (dyn FnMut(&dyn Row) -> Result<()> + Send),
    ) -> impl Future<Output = Result<()>> + Send;
}

/// Every row of a query, mapped.
pub(crate) async fn all<C: Conn, T: Send>(
    c: &mut C,
    sql: &str,
    params: &[Param<'_>],
    map: impl Fn(&dyn Row) -> Result<T> + Send + Sync,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    c.query(sql, params, &mut |r| {
        out.push(map(r)?);
        Ok(())
    })
    .await?;
    Ok(out)
}

/// The first row of a query, mapped, if there is one.
pub(crate) async fn opt<C: Conn, T: Send>(
    c: &mut C,
    sql: &str,
    params: &[Param<'_>],
    map: impl Fn(&dyn Row) -> Result<T> + Send + Sync,
) -> Result<Option<T>> {
    let mut out = None;
    c.query(sql, params, &mut |r| {
        if out.is_none() {
            out = Some(map(r)?);
        }
        Ok(())
    })
    .await?;
    Ok(out)
}

/// The one row a query always returns (an aggregate, `RETURNING` of an insert).
pub(crate) async fn one<C: Conn, T: Send>(
    c: &mut C,
    sql: &str,
    params: &[Param<'_>],
    map: impl Fn(&dyn Row) -> Result<T> + Send + Sync,
) -> Result<T> {
    opt(c, sql, params, map)
        .await?
        .ok_or_else(|| StoreError::Internal(format!("no row from {sql:?}")))
}

/// A stored unsigned 32-bit value (UID, UIDVALIDITY, count).
pub(crate) fn u32_of(v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| StoreError::Internal(format!("stored value {v} out of range")))
}

/// A stored unsigned 64-bit value (MODSEQ, size, usage).
pub(crate) fn u64_of(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| StoreError::Internal(format!("stored value {v} out of range")))
}

/// An unsigned value as stored (PostgreSQL has no unsigned types; no value we store comes near
/// `i64::MAX`).
pub(crate) fn stored(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
