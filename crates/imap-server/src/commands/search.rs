//! SEARCH / UID SEARCH (RFC 9051 §6.4.4) with ESEARCH return options (RFC 4731) and SEARCHRES
//! (`RETURN (SAVE)` and `$`, RFC 5182). Evaluation is the exact brute-force oracle of the
//! `imap-search` crate over the session's view; the index of issue 5 will narrow the
//! candidates first without changing a result.

use crate::errors::store_reply;
use crate::session::{Reply, Session};
use imap_proto::Tag;
use imap_proto::command::{SearchKey, SearchReturn};
use imap_proto::response::{Code, ESearchItem, ESearchResponse, Response, SearchResponse};
use imap_proto::types::SequenceSet;
use tokio::io::{AsyncRead, AsyncWrite};

/// Charsets SEARCH accepts; the search strings are UTF-8 (US-ASCII is a subset).
const CHARSETS: [&str; 2] = ["UTF-8", "US-ASCII"];

/// Replaces `$` (the saved result) by the UIDs it stands for; with nothing saved, `$` is the
/// empty set (RFC 5182 §2.1), which matches nothing.
fn substitute(key: SearchKey, saved: Option<&[u32]>) -> SearchKey {
    use SearchKey::*;
    let saved_set =
        || match saved.and_then(|u| imap_proto::SequenceSet::from_values(u.iter().copied())) {
            Some(set) => Uid(set),
            None => Not(Box::new(All)),
        };
    match key {
        SequenceSet(imap_proto::SequenceSet::Saved) | Uid(imap_proto::SequenceSet::Saved) => {
            saved_set()
        }
        Not(k) => Not(Box::new(substitute(*k, saved))),
        Fuzzy(k) => Fuzzy(Box::new(substitute(*k, saved))),
        Or(a, b) => Or(
            Box::new(substitute(*a, saved)),
            Box::new(substitute(*b, saved)),
        ),
        And(v) => And(v.into_iter().map(|k| substitute(k, saved)).collect()),
        other => other,
    }
}

/// True if `key` holds a MODSEQ key anywhere.
fn has_modseq(key: &SearchKey) -> bool {
    match key {
        SearchKey::ModSeq { .. } => true,
        SearchKey::Not(k) | SearchKey::Fuzzy(k) => has_modseq(k),
        SearchKey::Or(a, b) => has_modseq(a) || has_modseq(b),
        SearchKey::And(v) => v.iter().any(has_modseq),
        _ => false,
    }
}

/// The request, as parsed.
pub(crate) struct SearchRequest {
    pub(crate) uid: bool,
    pub(crate) charset: Option<String>,
    pub(crate) ret: Option<Vec<SearchReturn>>,
    pub(crate) criteria: Vec<SearchKey>,
}

