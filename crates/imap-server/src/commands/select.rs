//! SELECT and EXAMINE (RFC 9051 §6.3.2–3, RFC 7162 CONDSTORE/QRESYNC), CLOSE, UNSELECT
//! (RFC 3691).

use crate::context::{AuthCtx, SelectedCtx};
use crate::errors::reply_of;
use crate::flags::{flags_response, imap_flags, permanent_flags_response};
use crate::mailbox_data::{mailbox_id, selected_list};
use crate::reply::{CommandError, Outcome, Reply};
use crate::state::{Selected, Transition};
use crate::updates::highest_modseq_ok;
use crate::view::MailboxView;
use imap_proto::Mailbox;
use imap_proto::command::SelectParams;
use imap_proto::response::{
    Code, FetchItem, FetchResponse, Response, State as Cond, StatusResponse,
};
use imap_proto::types::SequenceSet;
use store::Flags;

/// SELECT / EXAMINE mailbox. Whatever happens, the mailbox selected before is closed
/// (RFC 9051 §6.3.2: even if the new one cannot be selected).
pub(crate) async fn select(
    cx: &mut AuthCtx<'_>,
    m: &Mailbox,
    params: SelectParams,
    read_only: bool,
) -> Outcome {
    match open(cx, m, params, read_only).await {
        Ok(r) => Ok(r),
        Err(e) => Ok(reply_of(e).then(Transition::Deselect)),
    }
}

async fn open(cx: &mut AuthCtx<'_>, m: &Mailbox, params: SelectParams, read_only: bool) -> Outcome {
    if cx.selected.is_some() {
        cx.send(&untagged_code(Code::Closed, "previous mailbox closed"));
    }
    // RFC 5182 §2.1: SELECT/EXAMINE empty the saved search result.
    *cx.saved = None;
    let (account, name) = (cx.account(), cx.name_in(m)?);
    // RFC 7162 §3.2.5: QRESYNC in SELECT needs ENABLE QRESYNC first.
    if params.qresync.is_some() && !cx.enabled.qresync {
        return Err(CommandError::bad("QRESYNC must be enabled first"));
    }
    if params.condstore {
        cx.enabled.condstore = true;
    }
    let info = cx.store().mailbox(account, &name).await?;
    // EXAMINE tells how many messages no session has claimed, without claiming them (issue
    // 17 item 2: EXAMINE, a later SELECT and STATUS agree). Counted before the snapshot, so
    // every message counted is in it unless expunged meanwhile.
    let unclaimed = if read_only && !cx.enabled.rev2 {
        cx.store().status(account, info.id).await?.recent
    } else {
        0
    };
    let snapshot = cx.store().snapshot(account, info.id).await?;
    // \Recent is not part of IMAP4rev2 (RFC 9051 Appendix E item 12): a rev2 session neither
    // claims nor reports it, so it leaves the flag to the rev1 sessions that use it. Claimed
    // after the snapshot: every message in it that no one claimed is this session's, and one
    // that arrives in between is claimed too and \Recent when it is reported, so no message
    // changes \Recent while the mailbox is selected.
    let recent = if read_only || cx.enabled.rev2 {
        0..0
    } else {
        cx.store().claim_recent(account, info.id).await?
    };
    let first_unseen = snapshot
        .messages
        .iter()
        .position(|m| !m.flags.has(Flags::SEEN));
    let view = MailboxView::new(snapshot, recent, cx.enabled.qresync);
    cx.send(&flags_response(view.announced()));
    cx.send(&Response::Exists(view.exists()));
    if cx.enabled.rev2 {
        // RFC 9051 §6.3.2: SELECT/EXAMINE return an untagged LIST with the mailbox's name.
        if let Some(list) = selected_list(cx, account, &name).await {
            cx.send(&list);
        }
    } else {
        cx.send(&Response::Recent(if read_only {
            unclaimed.min(view.exists())
        } else {
            view.recent()
        }));
        if let Some(i) = first_unseen {
            cx.send(&untagged_code(Code::Unseen(i as u32 + 1), "first unseen"));
        }
    }
    cx.send(&permanent_flags_response(
        view.announced(),
        read_only,
        !view.keywords_full(),
    ));
    cx.send(&untagged_code(
        Code::UidValidity(view.uid_validity()),
        "UIDs valid",
    ));
    cx.send(&untagged_code(
        Code::UidNext(view.uid_next()),
        "predicted next UID",
    ));
    if cx.enabled.condstore {
        cx.send(&highest_modseq_ok(view.highest_modseq()));
    }
    // RFC 8474 §4.1: the mailbox's OBJECTID.
    cx.send(&untagged_code(
        Code::MailboxId(mailbox_id(info.id)),
        "mailbox id",
    ));
    if let Some(q) = &params.qresync
        && q.uid_validity == view.uid_validity()
    {
        resync(cx, info.id, &view, q).await?;
    }
    let selected = Selected {
        id: info.id,
        name,
        read_only,
        view,
    };
    let (code, text) = if read_only {
        (Code::ReadOnly, "EXAMINE completed")
    } else {
        (Code::ReadWrite, "SELECT completed")
    };
    Ok(Reply::ok(text)
        .code(code)
        .then(Transition::Select(Box::new(selected))))
}

