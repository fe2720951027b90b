//! PostgreSQL, the cluster's system of record, through sqlx's `PgPool`: a write is a
//! transaction on a pooled connection whose `SELECT … FOR UPDATE` row locks keep writers of one
//! mailbox in commit order; its commit is durable when it returns. The schema is
//! `migrations/postgres`; `relay.rs` carries change events between the processes on one
//! database.

mod conn;
mod relay;

pub use relay::ChangeRelay;

use crate::engine::{BoxFuture, Driver, Sealed, SqlStore};
use crate::error::Result;
use crate::types::ChangeEvent;
use sqlx::Executor;
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

/// The PostgreSQL driver (see the module docs).
pub struct Postgres {
    pool: PgPool,
    /// In a cluster: events also go to the other replicas ([`relay`]).
    relay: OnceLock<relay::RelayTx>,
}

/// The metadata store on a PostgreSQL database.
pub type PgStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
    /// Connects to the database at `url` (`postgres://…`) with up to `max_connections`
    /// connections and brings its schema up to date.
    pub async fn open(url: &str, max_connections: u32) -> Result<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await?;
        sqlx::migrate!("../../migrations/postgres")
            .run(&pool)
            .await?;
        Ok(SqlStore::with_driver(Postgres {
            pool,
            relay: OnceLock::new(),
        }))
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.driver().pool.close().await;
    }
}

impl Sealed for Postgres {}

impl Driver for Postgres {
    type Conn = PgConnection;

    async fn write<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let mut tx = self.pool.begin().await?;
        let value = op(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    async fn read<T, F>(&self, snapshot: bool, op: F) -> Result<T>
    where
        T: Send,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T>> + Send,
    {
        if !snapshot {
            let mut conn = self.pool.acquire().await?;
            return op(&mut conn).await;
        }
        let mut tx = self.pool.begin().await?;
        tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let value = op(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }

    fn durable(&self) -> impl Future<Output = Result<()>> + Send {
        // A commit is durable when it returns.
        std::future::ready(Ok(()))
    }

    fn relay(&self, event: ChangeEvent) {
        if let Some(relay) = self.relay.get() {
            relay.send(event);
        }
    }
}
