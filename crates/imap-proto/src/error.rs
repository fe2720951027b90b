//! Errors of the receiver and the parser.
//!
//! Every error carries the command's tag when it was readable, so the session can answer
//! `tag BAD …` (or `tag NO [TOOBIG] …`) rather than `* BAD`, and a [`ErrorKind`] that says exactly
//! what went wrong. After any of them the [`crate::Receiver`] is already back in step with the
//! client: the rest of the offending command (an oversized non-synchronizing literal included)
//! is skipped without being stored.

use crate::types::Tag;

/// A command that could not be received or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct ReceiveError {
    /// The command's tag, when the line began with a valid one.
    pub tag: Option<Tag>,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl ReceiveError {
    /// An error for the command tagged `tag`.
    pub fn new(tag: Option<Tag>, kind: ErrorKind) -> ReceiveError {
        ReceiveError { tag, kind }
    }
}

/// What went wrong with a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// The input ended before the command did (only from [`crate::parse_command`]).
    #[error("command is incomplete")]
    Incomplete,
    /// A line with nothing on it.
    #[error("empty command line")]
    EmptyLine,
    /// The tag is missing or has a character RFC 9051 does not allow in a tag.
    #[error("missing or invalid tag")]
    BadTag,
    /// A line (the text between literals) is longer than the limit.
    #[error("line longer than {max} octets")]
    LineTooLong {
        /// The limit.
        max: usize,
    },
    /// A literal is larger than the limit for this command (APPENDLIMIT for APPEND).
    #[error("literal of {size} octets is larger than the limit of {max}")]
    LiteralTooLarge {
        /// Announced size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// A non-synchronizing literal over the LITERAL- limit (RFC 7888 §5: 4096 octets).
    #[error("non-synchronizing literal of {size} octets exceeds {max}")]
    NonSyncLiteralTooLarge {
        /// Announced size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The whole command (lines and literals together) is larger than the limit.
    #[error("command larger than {max} octets")]
    CommandTooLarge {
        /// The limit.
        max: u64,
    },
    /// More literals in one command than the limit.
    #[error("more than {max} literals in one command")]
    TooManyLiterals {
        /// The limit.
        max: usize,
    },
    /// Parentheses or search keys nested deeper than the limit.
    #[error("nesting deeper than {max}")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// A NUL octet outside a literal8 (RFC 9051 §9 rule 3).
    #[error("NUL octet in command")]
    Nul,
    /// An 8-bit octet where the grammar allows only 7-bit characters (an atom, a tag).
    #[error("8-bit octet in an atom")]
    EightBit,
    /// A value that must be UTF-8 (a quoted string's 8-bit text, a mailbox name) is not.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A `(` without its `)`, or a `)` without its `(`.
    #[error("unbalanced parentheses")]
    Unbalanced,
    /// The command name is not one Strata knows.
    #[error("unknown command {0}")]
    UnknownCommand(String),
    /// Anything else the grammar rejects; the text says what was expected.
    #[error("syntax error: {0}")]
    Syntax(String),
}

impl ErrorKind {
    /// True when the right answer is `NO` rather than `BAD`: the command was well formed but
    /// asks for more than the server accepts (RFC 7889 §4: `NO [TOOBIG]` for a message over
    /// APPENDLIMIT).
    pub fn is_refusal(&self) -> bool {
        matches!(self, ErrorKind::LiteralTooLarge { .. })
    }
}
