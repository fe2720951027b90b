//! The FETCH response and its data items (RFC 9051 §7.5.2, RFC 3501 §7.4.2 for the RFC822
//! items, RFC 3516 BINARY, RFC 7162 MODSEQ, RFC 8474 EMAILID/THREADID, RFC 8514 SAVEDATE,
//! RFC 8970 PREVIEW).
//!
//! ```text
//! message-data    = nz-number SP "FETCH" SP msg-att
//! msg-att         = "(" (msg-att-dynamic / msg-att-static) *(SP …) ")"
//! msg-att-static  =/ "BODY" section ["<" number ">"] SP nstring
//!                  / "BINARY" section-binary SP (nstring / literal8)
//!                  / "BINARY.SIZE" section-binary SP number
//! fetch-mod-resp  = "MODSEQ" SP "(" permsg-modsequence ")"
//! ```

use super::{BodyStructure, Envelope, flag_list, object_id, sp_list};
use crate::command::{Section, SectionText};
use crate::types::{DateTime, Flag, IString};
use crate::write::Writer;

/// The data of a FETCH response: a message's sequence number and the items returned for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchResponse {
    /// Message sequence number (never a UID; UIDs go in [`FetchItem::Uid`]).
    pub seq: u32,
    /// Items, written in this order. The grammar wants at least one.
    pub items: Vec<FetchItem>,
}

/// One FETCH data item with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchItem {
    /// `FLAGS (…)`; `\Recent` is allowed here (`flag-fetch`).
    Flags(Vec<Flag>),
    /// `ENVELOPE (…)`
    Envelope(Box<Envelope>),
    /// `INTERNALDATE "…"`
    InternalDate(DateTime),
    /// `RFC822.SIZE n`
    Rfc822Size(u64),
    /// `RFC822 nstring` (IMAP4rev1): the whole message.
    Rfc822(Option<IString>),
    /// `RFC822.HEADER nstring` (IMAP4rev1)
    Rfc822Header(Option<IString>),
    /// `RFC822.TEXT nstring` (IMAP4rev1)
    Rfc822Text(Option<IString>),
    /// `BODY (…)`: the structure without extension data.
    Body(Box<BodyStructure>),
    /// `BODYSTRUCTURE (…)`: the structure with extension data.
    BodyStructure(Box<BodyStructure>),
    /// `BODY[section]<origin> nstring`. The section is written back as the client asked for it.
    BodySection {
        /// The section asked for.
        section: Section,
        /// `<origin>`: the first octet's offset, present only if the client asked for a range.
        origin: Option<u64>,
        /// The octets; `None` is `NIL`. NUL octets cannot be sent here (use BINARY).
        data: Option<IString>,
    },
    /// `BINARY[part]<origin>`: decoded content, as `literal8` when it holds NUL, else as a
    /// string (RFC 3516 §4.3).
    Binary {
        /// Part numbers; empty for the whole message.
        part: Vec<u32>,
        /// `<origin>`, as for [`FetchItem::BodySection`].
        origin: Option<u64>,
        /// The decoded octets; `None` is `NIL`.
        data: Option<IString>,
    },
    /// `BINARY.SIZE[part] n`
    BinarySize {
        /// Part numbers; empty for the whole message.
        part: Vec<u32>,
        /// Decoded size in octets.
        size: u32,
    },
    /// `UID n`
    Uid(u32),
    /// `MODSEQ (n)`
    ModSeq(u64),
    /// `EMAILID (id)`
    EmailId(String),
    /// `THREADID (id)` or `THREADID NIL`
    ThreadId(Option<String>),
    /// `SAVEDATE "…"` or `SAVEDATE NIL`
    SaveDate(Option<DateTime>),
    /// `PREVIEW nstring`: up to 256 characters of UTF-8 text (RFC 8970 §3).
    Preview(Option<IString>),
    /// `name value` where the value was serialized earlier by this crate's own [`Writer`] (in
    /// IMAP4rev1 form, valid in every mode): ENVELOPE, BODY and BODYSTRUCTURE computed once at
    /// APPEND and stored, so FETCH never re-parses a message.
    Prewritten {
        /// `ENVELOPE`, `BODY` or `BODYSTRUCTURE`.
        name: &'static str,
        /// The value's wire bytes.
        wire: IString,
    },
}

