//! SELECT and EXAMINE (RFC 9051 §6.3.2–3), CLOSE, UNSELECT (RFC 3691), and the sync that
//! brings a session's view up to date at command boundaries.

use crate::errors::store_reply;
use crate::session::{Reply, Session};
use crate::state::{Selected, Transition};
use crate::view::{MailboxView, SyncMode, ViewUpdate};
use imap_proto::Mailbox;
use imap_proto::command::SelectParams;
use imap_proto::response::{
    Code, FetchItem, FetchResponse, Response, State as Cond, StatusResponse,
};
use imap_proto::types::{Flag, SequenceSet};
use store::Flags;
use tokio::io::{AsyncRead, AsyncWrite};

/// IMAP flags of a store flag set: the system flags in a fixed order, `\\Recent` if `recent`,
/// then the keywords (what FETCH FLAGS and the FLAGS response send).
pub fn imap_flags(f: &Flags, recent: bool) -> Vec<Flag> {
    let mut out = Vec::new();
    for (bit, flag) in [
        (Flags::SEEN, Flag::Seen),
        (Flags::ANSWERED, Flag::Answered),
        (Flags::FLAGGED, Flag::Flagged),
        (Flags::DELETED, Flag::Deleted),
        (Flags::DRAFT, Flag::Draft),
    ] {
        if f.has(bit) {
            out.push(flag);
        }
    }
    if recent {
        out.push(Flag::Recent);
    }
    out.extend(f.keywords.iter().map(|k| Flag::Keyword(k.clone())));
    out
}

/// SELECT / EXAMINE mailbox
pub(crate) async fn select<S>(
    s: &mut Session<S>,
    m: &Mailbox,
    params: SelectParams,
    read_only: bool,
) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    // RFC 9051 §6.3.2: selecting closes the current mailbox first, even if this one fails.
    if s.state.selected().is_some() {
        s.send(&Response::Status(
            StatusResponse::untagged(Cond::Ok, "previous mailbox closed").with_code(Code::Closed),
        ));
    }
    // RFC 5182 §2.1: SELECT/EXAMINE empty the saved search result.
    s.saved = None;
    let deselect = |r: Reply| r.then(Transition::Deselect);
    let (account, name) = match (s.account(), s.name_in(m)) {
        (Ok(a), Ok(n)) => (a, n),
        (Err(r), _) | (_, Err(r)) => return deselect(r),
    };
    // RFC 7162 §3.2.5: QRESYNC in SELECT needs ENABLE QRESYNC first.
    if params.qresync.is_some() && !s.enabled.qresync {
        return deselect(Reply::bad("QRESYNC must be enabled first"));
    }
    if params.condstore {
        s.enabled.condstore = true;
    }
    let store = s.shared.store.clone();
    let info = match store.mailbox(account, &name).await {
        Ok(i) => i,
        Err(e) => return deselect(store_reply(e)),
    };
    // \Recent is not part of IMAP4rev2 (RFC 9051 Appendix E item 12): a rev2 session neither
    // claims nor reports it, so it leaves the flag to the rev1 sessions that use it.
    let recent_from = if read_only || s.enabled.rev2 {
        u32::MAX
    } else {
        match store.claim_recent(account, info.id).await {
            Ok(r) => r,
            Err(e) => return deselect(store_reply(e)),
        }
    };
    let snapshot = match store.snapshot(account, info.id).await {
        Ok(snap) => snap,
        Err(e) => return deselect(store_reply(e)),
    };
    let mut keywords: Vec<String> = Vec::new();
    for msg in &snapshot.messages {
        for k in &msg.flags.keywords {
            if !keywords.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                keywords.push(k.clone());
            }
        }
    }
    let first_unseen = snapshot
        .messages
        .iter()
        .position(|m| !m.flags.has(Flags::SEEN));
    let view = MailboxView::new(snapshot, recent_from, s.enabled.qresync);
    let all = Flags::new(0x1f, keywords);
    s.send(&Response::Flags(imap_flags(&all, false)));
    s.send(&Response::Exists(view.exists()));
    if s.enabled.rev2 {
        // RFC 9051 §6.3.2: SELECT/EXAMINE return an untagged LIST with the mailbox's name.
        if let Some(list) = super::list::selected_list(s, account, &name).await {
            s.send(&list);
        }
    } else {
        s.send(&Response::Recent(view.recent()));
        if let Some(i) = first_unseen {
            s.send(&untagged_code(Code::Unseen(i as u32 + 1), "first unseen"));
        }
    }
    let permanent = if read_only {
        Vec::new()
    } else {
        imap_flags(&all, false)
    };
    s.send(&untagged_code(
        Code::PermanentFlags {
            flags: permanent,
            new_keywords: !read_only,
        },
        "flags permitted",
    ));
    s.send(&untagged_code(
        Code::UidValidity(view.uid_validity()),
        "UIDs valid",
    ));
    s.send(&untagged_code(
        Code::UidNext(view.uid_next()),
        "predicted next UID",
    ));
    if s.enabled.condstore {
        s.send(&untagged_code(
            Code::HighestModSeq(view.highest_modseq()),
            "highest",
        ));
    }
    // RFC 8474 §4.1: the mailbox's OBJECTID.
    s.send(&untagged_code(
        Code::MailboxId(super::mailbox_id(info.id)),
        "mailbox id",
    ));
    if let Some(q) = &params.qresync
        && q.uid_validity == view.uid_validity()
        && let Err(r) = resync(s, info.id, &view, q).await
    {
        return deselect(r);
    }
    let selected = Selected {
        id: info.id,
        name,
        read_only,
        view,
    };
    let code = if read_only {
        Code::ReadOnly
    } else {
        Code::ReadWrite
    };
    Reply::ok(if read_only {
        "EXAMINE completed"
    } else {
        "SELECT completed"
    })
    .code(code)
    .then(Transition::Select(Box::new(selected)))
}

