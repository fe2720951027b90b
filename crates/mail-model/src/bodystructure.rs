//! BODY and BODYSTRUCTURE (RFC 9051 §7.5.2) from the part tree.
//!
//! Where the RFC leaves room we follow Dovecot: types, subtypes and parameters are written as
//! they appear in the message; a part without Content-Type is `"text" "plain"` with
//! `("charset" "us-ascii")`; a text part without a charset gets that charset appended; a
//! Content-Type without subtype is invalid and means text/plain (RFC 2045 §5.2), except for a
//! multipart that mail-parser could split, whose subtype is then `"x-unknown"`; the encoding
//! defaults to `"7bit"`. Sizes and line counts are of the stored
//! octets (what BODY[…] returns), so a bare-LF message counts one octet per line end.

use bytes::Bytes;
use imap_proto::response::{
    BodyFields, BodyStructure, Disposition, MultiPart, MultiPartExtension, SingleKind, SinglePart,
    SinglePartExtension,
};
use imap_proto::write::{WriteOptions, Writer};

use crate::envelope::envelope;
use crate::mime_fields::MimeFields;
use crate::tree::{Kind, Node};

fn b(v: &[u8]) -> Bytes {
    Bytes::copy_from_slice(v)
}

fn params(list: &[(Vec<u8>, Vec<u8>)]) -> Vec<(Bytes, Bytes)> {
    list.iter().map(|(n, v)| (b(n), b(v))).collect()
}

/// Lines of `body`: its LF count, as Dovecot reports it (the line break before a boundary
/// belongs to the boundary, RFC 2046 §5.1.1, so a part's last line usually has none).
pub(crate) fn lines(body: &[u8]) -> u32 {
    let n = body.iter().filter(|&&c| c == b'\n').count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Builds the structure of `node`, whose header and body are ranges of `raw`.
pub(crate) fn structure(raw: &[u8], node: &Node) -> BodyStructure {
    let header = raw.get(node.header.0..node.header.1).unwrap_or_default();
    let body = raw.get(node.body.0..node.body.1).unwrap_or_default();
    let f = MimeFields::parse(header);
    let language: Vec<Bytes> = f.language.iter().map(|l| b(l)).collect();
    let disposition = f.disposition.as_ref().map(|(k, p)| Disposition {
        kind: b(k),
        params: params(p),
    });
    if let Kind::Multi(children) = &node.kind {
        let subtype = f
            .media
            .as_ref()
            .and_then(|(_, s)| s.as_deref())
            .unwrap_or(b"x-unknown");
        return BodyStructure::Multi(MultiPart {
            // A multipart needs at least one part (RFC 9051 §9 `1*body`); an empty one is
            // written with one empty text/plain part, as Dovecot does.
            parts: if children.is_empty() {
                vec![empty_text()]
            } else {
                children.iter().map(|c| structure(raw, c)).collect()
            },
            subtype: b(subtype),
            extension: MultiPartExtension {
                params: params(&f.params),
                disposition,
                language,
                location: f.location.as_deref().map(b),
            },
        });
    }
    let invalid = matches!(f.media, Some((_, None)));
    let text = (f.is_text() || invalid) && !matches!(node.kind, Kind::Message(_));
    let (media_type, subtype): (&[u8], &[u8]) = match (&node.kind, &f.media) {
        // RFC 9051 §9 media-message: "RFC822" or "GLOBAL" (RFC 6532 §3.5). A digest part
        // without Content-Type is message/rfc822 (RFC 2046 §5.1.5).
        (Kind::Message(_), Some((_, Some(s)))) if s.eq_ignore_ascii_case(b"global") => {
            (b"message", b"global")
        }
        (Kind::Message(_), _) => (b"message", b"rfc822"),
        // RFC 2045 §5.2: a syntactically invalid Content-Type (no subtype) means text/plain.
        (_, Some((_, None))) => (b"text", b"plain"),
        (_, Some((t, Some(s)))) => (t, s),
        (_, None) => (b"text", b"plain"),
    };
    let mut ps = if invalid {
        Vec::new()
    } else {
        params(&f.params)
    };
    if text
        && !f
            .params
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(b"charset"))
    {
        ps.push((
            Bytes::from_static(b"charset"),
            Bytes::from_static(b"us-ascii"),
        ));
    }
    let octets = u32::try_from(body.len()).unwrap_or(u32::MAX);
    let kind = match &node.kind {
        Kind::Message(inner) => {
            let inner_header = raw.get(inner.header.0..inner.header.1).unwrap_or_default();
            SingleKind::Message {
                envelope: Box::new(envelope(inner_header)),
                body: Box::new(structure(raw, inner)),
                lines: lines(body),
            }
        }
        // A message/rfc822 we could not descend into (encoded, against RFC 2046 §5.2.1, or
        // nested deeper than MAX_DEPTH): clients parse "message" "rfc822" as body-type-msg, so
        // write an empty envelope and an empty text/plain body, as Dovecot does.
        _ if is_message_type(&f) => SingleKind::Message {
            envelope: Box::default(),
            body: Box::new(empty_text()),
            lines: lines(body),
        },
        _ if text => SingleKind::Text { lines: lines(body) },
        _ => SingleKind::Basic,
    };
    BodyStructure::Single(SinglePart {
        media_type: b(media_type),
        subtype: b(subtype),
        fields: BodyFields {
            params: ps,
            id: f.id.as_deref().map(b),
            description: f.description.as_deref().map(b),
            encoding: b(f.encoding.as_deref().unwrap_or(b"7bit")),
            octets,
        },
        kind,
        extension: SinglePartExtension {
            md5: f.md5.as_deref().map(b),
            disposition,
            language,
            location: f.location.as_deref().map(b),
        },
    })
}

