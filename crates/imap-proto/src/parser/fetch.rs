//! `[UID] FETCH set items [modifiers]`: RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162
//! CHANGEDSINCE/VANISHED, RFC 8474 EMAILID/THREADID, RFC 8514 SAVEDATE, RFC 8970 PREVIEW.

use super::{PResult, Parser};
use crate::command::{CommandBody, FetchAttr, FetchItems, FetchModifiers, Section, SectionText};
use crate::error::ErrorKind;

pub(super) fn parse(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
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
    if p.eat(b' ') {
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
            let rest = &p.s[p.pos..];
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
        let save = p.pos;
        if !(p.eat(b'.') && p.peek().is_some_and(|b| b.is_ascii_digit())) {
            p.pos = save;
            break;
        }
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
