//! The SQL metadata store: one schema design and one code path for SQLite (the all-in-one
//! default, WAL) and PostgreSQL (the cluster), through sqlx's `Any` driver.
//!
//! ```text
//!   SqlStore ── AnyPool ──▶ SQLite file (WAL, group commit)       migrations/sqlite
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
//!   transactions so that they never meet SQLite's busy-upgrade errors. The mail writes of a
//!   SQLite file database (APPEND, STORE, COPY/MOVE, EXPUNGE, the \Recent claim) do not go
//!   through sqlx but run on rusqlite on one writer thread, under the same mutex (`lite.rs`
//!   says why and how).
//!
//! Files: `accounts.rs` (tenants, accounts, credentials, quota), `mailboxes.rs` (mailbox tree,
//! subscriptions, status), `messages.rs` (append, snapshot, changes, flags, copy/move,
//! expunge, fetch), `lite.rs` (SQLite's mail writes and hot reads on rusqlite), `blobs.rs` (the sweep's
//! half), `relay.rs` (PostgreSQL's change relay).

mod accounts;
mod blobs;
mod lite;
mod mailboxes;
mod messages;
mod relay;
mod store_impl;

pub use relay::ChangeRelay;

use crate::error::{Result, StoreError};
use crate::types::{AccountId, ChangeEvent, MailboxId};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, AssertSqlSafe, Executor, Row, Transaction};
use std::path::Path;
use std::sync::Arc;
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
    /// Serialises writers on SQLite (see the module docs), shared with [`lite`]'s writer
    /// thread; unused on PostgreSQL.
    write_lock: Arc<Mutex<()>>,
    /// SQLite file databases: the group commit's WAL flush, shared with [`lite`].
    wal: Option<Arc<WalSync>>,
    /// SQLite file databases: the mail writes' thread and the hot reads' connections ([`lite`]).
    lite: Option<Arc<lite::Lite>>,
    events: broadcast::Sender<ChangeEvent>,
    /// PostgreSQL in a cluster: events also go to the other replicas ([`relay`]).
    relay_tx: std::sync::OnceLock<relay::RelayTx>,
}

/// Group commit for SQLite. Connections run `synchronous = NORMAL` (a commit writes the WAL
/// without fsync); a writer commits, releases the writer lock, then waits here until one fsync
/// of the WAL file that started after its commit has finished. Concurrent writers share that
/// fsync, and the next writer runs its statements while it is in flight. A tagged OK still
/// means the change survives power loss (invariant 3):
/// - fsync flushes the file (inode), whichever descriptor wrote it, so opening `<db>-wal` here
///   and syncing it covers every frame SQLite appended before;
/// - SQLite itself syncs the WAL before each checkpoint and the database after it (NORMAL in
///   WAL mode), so frames a WAL restart overwrites are already durable in the database file;
/// - a process crash (kill -9) loses nothing either way: the frames are in the page cache.
pub(crate) struct WalSync {
    path: std::path::PathBuf,
    /// Tickets handed out: each taken right after its writer's commit.
    taken: std::sync::atomic::AtomicU64,
    /// Every ticket up to this one is covered by a finished fsync. One fsync at a time.
    synced: Mutex<u64>,
}

impl WalSync {
    /// A ticket for a commit that just finished (take it after the commit).
    pub(crate) fn take(&self) -> u64 {
        self.taken.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
    }

