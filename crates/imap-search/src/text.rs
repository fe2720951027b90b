//! The text keys (RFC 9051 §6.4.4): BCC, BODY, CC, FROM, HEADER, SUBJECT, TEXT, TO.
//!
//! All of them are case-insensitive substring matches ([`crate::fold`]) on the decoded text of
//! [`SearchText`]: header values with RFC 2047 encoded words decoded and folding removed, the
//! address fields' parsed addresses, and bodies converted to UTF-8 from their charset and
//! transfer encoding.
//!
//! | key | looks at |
//! |---|---|
//! | `FROM`/`TO`/`CC`/`BCC s` | the decoded value of every top-level field of that name (display names, addresses and comments alike), and, separately, its addresses as ENVELOPE parses them, written without comments and folding ([`SearchText::addresses`]: `Name <local@domain>`, `Group: <a@b>;`), as RFC 3501 §6.4.4 speaks of "the envelope structure's FROM field" |
//! | `SUBJECT s` | the decoded value of every top-level Subject field with runs of blanks collapsed to one space, as in ENVELOPE (every occurrence, where ENVELOPE shows the last) |
//! | `HEADER f s` | the decoded value, blanks as sent, of every top-level field `f` (name compared ASCII case-insensitively) |
//! | `BODY s` | the decoded text of every text part, nested messages included (other media types are skipped, as RFC 9051 §6.4.4 allows); HTML as mail-model reduces it to text, so markup never matches |
//! | `TEXT s` | all of the above plus every header field as `Name: value` (top-level, MIME and nested-message headers) and attachment file names |
//!
//! A field key with an empty string matches every message that has the field (RFC 9051 says so
//! for HEADER; we apply the same rule to the five field keys, since `""` is a substring of any
//! value). `BODY ""` and `TEXT ""` match every message. A match never spans two header fields or
//! two body parts, nor a field's decoded value and its addresses. TEXT and HEADER read the
//! fields as sent (decoded), not the parsed addresses.

use mail_model::SearchText;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use crate::fold::{Needle, fold};

/// A message's [`SearchText`] with every value the text keys compare folded once ([`fold`]), as
/// a search index stores it: a search then compares folded needles with `str::contains` and
/// never folds a haystack again.
///
/// It answers every text key exactly as the [`SearchText`] it was made from:
/// - field values are folded on their own, and SUBJECT's blank-collapsed value is folded after
///   collapsing (folding can make new blanks, e.g. NBSP becomes a space, so the order matters);
/// - TEXT compares `Name: value` lines; folding keeps concatenation at a starter character
///   (NFKD decomposes each character on its own and reorders only runs of combining marks,
///   which `:` and the space end), so `fold(name) + ": " + fold(value)` is the folded line.
///
/// The search index's oracle test checks this equivalence on 10,000 messages, and the text-key
/// tables of this crate run on both forms.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldedText {
    /// Top-level header fields: (name as sent, folded value).
    pub headers: Vec<(String, String)>,
    /// The address fields' parsed addresses ([`SearchText::addresses`]): (name as sent,
    /// folded search form).
    pub addresses: Vec<(String, String)>,
    /// Every top-level Subject, blanks collapsed, then folded.
    pub subjects: Vec<String>,
    /// Header fields of the other parts: (folded name, folded value).
    pub part_headers: Vec<(String, String)>,
    /// Folded text parts.
    pub bodies: Vec<String>,
    /// Folded attachment file names.
    pub attachment_names: Vec<String>,
}

impl FoldedText {
    /// Folds `text`.
    pub fn new(text: &SearchText) -> FoldedText {
        let fold_all = |v: &[String]| v.iter().map(|s| fold(s)).collect();
        FoldedText {
            headers: text
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), fold(v)))
                .collect(),
            addresses: text
                .addresses
                .iter()
                .map(|(n, v)| (n.clone(), fold(v)))
                .collect(),
            subjects: subject_values(text)
                .map(|v| fold(&collapse_blanks(v)))
                .collect(),
            part_headers: text
                .part_headers
                .iter()
                .map(|(n, v)| (fold(n), fold(v)))
                .collect(),
            bodies: fold_all(&text.bodies),
            attachment_names: fold_all(&text.attachment_names),
        }
    }

    /// The folded strings FROM/TO/CC/BCC `name` compare (`name` as in
    /// [`ADDRESS_FIELDS`](mail_model::ADDRESS_FIELDS)): the
    /// value of every top-level field `name`, then the search form of its addresses. What a
    /// search index cuts into the grams of that key.
    pub fn address_values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        address_values(&self.headers, &self.addresses, name)
    }
}

