//! `[UID] FETCH set items [modifiers]` (RFC 9051 §6.4.5): the data items, their sections and
//! partials, RFC 3516 BINARY, the RFC 7162 CHANGEDSINCE/VANISHED modifiers, RFC 8474
//! EMAILID/THREADID, RFC 8514 SAVEDATE and RFC 8970 PREVIEW.
//!
//! [`Section`] is also what a `BODY[section]` FETCH response names, so the response serializer
//! uses it too.

use crate::command::CommandBody;
use crate::error::ErrorKind;
use crate::parser::{PResult, Parser};
use crate::types::SequenceSet;
use crate::write::Writer;

/// What a FETCH asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchItems {
    /// `ALL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`
    All,
    /// `FAST` = `(FLAGS INTERNALDATE RFC822.SIZE)`
    Fast,
    /// `FULL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`
    Full,
    /// An explicit list (a single attribute is a list of one).
    Attrs(Vec<FetchAttr>),
}

impl FetchItems {
    /// The attributes a macro stands for (RFC 9051 §6.4.5).
    pub fn expand(&self) -> Vec<FetchAttr> {
        use FetchAttr::*;
        match self {
            FetchItems::All => vec![Flags, InternalDate, Rfc822Size, Envelope],
            FetchItems::Fast => vec![Flags, InternalDate, Rfc822Size],
            FetchItems::Full => vec![Flags, InternalDate, Rfc822Size, Envelope, Body],
            FetchItems::Attrs(a) => a.clone(),
        }
    }
}

/// A FETCH data item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchAttr {
    /// `ENVELOPE`
    Envelope,
    /// `FLAGS`
    Flags,
    /// `INTERNALDATE`
    InternalDate,
    /// `RFC822.SIZE`
    Rfc822Size,
    /// `RFC822` (IMAP4rev1)
    Rfc822,
    /// `RFC822.HEADER` (IMAP4rev1)
    Rfc822Header,
    /// `RFC822.TEXT` (IMAP4rev1)
    Rfc822Text,
    /// `BODY` (non-extensible BODYSTRUCTURE)
    Body,
    /// `BODYSTRUCTURE`
    BodyStructure,
    /// `UID`
    Uid,
    /// `BODY[section]<partial>` or `BODY.PEEK[…]`
    BodySection {
        /// `.PEEK`: do not set `\Seen`.
        peek: bool,
        /// Which part.
        section: Section,
        /// `<offset.length>`
        partial: Option<(u64, u64)>,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[…]` (RFC 3516)
    Binary {
        /// `.PEEK`
        peek: bool,
        /// Part numbers (empty for the whole message).
        part: Vec<u32>,
        /// `<offset.length>`
        partial: Option<(u64, u64)>,
    },
    /// `BINARY.SIZE[part]`
    BinarySize {
        /// Part numbers.
        part: Vec<u32>,
    },
    /// `MODSEQ` (RFC 7162)
    ModSeq,
    /// `EMAILID` (RFC 8474)
    EmailId,
    /// `THREADID` (RFC 8474)
    ThreadId,
    /// `SAVEDATE` (RFC 8514)
    SaveDate,
    /// `PREVIEW` or `PREVIEW (LAZY)` (RFC 8970)
    Preview {
        /// `LAZY` modifier.
        lazy: bool,
    },
}

/// `section-spec`: part numbers plus what of the part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Section {
    /// `1.2.3`; empty for the whole message.
    pub part: Vec<u32>,
    /// `HEADER`, `TEXT`, `MIME`…; `None` for the part's body.
    pub text: Option<SectionText>,
}

/// `section-msgtext / "MIME"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SectionText {
    /// `HEADER`
    Header,
    /// `HEADER.FIELDS (…)` or `HEADER.FIELDS.NOT (…)`.
    HeaderFields {
        /// `.NOT`
        not: bool,
        /// Field names as sent.
        fields: Vec<String>,
    },
    /// `TEXT`
    Text,
    /// `MIME` (only after a part number).
    Mime,
}

/// FETCH modifiers (RFC 7162).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchModifiers {
    /// `CHANGEDSINCE n`
    pub changed_since: Option<u64>,
    /// `VANISHED` (UID FETCH only, with CHANGEDSINCE).
    pub vanished: bool,
}

