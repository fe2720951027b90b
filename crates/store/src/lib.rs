//! # store: Strata's storage seam
//!
//! The [`MailStore`] trait is the one boundary between IMAP and storage (ARCHITECTURE.md): the
//! frontend calls it in-process in the all-in-one shape and over gRPC in the cluster. Its docs
//! spell out the contract: what is durable when a call returns, what ordering UIDs and MODSEQs
//! keep, and how accounts are isolated.
//!
//! ```text
//!  imap-server ──▶ MailStore (trait) ──▶ SqlStore ──▶ SQLite | PostgreSQL   (metadata)
//!                                            └──▶ ChangeEvent feed (IDLE, other sessions)
//!  bodies: blob-store crate (content-addressed), written before the metadata commit
//! ```

pub mod bodies;
pub mod error;
pub mod mail_store;
pub mod sql;
pub mod types;

pub use error::{Result, StoreError};
pub use mail_store::MailStore;
pub use sql::{Backend, ChangeRelay, SqlStore};
pub use types::*;
