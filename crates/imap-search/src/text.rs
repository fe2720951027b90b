//! The text keys (RFC 9051 §6.4.4): BCC, BODY, CC, FROM, HEADER, SUBJECT, TEXT, TO.
//!
//! All of them are case-insensitive substring matches ([`crate::fold`]) on the decoded text of
//! [`SearchText`]: header values with RFC 2047 encoded words decoded and folding removed, and
//! bodies converted to UTF-8 from their charset and transfer encoding.
//!
//! | key | looks at |
//! |---|---|
//! | `FROM`/`TO`/`CC`/`BCC s` | the decoded value of every top-level field of that name (display names, addresses and comments alike) |
//! | `SUBJECT s` | the decoded value of every top-level Subject field with runs of blanks collapsed to one space, as in ENVELOPE (every occurrence, where ENVELOPE shows the last) |
//! | `HEADER f s` | the decoded value, blanks as sent, of every top-level field `f` (name compared ASCII case-insensitively) |
//! | `BODY s` | the decoded text of every text part, nested messages included (other media types are skipped, as RFC 9051 §6.4.4 allows); HTML as mail-model reduces it to text, so markup never matches |
//! | `TEXT s` | all of the above plus every header field as `Name: value` (top-level, MIME and nested-message headers) and attachment file names |
//!
//! A field key with an empty string matches every message that has the field (RFC 9051 says so
//! for HEADER; we apply the same rule to the five field keys, since `""` is a substring of any
//! value). `BODY ""` and `TEXT ""` match every message. A match never spans two header fields or
//! two body parts.

use mail_model::SearchText;

use crate::fold::Needle;

/// `FROM`/`TO`/`CC`/`BCC`/`HEADER`: any top-level field `name` holds the string.
pub(crate) fn field(text: &SearchText, name: &str, raw: &[u8]) -> bool {
    let needle = Needle::new(raw);
    text.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .any(|(_, v)| needle.found_in(v))
}

/// `SUBJECT s`: like [`field`] on `Subject`, but on the value as ENVELOPE shows it ("for
/// humans": runs of blanks collapsed to one space), as Dovecot does. The search string is
/// taken as sent, so `"a  b"` (two spaces) never matches.
pub(crate) fn subject(text: &SearchText, raw: &[u8]) -> bool {
    let needle = Needle::new(raw);
    text.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Subject"))
        .any(|(_, v)| needle.found_in(&collapse_blanks(v)))
}

/// Runs of SP, HTAB, CR and LF become one space; leading and trailing ones go.
fn collapse_blanks(v: &str) -> String {
    v.split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `BODY s`.
pub(crate) fn body(text: &SearchText, raw: &[u8]) -> bool {
    let needle = Needle::new(raw);
    needle.is_empty() || text.bodies.iter().any(|b| needle.found_in(b))
}

/// `TEXT s`.
pub(crate) fn any_text(text: &SearchText, raw: &[u8]) -> bool {
    let needle = Needle::new(raw);
    if needle.is_empty() {
        return true;
    }
    let mut line = String::new();
    let mut header = |(n, v): &(String, String)| {
        line.clear();
        line.push_str(n);
        line.push_str(": ");
        line.push_str(v);
        needle.found_in(&line)
    };
    text.headers.iter().any(&mut header)
        || text.part_headers.iter().any(&mut header)
        || text.bodies.iter().any(|b| needle.found_in(b))
        || text.attachment_names.iter().any(|a| needle.found_in(a))
}
