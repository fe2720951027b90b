//! One module per command family, named as in `imap-proto/src/commands/`. A handler takes the
//! context of the state it runs in (`crate::context`) and the command's arguments, and
//! returns an [`Outcome`](crate::reply::Outcome); it depends on its context and on shared
//! helpers (`crate::flags`, `crate::messages`, `crate::searcher`, `crate::updates`, …), never on
//! another command module or on the session. `session/dispatch.rs` picks the handler; the
//! commands that talk with the client before they answer (STARTTLS, AUTHENTICATE, COMPRESS,
//! IDLE) are under `session/`.
//!
//! A command is found in three files named after its family: the grammar in
//! `imap-proto/src/commands/<family>.rs`, the handler here (or in `session/` for the four that
//! talk with the client), the storage call in `store/src/engine/<family>.rs` (its decisions in
//! `store/src/rules/`):
//!
//! | family | commands | handler | storage |
//! |---|---|---|---|
//! | `any` | CAPABILITY, NOOP, CHECK, LOGOUT, ID, ENABLE, NAMESPACE | `any.rs` | — |
//! | `auth` | LOGIN, AUTHENTICATE, STARTTLS | `auth.rs`, `session/sasl.rs`, `session/starttls.rs` | `accounts.rs` (credentials) |
//! | `compress` | COMPRESS | `session/compress.rs` | — |
//! | `idle` | IDLE | `session/idle.rs` | `changes.rs` (and the change feed) |
//! | `mailbox` | CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS | `mailbox.rs` | `mailboxes.rs` |
//! | `list` | LIST, LSUB | `list.rs` | `mailboxes.rs` |
//! | `select` | SELECT, EXAMINE, CLOSE, UNSELECT | `select.rs` | `select.rs` |
//! | `append` | APPEND | `append.rs` | `append.rs` |
//! | `fetch` | FETCH | `fetch.rs` | `fetch.rs` |
//! | `store` | STORE | `store.rs` | `store.rs` |
//! | `copy` | COPY, MOVE | `copy.rs` | `copy.rs` |
//! | `expunge` | EXPUNGE, UID EXPUNGE | `expunge.rs` | `expunge.rs` |
//! | `search` | SEARCH | `search.rs` (the loop: `crate::searcher`) | `search.rs`, `fetch.rs` |
//! | `sort` | SORT | `sort.rs` | as SEARCH |
//! | `thread` | THREAD | `thread.rs` (the algorithms: `imap_search::thread`) | as SEARCH |
//! | `quota` | GETQUOTA, GETQUOTAROOT, SETQUOTA | `quota.rs` | `accounts.rs` (quota) |
//!
//! `.ci/run` checks that no module here imports another, or `crate::session`.

pub(crate) mod any;
pub(crate) mod append;
pub(crate) mod auth;
pub(crate) mod copy;
pub(crate) mod expunge;
pub(crate) mod fetch;
pub(crate) mod list;
pub(crate) mod mailbox;
pub(crate) mod quota;
pub(crate) mod search;
pub(crate) mod select;
pub(crate) mod sort;
pub(crate) mod store;
pub(crate) mod thread;
