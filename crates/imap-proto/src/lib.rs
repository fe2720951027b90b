//! # imap-proto: Strata's IMAP wire grammar
//!
//! This crate turns bytes into typed commands and typed responses into bytes. It does no I/O and
//! knows nothing of storage; the session layer (`imap-server`) owns sockets and state.
//!
//! ```text
//!  socket bytes ──▶ Receiver (framing: lines, literals, limits) ──▶ parser ──▶ Command
//!                     │  NeedMore / Continue{+} / error (tag, kind)
//!  Response ──▶ serialize (response/) ──▶ Writer (atom | quoted | literal) ──▶ socket bytes
//! ```
//!
//! * [`receiver::Receiver`] is incremental: feed it what arrived, it answers "need more", "a
//!   synchronizing literal of n octets is announced" or one complete [`command::Command`]. Limits
//!   (line length, literal size, total command size, nesting depth) are parameters; going over one
//!   gives a specific [`error::ReceiveError`] after which the receiver stays in step with the
//!   client. Literal octets are never copied: they stay in the receive buffer as [`bytes::Bytes`].
//! * [`parser`] is the grammar of RFC 9051 §9, RFC 3501 where they differ, and the extensions
//!   Strata speaks: the cursor, the productions every command uses and the dispatch by name.
//! * [`commands`] holds one module per command family: its argument types (re-exported from
//!   [`command`], next to [`command::CommandBody`]), its parser, its encoder and its test table.
//! * [`encode`] writes a [`command::Command`] back (our test client and the round-trip tests).
//! * [`response`] holds every server response and its serializer.
//! * [`mutf7`] converts mailbox names between UTF-8 and modified UTF-7 (RFC 3501 §5.1.3).
//!
//! ## Command families
//!
//! Named as the command modules of `imap-server`, so a command's grammar and its handler share a
//! name. `UID` forms belong to the family of the command they prefix.
//!
//! | family                  | commands                                                     |
//! |-------------------------|--------------------------------------------------------------|
//! | [`commands::any`]       | CAPABILITY, NOOP, CHECK, LOGOUT, ID, ENABLE, NAMESPACE       |
//! | [`commands::auth`]      | LOGIN, AUTHENTICATE, STARTTLS                                |
//! | [`commands::compress`]  | COMPRESS                                                     |
//! | [`commands::idle`]      | IDLE (and its DONE line)                                     |
//! | [`commands::mailbox`]   | CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS       |
//! | [`commands::list`]      | LIST, LSUB                                                   |
//! | [`commands::select`]    | SELECT, EXAMINE, CLOSE, UNSELECT                             |
//! | [`commands::append`]    | APPEND                                                       |
//! | [`commands::fetch`]     | FETCH                                                        |
//! | [`commands::store`]     | STORE                                                        |
//! | [`commands::copy`]      | COPY, MOVE                                                   |
//! | [`commands::expunge`]   | EXPUNGE, UID EXPUNGE                                         |
//! | [`commands::search`]    | SEARCH (and the search keys SORT and THREAD reuse)           |
//! | [`commands::sort`]      | SORT                                                         |
//! | [`commands::thread`]    | THREAD                                                       |
//! | [`commands::quota`]     | GETQUOTA, GETQUOTAROOT, SETQUOTA                             |

pub mod command;
pub mod commands;
pub mod encode;
pub mod error;
pub mod mutf7;
pub mod parser;
pub mod receiver;
pub mod response;
pub mod types;
pub mod write;

pub use command::{Command, CommandBody};
pub use error::{ErrorKind, ReceiveError};
pub use receiver::{Limits, Receiver, Step};
pub use types::{Flag, Mailbox, SequenceSet, Tag};

/// Parses one complete command, literals inline (as a client would send it once every `+` came).
///
/// A convenience for tests and tools; a server uses [`Receiver`] so that it can answer
/// continuation requests and keep literals zero-copy. Trailing bytes after the command are an
/// error.
///
/// ```
/// use imap_proto::{CommandBody, ErrorKind, parse_command};
///
/// let cmd = parse_command(b"a1 LOGIN {4}\r\nfred \"s3cr\\\"t\"\r\n").unwrap();
/// assert_eq!(cmd.tag.as_str(), "a1");
/// assert_eq!(
///     cmd.body,
///     CommandBody::Login { username: "fred".into(), password: "s3cr\"t".into() }
/// );
/// let err = parse_command(b"a2 SEARCH (SEEN\r\n").unwrap_err();
/// assert_eq!(err.kind, ErrorKind::Unbalanced);
/// ```
pub fn parse_command(input: &[u8]) -> Result<Command, ReceiveError> {
    parse_command_with(input, Limits::default())
}

/// [`parse_command`] with explicit limits.
pub fn parse_command_with(input: &[u8], limits: Limits) -> Result<Command, ReceiveError> {
    let mut receiver = Receiver::new(limits);
    let mut buf = bytes::BytesMut::from(input);
    loop {
        match receiver.step(&mut buf)? {
            Step::Command(c) => {
                if !buf.is_empty() {
                    return Err(ReceiveError::new(
                        Some(c.tag),
                        ErrorKind::Syntax("bytes after the end of the command".into()),
                    ));
                }
                return Ok(c);
            }
            Step::Continue { .. } => continue,
            Step::NeedMore => {
                return Err(ReceiveError::new(
                    receiver.partial_tag(),
                    ErrorKind::Incomplete,
                ));
            }
        }
    }
}
