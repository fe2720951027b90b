//! The part map and section extraction (RFC 9051 §6.4.5), and BINARY decoding (RFC 3516).
//!
//! ```text
//!  Node tree ──number()──▶ [PartFacts { path, header, body, message, encoding }]   (stored)
//!  raw + PartFacts + Section ──section()──▶ octets                                (at FETCH)
//! ```
//!
//! Part numbers: the parts of a multipart are numbered from 1; a message (the top level or a
//! message/rfc822 part) whose body is not multipart has one part, `1`, its body, whose MIME
//! header is the message's header. Inside a message/rfc822 part `n`, the embedded message's
//! parts are `n.1`, `n.2`…

use std::borrow::Cow;

use imap_proto::command::{Section, SectionText};
use serde::{Deserialize, Serialize};

use crate::decode::{Coding, Decoder};
use crate::header::Header;
use crate::tree::{Kind, Node, Range};

/// A byte range `[start, end)` of the raw message, as stored in the facts.
pub type Span = (u64, u64);

fn span(r: Range) -> Span {
    (r.0 as u64, r.1 as u64)
}

/// Content-Transfer-Encoding of a part (RFC 2045 §6), for BINARY.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferEncoding {
    /// `7bit`, `8bit`, `binary`, or no header: the octets are the content.
    Identity,
    /// `base64`
    Base64,
    /// `quoted-printable`
    QuotedPrintable,
    /// Anything else (e.g. `x-uuencode`): BINARY must fail with `[UNKNOWN-CTE]`.
    Unknown(String),
}

impl TransferEncoding {
    fn from_token(t: Option<&[u8]>) -> TransferEncoding {
        let Some(t) = t else {
            return TransferEncoding::Identity;
        };
        let t = t.to_ascii_lowercase();
        match t.as_slice() {
            b"7bit" | b"8bit" | b"binary" => TransferEncoding::Identity,
            b"base64" => TransferEncoding::Base64,
            b"quoted-printable" => TransferEncoding::QuotedPrintable,
            _ => TransferEncoding::Unknown(String::from_utf8_lossy(&t).into_owned()),
        }
    }
}

/// Where one addressable part lives in the raw message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartFacts {
    /// IMAP part number (`[1, 2]` is `1.2`); empty for the whole message.
    pub path: Vec<u32>,
    /// The part's MIME header, blank line included (`BODY[n.MIME]`); for the whole message and
    /// for part `1` of a non-multipart message, the message header.
    pub header: Span,
    /// The part's body (`BODY[n]`); for the whole message, its text.
    pub body: Span,
    /// For the whole message and message/rfc822 parts: the embedded message's header and text
    /// (`BODY[n.HEADER]`, `BODY[n.TEXT]`).
    pub message: Option<(Span, Span)>,
    /// True for a multipart part.
    pub multipart: bool,
    /// Content-Transfer-Encoding, for BINARY.
    pub encoding: TransferEncoding,
}

/// Numbers every part of the tree rooted at the whole message.
pub(crate) fn number(raw: &[u8], root: &Node) -> Vec<PartFacts> {
    let mut out = vec![PartFacts {
        path: Vec::new(),
        header: span(root.header),
        body: span(root.body),
        message: Some((span(root.header), span(root.body))),
        multipart: false,
        encoding: TransferEncoding::Identity,
    }];
    message_parts(raw, root, &[], &mut out);
    out
}

/// The parts inside a message node (the top level or an embedded message).
fn message_parts(raw: &[u8], msg: &Node, path: &[u32], out: &mut Vec<PartFacts>) {
    match &msg.kind {
        Kind::Multi(children) => {
            for (i, c) in children.iter().enumerate() {
                let mut p = path.to_vec();
                p.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
                part(raw, c, p, out);
            }
        }
        _ => {
            let mut p = path.to_vec();
            p.push(1);
            part(raw, msg, p, out);
        }
    }
}

fn part(raw: &[u8], node: &Node, path: Vec<u32>, out: &mut Vec<PartFacts>) {
    let header = raw.get(node.header.0..node.header.1).unwrap_or_default();
    let f = crate::mime_fields::MimeFields::parse(header);
    let message = match &node.kind {
        Kind::Message(inner) => Some((span(inner.header), span(inner.body))),
        _ => None,
    };
    out.push(PartFacts {
        path: path.clone(),
        header: span(node.header),
        body: span(node.body),
        message,
        multipart: matches!(node.kind, Kind::Multi(_)),
        encoding: TransferEncoding::from_token(f.encoding.as_deref()),
    });
    match &node.kind {
        Kind::Multi(children) => {
            for (i, c) in children.iter().enumerate() {
                let mut p = path.clone();
                p.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
                part(raw, c, p, out);
            }
        }
        Kind::Message(inner) => message_parts(raw, inner, &path, out),
        Kind::Leaf => {}
    }
}

