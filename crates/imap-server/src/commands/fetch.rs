//! FETCH / UID FETCH (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 8474, RFC 8514, RFC 8970):
//! metadata items come from the store's records and the facts computed at APPEND; body
//! sections are cut from the body without re-parsing it. Responses are sent as they are made
//! (message by message, large items chunk by chunk: `large.rs`), so memory per command stays
//! bounded whatever the range, the items or the message sizes.

use crate::context::SelectedCtx;
use crate::flags::imap_flags;
use crate::large::{self, Sized};
use crate::messages::{Octets, binary_reply, no_facts, resolve, view_records};
use crate::reply::{CommandError, Outcome, Reply};
use crate::updates::announce;
use bytes::Bytes;
use imap_proto::command::{FetchAttr, FetchItems, FetchModifiers, Section, SectionText};
use imap_proto::response::{Code, FetchItem, FetchWriter, Response};
use imap_proto::types::{DateTime, SequenceSet};
use mail_model::{Coding, Decoder, MessageFacts, SectionSource};
use store::{FlagOp, FlagUpdate, Flags, MessageRecord};

/// Responses queued past this many octets are sent before the next message is read.
const DRAIN_AT: usize = 256 * 1024;

/// Rows read from the store at once: the facts of a `FETCH 1:*` over 100,000 messages are not
/// held together.
const ROWS_PER_READ: usize = 512;

/// What answering a FETCH reads from storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// UID, FLAGS, MODSEQ only: the session's view holds them.
    View,
    /// Also the message row (INTERNALDATE, RFC822.SIZE, EMAILID, SAVEDATE, THREADID).
    Record,
    /// Also the stored facts (ENVELOPE, BODYSTRUCTURE, sections, PREVIEW …).
    Facts,
}

fn needs(attrs: &[FetchAttr]) -> Needs {
    use FetchAttr::*;
    let view = |a: &FetchAttr| matches!(a, Flags | Uid | ModSeq);
    let record = |a: &FetchAttr| {
        view(a) || matches!(a, InternalDate | Rfc822Size | EmailId | ThreadId | SaveDate)
    };
    if attrs.iter().all(view) {
        Needs::View
    } else if attrs.iter().all(record) {
        Needs::Record
    } else {
        Needs::Facts
    }
}

/// How many leading octets of the message answer `attrs` (`None`: no item needs them): the
/// end of the furthest section asked for, so that `BODY.PEEK[HEADER.FIELDS (…)]` of a message
/// with a 1 MB attachment reads its header only.
fn octets_needed<'a>(
    attrs: impl Iterator<Item = &'a FetchAttr>,
    facts: &MessageFacts,
) -> Option<u64> {
    let root_header = Section {
        part: vec![],
        text: Some(SectionText::Header),
    };
    attrs
        .filter_map(|a| match a {
            FetchAttr::Rfc822 | FetchAttr::Rfc822Text => Some(facts.size),
            FetchAttr::Rfc822Header => Some(mail_model::section_end(facts, &root_header)),
            FetchAttr::BodySection { section, .. } => Some(mail_model::section_end(facts, section)),
            FetchAttr::Binary { part, .. } | FetchAttr::BinarySize { part } => {
                Some(mail_model::binary_end(facts, part))
            }
            _ => None,
        })
        .max()
}

/// True if answering `attrs` sets `\Seen` (a non-PEEK body fetch, RFC 9051 §6.4.5).
fn sets_seen(attrs: &[FetchAttr]) -> bool {
    attrs.iter().any(|a| {
        matches!(
            a,
            FetchAttr::Rfc822
                | FetchAttr::Rfc822Text
                | FetchAttr::BodySection { peek: false, .. }
                | FetchAttr::Binary { peek: false, .. }
        )
    })
}

/// `<offset.length>` of in-memory octets; BODY octets get their NUL replaced
/// ([`large::no_nul`]).
fn cut(data: &[u8], partial: Option<(u64, u64)>, body: bool) -> (Option<u64>, Bytes) {
    let (origin, data) = match partial {
        Some((off, len)) => (Some(off), mail_model::partial(data, off, len)),
        None => (None, data),
    };
    let data = if body {
        Bytes::from(large::no_nul(data).into_owned())
    } else {
        Bytes::copy_from_slice(data)
    };
    (origin, data)
}

