//! # store: Strata's storage seam
//!
//! The [`MailStore`] trait is the one boundary between IMAP and storage (ARCHITECTURE.md): the
//! frontend calls it in-process in the all-in-one shape and over gRPC in the cluster. Its docs
//! spell out the contract: what is durable when a call returns, what ordering UIDs and MODSEQs
//! keep, and how accounts are isolated.
//!
//! ```text
//!  imap-server ──▶ MailStore (trait) ──▶ SqlStore<D> ── engine (statements, once) ── rules
//!                                            │                  │  (decisions, once)
//!                                            │                  ▼
//!                                            │        D = Sqlite (rusqlite)  | Postgres (sqlx)
//!                                            └──▶ ChangeEvent feed (IDLE, other sessions)
//!  bodies: blob-store crate (content-addressed), written before the metadata commit
//! ```
//!
//! Layout: [`rules`] decides (which UID, how flags combine, what quota a copy costs, …) in
//! plain functions; [`engine`] holds every operation once, as SQL and rule calls over a
//! connection; [`sqlite`] and [`postgres`] are the two drivers that run them.

pub mod bodies;
pub mod clock;
pub mod engine;
pub mod error;
pub mod mail_store;
pub mod postgres;
pub mod rules;
pub mod schema;
pub mod sqlite;
pub mod types;

pub use clock::now_ms;
pub use engine::SqlStore;
pub use error::{Result, StoreError};
pub use mail_store::{Accounts, MailStore, Mailboxes, Messages, Sweep};
pub use postgres::{ChangeRelay, PgStore};
pub use sqlite::SqliteStore;
pub use types::*;

/// The `MailStore` families, for calling them on a concrete store (`SqliteStore`, `PgStore`,
/// `RemoteStore`): `use store::prelude::*;`. Through `dyn MailStore` they need no import.
pub mod prelude {
    pub use crate::mail_store::{Accounts, MailStore, Mailboxes, Messages, Sweep};
}

use std::path::PathBuf;
use std::sync::Arc;

/// The database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (`sqlite://PATH` or `sqlite:PATH`).
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

impl Database {
    /// Reads a database URL; `Cannot` for any other scheme.
    pub fn from_url(url: &str) -> Result<Database> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            return Ok(Database::Postgres(url.to_string()));
        }
        sqlite::path_of_url(url)
            .map(Database::Sqlite)
            .ok_or_else(|| StoreError::Cannot(format!("unsupported database URL {url}")))
    }

    /// Opens the store (PostgreSQL with up to `max_connections` connections).
    pub async fn open(&self, max_connections: u32) -> Result<Arc<dyn MailStore>> {
        Ok(match self {
            Database::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
            Database::Postgres(url) => Arc::new(PgStore::open(url, max_connections).await?),
        })
    }
}

/// Opens the store a URL names (see [`Database`]).
pub async fn open(url: &str, max_connections: u32) -> Result<Arc<dyn MailStore>> {
    Database::from_url(url)?.open(max_connections).await
}
