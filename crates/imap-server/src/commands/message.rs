//! STORE (RFC 9051 §6.4.6, RFC 7162 UNCHANGEDSINCE), COPY and MOVE (RFC 6851) with COPYUID
//! (RFC 4315), EXPUNGE and UID EXPUNGE.

use super::append::store_flags;
use super::select::imap_flags;
use crate::errors::{destination_reply, store_reply};
use crate::session::{Reply, Session};
use imap_proto::Mailbox;
use imap_proto::command::StoreAction;
use imap_proto::response::{
    Code, FetchItem, FetchResponse, Response, State as Cond, StatusResponse,
};
use imap_proto::types::{Flag, SequenceSet};
use store::{FlagOp, FlagUpdate};
use tokio::io::{AsyncRead, AsyncWrite};

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
pub(crate) async fn store<S>(s: &mut Session<S>, req: StoreRequest<'_>) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let account = match s.account() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(sel) = s.state.selected() else {
        return Reply::bad("no mailbox selected");
    };
    if sel.read_only {
        return Reply::no("the mailbox is read-only").code(Code::Cannot);
    }
    let mailbox = sel.id;
    let targets = match super::resolve(sel, req.uid, req.set, s.saved_search()) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let flags = match store_flags(req.flags) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let op = match req.action {
        StoreAction::Add => FlagOp::Add,
        StoreAction::Remove => FlagOp::Remove,
        StoreAction::Replace => FlagOp::Replace,
    };
    let uids: Vec<u32> = targets.iter().map(|t| t.1).collect();
    let update = FlagUpdate {
        uids,
        op,
        flags,
        unchanged_since: req.unchanged_since,
    };
    let result = match s.shared.store.store_flags(account, mailbox, update).await {
        Ok(r) => r,
        Err(e) => return store_reply(e),
    };
    let Some(sel) = s.state.selected_mut() else {
        return Reply::bad("no mailbox selected");
    };
    sel.view.note_own_flags(&result.updated);
    let view = sel.view.clone();
    let condstore = s.enabled.condstore;
    let with_modseq = req.unchanged_since.is_some() || condstore;
    for &(seq, uid) in &targets {
        let updated = result.updated.iter().find(|st| st.uid == uid);
        // RFC 9051 §6.4.6: without .SILENT every message's flags come back as a FETCH would
        // show them, changed or not (not those refused by UNCHANGEDSINCE: they are in
        // MODIFIED). RFC 7162 §3.1.3: with UNCHANGEDSINCE, every updated message gets a FETCH
        // with its MODSEQ even under .SILENT.
        let state = match updated {
            Some(st) => st.clone(),
            None if req.silent || result.modified.contains(&uid) => continue,
            None => match view.state(seq) {
                Some(st) if st.uid == uid => st,
                _ => continue,
            },
        };
        let mut items = Vec::new();
        if !req.silent {
            items.push(FetchItem::Flags(imap_flags(
                &state.flags,
                view.is_recent(uid),
            )));
        } else if req.unchanged_since.is_none() {
            continue;
        }
        if req.uid {
            items.push(FetchItem::Uid(uid));
        }
        if with_modseq {
            items.push(FetchItem::ModSeq(state.modseq));
        }
        s.send(&Response::Fetch(FetchResponse { seq, items }));
    }
    if !result.modified.is_empty() {
        // RFC 7162 §3.1.3: MODIFIED lists sequence numbers, or UIDs for UID STORE.
        let ids: Vec<u32> = if req.uid {
            result.modified.clone()
        } else {
            result
                .modified
                .iter()
                .filter_map(|u| view.seq(*u))
                .collect()
        };
        if let Some(set) = SequenceSet::from_values(ids) {
            return Reply::ok("conditional STORE failed for some messages")
                .code(Code::Modified(set));
        }
    }
    Reply::ok("STORE completed")
}