/// FETCH / UID FETCH
pub(crate) async fn fetch(
    cx: &mut SelectedCtx<'_>,
    uid: bool,
    set: &SequenceSet,
    items: &FetchItems,
    modifiers: &FetchModifiers,
) -> Outcome {
    if modifiers.vanished && !cx.enabled.qresync {
        return Err(CommandError::bad("VANISHED needs ENABLE QRESYNC"));
    }
    // CHANGEDSINCE and FETCH MODSEQ turned CONDSTORE on before this ran
    // (updates::enables_condstore).
    let (account, mailbox, read_only) = (cx.account(), cx.sel.id, cx.sel.read_only);
    let mut attrs = items.expand();
    if uid && !attrs.contains(&FetchAttr::Uid) {
        attrs.insert(0, FetchAttr::Uid);
    }
    if modifiers.changed_since.is_some() && !attrs.contains(&FetchAttr::ModSeq) {
        attrs.push(FetchAttr::ModSeq);
    }
    let mut targets = resolve(cx.sel, uid, set, cx.saved_search())?;
    if let Some(since) = modifiers.changed_since {
        // VANISHED (EARLIER): UIDs of the set expunged after `since` (RFC 7162 §3.2.6).
        if modifiers.vanished {
            let changes = cx.store().changes_since(account, mailbox, since).await?;
            let largest = changes.uid_next.saturating_sub(1);
            let gone = changes
                .expunged
                .into_iter()
                .filter(|u| set.contains(*u, largest));
            if let Some(uids) = SequenceSet::from_values(gone) {
                cx.send(&Response::Vanished {
                    earlier: true,
                    uids,
                });
            }
        }
        let view = &cx.sel.view;
        targets.retain(|&(seq, _)| view.state(seq).is_some_and(|st| st.modseq > since));
    }
    if targets.is_empty() {
        return Ok(Reply::ok("FETCH completed"));
    }
    let uids: Vec<u32> = targets.iter().map(|t| t.1).collect();
    // Implicit \Seen first, so the FLAGS we return are the new ones (RFC 9051 §6.4.5).
    if sets_seen(&attrs) && !read_only {
        let update = FlagUpdate {
            uids: uids.clone(),
            op: FlagOp::Add,
            flags: Flags::new(Flags::SEEN, []),
            unchanged_since: None,
        };
        let r = cx.store().store_flags(account, mailbox, update).await?;
        cx.sel.view.note_own_flags(&r.updated);
        if !attrs.contains(&FetchAttr::Flags) && !r.updated.is_empty() {
            attrs.push(FetchAttr::Flags);
        }
    }
    // The most common FETCH by far (`1:* (UID FLAGS)` of every client resync) reads nothing.
    let needs = needs(&attrs);
    let mut failures = 0;
    for batch in targets.chunks(ROWS_PER_READ) {
        let uids: Vec<u32> = batch.iter().map(|t| t.1).collect();
        let records = match needs {
            Needs::View => view_records(&cx.sel.view, uids.iter().copied()),
            Needs::Record => cx.store().fetch_meta(account, mailbox, &uids).await?,
            Needs::Facts => cx.store().fetch(account, mailbox, &uids).await?,
        };
        let by_uid: std::collections::HashMap<u32, &MessageRecord> =
            records.iter().map(|r| (r.state.uid, r)).collect();
        for &(seq, uid) in batch {
            let Some(&rec) = by_uid.get(&uid) else {
                // Expunged by someone else since our view was made (RFC 9051 §7.4.1 allows
                // NO).
                failures += 1;
                continue;
            };
            let state = cx.sel.view.state(seq).unwrap_or_else(|| rec.state.clone());
            if attrs.contains(&FetchAttr::Flags) {
                announce(cx, &state.flags);
            }
            if needs == Needs::Facts {
                message(cx, &attrs, seq, rec, &state).await?;
            } else {
                let source = Source {
                    rec,
                    state: &state,
                    recent: cx.sel.view.is_recent(uid),
                    facts: no_facts(),
                };
                let mut fw = FetchWriter::start(cx.out, seq);
                for a in &attrs {
                    if let Some(item) = plain_item(a, &source) {
                        fw.item(cx.out, &item);
                    }
                }
                fw.end(cx.out);
            }
            if cx.out.buf.len() >= DRAIN_AT {
                cx.drain().await?;
            }
        }
    }
    if failures > 0 {
        return Err(CommandError::no_code(
            Code::ExpungeIssued,
            "some messages were expunged meanwhile",
        ));
    }
    Ok(Reply::ok("FETCH completed"))
}

