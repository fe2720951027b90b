//! Parsed-message facts: everything IMAP needs about a message, computed once at APPEND time.
//!
//! ```text
//!  raw octets ──analyze()──▶ MessageFacts ──(store persists the row)
//!      │                      ├─ size, ENVELOPE / BODY / BODYSTRUCTURE wire bytes
//!      │                      ├─ parts: byte ranges per IMAP part number ──▶ section(), binary()
//!      │                      ├─ sort keys, thread fields, preview
//!      └──search_text()──▶ SearchText (large; fed to the search index, not stored in the row)
//! ```
//!
//! The MIME part tree, byte offsets, charset conversion and RFC 2047 decoding come from
//! `mail-parser`. ENVELOPE and BODYSTRUCTURE values are taken from the raw header octets (RFC
//! 9051 §7.5.2 wants them as in the message), with small tokenizers for address lists and
//! Content-* parameters. Where the RFC leaves room we follow Dovecot 2.3, and
//! `tests/dovecot_diff.rs` checks the corpus against a live Dovecot.
//!
//! Nothing here panics on any input, and nesting is bounded by [`MAX_DEPTH`], so hostile
//! messages cannot exhaust the stack.
//!
//! The store persists [`MessageFacts`] (serde) per message. [`SearchText`] is not persisted in
//! the message row: it is indexed and can be rebuilt from the body with [`search_text`].

mod address;
mod bodystructure;
pub mod date;
mod decode;
mod envelope;
mod header;
mod mime_fields;
mod preview;
mod search_text;
mod sections;
mod sort;
mod tree;

use std::borrow::Cow;

use imap_proto::command::Section;
use imap_proto::write::WriteOptions;
use serde::{Deserialize, Serialize};

pub use decode::{Coding, Decoder};
pub use preview::PREVIEW_CHARS;
pub use search_text::{ADDRESS_FIELDS, SearchText, search_text};
pub use sections::{
    BinaryError, PartFacts, SectionSource, Span, TransferEncoding, filter, find, partial,
};
pub use sort::{SortKeys, ThreadFields, base_subject, base_subject_parts, casemap};
pub use tree::{MAX_DEPTH, MAX_PARTS};

/// The per-message facts the store keeps next to the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageFacts {
    /// RFC822.SIZE: the length of the raw message in octets.
    pub size: u64,
    /// ENVELOPE wire bytes (`(…)`), written with `WriteOptions::SERVER_REV1`: 8-bit header text
    /// is sent as literals, valid in IMAP4rev1 and IMAP4rev2 alike.
    pub envelope: Vec<u8>,
    /// BODY (non-extensible BODYSTRUCTURE) wire bytes.
    pub body: Vec<u8>,
    /// BODYSTRUCTURE wire bytes, with extension data (MD5, disposition, language, location).
    pub bodystructure: Vec<u8>,
    /// Every addressable part, the whole message first (empty path).
    pub parts: Vec<PartFacts>,
    /// SORT keys.
    pub sort: SortKeys,
    /// THREAD fields.
    pub thread: ThreadFields,
    /// PREVIEW text (RFC 8970), at most [`PREVIEW_CHARS`] characters.
    pub preview: String,
}

/// The first byte of facts stored by [`MessageFacts::encode`]: format 1, postcard. Facts
/// stored earlier are JSON, which starts with `{`.
const FACTS_V1: u8 = 1;

impl MessageFacts {
    /// The stored form of the facts: a format byte, then postcard. JSON (the first format)
    /// wrote every byte of the ENVELOPE and BODYSTRUCTURE wire text as a decimal number in a
    /// list, about four times the size, and decoding it was a measurable share of FETCH and
    /// SEARCH (issue 16); postcard writes byte strings as they are.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![FACTS_V1];
        // Serialising into a Vec cannot fail for these types (no maps, no unsized sequences).
        out.extend(postcard::to_stdvec(self).unwrap_or_default());
        out
    }

    /// Facts as [`encode`](Self::encode) stored them, or as JSON (the format before it);
    /// `None` when they cannot be read (the caller computes them again from the octets).
    pub fn decode(stored: &[u8]) -> Option<MessageFacts> {
        match stored.first()? {
            &FACTS_V1 => postcard::from_bytes(&stored[1..]).ok(),
            b'{' => serde_json::from_slice(stored).ok(),
            _ => None,
        }
    }
}