/// SEARCH / UID SEARCH
pub(crate) async fn search<S>(s: &mut Session<S>, tag: &Tag, req: SearchRequest) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    if let Some(cs) = &req.charset
        && !CHARSETS.contains(&cs.as_str())
    {
        let supported = CHARSETS.iter().map(|c| c.to_string()).collect();
        return Reply::no(format!("charset {cs} is not supported"))
            .code(Code::BadCharset(supported));
    }
    let account = match s.account() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(sel) = s.state.selected() else {
        return Reply::bad("no mailbox selected");
    };
    let criteria: Vec<SearchKey> = req
        .criteria
        .into_iter()
        .map(|k| substitute(k, s.saved.as_deref()))
        .collect();
    let view = sel.view.clone();
    let mailbox = sel.id;
    let uids: Vec<u32> = (1..=view.exists())
        .filter_map(|seq| view.uid(seq))
        .collect();
    let records = match s.shared.store.fetch(account, mailbox, &uids).await {
        Ok(r) => r,
        Err(e) => return store_reply(e),
    };
    let needs_text = imap_search::any_needs_text(&criteria);
    let ctx = imap_search::Context {
        max_seq: view.exists(),
        max_uid: uids.last().copied().unwrap_or(0),
        now: store::sql::now_ms() / 1000,
    };
    let mut hits: Vec<(u32, u32, u64)> = Vec::new();
    for rec in &records {
        let uid = rec.state.uid;
        let Some(seq) = view.seq(uid) else { continue };
        let state = view.state(seq).unwrap_or_else(|| rec.state.clone());
        let (raw, facts) = match super::load(&s.shared, rec, needs_text).await {
            Ok(x) => x,
            Err(r) => return r,
        };
        let text = raw.as_deref().map(mail_model::search_text);
        let msg = imap_search::Message {
            seq,
            uid,
            flags: &state.flags,
            recent: view.is_recent(uid),
            modseq: state.modseq,
            size: rec.size,
            internal_date: rec.internal_date,
            internal_zone_minutes: rec.internal_zone,
            save_date: Some(rec.save_date),
            email_id: &rec.email_id,
            thread_id: None,
            facts: &facts,
            text: text.as_ref(),
        };
        if imap_search::search(&criteria, &msg, &ctx) {
            hits.push((seq, uid, state.modseq));
        }
    }
    let ids: Vec<u32> = hits
        .iter()
        .map(|h| if req.uid { h.1 } else { h.0 })
        .collect();
    // RFC 7162 §3.1.5: a search with a MODSEQ key reports the highest MODSEQ it found.
    let mod_seq = if criteria.iter().any(has_modseq) {
        hits.iter().map(|h| h.2).max()
    } else {
        None
    };
    // IMAP4rev2 has no SEARCH response: a SEARCH without RETURN is RETURN (ALL) (RFC 9051
    // §6.4.4), answered with ESEARCH.
    let ret = match req.ret {
        None if s.enabled.rev2 => Some(Vec::new()),
        ret => ret,
    };
    match ret {
        None => s.send(&Response::Search(SearchResponse { ids, mod_seq })),
        Some(ret) => {
            if ret.contains(&SearchReturn::Save) {
                // RFC 5182 §2.4: with MIN and/or MAX but neither ALL nor COUNT, only those
                // messages are saved.
                let uids: Vec<u32> = hits.iter().map(|h| h.1).collect();
                let only_ends = !(ret.contains(&SearchReturn::All)
                    || ret.contains(&SearchReturn::Count))
                    && (ret.contains(&SearchReturn::Min) || ret.contains(&SearchReturn::Max));
                s.saved = Some(if only_ends {
                    let mut ends = Vec::new();
                    if ret.contains(&SearchReturn::Min) {
                        ends.extend(uids.first());
                    }
                    if ret.contains(&SearchReturn::Max) {
                        ends.extend(uids.last());
                    }
                    ends.dedup();
                    ends
                } else {
                    uids
                });
            }
            let mut items = Vec::new();
            let want = |r: SearchReturn| ret.contains(&r);
            // RETURN () is RETURN (ALL) (RFC 4731 §3.1).
            let all = ret.is_empty() || want(SearchReturn::All);
            if want(SearchReturn::Min)
                && let Some(m) = ids.iter().min()
            {
                items.push(ESearchItem::Min(*m));
            }
            if want(SearchReturn::Max)
                && let Some(m) = ids.iter().max()
            {
                items.push(ESearchItem::Max(*m));
            }
            if all && let Some(set) = SequenceSet::from_values(ids.iter().copied()) {
                items.push(ESearchItem::All(set));
            }
            if want(SearchReturn::Count) {
                items.push(ESearchItem::Count(ids.len() as u32));
            }
            if let Some(m) = mod_seq {
                items.push(ESearchItem::ModSeq(m));
            }
            // RFC 5182 §2.1: with SAVE alone, no ESEARCH response.
            if !(ret.len() == 1 && want(SearchReturn::Save)) {
                s.send(&Response::ESearch(ESearchResponse {
                    tag: Some(tag.clone()),
                    uid: req.uid,
                    items,
                }));
            }
        }
    }
    Reply::ok("SEARCH completed")
}
