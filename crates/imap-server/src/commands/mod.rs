//! One module per command family, named as in `imap-proto/src/commands/`. A handler takes the
//! context of the state it runs in ([`crate::context`]) and the command's arguments, and
//! returns an [`Outcome`](crate::reply::Outcome); it depends on its context and on shared
//! helpers (`crate::flags`, `crate::messages`, `crate::searcher`, …), never on another command
//! module. `session/dispatch.rs` picks the handler; the commands that talk with the client
//! before they answer (STARTTLS, AUTHENTICATE, COMPRESS, IDLE) are under `session/`.
//!
//! | module | commands |
//! |---|---|
//! | `any` | CAPABILITY, NOOP, CHECK, LOGOUT, ID, ENABLE, NAMESPACE |
//! | `auth` | LOGIN |
//! | `mailbox` | CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS |
//! | `list` | LIST, LSUB |
//! | `select` | SELECT, EXAMINE, CLOSE, UNSELECT |
//! | `append` | APPEND |
//! | `fetch` | FETCH |
//! | `store` | STORE |
//! | `copy` | COPY, MOVE |
//! | `expunge` | EXPUNGE, UID EXPUNGE |
//! | `search` | SEARCH |
//! | `sort` | SORT |
//! | `thread` | THREAD |
//! | `quota` | GETQUOTA, GETQUOTAROOT, SETQUOTA |

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
