//! FETCH / UID FETCH (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 8474, RFC 8514, RFC 8970):
//! metadata items come from the store's records and the facts computed at APPEND; body
//! sections are cut from the body without re-parsing it.

use crate::context::SelectedCtx;
use crate::flags::imap_flags;
use crate::messages::{load, no_facts, resolve, view_records};
use crate::reply::{CommandError, Outcome, Reply};
use crate::updates::announce;
use bytes::Bytes;
use imap_proto::command::{FetchAttr, FetchItems, FetchModifiers, Section, SectionText};
use imap_proto::response::{Code, FetchItem, FetchResponse, Response};
use imap_proto::types::{DateTime, SequenceSet};
use mail_model::MessageFacts;
use store::{FlagOp, FlagUpdate, Flags, MessageRecord};

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
fn octets_needed(attrs: &[FetchAttr], facts: &MessageFacts) -> Option<u64> {
    let root_header = Section {
        part: vec![],
        text: Some(SectionText::Header),
    };
    attrs
        .iter()
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

fn cut(data: &[u8], partial: Option<(u64, u64)>) -> (Option<u64>, Bytes) {
    match partial {
        Some((off, len)) => (
            Some(off),
            Bytes::copy_from_slice(mail_model::partial(data, off, len)),
        ),
        None => (None, Bytes::copy_from_slice(data)),
    }
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
    let records = match needs {
        Needs::View => view_records(&cx.sel.view, uids.iter().copied()),
        Needs::Record => cx.store().fetch_meta(account, mailbox, &uids).await?,
        Needs::Facts => cx.store().fetch(account, mailbox, &uids).await?,
    };
    let placeholder = no_facts();
    let by_uid: std::collections::HashMap<u32, &MessageRecord> =
        records.iter().map(|r| (r.state.uid, r)).collect();
    let mut failures = 0;
    for (seq, uid) in targets {
        let Some(&rec) = by_uid.get(&uid) else {
            // Expunged by someone else since our view was made (RFC 9051 §7.4.1 allows NO).
            failures += 1;
            continue;
        };
        let loaded = if needs == Needs::Facts {
            // Only the octets the items reach: a header page reads headers, not attachments.
            Some(load(cx.shared, rec, |facts| octets_needed(&attrs, facts)).await?)
        } else {
            None
        };
        let (raw, facts) = match &loaded {
            Some((raw, facts)) => (raw.as_deref(), facts),
            None => (None, placeholder),
        };
        let state = cx.sel.view.state(seq).unwrap_or_else(|| rec.state.clone());
        if attrs.contains(&FetchAttr::Flags) {
            announce(cx, &state.flags);
        }
        let source = Source {
            rec,
            state: &state,
            recent: cx.sel.view.is_recent(uid),
            facts,
            raw,
        };
        let items = items_for(&attrs, &source)?;
        cx.send(&Response::Fetch(FetchResponse { seq, items }));
    }
    if failures > 0 {
        return Err(CommandError::no_code(
            Code::ExpungeIssued,
            "some messages were expunged meanwhile",
        ));
    }
    Ok(Reply::ok("FETCH completed"))
}

/// Everything known about one message while its FETCH response is built.
struct Source<'a> {
    rec: &'a MessageRecord,
    /// Flags and MODSEQ as this session knows them.
    state: &'a store::MessageState,
    recent: bool,
    facts: &'a MessageFacts,
    /// The octets, when an item needs them.
    raw: Option<&'a [u8]>,
}

/// The items of one FETCH response.
fn items_for(attrs: &[FetchAttr], m: &Source<'_>) -> Result<Vec<FetchItem>, Reply> {
    let Source {
        rec,
        state,
        recent,
        facts,
        raw,
    } = *m;
    let raw = raw.unwrap_or_default();
    let mut out = Vec::with_capacity(attrs.len());
    for a in attrs {
        out.push(match a {
            FetchAttr::Flags => FetchItem::Flags(imap_flags(&state.flags, recent)),
            FetchAttr::Uid => FetchItem::Uid(rec.state.uid),
            FetchAttr::Envelope => prewritten("ENVELOPE", &facts.envelope),
            FetchAttr::Body => prewritten("BODY", &facts.body),
            FetchAttr::BodyStructure => prewritten("BODYSTRUCTURE", &facts.bodystructure),
            FetchAttr::InternalDate => {
                match DateTime::from_unix_timestamp_in(rec.internal_date, rec.internal_zone) {
                    Some(d) => FetchItem::InternalDate(d),
                    None => continue,
                }
            }
            FetchAttr::Rfc822Size => FetchItem::Rfc822Size(rec.size),
            FetchAttr::Rfc822 => FetchItem::Rfc822(Some(Bytes::copy_from_slice(raw))),
            FetchAttr::Rfc822Header => {
                let section = Section {
                    part: vec![],
                    text: Some(SectionText::Header),
                };
                FetchItem::Rfc822Header(
                    mail_model::section(raw, facts, &section).map(|c| Bytes::copy_from_slice(&c)),
                )
            }
            FetchAttr::Rfc822Text => {
                let section = Section {
                    part: vec![],
                    text: Some(SectionText::Text),
                };
                FetchItem::Rfc822Text(
                    mail_model::section(raw, facts, &section).map(|c| Bytes::copy_from_slice(&c)),
                )
            }
            FetchAttr::BodySection {
                section, partial, ..
            } => {
                // A part that does not exist is answered with an empty string, as Dovecot
                // does (RFC 9051 leaves it open; clients cope with "" better than with NIL).
                let data = mail_model::section(raw, facts, section).unwrap_or_default();
                let (origin, data) = cut(&data, *partial);
                FetchItem::BodySection {
                    section: section.clone(),
                    origin,
                    data: Some(data),
                }
            }
            FetchAttr::Binary { part, partial, .. } => match mail_model::binary(raw, facts, part) {
                Ok(data) => {
                    let (origin, data) = cut(&data, *partial);
                    FetchItem::Binary {
                        part: part.clone(),
                        origin,
                        data: Some(data),
                    }
                }
                Err(e) => return Err(binary_reply(e)),
            },
            FetchAttr::BinarySize { part } => match mail_model::binary(raw, facts, part) {
                Ok(data) => FetchItem::BinarySize {
                    part: part.clone(),
                    size: data.len() as u32,
                },
                Err(e) => return Err(binary_reply(e)),
            },
            FetchAttr::ModSeq => FetchItem::ModSeq(state.modseq),
            FetchAttr::EmailId => FetchItem::EmailId(rec.email_id.clone()),
            FetchAttr::ThreadId => FetchItem::ThreadId(None),
            FetchAttr::SaveDate => {
                FetchItem::SaveDate(DateTime::from_unix_timestamp(rec.save_date))
            }
            FetchAttr::Preview { .. } => {
                FetchItem::Preview(Some(Bytes::from(facts.preview.clone().into_bytes())))
            }
        });
    }
    Ok(out)
}

fn prewritten(name: &'static str, wire: &[u8]) -> FetchItem {
    FetchItem::Prewritten {
        name,
        wire: Bytes::copy_from_slice(wire),
    }
}

fn binary_reply(e: mail_model::BinaryError) -> Reply {
    match e {
        mail_model::BinaryError::UnknownCte(_) => {
            Reply::no("unknown content transfer encoding").code(Code::UnknownCte)
        }
        other => Reply::no(format!("cannot decode: {other}")),
    }
}