/// The strings an address key on field `name` compares, decoded or folded alike: the values of
/// the top-level fields `name` (compared ASCII case-insensitively) in `headers`, then their
/// search forms in `addresses`.
fn address_values<'a>(
    headers: &'a [(String, String)],
    addresses: &'a [(String, String)],
    name: &str,
) -> impl Iterator<Item = &'a str> {
    headers
        .iter()
        .chain(addresses)
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The text the keys look at: as decoded, or folded ahead of time.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Text<'a> {
    /// Decoded text, folded at each comparison.
    Decoded(&'a SearchText),
    /// Folded text.
    Folded(&'a FoldedText),
}

fn subject_values(text: &SearchText) -> impl Iterator<Item = &String> {
    text.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("Subject"))
        .map(|(_, v)| v)
}

/// `FROM`/`TO`/`CC`/`BCC`: any top-level field `name`, or the search form of its addresses,
/// holds the string.
pub(crate) fn address(text: Text<'_>, name: &str, raw: &[u8]) -> bool {
    let needle = Needle::new(raw);
    match text {
        Text::Decoded(t) => {
            address_values(&t.headers, &t.addresses, name).any(|v| needle.found_in(v))
        }
        Text::Folded(t) => t.address_values(name).any(|v| needle.found_in_folded(v)),
    }
}

/// `HEADER`: any top-level field `name` holds the string.
pub(crate) fn field(text: Text<'_>, name: &str, raw: &[u8]) -> bool {
    let needle = Needle::new(raw);
    let named = |(n, _): &&(String, String)| n.eq_ignore_ascii_case(name);
    match text {
        Text::Decoded(t) => t
            .headers
            .iter()
            .filter(named)
            .any(|(_, v)| needle.found_in(v)),
        Text::Folded(t) => t
            .headers
            .iter()
            .filter(named)
            .any(|(_, v)| needle.found_in_folded(v)),
    }
}

/// `SUBJECT s`: like [`field`] on `Subject`, but on the value as ENVELOPE shows it ("for
/// humans": runs of blanks collapsed to one space), as Dovecot does. The search string is
/// taken as sent, so `"a  b"` (two spaces) never matches.
pub(crate) fn subject(text: Text<'_>, raw: &[u8]) -> bool {
    let needle = Needle::new(raw);
    match text {
        Text::Decoded(t) => subject_values(t).any(|v| needle.found_in(&collapse_blanks(v))),
        Text::Folded(t) => t.subjects.iter().any(|v| needle.found_in_folded(v)),
    }
}

