//! Durable Raft storage in one SQLite file, `<dir>/raft.db`: the log store ([`LogStore`]) and the
//! state machine ([`StateMachine`]) share it.
//!
//! ```text
//!   openraft core ──append/truncate/purge/vote──▶ LogStore ─┐
//!                 ──apply/snapshot─────────────▶ StateMachine┼─▶ raft.db (WAL, synchronous=FULL)
//!                                                            │    meta(key, value)  vote, committed, last_purged
//!                                                            │    log(idx, entry)   JSON entries
//!                                                            │    state_machine(0)  applied state
//!                                                            └    snapshot(0)       last snapshot
//! ```
//!
//! Why SQLite and not a hand-written file: every write openraft asks for (append a batch, save a
//! vote, purge a prefix and record the purge point, apply a batch and record the applied id,
//! install a snapshot) must be atomic and durable before it is acknowledged. A SQLite transaction
//! in WAL mode with `synchronous=FULL` gives exactly that (one fsync of the WAL per commit) and
//! survives kill -9 at any point, with no recovery code of ours. sqlx is already a dependency
//! of the workspace, and the control-plane write rate (a few entries per second at most) is far
//! below what it handles.
//!
//! Values are serde_json text: the same encoding the network uses, and readable with `sqlite3`.

mod log;
mod sm;
#[cfg(test)]
mod suite_test;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub use log::LogStore;
use openraft::{AnyError, ErrorSubject, ErrorVerb, StorageError, StorageIOError};
use serde::Serialize;
use serde::de::DeserializeOwned;
pub use sm::StateMachine;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};

/// Opens (creating if needed) `<dir>/raft.db` and its tables.
pub(crate) async fn open(dir: &Path) -> Result<SqlitePool, sqlx::Error> {
    std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
    let path = dir.join("raft.db");
    let url = format!("sqlite://{}", path.display());
    let options = SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10));
    // Few connections: openraft serializes log writes and state-machine writes among
    // themselves; the extra ones serve replication reads concurrently (WAL readers never block).
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    for ddl in [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS log (idx INTEGER PRIMARY KEY, entry TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS state_machine (id INTEGER PRIMARY KEY CHECK (id = 0), \
         data TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY CHECK (id = 0), \
         meta TEXT NOT NULL, data BLOB NOT NULL)",
    ] {
        sqlx::query(ddl).execute(&pool).await?;
    }
    Ok(pool)
}

/// Reads and decodes `meta[key]`.
async fn get_meta<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    key: &str,
) -> Result<Option<T>, DbError> {
    let row = sqlx::query("SELECT value FROM meta WHERE key = ?")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        None => Ok(None),
        Some(row) => {
            let text: String = row.try_get(0)?;
            Ok(Some(serde_json::from_str(&text)?))
        }
    }
}

/// Encodes and writes `meta[key]` (inside the caller's transaction, if any).
async fn put_meta<T: Serialize>(
    conn: &mut SqliteConnection,
    key: &str,
    value: &T,
) -> Result<(), DbError> {
    let text = serde_json::to_string(value)?;
    sqlx::query("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")
        .bind(key)
        .bind(text)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What can go wrong below the storage traits; turned into openraft's [`StorageError`] with the
/// subject and verb of the failed operation by [`sto_err`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum DbError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sql(#[from] sqlx::Error),
    /// A stored value did not decode.
    #[error("decode: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored value decoded but is inconsistent (e.g. a log index that is not an i64).
    #[error("{0}")]
    Corrupt(String),
}

/// Builds a closure mapping a [`DbError`] to a [`StorageError`] about `subject`.
fn sto_err(
    subject: ErrorSubject<u64>,
    verb: ErrorVerb,
) -> impl FnOnce(DbError) -> StorageError<u64> {
    move |e| StorageIOError::new(subject, verb, AnyError::new(&e)).into()
}

/// Converts a log index to SQLite's integer type.
fn idx(index: u64) -> Result<i64, DbError> {
    i64::try_from(index).map_err(|_| DbError::Corrupt(format!("log index {index} exceeds i64")))
}
