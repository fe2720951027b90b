//! `APPEND` (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), `literal8` data (RFC 3516 BINARY)
//! and `UTF8 (literal8)` data (RFC 6855 §4).
//!
//! The message octets stay in the buffer the receiver framed them in ([`bytes::Bytes`]).

use crate::command::CommandBody;
use crate::encode::flag_list;
use crate::error::ErrorKind;
use crate::parser::{PResult, Parser};
use crate::types::{DateTime, Flag, Mailbox};
use crate::write::Writer;
use bytes::Bytes;

/// One message of an APPEND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage {
    /// Flags to set.
    pub flags: Vec<Flag>,
    /// INTERNALDATE to set.
    pub date: Option<DateTime>,
    /// The message octets, held where they were received.
    pub data: Bytes,
    /// How the data was sent.
    pub kind: AppendKind,
}

/// The form of an APPEND's message data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendKind {
    /// `literal`: CHAR8 only.
    Literal,
    /// `literal8` (RFC 3516 BINARY): may contain NUL.
    Binary,
    /// `UTF8 (literal8)` (RFC 6855).
    Utf8,
}

/// `APPEND mailbox 1*(SP [flag-list SP] [date-time SP] append-data)` (RFC 3502 MULTIAPPEND),
/// `append-data = literal / literal8 / "UTF8" SP "(" literal8 ")"`.
pub(crate) fn parse_append(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let mailbox = p.mailbox()?;
    let mut messages = Vec::new();
    while p.eat_sp() {
        let mut flags = Vec::new();
        let mut date = None;
        if p.peek() == Some(b'(') {
            flags = p.flag_list()?;
            p.sp()?;
        }
        if p.peek() == Some(b'"') {
            date = Some(p.date_time()?);
            p.sp()?;
        }
        let (data, kind) = if p.eat_word("UTF8") {
            p.sp()?;
            p.open()?;
            // utf8-literal = "UTF8" SP "(" literal8 ")" (RFC 6855 §4)
            if p.peek() != Some(b'~') {
                return Err(ErrorKind::Syntax(
                    "UTF8 APPEND data must be a literal8".into(),
                ));
            }
            let (data, _) = p.literal_any(true)?;
            p.close()?;
            (data, AppendKind::Utf8)
        } else if p.peek_literal() {
            let (data, binary) = p.literal_any(true)?;
            (
                data,
                if binary {
                    AppendKind::Binary
                } else {
                    AppendKind::Literal
                },
            )
        } else {
            return Err(ErrorKind::Syntax(
                "expected the message as a literal".into(),
            ));
        };
        messages.push(AppendMessage {
            flags,
            date,
            data,
            kind,
        });
    }
    if messages.is_empty() {
        return Err(ErrorKind::Syntax("APPEND without a message".into()));
    }
    Ok(CommandBody::Append { mailbox, messages })
}

/// ` mailbox` and each message.
pub(crate) fn encode_append<'w>(
    mailbox: &Mailbox,
    messages: &[AppendMessage],
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp().mailbox(mailbox);
    for m in messages {
        append_message(m, w);
    }
    w
}

/// `[SP flag-list] [SP date-time] SP append-data`: the message is always a literal.
fn append_message(m: &AppendMessage, w: &mut Writer) {
    if !m.flags.is_empty() {
        flag_list(&m.flags, w.sp());
    }
    if let Some(d) = &m.date {
        w.sp().date_time(d);
    }
    w.sp();
    match m.kind {
        AppendKind::Literal => w.literal(&m.data),
        AppendKind::Binary => w.literal8(&m.data),
        AppendKind::Utf8 => w.raw(b"UTF8 (").literal8(&m.data).raw(b")"),
    };
}

#[cfg(test)]
mod tests {
    use super::{AppendKind, AppendMessage};
    use crate::command::CommandBody;
    use crate::commands::testing::{
        REV1, UTF8_PLUS, b, cmd, date, enc_with, mb, parses, refuses, syntax,
    };
    use crate::encode::encode;
    use crate::types::{DateTime, Flag, Mailbox};
    use crate::write::Writer;
    use bytes::Bytes;

