//! What the selected mailbox tells the client unasked (ARCHITECTURE.md invariant 4): other
//! sessions' changes reach this one after each command and during IDLE, as EXISTS / EXPUNGE /
//! VANISHED / FETCH (FLAGS) responses, in an order that keeps sequence numbers consistent (the
//! view decides; this module asks the store and writes what the view says). Used by the
//! session's sync and IDLE, and by the commands that must report expunges before their OK.

use crate::context::{Ctx, SelectedCtx};
use crate::flags::{flags_response, imap_flags, permanent_flags_response};
use crate::reply::{CommandError, Reply};
use crate::view::{SyncMode, ViewUpdate};
use imap_proto::response::{
    Code, FetchItem, FetchResponse, Response, State as Cond, StatusResponse,
};
use imap_proto::types::SequenceSet;

/// Brings the selected mailbox's view up to date and queues what the client must hear.
pub(crate) async fn report_changes(
    cx: &mut SelectedCtx<'_>,
    mode: SyncMode,
) -> Result<(), CommandError> {
    let (account, id, since) = (cx.account(), cx.sel.id, cx.sel.view.highest_modseq());
    let changes = cx.store().changes_since(account, id, since).await?;
    // New mail is \Recent in the one session that claims it first (RFC 3501 §2.3.2): a
    // read-write IMAP4rev1 session claims before it reports the new messages.
    let last = cx.sel.view.last_uid();
    if !cx.sel.read_only && !cx.enabled.rev2 && changes.changed.iter().any(|m| m.uid > last) {
        let claimed = cx.store().claim_recent(account, id).await?;
        // Only messages this session has not shown yet: one it showed without \Recent keeps it.
        cx.sel
            .view
            .claimed(claimed.start.max(last + 1)..claimed.end);
    }
    let (rev2, condstore) = (cx.enabled.rev2, cx.enabled.condstore);
    let mut new_mail = false;
    for u in cx.sel.view.sync(&changes, mode) {
        let r = match u {
            ViewUpdate::Expunge(n) => Response::Expunge(n),
            ViewUpdate::Vanished(uids) => match SequenceSet::from_values(uids) {
                Some(uids) => Response::Vanished {
                    earlier: false,
                    uids,
                },
                None => continue,
            },
            ViewUpdate::Exists(n) => {
                new_mail = true;
                Response::Exists(n)
            }
            ViewUpdate::Recent(n) if !rev2 => Response::Recent(n),
            ViewUpdate::Recent(_) => continue,
            ViewUpdate::FlagsChanged {
                seq,
                uid,
                flags,
                modseq,
            } => {
                announce(cx, &flags);
                let mut items = vec![
                    FetchItem::Flags(imap_flags(&flags, cx.sel.view.is_recent(uid))),
                    FetchItem::Uid(uid),
                ];
                // RFC 7162 §3.1.4: with CONDSTORE, unsolicited FETCH carries MODSEQ.
                if condstore {
                    items.push(FetchItem::ModSeq(modseq));
                }
                Response::Fetch(FetchResponse { seq, items })
            }
        };
        cx.send(&r);
    }
    // New messages carry MODSEQs the client has no other way to learn: with CONDSTORE the
    // mailbox's HIGHESTMODSEQ follows their EXISTS (RFC 7162 §3.1.2.1, as Dovecot sends it),
    // so a QRESYNC client can advance its cache. Not while an expunge is held back (the
    // client would skip it at its next QRESYNC): then once it has been told.
    if new_mail && condstore {
        cx.sel.view.owe_modseq();
    }
    if !cx.sel.view.expunges_pending() && cx.sel.view.take_modseq_owed() {
        let modseq = cx.sel.view.highest_modseq();
        cx.send(&highest_modseq_ok(modseq));
    }
    Ok(())
}