fn is_message_type(f: &MimeFields) -> bool {
    f.media.as_ref().is_some_and(|(t, s)| {
        t.eq_ignore_ascii_case(b"message")
            && s.as_deref().is_some_and(|s| {
                s.eq_ignore_ascii_case(b"rfc822") || s.eq_ignore_ascii_case(b"global")
            })
    })
}

/// `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)`.
fn empty_text() -> BodyStructure {
    BodyStructure::Single(SinglePart {
        media_type: Bytes::from_static(b"text"),
        subtype: Bytes::from_static(b"plain"),
        fields: BodyFields {
            params: vec![(
                Bytes::from_static(b"charset"),
                Bytes::from_static(b"us-ascii"),
            )],
            id: None,
            description: None,
            encoding: Bytes::from_static(b"7bit"),
            octets: 0,
        },
        kind: SingleKind::Text { lines: 0 },
        extension: SinglePartExtension::default(),
    })
}

/// The wire form of `s`, BODYSTRUCTURE form when `extended`.
pub(crate) fn wire(s: &BodyStructure, extended: bool, opts: WriteOptions) -> Vec<u8> {
    let mut w = Writer::new(opts);
    s.serialize(&mut w, extended);
    w.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bs(raw: &str, extended: bool) -> String {
        let node = crate::tree::build(raw.as_bytes());
        let s = structure(raw.as_bytes(), &node);
        String::from_utf8_lossy(&wire(&s, extended, WriteOptions::SERVER_REV1)).into_owned()
    }

    #[test]
    fn plain_message_defaults() {
        let raw = "Subject: x\r\n\r\nhello\r\nworld\r\n";
        assert_eq!(
            bs(raw, true),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 2 NIL NIL NIL NIL)"
        );
        assert_eq!(
            bs(raw, false),
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 14 2)"
        );
    }

    #[test]
    fn multipart_mixed() {
        let raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nA\r\n--b\r\n\
Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\
Content-Disposition: attachment; filename=a.png\r\n\r\nAAAA\r\n--b--\r\n";
        assert_eq!(
            bs(raw, true),
            "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 1 0 NIL NIL NIL NIL)\
(\"image\" \"png\" NIL NIL NIL \"base64\" 4 NIL (\"attachment\" (\"filename\" \"a.png\")) NIL NIL) \
\"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"
        );
    }

    #[test]
    fn lines_counting() {
        assert_eq!(lines(b""), 0);
        assert_eq!(lines(b"a"), 0);
        assert_eq!(lines(b"a\r\n"), 1);
        assert_eq!(lines(b"a\nb"), 1);
    }
}
