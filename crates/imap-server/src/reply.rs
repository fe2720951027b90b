//! What a command handler answers: a [`Reply`] (the tagged response and the state change it
//! asks for), or a [`CommandError`] that ends the command early and becomes a reply in one
//! place ([`crate::errors`]), so that handlers can use `?`.

use crate::state::Transition;
use imap_proto::response::{Code, State as Cond};
use store::StoreError;

/// The outcome of one command: its tagged response and the state change it asks for.
#[derive(Debug)]
pub struct Reply {
    /// OK, NO or BAD.
    pub cond: Cond,
    /// An optional response code.
    pub code: Option<Code>,
    /// Human-readable text.
    pub text: String,
    /// What the state machine does after the response.
    pub next: Option<Transition>,
    /// The tagged response was already sent by the handler (STARTTLS sends it before the
    /// handshake).
    pub sent: bool,
}

impl Reply {
    fn with(cond: Cond, text: impl Into<String>) -> Reply {
        Reply {
            cond,
            code: None,
            text: text.into(),
            next: None,
            sent: false,
        }
    }
    /// `OK text`
    pub fn ok(text: impl Into<String>) -> Reply {
        Reply::with(Cond::Ok, text)
    }
    /// `NO text`
    pub fn no(text: impl Into<String>) -> Reply {
        Reply::with(Cond::No, text)
    }
    /// `BAD text`
    pub fn bad(text: impl Into<String>) -> Reply {
        Reply::with(Cond::Bad, text)
    }
    /// Adds a response code.
    pub fn code(mut self, code: Code) -> Reply {
        self.code = Some(code);
        self
    }
    /// Adds a transition.
    pub fn then(mut self, t: Transition) -> Reply {
        self.next = Some(t);
        self
    }
    /// Marks the tagged response as already sent.
    pub fn silent(mut self) -> Reply {
        self.sent = true;
        self
    }
}

/// Why a command ended early. Turned into its tagged response by
/// [`crate::errors::reply_of`], the one place that maps storage errors to RFC 5530 codes.
#[derive(Debug)]
pub enum CommandError {
    /// The store refused or failed.
    Store(StoreError),
    /// The store refused or failed on the destination of APPEND, COPY or MOVE (a missing one
    /// is `[TRYCREATE]`, RFC 9051 §6.3.12).
    Destination(StoreError),
    /// Any other early answer: BAD for arguments the command cannot take, NO for a refusal.
    Reply(Reply),
    /// Writing to the client failed while the handler was sending (it went away), or a
    /// response already begun could not be completed: the session ends.
    Io(std::io::Error),
}

impl CommandError {
    /// `BAD text`
    pub fn bad(text: impl Into<String>) -> CommandError {
        CommandError::Reply(Reply::bad(text))
    }
    /// `NO text`
    pub fn no(text: impl Into<String>) -> CommandError {
        CommandError::Reply(Reply::no(text))
    }
    /// `NO [code] text`
    pub fn no_code(code: Code, text: impl Into<String>) -> CommandError {
        CommandError::Reply(Reply::no(text).code(code))
    }
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        CommandError::Store(e)
    }
}

impl From<Reply> for CommandError {
    fn from(r: Reply) -> Self {
        CommandError::Reply(r)
    }
}

/// What a handler returns.
pub type Outcome = Result<Reply, CommandError>;
