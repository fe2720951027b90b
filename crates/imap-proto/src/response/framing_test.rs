//! Framing tests across every response: whatever the values, the output is exactly one response.
//!
//! A client reads a response as lines, and a line that ends in `{n}` announces n literal octets
//! that follow the CRLF. The checker below reads responses the same way and fails if a CRLF ends
//! the response early, if NUL appears outside a `literal8`, or (without UTF-8) if an 8-bit octet
//! appears outside a literal.

use super::*;
use crate::command::{Section, SectionText};
use crate::types::{Mailbox, Tag};
use bytes::Bytes;

/// Hostile values: empty, `NIL`, CR/LF, NUL, quote and backslash, fake literal, fake code,
/// 8-bit, and long.
fn hostile() -> Vec<String> {
    let mut v: Vec<String> = [
        "", "NIL", "a\r\nb", "\r", "x\0y", "\"\\", "{5}", "x {3}", "[ALERT]",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(["]", ")", "Grüße", "\u{1F600}", "a b(c)*%"].map(String::from));
    v.push("z".repeat(1500));
    v.push(format!("{}\r\n", "q".repeat(1100)));
    v
}

fn literal_len(line: &[u8]) -> Option<usize> {
    let rest = line.strip_suffix(b"}")?;
    let open = rest.iter().rposition(|&b| b == b'{')?;
    std::str::from_utf8(&rest[open + 1..]).ok()?.parse().ok()
}

fn assert_framed(bytes: &[u8], seven_bit: bool) {
    let show = || bytes.escape_ascii().to_string();
    let (mut i, mut line_start) = (0, 0);
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\r\n") {
            if let Some(n) = literal_len(&bytes[line_start..i]) {
                let binary = bytes[..i].ends_with(format!("~{{{n}}}").as_bytes());
                let content = &bytes[i + 2..i + 2 + n];
                assert!(
                    binary || !content.contains(&0),
                    "NUL in a literal: {}",
                    show()
                );
                i += 2 + n;
                line_start = i;
                continue;
            }
            assert_eq!(i + 2, bytes.len(), "CRLF inside one response: {}", show());
            return;
        }
        let b = bytes[i];
        assert!(
            b != 0 && b != b'\r' && b != b'\n',
            "bare CR, LF or NUL: {}",
            show()
        );
        assert!(
            !seven_bit || b < 0x80,
            "8-bit octet outside a literal: {}",
            show()
        );
        i += 1;
    }
    panic!("no final CRLF: {}", show());
}