// ---------- parser ----------

/// `fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
/// "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]`
pub(crate) fn parse_fetch(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let set = p.seq_set()?;
    p.sp()?;
    let items = if p.peek() == Some(b'(') {
        FetchItems::Attrs(p.list(1, attr)?)
    } else if p.eat_word("ALL") {
        FetchItems::All
    } else if p.eat_word("FAST") {
        FetchItems::Fast
    } else if p.eat_word("FULL") {
        FetchItems::Full
    } else {
        FetchItems::Attrs(vec![attr(p)?])
    };
    let mut modifiers = FetchModifiers::default();
    if p.eat_sp() {
        p.list(1, |p| {
            match p.keyword()?.as_str() {
                "CHANGEDSINCE" if modifiers.changed_since.is_none() => {
                    p.sp()?;
                    modifiers.changed_since = Some(p.nz_number64()?);
                }
                "VANISHED" if !modifiers.vanished => modifiers.vanished = true,
                o => {
                    return Err(ErrorKind::Syntax(format!(
                        "unknown or repeated FETCH modifier {o}"
                    )));
                }
            }
            Ok(())
        })?;
        // RFC 7162 §3.2.6: VANISHED only in UID FETCH, and only together with CHANGEDSINCE.
        if modifiers.vanished && !(uid && modifiers.changed_since.is_some()) {
            return Err(ErrorKind::Syntax(
                "VANISHED needs UID FETCH and CHANGEDSINCE".into(),
            ));
        }
    }
    Ok(CommandBody::Fetch {
        uid,
        set,
        items,
        modifiers,
    })
}

/// One `fetch-att`.
fn attr(p: &mut Parser<'_>) -> PResult<FetchAttr> {
    use FetchAttr::*;
    let k = p.keyword()?;
    Ok(match k.as_str() {
        "ENVELOPE" => Envelope,
        "FLAGS" => Flags,
        "INTERNALDATE" => InternalDate,
        "RFC822.SIZE" => Rfc822Size,
        "RFC822" => Rfc822,
        "RFC822.HEADER" => Rfc822Header,
        "RFC822.TEXT" => Rfc822Text,
        "BODYSTRUCTURE" => BodyStructure,
        "UID" => Uid,
        "MODSEQ" => ModSeq,
        "EMAILID" => EmailId,
        "THREADID" => ThreadId,
        "SAVEDATE" => SaveDate,
        "BODY" if p.peek() != Some(b'[') => Body,
        "BODY" | "BODY.PEEK" => {
            let section = section(p)?;
            BodySection {
                peek: k == "BODY.PEEK",
                section,
                partial: partial(p)?,
            }
        }
        "BINARY" | "BINARY.PEEK" => {
            let part = binary_part(p)?;
            Binary {
                peek: k == "BINARY.PEEK",
                part,
                partial: partial(p)?,
            }
        }
        "BINARY.SIZE" => BinarySize {
            part: binary_part(p)?,
        },
        "PREVIEW" => {
            // RFC 8970 §7: "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"]
            let mut lazy = false;
            // A lone `PREVIEW (…)` is ambiguous with FETCH modifiers: the list is PREVIEW's
            // only if it starts with its one modifier, LAZY.
            let rest = p.rest();
            let lazy_next = rest.len() >= 6
                && rest[..6].eq_ignore_ascii_case(b" (LAZY")
                && matches!(rest.get(6), Some(b' ' | b')'));
            if lazy_next {
                p.sp()?;
                p.list(1, |p| match p.keyword()?.as_str() {
                    "LAZY" => {
                        lazy = true;
                        Ok(())
                    }
                    o => Err(ErrorKind::Syntax(format!("unknown PREVIEW modifier {o}"))),
                })?;
            }
            Preview { lazy }
        }
        other => return Err(ErrorKind::Syntax(format!("unknown FETCH item {other}"))),
    })
}