/// One message's FETCH response when items need its facts or octets. Everything that can fail
/// (a read, a BINARY that cannot be decoded) happens before the response is begun; the large
/// items are then streamed into it.
async fn message(
    cx: &mut SelectedCtx<'_>,
    attrs: &[FetchAttr],
    seq: u32,
    rec: &MessageRecord,
    state: &store::MessageState,
) -> Result<(), CommandError> {
    let recent = cx.sel.view.is_recent(rec.state.uid);
    // Only the octets the small items reach: a header page reads headers, not attachments.
    let (octets, facts) = Octets::load(cx.shared, rec, |facts| {
        octets_needed(
            attrs.iter().filter(|a| large::plan(a, facts).is_none()),
            facts,
        )
    })
    .await?;
    let source = Source {
        rec,
        state,
        recent,
        facts: &facts,
    };
    // Which items are large, decided once from the facts (the reach above asked the same).
    let plans: Vec<Option<large::Large>> = attrs.iter().map(|a| large::plan(a, &facts)).collect();
    let mut pieces = Vec::with_capacity(attrs.len());
    if plans.iter().any(Option::is_some) {
        // A body missing or cut short is refused here, before its response is begun (once
        // begun, a literal can only be completed or the connection closed).
        cx.shared
            .blobs
            .check_size(crate::messages::blob_id(rec))
            .await
            .map_err(store::bodies::blob_error)?;
    }
    for (a, plan) in attrs.iter().zip(plans) {
        pieces.push(match plan {
            Some(l) => Some(Piece::Large(large::sized(cx, rec, l).await?)),
            None => match plain_item(a, &source) {
                Some(item) => Some(Piece::Item(item)),
                None => octets_item(a, &facts, &octets).await?.map(Piece::Item),
            },
        });
    }
    let mut fw = FetchWriter::start(cx.out, seq);
    for piece in pieces.into_iter().flatten() {
        match piece {
            Piece::Item(item) => fw.item(cx.out, &item),
            Piece::Large(sized) => large::send(cx, &mut fw, rec, sized).await?,
        }
    }
    fw.end(cx.out);
    Ok(())
}

/// One item of a response under construction.
enum Piece {
    Item(FetchItem),
    Large(Sized),
}

/// Everything known about one message while its FETCH response is built.
struct Source<'a> {
    rec: &'a MessageRecord,
    /// Flags and MODSEQ as this session knows them.
    state: &'a store::MessageState,
    recent: bool,
    facts: &'a MessageFacts,
}

/// An item made from the message's row and facts; `None` for the items that read octets (and
/// for INTERNALDATE when the stored one cannot be written).
fn plain_item(a: &FetchAttr, m: &Source<'_>) -> Option<FetchItem> {
    let Source {
        rec,
        state,
        recent,
        facts,
    } = *m;
    Some(match a {
        FetchAttr::Flags => FetchItem::Flags(imap_flags(&state.flags, recent)),
        FetchAttr::Uid => FetchItem::Uid(rec.state.uid),
        FetchAttr::Envelope => prewritten("ENVELOPE", &facts.envelope),
        FetchAttr::Body => prewritten("BODY", &facts.body),
        FetchAttr::BodyStructure => prewritten("BODYSTRUCTURE", &facts.bodystructure),
        FetchAttr::InternalDate => FetchItem::InternalDate(DateTime::from_unix_timestamp_in(
            rec.internal_date,
            rec.internal_zone,
        )?),
        FetchAttr::Rfc822Size => FetchItem::Rfc822Size(rec.size),
        FetchAttr::ModSeq => FetchItem::ModSeq(state.modseq),
        FetchAttr::EmailId => FetchItem::EmailId(rec.email_id.clone()),
        FetchAttr::ThreadId => FetchItem::ThreadId(None),
        FetchAttr::SaveDate => FetchItem::SaveDate(DateTime::from_unix_timestamp(rec.save_date)),
        FetchAttr::Preview { .. } => {
            FetchItem::Preview(Some(Bytes::from(facts.preview.clone().into_bytes())))
        }
        FetchAttr::Rfc822
        | FetchAttr::Rfc822Header
        | FetchAttr::Rfc822Text
        | FetchAttr::BodySection { .. }
        | FetchAttr::Binary { .. }
        | FetchAttr::BinarySize { .. } => return None,
    })
}