    #[test]
    fn append_single_with_flags_and_date() {
        let dt = DateTime::new(date(1994, 2, 7), 21, 52, 25, -480).unwrap();
        let body = CommandBody::Append {
            mailbox: mb("saved-messages"),
            messages: vec![AppendMessage {
                flags: vec![Flag::Seen, Flag::Keyword("$Fwd".into())],
                date: Some(dt),
                data: b("Subject: hi\r\n\r\nbody\r\n"),
                kind: AppendKind::Literal,
            }],
        };
        let mut w = Writer::new(REV1);
        encode(&cmd(body), &mut w);
        let expected: &[u8] =
            b"a1 APPEND saved-messages (\\Seen $Fwd) \" 7-Feb-1994 21:52:25 -0800\" \
              {21}\r\nSubject: hi\r\n\r\nbody\r\n\r\n";
        assert_eq!(
            w.buf.escape_ascii().to_string(),
            expected.escape_ascii().to_string()
        );
        assert_eq!(
            w.continuations,
            vec![expected.len() - "Subject: hi\r\n\r\nbody\r\n\r\n".len()]
        );
    }

    #[test]
    fn multiappend_binary_and_utf8() {
        let body = CommandBody::Append {
            mailbox: Mailbox::inbox(),
            messages: vec![
                AppendMessage {
                    flags: vec![],
                    date: None,
                    data: Bytes::from_static(b"a\0b"),
                    kind: AppendKind::Binary,
                },
                AppendMessage {
                    flags: vec![Flag::Draft],
                    date: None,
                    data: b("é"),
                    kind: AppendKind::Utf8,
                },
                AppendMessage {
                    flags: vec![],
                    date: None,
                    data: b("x"),
                    kind: AppendKind::Literal,
                },
            ],
        };
        let mut w = Writer::new(REV1);
        encode(&cmd(body.clone()), &mut w);
        assert_eq!(
            w.buf,
            "a1 APPEND INBOX ~{3}\r\na\0b (\\Draft) UTF8 (~{2}\r\né) {1}\r\nx\r\n".as_bytes()
        );
        assert_eq!(w.continuations.len(), 3);
        assert_eq!(
            enc_with(body, UTF8_PLUS),
            "a1 APPEND INBOX ~{3+}\r\na\0b (\\Draft) UTF8 (~{2+}\r\né) {1+}\r\nx\r\n".as_bytes()
        );
    }

    #[test]
    fn parse_table() {
        let one = |flags, date, data: &str, kind| CommandBody::Append {
            mailbox: mb("x"),
            messages: vec![AppendMessage {
                flags,
                date,
                data: b(data),
                kind,
            }],
        };
        let dt = DateTime::new(date(1994, 2, 7), 21, 52, 25, -480).unwrap();
        parses(&[
            (
                b"a APPEND x {2}\r\nhi\r\n",
                one(vec![], None, "hi", AppendKind::Literal),
            ),
            (
                b"a APPEND x (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {2+}\r\nhi\r\n",
                one(vec![Flag::Seen], Some(dt), "hi", AppendKind::Literal),
            ),
            (
                b"a APPEND x ~{2}\r\nhi\r\n",
                one(vec![], None, "hi", AppendKind::Binary),
            ),
            (
                b"a APPEND x UTF8 (~{2}\r\nhi)\r\n",
                one(vec![], None, "hi", AppendKind::Utf8),
            ),
        ]);
        refuses(&[
            (b"a APPEND x\r\n", syntax("APPEND without a message")),
            // The message is a literal; a quoted string there reads as a date-time and fails.
            (
                b"a APPEND x \"hi\"\r\n",
                syntax("expected 2 digits at offset 12, found 'h'"),
            ),
            (
                b"a APPEND x UTF8 ({2}\r\nhi)\r\n",
                syntax("UTF8 APPEND data must be a literal8"),
            ),
        ]);
    }
}
