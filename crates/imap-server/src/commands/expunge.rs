//! EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315).

use crate::context::SelectedCtx;
use crate::messages::resolve;
use crate::reply::{Outcome, Reply};
use crate::updates::with_highest_modseq;
use imap_proto::types::SequenceSet;

/// EXPUNGE, or UID EXPUNGE set. The expunged messages are reported by the sync that follows
/// every command.
pub(crate) async fn expunge(cx: &mut SelectedCtx<'_>, uids: Option<&SequenceSet>) -> Outcome {
    cx.writable()?;
    let only: Option<Vec<u32>> = match uids {
        Some(set) => Some(
            resolve(cx.sel, true, set, cx.saved_search())?
                .into_iter()
                .map(|t| t.1)
                .collect(),
        ),
        None => None,
    };
    let r = cx
        .store()
        .expunge(cx.account(), cx.sel.id, only.as_deref())
        .await?;
    // RFC 7162 §3.2.7, §3.2.9 (via §3.2.10): with QRESYNC, the tagged OK of an EXPUNGE that
    // removed something carries the new HIGHESTMODSEQ.
    if !r.uids.is_empty() && cx.enabled.qresync {
        return Ok(with_highest_modseq(cx, Reply::ok("EXPUNGE completed")).await);
    }
    Ok(Reply::ok("EXPUNGE completed"))
}
