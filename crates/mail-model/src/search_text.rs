//! Decoded text for SEARCH (RFC 9051 §6.4.4): headers with RFC 2047 decoded, the text of every
//! text/* part converted to UTF-8, and attachment file names.
//!
//! This is large (about the size of the message's text), so it is not part of
//! [`MessageFacts`](crate::MessageFacts): the store feeds it to the search index and does not
//! persist it in the message row.

use mail_parser::{MimeHeaders, PartType};
use serde::{Deserialize, Serialize};

use crate::header::{Header, unfold};
use crate::sort::decode_2047;
use crate::tree::{Kind, Node};

/// Everything SEARCH text keys look at, decoded to UTF-8.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchText {
    /// Every top-level header field: (name, decoded unfolded value), in message order.
    pub headers: Vec<(String, String)>,
    /// Every top-level address field SEARCH has a key for ([`ADDRESS_FIELDS`]): (name, its
    /// addresses as ENVELOPE parses them, written without comments and folding:
    /// `Name <local@domain>`, `<local@domain>`, groups as `Name: member, …;`, joined by `, `;
    /// names decoded), in message order. FROM/TO/CC/BCC look here as well as at the decoded
    /// value (RFC 3501 §6.4.4: "the envelope structure's FROM field"), so
    /// `From: <user (comment)@ (comment) domain.org>` is found by `FROM user@domain.org`.
    /// Computed here once, so the search index and the brute-force search read the same text.
    pub addresses: Vec<(String, String)>,
    /// The header fields of every other part (MIME headers, and the headers of embedded
    /// messages), decoded the same way: SEARCH TEXT also looks at these (RFC 9051 §6.4.4).
    pub part_headers: Vec<(String, String)>,
    /// The decoded text of every text/* part (HTML reduced to text), in part order, nested
    /// messages included.
    pub bodies: Vec<String>,
    /// File names of attachments (Content-Disposition filename or Content-Type name).
    pub attachment_names: Vec<String>,
}

/// The header fields whose addresses [`SearchText::addresses`] holds: those of the address
/// keys FROM, TO, CC and BCC.
pub const ADDRESS_FIELDS: [&str; 4] = ["From", "To", "Cc", "Bcc"];

/// Builds the search text of `raw` (never panics).
pub fn search_text(raw: &[u8]) -> SearchText {
    let parsed = crate::tree::parse(raw);
    let root = crate::tree::build_from(raw, parsed.as_ref());
    let top = Header::new(raw.get(root.header.0..root.header.1).unwrap_or_default());
    let mut out = SearchText {
        headers: decoded_fields(&top),
        addresses: addresses(&top),
        ..Default::default()
    };
    let mut nodes = vec![&root];
    while let Some(n) = nodes.pop() {
        let children: Vec<&Node> = match &n.kind {
            Kind::Multi(c) => c.iter().collect(),
            Kind::Message(inner) => vec![inner.as_ref()],
            Kind::Leaf => Vec::new(),
        };
        for c in children.into_iter().rev() {
            let block = raw.get(c.header.0..c.header.1).unwrap_or_default();
            out.part_headers.extend(decoded_fields(&Header::new(block)));
            nodes.push(c);
        }
    }
    let Some(m) = parsed else {
        out.bodies
            .push(String::from_utf8_lossy(raw.get(root.body.0..).unwrap_or_default()).into_owned());
        return out;
    };
    let mut stack = vec![m];
    while let Some(mut m) = stack.pop() {
        for p in m.parts.iter_mut() {
            if let Some(name) = p.attachment_name() {
                out.attachment_names.push(name.to_string());
            }
            match std::mem::take(&mut p.body) {
                PartType::Text(t) => out.bodies.push(t.into_owned()),
                PartType::Html(t) => out
                    .bodies
                    .push(mail_parser::decoders::html::html_to_text(&t)),
                PartType::Message(inner) => stack.push(inner),
                _ => {}
            }
        }
    }
    out
}

/// (name, decoded value) of every named field of a header block.
fn decoded_fields(h: &Header<'_>) -> Vec<(String, String)> {
    h.fields
        .iter()
        .filter(|f| f.name.1 > f.name.0)
        .map(|f| {
            (
                String::from_utf8_lossy(h.name(f)).into_owned(),
                decode_2047(h.raw_value(f)).trim().to_string(),
            )
        })
        .collect()
}

/// (name, [`search_form`](crate::address::search_form)) of every [`ADDRESS_FIELDS`] field of a
/// header block.
fn addresses(h: &Header<'_>) -> Vec<(String, String)> {
    h.fields
        .iter()
        .filter(|f| {
            let name = h.name(f);
            ADDRESS_FIELDS
                .iter()
                .any(|a| name.eq_ignore_ascii_case(a.as_bytes()))
        })
        .map(|f| {
            (
                String::from_utf8_lossy(h.name(f)).into_owned(),
                crate::address::search_form(&unfold(h.raw_value(f))),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_headers_bodies_and_names() {
        let raw = b"Subject: =?utf-8?b?R3LDvMOfZQ==?=\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n\
--b\r\nContent-Type: application/pdf; name=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--b--\r\n";
        let s = search_text(raw);
        assert_eq!(s.headers[0], ("Subject".to_string(), "Grüße".to_string()));
        assert!(s.bodies.iter().any(|b| b.contains("café")));
        assert_eq!(s.attachment_names, vec!["r.pdf"]);
        assert!(s.part_headers.contains(&(
            "Content-Type".to_string(),
            "application/pdf; name=\"r.pdf\"".to_string()
        )));
        let _ = search_text(b"");
        let _ = search_text(b"\xff\xfe garbage");
    }

    /// The address fields' search forms: every top-level From/To/Cc/Bcc (any case, folded),
    /// nothing for other fields or nested messages' headers.
    #[test]
    fn addresses_of_address_fields() {
        let raw = b"From: <user-from (comment)@ (comment) domain.org>\r\n\
to: Friends: a@b.c,\r\n \"Q. P.\" <qp@x.y>;\r\n\
Cc: =?utf-8?b?R3LDvMOfZQ==?=\r\n\t<g@x.de>\r\n\
Bcc: b@x.y\r\nBcc: c@x.y\r\nReply-To: r@x.y\r\n\
Content-Type: message/rfc822\r\n\r\nFrom: inner@x.y\r\n\r\nbody\r\n";
        let s = search_text(raw);
        let pair = |n: &str, v: &str| (n.to_string(), v.to_string());
        assert_eq!(
            s.addresses,
            vec![
                pair("From", "<user-from@domain.org>"),
                pair("to", "Friends: <a@b.c>, Q. P. <qp@x.y>;"),
                pair("Cc", "Grüße <g@x.de>"),
                pair("Bcc", "<b@x.y>"),
                pair("Bcc", "<c@x.y>"),
            ]
        );
        // The decoded values are unchanged.
        assert!(
            s.headers
                .contains(&pair("From", "<user-from (comment)@ (comment) domain.org>"))
        );
    }
}