/// `section-part = nz-number *("." nz-number)`; leaves a trailing `.` that precedes text.
fn part_numbers(p: &mut Parser<'_>) -> PResult<Vec<u32>> {
    let mut part = Vec::new();
    while p.peek().is_some_and(|b| b.is_ascii_digit()) {
        part.push(p.nz_number()?);
        // A `.` continues the part only when a number follows; before `HEADER`, `TEXT` or
        // `MIME` it is the section's, and stays for the caller.
        if !matches!(p.rest(), [b'.', d, ..] if d.is_ascii_digit()) {
            break;
        }
        p.eat(b'.');
    }
    Ok(part)
}

/// `section = "[" [section-spec] "]"`
fn section(p: &mut Parser<'_>) -> PResult<Section> {
    p.byte(b'[', "'['")?;
    let part = part_numbers(p)?;
    if !part.is_empty() && !p.eat(b'.') {
        p.byte(b']', "']'")?;
        return Ok(Section { part, text: None });
    }
    if p.eat(b']') {
        return Ok(Section { part, text: None });
    }
    let text = match p.keyword()?.as_str() {
        "HEADER" => SectionText::Header,
        "TEXT" => SectionText::Text,
        "MIME" if !part.is_empty() => SectionText::Mime,
        k @ ("HEADER.FIELDS" | "HEADER.FIELDS.NOT") => {
            p.sp()?;
            let fields = p.list(1, |p| p.astring_text())?;
            SectionText::HeaderFields {
                not: k.ends_with(".NOT"),
                fields,
            }
        }
        o => return Err(ErrorKind::Syntax(format!("unknown section text {o}"))),
    };
    p.byte(b']', "']'")?;
    Ok(Section {
        part,
        text: Some(text),
    })
}

/// `section-binary = "[" [section-part] "]"`
fn binary_part(p: &mut Parser<'_>) -> PResult<Vec<u32>> {
    p.byte(b'[', "'['")?;
    let part = part_numbers(p)?;
    p.byte(b']', "']'")?;
    Ok(part)
}

/// `partial = "<" number64 "." nz-number64 ">"`
fn partial(p: &mut Parser<'_>) -> PResult<Option<(u64, u64)>> {
    if !p.eat(b'<') {
        return Ok(None);
    }
    let offset = p.number64()?;
    p.byte(b'.', "'.'")?;
    let len = p.nz_number64()?;
    p.byte(b'>', "'>'")?;
    Ok(Some((offset, len)))
}

// ---------- encoder ----------

/// ` set items [(modifiers)]`
pub(crate) fn encode_fetch<'w>(
    set: &SequenceSet,
    items: &FetchItems,
    modifiers: &FetchModifiers,
    w: &'w mut Writer,
) -> &'w mut Writer {
    let w = fetch_items(items, w.sp().seq_set(set).sp());
    fetch_modifiers(modifiers, w)
}

/// A macro, one attribute plain, or a parenthesised list. A lone `PREVIEW` is still put in
/// parentheses: in `FETCH 1 PREVIEW (…)` the list could be its modifiers or the FETCH modifiers.
fn fetch_items<'w>(items: &FetchItems, w: &'w mut Writer) -> &'w mut Writer {
    match items {
        FetchItems::All => w.raw(b"ALL"),
        FetchItems::Fast => w.raw(b"FAST"),
        FetchItems::Full => w.raw(b"FULL"),
        FetchItems::Attrs(attrs) => match attrs.as_slice() {
            [one] if !matches!(one, FetchAttr::Preview { .. }) => fetch_attr(one, w),
            many => {
                w.raw(b"(");
                for (i, a) in many.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    fetch_attr(a, w);
                }
                w.raw(b")")
            }
        },
    }
}