/// Reports the expunges now (so they precede the tagged OK) and adds the mailbox's new
/// HIGHESTMODSEQ to `reply` (MOVE and EXPUNGE under CONDSTORE/QRESYNC, RFC 6851 §4.4,
/// RFC 7162 §3.2.10).
pub(crate) async fn with_highest_modseq(cx: &mut SelectedCtx<'_>, reply: Reply) -> Reply {
    if let Err(e) = report_changes(cx, SyncMode::Full).await {
        // The command did its work; the changes are reported at the next command instead.
        let r = crate::errors::reply_of(e);
        tracing::warn!(session = cx.session, error = %r.text, "could not report the expunges");
        return reply;
    }
    reply.code(Code::HighestModSeq(cx.sel.view.highest_modseq()))
}

/// Before a FETCH response carries `flags`: when they hold a keyword the session's last `FLAGS`
/// response did not list (set here or by another session, or arrived with APPEND/COPY), sends
/// `* FLAGS` and `* OK [PERMANENTFLAGS]` with it first (RFC 9051 §7.3.5, RFC 3501 §7.2.6).
pub(crate) fn announce(cx: &mut SelectedCtx<'_>, flags: &store::Flags) {
    let read_only = cx.sel.read_only;
    let full = cx.sel.view.keywords_full();
    if let Some(keywords) = cx.sel.view.unannounced(flags) {
        let (f, p) = (
            flags_response(keywords),
            permanent_flags_response(keywords, read_only, !full),
        );
        cx.send(&f);
        cx.send(&p);
    }
}

/// Whether `body` is one of the selected state's CONDSTORE-enabling commands (RFC 7162 §3.1):
/// FETCH of MODSEQ or with CHANGEDSINCE, SEARCH with a MODSEQ key, STORE UNCHANGEDSINCE. The
/// session turns CONDSTORE on ([`enable_condstore`]) before anything of such a command is
/// sent, so that every FETCH response from then on carries MODSEQ, also the ones that report
/// other sessions' changes before the command's own answer.
pub(crate) fn enables_condstore(body: &imap_proto::CommandBody) -> bool {
    use imap_proto::CommandBody::*;
    use imap_proto::command::FetchAttr;
    match body {
        Fetch {
            items, modifiers, ..
        } => modifiers.changed_since.is_some() || items.expand().contains(&FetchAttr::ModSeq),
        Search { criteria, .. } => criteria.iter().any(crate::searcher::has_modseq),
        Store {
            unchanged_since, ..
        } => unchanged_since.is_some(),
        _ => false,
    }
}

/// A write to the selected mailbox was refused because the mailbox has as many keywords as it
/// may define: from now on its PERMANENTFLAGS lack `\*`. Returns the `* OK [PERMANENTFLAGS]`
/// that says so, which the caller sends at once, before its tagged NO (RFC 9051 §7.1).
pub(crate) fn keywords_full(sel: &mut crate::state::Selected) -> Response {
    sel.view.set_keywords_full();
    permanent_flags_response(sel.view.announced(), sel.read_only, false)
}

/// A CONDSTORE-enabling command (FETCH of MODSEQ or with CHANGEDSINCE, SEARCH MODSEQ, STORE
/// UNCHANGEDSINCE, STATUS (HIGHESTMODSEQ): RFC 7162 §3.1) turns CONDSTORE on for the session;
/// the first one says the selected mailbox's HIGHESTMODSEQ (`selected`, when there is one) in
/// an untagged OK (§3.1.2.1), and from then on FETCH responses carry MODSEQ.
pub(crate) fn enable_condstore(cx: &mut Ctx<'_>, selected: Option<u64>) {
    if cx.enabled.condstore {
        return;
    }
    cx.enabled.condstore = true;
    if let Some(modseq) = selected {
        cx.send(&highest_modseq_ok(modseq));
    }
}

/// `* OK [HIGHESTMODSEQ n] highest`.
pub(crate) fn highest_modseq_ok(modseq: u64) -> Response {
    let ok = StatusResponse::untagged(Cond::Ok, "highest").with_code(Code::HighestModSeq(modseq));
    Response::Status(ok)
}