/// QRESYNC (RFC 7162 §3.2.5.2): what changed since the client's MODSEQ, as
/// `VANISHED (EARLIER)` for expunged UIDs and FETCH (UID FLAGS MODSEQ) for changed messages,
/// only among those the client says it knows, if it says.
async fn resync(
    cx: &mut AuthCtx<'_>,
    mailbox: store::MailboxId,
    view: &MailboxView,
    q: &imap_proto::command::QResync,
) -> Result<(), CommandError> {
    let (since, known) = (q.mod_seq, q.known_uids.as_ref());
    let changes = cx
        .store()
        .changes_since(cx.account(), mailbox, since)
        .await?;
    let largest = view.uid_next().saturating_sub(1);
    let gone = changes
        .expunged
        .iter()
        .copied()
        .filter(|u| known.is_none_or(|k| k.contains(*u, largest)));
    if let Some(uids) = SequenceSet::from_values(gone) {
        cx.send(&Response::Vanished {
            earlier: true,
            uids,
        });
    }
    // RFC 7162 §3.2.5.1: flag changes too only for the known UIDs, as `UID FETCH known-uids
    // (FLAGS) (CHANGEDSINCE …)` would report them.
    for m in &changes.changed {
        if known.is_some_and(|k| !k.contains(m.uid, largest)) {
            continue;
        }
        let Some(seq) = view.seq(m.uid) else { continue };
        cx.send(&Response::Fetch(FetchResponse {
            seq,
            items: vec![
                FetchItem::Uid(m.uid),
                FetchItem::Flags(imap_flags(&m.flags, view.is_recent(m.uid))),
                FetchItem::ModSeq(m.modseq),
            ],
        }));
    }
    Ok(())
}

fn untagged_code(code: Code, text: &str) -> Response {
    Response::Status(StatusResponse::untagged(Cond::Ok, text).with_code(code))
}

/// CLOSE: silently expunges `\Deleted` messages if read-write, then deselects.
pub(crate) async fn close(cx: &mut SelectedCtx<'_>) -> Outcome {
    if !cx.sel.read_only
        && let Err(e) = cx.store().expunge(cx.account(), cx.sel.id, None).await
    {
        return Ok(reply_of(e.into()).then(Transition::Deselect));
    }
    Ok(Reply::ok("CLOSE completed").then(Transition::Deselect))
}

/// UNSELECT (RFC 3691): deselects without expunging.
pub(crate) fn unselect() -> Outcome {
    Ok(Reply::ok("UNSELECT completed").then(Transition::Deselect))
}
