//! SQLite, the all-in-one shape's database, through rusqlite: a WAL-mode file with one writer
//! thread (`writer.rs`) and a pool of reader connections used on the calling task
//! (`readers.rs`); commits are made durable by the group commit (`wal.rs`); the schema is
//! `migrations/sqlite` (`migrate.rs`).
//!
//! ```text
//!  SqliteStore ── write(op) ──▶ writer thread (one connection, BEGIN IMMEDIATE … COMMIT)
//!      │                           └──▶ WalSync: one fsync of the WAL for a group of commits
//!      └─────── read(op) ──▶ pooled reader connection, on the calling task
//! ```
//!
//! Other processes on the same file (the `strata user` CLI while the server runs) meet the
//! writer through SQLite's own lock and a busy timeout.

mod conn;
mod migrate;
mod readers;
mod wal;
mod writer;

use crate::engine::{BoxFuture, Driver, Sealed, SqlStore};
use crate::error::{Result, StoreError};
use readers::Readers;
use rusqlite::{Connection, OpenFlags};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wal::WalSync;
use writer::Writer;

/// The SQLite driver (see the module docs).
pub struct Sqlite {
    writer: Writer,
    readers: Readers,
    wal: Arc<WalSync>,
}

/// The metadata store on a SQLite file.
pub type SqliteStore = SqlStore<Sqlite>;

impl SqlStore<Sqlite> {
    /// Opens (creating it if needed) the database file at `path` and brings its schema up to
    /// date. The folder must exist.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let path = path.to_path_buf();
        let (conn, path) =
            tokio::task::spawn_blocking(move || open_writer(&path).map(|c| (c, path)))
                .await
                .map_err(|e| StoreError::Internal(format!("opening SQLite: {e}")))??;
        let wal = Arc::new(WalSync::new(&path));
        Ok(SqlStore::with_driver(Sqlite {
            writer: Writer::start(conn, Arc::clone(&wal))?,
            readers: Readers::new(path),
            wal,
        }))
    }
}

/// Opens the writer's connection: WAL mode, the migrations applied durably (`synchronous =
/// FULL` while they run), then `synchronous = NORMAL` for the group commit; the folder is
/// fsynced so that a new database file's entry survives a power cut.
fn open_writer(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrate::run(&mut conn)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.set_prepared_statement_cache_capacity(128);
    wal::sync_parent(path).map_err(|e| {
        StoreError::Internal(format!("fsync the folder of {}: {e}", path.display()))
    })?;
    Ok(conn)
}

/// The file a `sqlite:` URL names: `sqlite://PATH[?options]` or `sqlite:PATH`. The file is
/// always created if missing (`mode=rwc`, the default URL's option, is accepted); an in-memory
/// database (`:memory:`, `mode=memory`) is not a place for mail and names no file.
pub fn path_of_url(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, options) = rest.split_once('?').unwrap_or((rest, ""));
    let memory = options.split('&').any(|o| o == "mode=memory");
    (!path.is_empty() && !path.starts_with(':') && !memory).then(|| PathBuf::from(path))
}

impl Sealed for Sqlite {}

impl Driver for Sqlite {
    type Conn = Connection;

    fn write<T, F>(&self, op: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.writer.run(op)
    }

    async fn read<T, F>(&self, snapshot: bool, op: F) -> Result<T>
    where
        T: Send,
        F: for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, Result<T>> + Send,
    {
        self.readers.run(snapshot, op)
    }

    fn durable(&self) -> impl Future<Output = Result<()>> + Send {
        self.wal.wait_for(self.wal.last())
    }

    /// The all-in-one server is the one process that writes mail to its file: the `strata
    /// user` CLI beside it changes accounts only (a deleted account is noticed at the
    /// session's next NOOP, which always asks).
    fn sole_writer(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let p = |u| path_of_url(u).map(|p| p.display().to_string());
        assert_eq!(
            p("sqlite://./data/meta.db?mode=rwc").as_deref(),
            Some("./data/meta.db")
        );
        assert_eq!(
            p("sqlite:/var/strata/meta.db").as_deref(),
            Some("/var/strata/meta.db")
        );
        assert_eq!(p("sqlite::memory:"), None);
        assert_eq!(p("sqlite://x.db?mode=memory&cache=shared"), None);
        assert_eq!(p("postgres://db/strata"), None);
    }
}
