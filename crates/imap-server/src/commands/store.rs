//! STORE / UID STORE (RFC 9051 §6.4.6, RFC 7162 §3.1.3 UNCHANGEDSINCE).

use crate::context::SelectedCtx;
use crate::flags::{imap_flags, store_flags};
use crate::messages::resolve;
use crate::reply::Outcome;
use crate::reply::Reply;
use crate::updates::announce;
use imap_proto::command::StoreAction;
use imap_proto::response::{Code, FetchItem, FetchResponse, Response};
use imap_proto::types::{Flag, SequenceSet};
use std::collections::{HashMap, HashSet};
use store::{FlagOp, FlagUpdate};

/// Most messages one write of a STORE changes.
const STORE_CHUNK: usize = 1000;

/// What STORE was asked.
pub(crate) struct StoreRequest<'a> {
    pub(crate) uid: bool,
    pub(crate) set: &'a SequenceSet,
    pub(crate) unchanged_since: Option<u64>,
    pub(crate) action: StoreAction,
    pub(crate) silent: bool,
    pub(crate) flags: &'a [Flag],
}

/// STORE / UID STORE
pub(crate) async fn store(cx: &mut SelectedCtx<'_>, req: StoreRequest<'_>) -> Outcome {
    cx.writable()?;
    // UNCHANGEDSINCE turned CONDSTORE on before this ran (updates::enables_condstore).
    let targets = resolve(cx.sel, req.uid, req.set, cx.saved_search())?;
    let op = match req.action {
        StoreAction::Add => FlagOp::Add,
        StoreAction::Remove => FlagOp::Remove,
        StoreAction::Replace => FlagOp::Replace,
    };
    let flags = store_flags(req.flags)?;
    // In writes of at most STORE_CHUNK messages: one STORE over a whole large mailbox must
    // not hold the store's single writer (and every other tenant's writes) for long. RFC 9051
    // makes STORE atomic per message, not per command; each chunk has its own MODSEQ.
    let mut result = store::FlagUpdateResult::default();
    for chunk in targets.chunks(STORE_CHUNK) {
        let update = FlagUpdate {
            uids: chunk.iter().map(|t| t.1).collect(),
            op,
            flags: flags.clone(),
            unchanged_since: req.unchanged_since,
        };
        let part = match cx
            .store()
            .store_flags(cx.account(), cx.sel.id, update)
            .await
        {
            Err(store::StoreError::Limit(why)) => {
                // New keywords are defined by the first chunk: nothing was written yet.
                let p = crate::updates::keywords_full(cx.sel);
                cx.send(&p);
                return Err(store::StoreError::Limit(why).into());
            }
            r => r?,
        };
        result.updated.extend(part.updated);
        result.unchanged.extend(part.unchanged);
        result.modified.extend(part.modified);
    }
    cx.sel.view.note_own_flags(&result.updated);
    if !req.silent {
        // The unchanged ones are answered as they are now (below): the view learns that state
        // too, or a later FETCH would show the client an older one.
        cx.sel.view.note_own_flags(&result.unchanged);
    }
    // UNCHANGEDSINCE turned CONDSTORE on.
    let with_modseq = cx.enabled.condstore;
    // By UID, so answering is linear in the number of messages.
    let updated: HashMap<u32, &store::MessageState> =
        result.updated.iter().map(|st| (st.uid, st)).collect();
    let unchanged: HashMap<u32, &store::MessageState> =
        result.unchanged.iter().map(|st| (st.uid, st)).collect();
    let modified: HashSet<u32> = result.modified.iter().copied().collect();
    for &(seq, uid) in &targets {
        let updated = updated.get(&uid).copied();
        // RFC 9051 §6.4.6: without .SILENT every message's flags come back as a FETCH would
        // show them, changed or not (not those refused by UNCHANGEDSINCE: they are in
        // MODIFIED). RFC 7162 §3.1.3: with UNCHANGEDSINCE, every updated message gets a FETCH
        // with its MODSEQ even under .SILENT.
        // Not changed: as it is now (another session may have changed it since this one's
        // view was made), not as the view last knew it.
        let as_is = || unchanged.get(&uid).copied();
        let state = match updated {
            Some(st) => st.clone(),
            None if req.silent || modified.contains(&uid) => continue,
            None => match as_is() {
                Some(st) => st.clone(),
                None => continue,
            },
        };
        let mut items = Vec::new();
        if !req.silent {
            announce(cx, &state.flags);
            let recent = cx.sel.view.is_recent(uid);
            items.push(FetchItem::Flags(imap_flags(&state.flags, recent)));
        } else if req.unchanged_since.is_none() {
            continue;
        }
        // RFC 7162 §3.2.4: once CONDSTORE is on, every FETCH response carries UID and MODSEQ.
        if req.uid || with_modseq {
            items.push(FetchItem::Uid(uid));
        }
        if with_modseq {
            items.push(FetchItem::ModSeq(state.modseq));
        }
        cx.send(&Response::Fetch(FetchResponse { seq, items }));
    }
    if !result.modified.is_empty() {
        // RFC 7162 §3.1.3: MODIFIED lists sequence numbers, or UIDs for UID STORE.
        let ids: Vec<u32> = if req.uid {
            result.modified.clone()
        } else {
            let view = &cx.sel.view;
            result
                .modified
                .iter()
                .filter_map(|u| view.seq(*u))
                .collect()
        };
        if let Some(set) = SequenceSet::from_values(ids) {
            return Ok(
                Reply::ok("conditional STORE failed for some messages").code(Code::Modified(set))
            );
        }
    }
    Ok(Reply::ok("STORE completed"))
}