fn slice(raw: &[u8], s: Span) -> &[u8] {
    let end = usize::try_from(s.1).unwrap_or(usize::MAX).min(raw.len());
    let start = usize::try_from(s.0).unwrap_or(usize::MAX).min(end);
    &raw[start..end]
}

/// Looks a part up by its number.
pub fn find<'f>(facts: &'f [PartFacts], path: &[u32]) -> Option<&'f PartFacts> {
    facts.iter().find(|p| p.path == path)
}

/// Where the octets of a section come from, for a reader that does not hold the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionSource {
    /// The section is `NIL`: the part does not exist or the section does not apply to it.
    Nil,
    /// The octets are this range of the message, as stored.
    Range(Span),
    /// `HEADER.FIELDS (…)` / `.NOT`: the fields are picked ([`filter`]) from this header.
    Fields(Span),
}

/// Where the octets of `s` are in a message of `size` octets (RFC 9051 §6.4.5): `NIL` if the
/// part does not exist or the section does not apply to it (`MIME` of the whole message;
/// `HEADER`/`TEXT` of a part that is not a message/rfc822).
pub(crate) fn section_source(parts: &[PartFacts], size: u64, s: &Section) -> SectionSource {
    let Some(p) = find(parts, &s.part) else {
        return SectionSource::Nil;
    };
    let message = |pick: fn((Span, Span)) -> Span| {
        p.message
            .map_or(SectionSource::Nil, |m| SectionSource::Range(pick(m)))
    };
    match &s.text {
        None if s.part.is_empty() => SectionSource::Range((0, size)),
        None => SectionSource::Range(p.body),
        Some(SectionText::Mime) if s.part.is_empty() => SectionSource::Nil,
        Some(SectionText::Mime) => SectionSource::Range(p.header),
        Some(SectionText::Header) => message(|m| m.0),
        Some(SectionText::Text) => message(|m| m.1),
        Some(SectionText::HeaderFields { .. }) => p
            .message
            .map_or(SectionSource::Nil, |m| SectionSource::Fields(m.0)),
    }
}

/// The octets of `section` (RFC 9051 §6.4.5), `None` when [`section_source`] says `NIL`.
/// Partial ranges are applied by the caller with [`partial`].
pub(crate) fn section<'a>(
    raw: &'a [u8],
    parts: &[PartFacts],
    s: &Section,
) -> Option<Cow<'a, [u8]>> {
    match section_source(parts, raw.len() as u64, s) {
        SectionSource::Nil => None,
        SectionSource::Range(span) => Some(Cow::Borrowed(slice(raw, span))),
        SectionSource::Fields(span) => {
            let Some(SectionText::HeaderFields { not, fields }) = &s.text else {
                return None;
            };
            Some(Cow::Owned(filter(slice(raw, span), fields, *not)))
        }
    }
}

/// How many leading octets of the message [`section`] reads to answer `s`: given only that
/// prefix it answers as with the whole message, so a reader can fetch a header or the first
/// parts without the attachments behind them. `size` (the whole) for `BODY[]` and `BODY[TEXT]`
/// of the message; 0 when the section answers NIL.
pub(crate) fn section_end(parts: &[PartFacts], size: u64, s: &Section) -> u64 {
    let Some(p) = find(parts, &s.part) else {
        return 0;
    };
    let end = match &s.text {
        None if s.part.is_empty() => size,
        None => p.body.1,
        Some(SectionText::Mime) if s.part.is_empty() => 0,
        Some(SectionText::Mime) => p.header.1,
        Some(SectionText::Header | SectionText::HeaderFields { .. }) => {
            p.message.map_or(0, |m| m.0.1)
        }
        Some(SectionText::Text) => p.message.map_or(0, |m| m.1.1),
    };
    end.min(size)
}

/// Like [`section_end`] for [`binary`] of `part`.
pub(crate) fn binary_end(parts: &[PartFacts], size: u64, part: &[u32]) -> u64 {
    if part.is_empty() {
        return size;
    }
    find(parts, part).map_or(0, |p| p.body.1.min(size))
}