impl FetchResponse {
    pub(super) fn write(&self, w: &mut Writer) {
        w.num(self.seq as u64).raw(b" FETCH (");
        sp_list(w, &self.items, |w, item| item.write(w));
        w.raw(b")");
    }
}

/// A FETCH response written piece by piece, so that large octets need not be held in memory:
/// items as usual, and [`StreamedItem`]s whose octets the caller writes itself, in as many
/// pieces as it likes, right after their head. The bytes are those of the [`FetchResponse`]
/// with the same items.
///
/// ```text
///  start(seq)  ─▶ "* 7 FETCH ("
///  item(UID 9) ─▶ "UID 9"
///  streamed    ─▶ " BODY[] {1048576}\r\n"   then the caller's 1048576 octets
///  end         ─▶ ")\r\n"
/// ```
#[derive(Debug)]
pub struct FetchWriter {
    first: bool,
}

impl FetchWriter {
    /// Writes `* seq FETCH (`.
    pub fn start(w: &mut Writer, seq: u32) -> FetchWriter {
        w.raw(b"* ").num(seq as u64).raw(b" FETCH (");
        FetchWriter { first: true }
    }

    fn separate(&mut self, w: &mut Writer) {
        if !std::mem::take(&mut self.first) {
            w.sp();
        }
    }

    /// Writes one item.
    pub fn item(&mut self, w: &mut Writer, item: &FetchItem) {
        self.separate(w);
        item.write(w);
    }

    /// Writes the head of a streamed item, up to and including its literal's CRLF: exactly
    /// `item.len` octets must follow before anything else is written.
    pub fn streamed(&mut self, w: &mut Writer, item: &StreamedItem) {
        self.separate(w);
        match &item.kind {
            StreamedKind::Rfc822 => {
                w.raw(b"RFC822");
            }
            StreamedKind::Rfc822Header => {
                w.raw(b"RFC822.HEADER");
            }
            StreamedKind::Rfc822Text => {
                w.raw(b"RFC822.TEXT");
            }
            StreamedKind::Body(section) => body_name(w, section, item.origin),
            StreamedKind::Binary(part) => binary_name(w, part, item.origin),
        }
        w.sp();
        // BINARY may always be a literal8 (RFC 3516 §8: `nstring / literal8`): the octets
        // need not be scanned for NUL before the head is written.
        w.literal_header(item.len, matches!(item.kind, StreamedKind::Binary(_)));
    }

    /// Writes `)` CRLF.
    pub fn end(self, w: &mut Writer) {
        w.raw(b")").crlf();
    }
}

/// A FETCH item whose octets follow its head as a literal written by the caller
/// ([`FetchWriter::streamed`]): a body section read from storage in chunks. A BODY section
/// is a `literal`, whose octets must not hold NUL (the caller replaces them); a BINARY one is
/// a `literal8`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamedItem {
    /// Which item.
    pub kind: StreamedKind,
    /// `<origin>`, as for [`FetchItem::BodySection`] (BODY and BINARY only: the RFC822 items
    /// have none).
    pub origin: Option<u64>,
    /// How many octets follow the head.
    pub len: u64,
}

/// The name of a [`StreamedItem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamedKind {
    /// `RFC822`
    Rfc822,
    /// `RFC822.HEADER`
    Rfc822Header,
    /// `RFC822.TEXT`
    Rfc822Text,
    /// `BODY[section]`, written back as the client asked for it.
    Body(Section),
    /// `BINARY[part]`
    Binary(Vec<u32>),
}