/// Computes the facts of `raw`. Never panics: garbage gives a message whose header is
/// everything up to the first blank line (or the whole input) and whose body is text/plain.
pub fn analyze(raw: &[u8]) -> MessageFacts {
    // One mail-parser pass gives the part tree and the preview text.
    let parsed = tree::parse(raw);
    let root = tree::build_from(raw, parsed.as_ref());
    let preview = parsed.as_ref().map(preview::preview).unwrap_or_default();
    if let Some(m) = parsed {
        tree::dismantle(m);
    }
    let header = raw.get(root.header.0..root.header.1).unwrap_or_default();
    let env = envelope::envelope(header);
    let structure = bodystructure::structure(raw, &root);
    let opts = WriteOptions::SERVER_REV1;

    let h = header::Header::new(header);
    // SORT uses the first Subject and Date, as Dovecot does (RFC 5322 §3.6 allows only one).
    let first = |name: &str| {
        h.fields
            .iter()
            .find(|f| h.name(f).eq_ignore_ascii_case(name.as_bytes()))
            .map(|f| header::unfold(h.raw_value(f)))
    };
    let subject = first("Subject")
        .map(|s| sort::decode_2047(&s))
        .unwrap_or_default();
    let sent_date = first("Date").and_then(|d| date::parse(&d));
    let ids = |name: &str| h.last(name).map(|v| sort::msg_ids(&v)).unwrap_or_default();
    MessageFacts {
        size: raw.len() as u64,
        envelope: envelope::wire(&env, opts),
        body: bodystructure::wire(&structure, false, opts),
        bodystructure: bodystructure::wire(&structure, true, opts),
        parts: sections::number(raw, &root),
        sort: SortKeys {
            subject: base_subject(&subject),
            from: sort::first_mailbox(&env.from),
            to: sort::first_mailbox(&env.to),
            cc: sort::first_mailbox(&env.cc),
            display_from: sort::display(&env.from),
            display_to: sort::display(&env.to),
            sent_date,
        },
        thread: ThreadFields {
            message_id: ids("Message-ID").into_iter().next(),
            in_reply_to: ids("In-Reply-To"),
            references: ids("References"),
        },
        preview,
    }
}

/// The octets of a FETCH `BODY[section]` (RFC 9051 §6.4.5), without re-parsing: `None` when the
/// part does not exist or the section does not apply to it. Apply `<offset.length>` with
/// [`partial`].
pub fn section<'a>(
    raw: &'a [u8],
    facts: &MessageFacts,
    section: &Section,
) -> Option<Cow<'a, [u8]>> {
    sections::section(raw, &facts.parts, section)
}

/// Where the octets of FETCH `BODY[section]` are in the message, so that a large one can be
/// read from storage in pieces ([`section`] is the same, given the octets).
pub fn section_source(facts: &MessageFacts, section: &Section) -> SectionSource {
    sections::section_source(&facts.parts, facts.size, section)
}

/// Where the octets of FETCH `BINARY[part]` are in the message and how they decode ([`binary`]
/// is the same, given the octets): a large part is decoded as it is read ([`Decoder`]).
pub fn binary_source(facts: &MessageFacts, part: &[u32]) -> Result<(Span, Coding), BinaryError> {
    sections::binary_source(&facts.parts, facts.size, part)
}

/// How many leading octets of the message answer [`section`] of `section` as the whole message
/// does: reading only that prefix of a large message is enough for its header fields or its
/// first parts. The message's size for `BODY[]` and `BODY[TEXT]`; 0 when the section answers
/// NIL.
pub fn section_end(facts: &MessageFacts, section: &Section) -> u64 {
    sections::section_end(&facts.parts, facts.size, section)
}

/// Like [`section_end`] for [`binary`] of `part`.
pub fn binary_end(facts: &MessageFacts, part: &[u32]) -> u64 {
    sections::binary_end(&facts.parts, facts.size, part)
}

/// The decoded octets of a FETCH `BINARY[part]` (RFC 3516): base64 and quoted-printable are
/// decoded; any other encoding than 7bit/8bit/binary is [`BinaryError::UnknownCte`], which the
/// server answers with `NO [UNKNOWN-CTE]`.
pub fn binary<'a>(
    raw: &'a [u8],
    facts: &MessageFacts,
    part: &[u32],
) -> Result<Cow<'a, [u8]>, BinaryError> {
    sections::binary(raw, &facts.parts, part)
}

#[cfg(test)]
#[path = "hostile_test.rs"]
mod hostile_test;