/// COPY / MOVE (and their UID forms).
pub(crate) async fn copy<S>(
    s: &mut Session<S>,
    uid: bool,
    set: &SequenceSet,
    dest: &Mailbox,
    is_move: bool,
) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (account, name) = match (s.account(), s.name_in(dest)) {
        (Ok(a), Ok(n)) => (a, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let Some(sel) = s.state.selected() else {
        return Reply::bad("no mailbox selected");
    };
    if is_move && sel.read_only {
        return Reply::no("the mailbox is read-only").code(Code::Cannot);
    }
    let from = sel.id;
    let targets = match super::resolve(sel, uid, set, s.saved_search()) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let to = match s.shared.store.mailbox(account, &name).await {
        Ok(i) => i.id,
        Err(e) => return destination_reply(e),
    };
    let uids: Vec<u32> = targets.iter().map(|t| t.1).collect();
    let mut moved_any = false;
    let copied = if is_move {
        s.shared
            .store
            .move_messages(account, from, &uids, to)
            .await
            .map(|(c, gone)| {
                moved_any = !gone.uids.is_empty();
                c
            })
    } else {
        s.shared.store.copy(account, from, &uids, to).await
    };
    let copied = match copied {
        Ok(c) => c,
        Err(e) => return store_reply(e),
    };
    let code = match (
        SequenceSet::from_values(copied.pairs.iter().map(|p| p.0)),
        SequenceSet::from_values(copied.pairs.iter().map(|p| p.1)),
    ) {
        (Some(source), Some(dest)) => Some(Code::CopyUid {
            uid_validity: copied.uid_validity,
            source,
            dest,
        }),
        _ => None,
    };
    let text = if is_move {
        "MOVE completed"
    } else {
        "COPY completed"
    };
    match (is_move, code) {
        // RFC 6851 §4.3: COPYUID goes in an untagged OK before the expunges.
        (true, Some(code)) => {
            s.send(&Response::Status(
                StatusResponse::untagged(Cond::Ok, "moved").with_code(code),
            ));
            // RFC 6851 §4.4: with CONDSTORE, the new HIGHESTMODSEQ after the expunges.
            if moved_any && s.enabled.condstore {
                with_highest_modseq(s, Reply::ok(text)).await
            } else {
                Reply::ok(text)
            }
        }
        (false, Some(code)) => Reply::ok(text).code(code),
        (_, None) => Reply::ok(text),
    }
}

/// EXPUNGE, or UID EXPUNGE set (RFC 4315). The expunged messages are reported by the sync
/// that follows every command.
pub(crate) async fn expunge<S>(s: &mut Session<S>, uids: Option<&SequenceSet>) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let account = match s.account() {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(sel) = s.state.selected() else {
        return Reply::bad("no mailbox selected");
    };
    if sel.read_only {
        return Reply::no("the mailbox is read-only").code(Code::Cannot);
    }
    let mailbox = sel.id;
    let only: Option<Vec<u32>> = match uids {
        Some(set) => match super::resolve(sel, true, set, s.saved_search()) {
            Ok(t) => Some(t.into_iter().map(|t| t.1).collect()),
            Err(r) => return r,
        },
        None => None,
    };
    match s
        .shared
        .store
        .expunge(account, mailbox, only.as_deref())
        .await
    {
        // RFC 7162 §3.2.7, §3.2.9 (via §3.2.10): with QRESYNC, the tagged OK of an
        // EXPUNGE that removed something carries the new HIGHESTMODSEQ.
        Ok(r) if !r.uids.is_empty() && s.enabled.qresync => {
            with_highest_modseq(s, Reply::ok("EXPUNGE completed")).await
        }
        Ok(_) => Reply::ok("EXPUNGE completed"),
        Err(e) => store_reply(e),
    }
}

/// Reports the expunges now (so they precede the tagged OK) and adds the mailbox's new
/// HIGHESTMODSEQ to `reply`.
async fn with_highest_modseq<S>(s: &mut Session<S>, reply: Reply) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    if let Err(r) = super::select::sync(s, crate::view::SyncMode::Full).await {
        // The command did its work; the changes are reported at the next command instead.
        tracing::warn!(session = s.id, error = %r.text, "could not report the expunges");
        return reply;
    }
    match s.state.selected() {
        Some(sel) => reply.code(Code::HighestModSeq(sel.view.highest_modseq())),
        None => reply,
    }
}
