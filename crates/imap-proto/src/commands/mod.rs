//! Client commands by family: each family's argument types, its parser, its encoder and, at the
//! bottom, its test table.
//!
//! The families are named as the command modules of `imap-server` (`src/commands/`), so a
//! command's grammar and its handler carry the same name; the table in the [crate docs](crate)
//! lists which commands each holds. Inside a family:
//!
//! * types are `pub` and also re-exported from [`crate::command`], the path other crates use;
//! * `parse_<command>(p, …)` is called by the dispatch in [`crate::parser`] with the cursor just
//!   after the command name, so it starts with the SP before its first argument, and returns the
//!   [`CommandBody`](crate::command::CommandBody);
//! * `encode_<command>(…, w)` is called by the dispatch in [`crate::encode`] after it wrote the
//!   command name (`UID` prefix included), and writes the arguments, each after its SP.
//!
//! A family uses the productions every family needs (strings, numbers, sets, flags, dates: the
//! cursor in [`crate::parser`]) and [`crate::write::Writer`]. Where one grammar is part of
//! another command's, the family that owns the first command holds it and the other imports it:
//! the status items of STATUS (in [`mailbox`]) for `LIST … RETURN (STATUS …)`, the search keys
//! and return options of SEARCH (in [`search`]) for SORT and THREAD.

pub mod any;
pub mod append;
pub mod auth;
pub mod compress;
pub mod copy;
pub mod expunge;
pub mod fetch;
pub mod idle;
pub mod list;
pub mod mailbox;
pub mod quota;
pub mod search;
pub mod select;
pub mod sort;
pub mod store;
pub mod thread;

/// Helpers of the family test tables: encode a body with given string rules, parse a command.
#[cfg(test)]
pub(crate) mod testing {
    use crate::command::{Command, CommandBody};
    use crate::encode::to_bytes;
    use crate::error::ErrorKind;
    use crate::types::{Date, Mailbox, Tag};
    use crate::write::WriteOptions;
    use bytes::Bytes;

    /// IMAP4rev1 client rules: 7-bit quoted strings, synchronizing literals.
    pub(crate) const REV1: WriteOptions = WriteOptions {
        utf8: false,
        non_sync_literals: false,
    };
    /// UTF-8 in quoted strings and LITERAL+.
    pub(crate) const UTF8_PLUS: WriteOptions = WriteOptions {
        utf8: true,
        non_sync_literals: true,
    };

    /// `body` tagged `a1`.
    pub(crate) fn cmd(body: CommandBody) -> Command {
        Command {
            tag: Tag::new("a1").unwrap(),
            body,
        }
    }

    /// Encodes with the IMAP4rev1 client rules (7-bit, synchronizing literals).
    pub(crate) fn enc(body: CommandBody) -> Vec<u8> {
        to_bytes(&cmd(body), REV1)
    }

    /// Encodes with the given rules.
    pub(crate) fn enc_with(body: CommandBody, opts: WriteOptions) -> Vec<u8> {
        to_bytes(&cmd(body), opts)
    }

    /// `body` encodes (IMAP4rev1 rules) to exactly `expected`.
    #[track_caller]
    pub(crate) fn check(body: CommandBody, expected: &[u8]) {
        let got = enc(body);
        assert_eq!(
            got.escape_ascii().to_string(),
            expected.escape_ascii().to_string()
        );
    }

    /// Each row's raw command parses to the row's body.
    #[track_caller]
    pub(crate) fn parses(rows: &[(&[u8], CommandBody)]) {
        for (raw, expected) in rows {
            match crate::parse_command(raw) {
                Ok(c) => assert_eq!(&c.body, expected, "{}", raw.escape_ascii()),
                Err(e) => panic!("{} refused: {e:?}", raw.escape_ascii()),
            }
        }
    }

    /// Each row's raw command is refused with the row's error kind.
    #[track_caller]
    pub(crate) fn refuses(rows: &[(&[u8], ErrorKind)]) {
        for (raw, kind) in rows {
            match crate::parse_command(raw) {
                Ok(c) => panic!("{} parsed as {:?}", raw.escape_ascii(), c.body),
                Err(e) => assert_eq!(&e.kind, kind, "{}", raw.escape_ascii()),
            }
        }
    }

    /// Shorthand for a syntax error with this message.
    pub(crate) fn syntax(msg: &str) -> ErrorKind {
        ErrorKind::Syntax(msg.into())
    }

    pub(crate) fn mb(s: &str) -> Mailbox {
        Mailbox::new(s)
    }

    pub(crate) fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    pub(crate) fn date(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }
}