impl FetchItem {
    fn write(&self, w: &mut Writer) {
        match self {
            FetchItem::Prewritten { name, wire } => {
                w.raw(name.as_bytes()).sp().raw(wire);
            }
            FetchItem::Flags(flags) => {
                w.raw(b"FLAGS ");
                flag_list(w, flags);
            }
            FetchItem::Envelope(e) => {
                w.raw(b"ENVELOPE ");
                e.write(w);
            }
            FetchItem::InternalDate(d) => {
                w.raw(b"INTERNALDATE ").date_time(d);
            }
            FetchItem::Rfc822Size(n) => {
                w.raw(b"RFC822.SIZE ").num(*n);
            }
            FetchItem::Rfc822(data) => {
                w.raw(b"RFC822 ").nstring(data.as_deref());
            }
            FetchItem::Rfc822Header(data) => {
                w.raw(b"RFC822.HEADER ").nstring(data.as_deref());
            }
            FetchItem::Rfc822Text(data) => {
                w.raw(b"RFC822.TEXT ").nstring(data.as_deref());
            }
            FetchItem::Body(b) => {
                w.raw(b"BODY ");
                b.serialize(w, false);
            }
            FetchItem::BodyStructure(b) => {
                w.raw(b"BODYSTRUCTURE ");
                b.serialize(w, true);
            }
            FetchItem::BodySection {
                section,
                origin,
                data,
            } => {
                body_name(w, section, *origin);
                w.sp().nstring(data.as_deref());
            }
            FetchItem::Binary { part, origin, data } => {
                binary_name(w, part, *origin);
                w.sp();
                match data {
                    Some(d) if d.contains(&0) => {
                        w.literal8(d);
                    }
                    d => {
                        w.nstring(d.as_deref());
                    }
                }
            }
            FetchItem::BinarySize { part, size } => {
                w.raw(b"BINARY.SIZE[");
                part_numbers(w, part);
                w.raw(b"] ").num(*size as u64);
            }
            FetchItem::Uid(n) => {
                w.raw(b"UID ").num(*n as u64);
            }
            FetchItem::ModSeq(n) => {
                w.raw(b"MODSEQ (").num(*n).raw(b")");
            }
            FetchItem::EmailId(id) => {
                w.raw(b"EMAILID (");
                object_id(w, id);
                w.raw(b")");
            }
            FetchItem::ThreadId(id) => {
                w.raw(b"THREADID ");
                match id {
                    Some(id) => {
                        w.raw(b"(");
                        object_id(w, id);
                        w.raw(b")");
                    }
                    None => {
                        w.raw(b"NIL");
                    }
                }
            }
            FetchItem::SaveDate(d) => {
                w.raw(b"SAVEDATE ");
                match d {
                    Some(d) => w.date_time(d),
                    None => w.raw(b"NIL"),
                };
            }
            FetchItem::Preview(p) => {
                w.raw(b"PREVIEW ").nstring(p.as_deref());
            }
        }
    }
}

/// `BODY[section]<origin>`, of a whole or a streamed item.
fn body_name(w: &mut Writer, section: &Section, origin: Option<u64>) {
    w.raw(b"BODY[");
    section_spec(w, section);
    w.raw(b"]");
    write_origin(w, origin);
}

/// `BINARY[part]<origin>`, of a whole or a streamed item.
fn binary_name(w: &mut Writer, part: &[u32], origin: Option<u64>) {
    w.raw(b"BINARY[");
    part_numbers(w, part);
    w.raw(b"]");
    write_origin(w, origin);
}

/// `<origin>`.
fn write_origin(w: &mut Writer, origin: Option<u64>) {
    if let Some(o) = origin {
        w.raw(b"<").num(o).raw(b">");
    }
}

/// `1.2.3`.
fn part_numbers(w: &mut Writer, part: &[u32]) {
    for (i, n) in part.iter().enumerate() {
        if i > 0 {
            w.raw(b".");
        }
        w.num(*n as u64);
    }
}

/// `section-spec`: `1.2.HEADER.FIELDS (FROM TO)`, `TEXT`, `3.MIME`, or nothing.
fn section_spec(w: &mut Writer, s: &Section) {
    part_numbers(w, &s.part);
    let Some(text) = &s.text else { return };
    if !s.part.is_empty() {
        w.raw(b".");
    }
    match text {
        SectionText::Header => {
            w.raw(b"HEADER");
        }
        SectionText::Text => {
            w.raw(b"TEXT");
        }
        SectionText::Mime => {
            w.raw(b"MIME");
        }
        SectionText::HeaderFields { not, fields } => {
            w.raw(if *not {
                b"HEADER.FIELDS.NOT ("
            } else {
                b"HEADER.FIELDS ("
            });
            sp_list(w, fields, |w, f| {
                w.astring(f.as_bytes());
            });
            w.raw(b")");
        }
    }
}

#[cfg(test)]
#[path = "fetch_test.rs"]
mod tests;
