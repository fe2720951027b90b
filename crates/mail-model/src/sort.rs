//! SORT (RFC 5256, RFC 5957) and THREAD keys.
//!
//! The base subject follows RFC 5256 §2.1 step by step. Keys are stored already case-mapped
//! with [`casemap`], so the store compares them with plain byte (UTF-8 code point) order and
//! gets RFC 5256's `i;unicode-casemap` order (RFC 5051), as Dovecot does.

use imap_proto::response::Address;
use mail_parser::HeaderValue;
use mail_parser::parsers::MessageStream;
use serde::{Deserialize, Serialize};

/// Keys for SORT (RFC 5256 §3, RFC 5957).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortKeys {
    /// Base subject (RFC 5256 §2.1), decoded and case-mapped ([`casemap`]).
    pub subject: String,
    /// `addr-mailbox` of the first From address, case-mapped; empty when there is none.
    pub from: String,
    /// `addr-mailbox` of the first To address, case-mapped.
    pub to: String,
    /// `addr-mailbox` of the first Cc address, case-mapped.
    pub cc: String,
    /// DISPLAYFROM (RFC 5957 §3): decoded display name of the first From address, else its
    /// `mailbox@host`; case-mapped.
    pub display_from: String,
    /// DISPLAYTO, the same for To.
    pub display_to: String,
    /// Sent date (RFC 5256 §3 "DATE") as Unix seconds; `None` when Date is missing or invalid
    /// (SORT then uses the internal date).
    pub sent_date: Option<i64>,
}

/// Message-ID, In-Reply-To and References for THREAD (RFC 5256 §2.2), angle brackets kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadFields {
    /// The first message id of Message-ID.
    pub message_id: Option<String>,
    /// The message ids of In-Reply-To.
    pub in_reply_to: Vec<String>,
    /// The message ids of References, in order.
    pub references: Vec<String>,
}

/// Decodes RFC 2047 encoded words in one raw header value (unfolded result).
pub(crate) fn decode_2047(raw: &[u8]) -> String {
    let mut v = raw.to_vec();
    v.extend_from_slice(b"\r\n\r\n");
    match MessageStream::new(&v).parse_unstructured() {
        HeaderValue::Text(t) => t.into_owned(),
        _ => String::new(),
    }
}

/// RFC 5256 §2.1 base subject of an already RFC 2047-decoded subject, case-mapped with
/// [`casemap`].
/// Works on slices of one buffer, so a hostile "Re: Re: Re: …" subject costs linear time.
pub fn base_subject(decoded: &str) -> String {
    casemap(&base_subject_raw(decoded))
}

/// `i;unicode-casemap` (RFC 5051 §2) key of `s`: every character mapped to its titlecase
/// (here: its simple upper-case mapping when that is one character, which is the titlecase
/// mapping for all but a few digraphs), then normalized to NFKD, so "Véra" sorts as
/// "VE\u{301}RA" (before "VICTOR") and "é" and "e\u{301}" sort together.
pub fn casemap(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let upper = s.chars().map(|c| {
        let mut up = c.to_uppercase();
        match (up.next(), up.next()) {
            (Some(u), None) => u,
            _ => c,
        }
    });
    if s.is_ascii() {
        return upper.collect();
    }
    upper.nfkd().collect()
}

/// RFC 5256 §2.1 base subject without case mapping.
fn base_subject_raw(decoded: &str) -> String {
    base_subject_parts(decoded).0
}

/// RFC 5256 §2.1 steps 1–6 on an already decoded subject: the base subject (not case-mapped)
/// and whether a `subj-refwd`, a `(fwd)` trailer or a `[fwd: …]` wrapper was removed, which
/// makes the message a reply or forward for THREAD=REFERENCES (§3 step 5).
pub fn base_subject_parts(decoded: &str) -> (String, bool) {
    // (1) blanks: tabs and line breaks become spaces, runs collapse.
    let mut buf = String::with_capacity(decoded.len());
    let mut space = false;
    for c in decoded.chars() {
        if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
            if !space {
                buf.push(' ');
            }
            space = true;
        } else {
            buf.push(c);
            space = false;
        }
    }
    let mut reply = false;
    let mut s = buf.trim_start_matches(' ');
    loop {
        // (2) trailing "(fwd)" and blanks.
        loop {
            s = s.trim_end_matches(' ');
            match s.len().checked_sub(5) {
                Some(cut) if s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case("(fwd)") => {
                    s = &s[..cut];
                    reply = true;
                }
                _ => break,
            }
        }
        // (3) leaders and (4) a leading blob, repeated (5).
        loop {
            let before = s.len();
            while let Some((rest, refwd)) = strip_leader(s) {
                s = rest;
                reply |= refwd;
            }
            if let Some(rest) = strip_blob(s)
                && !rest.is_empty()
            {
                s = rest;
            }
            if s.len() == before {
                break;
            }
        }
        // (6) "[fwd:" … "]".
        if s.len() >= 6
            && s.is_char_boundary(5)
            && s[..5].eq_ignore_ascii_case("[fwd:")
            && s.ends_with(']')
        {
            s = &s[5..s.len() - 1];
            reply = true;
            continue;
        }
        break;
    }
    (s.to_string(), reply)
}