/// Runs of SP, HTAB, CR and LF become one space; leading and trailing ones go.
fn collapse_blanks(v: &str) -> String {
    v.split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `BODY s`.
pub(crate) fn body(text: Text<'_>, raw: &[u8]) -> bool {
    let needle = Needle::new(raw);
    needle.is_empty()
        || match text {
            Text::Decoded(t) => t.bodies.iter().any(|b| needle.found_in(b)),
            Text::Folded(t) => t.bodies.iter().any(|b| needle.found_in_folded(b)),
        }
}

/// `TEXT s`.
pub(crate) fn any_text(text: Text<'_>, raw: &[u8]) -> bool {
    let needle = Needle::new(raw);
    if needle.is_empty() {
        return true;
    }
    let mut line = String::new();
    match text {
        Text::Decoded(t) => {
            let mut header = |(n, v): &(String, String)| {
                line.clear();
                line.push_str(n);
                line.push_str(": ");
                line.push_str(v);
                needle.found_in(&line)
            };
            t.headers.iter().any(&mut header)
                || t.part_headers.iter().any(&mut header)
                || t.bodies.iter().any(|b| needle.found_in(b))
                || t.attachment_names.iter().any(|a| needle.found_in(a))
        }
        Text::Folded(t) => {
            // Top-level names are kept as sent (HEADER compares them); the others are folded.
            let mut header = |n: &str, v: &str| {
                line.clear();
                line.push_str(n);
                line.push_str(": ");
                line.push_str(v);
                needle.found_in_folded(&line)
            };
            t.headers.iter().any(|(n, v)| header(&fold(n), v))
                || t.part_headers.iter().any(|(n, v)| header(n, v))
                || t.bodies.iter().any(|b| needle.found_in_folded(b))
                || t.attachment_names.iter().any(|a| needle.found_in_folded(a))
        }
    }
}

/// A text key, by what it looks at.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Key<'k> {
    /// FROM/TO/CC/BCC: the top-level fields of this name and their addresses.
    Address(&'k str),
    /// HEADER: the top-level fields of this name.
    Field(&'k str),
    /// SUBJECT.
    Subject,
    /// BODY.
    Body,
    /// TEXT.
    Text,
}

/// The exact (RFC 9051) answer of a text key.
pub(crate) fn exact(text: Text<'_>, key: Key<'_>, raw: &[u8]) -> bool {
    match key {
        Key::Address(name) => address(text, name, raw),
        Key::Field(name) => field(text, name, raw),
        Key::Subject => subject(text, raw),
        Key::Body => body(text, raw),
        Key::Text => any_text(text, raw),
    }
}

/// The distinct character 3-grams of a folded string, in order of first appearance: what the
/// search index indexes, and what FUZZY compares.
pub fn grams(folded: &str) -> Vec<String> {
    let chars: Vec<char> = folded.chars().collect();
    // Linear: a 64 KB needle has 64,000 windows, and comparing each with every gram kept
    // (as this once did) took seconds of CPU per SEARCH (issue 18).
    let mut seen = std::collections::HashSet::new();
    chars
        .windows(3)
        .filter(|w| seen.insert([w[0], w[1], w[2]]))
        .map(|w| w.iter().collect())
        .collect()
}

/// The distinct 3-grams of `s`, as a set to look grams up in.
fn gram_set(s: &str) -> std::collections::HashSet<[char; 3]> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

/// How many of a needle's `n` distinct 3-grams a text must hold for FUZZY to match it without
/// an exact match: three fifths, rounded up (at least one). One typo in a word removes at
/// most three grams, so a typo in a word of ten letters or more still matches.
pub fn fuzzy_min_grams(n: usize) -> usize {
    (3 * n).div_ceil(5).max(1)
}

/// The strings a text key compares, folded: one per field value, address search form,
/// `Name: value` line or part.
fn folded_haystacks<'t>(text: Text<'t>, key: Key<'_>) -> Vec<Cow<'t, str>> {
    let named = |n: &String| match key {
        Key::Field(name) => n.eq_ignore_ascii_case(name),
        _ => false,
    };
    match (text, key) {
        (Text::Decoded(t), Key::Address(name)) => address_values(&t.headers, &t.addresses, name)
            .map(|v| Cow::Owned(fold(v)))
            .collect(),
        (Text::Folded(t), Key::Address(name)) => {
            t.address_values(name).map(Cow::Borrowed).collect()
        }
        (Text::Decoded(t), Key::Field(_)) => t
            .headers
            .iter()
            .filter(|(n, _)| named(n))
            .map(|(_, v)| Cow::Owned(fold(v)))
            .collect(),
        (Text::Folded(t), Key::Field(_)) => t
            .headers
            .iter()
            .filter(|(n, _)| named(n))
            .map(|(_, v)| Cow::Borrowed(v.as_str()))
            .collect(),
        (Text::Decoded(t), Key::Subject) => subject_values(t)
            .map(|v| Cow::Owned(fold(&collapse_blanks(v))))
            .collect(),
        (Text::Folded(t), Key::Subject) => t
            .subjects
            .iter()
            .map(|v| Cow::Borrowed(v.as_str()))
            .collect(),
        (Text::Decoded(t), Key::Body) => t.bodies.iter().map(|b| Cow::Owned(fold(b))).collect(),
        (Text::Folded(t), Key::Body) => {
            t.bodies.iter().map(|b| Cow::Borrowed(b.as_str())).collect()
        }
        (Text::Decoded(t), Key::Text) => t
            .headers
            .iter()
            .chain(&t.part_headers)
            .map(|(n, v)| Cow::Owned(fold(&format!("{n}: {v}"))))
            .chain(
                t.bodies
                    .iter()
                    .chain(&t.attachment_names)
                    .map(|b| Cow::Owned(fold(b))),
            )
            .collect(),
        (Text::Folded(t), Key::Text) => t
            .headers
            .iter()
            .map(|(n, v)| Cow::Owned(format!("{}: {v}", fold(n))))
            .chain(
                t.part_headers
                    .iter()
                    .map(|(n, v)| Cow::Owned(format!("{n}: {v}"))),
            )
            .chain(
                t.bodies
                    .iter()
                    .chain(&t.attachment_names)
                    .map(|b| Cow::Borrowed(b.as_str())),
            )
            .collect(),
    }
}

/// FUZZY (RFC 6203) on a text key, as a relevancy score: 100 for an exact match; otherwise
/// the share (in percent, 1–99) of the needle's distinct 3-grams that appear in what the key
/// looks at, when at least [`fuzzy_min_grams`] of them do; 0 (no match) below that. Needles
/// under three characters have no grams and match only exactly. A key on a field the message
/// lacks never matches.
pub(crate) fn fuzzy_score(text: Text<'_>, key: Key<'_>, raw: &[u8]) -> u8 {
    if exact(text, key, raw) {
        return 100;
    }
    let needle = Needle::new(raw);
    let grams = grams(needle.folded());
    if grams.is_empty() {
        return 0;
    }
    // A needle gram is in a haystack iff it is one of the haystack's grams: one pass over
    // each, not a substring search per needle gram (linear in needle plus text).
    let hay_grams: std::collections::HashSet<[char; 3]> = folded_haystacks(text, key)
        .iter()
        .flat_map(|h| gram_set(h))
        .collect();
    let present = grams
        .iter()
        .filter(|g| {
            let mut c = g.chars();
            match (c.next(), c.next(), c.next()) {
                (Some(a), Some(b), Some(d)) => hay_grams.contains(&[a, b, d]),
                _ => false,
            }
        })
        .count();
    if present < fuzzy_min_grams(grams.len()) {
        return 0;
    }
    (present * 100 / grams.len()).clamp(1, 99) as u8
}
