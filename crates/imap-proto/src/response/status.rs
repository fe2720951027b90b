//! Status responses, tagged and untagged (RFC 9051 §7.1), and the command continuation request
//! (§7.6).
//!
//! ```text
//! response-tagged = tag SP resp-cond-state CRLF
//! resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
//! resp-cond-auth  = ("OK" / "PREAUTH") SP resp-text
//! resp-cond-bye   = "BYE" SP resp-text
//! resp-text       = ["[" resp-text-code "]" SP] [text]
//! continue-req    = "+" SP (resp-text / base64) CRLF
//! ```

use super::Code;
use crate::types::Tag;
use crate::write::Writer;
use base64::Engine;

/// The outcome a tagged or untagged status response reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// `OK`: success, or an informational untagged message.
    Ok,
    /// `NO`: the command failed; or an untagged warning.
    No,
    /// `BAD`: protocol error (unknown command, bad syntax); or an untagged server error.
    Bad,
}

impl State {
    fn name(self) -> &'static [u8] {
        match self {
            State::Ok => b"OK",
            State::No => b"NO",
            State::Bad => b"BAD",
        }
    }
}

/// Which status response this is. PREAUTH and BYE exist only untagged, so the type allows nothing
/// else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `tag OK/NO/BAD`: the command with this tag has completed.
    Tagged(Tag, State),
    /// `* OK/NO/BAD`: information, warning or error not tied to one command.
    Untagged(State),
    /// `* PREAUTH`: greeting of a connection that is already authenticated (§7.1.4).
    PreAuth,
    /// `* BYE`: the server is about to close the connection (§7.1.5).
    Bye,
}

/// A status response: condition, optional response code, human-readable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusResponse {
    /// Tagged or untagged, and which condition.
    pub condition: Condition,
    /// The bracketed response code, if any.
    pub code: Option<Code>,
    /// Human-readable text. CR, LF and NUL are written as spaces; 8-bit characters as `?` unless
    /// UTF-8 is enabled. Empty text is replaced by a short default, because IMAP4rev1 requires
    /// at least one character. Text that could pass for a response code (starts with `[`, no
    /// code given) or a literal (ends with `}`) gets a separating space.
    pub text: String,
}

impl StatusResponse {
    fn new(condition: Condition, text: impl Into<String>) -> StatusResponse {
        StatusResponse {
            condition,
            code: None,
            text: text.into(),
        }
    }

    /// `tag OK/NO/BAD text`.
    pub fn tagged(tag: Tag, state: State, text: impl Into<String>) -> StatusResponse {
        StatusResponse::new(Condition::Tagged(tag, state), text)
    }

    /// `* OK/NO/BAD text`.
    pub fn untagged(state: State, text: impl Into<String>) -> StatusResponse {
        StatusResponse::new(Condition::Untagged(state), text)
    }

    /// `* PREAUTH text`.
    pub fn preauth(text: impl Into<String>) -> StatusResponse {
        StatusResponse::new(Condition::PreAuth, text)
    }

    /// `* BYE text`.
    pub fn bye(text: impl Into<String>) -> StatusResponse {
        StatusResponse::new(Condition::Bye, text)
    }

    /// The same response with a response code.
    pub fn with_code(mut self, code: Code) -> StatusResponse {
        self.code = Some(code);
        self
    }

    /// Writes the whole line, CRLF included.
    pub(super) fn write(&self, w: &mut Writer) {
        let (name, default): (&[u8], &[u8]) = match &self.condition {
            Condition::Tagged(tag, state) => {
                w.raw(tag.as_str().as_bytes()).sp();
                (state.name(), default_text(*state))
            }
            Condition::Untagged(state) => {
                w.raw(b"* ");
                (state.name(), default_text(*state))
            }
            Condition::PreAuth => (&b"* PREAUTH"[..], &b"logged in"[..]),
            Condition::Bye => (&b"* BYE"[..], &b"logging out"[..]),
        };
        w.raw(name).sp();
        resp_text(w, self.code.as_ref(), &self.text, default);
        w.crlf();
    }
}

fn default_text(state: State) -> &'static [u8] {
    match state {
        State::Ok => b"completed",
        State::No => b"failed",
        State::Bad => b"invalid",
    }
}

/// `resp-text`: `[code] text`. Two repairs keep hostile text from being misread: text that starts
/// with `[` but has no code gets a leading space, so it cannot pass for a response code
/// (`a1 NO  [ALERT] …` is plain text); text that ends with `}` gets a trailing space, because
/// clients that spot literals by a line ending in `{n}` (Python's imaplib does) would otherwise
/// wait for n octets that never come.
fn resp_text(w: &mut Writer, code: Option<&Code>, text: &str, default: &[u8]) {
    if let Some(code) = code {
        w.raw(b"[");
        code.write(w);
        w.raw(b"] ");
    }
    if text.is_empty() {
        w.raw(default);
        return;
    }
    if code.is_none() && text.starts_with('[') {
        w.sp();
    }
    w.text(text);
    if text.ends_with('}') {
        w.sp();
    }
}

/// A command continuation request (RFC 9051 §7.6): the server is ready for a literal's octets or
/// for the next step of an AUTHENTICATE exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Continue {
    /// `+ [code] text`, e.g. before a synchronizing literal. Empty text becomes `ready`.
    Text {
        /// Optional response code.
        code: Option<Code>,
        /// Human-readable text, sanitised as in [`StatusResponse::text`].
        text: String,
    },
    /// `+ base64`: a SASL challenge (RFC 9051 §6.2.2), given raw and base64-encoded here. An empty
    /// challenge is written as `+ ` followed by CRLF.
    Base64(Vec<u8>),
}

