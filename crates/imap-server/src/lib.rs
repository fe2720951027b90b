//! # imap-server: Strata's IMAP frontend
//!
//! Sessions, their state machine and the command families, over any transport, talking only to
//! the [`store::MailStore`] trait (ARCHITECTURE.md). Built up over the server work (issue 4).
//!
//! ```text
//!  transport (TCP/TLS/in-memory) ─▶ session::Session ─▶ state::State::allows ─▶ commands::*
//!                                        │   view::MailboxView (per-session numbering)
//!                                        └─▶ store::MailStore + blob_store::BlobStore
//! ```
//!
//! * [`listener`]: accept loops for cleartext and implicit-TLS listeners, per-IP limits.
//! * [`session`]: the connection loop (receiver, responses, timers).
//! * [`state`]: the RFC 9051 state machine: which commands each state allows, one transition
//!   table.
//! * `commands`: one module per command family.
//! * [`view`]: a session's own view of its selected mailbox (invariant 4).
//! * [`scram`]: SCRAM-SHA-256 (RFC 5802, RFC 7677) verifiers and the server side of the exchange.
//! * [`errors`]: storage errors → IMAP response codes, in one place.

mod commands;
pub mod config;
pub mod errors;
pub mod limits;
pub mod listener;
pub mod scram;
pub mod session;
pub mod state;
pub mod view;

pub use commands::select::imap_flags;
pub use config::{ConnectionInfo, ServerConfig, Shared};
pub use session::Session;