/// QRESYNC (RFC 7162 §3.2.5.2): what changed since the client's MODSEQ, as
/// `VANISHED (EARLIER)` for expunged UIDs and FETCH (UID FLAGS MODSEQ) for changed messages,
/// only among those the client says it knows, if it says.
async fn resync<S>(
    s: &mut Session<S>,
    mailbox: store::MailboxId,
    view: &MailboxView,
    q: &imap_proto::command::QResync,
) -> Result<(), Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (account, since, known) = (s.account()?, q.mod_seq, q.known_uids.as_ref());
    let changes = s
        .shared
        .store
        .changes_since(account, mailbox, since)
        .await
        .map_err(store_reply)?;
    let largest = view.uid_next().saturating_sub(1);
    let gone = changes
        .expunged
        .iter()
        .copied()
        .filter(|u| known.is_none_or(|k| k.contains(*u, largest)));
    if let Some(uids) = SequenceSet::from_values(gone) {
        s.send(&Response::Vanished {
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
        s.send(&Response::Fetch(FetchResponse {
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
pub(crate) async fn close<S>(s: &mut Session<S>) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (Ok(account), Some(sel)) = (s.account(), s.state.selected()) else {
        return Reply::bad("no mailbox selected");
    };
    if !sel.read_only
        && let Err(e) = s.shared.store.expunge(account, sel.id, None).await
    {
        return store_reply(e).then(Transition::Deselect);
    }
    Reply::ok("CLOSE completed").then(Transition::Deselect)
}

/// UNSELECT (RFC 3691): deselects without expunging.
pub(crate) fn unselect<S>(_s: &mut Session<S>) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    Reply::ok("UNSELECT completed").then(Transition::Deselect)
}

/// [`sync`] after a command: a storage error is logged, and a selected mailbox that no longer
/// exists (deleted here or elsewhere) is closed with an untagged `OK [CLOSED]`.
pub(crate) async fn sync_or_close<S>(s: &mut Session<S>, mode: SyncMode)
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let Err(r) = sync(s, mode).await else { return };
    if r.code == Some(Code::NonExistent) {
        s.saved = None;
        let _ = s.state.apply(Transition::Deselect);
        s.send(&untagged_code(
            Code::Closed,
            "the selected mailbox no longer exists",
        ));
    } else {
        tracing::warn!(session = s.id, error = %r.text, "could not report mailbox changes");
    }
}

/// Brings the selected mailbox's view up to date and queues what the client must hear.
/// Nothing to do when no mailbox is selected.
pub(crate) async fn sync<S>(s: &mut Session<S>, mode: SyncMode) -> Result<(), Reply>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let Ok(account) = s.account() else {
        return Ok(());
    };
    let Some(sel) = s.state.selected() else {
        return Ok(());
    };
    let (id, since) = (sel.id, sel.view.highest_modseq());
    let changes = s
        .shared
        .store
        .changes_since(account, id, since)
        .await
        .map_err(store_reply)?;
    let rev2 = s.enabled.rev2;
    let condstore = s.enabled.condstore;
    let Some(sel) = s.state.selected_mut() else {
        return Ok(());
    };
    let updates = sel.view.sync(&changes, mode);
    let view = sel.view.clone();
    for u in updates {
        let r = match u {
            ViewUpdate::Expunge(n) => Response::Expunge(n),
            ViewUpdate::Vanished(uids) => match SequenceSet::from_values(uids) {
                Some(uids) => Response::Vanished {
                    earlier: false,
                    uids,
                },
                None => continue,
            },
            ViewUpdate::Exists(n) => Response::Exists(n),
            ViewUpdate::Recent(n) if !rev2 => Response::Recent(n),
            ViewUpdate::Recent(_) => continue,
            ViewUpdate::FlagsChanged {
                seq,
                uid,
                flags,
                modseq,
            } => {
                let mut items = vec![
                    FetchItem::Flags(imap_flags(&flags, view.is_recent(uid))),
                    FetchItem::Uid(uid),
                ];
                // RFC 7162 §3.1.4: with CONDSTORE, unsolicited FETCH carries MODSEQ.
                if condstore {
                    items.push(FetchItem::ModSeq(modseq));
                }
                Response::Fetch(FetchResponse { seq, items })
            }
        };
        s.send(&r);
    }
    Ok(())
}
