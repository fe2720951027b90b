//! Framing tests: need-more, continuation requests, literals, limits and resynchronisation.

use super::*;
use crate::command::CommandBody;

fn recv(limits: Limits) -> Receiver {
    Receiver::new(limits)
}

#[test]
fn needs_more_until_crlf_then_yields_the_command() {
    let mut r = recv(Limits::default());
    let mut buf = BytesMut::from(&b"a1 NO"[..]);
    assert_eq!(r.step(&mut buf).unwrap(), Step::NeedMore);
    buf.extend_from_slice(b"OP\r\nb2 CAPA");
    match r.step(&mut buf).unwrap() {
        Step::Command(c) => assert_eq!(c.body, CommandBody::Noop),
        s => panic!("{s:?}"),
    }
    assert_eq!(r.step(&mut buf).unwrap(), Step::NeedMore);
    assert_eq!(
        &buf[..],
        b"b2 CAPA",
        "the next command's bytes are left in the buffer"
    );
}

#[test]
fn synchronizing_literal_asks_for_continuation_and_is_not_copied() {
    let mut r = recv(Limits::default());
    let mut buf = BytesMut::from(&b"A003 APPEND saved-messages {10}\r\n"[..]);
    match r.step(&mut buf).unwrap() {
        Step::Continue {
            tag,
            command,
            size,
            sync,
            earlier,
        } => {
            assert_eq!(
                (tag.as_str(), command.as_str(), size, sync, earlier),
                ("A003", "APPEND", 10, true, (0, 0))
            );
        }
        s => panic!("{s:?}"),
    }
    assert_eq!(r.step(&mut buf).unwrap(), Step::NeedMore);
    assert!(
        buf.capacity() >= 10,
        "room for the literal is reserved in the caller's buffer"
    );
    buf.extend_from_slice(b"0123456789\r\n");
    let base = buf.as_ptr();
    match r.step(&mut buf).unwrap() {
        Step::Command(c) => match c.body {
            CommandBody::Append { messages, .. } => {
                assert_eq!(&messages[0].data[..], b"0123456789");
                assert_eq!(
                    messages[0].data.as_ptr(),
                    base,
                    "literal points into the read buffer"
                );
            }
            b => panic!("{b:?}"),
        },
        s => panic!("{s:?}"),
    }
}

#[test]
fn non_sync_literal_flows_without_continuation() {
    let mut r = recv(Limits::default());
    let mut buf = BytesMut::from(&b"a LOGIN {4+}\r\nfred {3+}\r\nabc\r\n"[..]);
    match r.step(&mut buf).unwrap() {
        Step::Command(c) => assert_eq!(
            c.body,
            CommandBody::Login {
                username: "fred".into(),
                password: "abc".into()
            }
        ),
        s => panic!("{s:?}"),
    }
}

#[test]
fn oversized_sync_literal_is_refused_and_receiver_stays_in_step() {
    let limits = Limits {
        max_append_literal: 100,
        ..Limits::default()
    };
    let mut r = recv(limits);
    let mut buf = BytesMut::from(&b"a APPEND INBOX {1000000000}\r\nb NOOP\r\n"[..]);
    let e = r.step(&mut buf).unwrap_err();
    assert_eq!(e.tag.unwrap().as_str(), "a");
    assert_eq!(
        e.kind,
        ErrorKind::LiteralTooLarge {
            size: 1_000_000_000,
            max: 100
        }
    );
    assert!(e.kind.is_refusal());
    assert!(matches!(r.step(&mut buf).unwrap(), Step::Command(c) if c.body == CommandBody::Noop));
}

#[test]
fn oversized_non_sync_literal_is_skipped_without_storing_it() {
    let limits = Limits {
        max_other_literal: 10,
        ..Limits::default()
    };
    let mut r = recv(limits);
    let mut buf = BytesMut::from(&b"a LOGIN {20+}\r\n"[..]);
    let e = r.step(&mut buf).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LiteralTooLarge { size: 20, max: 10 });
    buf.extend_from_slice(b"0123456789012345678");
    assert_eq!(r.step(&mut buf).unwrap(), Step::NeedMore);
    assert!(buf.is_empty());
    // last literal octet, then the rest of the bad command (with another literal), then a good one
    buf.extend_from_slice(b"9 {3+}\r\nxyz\r\nb NOOP\r\n");
    let got = r.step(&mut buf);
    assert!(
        matches!(got, Ok(Step::Command(ref c)) if c.tag.as_str() == "b"),
        "{got:?}"
    );
}