fn responses(s: &str) -> Vec<Response> {
    let bs = || Bytes::copy_from_slice(s.as_bytes());
    let tag = Tag::new("a1").unwrap();
    let envelope = Envelope {
        date: Some(bs()),
        subject: Some(bs()),
        from: vec![Address {
            name: Some(bs()),
            adl: Some(bs()),
            mailbox: Some(bs()),
            host: None,
        }],
        in_reply_to: Some(bs()),
        message_id: Some(bs()),
        ..Default::default()
    };
    let part = SinglePart {
        media_type: bs(),
        subtype: bs(),
        fields: BodyFields {
            params: vec![(bs(), bs())],
            id: Some(bs()),
            description: Some(bs()),
            encoding: bs(),
            octets: 1,
        },
        kind: SingleKind::Message {
            envelope: Box::new(envelope.clone()),
            body: Box::new(BodyStructure::Multi(MultiPart {
                parts: vec![],
                subtype: bs(),
                extension: MultiPartExtension {
                    params: vec![(bs(), bs())],
                    disposition: Some(Disposition {
                        kind: bs(),
                        params: vec![(bs(), bs())],
                    }),
                    language: vec![bs(), bs()],
                    location: Some(bs()),
                },
            })),
            lines: 2,
        },
        extension: SinglePartExtension {
            md5: Some(bs()),
            disposition: None,
            language: vec![bs()],
            location: Some(bs()),
        },
    };
    let body = Box::new(BodyStructure::Single(part));
    let section = Section {
        part: vec![1],
        text: Some(SectionText::HeaderFields {
            not: true,
            fields: vec![s.into()],
        }),
    };
    let list = ListResponse {
        attributes: vec![MailboxAttr::Extension(s.into())],
        delimiter: s.chars().next(),
        mailbox: Mailbox::new(s),
        extended: vec![
            ListExtItem::ChildInfo(vec![s.into()]),
            ListExtItem::OldName(s.into()),
        ],
    };
    let other = Code::Other {
        atom: s.into(),
        text: Some(s.into()),
    };
    vec![
        StatusResponse::tagged(tag.clone(), State::No, s)
            .with_code(other)
            .into(),
        StatusResponse::bye(s)
            .with_code(Code::BadCharset(vec![s.into()]))
            .into(),
        Response::Continue(Continue::text(s)),
        Response::Continue(Continue::Base64(s.as_bytes().to_vec())),
        Response::Capability(vec![s.into()]),
        Response::Enabled(vec![s.into()]),
        Response::Flags(vec![Flag::Keyword(s.into()), Flag::Extension(s.into())]),
        Response::List(list.clone()),
        Response::Lsub(list),
        Response::MailboxStatus(MailboxStatus {
            mailbox: Mailbox::new(s),
            items: vec![StatusValue::MailboxId(s.into())],
        }),
        Response::ESearch(ESearchResponse {
            tag: Some(tag),
            uid: true,
            items: vec![],
        }),
        Response::Namespace(NamespaceResponse {
            personal: vec![Namespace {
                prefix: s.into(),
                delimiter: s.chars().last(),
                extensions: vec![(s.into(), vec![s.into()])],
            }],
            ..Default::default()
        }),
        Response::Id(Some(vec![(bs(), Some(bs()))])),
        Response::Quota(QuotaResponse {
            root: bs(),
            resources: vec![QuotaResource {
                name: s.into(),
                usage: 1,
                limit: 2,
            }],
        }),
        Response::QuotaRoot(QuotaRootResponse {
            mailbox: Mailbox::new(s),
            roots: vec![bs()],
        }),
        Response::Fetch(FetchResponse {
            seq: 1,
            items: vec![
                FetchItem::Flags(vec![Flag::Keyword(s.into())]),
                FetchItem::Envelope(Box::new(envelope)),
                FetchItem::Body(body.clone()),
                FetchItem::BodyStructure(body),
                FetchItem::BodySection {
                    section,
                    origin: Some(0),
                    data: Some(bs()),
                },
                FetchItem::Binary {
                    part: vec![],
                    origin: None,
                    data: Some(bs()),
                },
                FetchItem::Rfc822(Some(bs())),
                FetchItem::EmailId(s.into()),
                FetchItem::ThreadId(Some(s.into())),
                FetchItem::Preview(Some(bs())),
            ],
        }),
    ]
}

#[test]
fn every_response_stays_one_response_whatever_the_values() {
    for s in hostile() {
        for r in responses(&s) {
            assert_framed(&r.to_bytes(WriteOptions::SERVER_REV1), true);
            assert_framed(&r.to_bytes(WriteOptions::SERVER_UTF8), false);
        }
    }
}

#[test]
fn binary_keeps_nul_only_in_literal8() {
    let r = Response::Fetch(FetchResponse {
        seq: 1,
        items: vec![FetchItem::Binary {
            part: vec![1],
            origin: None,
            data: Some(b"\0\r\n"[..].into()),
        }],
    });
    let bytes = r.to_bytes(WriteOptions::SERVER_REV1);
    assert_eq!(bytes, b"* 1 FETCH (BINARY[1] ~{3}\r\n\0\r\n)\r\n");
    assert_framed(&bytes, true);
}

#[test]
#[should_panic(expected = "CRLF inside one response")]
fn the_checker_catches_an_injected_line() {
    assert_framed(b"* OK a\r\n* BYE x\r\n", true);
}
