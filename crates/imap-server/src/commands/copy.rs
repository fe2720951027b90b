//! COPY and MOVE (RFC 9051 §6.4.7, RFC 6851) with COPYUID (RFC 4315).

use crate::context::SelectedCtx;
use crate::messages::resolve;
use crate::reply::{CommandError, Outcome, Reply};
use crate::updates::with_highest_modseq;
use imap_proto::Mailbox;
use imap_proto::response::{Code, Response, State as Cond, StatusResponse};
use imap_proto::types::SequenceSet;

/// COPY / MOVE (and their UID forms).
pub(crate) async fn copy(
    cx: &mut SelectedCtx<'_>,
    uid: bool,
    set: &SequenceSet,
    dest: &Mailbox,
    is_move: bool,
) -> Outcome {
    let (account, name) = (cx.account(), cx.name_in(dest)?);
    if is_move {
        cx.writable()?;
    }
    let from = cx.sel.id;
    let targets = resolve(cx.sel, uid, set, cx.saved_search())?;
    let to = cx
        .store()
        .mailbox(account, &name)
        .await
        .map_err(CommandError::Destination)?
        .id;
    let uids: Vec<u32> = targets.iter().map(|t| t.1).collect();
    let (copied, moved_any) = if is_move {
        let (c, gone) = cx.store().move_messages(account, from, &uids, to).await?;
        (c, !gone.uids.is_empty())
    } else {
        (cx.store().copy(account, from, &uids, to).await?, false)
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
    Ok(match (is_move, code) {
        // RFC 6851 §4.3: COPYUID goes in an untagged OK before the expunges.
        (true, Some(code)) => {
            cx.send(&Response::Status(
                StatusResponse::untagged(Cond::Ok, "moved").with_code(code),
            ));
            // RFC 6851 §4.4: with CONDSTORE, the new HIGHESTMODSEQ after the expunges.
            if moved_any && cx.enabled.condstore {
                with_highest_modseq(cx, Reply::ok(text)).await
            } else {
                Reply::ok(text)
            }
        }
        (false, Some(code)) => Reply::ok(text).code(code),
        (_, None) => Reply::ok(text),
    })
}