#[test]
fn over_long_line_is_an_error_then_skipped() {
    let limits = Limits {
        max_line: 50,
        ..Limits::default()
    };
    let mut r = recv(limits);
    let mut buf = BytesMut::from(&b"t1 SEARCH "[..]);
    buf.extend_from_slice(&[b'X'; 100]);
    let e = r.step(&mut buf).unwrap_err();
    assert_eq!(e.tag.unwrap().as_str(), "t1");
    assert_eq!(e.kind, ErrorKind::LineTooLong { max: 50 });
    buf.extend_from_slice(&[b'Y'; 1000]);
    assert_eq!(r.step(&mut buf).unwrap(), Step::NeedMore);
    assert!(buf.is_empty(), "discarded octets are not kept");
    buf.extend_from_slice(b"YYY\r\nt2 NOOP\r\n");
    assert!(matches!(r.step(&mut buf).unwrap(), Step::Command(c) if c.tag.as_str() == "t2"));
}

#[test]
fn nul_inside_a_literal_is_reported_after_the_command_is_consumed() {
    let mut r = recv(Limits::default());
    let mut buf = BytesMut::from(&b"a LOGIN {3+}\r\na\0b pw\r\nb NOOP\r\n"[..]);
    assert_eq!(r.step(&mut buf).unwrap_err().kind, ErrorKind::Nul);
    assert!(matches!(r.step(&mut buf).unwrap(), Step::Command(c) if c.tag.as_str() == "b"));
}

#[test]
fn bad_tags_and_empty_lines() {
    let mut r = recv(Limits::default());
    let mut buf = BytesMut::from(&b"\r\na+b NOOP\r\n* NOOP\r\n\xe9 NOOP\r\nok NOOP\r\n"[..]);
    assert_eq!(r.step(&mut buf).unwrap_err().kind, ErrorKind::EmptyLine);
    assert_eq!(r.step(&mut buf).unwrap_err().kind, ErrorKind::BadTag);
    assert_eq!(r.step(&mut buf).unwrap_err().kind, ErrorKind::BadTag);
    assert_eq!(r.step(&mut buf).unwrap_err().kind, ErrorKind::EightBit);
    assert!(matches!(r.step(&mut buf).unwrap(), Step::Command(c) if c.tag.as_str() == "ok"));
}

#[test]
fn raw_lines_for_sasl_and_idle() {
    let mut r = recv(Limits::default());
    let mut buf = BytesMut::from(&b"dGVzdA=="[..]);
    assert_eq!(r.line(&mut buf).unwrap(), None);
    buf.extend_from_slice(b"\r\nDONE\n");
    assert_eq!(&r.line(&mut buf).unwrap().unwrap()[..], b"dGVzdA==");
    assert_eq!(&r.line(&mut buf).unwrap().unwrap()[..], b"DONE");
}

#[test]
fn literal_headers() {
    let h = |s: &[u8]| literal_header(s);
    assert_eq!(
        h(b"a {5}"),
        Some(LiteralHeader {
            size: 5,
            non_sync: false,
            binary: false
        })
    );
    assert_eq!(
        h(b"a {5+}"),
        Some(LiteralHeader {
            size: 5,
            non_sync: true,
            binary: false
        })
    );
    assert_eq!(
        h(b"a ~{5}"),
        Some(LiteralHeader {
            size: 5,
            non_sync: false,
            binary: true
        })
    );
    assert_eq!(h(b"a {}"), None);
    assert_eq!(h(b"a {x}"), None);
    assert_eq!(h(b"a {99999999999999999999999}").unwrap().size, u64::MAX);
}

/// APPEND's non-synchronizing literals are announced too (the session may weigh them against
/// a quota), with what the command already holds; a rejected one is skipped unread with the
/// rest of its command, and the next command is received intact.
#[test]
fn append_literals_are_announced_and_a_rejected_one_is_skipped_unread() {
    let mut r = recv(Limits::default());
    let mut buf = BytesMut::from(&b"m APPEND INBOX {3+}\r\nabc {5+}\r\n"[..]);
    match r.step(&mut buf).unwrap() {
        Step::Continue {
            sync,
            earlier,
            size,
            ..
        } => {
            assert_eq!((size, sync, earlier), (3, false, (0, 0)))
        }
        s => panic!("{s:?}"),
    }
    match r.step(&mut buf).unwrap() {
        Step::Continue {
            sync,
            earlier,
            size,
            ..
        } => {
            assert_eq!((size, sync, earlier), (5, false, (3, 1)))
        }
        s => panic!("{s:?}"),
    }
    r.reject_literal();
    // The refused literal, a third message of the MULTIAPPEND, and the next command.
    buf.extend_from_slice(b"hello {2+}\r\nxy\r\nn NOOP\r\n");
    match r.step(&mut buf).unwrap() {
        Step::Command(c) => assert_eq!(c.tag.as_str(), "n"),
        s => panic!("{s:?}"),
    }
    // Other commands' non-synchronizing literals are not announced.
    let mut buf = BytesMut::from(&b"l LOGIN {1+}\r\na {1+}\r\nb\r\n"[..]);
    assert!(matches!(r.step(&mut buf).unwrap(), Step::Command(_)));
}
