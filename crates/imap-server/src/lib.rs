//! # imap-server: Strata's IMAP frontend
//!
//! Sessions, their state machine and the command families, over any transport, talking only to
//! the [`store::MailStore`] trait (ARCHITECTURE.md).
//!
//! ```text
//!  transport (TCP/TLS/in-memory) ─▶ session::Session ─▶ State::allows ─▶ dispatch ─▶ handler
//!    (listener)                        │ run loop, io        (state)     (context)  (commands/)
//!                                      └─ sync after each command: other sessions' changes
//!  handler(context, arguments) ─▶ Outcome = Result<Reply, CommandError> ─▶ errors::reply_of
//!     └─▶ store::MailStore + blob_store::BlobStore (via the context's shared parts)
//! ```
//!
//! * [`listener`]: accept loops for cleartext and implicit-TLS listeners, per-IP limits.
//! * [`session`]: the connection loop, the dispatcher, the post-command sync, and the commands
//!   that talk with the client before they answer (STARTTLS, AUTHENTICATE, COMPRESS, IDLE).
//! * [`state`]: the RFC 9051 state machine: which commands each state allows, one transition
//!   table.
//! * `context`: what a handler gets for the state it runs in (`Ctx`, `AuthCtx`, `SelectedCtx`).
//! * `commands`: one module per command family (the same names as `imap-proto`'s), each
//!   depending on its context and shared helpers, never on another command.
//! * [`reply`]: what a handler answers; [`errors`]: storage errors → IMAP response codes, in one
//!   place.
//! * Shared helpers, named for what they hold: [`flags`] (IMAP ↔ store flags), `messages`
//!   (message sets, octets, facts), `large` (FETCH items streamed from the blob store), `searcher` (the one matching loop of SEARCH, SORT and
//!   THREAD, and who judges text keys), `esearch` (ESEARCH answers), `mailbox_data` (STATUS
//!   data, OBJECTID, the mailbox tree), `capabilities`, `auth` (credential checks).
//! * [`view`]: a session's own view of its selected mailbox (invariant 4); `watch`: whether
//!   it may have changed (the session's receiver of the change feed).
//! * [`scram`]: SCRAM-SHA-256 (RFC 5802, RFC 7677) verifiers and the server side of the exchange.

mod auth;
mod capabilities;
mod commands;
pub mod config;
mod context;
pub mod errors;
mod esearch;
pub mod flags;
mod large;
pub mod limits;
pub mod listener;
pub mod login_cache;
mod mailbox_data;
mod messages;
mod proxy;
pub mod reply;
pub mod scram;
mod searcher;
pub mod session;
pub mod shutdown;
pub mod state;
mod updates;
pub mod view;
mod watch;

pub use config::{ConnectionInfo, ServerConfig, Shared};
pub use flags::imap_flags;
pub use session::Session;