fn fetch_attr<'w>(a: &FetchAttr, w: &'w mut Writer) -> &'w mut Writer {
    use FetchAttr::*;
    match a {
        Envelope => w.raw(b"ENVELOPE"),
        Flags => w.raw(b"FLAGS"),
        InternalDate => w.raw(b"INTERNALDATE"),
        Rfc822Size => w.raw(b"RFC822.SIZE"),
        Rfc822 => w.raw(b"RFC822"),
        Rfc822Header => w.raw(b"RFC822.HEADER"),
        Rfc822Text => w.raw(b"RFC822.TEXT"),
        Body => w.raw(b"BODY"),
        BodyStructure => w.raw(b"BODYSTRUCTURE"),
        Uid => w.raw(b"UID"),
        BodySection {
            peek,
            section: s,
            partial: p,
        } => {
            w.raw(if *peek {
                b"BODY.PEEK[".as_slice()
            } else {
                b"BODY["
            });
            write_partial(*p, write_section(s, w).raw(b"]"))
        }
        Binary {
            peek,
            part,
            partial: p,
        } => {
            w.raw(if *peek {
                b"BINARY.PEEK[".as_slice()
            } else {
                b"BINARY["
            });
            write_partial(*p, section_part(part, w).raw(b"]"))
        }
        BinarySize { part } => section_part(part, w.raw(b"BINARY.SIZE[")).raw(b"]"),
        ModSeq => w.raw(b"MODSEQ"),
        EmailId => w.raw(b"EMAILID"),
        ThreadId => w.raw(b"THREADID"),
        SaveDate => w.raw(b"SAVEDATE"),
        Preview { lazy: false } => w.raw(b"PREVIEW"),
        Preview { lazy: true } => w.raw(b"PREVIEW (LAZY)"),
    }
}

/// `section-part`: `1.2.3`, nothing for the whole message.
fn section_part<'w>(part: &[u32], w: &'w mut Writer) -> &'w mut Writer {
    for (i, n) in part.iter().enumerate() {
        if i > 0 {
            w.raw(b".");
        }
        w.num(*n as u64);
    }
    w
}

/// `section-spec` without the brackets.
fn write_section<'w>(s: &Section, w: &'w mut Writer) -> &'w mut Writer {
    section_part(&s.part, w);
    let Some(text) = &s.text else { return w };
    if !s.part.is_empty() {
        w.raw(b".");
    }
    match text {
        SectionText::Header => w.raw(b"HEADER"),
        SectionText::Text => w.raw(b"TEXT"),
        SectionText::Mime => w.raw(b"MIME"),
        SectionText::HeaderFields { not, fields } => {
            w.raw(if *not {
                b"HEADER.FIELDS.NOT (".as_slice()
            } else {
                b"HEADER.FIELDS ("
            });
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.astring(f.as_bytes());
            }
            w.raw(b")")
        }
    }
}

/// `<offset.length>` when given.
fn write_partial(p: Option<(u64, u64)>, w: &mut Writer) -> &mut Writer {
    match p {
        Some((offset, len)) => w.raw(b"<").num(offset).raw(b".").num(len).raw(b">"),
        None => w,
    }
}

/// ` (CHANGEDSINCE n VANISHED)` when any modifier is set (RFC 7162).
fn fetch_modifiers<'w>(m: &FetchModifiers, w: &'w mut Writer) -> &'w mut Writer {
    if m.changed_since.is_none() && !m.vanished {
        return w;
    }
    w.raw(b" (");
    if let Some(n) = m.changed_since {
        w.raw(b"CHANGEDSINCE ").num(n);
        if m.vanished {
            w.sp();
        }
    }
    if m.vanished {
        w.raw(b"VANISHED");
    }
    w.raw(b")")
}

#[cfg(test)]
#[path = "fetch_test.rs"]
mod tests;