/// `HEADER.FIELDS (names)` / `HEADER.FIELDS.NOT (names)`: the matching fields with their folded
/// lines, in message order, then the header's blank line (RFC 9051 §6.4.5: "the blank line is
/// included in all header fetches, except in the case of a message that has no body and no
/// blank line"). Names compare case-insensitively. A line without a colon matches no name, so
/// `.NOT` keeps it, as Dovecot does. A last field without a line end gets CRLF.
pub fn filter(block: &[u8], names: &[String], not: bool) -> Vec<u8> {
    let h = Header::new(block);
    let mut out = Vec::new();
    for f in &h.fields {
        let name = h.name(f);
        let listed = !name.is_empty()
            && names
                .iter()
                .any(|n| n.as_bytes().eq_ignore_ascii_case(name));
        if listed != not {
            out.extend_from_slice(&block[f.full.0..f.full.1]);
            if !block[f.full.0..f.full.1].ends_with(b"\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    let fields_end = h.fields.last().map_or(0, |f| f.full.1);
    out.extend_from_slice(&block[fields_end.min(block.len())..]);
    out
}

/// `<offset.length>` of a fetched section (RFC 9051 §6.4.5): empty when `offset` is past the end.
pub fn partial(data: &[u8], offset: u64, length: u64) -> &[u8] {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(data.len());
    let len = usize::try_from(length).unwrap_or(usize::MAX);
    &data[start..start.saturating_add(len).min(data.len())]
}

/// Why BINARY could not decode a part (RFC 3516 §4.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BinaryError {
    /// The part number does not exist.
    #[error("no such part")]
    NoSuchPart,
    /// The part's Content-Transfer-Encoding is not one we can decode: `NO [UNKNOWN-CTE]`.
    #[error("unknown Content-Transfer-Encoding {0:?}")]
    UnknownCte(String),
    /// The encoded content is corrupt (for example base64 with invalid characters).
    #[error("corrupt {0} content")]
    Corrupt(&'static str),
}

/// Where BINARY[part] reads (RFC 3516) and how it decodes: multiparts and message/rfc822
/// parts are returned as stored; an empty `part` is the whole message as stored.
pub(crate) fn binary_source(
    parts: &[PartFacts],
    size: u64,
    part: &[u32],
) -> Result<(Span, Coding), BinaryError> {
    if part.is_empty() {
        return Ok(((0, size), Coding::Identity));
    }
    let p = find(parts, part).ok_or(BinaryError::NoSuchPart)?;
    if p.multipart || p.message.is_some() {
        return Ok((p.body, Coding::Identity));
    }
    Ok((p.body, Coding::of(&p.encoding)?))
}

/// BINARY[part]: the decoded content of a part (see [`binary_source`]).
pub(crate) fn binary<'a>(
    raw: &'a [u8],
    parts: &[PartFacts],
    part: &[u32],
) -> Result<Cow<'a, [u8]>, BinaryError> {
    let (span, coding) = binary_source(parts, raw.len() as u64, part)?;
    let body = slice(raw, span);
    match coding {
        Coding::Identity => Ok(Cow::Borrowed(body)),
        coding => Decoder::all(coding, body).map(Cow::Owned),
    }
}

/// Quoted-printable decoding (RFC 2045 §6.7), lenient: an `=` not followed by two hex digits
/// or a line break is kept as is; trailing blanks on a line are dropped.
pub(crate) fn qp_decode(s: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'=' => {
                let rest = &s[i + 1..];
                if let (Some(&a), Some(&b)) = (rest.first(), rest.get(1))
                    && let (Some(x), Some(y)) = (hex(a), hex(b))
                {
                    out.push(x * 16 + y);
                    i += 3;
                    continue;
                }
                // soft line break: "=" blanks CRLF
                let mut j = i + 1;
                while j < s.len() && (s[j] == b' ' || s[j] == b'\t') {
                    j += 1;
                }
                if s.get(j) == Some(&b'\r') && s.get(j + 1) == Some(&b'\n') {
                    i = j + 2;
                } else if s.get(j) == Some(&b'\n') {
                    i = j + 1;
                } else if j >= s.len() {
                    i = j;
                } else {
                    out.push(b'=');
                    i += 1;
                }
            }
            b' ' | b'\t' => {
                let mut j = i;
                while j < s.len() && (s[j] == b' ' || s[j] == b'\t') {
                    j += 1;
                }
                if j < s.len() && s[j] != b'\r' && s[j] != b'\n' {
                    out.extend_from_slice(&s[i..j]);
                }
                i = j;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "sections_test.rs"]
mod tests;
