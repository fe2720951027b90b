//! FETCH / UID FETCH (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 8474, RFC 8514, RFC 8970):
//! metadata items come from the store's records and the facts computed at APPEND; body
//! sections are cut from the body without re-parsing it.

use super::select::imap_flags;
use crate::errors::store_reply;
use crate::session::{Reply, Session};
use bytes::Bytes;
use imap_proto::command::{FetchAttr, FetchItems, FetchModifiers, Section, SectionText};
use imap_proto::response::{Code, FetchItem, FetchResponse, Response};
use imap_proto::types::{DateTime, SequenceSet};
use mail_model::MessageFacts;
use store::{FlagOp, FlagUpdate, Flags, MessageRecord};
use tokio::io::{AsyncRead, AsyncWrite};

/// True if answering `attrs` needs the message octets.
fn needs_body(attrs: &[FetchAttr]) -> bool {
    attrs.iter().any(|a| {
        matches!(
            a,
            FetchAttr::Rfc822
                | FetchAttr::Rfc822Header
                | FetchAttr::Rfc822Text
                | FetchAttr::BodySection { .. }
                | FetchAttr::Binary { .. }
                | FetchAttr::BinarySize { .. }
        )
    })
}

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
pub(crate) async fn fetch<S>(
    s: &mut Session<S>,
    uid: bool,
    set: &SequenceSet,
    items: &FetchItems,
    modifiers: &FetchModifiers,
) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    if modifiers.vanished && !s.enabled.qresync {
        return Reply::bad("VANISHED needs ENABLE QRESYNC");
    }
    if modifiers.changed_since.is_some() {
        // RFC 7162 §3.1.4.1: CHANGEDSINCE turns CONDSTORE on.
        s.enabled.condstore = true;
    }
    let account = match s.account() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut attrs = items.expand();
    if uid && !attrs.contains(&FetchAttr::Uid) {
        attrs.insert(0, FetchAttr::Uid);
    }
    if modifiers.changed_since.is_some() && !attrs.contains(&FetchAttr::ModSeq) {
        attrs.push(FetchAttr::ModSeq);
    }
    let Some(sel) = s.state.selected() else {
        return Reply::bad("no mailbox selected");
    };
    let (mailbox, read_only) = (sel.id, sel.read_only);
    let mut targets = match super::resolve(sel, uid, set, s.saved_search()) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if let Some(since) = modifiers.changed_since {
        // VANISHED (EARLIER): UIDs of the set expunged after `since` (RFC 7162 §3.2.6).
        if modifiers.vanished {
            let changes = match s.shared.store.changes_since(account, mailbox, since).await {
                Ok(c) => c,
                Err(e) => return store_reply(e),
            };
            let largest = changes.uid_next.saturating_sub(1);
            let gone = changes
                .expunged
                .into_iter()
                .filter(|u| set.contains(*u, largest));
            if let Some(uids) = SequenceSet::from_values(gone) {
                s.send(&Response::Vanished {
                    earlier: true,
                    uids,
                });
            }
        }
        let Some(sel) = s.state.selected() else {
            return Reply::bad("no mailbox selected");
        };
        targets.retain(|&(seq, _)| sel.view.state(seq).is_some_and(|st| st.modseq > since));
    }
    if targets.is_empty() {
        return Reply::ok("FETCH completed");
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
        match s.shared.store.store_flags(account, mailbox, update).await {
            Ok(r) => {
                if let Some(sel) = s.state.selected_mut() {
                    sel.view.note_own_flags(&r.updated);
                }
                if !attrs.contains(&FetchAttr::Flags) && !r.updated.is_empty() {
                    attrs.push(FetchAttr::Flags);
                }
            }
            Err(e) => return store_reply(e),
        }
    }
    // The most common FETCH by far (`1:* (UID FLAGS)` of every client resync) reads nothing.
    let needs = needs(&attrs);
    let records = match needs {
        Needs::View => {
            let Some(sel) = s.state.selected() else {
                return Reply::bad("no mailbox selected");
            };
            Ok(super::view_records(&sel.view, uids.iter().copied()))
        }
        Needs::Record => s.shared.store.fetch_meta(account, mailbox, &uids).await,
        Needs::Facts => s.shared.store.fetch(account, mailbox, &uids).await,
    };
    let records = match records {
        Ok(r) => r,
        Err(e) => return store_reply(e),
    };
    let placeholder = super::no_facts();
    let by_uid: std::collections::HashMap<u32, &MessageRecord> =
        records.iter().map(|r| (r.state.uid, r)).collect();
    let body = needs_body(&attrs);
    let mut failures = 0;
    for (seq, uid) in targets {
        let Some(&rec) = by_uid.get(&uid) else {
            // Expunged by someone else since our view was made (RFC 9051 §7.4.1 allows NO).
            failures += 1;
            continue;
        };
        let loaded = if needs == Needs::Facts {
            match super::load(&s.shared, rec, body).await {
                Ok((raw, facts)) => Some((raw, facts)),
                Err(r) => return r,
            }
        } else {
            None
        };
        let (raw, facts) = match &loaded {
            Some((raw, facts)) => (raw.as_deref(), facts),
            None => (None, placeholder),
        };
        let Some(sel) = s.state.selected() else {
            return Reply::bad("no mailbox selected");
        };
        let state = sel.view.state(seq).unwrap_or_else(|| rec.state.clone());
        let recent = sel.view.is_recent(uid);
        let source = Source {
            rec,
            state: &state,
            recent,
            facts,
            raw,
        };
        match items_for(&attrs, &source) {
            Ok(items) => s.send(&Response::Fetch(FetchResponse { seq, items })),
            Err(r) => return r,
        }
    }
    if failures > 0 {
        return Reply::no("some messages were expunged meanwhile").code(Code::ExpungeIssued);
    }
    Reply::ok("FETCH completed")
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
