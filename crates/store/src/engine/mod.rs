//! The storage engine: every [`MailStore`](crate::MailStore) method written once, as SQL
//! statements and calls to the [`rules`](crate::rules), over the driver seam ([`Conn`],
//! [`Driver`]); one driver per backend ([`crate::sqlite`], [`crate::postgres`]).
//!
//! ```text
//!  SqlStore<D>  (impl MailStore, mail_store.rs) ── publishes ChangeEvents after each commit
//!      │ write(op) / read(op)
//!      ▼
//!  D: Driver  ── runs op in a transaction on a connection ──▶  op(&mut D::Conn)
//!                                                                 │ files named after commands:
//!                                                                 │ append store copy expunge
//!                                                                 │ select fetch search changes
//!                                                                 │ + accounts mailboxes blobs
//!                                                                 ▼
//!                                        Conn::execute / Conn::query  ◀── rules (decisions)
//! ```
//!
//! A driver decides how a transaction runs (SQLite: on its one writer thread, then the group
//! commit's fsync; PostgreSQL: a pooled connection, row locks) and how a statement is sent; the
//! engine decides what the statements are and what they mean.

mod accounts;
mod append;
mod blobs;
mod changes;
mod conn;
mod copy;
mod expunge;
mod fetch;
mod keywords;
mod mail_store;
mod mailboxes;
mod messages;
mod rows;
mod search;
mod select;
mod store;

pub use conn::{BoxFuture, Conn, Param, Row};

use crate::error::Result;
use crate::types::{AccountId, ChangeEvent, MailboxId};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::broadcast;

/// The change events a write publishes once it is durable.
pub(crate) type Events = Vec<ChangeEvent>;

/// The event of a change to `mailbox` that reached `modseq`.
pub(crate) fn event(account: AccountId, mailbox: MailboxId, modseq: u64) -> ChangeEvent {
    ChangeEvent {
        account,
        mailbox,
        modseq,
    }
}

/// A unique violation reported under the name the caller used (the database's own message
/// names a constraint).
pub(crate) fn taken(name: &str) -> impl Fn(crate::StoreError) -> crate::StoreError + '_ {
    move |e| match e {
        crate::StoreError::AlreadyExists(_) => crate::StoreError::AlreadyExists(name.to_string()),
        e => e,
    }
}

mod sealed {
    /// Only this crate's drivers implement [`super::Driver`].
    pub trait Sealed {}
}
pub(crate) use sealed::Sealed;

/// A database driver: runs the engine's operations on its connections. Implemented by
/// [`crate::sqlite::Sqlite`] and [`crate::postgres::Postgres`] only.
pub trait Driver: Sealed + Send + Sync + 'static {
    /// A connection of this database.
    type Conn: Conn;

    /// Runs `op` in one write transaction: commits when it returns `Ok` (and returns once the
    /// commit is durable), rolls back otherwise. Writers never interleave within a mailbox
    /// (PostgreSQL: row locks taken by `FOR UPDATE`; SQLite: one writer at a time).
    fn write<T, F>(&self, op: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Self::Conn) -> BoxFuture<'c, Result<T>> + Send + 'static;

    /// Runs `op` on a connection outside any write transaction: every statement sees committed
    /// data; all of them one snapshot when `snapshot` (otherwise each its own).
    fn read<T, F>(&self, snapshot: bool, op: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send,
        F: for<'c> FnOnce(&'c mut Self::Conn) -> BoxFuture<'c, Result<T>> + Send;

    /// Returns once every commit made so far is durable (for an answer read from state that
    /// another writer committed a moment ago and that must not be lost with it).
    fn durable(&self) -> impl Future<Output = Result<()>> + Send;

    /// Hands a published event to other processes on the same database (PostgreSQL's change
    /// relay); nothing by default.
    fn relay(&self, _event: ChangeEvent) {}

    /// Whether this process is the only writer of mail to the database, so that its own feed
    /// is complete ([`Messages::feed_is_complete`](crate::Messages::feed_is_complete)).
    fn sole_writer(&self) -> bool {
        false
    }
}

/// The SQL implementation of [`MailStore`](crate::MailStore) on driver `D`:
/// [`SqliteStore`](crate::SqliteStore) or [`PgStore`](crate::PgStore).
pub struct SqlStore<D: Driver> {
    inner: Arc<Inner<D>>,
}

/// What a write's task needs after its caller may have gone away.
struct Inner<D> {
    driver: D,
    events: broadcast::Sender<ChangeEvent>,
}

impl<D: Driver> SqlStore<D> {
    /// A store over `driver`, with its change feed.
    pub(crate) fn with_driver(driver: D) -> Self {
        let (events, _) = broadcast::channel(4096);
        SqlStore {
            inner: Arc::new(Inner { driver, events }),
        }
    }

    /// The driver.
    pub(crate) fn driver(&self) -> &D {
        &self.inner.driver
    }

    /// Runs a write and publishes its events once it is durable. The write runs in a task of
    /// its own, so that a caller that goes away (a client that disconnects, a cancelled gRPC
    /// call) cannot stop it between its commit and the events that tell the other sessions.
    async fn write<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut D::Conn) -> BoxFuture<'c, Result<(T, Events)>> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let task = tokio::spawn(async move {
            let (value, events) = inner.driver.write(op).await?;
            for ev in events {
                // No subscriber is not an error.
                let _ = inner.events.send(ev);
                inner.driver.relay(ev);
            }
            Ok(value)
        });
        task.await
            .map_err(|e| crate::StoreError::Internal(format!("write task: {e}")))?
    }

    /// The local change feed's sender (PostgreSQL's relay republishes other processes' events
    /// on it).
    pub(crate) fn feed(&self) -> &broadcast::Sender<ChangeEvent> {
        &self.inner.events
    }
}