    /// The last ticket taken: waiting for it covers every commit whose ticket was taken.
    pub(crate) fn last(&self) -> u64 {
        self.taken.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// After a commit: returns once it is durable.
    async fn wait(&self) -> Result<()> {
        self.wait_for(self.take()).await
    }

    /// Returns once every commit up to ticket `mine` is durable.
    pub(crate) async fn wait_for(&self, mine: u64) -> Result<()> {
        use std::sync::atomic::Ordering;
        if mine == 0 {
            return Ok(());
        }
        let mut synced = self.synced.lock().await;
        if *synced >= mine {
            return Ok(());
        }
        // Every ticket up to `upto` was taken after its commit, and this fsync starts now.
        let upto = self.taken.load(Ordering::SeqCst);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || match std::fs::File::open(&path) {
            Ok(f) => f.sync_data(),
            // No WAL file: every commit so far was checkpointed (and synced) into the database.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        })
        .await
        .map_err(|e| StoreError::Internal(format!("WAL sync task: {e}")))?
        .map_err(|e| StoreError::Internal(format!("fsync {}: {e}", self.path.display())))?;
        *synced = upto;
        Ok(())
    }
}

/// A write transaction, holding the SQLite writer lock when there is one.
pub(crate) struct WriteTx<'a> {
    pub(crate) tx: Transaction<'static, Any>,
    guard: Option<MutexGuard<'a, ()>>,
    wal: Option<&'a WalSync>,
}

impl WriteTx<'_> {
    /// Commits; returns once the change is durable. On SQLite the writer lock is released
    /// before the WAL flush, so the next writer runs meanwhile (group commit, [`WalSync`]).
    pub(crate) async fn commit(self) -> Result<()> {
        let WriteTx { tx, guard, wal } = self;
        tx.commit().await?;
        drop(guard);
        if let Some(wal) = wal {
            wal.wait().await?;
        }
        Ok(())
    }
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
        // The WAL of a file database: `sqlite://PATH[?options]` (or `sqlite:PATH`) → `PATH-wal`.
        // Without one (an in-memory database) commits stay `synchronous = FULL`.
        let db_file = match backend {
            Backend::Sqlite => url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .filter(|rest| !rest.contains("mode=memory"))
                .map(|rest| rest.split('?').next().unwrap_or(rest))
                .filter(|p| !p.is_empty() && !p.starts_with(':'))
                .map(std::path::PathBuf::from),
            Backend::Postgres => None,
        };
        let wal = db_file.as_ref().map(|p| {
            let mut path = p.clone().into_os_string();
            path.push("-wal");
            Arc::new(WalSync {
                path: path.into(),
                taken: std::sync::atomic::AtomicU64::new(0),
                synced: Mutex::new(0),
            })
        });
        let synchronous = if wal.is_some() {
            // Durability comes from the group commit's WAL fsync (WalSync).
            "PRAGMA synchronous = NORMAL"
        } else {
            "PRAGMA synchronous = FULL"
        };
        let pool = pool_options(backend, synchronous, max_connections)
            .connect(url)
            .await?;
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("../../migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("../../migrations/postgres"),
        };
        migrator.run(&pool).await?;
        let (events, _) = broadcast::channel(4096);
        let write_lock = Arc::new(Mutex::new(()));
        let lite = match &db_file {
            Some(db) => Some(Arc::new(lite::Lite::start(
                db,
                Arc::clone(&write_lock),
                wal.clone(),
            )?)),
            None => None,
        };
        Ok(SqlStore {
            pool,
            backend,
            write_lock,
            wal,
            lite,
            events,
            relay_tx: std::sync::OnceLock::new(),
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
        Ok(WriteTx {
            tx,
            guard,
            wal: self.wal.as_deref(),
        })
    }

    /// Waits until every commit of this store's writers so far is durable (SQLite's group
    /// commit, [`WalSync`]; nothing to wait for on PostgreSQL, whose commit is durable): for
    /// an answer read from state that another writer may have committed a moment ago.
    pub(crate) async fn durable(&self) -> Result<()> {
        match &self.wal {
            Some(wal) => wal.wait_for(wal.last()).await,
            None => Ok(()),
        }
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
        let ev = ChangeEvent {
            account,
            mailbox,
            modseq,
        };
        // No subscriber is not an error.
        let _ = self.events.send(ev);
        if let Some(relay) = self.relay_tx.get() {
            relay.send(ev);
        }
    }
}

/// Bytes of a SQLite database file each connection reads through a memory map instead of a
/// pread and a copy per page: a commit invalidates every other connection's page cache, so
/// without it the next read of each connection rereads its pages. (Address space only.)
pub(crate) const MMAP_SIZE: i64 = 1 << 30;

/// The pool settings of both backends; on SQLite, the pragmas of every connection.
fn pool_options(
    backend: Backend,
    synchronous: &'static str,
    max_connections: u32,
) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL for concurrent readers; NORMAL plus the group commit's fsync so
                    // that an acknowledged commit survives power loss (invariant 3); a busy
                    // timeout for other processes (the admin CLI).
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        synchronous,
                        "PRAGMA busy_timeout = 10000",
                        "PRAGMA foreign_keys = ON",
                    ] {
                        conn.execute(pragma).await?;
                    }
                    conn.execute(AssertSqlSafe(format!("PRAGMA mmap_size = {MMAP_SIZE}")))
                        .await?;
                }
                Ok(())
            })
        })
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