/// An item cut from the message's octets (small enough to hold: see [`large::plan`]).
async fn octets_item(
    a: &FetchAttr,
    facts: &MessageFacts,
    octets: &Octets<'_>,
) -> Result<Option<FetchItem>, CommandError> {
    let section = |part: &[u32], text: Option<SectionText>| Section {
        part: part.to_vec(),
        text,
    };
    Ok(Some(match a {
        FetchAttr::Rfc822 => {
            let data = section_octets(facts, &section(&[], None), octets).await?;
            FetchItem::Rfc822(data.map(|d| cut(&d, None, true).1))
        }
        FetchAttr::Rfc822Header => {
            let s = section(&[], Some(SectionText::Header));
            let data = section_octets(facts, &s, octets).await?;
            FetchItem::Rfc822Header(data.map(|d| cut(&d, None, true).1))
        }
        FetchAttr::Rfc822Text => {
            let s = section(&[], Some(SectionText::Text));
            let data = section_octets(facts, &s, octets).await?;
            FetchItem::Rfc822Text(data.map(|d| cut(&d, None, true).1))
        }
        FetchAttr::BodySection {
            section, partial, ..
        } => {
            // A part that does not exist is answered with an empty string, as Dovecot does
            // (RFC 9051 leaves it open; clients cope with "" better than with NIL).
            let data = section_octets(facts, section, octets)
                .await?
                .unwrap_or_default();
            let (origin, data) = cut(&data, *partial, true);
            FetchItem::BodySection {
                section: section.clone(),
                origin,
                data: Some(data),
            }
        }
        FetchAttr::Binary { part, partial, .. } => {
            let data = binary_octets(facts, part, octets).await?;
            let (origin, data) = cut(&data, *partial, false);
            FetchItem::Binary {
                part: part.clone(),
                origin,
                data: Some(data),
            }
        }
        FetchAttr::BinarySize { part } => FetchItem::BinarySize {
            part: part.clone(),
            size: binary_octets(facts, part, octets).await?.len() as u32,
        },
        _ => return Ok(None),
    }))
}

/// The octets of a BODY section (`None`: NIL).
async fn section_octets(
    facts: &MessageFacts,
    section: &Section,
    octets: &Octets<'_>,
) -> Result<Option<Bytes>, CommandError> {
    Ok(match mail_model::section_source(facts, section) {
        SectionSource::Nil => None,
        SectionSource::Range(span) => Some(octets.get(span).await?),
        SectionSource::Fields(span) => {
            let Some(SectionText::HeaderFields { not, fields }) = &section.text else {
                return Ok(None);
            };
            let header = octets.get(span).await?;
            Some(Bytes::from(mail_model::filter(&header, fields, *not)))
        }
    })
}

/// The decoded octets of a BINARY part.
async fn binary_octets(
    facts: &MessageFacts,
    part: &[u32],
    octets: &Octets<'_>,
) -> Result<Bytes, CommandError> {
    let (span, coding) =
        mail_model::binary_source(facts, part).map_err(|e| CommandError::Reply(binary_reply(e)))?;
    let stored = octets.get(span).await?;
    match coding {
        Coding::Identity => Ok(stored),
        coding => Decoder::all(coding, &stored)
            .map(Bytes::from)
            .map_err(|e| CommandError::Reply(binary_reply(e))),
    }
}

fn prewritten(name: &'static str, wire: &[u8]) -> FetchItem {
    FetchItem::Prewritten {
        name,
        wire: Bytes::copy_from_slice(wire),
    }
}
