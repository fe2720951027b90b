//! Commands of the not-authenticated state (RFC 9051 §6.2): `STARTTLS`, `AUTHENTICATE` with the
//! SASL-IR initial response (RFC 4959) and `LOGIN`.
//!
//! `STARTTLS` takes no argument (the dispatch handles it). The SASL exchange after
//! `AUTHENTICATE` is lines outside the command grammar: the session reads them with
//! [`Receiver::line`](crate::Receiver::line).

use crate::command::CommandBody;
use crate::error::ErrorKind;
use crate::parser::{PResult, Parser};
use crate::write::Writer;
use base64::Engine as _;

/// A SASL initial response (RFC 4959): `=` means an empty response, which differs from none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitialResponse {
    /// `=`: an initial response of zero length.
    Empty,
    /// Decoded octets.
    Data(Vec<u8>),
}

/// `login = "LOGIN" SP userid SP password`, both `astring`.
pub(crate) fn parse_login(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let username = p.astring()?;
    p.sp()?;
    let password = p.astring()?;
    Ok(CommandBody::Login { username, password })
}

/// `authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp]` (RFC 4959 §7), the mechanism
/// upper-cased.
pub(crate) fn parse_authenticate(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let mechanism = p.atom()?.to_ascii_uppercase();
    let initial_response = if p.eat_sp() {
        Some(initial_response(p)?)
    } else {
        None
    };
    Ok(CommandBody::Authenticate {
        mechanism,
        initial_response,
    })
}

/// `initial-resp = base64 / "="` (RFC 4959 §7).
fn initial_response(p: &mut Parser<'_>) -> PResult<InitialResponse> {
    if p.eat(b'=') {
        return Ok(InitialResponse::Empty);
    }
    let text = p.atom()?;
    base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map(InitialResponse::Data)
        .map_err(|_| ErrorKind::Syntax("initial response is not base64".into()))
}

/// ` userid password`, each an atom, a quoted string or a literal as its octets require.
pub(crate) fn encode_login<'w>(
    username: &[u8],
    password: &[u8],
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp().astring(username).sp().astring(password)
}

/// ` mechanism [initial-resp]`: an empty initial response is written `=`, as RFC 4959 §3 asks.
pub(crate) fn encode_authenticate<'w>(
    mechanism: &str,
    initial_response: Option<&InitialResponse>,
    w: &'w mut Writer,
) -> &'w mut Writer {
    w.sp().atom_or_string(mechanism.as_bytes());
    match initial_response {
        None => w,
        Some(InitialResponse::Empty) => w.raw(b" ="),
        Some(InitialResponse::Data(d)) if d.is_empty() => w.raw(b" ="),
        Some(InitialResponse::Data(d)) => {
            let b64 = base64::engine::general_purpose::STANDARD.encode(d);
            w.sp().raw(b64.as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::InitialResponse;
    use crate::command::CommandBody;
    use crate::commands::testing::{REV1, b, check, cmd, parses, refuses, syntax};
    use crate::encode::encode;
    use crate::write::Writer;
    use bytes::Bytes;

    #[test]
    fn authenticate_initial_responses() {
        let auth = |ir| CommandBody::Authenticate {
            mechanism: "PLAIN".into(),
            initial_response: ir,
        };
        check(auth(None), b"a1 AUTHENTICATE PLAIN\r\n");
        check(
            auth(Some(InitialResponse::Empty)),
            b"a1 AUTHENTICATE PLAIN =\r\n",
        );
        check(
            auth(Some(InitialResponse::Data(vec![]))),
            b"a1 AUTHENTICATE PLAIN =\r\n",
        );
        check(
            auth(Some(InitialResponse::Data(b"\0bob\0pw".to_vec()))),
            b"a1 AUTHENTICATE PLAIN AGJvYgBwdw==\r\n",
        );
    }

    #[test]
    fn authenticate_hostile_mechanism_is_not_raw() {
        let body = CommandBody::Authenticate {
            mechanism: "X\r\na2 LOGOUT".into(),
            initial_response: None,
        };
        check(body, b"a1 AUTHENTICATE {12}\r\nX\r\na2 LOGOUT\r\n");
    }

    #[test]
    fn login_atoms_quoted_and_literals() {
        check(
            CommandBody::Login {
                username: b("fred"),
                password: b("s3cr]t"),
            },
            b"a1 LOGIN fred s3cr]t\r\n",
        );
        check(
            CommandBody::Login {
                username: b("a b"),
                password: b("q\"u\\o"),
            },
            b"a1 LOGIN \"a b\" \"q\\\"u\\\\o\"\r\n",
        );
        check(
            CommandBody::Login {
                username: b(""),
                password: b(""),
            },
            b"a1 LOGIN \"\" \"\"\r\n",
        );
    }

    #[test]
    fn login_hostile_values_become_literals() {
        // CRLF injection: the value becomes a literal, so `a2 DELETE INBOX` stays data.
        let body = CommandBody::Login {
            username: b("x\r\na2 DELETE INBOX"),
            password: Bytes::from_static(b"p\0w\xff"),
        };
        let mut w = Writer::new(REV1);
        encode(&cmd(body), &mut w);
        assert_eq!(
            w.buf,
            b"a1 LOGIN {18}\r\nx\r\na2 DELETE INBOX {3}\r\npw\xff\r\n".to_vec()
        );
        assert_eq!(w.continuations, vec![15, 39]);
    }

    #[test]
    fn parse_table() {
        parses(&[
            (b"a STARTTLS\r\n", CommandBody::StartTls),
            (
                b"a LOGIN fred \"s3 cr\"\r\n",
                CommandBody::Login {
                    username: b("fred"),
                    password: b("s3 cr"),
                },
            ),
            (
                b"a authenticate plain\r\n",
                CommandBody::Authenticate {
                    mechanism: "PLAIN".into(),
                    initial_response: None,
                },
            ),
            (
                b"a AUTHENTICATE PLAIN =\r\n",
                CommandBody::Authenticate {
                    mechanism: "PLAIN".into(),
                    initial_response: Some(InitialResponse::Empty),
                },
            ),
            (
                b"a AUTHENTICATE PLAIN AGJvYgBwdw==\r\n",
                CommandBody::Authenticate {
                    mechanism: "PLAIN".into(),
                    initial_response: Some(InitialResponse::Data(b"\0bob\0pw".to_vec())),
                },
            ),
        ]);
        refuses(&[
            (b"a LOGIN fred\r\n", syntax("expected SP at end of command")),
            (
                b"a AUTHENTICATE PLAIN not-base64\r\n",
                syntax("initial response is not base64"),
            ),
        ]);
    }
}