impl Continue {
    /// `+ text`.
    pub fn text(text: impl Into<String>) -> Continue {
        Continue::Text {
            code: None,
            text: text.into(),
        }
    }

    /// Writes the whole line, CRLF included.
    pub(super) fn write(&self, w: &mut Writer) {
        w.raw(b"+ ");
        match self {
            Continue::Text { code, text } => resp_text(w, code.as_ref(), text, b"ready"),
            Continue::Base64(data) => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(data);
                w.raw(encoded.as_bytes());
            }
        }
        w.crlf();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Response, assert_wire};
    use crate::write::WriteOptions;

    const REV1: WriteOptions = WriteOptions::SERVER_REV1;
    const UTF8: WriteOptions = WriteOptions::SERVER_UTF8;

    fn tag(s: &str) -> Tag {
        Tag::new(s).unwrap()
    }

    fn check(s: StatusResponse, opts: WriteOptions, want: &[u8]) {
        assert_wire(&Response::Status(s), opts, want);
    }

    #[test]
    fn rfc_examples() {
        let select = StatusResponse::tagged(tag("a002"), State::Ok, "SELECT completed")
            .with_code(Code::ReadWrite);
        check(select, REV1, b"a002 OK [READ-WRITE] SELECT completed\r\n");
        let alert = StatusResponse::untagged(State::Ok, "System shutdown in 10 minutes")
            .with_code(Code::Alert);
        check(
            alert,
            REV1,
            b"* OK [ALERT] System shutdown in 10 minutes\r\n",
        );
        let full = StatusResponse::untagged(State::No, "Disk is 98% full");
        check(full, REV1, b"* NO Disk is 98% full\r\n");
        check(
            StatusResponse::untagged(State::Bad, "Command line too long"),
            REV1,
            b"* BAD Command line too long\r\n",
        );
        check(
            StatusResponse::preauth("IMAP4rev2 server logged in as Smith"),
            REV1,
            b"* PREAUTH IMAP4rev2 server logged in as Smith\r\n",
        );
        check(
            StatusResponse::bye("Autologout; idle for too long"),
            REV1,
            b"* BYE Autologout; idle for too long\r\n",
        );
        let bad = StatusResponse::tagged(tag("A044"), State::Bad, "No such command");
        check(bad, REV1, b"A044 BAD No such command\r\n");
    }

    #[test]
    fn hostile_text_stays_on_one_line() {
        let inject = StatusResponse::tagged(tag("a1"), State::No, "x\r\n* OK [ALERT] pwned\0");
        check(inject, REV1, b"a1 NO x  * OK [ALERT] pwned \r\n");
        let fake_code = StatusResponse::untagged(State::Ok, "[ALERT] not a code");
        check(fake_code, REV1, b"* OK  [ALERT] not a code\r\n");
        let fake_literal = StatusResponse::tagged(tag("a1"), State::No, "no mailbox {5}");
        check(fake_literal, REV1, b"a1 NO no mailbox {5} \r\n");
        let after_code = StatusResponse::untagged(State::Ok, "[x]").with_code(Code::Parse);
        check(after_code, REV1, b"* OK [PARSE] [x]\r\n");
        check(
            StatusResponse::untagged(State::Ok, "Grüße \"\\"),
            REV1,
            b"* OK Gr??e \"\\\r\n",
        );
        check(
            StatusResponse::untagged(State::Ok, "Grüße"),
            UTF8,
            "* OK Grüße\r\n".as_bytes(),
        );
        check(
            StatusResponse::untagged(State::Ok, "NIL"),
            REV1,
            b"* OK NIL\r\n",
        );
        let long = "y".repeat(5000);
        let mut want = b"* OK ".to_vec();
        want.extend_from_slice(long.as_bytes());
        want.extend_from_slice(b"\r\n");
        check(StatusResponse::untagged(State::Ok, long), REV1, &want);
    }

    #[test]
    fn empty_text_gets_a_default() {
        check(
            StatusResponse::tagged(tag("a"), State::Ok, ""),
            REV1,
            b"a OK completed\r\n",
        );
        check(
            StatusResponse::tagged(tag("a"), State::No, ""),
            REV1,
            b"a NO failed\r\n",
        );
        check(
            StatusResponse::tagged(tag("a"), State::Bad, ""),
            REV1,
            b"a BAD invalid\r\n",
        );
        check(StatusResponse::bye(""), REV1, b"* BYE logging out\r\n");
        check(
            StatusResponse::preauth(""),
            REV1,
            b"* PREAUTH logged in\r\n",
        );
        let code_only = StatusResponse::untagged(State::Ok, "").with_code(Code::HighestModSeq(7));
        check(code_only, REV1, b"* OK [HIGHESTMODSEQ 7] completed\r\n");
    }

    #[test]
    fn continuation_requests() {
        let c = |c: Continue| Response::Continue(c);
        assert_wire(
            &c(Continue::text("Ready for additional command text")),
            REV1,
            b"+ Ready for additional command text\r\n",
        );
        assert_wire(&c(Continue::text("")), REV1, b"+ ready\r\n");
        assert_wire(&c(Continue::text("a\r\nb")), REV1, b"+ a  b\r\n");
        let challenge = b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".to_vec();
        assert_wire(
            &c(Continue::Base64(challenge)),
            REV1,
            b"+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==\r\n",
        );
        assert_wire(&c(Continue::Base64(Vec::new())), REV1, b"+ \r\n");
        assert_wire(
            &c(Continue::Base64(vec![0, b'\r', b'\n', 0xff])),
            REV1,
            b"+ AA0K/w==\r\n",
        );
        let coded = Continue::Text {
            code: Some(Code::Alert),
            text: "go".into(),
        };
        assert_wire(&c(coded), REV1, b"+ [ALERT] go\r\n");
    }
}
