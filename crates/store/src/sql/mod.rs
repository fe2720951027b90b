//! The SQL metadata store: one schema design and one code path for SQLite (the all-in-one
//! default, WAL) and PostgreSQL (the cluster), through sqlx's `Any` driver.
//!
//! ```text
//!   SqlStore ── AnyPool ──▶ SQLite file (WAL, synchronous=FULL)   migrations/sqlite
//!      │                └─▶ PostgreSQL                             migrations/postgres
//!      └── broadcast::Sender<ChangeEvent>  (published after each commit)
//! ```
//!
//! The SQL text is shared: both backends accept `$n` placeholders, `RETURNING` and
//! `ON CONFLICT`. What differs is how a writer gets exclusive access to a mailbox:
//! * PostgreSQL: `SELECT … FROM mailboxes … FOR UPDATE` inside the transaction. Appends to one
//!   mailbox from many frontends queue on that row lock, and since the lock is held until
//!   commit, UIDs are assigned in commit order (invariant 1).
//! * SQLite: one writer at a time anyway; an in-process async mutex serialises write
//!   transactions so that they never meet SQLite's busy-upgrade errors.
//!
//! Files: `accounts.rs` (tenants, accounts, credentials, quota), `mailboxes.rs` (mailbox tree,
//! subscriptions, status), `messages.rs` (append, snapshot, changes, flags, copy/move,
//! expunge, fetch).

mod accounts;
mod blobs;
mod mailboxes;
mod messages;
mod store_impl;

use crate::error::{Result, StoreError};
use crate::types::{AccountId, ChangeEvent, MailboxId};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};
use std::path::Path;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard, broadcast};

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (embedded).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The SQL implementation of [`crate::MailStore`].
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// Serialises writers on SQLite (see the module docs); unused on PostgreSQL.
    write_lock: Mutex<()>,
    events: broadcast::Sender<ChangeEvent>,
}

/// A write transaction, holding the SQLite writer lock when there is one.
pub(crate) struct WriteTx<'a> {
    pub(crate) tx: Transaction<'static, Any>,
    _guard: Option<MutexGuard<'a, ()>>,
}

impl SqlStore {
    /// Opens (creating if needed) a SQLite database file and applies the migrations.
    pub async fn open_sqlite(path: &Path) -> Result<SqlStore> {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        SqlStore::open(&url, 8).await
    }

    /// Opens a database by URL (`sqlite://…` or `postgres://…`) and applies the migrations.
    pub async fn open(url: &str, max_connections: u32) -> Result<SqlStore> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Cannot(format!(
                "unsupported database URL {url}"
            )));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL for concurrent readers; FULL so that a commit survives power loss
                        // (invariant 3); a busy timeout for other processes (the admin CLI).
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA busy_timeout = 10000",
                            "PRAGMA foreign_keys = ON",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("../../migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("../../migrations/postgres"),
        };
        migrator.run(&pool).await?;
        let (events, _) = broadcast::channel(4096);
        Ok(SqlStore {
            pool,
            backend,
            write_lock: Mutex::new(()),
            events,
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Starts a write transaction.
    pub(crate) async fn write(&self) -> Result<WriteTx<'_>> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().await),
            Backend::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _guard: guard })
    }

    /// Starts a read transaction: one consistent snapshot of the database.
    pub(crate) async fn read(&self) -> Result<Transaction<'static, Any>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?;
        }
        Ok(tx)
    }

    /// ` FOR UPDATE` on PostgreSQL, nothing on SQLite (whose writers are already serialised).
    pub(crate) fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// Publishes a committed change.
    pub(crate) fn publish(&self, account: AccountId, mailbox: MailboxId, modseq: u64) {
        // No subscriber is not an error.
        let _ = self.events.send(ChangeEvent {
            account,
            mailbox,
            modseq,
        });
    }
}

/// Reads column `i` of a row as `i64`, mapping errors.
pub(crate) fn col_i64(row: &sqlx::any::AnyRow, name: &str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(name)?)
}

/// Current time in milliseconds since the epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Current time in seconds since the epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