/// `subj-blob = "[" *BLOBCHAR "]" *WSP`; returns the rest.
fn strip_blob(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('[')?;
    let end = rest.find(['[', ']'])?;
    let rest = rest[end..].strip_prefix(']')?;
    Some(rest.trim_start_matches(' '))
}

fn starts_with_ci(s: &str, p: &str) -> bool {
    s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
}

/// `subj-leader = (*subj-blob subj-refwd) / WSP`; returns the rest, and whether a
/// `subj-refwd` went.
fn strip_leader(s: &str) -> Option<(&str, bool)> {
    if let Some(rest) = s.strip_prefix(' ') {
        return Some((rest, false));
    }
    let mut rest = s;
    while let Some(r) = strip_blob(rest) {
        rest = r;
    }
    let n = if starts_with_ci(rest, "re") {
        2
    } else if starts_with_ci(rest, "fwd") {
        3
    } else if starts_with_ci(rest, "fw") {
        2
    } else {
        return None;
    };
    let mut r = rest[n..].trim_start_matches(' ');
    if let Some(after) = strip_blob(r) {
        r = after;
    }
    Some((r.strip_prefix(':')?, true))
}

/// Case-mapped addr-mailbox of the first address (RFC 5256 §3 FROM/TO/CC). A group start
/// counts as an address whose mailbox is the group name, as Dovecot does, so
/// `undisclosed-recipients:;` sorts by that name.
pub(crate) fn first_mailbox(list: &[Address]) -> String {
    list.first()
        .and_then(|a| a.mailbox.as_ref())
        .map(|m| casemap(&String::from_utf8_lossy(m)))
        .unwrap_or_default()
}

/// RFC 5957 §3 display key of the first address: its display name with RFC 2047 decoded,
/// else `mailbox@host` (a group's name for a group start); case-mapped.
pub(crate) fn display(list: &[Address]) -> String {
    let Some(a) = list.first() else {
        return String::new();
    };
    if let Some(name) = &a.name {
        let n = decode_2047(name);
        if !n.trim().is_empty() {
            return casemap(n.trim());
        }
    }
    let part =
        |v: &Option<bytes::Bytes>| v.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
    match (part(&a.mailbox), part(&a.host)) {
        (Some(m), Some(h)) => casemap(&format!("{m}@{h}")),
        (Some(m), None) => casemap(&m),
        _ => String::new(),
    }
}

/// Message ids of a raw header value: every `<…>` token, comments skipped.
pub(crate) fn msg_ids(v: &[u8]) -> Vec<String> {
    let s = String::from_utf8_lossy(v);
    let mut out = Vec::new();
    let mut rest = s.as_ref();
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        let id: String = rest[start..start + len + 1]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if id.len() > 2 {
            out.push(id);
        }
        rest = &rest[start + len + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5256_base_subject() {
        let cases = [
            ("Re: test", "test"),
            ("RE: Re: re: test", "test"),
            ("Fwd: test", "test"),
            ("Fw: test", "test"),
            ("Re[2]: test", "test"),
            ("[PATCH] Re: [list] test", "test"),
            ("test (fwd)", "test"),
            ("test (fwd) (FWD)  ", "test"),
            ("[Fwd: Re: test]", "test"),
            ("[fwd: [list] hello (fwd)]", "hello"),
            ("[blob]", "[blob]"),
            ("[a] [b]", "[b]"),
            ("Re:   spaced\t\tout", "spaced out"),
            ("", ""),
            ("re", "re"),
            ("Re: Grüße", "grüße"),
            (
                "Subject with [brackets] inside",
                "subject with [brackets] inside",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(base_subject(input), casemap(want), "input {input:?}");
            assert_eq!(
                base_subject_raw(input).to_lowercase(),
                want,
                "input {input:?}"
            );
        }
    }

    #[test]
    fn encoded_words_are_decoded() {
        let d = decode_2047(b"=?iso-8859-1?q?Re=3A_caf=E9?=");
        // RFC 5051 §2: titlecase, then NFKD (É decomposes, the Ǆ digraph too).
        assert_eq!(base_subject(&d), "CAFE\u{301}");
        assert_eq!(casemap("straße ǆ"), "STRAßE DZ\u{30C}");
        assert!(casemap("Véra") < casemap("Victor"));
        assert_eq!(casemap("e\u{301}"), casemap("É"));
    }

    #[test]
    fn message_ids() {
        assert_eq!(
            msg_ids(b"<a@b> (comment) <c@d>\r\n <e\r\n @f>"),
            vec!["<a@b>", "<c@d>", "<e@f>"]
        );
        assert!(msg_ids(b"<> garbage <unterminated").is_empty());
    }
}
